"""python -m geo: sub-commands, help, and clear errors instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import cli

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def test_help_lists_subcommands() -> None:
    out = _run("--help")
    assert out.returncode == 0
    for command in ("fetch", "assets", "boundaries"):
        assert command in out.stdout


def test_fetch_from_mirror_into_a_fresh_cache(tmp_path: Path) -> None:
    env = {"ZONE_ATLAS_CACHE": str(tmp_path)}
    first = _run("fetch", "--dataset", "cod_ab_iraq", "--mirror", os.environ["ZONE_ATLAS_MIRROR"], env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("copied") == 4
    second = _run("fetch", "--dataset", "cod_ab_iraq", "--mirror", os.environ["ZONE_ATLAS_MIRROR"], env=env)
    assert second.stdout.count("cached") == 4 and "copied" not in second.stdout


def test_fetch_errors_are_one_clear_message(tmp_path: Path) -> None:
    out = _run("fetch", "--mirror", str(tmp_path / "missing"), env={"ZONE_ATLAS_CACHE": str(tmp_path)})
    assert out.returncode == 2
    assert "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_boundaries_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["boundaries", "--level", "1"]) == 0
    assert "ADM1: 18 features" in capsys.readouterr().out
