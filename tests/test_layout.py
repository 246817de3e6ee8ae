"""The layer rule of design section 3, as `make layers` checks it.

The check runs on a copy of src/ and include/ with one offending line
added, so that it is shown to fail, and on the tree as it is, which passes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["fs", "cache", "oss", "http", "util"]


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(root / "tests/check-layers.sh"), *LAYERS],
                          cwd=root, capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for part in ("src", "include", "tests/check-layers.sh"):
        src = ROOT / part
        dst = tmp_path / part
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
    return tmp_path


def add_line(path: Path, line: str) -> None:
    text = path.read_text()
    path.write_text(line + "\n" + text)


def test_tree_as_it_is_passes() -> None:
    res = run_check(ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "layers: every include reaches down (fs cache oss http util)"


@pytest.mark.parametrize("file,line,message", [
    ("src/oss/live.c", '#include "cache/cache.h"',
     'src/oss/live.c: includes "cache/..." from layer oss'),
    ("src/util/log.c", '#include "http/req.h"',
     'src/util/log.c: includes "http/..." from layer util'),
    ("include/http/req.h", '#include "fs/fs.h"',
     'include/http/req.h: includes "fs/..." from layer http'),
    ("src/fs/node.c", "#include <curl/curl.h>",
     "src/fs/node.c: the FUSE layer includes curl or libxml2"),
    ("src/fs/ops.c", "#include <libxml/tree.h>",
     "src/fs/ops.c: the FUSE layer includes curl or libxml2"),
    ("src/oss/obj.c", "#include <fuse.h>",
     "src/oss/obj.c: only the FUSE layer includes fuse"),
])
def test_an_include_that_reaches_up_fails(tree: Path, file: str, line: str,
                                          message: str) -> None:
    add_line(tree / file, line)
    res = run_check(tree)
    assert res.returncode == 1
    assert message in res.stderr
    assert res.stdout == ""
