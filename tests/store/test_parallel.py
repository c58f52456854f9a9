"""Ingest and extract in local worker processes (geo.store.parallel): the same store and output as one
process, in order, a bounded window, streamed folders, and a dead worker or Ctrl-C that loses nothing."""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_tables import child_pids, cmdline, differences, tables_of, write_corpus

from geo.errors import WorkerError
from geo.store import Store, ingest
from geo.store.parallel import WINDOW_PER_WORKER, ordered_map

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "samples" / "article-000.txt"
documents_module = importlib.import_module("geo.store.documents")
ingest_module = importlib.import_module("geo.store.ingest")


def test_two_workers_store_exactly_what_one_process_stores(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_corpus(tmp_path / "in", 24)
    reports, tables = [], []
    for workers in (1, 2):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="geo.store.parallel"), Store(tmp_path / f"s{workers}") as s:
            reports.append(ingest(s, [tmp_path / "in"], workers=workers))
            tables.append(tables_of(s))
        pooled = "analysing in 2 worker processes" in caplog.text
        assert pooled == (workers == 2)
    one, two = reports
    assert one.summary() == two.summary() == "24 new, 1 already in the store; 1 could not be read"
    assert (one.problems, one.warnings, one.ids) == (two.problems, two.warnings, two.ids)
    assert tables[0] == tables[1], differences(tables[0], tables[1])
    assert len(tables[0]["articles"]) == 24 and tables[0]["places"] and tables[0]["zones"]


def _extract(files: list[str], workers: int, fmt: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "extract", *files, "--format", fmt, "--workers", str(workers)],
        cwd=REPO,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_extract_prints_the_same_bytes_with_two_workers(tmp_path: Path, fmt: str) -> None:
    write_corpus(tmp_path / "in", 10)
    files = [
        str(SEED),
        *sorted(str(p) for p in (tmp_path / "in").glob("a*.txt")),
        str(tmp_path / "missing.txt"),
    ]
    one, two = _extract(files, 1, fmt), _extract(files, 2, fmt)
    assert one.returncode == two.returncode == 1  # the missing file
    assert one.stdout == two.stdout and one.stderr == two.stderr
    if fmt == "jsonl":
        sources = [json.loads(line)["source"] for line in one.stdout.splitlines()]
        assert sources == files[:-1]  # in the order given


def test_results_come_in_input_order_with_a_bounded_number_in_flight() -> None:
    drawn = 0

    def numbers() -> object:
        nonlocal drawn
        for n in range(300):
            drawn += 1
            yield -n

    seen = []
    for item, result in ordered_map(abs, numbers(), workers=2, initializer=None):
        seen.append((item, result))
        assert drawn - len(seen) <= 2 * WINDOW_PER_WORKER  # never the whole stream at once
    assert seen == [(-n, n) for n in range(300)]


def test_items_that_need_no_work_pass_through_in_place() -> None:
    got = list(
        ordered_map(abs, [-1, -2, -3, -4, -5, -6], workers=2, initializer=None, needs_work=lambda n: n % 2)
    )
    assert got == [(-1, 1), (-2, None), (-3, 3), (-4, None), (-5, 5), (-6, None)]


def _die_on_three(n: int) -> int:
    if n == 3:
        os._exit(1)
    return n


def test_a_worker_that_dies_is_a_clear_error_naming_the_first_item_not_done() -> None:
    done = []
    with pytest.raises(
        WorkerError, match=r"a worker process stopped .* before item [0-3] and what follows"
    ) as err:
        for item, _ in ordered_map(
            _die_on_three, range(8), workers=2, initializer=None, describe=lambda n: f"item {n}"
        ):
            done.append(item)
    assert done == list(range(len(done))) and len(done) <= 3
    assert f"before item {len(done)} " in str(err.value)  # everything before it was given back
    assert "run the same command again" in str(err.value)


