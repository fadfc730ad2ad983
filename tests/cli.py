"""Running the installed `kg` console script, as a user does."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def kg(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    beside_python = Path(sys.executable).with_name("kg")
    exe = str(beside_python) if beside_python.exists() else shutil.which("kg")
    if exe is None:
        pytest.fail("the kg console script is not installed (pip install .)")
    return subprocess.run([exe, *args], input=stdin, capture_output=True, timeout=300)
