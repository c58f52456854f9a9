"""Time of trend counting and surge flags at 100,000 events (budget: 2 s). Prints the figures.

Two parts: :func:`geo.events.trends.event_trends` on a frame of 100,000 events, and the store's
queries on a store holding 100,000 events (20,000 synthetic articles of 5 events each, written
with SQL into a fresh store): ``Store.trends`` (counted in DuckDB, then the surge rule) and
``Store.events`` (every row, with its quote and unit names).

Run: .venv/bin/python tests/benchmarks/bench_trends.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geo.events.kinds import EVENT_TYPES  # noqa: E402
from geo.events.trends import event_trends  # noqa: E402

N = 100_000
BUDGET_S = 2.0


def synthetic(n: int, *, seed: int = 7) -> pd.DataFrame:
    """``n`` events over 3 years, 18 governorates and 120 districts, every type, 2% undated."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    gov = rng.integers(1, 19, n)
    dates = pd.Series(days.astype("datetime64[ns]"))
    dates[rng.random(n) < 0.02] = pd.NaT
    return pd.DataFrame(
        {
            "date": dates,
            "governorate_pcode": [f"IQG{g:02d}" for g in gov],
            "district_pcode": [
                f"IQG{g:02d}Q{d:02d}" for g, d in zip(gov, rng.integers(1, 8, n), strict=True)
            ],
            "type": rng.choice(EVENT_TYPES, n),
        }
    )


def fill_store(folder: Path, frame: pd.DataFrame, *, per_article: int = 5) -> Path:
    """A store in ``folder`` holding the events of ``frame``, ``per_article`` per synthetic article
    (the article dated with its first event; an undated event keeps no date)."""
    import datetime as dt

    from geo.store import Store

    n = len(frame)
    articles = pd.DataFrame({"id": [f"a{i:06d}" for i in range(0, n, per_article)]})
    first = frame["date"].iloc[::per_article].reset_index(drop=True)
    articles["published"] = first.dt.date.astype(object).where(first.notna(), None)
    text = "An IED exploded near the market, killing two people. " * 6
    ev = frame.copy()
    ev["article_id"] = [f"a{i - i % per_article:06d}" for i in range(n)]
    ev["event_id"] = [f"{t}:{i}" for i, t in enumerate(ev["type"])]
    ev["day"] = ev["date"].dt.date.astype(object).where(ev["date"].notna(), None)
    with Store(folder) as store:
        con = store.con
        con.register("bench_a", articles)
        con.register("bench_e", ev)
        now = dt.datetime(2026, 1, 1)
        con.execute(
            "INSERT INTO articles (id, source, title, published, date_source, language, text, text_folded, "
            "ingested_at, analysed_with) SELECT id, id || '.txt', id, published::DATE, 'text', 'en', ?, ?, ?, "
            "'bench' FROM bench_a",
            [text, text.lower(), now],
        )
        con.execute(
            "INSERT INTO events (article_id, event_id, type, family, date, date_source, place_name, "
            "governorate_pcode, district_pcode, lat, lon, precision, actors, killed, sentence_start, "
            "sentence_end, trigger_start, trigger_end, trigger_text, historical, confidence, reason) "
            "SELECT article_id, event_id, type, 'attack', day::DATE, CASE WHEN day IS NULL THEN 'none' "
            "ELSE 'text' END, district_pcode, governorate_pcode, district_pcode, 33.3, 44.4, 2, ['isis'], 2, "
            "0, 53, 3, 6, 'IED', false, 0.8, 'bench' FROM bench_e"
        )
    return folder


def bench_store(frame: pd.DataFrame, runs: int) -> None:
    from geo.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folder = fill_store(Path(tmp) / "store", frame)
        print(f"store with {len(frame):,} events written in {time.perf_counter() - start:.1f} s")
        with Store(folder, read_only=True) as store:
            cases = {
                "Store.trends governorate/week": lambda: store.trends(by="governorate", every="week"),
                "Store.trends district/day": lambda: store.trends(by="district", every="day"),
                "Store.events (all rows)": lambda: store.events(),
            }
            for name, call in cases.items():
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    got = call()
                    times.append(time.perf_counter() - start)
                best = min(times)
                verdict = "ok" if best <= BUDGET_S else "OVER BUDGET"
                rows = len(got.counts) if hasattr(got, "counts") else len(got)
                notes = "; ".join(getattr(got, "notes", []))
                print(
                    f"{name}: best of {runs} {best:.2f} s, worst {max(times):.2f} s "
                    f"(budget {BUDGET_S:.0f} s, {verdict}); {rows:,} rows{'; ' + notes if notes else ''}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each store query (default 3)")
    args = parser.parse_args()
    frame = synthetic(N)
    for unit, period in (
        ("governorate", "week"),
        ("district", "week"),
        ("governorate", "day"),
        ("district", "month"),
    ):
        start = time.perf_counter()
        trends = event_trends(frame, unit=unit, period=period)
        took = time.perf_counter() - start
        verdict = "ok" if took <= BUDGET_S else "OVER BUDGET"
        print(
            f"{N:,} events, {unit}/{period}: {took:.2f} s (budget {BUDGET_S:.0f} s, {verdict}); "
            f"{len(trends.counts):,} rows, {int(trends.counts['surge'].sum())} surges; "
            f"{'; '.join(trends.notes)}"
        )
    bench_store(frame, args.runs)


if __name__ == "__main__":
    main()