def test_a_folder_of_many_empty_files_is_walked_lazily_and_summarised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for i in range(3000):
        (folder / f"e{i:05d}.txt").touch()
    (folder / "sub" / "real.txt").write_text("An attack in Kirkuk killed two soldiers.", encoding="utf-8")
    (folder / "e01500-real.txt").write_text("An attack in Mosul.", encoding="utf-8")
    monkeypatch.setattr(documents_module, "SORT_RUN", 400)  # sorted in runs on disk, merged
    monkeypatch.setattr(ingest_module, "MAX_LISTED", 50)
    walked = list(documents_module.input_files([folder]))
    assert walked == sorted(p for p in folder.rglob("*") if p.is_file())
    with Store(tmp_path / "s") as store:
        report = ingest(store, [folder], workers=2)
    assert report.summary() == "2 new, 0 already in the store; 3000 could not be read"
    assert len(report.problems) == 50 and report.more_problems == 2950


def _ingest_until(tmp_path: Path, seen_at_least: int) -> tuple[subprocess.Popen[bytes], int, bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geo",
            "ingest",
            str(tmp_path / "in"),
            "--store",
            str(tmp_path / "s"),
            "--workers",
            "2",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen, buffer, deadline = 0, b"", time.monotonic() + 180
    while seen < seen_at_least and time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        buffer = (buffer + chunk)[-4096:]
        seen = max((int(n) for n in re.findall(rb"ingest: (\d+) article", buffer)), default=0)
    return proc, seen, buffer


def _rest(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stderr is not None
    out = proc.stderr.read().decode(errors="replace")
    proc.wait(timeout=60)
    return out


def _finish_and_check(tmp_path: Path, n: int) -> None:
    """What was committed is whole; the same ingest again adds the rest; nothing twice."""
    with Store(tmp_path / "s") as store:
        kept = store.counts()["articles"]
        report = ingest(store, [tmp_path / "in"])
        assert (report.new, report.known) == (n - kept, kept + 1)  # + the repeated text
        got = tables_of(store)
    with Store(tmp_path / "one") as store:
        ingest(store, [tmp_path / "in"])
        assert tables_of(store) == got, differences(tables_of(store), got)


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_committed_and_says_so(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 120)
    proc, seen, _ = _ingest_until(tmp_path, 15)
    proc.send_signal(signal.SIGINT)
    err = _rest(proc)
    assert proc.returncode == 130 and seen >= 15, err
    assert "Traceback" not in err
    assert re.search(
        r"interrupted: \d+ new article\(s\) were committed to .* run the same command again", err
    )
    _finish_and_check(tmp_path, 120)


@pytest.mark.slow
def test_a_killed_worker_process_stops_the_ingest_clearly_and_loses_nothing(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 120)
    proc, seen, _ = _ingest_until(tmp_path, 15)
    workers = [
        pid
        for pid in child_pids(proc.pid)
        if "spawn_main" in cmdline(pid) and "resource_tracker" not in cmdline(pid)
    ]
    assert len(workers) == 2 and seen >= 15
    os.kill(workers[0], signal.SIGKILL)
    err = _rest(proc)
    assert proc.returncode == 2, err
    assert (
        "error: a worker process stopped (killed, or out of memory) before" in err and "Traceback" not in err
    )
    _finish_and_check(tmp_path, 120)


def test_workers_do_not_run_the_dashboard_when_its_script_is_the_main_module(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # Streamlit installs the app script as __main__; spawned workers re-import the main script (as
    # __mp_main__), which must not run the app (workers that did could die at start-up).
    import types

    fake = types.ModuleType("__main__")
    fake.__file__ = str(REPO / "dashboard" / "app.py")
    monkeypatch.setitem(sys.modules, "__main__", fake)
    items = list(range(-6, 6))
    assert list(ordered_map(abs, items, workers=2, initializer=None)) == [(i, abs(i)) for i in items]
    assert "rerun page=" not in capfd.readouterr().err  # the app's one log line per run
