"""Trends: event counts per unit (governorate or district) and period, by type, with surge flags.

The surge rule
--------------
For each unit (and type, when counted by type) the counts form a series over every period from the
first to the last period of the data; a period with no event counts zero. A period is a **surge**
when

* its count exceeds ``mean + 2 * sd`` of the :data:`TRAILING` (8) periods before it (sample
  standard deviation; the current period is not part of its own baseline), and
* its count is at least :data:`MIN_EVENTS` (3).

A period with fewer than 8 periods before it has no baseline and is never a surge. Undated events
(no date, or one that cannot be read) are left out and counted in a note, and so are events
without the unit's P-code.

Examples
--------
>>> import pandas as pd
>>> days = pd.date_range("2021-01-04", periods=10, freq="W-MON")
>>> frame = pd.DataFrame({"date": list(days) + [days[-1]] * 4, "governorate_pcode": "IQG13",
...                       "district_pcode": None, "type": "ied"})
>>> t = event_trends(frame, period="week")
>>> t.surges()[["unit", "period", "count"]].to_dict("records")
[{'unit': 'IQG13', 'period': '2021-03-08/2021-03-14', 'count': 5}]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.errors import ParameterError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from geo.model import Event

__all__ = ["MIN_EVENTS", "PERIODS", "TRAILING", "Trends", "event_trends", "events_frame"]

log = logging.getLogger(__name__)

#: Periods in the baseline of the surge rule.
TRAILING = 8
#: Fewest events a surge period holds.
MIN_EVENTS = 3
#: Period names and their pandas period codes.
PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}
_UNITS = {"governorate": "governorate_pcode", "district": "district_pcode"}


@dataclass
class Trends:
    """Counts per ``unit``, ``type`` (``"all"`` when not by type) and ``period``, with the baseline.

    ``counts`` has the columns ``unit, type, period, start, count, baseline_mean, baseline_sd,
    threshold, surge``; ``notes`` say what was left out.
    """

    counts: pd.DataFrame
    unit: str
    period: str
    notes: list[str] = field(default_factory=list)
    undated: int = 0

    def surges(self) -> pd.DataFrame:
        """The rows flagged as surges."""
        return self.counts[self.counts["surge"]].reset_index(drop=True)


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """One row per event (the columns of :meth:`geo.model.Event.to_dict`, spans left out)."""
    import pandas as pd

    rows = [{k: v for k, v in e.to_dict().items() if not isinstance(v, (dict, list))} for e in events]
    frame = pd.DataFrame(rows)
    if not len(frame):
        frame = pd.DataFrame(columns=["date", "governorate_pcode", "district_pcode", "type"])
    return frame


def event_trends(
    frame: pd.DataFrame,
    *,
    unit: str = "governorate",
    period: str = "week",
    by_type: bool = True,
) -> Trends:
    """Counts of the events in ``frame`` per unit and period, with the surge flag (module docstring).

    Parameters
    ----------
    frame
        One row per event with the columns ``date``, ``governorate_pcode``, ``district_pcode`` and
        ``type`` (others are ignored).
    unit
        ``"governorate"`` or ``"district"``.
    period
        ``"day"``, ``"week"`` (Monday to Sunday) or ``"month"``.
    by_type
        Count each type apart (default), or all events together (type ``"all"``).

    Raises
    ------
    ParameterError
        For an unknown ``unit`` or ``period``, or a frame without the needed columns.
    """
    import numpy as np
    import pandas as pd

    if unit not in _UNITS:
        raise ParameterError(f"unit must be one of {', '.join(_UNITS)}, got {unit!r}")
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    column = _UNITS[unit]
    missing = [c for c in ("date", column, "type") if c not in frame.columns]
    if missing:
        msg = f"the events frame needs the columns date, {column} and type; missing: {', '.join(missing)}"
        raise ParameterError(msg)
    notes: list[str] = []
    dates = pd.to_datetime(frame["date"], errors="coerce")
    undated = int(dates.isna().sum())
    if undated:
        notes.append(f"{undated} undated event{'s' if undated != 1 else ''} left out of the counts")
    units = frame[column]
    no_unit = int((units.isna() & dates.notna()).sum())
    if no_unit:
        notes.append(f"{no_unit} dated event{'s' if no_unit != 1 else ''} without a {unit} P-code left out")
    keep = dates.notna() & units.notna()
    periods = dates[keep].dt.to_period(PERIODS[period]).array.asi8
    kinds = frame.loc[keep, "type"].astype(str).to_numpy() if by_type else np.full(int(keep.sum()), "all")
    data = pd.DataFrame({"unit": units[keep].astype(str).to_numpy(), "type": kinds})
    columns = [
        "unit",
        "type",
        "period",
        "start",
        "count",
        "baseline_mean",
        "baseline_sd",
        "threshold",
        "surge",
    ]
    if not len(data):
        return Trends(pd.DataFrame(columns=columns), unit, period, notes, undated)
    # one matrix, periods x series, built with codes (no per-row Python objects); the trailing
    # window by cumulative sums, so the time is that of a few array passes
    codes = np.asarray(periods, dtype=np.int64)
    first, last = int(codes.min()), int(codes.max())
    series = pd.MultiIndex.from_arrays([data["unit"], data["type"]]).factorize()
    series_codes, series_index = series[0], series[1]
    n_t, n_s = last - first + 1, len(series_index)
    wide = np.zeros((n_t, n_s), dtype=np.int64)
    np.add.at(wide, (codes - first, series_codes), 1)
    mean, sd = _trailing(wide, TRAILING)
    threshold = mean + 2 * sd
    surge = (wide > threshold + 1e-9) & (wide >= MIN_EVENTS) & ~np.isnan(threshold)  # ties are no surge
    labels = pd.period_range(
        pd.Period(ordinal=first, freq=PERIODS[period]), periods=n_t, freq=PERIODS[period]
    )
    units_of = np.asarray(series_index.get_level_values(0), dtype=object)
    types_of = np.asarray(series_index.get_level_values(1), dtype=object)
    long = pd.DataFrame(
        {
            "unit": np.repeat(units_of, n_t),
            "type": np.repeat(types_of, n_t),
            "period": np.tile(labels.astype(str).to_numpy(dtype=object), n_s),
            "start": np.tile(np.asarray(labels.start_time.date, dtype=object), n_s),
            "count": wide.T.ravel(),
            "baseline_mean": mean.T.ravel(),
            "baseline_sd": sd.T.ravel(),
            "threshold": threshold.T.ravel(),
            "surge": surge.T.ravel(),
        }
    )
    order = np.lexsort(
        (np.tile(np.arange(n_t), n_s), long["type"].to_numpy(dtype=str), long["unit"].to_numpy(dtype=str))
    )
    long = long.iloc[order].reset_index(drop=True)[columns]
    n = int(long["surge"].sum())
    log.debug("%d rows, %d surges (%s, %s)", len(long), n, unit, period)
    return Trends(long, unit, period, notes, undated)


def _trailing(wide: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample sd of the ``window`` rows before each row (NaN where fewer precede it)."""
    import numpy as np

    x = wide.astype(np.float64)
    zero = np.zeros((1, x.shape[1]))
    c1 = np.vstack([zero, np.cumsum(x, axis=0)])
    c2 = np.vstack([zero, np.cumsum(x * x, axis=0)])
    mean = np.full_like(x, np.nan)
    sd = np.full_like(x, np.nan)
    if len(x) > window:
        s1 = c1[window:-1] - c1[: -window - 1]
        s2 = c2[window:-1] - c2[: -window - 1]
        mean[window:] = s1 / window
        var = np.maximum((s2 - s1 * s1 / window) / (window - 1), 0.0)
        sd[window:] = np.sqrt(var)
    return mean, sd
