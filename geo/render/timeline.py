"""Events over time: weekly counts by type, the timeline chart, the heat table, surges and map points.

Every function takes the events frame of :meth:`geo.store.Store.events` (one row per event:
``article_id, title, date, type, family, governorate_pcode, place_name, precision, lat, lon,
actors, killed, wounded, quote, ...``) and returns data (a DataFrame, a Vega-Lite chart, rows for
the map); nothing here draws a widget. Weeks run Monday to Sunday, as in
:mod:`geo.events.trends`; undated events are never placed on a week: :func:`undated_note` says how
many there are.

Surges are computed by :func:`governorate_trends` over every dated event given (so a week early in
a chosen period still has its eight weeks of baseline), then listed for the period shown
(:func:`surge_rows`).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"date": pd.to_datetime(["2024-03-04", "2024-03-06", None]),
...                       "type": ["ied", "ambush", "ied"]})
>>> weekly(frame)[["week", "type", "count"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'week': Timestamp('2024-03-04 00:00:00'), 'type': 'ambush', 'count': 1},
 {'week': Timestamp('2024-03-04 00:00:00'), 'type': 'ied', 'count': 1}]
>>> undated_note(frame)
'1 undated event is not on the timeline'
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo.errors import ParameterError
from geo.events.kinds import EVENT_TYPES, FAMILIES

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from geo.events.trends import Trends
    from geo.model import Analysis

__all__ = [
    "BRUSH",
    "TYPE_COLOURS",
    "TYPE_LABELS",
    "EventPoint",
    "brush_range",
    "event_points",
    "governorate_trends",
    "heat_table",
    "surge_rows",
    "timeline_chart",
    "undated_note",
    "week_starts",
    "weekly",
]

#: The name of the timeline's interval selection (the key of its range in Streamlit's selection).
BRUSH = "brush"
#: How the analyst reads each event type.
TYPE_LABELS: dict[str, str] = {
    "suicide_bombing": "Suicide bombing",
    "ied": "IED",
    "air_drone_strike": "Air or drone strike",
    "shelling_rocket": "Shelling or rocket",
    "assassination": "Assassination",
    "ambush": "Ambush",
    "armed_assault": "Armed assault",
    "operations_room": "Operations room",
    "joint_force": "Joint force",
    "redeployment": "Redeployment",
    "displacement": "Displacement",
}
#: Attacks in reds and oranges, security arrangements in blues, displacement in purple.
TYPE_COLOURS: dict[str, str] = {
    "suicide_bombing": "#67000d",
    "ied": "#b2182b",
    "air_drone_strike": "#d6604d",
    "shelling_rocket": "#f4a582",
    "assassination": "#8c510a",
    "ambush": "#e08214",
    "armed_assault": "#fdb863",
    "operations_room": "#2166ac",
    "joint_force": "#4393c3",
    "redeployment": "#92c5de",
    "displacement": "#762a83",
}
#: How an event's date was found, in the analyst's words.
DATE_SOURCES = {
    "text": "given in the sentence",
    "relative": "from a relative date in the sentence",
    "article": "the article's date",
    "none": "no date",
}
#: Precision codes (ACLED's geo-precision) in words.
PRECISIONS = {1: "town or village", 2: "district or near a town", 3: "governorate or wider"}
_WEEK = "W-SUN"


def type_label(event_type: str) -> str:
    """``"ied"`` -> ``"IED"``; an unknown type is shown as written."""
    return TYPE_LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def _dates(frame: pd.DataFrame) -> pd.Series:
    import pandas as pd

    if "date" not in frame.columns:
        raise ParameterError(f"the events frame needs a date column; it has {', '.join(frame.columns)}")
    return pd.to_datetime(frame["date"], errors="coerce")


def _week_of(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period(_WEEK).dt.start_time


def undated_note(frame: pd.DataFrame) -> str:
    """``"12 undated events are not on the timeline"`` ("" when every event is dated)."""
    n = int(_dates(frame).isna().sum()) if len(frame) else 0
    if not n:
        return ""
    return f"{n} undated event{'s are' if n != 1 else ' is'} not on the timeline"


def weekly(frame: pd.DataFrame) -> pd.DataFrame:
    """Dated events per week (its Monday, ``week``) and ``type``, with ``label`` and ``count``."""
    import pandas as pd

    columns = ["week", "type", "label", "count"]
    dates = _dates(frame) if len(frame) else pd.Series(dtype="datetime64[ns]")
    keep = dates.notna()
    if not keep.any():
        return pd.DataFrame(columns=columns)
    data = pd.DataFrame({"week": _week_of(dates[keep]), "type": frame.loc[keep, "type"].astype(str)})
    out = data.groupby(["week", "type"], sort=True).size().reset_index(name="count")
    out["label"] = [type_label(t) for t in out["type"]]
    return out[columns]


def week_starts(frame: pd.DataFrame) -> list[dt.date]:
    """Every Monday from the first to the last dated event's week (weeks without events too)."""
    import pandas as pd

    dates = _dates(frame).dropna() if len(frame) else pd.Series(dtype="datetime64[ns]")
    if not len(dates):
        return []
    first, last = _week_of(dates).min(), _week_of(dates).max()
    return [d.date() for d in pd.date_range(first, last, freq="7D")]


