"""Running the installed `kg` console script, as a user does."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def kg(*args, stdin: bytes | None = None, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """`kg ARGS`; `env` changes the environment (a None value removes the variable)."""
    beside_python = Path(sys.executable).with_name("kg")
    exe = str(beside_python) if beside_python.exists() else shutil.which("kg")
    if exe is None:
        pytest.fail("the kg console script is not installed (pip install .)")
    environ = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run([exe, *args], input=stdin, capture_output=True, timeout=300, env=environ)
