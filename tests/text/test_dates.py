"""Article dates (geo.text.dates): Arabic, Kurdish and English phrases, Hijri, metadata, flags, traps."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.text.dates import (
    choose_date,
    date_flag,
    date_from_html,
    date_from_text,
    dates_in_text,
    parse_date_value,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بغداد - الجمعة 3 من مايو/أيار 2024 - أعلنت القيادة", "2024-05-03"),
        ("في 3 أيار 2024 شنت القوات", "2024-05-03"),
        ("يوم ٢٧ تشرين الأول ٢٠١٩ وقع هجوم", "2019-10-27"),
        ("في ١٢ آذار ٢٠٢٢م", "2022-03-12"),
        ("يوم 1 كانون الثاني 2020", "2020-01-01"),
        ("Baghdad, Saturday 6 March 2021 - Police said", "2021-03-06"),
        ("KIRKUK, March 6, 2021 (Reuters) -", "2021-03-06"),
        ("on the 1st of June, 2020, gunmen", "2020-06-01"),
        ("Published 2021-03-06T08:00", "2021-03-06"),
        ("نشر بتاريخ 6/3/2021", "2021-03-06"),
        ("لە ١٥ی تشرینی دووەمی ٢٠٢٣ هێرش کرا", "2023-11-15"),
        ("وقع الهجوم في 15 رمضان 1442 هـ", "2021-04-27"),
        ("الخميس ١ شوال ١٤٤٤ هـ", "2023-04-21"),
    ],
)
def test_date_phrases(text: str, expected: str) -> None:
    found = date_from_text(text)
    assert found is not None, text
    assert found.date.isoformat() == expected
    assert found.source == "text"
    start, end = found.span or (0, 0)
    assert text[start:end] in found.how  # how says what was read, with offsets into the text


@pytest.mark.parametrize(
    "text",
    [
        "انتشرت الفرقة الخامسة في الموصل",  # an ordinal, not a day
        "the 2017 attacks on Kirkuk",  # a year alone
        "4 rooms were set up; 4 غرف عمليات مشتركة",  # a count
        "مساء الاحد الـ 3 من مايو/أيار الجاري",  # no year: not a full date
        "in March 2021 the army moved",  # no day
        "killed 12 and wounded 2021 people",  # numbers that look like years
        "version 5 may 20 work",  # "may" as a verb
    ],
)
def test_traps_are_no_dates(text: str) -> None:
    assert dates_in_text(text) == []


def test_every_date_in_text_order_with_hijri_noted() -> None:
    text = "في 15 رمضان 1442 هـ الموافق 27 نيسان 2021 وقع هجوم، وفي 2 May 2021 آخر."
    found = dates_in_text(text)
    assert [d.date.isoformat() for d in found] == ["2021-04-27", "2021-04-27", "2021-05-02"]
    assert "Hijri 15/9/1442 AH" in found[0].how


def test_a_wrong_weekday_is_noted_and_the_date_kept() -> None:
    found = date_from_text("Friday, 7 March 2021")  # 7 March 2021 was a Sunday
    assert found is not None and found.date == dt.date(2021, 3, 7)
    assert "does not match" in found.how


def test_impossible_days_are_no_dates() -> None:
    assert dates_in_text("31 February 2021 and 30 ذو الحجة 1600 هـ") == []


def test_metadata_values() -> None:
    assert parse_date_value("2021-03-06", source="jsonl").date == dt.date(2021, 3, 6)  # type: ignore[union-attr]
    feed = parse_date_value("Sat, 06 Mar 2021 23:30:00 -0500", source="feed")
    assert feed is not None and feed.date == dt.date(2021, 3, 6)  # the day where it was written
    assert parse_date_value("السبت 6 آذار 2021", source="jsonl").date == dt.date(2021, 3, 6)  # type: ignore[union-attr]
    assert parse_date_value(dt.date(2020, 1, 2), source="feed").date == dt.date(2020, 1, 2)  # type: ignore[union-attr]
    for bad in ("soon", "", "2021-13-40", "the article of 6 March 2021 about something long"):
        assert parse_date_value(bad, source="jsonl") is None, bad


def test_html_metadata_date() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2021-03-06T10:00:00Z">'
        "</head><body><p>An attack in Kirkuk.</p></body></html>"
    )
    found = date_from_html(html)
    assert found is not None and found.date == dt.date(2021, 3, 6) and found.source == "html-meta"
    assert date_from_html("<html><body><p>No date here.</p></body></html>") is None


def test_flags_future_and_before_1900() -> None:
    today = dt.date(2024, 6, 1)
    assert date_flag(dt.date(2024, 6, 2), today=today) == "future"
    assert date_flag(dt.date(1899, 12, 31), today=today) == "before-1900"
    assert date_flag(dt.date(1900, 1, 1), today=today) is None
    chosen = choose_date("Baghdad, 6 March 2031 - a typo", today=today)
    assert (chosen.date, chosen.source, chosen.flag) == (
        dt.date(2031, 3, 6),
        "text",
        "future",
    )  # kept, flagged


def test_choose_date_prefers_metadata_and_flags_a_conflicting_dateline() -> None:
    meta = parse_date_value("2021-05-01", source="jsonl")
    conflict = choose_date("Baghdad, 6 March 2021 - police said", meta)
    assert (conflict.date, conflict.source, conflict.flag) == (dt.date(2021, 5, 1), "jsonl", "conflict")
    assert "2021-03-06" in conflict.how
    agree = choose_date("Baghdad, 1 May 2021 - police said", meta)
    assert agree.flag is None
    later = choose_date("x" * 400 + " recalled the attack of 6 March 2017", meta)  # not the dateline
    assert later.flag is None
    none = choose_date("نص بلا تاريخ")
    assert (none.date, none.source, none.flag) == (None, "none", None)