def timeline_chart(counts: pd.DataFrame, *, height: int = 170) -> alt.Chart:
    """Events per week stacked by type, with an interval selection on time named :data:`BRUSH`.

    ``counts`` is :func:`weekly`'s frame. Brushing the chart selects a stretch of weeks; Streamlit
    returns it under ``selection[BRUSH]`` (read it with :func:`brush_range`).
    """
    import altair as alt
    import pandas as pd

    present = [t for t in EVENT_TYPES if t in set(counts["type"])]
    present += sorted(set(counts["type"]) - set(present))
    scale = alt.Scale(
        domain=[type_label(t) for t in present], range=[TYPE_COLOURS.get(t, "#777777") for t in present]
    )
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    week = counts["week"].astype("datetime64[ns]")
    data = counts.assign(week=week, week_end=week + pd.Timedelta(days=6, hours=12))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week (Monday)", axis=alt.Axis(format="%d %b %Y")),
            x2="week_end:T",
            y=alt.Y("sum(count):Q", title="Events", stack="zero"),
            color=alt.Color("label:N", scale=scale, title="Type", sort=[type_label(t) for t in present]),
            tooltip=[
                alt.Tooltip("week:T", title="Week of", format="%Y-%m-%d"),
                alt.Tooltip("label:N", title="Type"),
                alt.Tooltip("count:Q", title="Events"),
            ],
            opacity=alt.condition(brush, alt.value(1.0), alt.value(0.45)),
        )
        .add_params(brush)
        .properties(height=height, width="container")
    )


def _as_day(value: Any) -> dt.date:
    import pandas as pd

    if isinstance(value, int | float):  # Vega-Lite sends times in ms since the epoch (UTC)
        return dt.datetime.fromtimestamp(float(value) / 1000, tz=dt.UTC).date()
    return pd.Timestamp(value).date()


