"""Benchmark: the workspace store: ingest time, store size, and corpus queries at 10^3 and 10^5 articles.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_store.py [--big 100000]

1. 1,000 synthetic articles (:mod:`corpus_gen`, Arabic and English, with zones and dates over a
   year) are ingested from JSONL through the real path (analysis, one transaction per article),
   then ingested again (all already stored).
2. The corpus map (mentions per governorate and district, zones per kind and per zone), the article
   list with a folded full-text search, and the places of one month are timed on that store.
3. A second store of ``--big`` articles is filled with rows written straight into the tables
   (:func:`corpus_gen.fill_rows`: real gazetteer places and the polygons of step 1, with realistic
   counts per article): analysing 10^5 texts would take an hour and measure the geoparser, not
   the store. The same queries are timed on it. Budget: corpus map <= 2 s at 10^5 articles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import corpus_gen  # noqa: E402

from geo.store import Filters, Store, ingest  # noqa: E402

#: Budgets (seconds) of the corpus queries at 10^5 articles.
MAP_BUDGET_S = 2.0


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, float]:
    """(first, median of the rest) seconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times[0], statistics.median(times[1:]) if len(times) > 1 else times[0]


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def queries(store: Store, label: str, *, budget: bool) -> None:
    month = Filters(date_from=dt.date(2021, 6, 1), date_to=dt.date(2021, 6, 30))
    jobs: list[tuple[str, Callable[[], Any]]] = [
        ("corpus map (all)", lambda: store.corpus_map()),
        ("corpus map (one month)", lambda: store.corpus_map(month)),
        ("list, search 'كركوك'", lambda: store.articles(Filters(search="كركوك"))),
        ("list, search 'Kirkuk attack'", lambda: store.articles(Filters(search="Kirkuk attack"))),
        ("places of one month", lambda: store.places(month)),
    ]
    for name, fn in jobs:
        first, median = timed(fn)
        note = (
            f"  (budget {MAP_BUDGET_S:.0f} s: {'ok' if median <= MAP_BUDGET_S else 'OVER'})"
            if (budget and name.startswith("corpus map"))
            else ""
        )
        print(f"  {label} {name:<30} first {first:6.3f} s, median {median:6.3f} s{note}")


def main(n: int = 1000, big: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = corpus_gen.write_jsonl(root / "corpus.jsonl", n)
        with Store(root / "small") as store:
            from geo.pipeline import analyze

            analyze("warm-up: Kirkuk")  # the gazetteer and boundaries load once per process
            report = ingest(store, [source])
            print(
                f"ingest {n:,} articles: {report.seconds:.1f} s ({report.new / report.seconds:.0f} articles/s), "
                f"{report.summary()}"
            )
            again = ingest(store, [source])
            print(f"ingest again: {again.seconds:.1f} s, {again.summary()}")
            counts = store.counts()
            print(f"rows: {counts}")
            store.con.execute("CHECKPOINT")
            print(f"store size at {n:,} articles: {size_mb(root / 'small'):.1f} MB")
            queries(store, f"{n:>7,}", budget=False)
            shapes = store.con.execute("SELECT shape_id, ST_AsWKB(geometry) FROM shapes").fetchall()
        with Store(root / "big") as store:
            store.con.executemany(
                "INSERT INTO shapes VALUES (?, ST_GeomFromWKB(?))", [(k, bytes(w)) for k, w in shapes]
            )
            t = time.perf_counter()
            corpus_gen.fill_rows(store.con, big)
            store.con.execute("CHECKPOINT")
            print(
                f"generated {big:,} articles of rows in {time.perf_counter() - t:.1f} s "
                f"(rows written directly, not analysed): {store.counts()}"
            )
            print(f"store size at {big:,} articles: {size_mb(root / 'big'):.1f} MB")
        with Store(root / "big", read_only=True) as store:  # a fresh process-like open: cold caches
            queries(store, f"{big:>7,}", budget=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=1000, help="articles ingested through the analysis (default 1000)"
    )
    parser.add_argument(
        "--big", type=int, default=100_000, help="articles of generated rows (default 100000)"
    )
    args = parser.parse_args()
    main(args.n, args.big)
