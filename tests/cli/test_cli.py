"""python -m geo: sub-commands, help, and clear errors instead of tracebacks."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import cli

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
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


# --- output cut short by its reader ---------------------------------------------------------------

SEED = REPO / "data" / "samples" / "article-000.txt"


@pytest.mark.parametrize(
    "args",
    [
        ["extract", *[str(SEED)] * 6],
        ["extract", "--format", "csv", *[str(SEED)] * 6],
        ["zones", "--format", "jsonl", str(SEED)],
    ],
    ids=["extract-jsonl", "extract-csv", "zones"],
)
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(args: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -n 1`
    err = proc.stderr.read()
    code = proc.wait(timeout=120)
    assert first.strip()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code in (0, cli.EXIT_BROKEN_PIPE)


def test_head_through_the_shell_sees_no_traceback() -> None:
    files = " ".join([str(SEED)] * 4)
    script = (
        f'"{sys.executable}" -m geo extract --format geojson {files} | head -c 10 >/dev/null; '
        f'"{sys.executable}" -m geo extract {files} | head -c 10 >/dev/null; '
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    out = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr, out.stderr
    assert out.stderr.strip().splitlines()[-1] in ("status=0", f"status={cli.EXIT_BROKEN_PIPE}")


# --- missing data is the data's fault, not the article's ------------------------------------------


def _offline_env(cache: Path, mirror: Path | None) -> dict[str, str]:
    """An empty cache, and no way to fill it: no mirror (or an empty one), and no network."""
    env = {k: v for k, v in os.environ.items() if k != "ZONE_ATLAS_MIRROR"}
    env["ZONE_ATLAS_CACHE"] = str(cache)
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[proxy] = "http://127.0.0.1:9"  # the discard port: a download fails at once
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    if mirror is not None:
        env["ZONE_ATLAS_MIRROR"] = str(mirror)
    return env


@pytest.mark.parametrize("empty_mirror", [False, True], ids=["no-mirror", "empty-mirror"])
@pytest.mark.parametrize("command", ["extract", "zones", "export"])
def test_missing_boundary_data_is_named_with_the_fix_and_blames_no_file(
    tmp_path: Path, command: str, empty_mirror: bool
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("هجوم في كركوك أسفر عن مقتل جنديين.", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Clashes were reported in Sinjar.", encoding="utf-8")
    mirror = tmp_path / "mirror" if empty_mirror else None
    if mirror is not None:
        mirror.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = {
        "extract": ["extract", str(article), str(other)],
        "zones": ["zones", str(article)],
        "export": ["export", str(article), str(other), "--out", str(out_dir), "--geojson"],
    }[command]
    out = subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_offline_env(tmp_path / "cache", mirror),
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "error: boundary data missing (cod_ab_iraq): run `python -m geo fetch`" in out.stderr
    assert out.stderr.count("error:") == 1  # said once, not once per file
    assert "could not be read" not in out.stderr and "could not be exported" not in out.stderr
    assert str(article) not in out.stderr and str(other) not in out.stderr
    assert out.stdout == "" and list(out_dir.iterdir()) == []


# --- zones -o: all or nothing ---------------------------------------------------------------------

ZONES_TEXT = "هجمات في كركوك وديالى.\n"


def test_zones_output_file_is_written_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ZONES_TEXT, encoding="utf-8")
    target = tmp_path / "zones.geojson"
    assert cli.main(["zones", str(article), "-o", str(target)]) == 0
    fc = json.loads(target.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "zones.geojson"]


def test_zones_output_on_a_full_disk_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ZONES_TEXT, encoding="utf-8")
    target = tmp_path / "zones.geojson"
    assert cli.main(["zones", str(article), "-o", str(target)]) == 0
    good = target.read_bytes()
    real_write_bytes = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:  # type: ignore[override]
        if not self.name.startswith(f".{target.name}."):
            return real_write_bytes(self, data)
        real_write_bytes(self, data[: len(data) // 2])  # half of it lands, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    capsys.readouterr()
    assert cli.main(["zones", str(article), "--format", "jsonl", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"disk full while writing {target}" in err and "Traceback" not in err
    assert target.read_bytes() == good  # the previous output is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "zones.geojson"]  # no temp file left


def test_zones_output_into_a_missing_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ZONES_TEXT, encoding="utf-8")
    assert cli.main(["zones", str(article), "-o", str(tmp_path / "nope" / "z.geojson")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write") and str(tmp_path / "nope" / "z.geojson") in err


def test_zones_warns_about_repaired_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(ZONES_TEXT.encode("utf-8") * 20 + b"\xff\n")
    assert cli.main(["zones", str(article), "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    assert f"warning: {article}: 1 invalid UTF-8 byte" in err
    assert out.strip()


def test_extract_json_lines_keep_a_lone_surrogate() -> None:
    """orjson refuses a lone surrogate: the line falls back to the standard encoder and keeps it."""
    from geo.cli.places import _json

    assert json.loads(_json({"a": "x", "n": [1.5, None]})) == {"a": "x", "n": [1.5, None]}
    raw = _json({"text": "a\ud800b"})
    assert json.loads(raw.decode("utf-8", "surrogatepass")) == {"text": "a\ud800b"}