def brush_range(selection: Mapping[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """The days a timeline brush covers: from the Monday of its first week to the Sunday of its last.

    ``selection`` is the chart's selection state (``{"brush": {"week": [start, end]}}``, times in
    ms or ISO text); None when nothing is brushed.

    >>> brush_range({"brush": {"week": [1709510400000, 1710720000000]}})  # 4 Mar and 18 Mar 2024
    (datetime.date(2024, 3, 4), datetime.date(2024, 3, 24))
    >>> brush_range({"brush": {}}) is None
    True
    """
    import pandas as pd

    chosen = (selection or {}).get(BRUSH) or {}
    values = chosen.get("week") if isinstance(chosen, Mapping) else None
    if not values or len(values) != 2:
        return None
    low, high = sorted(_as_day(v) for v in values)
    start = pd.Period(low, freq=_WEEK).start_time.date()
    end = pd.Period(high, freq=_WEEK).end_time.date()
    return start, end


def governorate_trends(frame: pd.DataFrame) -> Trends:
    """Weekly counts of all events per governorate, with the surge flag (:mod:`geo.events.trends`)."""
    import pandas as pd

    from geo.events.trends import event_trends

    if not len(frame):
        frame = pd.DataFrame(columns=["date", "governorate_pcode", "district_pcode", "type"])
    need = frame.assign(district_pcode=frame.get("district_pcode"))
    return event_trends(need, unit="governorate", period="week", by_type=False)


def _in(start: Any, date_range: tuple[dt.date, dt.date] | None) -> bool:
    if date_range is None:
        return True
    day = start if isinstance(start, dt.date) else _as_day(start)
    return date_range[0] - dt.timedelta(days=6) <= day <= date_range[1]


def heat_table(
    trends: Trends, names: Mapping[str, str], *, date_range: tuple[dt.date, dt.date] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Governorate x week: event counts and, of the same shape, the surge flags.

    Rows are governorates by name (most events first), columns the weeks' Mondays as
    ``YYYY-MM-DD``, limited to the weeks that overlap ``date_range``.
    """
    import pandas as pd

    counts = trends.counts
    if not len(counts):
        return pd.DataFrame(), pd.DataFrame()
    rows = counts[[_in(s, date_range) for s in counts["start"]]]
    if not len(rows):
        return pd.DataFrame(), pd.DataFrame()
    rows = rows.assign(
        governorate=[names.get(u, u) for u in rows["unit"]],
        week=[s.isoformat() for s in rows["start"]],
    )
    wide = rows.pivot_table(index="governorate", columns="week", values="count", aggfunc="sum", fill_value=0)
    surge = rows.pivot_table(
        index="governorate", columns="week", values="surge", aggfunc="max", fill_value=False
    )
    order = wide.sum(axis=1).sort_values(ascending=False, kind="stable").index
    wide = wide.loc[order].astype(int)
    return wide, surge.loc[order].astype(bool)


def heat_styler(wide: pd.DataFrame, surge: pd.DataFrame) -> Any:
    """The heat table as a pandas Styler: shaded by count, surges outlined and marked "▲"."""
    top = max(int(wide.to_numpy().max()) if wide.size else 0, 1)

    def shade(value: int) -> str:
        share = value / top
        if value == 0:
            return "color: #bbbbbb"
        red = 255 - int(share * 80)
        green = 235 - int(share * 160)
        blue = 220 - int(share * 180)
        ink = "#ffffff" if share > 0.6 else "#1b1b1b"
        return f"background-color: rgb({red},{green},{blue}); color: {ink}"

    shown = wide.astype(str).where(~surge, wide.astype(str) + " ▲")
    styles = wide.map(shade).where(~surge, wide.map(shade) + "; font-weight: bold; border: 2px solid #000")
    return shown.style.apply(lambda _frame: styles, axis=None)


def surge_rows(
    trends: Trends,
    frame: pd.DataFrame,
    names: Mapping[str, str],
    *,
    date_range: tuple[dt.date, dt.date] | None = None,
) -> pd.DataFrame:
    """The surges of ``trends`` in ``date_range``: governorate (P-code and name), week, count, the
    baseline (trailing mean and the threshold it passed), and the articles behind the week's events
    (``articles``: ``(id, title, date)`` tuples)."""
    import pandas as pd

    columns = ["pcode", "governorate", "week", "start", "count", "baseline", "threshold", "articles"]
    surges = trends.surges()
    surges = surges[[_in(s, date_range) for s in surges["start"]]] if len(surges) else surges
    if not len(surges):
        return pd.DataFrame(columns=columns)
    dates = _dates(frame)
    weeks = _week_of(dates).dt.date
    out = []
    for row in surges.itertuples():
        mask = (frame["governorate_pcode"] == row.unit) & (weeks == row.start)
        behind = frame.loc[mask].drop_duplicates("article_id")
        articles = [
            (str(r.article_id), str(r.title or r.article_id), _iso(r.article_date))
            for r in behind.itertuples()
        ]
        out.append(
            {
                "pcode": str(row.unit),
                "governorate": names.get(str(row.unit), str(row.unit)),
                "week": f"{row.start.isoformat()} to {(row.start + dt.timedelta(days=6)).isoformat()}",
                "start": row.start,
                "count": int(row.count),
                "baseline": round(float(row.baseline_mean), 2),
                "threshold": round(float(row.threshold), 2),
                "articles": articles,
            }
        )
    return pd.DataFrame(out, columns=columns).sort_values(["start", "count"], ascending=[False, False])


def _iso(value: Any) -> str | None:
    import pandas as pd

    if value is None or bool(pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


@dataclass(frozen=True)
class EventPoint:
    """One event on the map: where, its colour and radius (by casualties), tooltip and popup HTML."""

    lat: float
    lon: float
    colour: str
    radius: float
    tooltip: str
    popup: str
    type: str


def count_of(value: Any) -> int | None:
    """A casualty figure as an int; None for a missing one (None, NaN, pd.NA)."""
    import pandas as pd

    if value is None or bool(pd.isna(value)):
        return None
    return int(value)


def casualty_radius(killed: Any, wounded: Any) -> float:
    """A marker's radius in pixels: 4 with no casualties, growing with the square root of the toll."""
    toll = sum(n for n in (count_of(killed), count_of(wounded)) if n is not None)
    return 4.0 + 2.2 * math.sqrt(toll)


def toll_words(killed: Any, wounded: Any) -> str:
    """``"3 killed, 5 wounded"``, or "no casualty figure given"."""
    parts = []
    if (k := count_of(killed)) is not None:
        parts.append(f"{k} killed")
    if (w := count_of(wounded)) is not None:
        parts.append(f"{w} wounded")
    return ", ".join(parts) or "no casualty figure given"


def actor_names(ids: Sequence[str] | None) -> str:
    """Actor ids of ``data/actors.toml`` as their labels (``isis`` -> ``ISIS``), or "none named"."""
    from geo.events.actors import load_actors

    if ids is None or not len(ids):
        return "none named"
    table = load_actors().actors
    return ", ".join(table[str(i)].label if str(i) in table else str(i) for i in ids)


def event_points(frame: pd.DataFrame, *, link: str = "") -> list[EventPoint]:
    """The events of ``frame`` that have coordinates, as map points with popups in plain words.

    ``link`` is the address that opens an article (``?article=<id>`` is added); "" for no link.
    """
    out: list[EventPoint] = []
    if not len(frame):
        return out
    dates = _dates(frame)
    for row, day in zip(frame.itertuples(), dates, strict=True):
        if count_of(row.lat) is None or count_of(row.lon) is None:
            continue
        when = day.date().isoformat() if day == day else "undated"
        label = type_label(str(row.type))
        where = f"{row.place_name or 'unnamed place'} ({PRECISIONS.get(_int(row.precision), 'precision unknown')})"
        title = html.escape(str(row.title or row.article_id))
        article = (
            f'<a href="{html.escape(link)}?article={html.escape(str(row.article_id))}" target="_top">{title}</a>'
            if link
            else title
        )
        source = DATE_SOURCES.get(str(row.date_source), str(row.date_source))
        popup = (
            f'<div style="max-width:320px"><b>{html.escape(label)}</b> · {when} <small>({source})</small>'
            f"<div>{html.escape(where)}</div>"
            f"<div>Actors: {html.escape(actor_names(row.actors))}</div>"
            f"<div>{toll_words(row.killed, row.wounded)}</div>"
            f'<blockquote dir="auto" style="margin:4px 0;padding-left:6px;border-left:2px solid #999">'
            f"{html.escape(str(row.quote or ''))}</blockquote><div>{article}</div></div>"
        )
        out.append(
            EventPoint(
                lat=float(row.lat),
                lon=float(row.lon),
                colour=TYPE_COLOURS.get(str(row.type), "#555555"),
                radius=casualty_radius(row.killed, row.wounded),
                tooltip=f"{label} · {when} · {row.place_name or ''} · {toll_words(row.killed, row.wounded)}",
                popup=popup,
                type=str(row.type),
            )
        )
    return out


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def families() -> dict[str, tuple[str, ...]]:
    """The event families and their types (for a type filter grouped by family)."""
    return dict(FAMILIES)


def analysis_events(
    analysis: Analysis, *, article_id: str, title: str, article_date: dt.date | None = None
) -> pd.DataFrame:
    """The events of one analysis as rows of the store's events frame (for an article not stored)."""
    import pandas as pd

    rows = []
    for e in analysis.events:
        rows.append(
            {
                "article_id": article_id,
                "title": title,
                "article_date": article_date,
                "event_id": e.id,
                "type": e.type,
                "family": e.family,
                "date": pd.to_datetime(e.date, errors="coerce"),
                "date_source": e.date_source,
                "place_name": e.place_name,
                "place_pcode": e.place_pcode,
                "governorate_pcode": e.governorate_pcode,
                "district_pcode": e.district_pcode,
                "precision": e.precision,
                "lat": e.lat,
                "lon": e.lon,
                "actors": list(e.actors),
                "killed": e.killed,
                "wounded": e.wounded,
                "sentence_start": e.sentence.start,
                "sentence_end": e.sentence.end,
                "quote": e.sentence.text,
                "confidence": e.confidence,
                "historical": e.historical,
            }
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


#: The columns of :meth:`geo.store.Store.events`.
EVENT_COLUMNS = [
    "article_id", "title", "article_date", "event_id", "type", "family", "date", "date_source",
    "place_name", "place_pcode", "governorate_pcode", "governorate_name", "district_pcode",
    "district_name", "precision", "lat", "lon", "actors", "killed", "wounded", "sentence_start",
    "sentence_end", "quote", "confidence", "historical",
]  # fmt: skip
