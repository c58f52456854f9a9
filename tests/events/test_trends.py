"""Trend counts per unit and period, and the surge rule, on a synthetic corpus with a planted surge."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.errors import ParameterError
from geo.events.trends import MIN_EVENTS, TRAILING, event_trends, events_frame
from geo.model import Event, Span

MONDAY = dt.date(2021, 1, 4)


def corpus(weekly: dict[str, list[int]], *, kind: str = "ied") -> pd.DataFrame:
    """Events per governorate: ``weekly[gov][w]`` events on the Wednesday of week ``w``."""
    rows = []
    for gov, counts in weekly.items():
        for w, n in enumerate(counts):
            day = MONDAY + dt.timedelta(weeks=w, days=2)
            rows += [
                {
                    "date": day.isoformat(),
                    "governorate_pcode": gov,
                    "district_pcode": f"{gov}Q01",
                    "type": kind,
                }
            ] * n
    return pd.DataFrame(rows)


def test_a_planted_surge_is_flagged_and_nothing_else() -> None:
    steady = [1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1]
    frame = corpus({"IQG10": steady + [9, 1], "IQG13": [2] * 14})
    trends = event_trends(frame, period="week")
    surges = trends.surges()
    assert surges[["unit", "type", "start", "count"]].to_dict("records") == [
        {"unit": "IQG10", "type": "ied", "start": MONDAY + dt.timedelta(weeks=12), "count": 9}
    ]
    row = surges.iloc[0]
    assert row["count"] > row["baseline_mean"] + 2 * row["baseline_sd"] == row["threshold"]
    assert trends.notes == [] and trends.undated == 0


def test_weeks_without_events_count_zero_and_sit_in_the_baseline() -> None:
    frame = corpus({"IQG10": [1, 0, 0, 1, 0, 0, 1, 0, 0, 4]})
    counts = event_trends(frame, period="week").counts
    assert counts["count"].tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 0, 4]
    assert counts["surge"].tolist() == [False] * 9 + [True]  # weeks 1-8: mean 0.25, sd 0.46; 4 >= 3
    assert counts["baseline_mean"].iloc[9] == pytest.approx(2 / 8)


def test_a_surge_needs_at_least_three_events_and_a_full_baseline() -> None:
    assert MIN_EVENTS == 3 and TRAILING == 8
    small = corpus({"IQG10": [0] * 8 + [2]})
    assert not event_trends(small).counts["surge"].any()  # 2 events: under the minimum
    early = corpus({"IQG10": [0] * 7 + [5]})
    counts = event_trends(early).counts
    assert not counts["surge"].any() and counts["threshold"].isna().all()  # 7 weeks before: no baseline


def test_undated_events_are_left_out_and_said_so() -> None:
    frame = corpus({"IQG10": [1] * 3})
    frame.loc[len(frame)] = {
        "date": None,
        "governorate_pcode": "IQG10",
        "district_pcode": None,
        "type": "ied",
    }
    frame.loc[len(frame)] = {
        "date": "soon",
        "governorate_pcode": "IQG10",
        "district_pcode": None,
        "type": "ied",
    }
    frame.loc[len(frame)] = {
        "date": "2021-01-05",
        "governorate_pcode": None,
        "district_pcode": None,
        "type": "ied",
    }
    trends = event_trends(frame)
    assert trends.undated == 2
    assert trends.notes == [
        "2 undated events left out of the counts",
        "1 dated event without a governorate P-code left out",
    ]
    assert trends.counts["count"].sum() == 3


def test_counts_by_type_by_district_per_day_and_month() -> None:
    frame = pd.concat([corpus({"IQG10": [2, 1]}, kind="ied"), corpus({"IQG10": [1, 0]}, kind="ambush")])
    by_type = event_trends(frame, period="month").counts
    assert dict(zip(by_type["type"], by_type["count"], strict=True)) == {"ambush": 1, "ied": 3}
    total = event_trends(frame, period="month", by_type=False).counts
    assert total[["unit", "type", "period", "count"]].to_dict("records") == [
        {"unit": "IQG10", "type": "all", "period": "2021-01", "count": 4}
    ]
    days = event_trends(frame, unit="district", period="day", by_type=False).counts
    assert set(days["unit"]) == {"IQG10Q01"} and len(days) == 8 and days["count"].sum() == 4


def test_bad_options_and_frames_are_refused() -> None:
    frame = corpus({"IQG10": [1]})
    with pytest.raises(ParameterError, match="unit must be one of governorate, district, got 'province'"):
        event_trends(frame, unit="province")
    with pytest.raises(ParameterError, match="period must be one of day, week, month, got 'year'"):
        event_trends(frame, period="year")
    with pytest.raises(ParameterError, match="missing: type"):
        event_trends(frame.drop(columns="type"))
    empty = event_trends(frame.iloc[0:0])
    assert empty.counts.empty and empty.notes == []


def test_a_frame_from_extracted_events() -> None:
    def event(day: str | None) -> Event:
        return Event(
            "e", "ied", "attack", Span(0, 1, "x"), Span(0, 1, "x"), date=day, governorate_pcode="IQG13"
        )

    frame = events_frame([event("2021-05-03"), event("2021-05-04"), event(None)])
    assert {"date", "governorate_pcode", "district_pcode", "type", "killed"} <= set(frame.columns)
    trends = event_trends(frame, period="week")
    assert trends.counts["count"].tolist() == [2] and trends.undated == 1
    assert events_frame([]).columns.tolist() == ["date", "governorate_pcode", "district_pcode", "type"]
