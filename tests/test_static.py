"""Static checks as part of the test command: ruff (lint + format) and mypy on the library.

The rule set and the mypy settings live in pyproject.toml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PATHS = ["geo", "dashboard", "tests"]


def _tool(name: str) -> str:
    exe = BIN / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run ./atlas setup (it installs requirements.txt)")
    return found


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_check() -> None:
    result = _run([_tool("ruff"), "check", "--no-cache", *PATHS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run([_tool("ruff"), "format", "--check", "--no-cache", *PATHS])
    assert result.returncode == 0, "run `ruff format geo dashboard tests`:\n" + result.stdout + result.stderr


@pytest.mark.slow
def test_mypy() -> None:
    cache = REPO / ".cache" / "mypy"
    result = _run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), "geo"])
    assert result.returncode == 0, result.stdout + result.stderr
