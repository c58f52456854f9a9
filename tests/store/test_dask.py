"""Ingest on a Dask cluster (geo.store.distributed): the suite starts `dask scheduler` and two
`dask worker` processes on 127.0.0.1 itself, and stops them, even when a test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_tables import differences, tables_of, write_corpus

from geo.errors import WorkerError
from geo.store import IngestReport, Store, ingest

pytest.importorskip("distributed")
from dask_cluster import REPO, cluster, free_port  # noqa: E402
from distributed import Client  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, list[tuple[object, ...]]], IngestReport]:
    """The corpus and the store a local, one-process ingest makes of it."""
    root = tmp_path_factory.mktemp("dask-corpus")
    write_corpus(root / "in", 40)
    with Store(root / "local") as store:
        report = ingest(store, [root / "in"])
        return root / "in", tables_of(store), report


def test_a_dask_ingest_stores_what_a_local_ingest_stores(tmp_path: Path, local_store: tuple) -> None:
    corpus, expected, local = local_store
    with cluster(tmp_path / "cluster") as (address, _workers), Store(tmp_path / "s") as store:
        report = ingest(store, [corpus], dask=address, partition_size=6)
        again = ingest(store, [corpus], dask=address, partition_size=6)
        got = tables_of(store)
    assert report.summary() == local.summary() == "40 new, 1 already in the store; 1 could not be read"
    assert sorted(report.ids) == sorted(local.ids) and report.problems == local.problems
    assert again.summary() == "0 new, 41 already in the store; 1 could not be read"
    assert got == expected, differences(got, expected)
    assert not (tmp_path / "s" / "staging").exists()  # the staging partitions were loaded and removed


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path: Path, local_store: tuple) -> None:
    corpus, expected, _local = local_store
    with cluster(tmp_path / "cluster") as (address, workers), Client(address, set_as_default=False) as client:
        victim = workers[0]
        pids = client.run(os.getpid)
        victim_address = next(a for a, pid in pids.items() if os.getpgid(pid) == victim.pid)
        killed = []

        def kill_when_busy(report: IngestReport) -> None:
            if killed or report.new == 0:
                return
            deadline = time.monotonic() + 30
            while not client.processing(workers=[victim_address]).get(victim_address):
                if time.monotonic() > deadline:
                    pytest.fail("the worker was never given a partition")
                time.sleep(0.05)
            os.killpg(victim.pid, signal.SIGKILL)  # the worker and its nanny, with a partition in hand
            killed.append(victim_address)

        with Store(tmp_path / "s") as store:
            report = ingest(store, [corpus], dask=client, partition_size=3, on_article=kill_when_busy)
            got = tables_of(store)
            ids = store.con.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
    assert killed, "no worker was killed"
    assert report.summary() == "40 new, 1 already in the store; 1 could not be read"
    assert ids == (40, 40)
    assert got == expected, differences(got, expected)


def test_an_unreachable_cluster_is_named_within_the_timeout_and_nothing_is_written(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("An attack in Kirkuk.", encoding="utf-8")
    started = time.monotonic()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "ingest",
            str(tmp_path / "in"),
            "--store",
            str(tmp_path / "s"),
            "--dask",
            address,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - started < 60
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert (
        f"cannot reach the Dask scheduler at '{address}'" in out.stderr
        and "nothing was written" in out.stderr
    )
    assert not (tmp_path / "s").exists()
    from geo.store.distributed import connect

    with pytest.raises(WorkerError, match="within 1 s"):
        connect(address, timeout=1)
