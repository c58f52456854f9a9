"""Events in the workspace store: written with the article, re-written on re-analysis, corrections
and a new date, migrated into a version 3 store, queried (Store.events) and counted (Store.trends)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from geo.errors import ParameterError, StoreError
from geo.pipeline import Settings, analyze
from geo.store import Filters, Store, article_id, search_gazetteer
from geo.store.connection import STORE_FILE, connect
from geo.store.records import mention_rows, place_rows
from geo.store.schema import SCHEMA_VERSION, current_version, folded_text, migrate
from geo.store.timeline import EVENT_FRAME_COLUMNS
from geo.text.dates import choose_date, parse_date_value
from geo.text.normalize import fold

EN = (
    "Baghdad, Saturday 6 March 2021 - Gunmen killed three soldiers and wounded 5 in an attack on a "
    "checkpoint in Tuz Khurmatu. An IED exploded in Kirkuk yesterday, killing two civilians."
)
AR = (
    "بغداد - الجمعة 3 من مايو/أيار 2024\n"
    "قتل ثلاثة جنود وأصيب خمسة آخرون بهجوم لداعش على قرية في قضاء مخمور مساء الاحد."
)
UNDATED = "Mosul - A drone strike hit a PKK position in Sinjar, killing four fighters."


def add(store: Store, text: str, source: str, meta: str | None = None) -> str:
    key = article_id(text)
    date = choose_date(text, parse_date_value(meta, source="jsonl") if meta else None)
    assert store.add_article(key, analyze(text, source=source), title=source, date=date, settings=Settings())
    return key


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s") as s:
        yield s


def by_type(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {row["type"]: row for row in frame.to_dict("records")}


def test_english_and_arabic_events_are_stored_with_type_place_date_and_casualties(store: Store) -> None:
    en, ar = add(store, EN, "en.txt"), add(store, AR, "ar.txt")
    frame = store.events()
    assert list(frame.columns) == list(EVENT_FRAME_COLUMNS)
    got = {(r["article_id"], r["type"]): r for r in frame.to_dict("records")}
    ied = got[(en, "ied")]
    assert (ied["place_name"], ied["governorate_pcode"], ied["killed"]) == ("Kirkuk", "IQG13", 2)
    assert ied["date"] == pd.Timestamp("2021-03-05") and ied["date_source"] == "relative"  # "yesterday"
    assert ied["article_date"] == pd.Timestamp("2021-03-06") and ied["governorate_name"] == "Kirkuk"
    assault = got[(en, "armed_assault")]
    assert (assault["place_pcode"], assault["killed"], assault["wounded"]) == ("IQG16Q07", 3, 5)
    arabic = got[(ar, "armed_assault")]
    assert arabic["actors"] == ["isis"] and (arabic["killed"], arabic["wounded"]) == (3, 5)
    assert arabic["district_pcode"] == "IQG11Q04" and arabic["precision"] == 2
    assert arabic["date"] == pd.Timestamp("2024-04-28")  # مساء الاحد: the Sunday before Friday 3 May
    for row in frame.to_dict("records"):
        text = EN if row["article_id"] == en else AR
        assert row["quote"] == text[row["sentence_start"] : row["sentence_end"]]
    assert str(frame["date"].dtype).startswith("datetime64") and frame["killed"].dtype == "Int64"


def test_the_stored_analysis_returns_its_events(store: Store) -> None:
    key = add(store, AR, "ar.txt")
    back = store.analysis(key)
    fresh = analyze(AR, source="ar.txt")
    assert [e.to_dict() for e in back.events] == [e.to_dict() for e in fresh.events]
    assert back.events and all(
        back.text[e.trigger.start : e.trigger.end] == e.trigger.text for e in back.events
    )
    assert store.counts()["events"] == len(fresh.events)


def test_undated_events_are_kept_apart_and_left_out_of_trends(store: Store) -> None:
    add(store, EN, "en.txt")
    key = add(store, UNDATED, "undated.txt")
    assert store.article(key)["published"] is None
    frame = store.events()
    undated = frame[frame["article_id"] == key]
    assert len(undated) == 1 and undated["date"].isna().all() and undated["date_source"].iloc[0] == "none"
    assert frame["date"].isna().to_list()[-1]  # undated last
    assert key not in set(store.events(include_undated=False)["article_id"])
    # a date range cannot exclude what has no date: kept unless asked otherwise
    ranged = store.events(Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 3, 31)))
    assert key in set(ranged["article_id"])
    trends = store.trends()
    assert trends.undated == 1 and "1 undated event left out of the counts" in trends.notes
    assert int(trends.counts["count"].sum()) == 2


def test_the_date_range_applies_to_the_event_date(store: Store) -> None:
    add(store, EN, "en.txt")
    day = dt.date(2021, 3, 5)
    frame = store.events(Filters(date_from=day, date_to=day), include_undated=False)
    assert list(frame["type"]) == ["ied"]  # the article is dated the 6th, its IED the 5th
    assert list(store.events(types=["armed_assault"])["type"]) == ["armed_assault"]
    with pytest.raises(ParameterError, match="unknown event type 'bomb'.*ied"):
        store.events(types=["bomb"])
    with pytest.raises(ParameterError, match="unknown event type"):
        store.trends(types=["bomb"])


def test_a_metadata_date_dates_the_events_and_a_conflict_is_kept_flagged(store: Store) -> None:
    text = "Gunmen killed two shepherds yesterday in Tuz Khurmatu."
    key = add(store, text, "feed.xml", meta="2021-05-08")
    row = by_type(store.events())["armed_assault"]
    assert row["date"] == pd.Timestamp("2021-05-07") and row["date_source"] == "relative"
    clash = "Baghdad, 6 March 2021 - An IED exploded in Kirkuk, killing two people."
    other = add(store, clash, "clash.jsonl", meta="2021-05-01")
    assert store.article(other)["date_flag"] == "conflict"
    events = store.events(Filters(ids=(other,)))
    assert len(events) == 1 and events["date"].notna().all()
    assert key != other


def test_a_new_date_moves_the_relative_event_dates(store: Store) -> None:
    text = "Gunmen killed two shepherds yesterday in Tuz Khurmatu."
    key = add(store, text, "feed.xml", meta="2021-05-08")
    store.set_date(key, "2021-06-10", who="amira")
    assert by_type(store.events())["armed_assault"]["date"] == pd.Timestamp("2021-06-09")
    store.set_date(key, None, who="amira")
    assert store.events()["date"].isna().all()


def test_reanalysis_replaces_the_events(store: Store) -> None:
    key = add(store, EN, "en.txt")
    want = store.events()
    store.con.execute("DELETE FROM events WHERE article_id = ?", [key])
    store.con.execute(
        "INSERT INTO events (article_id, event_id, type, family, sentence_start, sentence_end, "
        "trigger_start, trigger_end) VALUES (?, 'stale', 'ambush', 'attack', 0, 5, 0, 5)",
        [key],
    )
    store.reanalyse(key)
    again = store.events()
    assert list(again["event_id"]) == list(want["event_id"]) and "stale" not in set(again["event_id"])
    assert store.counts()["events"] == len(want)


def test_a_corrected_place_re_derives_the_events_of_the_article(store: Store) -> None:
    key = add(store, EN, "en.txt")
    kirkuk = next(p for p in store.analysis(key).places if p.name == "Kirkuk")
    mosul = next(c for c in search_gazetteer("Mosul") if c.kind in ("city", "town"))
    store.re_resolve(key, kirkuk.id, mosul.id, who="amira")
    ied = by_type(store.events())["ied"]
    assert ied["place_name"] == mosul.name and ied["governorate_pcode"] == "IQG15"
    assert ied["killed"] == 2 and ied["date"] == pd.Timestamp("2021-03-05")
    store.reanalyse(key)  # the correction is replayed: the event stays in Mosul
    assert by_type(store.events())["ied"]["place_name"] == mosul.name
    store.drop_place(key, mosul.id, who="amira")
    assert by_type(store.events())["ied"]["place_name"] != mosul.name


def _v3_store(folder: Path, texts: dict[str, str]) -> Path:
    """A store written as version 3 wrote it: the v1-v3 migrations, then articles, mentions and places."""
    folder.mkdir()
    path = folder / STORE_FILE
    con = connect(path, read_only=False)
    try:
        assert migrate(con, path, target=3) == 3
        for source, text in texts.items():
            analysis = analyze(text, source=source)
            date = choose_date(text)
            con.execute(
                "INSERT INTO articles (id, source, title, published, date_source, language, text, text_folded, "
                "ingested_at, analysed_with, settings, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, "
                "'zone-atlas v3', ?, '[]')",
                [
                    article_id(text),
                    source,
                    source,
                    date.date,
                    date.source,
                    analysis.lang,
                    text,
                    folded_text(text, fold),
                    json.dumps({"belt_km": 20.0, "belt_side": "federal", "min_confidence": 0.0}),
                ],
            )
            for row in mention_rows(article_id(text), analysis.places):
                con.execute("INSERT INTO mentions VALUES (" + ", ".join(["?"] * 11) + ")", list(row))
            for row in place_rows(article_id(text), analysis.places):
                con.execute(
                    "INSERT INTO places VALUES (" + ", ".join(["?"] * 16) + ", ST_Point2D(?, ?))", list(row)
                )
    finally:
        con.close()
    return path


def test_a_version_3_store_keeps_its_data_and_gets_its_events(tmp_path: Path) -> None:
    path = _v3_store(tmp_path / "old", {"en.txt": EN, "ar.txt": AR})
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        places_before = con.execute("SELECT count(*) FROM places").fetchone()
    finally:
        con.close()
    assert "events" not in tables
    with pytest.raises(StoreError, match="schema version 3.*open it once for writing"):
        Store(path.parent, read_only=True)
    with Store(path.parent) as store:
        assert current_version(store.con) == SCHEMA_VERSION == 4
        counts = store.counts()
        assert counts["articles"] == 2 and (counts["places"],) == places_before
        assert store.article(article_id(EN))["analysed_with"] == "zone-atlas v3"
        frame = store.events()
    fresh = [e for t in (EN, AR) for e in analyze(t).events]
    assert sorted(frame["event_id"]) == sorted(e.id for e in fresh)
    assert by_type(frame[frame["article_id"] == article_id(EN)])["ied"]["killed"] == 2


def test_trends_flag_a_planted_surge(store: Store) -> None:
    monday = dt.date(2021, 1, 4)
    for week in range(10):
        add(
            store,
            f"An IED exploded in Kirkuk, killing two people (report {week}).",
            f"w{week}",
            meta=str(monday + dt.timedelta(weeks=week)),
        )
    surge_day = monday + dt.timedelta(weeks=10)
    for n in range(4):
        add(store, f"An IED exploded in Kirkuk, killing {n + 3} people.", f"s{n}", meta=str(surge_day))
    add(store, "An IED exploded in Basra, killing two people.", "basra", meta=str(surge_day))
    trends = store.trends(by="governorate", every="week", types=["ied"])
    surges = trends.surges()
    assert surges[["unit", "type", "count"]].to_dict("records") == [
        {"unit": "IQG13", "type": "ied", "count": 4}
    ]
    assert surges["start"].iloc[0] == surge_day
    month = store.trends(by="district", every="month")
    assert set(month.counts["unit"]) >= {"IQG13Q04"} and not month.counts["surge"].any()
    with pytest.raises(ParameterError, match="governorate or district"):
        store.trends(by="village")
