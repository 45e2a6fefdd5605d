"""Lint is part of the test suite, so a lint failure fails CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from beejan.settings import PROJECT_DIR

RUFF = str(Path(sys.executable).parent / "ruff")


def test_python_passes_ruff_lint() -> None:
    result = subprocess.run([RUFF, "check", "."], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_is_ruff_formatted() -> None:
    result = subprocess.run(
        [RUFF, "format", "--check", "."], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
