"""Events of the corpus over time: the events table joined to its articles, and trends per unit and period.

:func:`events_frame` gives one row per event of the matching articles with its article, place,
casualties and quote (the sentence, cut from the article text in the database). An event's
**date** is its own (``date_source`` text or relative) or, when it has none, its article's
(``date_source`` article); a date range (:class:`~geo.store.queries.Filters`) applies to that
date, not to the article's, so an article dated Sunday that reports Friday's attack counts on
Friday. Events with no date at all are **undated**: they are kept (``include_undated``) whatever
the date range, since no range can hold or exclude them, and left out otherwise.
Historical events (a past attack the article recalls) are left out unless asked for.

:func:`event_trends_of` counts the dated, non-historical events per unit, type and period with
the surge rule of :mod:`geo.events.trends`. The counting by unit, type and day is done in DuckDB
(``GROUP BY``): the frame handed to :func:`geo.events.trends.event_trends` holds one row per
count, expanded with ``numpy.repeat``, so 100,000 events cost a few thousand rows of transfer.
Undated events are counted too, so the trend notes say how many were left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from geo.errors import ParameterError
from geo.store.queries import Filters, where

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from geo.events.trends import Trends

#: The columns of :func:`events_frame`, in order (the contract of ``Store.events``).
EVENT_FRAME_COLUMNS = (
    "article_id",
    "title",
    "article_date",
    "event_id",
    "type",
    "family",
    "date",
    "date_source",
    "place_name",
    "place_pcode",
    "governorate_pcode",
    "governorate_name",
    "district_pcode",
    "district_name",
    "precision",
    "lat",
    "lon",
    "actors",
    "killed",
    "wounded",
    "sentence_start",
    "sentence_end",
    "quote",
    "confidence",
    "historical",
)


def check_types(types: Sequence[str] | None) -> list[str] | None:
    """``types`` as a list, every one an event type (:data:`geo.events.kinds.EVENT_TYPES`).

    Raises
    ------
    ParameterError
        For a type that is not an event type (the known ones are listed).
    """
    from geo.events.kinds import EVENT_TYPES

    if types is None:
        return None
    if isinstance(types, str):
        types = [types]
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        msg = f"unknown event type {', '.join(map(repr, unknown))}: expected one of {', '.join(EVENT_TYPES)}"
        raise ParameterError(msg)
    return list(types)


def _conditions(
    filters: Filters | None, types: list[str] | None, *, include_undated: bool, include_historical: bool
) -> tuple[str, list[Any], str, list[Any]]:
    """The SQL conditions on articles (``a``) and on events (``e``, with ``sel.published``) and their
    parameters: the article filters without the date range, and the date range on the event date."""
    f = filters or Filters()
    article_cond, article_params = where(dataclasses.replace(f, date_from=None, date_to=None))
    parts: list[str] = ["true"]
    params: list[Any] = []
    day = "coalesce(e.date, sel.published)"
    dated = []
    if f.date_from:
        dated.append(f"{day} >= ?")
        params.append(f.date_from)
    if f.date_to:
        dated.append(f"{day} <= ?")
        params.append(f.date_to)
    in_range = " AND ".join(dated) if dated else f"{day} IS NOT NULL"
    parts.append(f"(({in_range}) OR {day} IS NULL)" if include_undated else f"({in_range})")
    if not include_historical:
        parts.append("NOT e.historical")
    if types is not None:
        parts.append("e.type IN (SELECT unnest(?::VARCHAR[]))")
        params.append(types)
    return article_cond, article_params, " AND ".join(parts), params


def events_frame(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    types: Sequence[str] | None = None,
    include_undated: bool = True,
    include_historical: bool = False,
) -> pd.DataFrame:
    """One row per event of the matching articles (:data:`EVENT_FRAME_COLUMNS`; module docstring).

    ``date`` and ``article_date`` are ``datetime64`` (``NaT`` when undated), ``actors`` a list of
    actor ids, ``killed``/``wounded``/``precision`` nullable integers, ``quote`` the sentence the
    event was read from (``text[sentence_start:sentence_end]``). Sorted by date (undated last),
    article and position in the text.
    """
    import pandas as pd

    kinds = check_types(types)
    acond, aparams, econd, eparams = _conditions(
        filters, kinds, include_undated=include_undated, include_historical=include_historical
    )
    sql = f"""
        WITH sel AS (SELECT id, title, published, text FROM articles a WHERE {acond})
        SELECT e.article_id, sel.title, sel.published AS article_date, e.event_id, e.type, e.family,
               coalesce(e.date, sel.published) AS date,
               CASE WHEN e.date IS NULL AND sel.published IS NOT NULL THEN 'article'
                    ELSE e.date_source END AS date_source,
               e.place_name, e.place_pcode, e.governorate_pcode, e.district_pcode, e.precision,
               e.lat, e.lon, e.actors, e.killed, e.wounded, e.sentence_start, e.sentence_end,
               substring(sel.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) AS quote,
               e.confidence, e.historical
        FROM events e JOIN sel ON sel.id = e.article_id
        WHERE {econd}
        ORDER BY coalesce(e.date, sel.published) NULLS LAST, e.article_id, e.sentence_start, e.rowid"""
    table = con.execute(sql, aparams + eparams).df()
    for column in ("date", "article_date"):
        table[column] = pd.to_datetime(table[column])
    for column in ("precision", "killed", "wounded", "sentence_start", "sentence_end"):
        table[column] = table[column].astype("Int64")
    table["actors"] = [[str(a) for a in (v if v is not None else [])] for v in table["actors"]]
    table["historical"] = table["historical"].astype(bool)
    names = unit_names(
        [*table["governorate_pcode"].dropna().unique(), *table["district_pcode"].dropna().unique()]
    )
    table["governorate_name"] = table["governorate_pcode"].map(names)
    table["district_name"] = table["district_pcode"].map(names)
    return table[list(EVENT_FRAME_COLUMNS)]


def unit_names(codes: Sequence[str]) -> dict[str, str | None]:
    """The English names of COD-AB P-codes (from the gazetteer); ``None`` for a code it lacks."""
    if not len(codes):
        return {}
    from geo.data.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    out: dict[str, str | None] = {}
    for code in codes:
        try:
            out[str(code)] = gaz.entry(str(code)).name
        except KeyError:
            out[str(code)] = None
    return out


def event_trends_of(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    *,
    by: str = "governorate",
    every: str = "week",
    types: Sequence[str] | None = None,
) -> Trends:
    """Counts per ``by`` (governorate or district), type and ``every`` (day, week, month), with surge
    flags (:func:`geo.events.trends.event_trends`), of the dated, non-historical events matching
    ``filters`` and ``types``; the notes say how many undated events were left out.

    Raises
    ------
    ParameterError
        For an unknown unit, period or event type.
    """
    import numpy as np
    import pandas as pd

    from geo.events.trends import PERIODS, event_trends

    if by not in ("governorate", "district"):
        raise ParameterError(f"--by must be governorate or district, got {by!r}")
    if every not in PERIODS:
        raise ParameterError(f"--every must be one of {', '.join(PERIODS)}, got {every!r}")
    kinds = check_types(types)
    acond, aparams, econd, eparams = _conditions(
        filters, kinds, include_undated=True, include_historical=False
    )
    sql = f"""
        WITH sel AS (SELECT id, published FROM articles a WHERE {acond})
        SELECT coalesce(e.date, sel.published) AS date, e.governorate_pcode, e.district_pcode, e.type,
               count(*) AS n
        FROM events e JOIN sel ON sel.id = e.article_id
        WHERE {econd}
        GROUP BY ALL"""
    counts = con.execute(sql, aparams + eparams).df()
    repeat = counts.pop("n").to_numpy(dtype=np.int64)
    frame = counts.loc[counts.index.repeat(repeat)].reset_index(drop=True)
    frame["date"] = pd.to_datetime(frame["date"])
    return event_trends(frame, unit=by, period=every)
