"""Events over time on literal frames: weekly counts, the brush, the heat table, surges, map points."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.render import timeline


def _frame() -> pd.DataFrame:
    quiet = [dt.date(2024, 1, 1) + dt.timedelta(days=7 * w) for w in range(9)]
    surge = [dt.date(2024, 3, 4) + dt.timedelta(days=d) for d in range(4)]
    rows = [
        {"article_id": f"q{i}", "title": f"quiet {i}", "article_date": d, "date": d, "type": "ied",
         "governorate_pcode": "IQG13", "lat": 35.4, "lon": 44.4, "place_name": "Kirkuk", "precision": 1,
         "actors": [], "killed": None, "wounded": 1, "quote": "x", "date_source": "article"}
        for i, d in enumerate(quiet)
    ] + [
        {"article_id": f"s{i}", "title": f"<b>surge</b> {i}", "article_date": d, "date": d, "type": "ambush",
         "governorate_pcode": "IQG10", "lat": 33.75, "lon": 44.6, "place_name": "Baqubah", "precision": 1,
         "actors": ["isis"], "killed": 4, "wounded": None, "quote": "كمين", "date_source": "text"}
        for i, d in enumerate(surge)
    ] + [
        {"article_id": "u", "title": "undated", "article_date": None, "date": None, "type": "ied",
         "governorate_pcode": "IQG16", "lat": None, "lon": None, "place_name": None, "precision": None,
         "actors": [], "killed": None, "wounded": None, "quote": "", "date_source": "none"}
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_weekly_counts_leave_undated_events_out_and_say_so() -> None:
    counts = timeline.weekly(_frame())
    assert int(counts["count"].sum()) == 13
    assert counts[counts["type"] == "ambush"]["count"].tolist() == [4]
    assert timeline.undated_note(_frame()) == "1 undated event is not on the timeline"
    assert len(timeline.week_starts(_frame())) == 10  # 2024-01-01 .. 2024-03-04, empty weeks too


def test_the_brush_covers_whole_weeks_and_nothing_brushed_is_none() -> None:
    chosen = {"brush": {"week": ["2024-01-10T00:00:00", "2024-01-03T12:00:00"]}}
    assert timeline.brush_range(chosen) == (dt.date(2024, 1, 1), dt.date(2024, 1, 14))
    assert timeline.brush_range(None) is None and timeline.brush_range({"brush": {"week": []}}) is None


def test_the_heat_table_and_the_surge_list_hold_the_planted_surge() -> None:
    frame = _frame()
    trends = timeline.governorate_trends(frame)
    names = {"IQG10": "Diyala", "IQG13": "Kirkuk"}
    wide, surge = timeline.heat_table(trends, names, date_range=(dt.date(2024, 2, 26), dt.date(2024, 3, 10)))
    assert list(wide.columns) == ["2024-02-26", "2024-03-04"]
    assert wide.loc["Diyala", "2024-03-04"] == 4 and surge.loc["Diyala", "2024-03-04"]
    assert not surge.loc["Kirkuk"].any()
    rows = timeline.surge_rows(trends, frame, names)
    assert rows[["pcode", "count", "baseline"]].to_dict("records") == [
        {"pcode": "IQG10", "count": 4, "baseline": 0.0}
    ]
    assert [a[0] for a in rows.iloc[0]["articles"]] == ["s0", "s1", "s2", "s3"]
    assert timeline.surge_rows(
        trends, frame, names, date_range=(dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    ).empty


def test_map_points_are_sized_by_casualties_and_escape_the_article_text() -> None:
    points = timeline.event_points(_frame(), link="http://localhost:8501/")
    assert len(points) == 13  # the undated event has no place: not on the map
    ambush = next(p for p in points if p.type == "ambush")
    quiet = next(p for p in points if p.type == "ied")
    assert ambush.radius > quiet.radius > timeline.casualty_radius(None, None)
    assert "&lt;b&gt;surge&lt;/b&gt;" in ambush.popup and "<b>surge" not in ambush.popup
    assert "4 killed" in ambush.popup and "Actors: ISIS" in ambush.popup
    assert "?article=s0" in ambush.popup
