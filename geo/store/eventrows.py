"""An article's events as rows of the ``events`` table, and back.

:func:`event_rows` turns :class:`~geo.model.Event` objects into rows, :func:`insert_events` writes
them (inside the caller's transaction) and :func:`load_events` rebuilds the events of one article
(spans re-cut from the article text). :func:`derive_events` extracts the events again from an
article's text and its places as stored (after a correction changed the places, or when the
article's date in the store is not the one the analysis assumed); :func:`stored_events` does it
for an article already in the ``articles`` table, with its stored date.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from geo.model import Event, Span

if TYPE_CHECKING:
    import duckdb

    from geo.model import Analysis, Place

log = logging.getLogger(__name__)

#: The columns of ``events`` written by :func:`insert_events`, in row order.
EVENT_COLUMNS = (
    "article_id",
    "event_id",
    "type",
    "family",
    "date",
    "date_source",
    "date_start",
    "date_end",
    "date_text",
    "place_id",
    "place_name",
    "place_kind",
    "place_pcode",
    "governorate_pcode",
    "district_pcode",
    "lat",
    "lon",
    "precision",
    "actors",
    "actor_spans",
    "killed",
    "wounded",
    "casualty_spans",
    "sentence_start",
    "sentence_end",
    "trigger_start",
    "trigger_end",
    "trigger_text",
    "historical",
    "confidence",
    "reason",
)
_ROW = "(" + ", ".join("?::VARCHAR[]" if c == "actors" else "?" for c in EVENT_COLUMNS) + ")"
_BATCH = 200


def _day(value: str | None) -> dt.date | None:
    """The event's ISO date as a date; ``None`` for none or one that cannot be read (kept undated)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        log.info("event date %r is not an ISO date; stored as undated", value)
        return None


def _spans(spans: Sequence[Span]) -> str:
    return json.dumps([[s.start, s.end] for s in spans])


def event_rows(article: str, events: Sequence[Event]) -> list[tuple[Any, ...]]:
    """One row per event (the order of :data:`EVENT_COLUMNS`)."""
    rows = []
    for e in events:
        phrase = e.date_phrase
        rows.append(
            (
                article,
                e.id,
                e.type,
                e.family,
                _day(e.date),
                e.date_source,
                phrase.start if phrase else None,
                phrase.end if phrase else None,
                phrase.text if phrase else None,
                e.place_id,
                e.place_name,
                e.place_kind,
                e.place_pcode,
                e.governorate_pcode,
                e.district_pcode,
                None if e.lat is None else float(e.lat),
                None if e.lon is None else float(e.lon),
                e.precision,
                [str(a) for a in e.actors],
                _spans(e.actor_spans),
                e.killed,
                e.wounded,
                _spans(e.casualty_spans),
                e.sentence.start,
                e.sentence.end,
                e.trigger.start,
                e.trigger.end,
                e.trigger.text,
                bool(e.historical),
                float(e.confidence),
                e.reason,
            )
        )
    return rows


def insert_events(con: duckdb.DuckDBPyConnection, article: str, events: Sequence[Event]) -> None:
    """Insert the events of ``article`` (inside the caller's transaction)."""
    insert_many_events(con, [(article, events)])


def insert_many_events(con: duckdb.DuckDBPyConnection, batch: Sequence[tuple[str, Sequence[Event]]]) -> None:
    """Insert the events of many articles, ``(article, events)`` each, in few statements."""
    rows = [row for article, events in batch for row in event_rows(article, events)]
    head = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
    for i in range(0, len(rows), _BATCH):
        part = rows[i : i + _BATCH]
        con.execute(head + ", ".join([_ROW] * len(part)), [v for row in part for v in row])


def load_events(con: duckdb.DuckDBPyConnection, article: str, text: str) -> list[Event]:
    """The events of ``article`` (whose text is ``text``) as stored, in text order."""
    cut = lambda a, b: Span(a, b, text[a:b])  # noqa: E731
    events = []
    cur = con.execute(
        f"SELECT {', '.join(EVENT_COLUMNS[1:])} FROM events WHERE article_id = ? "
        "ORDER BY sentence_start, rowid",
        [article],
    )
    names = [d[0] for d in cur.description or []]
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        events.append(
            Event(
                id=r["event_id"],
                type=r["type"],
                family=r["family"],
                sentence=cut(r["sentence_start"], r["sentence_end"]),
                trigger=Span(r["trigger_start"], r["trigger_end"], r["trigger_text"] or ""),
                date=r["date"].isoformat() if r["date"] else None,
                date_source=r["date_source"],
                date_phrase=Span(r["date_start"], r["date_end"], r["date_text"] or "")
                if r["date_start"] is not None
                else None,
                place_id=r["place_id"],
                place_name=r["place_name"],
                place_kind=r["place_kind"],
                place_pcode=r["place_pcode"],
                governorate_pcode=r["governorate_pcode"],
                district_pcode=r["district_pcode"],
                lat=r["lat"],
                lon=r["lon"],
                precision=r["precision"],
                actors=list(r["actors"] or []),
                actor_spans=[cut(a, b) for a, b in json.loads(r["actor_spans"] or "[]")],
                killed=r["killed"],
                wounded=r["wounded"],
                casualty_spans=[cut(a, b) for a, b in json.loads(r["casualty_spans"] or "[]")],
                historical=bool(r["historical"]),
                confidence=float(r["confidence"]),
                reason=r["reason"] or "",
            )
        )
    return events


def derive_events(
    text: str, places: Sequence[Place], *, article_date: dt.date | None, lang: str = "und"
) -> list[Event]:
    """The events of ``text`` with ``places`` (:func:`geo.events.extract.extract_events`), dated
    against ``article_date`` (``None``: the date the text itself gives, if any)."""
    from geo.events.extract import extract_events
    from geo.model import Analysis

    analysis = Analysis(source="store", text=text, lang=lang, places=list(places))
    return extract_events(analysis, article_date=article_date)


def stored_events(con: duckdb.DuckDBPyConnection, article: str, places: Sequence[Place]) -> list[Event]:
    """The events of the stored ``article`` derived from ``places`` and its stored text and date."""
    row = con.execute("SELECT text, published, language FROM articles WHERE id = ?", [article]).fetchone()
    if row is None:
        return []
    text, published, lang = row
    return derive_events(text, places, article_date=published, lang=lang or "und")


def events_dated(analysis: Analysis, date: dt.date | None) -> list[Event] | None:
    """``analysis.events`` when they were dated against ``date`` (the pipeline dates them by the
    text's own date, :func:`geo.text.dates.choose_date`), or when there are none (a date changes
    when an incident happened, not whether the text reports one); else ``None``, so that the store
    extracts them again against its date of the article."""
    from geo.text.dates import choose_date

    if not analysis.events or choose_date(analysis.text).date == date:
        return analysis.events
    return None
