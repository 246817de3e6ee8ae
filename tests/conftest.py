"""Shared pytest fixtures.  The emulator harness lives in tests/harness.py."""

import pytest

from harness import Emulator

EMU_BUCKET = "testbucket"
EMU_CREDENTIALS = "AKID:SECRET,STSKEY:STSSECRET:STSTOKEN"


@pytest.fixture
def emulator(tmp_path):
    """A fresh emulator: bucket ``testbucket``, keys ``AKID:SECRET`` and the STS key
    ``STSKEY:STSSECRET:STSTOKEN``, data under ``tmp_path/emulator``."""
    emu = Emulator().start(tmp_path / "emulator", EMU_BUCKET, EMU_CREDENTIALS)
    yield emu
    emu.stop()
