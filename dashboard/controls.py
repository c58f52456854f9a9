"""The map controls in the sidebar: what the text leaves open (belt), and what the map shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard import state
from geo.render.highlight import zone_style

BELT_SIDES = {"federal": "Federal side only", "both": "Both sides of the line"}
LABEL_LANGS = {"en": "English", "ar": "العربية"}


def _belt_range(belt_limits: tuple[float, float]) -> tuple[float, float]:
    low, high = belt_limits
    return max(1.0, float(low)), float(min(high, 100.0))


def prepare(styles: Mapping[str, Mapping[str, Any]], belt_limits: tuple[float, float]) -> None:
    """Give the controls their first values, so the page can read them before drawing them.

    The Map page draws the map first (it is what the analyst waits for) and the controls after;
    a changed control's new value is already in session state when the page reruns.
    """
    if state.ZONE_KINDS not in st.session_state:
        st.session_state[state.ZONE_KINDS] = list(styles)
    lo, hi = _belt_range(belt_limits)
    if not lo <= float(st.session_state[state.BELT_KM]) <= hi:
        st.session_state[state.BELT_KM] = min(max(float(st.session_state[state.BELT_KM]), lo), hi)


def map_controls(styles: Mapping[str, Mapping[str, Any]], belt_limits: tuple[float, float]) -> None:
    """Belt width and side, zone kinds, minimum confidence, admin levels, labels, basemap, mini-map.

    Values land in session state under the keys of :mod:`dashboard.state`; read them with
    :func:`state.settings` and :func:`state.map_options` (after :func:`prepare`).
    """
    prepare(styles, belt_limits)
    kinds = list(styles)
    lo, hi = _belt_range(belt_limits)
    side = st.sidebar
    side.subheader("What the text leaves open")
    side.slider(
        "Security-vacuum belt width (km)",
        min_value=lo,
        max_value=hi,
        step=1.0,
        format="%.0f km",
        key=state.BELT_KM,
        help="How far the belt reaches from the line between the Kurdistan Region and federal Iraq. "
        "Articles rarely say; 20 km is the default.",
    )
    side.radio(
        "Belt side",
        list(BELT_SIDES),
        format_func=BELT_SIDES.__getitem__,
        key=state.BELT_SIDE,
        horizontal=True,
    )
    side.subheader("What the map shows")
    side.multiselect(
        "Zone kinds",
        kinds,
        format_func=lambda k: zone_style(k, styles).label,
        key=state.ZONE_KINDS,
    )
    side.slider(
        "Minimum confidence",
        min_value=0.0,
        max_value=1.0,
        step=0.05,
        key=state.MIN_CONFIDENCE,
        help="Places resolved with less confidence are left out, and so are the zones they would build.",
    )
    side.multiselect(
        "Boundaries",
        list(state.ADMIN_LEVEL_LABELS),
        format_func=state.ADMIN_LEVEL_LABELS.__getitem__,
        key=state.ADMIN_LEVELS,
    )
    side.radio(
        "Map labels",
        list(LABEL_LANGS),
        format_func=LABEL_LANGS.__getitem__,
        key=state.LABEL_LANG,
        horizontal=True,
        help="Names of places, zones, governorates, towns, rivers and countries, in English or Arabic.",
    )
    side.radio(
        "Basemap",
        list(state.BASEMAPS),
        format_func=state.BASEMAPS.__getitem__,
        key=state.BASEMAP,
        help="The offline basemap (neighbouring countries, rivers, lakes, ranges, towns) is always drawn. "
        "OpenStreetMap tiles need the internet; without it the map says so and keeps the offline basemap.",
    )
    side.toggle("Mini-map", key=state.MINIMAP, help="A small overview map in the corner of the map.")
