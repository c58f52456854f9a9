"""The Corpus page's events over time: the timeline, the time-lapse, the heat table, the surge list,
the events on the map and the period briefing button.

Every piece reads its widgets and calls :mod:`geo.render.timeline` (counts, chart, surges, map
points) or :mod:`geo.render.period` (the briefing); nothing is computed here. Brushing the
timeline sets the page's date range (the "Dates" slider) in a callback, so the map and the tables
of the same run already follow it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import folium
import pandas as pd
import streamlit as st

from dashboard import state, workspace
from geo.render import timeline
from geo.render.mapbase import FastPopup

TIMELINE = "za_corpus_timeline"  # the chart's selection
LAPSE = "za_corpus_lapse"  # the time-lapse is on
LAPSE_WEEK = "za_corpus_lapse_week"  # the week the time-lapse shows
PLAYING = "za_corpus_playing"  # the time-lapse advances by itself
ADVANCE = "za_corpus_lapse_advance"  # set by the ticker: move to the next week on this run
FRAME = "za_corpus_frame"  # governorate P-code the map is framed on ("show on map")
TICKED = "za_corpus_ticked"  # the ticker ran once since the page did
BRIEFING = "za_corpus_briefing"  # (period, PDF bytes) of the last briefing prepared
#: Seconds between two weeks of a playing time-lapse.
STEP_SECONDS = 2.0


def _brushed() -> None:
    chosen = timeline.brush_range((st.session_state.get(TIMELINE) or {}).get("selection"))
    if chosen is not None:
        st.session_state[state.CORPUS_DATES] = chosen
        st.session_state[LAPSE] = False


def apply_pending(weeks: list[dt.date]) -> None:
    """Before the widgets: a playing time-lapse moves on one week (wrapping to the first)."""
    if st.session_state.pop(ADVANCE, False) and weeks:
        current = st.session_state.get(LAPSE_WEEK)
        at = weeks.index(current) if current in weeks else -1
        st.session_state[LAPSE_WEEK] = weeks[(at + 1) % len(weeks)]


def chart(events: pd.DataFrame) -> None:
    """Events per week stacked by type; brush a stretch of weeks to set the date range."""
    counts = timeline.weekly(events)
    note = timeline.undated_note(events)
    if not len(counts):
        st.caption("No dated events in these articles" + (f"; {note}." if note else "."))
        return
    st.altair_chart(
        timeline.timeline_chart(counts),
        key=TIMELINE,
        on_select=_brushed,
        selection_mode=timeline.BRUSH,
        width="stretch",
    )
    st.caption(
        f"{int(counts['count'].sum())} dated events; brush the chart to set the date range"
        + (f" · {note}." if note else ".")
    )


def _play() -> None:
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)
    st.session_state[LAPSE] = True


def time_lapse(weeks: list[dt.date]) -> dt.date | None:
    """The time-lapse controls: on/off, a slider of weeks and play/pause; the week shown or None."""
    if len(weeks) < 2:
        return None
    apply_pending(weeks)
    cols = st.columns([2, 6, 2])
    on = cols[0].toggle("Time-lapse", key=LAPSE, help="Show one week of events at a time on the map")
    if st.session_state.get(LAPSE_WEEK) not in weeks:
        st.session_state[LAPSE_WEEK] = weeks[0]
    week = cols[1].select_slider(
        "Week",
        options=weeks,
        key=LAPSE_WEEK,
        format_func=lambda d: f"week of {d.isoformat()}",
        disabled=not on,
        label_visibility="collapsed",
    )
    playing = bool(st.session_state.get(PLAYING, False)) and on
    cols[2].button(
        "Pause" if playing else "Play",
        key="za_corpus_play",
        on_click=_play,
        icon=":material/pause:" if playing else ":material/play_arrow:",
    )
    if playing:
        st.session_state[TICKED] = False  # this full run draws the ticker; its own reruns advance
        _ticker()
    return week if on else None


@st.fragment(run_every=STEP_SECONDS)
def _ticker() -> None:
    """Runs every :data:`STEP_SECONDS` while playing: asks for the next week and reruns the page."""
    if st.session_state.get(TICKED):
        st.session_state[ADVANCE] = True
        st.rerun(scope="app")
    st.session_state[TICKED] = True


def _frame_on(pcode: str) -> None:
    st.session_state[FRAME] = pcode


def heat_and_surges(
    events: pd.DataFrame, names: Mapping[str, str], date_range: tuple[dt.date, dt.date] | None
) -> None:
    """Governorate x week heat table and the surge list of the date range."""
    trends = timeline.governorate_trends(events)
    wide, surge = timeline.heat_table(trends, names, date_range=date_range)
    heat, surges = st.columns([3, 2])
    with heat:
        st.markdown("##### Events per governorate and week")
        if wide.empty:
            st.caption("No dated events with a governorate in the date range.")
        else:
            st.dataframe(timeline.heat_styler(wide, surge), width="stretch", key="za_corpus_heat")
            st.caption("▲ surge: above the trailing 8-week mean + 2 sd, with at least 3 events.")
    rows = timeline.surge_rows(trends, events, names, date_range=date_range)
    with surges:
        st.markdown("##### Surges")
        if not len(rows):
            st.caption("No governorate surged in the date range.")
        for i, row in enumerate(rows.itertuples()):
            titles = "; ".join(f"{t} ({d or 'undated'})" for _a, t, d in row.articles[:5])
            st.markdown(
                f"**{row.governorate}** · {row.week} · {row.count} events (baseline {row.baseline:g}/week)"
            )
            st.caption(f"Articles: {titles}")
            st.button(
                "Show on map",
                key=f"za_corpus_surge_{i}",
                on_click=_frame_on,
                args=(row.pcode,),
                icon=":material/center_focus_strong:",
            )


def in_view(
    events: pd.DataFrame,
    date_range: tuple[dt.date, dt.date] | None,
    week: dt.date | None,
    *,
    undated: bool,
) -> pd.DataFrame:
    """The events the map shows: of the time-lapse week, else of the date range (and undated ones)."""
    if not len(events):
        return events
    days = pd.to_datetime(events["date"], errors="coerce")
    if week is not None:
        low, high = pd.Timestamp(week), pd.Timestamp(week + dt.timedelta(days=6))
        return events[(days >= low) & (days <= high)]
    keep = days.isna() if undated else pd.Series(False, index=events.index)
    if date_range is None:
        return events[keep | days.notna()]
    low, high = pd.Timestamp(date_range[0]), pd.Timestamp(date_range[1])
    return events[keep | ((days >= low) & (days <= high))]


def event_group(events: pd.DataFrame, link: str) -> folium.FeatureGroup:
    """The events as circles by type, sized by casualties, popups in plain words."""
    group = folium.FeatureGroup(name="Events (by type, sized by casualties)")
    for p in timeline.event_points(events, link=link):
        folium.CircleMarker(
            [p.lat, p.lon],
            radius=p.radius,
            color="#1b1b1b",
            weight=1,
            fill=True,
            fill_color=p.colour,
            fill_opacity=0.85,
            class_name="za-event",
            tooltip=p.tooltip,
            popup=FastPopup(p.popup, max_width=340),
        ).add_to(group)
    return group


def framing() -> tuple[tuple[float, float], int] | tuple[None, None]:
    """Centre and zoom of the governorate chosen with "show on map" (else none)."""
    from geo.data import boundaries

    pcode = st.session_state.get(FRAME)
    if not pcode:
        return None, None
    layer = boundaries.load_level(1, web=True)
    rows = layer[layer["pcode"] == pcode]
    if not len(rows):
        return None, None
    x0, y0, x1, y1 = rows.iloc[0].geometry.bounds
    zoom = int(max(5, min(10, math.floor(math.log2(360 / max(x1 - x0, y1 - y0, 0.1))) - 1)))
    return ((y0 + y1) / 2, (x0 + x1) / 2), zoom


def briefing_button(date_range: tuple[dt.date, dt.date] | None, langs: list[str], govs: list[str]) -> None:
    """Prepare the period briefing (PDF) of the date range, then offer it for download."""
    from geo.render.period import Period

    if date_range is None:
        return
    period = Period(
        date_range[0],
        date_range[1],
        lang=langs[0] if len(langs) == 1 else None,
        governorate=govs[0] if len(govs) == 1 else None,
    )
    cols = st.columns([3, 3, 4])
    if cols[0].button("Prepare the period briefing", key="za_corpus_brief", icon=":material/description:"):
        with st.spinner("Writing the period briefing…"):
            st.session_state[BRIEFING] = (period, workspace.period_briefing(period))
    prepared: Any = st.session_state.get(BRIEFING)
    if prepared is not None and prepared[0] == period:
        cols[1].download_button(
            "Download the briefing (PDF)",
            prepared[1],
            file_name=f"zone-atlas-briefing-{period.date_from}-{period.date_to}.pdf",
            mime="application/pdf",
            key="za_corpus_brief_download",
            icon=":material/download:",
        )
    cols[2].caption(f"{period.title()}: bottom line, map, weekly trend, surges, zones in force, quotes.")
