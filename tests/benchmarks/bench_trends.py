"""Time of trend counting and surge flags at 100,000 events (budget: 2 s). Prints the figures.

Run: .venv/bin/python tests/benchmarks/bench_trends.py
"""

from __future__ import annotations

import sys
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


def main() -> None:
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


if __name__ == "__main__":
    main()
