#!/usr/bin/python3
"""A local emulator of the Alibaba Cloud OSS LiveChannel API: the entry point.

    /usr/bin/python3 contrib/emulator/osslive_emulator.py --port 0 --bucket NAME \\
        --credentials AK:SK[:TOKEN][,...] --data DIR [--region cn-hangzhou] [--port-file FILE]

The code is the package ``osslive/`` beside this file, one module per concern; its docstring
(``--help``) is the whole reference.  The names below stay importable from this file for
scripts that loaded it as a module.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from osslive.cli import build_parser, main  # noqa: E402
from osslive.server import make_server  # noqa: E402
from osslive.state import Emulator  # noqa: E402
from osslive.wire import is_loopback  # noqa: E402

__all__ = ["Emulator", "build_parser", "is_loopback", "main", "make_server"]

if __name__ == "__main__":
    sys.exit(main())
