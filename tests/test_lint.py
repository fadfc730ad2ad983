"""The code passes ruff, whose banned-api rule keeps databases inside their backends."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_ruff():
    ruff = shutil.which("ruff") or str(Path(__import__("sys").executable).with_name("ruff"))
    if not Path(ruff).exists() or not (REPO / "pyproject.toml").exists():
        pytest.skip("ruff or the source tree is not here")
    result = subprocess.run([ruff, "check", "kg", "tests", "bench"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
