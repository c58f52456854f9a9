"""Every session-state key of the dashboard, its default, and typed access to it.

Widget keys live here too, so pages never spell a key twice. Streamlit forgets a widget's value
when a page without that widget runs; :func:`init` (called by the entry file on every run)
re-assigns the values of :data:`KEPT_WIDGETS`, which keeps them across page switches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from geo.pipeline import Settings

# Articles -----------------------------------------------------------------------------------
ARTICLES = "za_articles"  # dict[str, inputs.ArticleRecord], in the order they were added
CURRENT = "za_current_article"  # key of the article shown (the article selector's value)
PASTE_TEXT = "za_paste_text"  # the paste box
PASTE_NAME = "za_paste_name"
UPLOADS = "za_uploads"  # the file uploader
UPLOAD_NONCE = "za_upload_nonce"  # bumped to clear the uploader after its files are taken
INPUT_ERRORS = "za_input_errors"  # messages of refused uploads, shown once
PASTE_FORM = "za_paste_form"

# Map controls (widget keys) -----------------------------------------------------------------
BELT_KM = "za_belt_km"
BELT_SIDE = "za_belt_side"
ZONE_KINDS = "za_zone_kinds"
MIN_CONFIDENCE = "za_min_confidence"
ADMIN_LEVELS = "za_admin_levels"
BASEMAP = "za_basemap"
LABEL_LANG = "za_label_lang"  # language of the map's names: "en" or "ar"
MINIMAP = "za_minimap"  # the mini-map (off by default)
WARM = "za_warm"  # True once this session has painted a map (the "Preparing the map" status is gone)
MAP_FIRST = "za_map_first"  # True while the session's first Map run (the map alone) awaits the rest

# Linking map, article and tables ------------------------------------------------------------
SELECTED = "za_selected_ref"  # "P3" / "Z1": the place or zone whose sentences are shown
SELECTED_FOR = "za_selected_for"  # analysis key the selection belongs to
LAST_MAP_CLICK = "za_last_map_click"  # the last map click (count, tooltip) already acted on
VIEW = "za_view"  # ((lat, lon), zoom, nonce) the map was last asked to centre on
GOTO = "za_goto"  # the "go to" select box
PLACES_TABLE = "za_places_table"
ZONES_TABLE = "za_zones_table"
MAP = "za_map"
DETAILS_TAB = "za_details_tab"  # the open tab below the map (only it is drawn)
DETAIL_TABS = ("Places", "Zones", "Notes", "Downloads")
ARTICLE_BOX = "za_article_box"  # the scrolling container of the article panel

# Corpus page and corrections (widget keys) ---------------------------------------------------
CORPUS_DATES = "za_corpus_dates"  # (from, to) of the date-range slider
CORPUS_UNDATED = "za_corpus_undated"  # keep the undated articles
CORPUS_LANGS = "za_corpus_langs"
CORPUS_KINDS = "za_corpus_kinds"  # zone kinds: only articles describing one of them
CORPUS_GOVERNORATES = "za_corpus_governorates"
CORPUS_SEARCH = "za_corpus_search"
CORPUS_LEVEL = "za_corpus_level"  # "district" or "governorate"
CORPUS_TABLE = "za_corpus_table"
CORPUS_MAP = "za_corpus_map"
FIX_PLACE = "za_fix_place"  # the place to correct
FIX_QUERY = "za_fix_query"  # gazetteer search (Arabic or English)
FIX_ADD_QUERY = "za_fix_add_query"  # gazetteer search for a missed place (default: its words)
FIX_ENTRY = "za_fix_entry"  # the entry chosen
FIX_WORDS = "za_fix_words"  # the words of a missed place
FIX_OCCURRENCE = "za_fix_occurrence"
FIX_MESSAGE = "za_fix_message"  # what the last correction did, shown once

SETTINGS_DEFAULT = Settings()
BASEMAPS = {"none": "None (offline)", "osm": "OpenStreetMap (needs internet)"}
ADMIN_LEVEL_LABELS = {1: "Governorates", 2: "Districts", 3: "Sub-districts"}

DEFAULTS: dict[str, Any] = {
    BELT_KM: float(SETTINGS_DEFAULT.belt_km),
    BELT_SIDE: SETTINGS_DEFAULT.belt_side,
    MIN_CONFIDENCE: float(SETTINGS_DEFAULT.min_confidence),
    ADMIN_LEVELS: [1, 2],
    BASEMAP: "none",
    LABEL_LANG: "en",
    MINIMAP: False,
    WARM: False,
    MAP_FIRST: False,
    SELECTED: None,
    SELECTED_FOR: None,
    LAST_MAP_CLICK: None,
    VIEW: None,
    UPLOAD_NONCE: 0,
    INPUT_ERRORS: [],
}
#: Widgets whose values must survive a visit to another page.
KEPT_WIDGETS = (
    *(BELT_KM, BELT_SIDE, ZONE_KINDS, MIN_CONFIDENCE, ADMIN_LEVELS, BASEMAP, LABEL_LANG, MINIMAP, CURRENT),
)


def init() -> None:
    """Set missing defaults and keep the map controls' values across pages."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value
    if ARTICLES not in st.session_state:
        st.session_state[ARTICLES] = {}
    for key in KEPT_WIDGETS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def settings() -> Settings:
    """The analysis settings chosen with the map controls."""
    return Settings(
        belt_km=float(st.session_state.get(BELT_KM, SETTINGS_DEFAULT.belt_km)),
        belt_side=str(st.session_state.get(BELT_SIDE, SETTINGS_DEFAULT.belt_side)),
        min_confidence=float(st.session_state.get(MIN_CONFIDENCE, SETTINGS_DEFAULT.min_confidence)),
    )


@dataclass(frozen=True)
class MapOptions:
    """What the map shows, beyond the analysis itself."""

    zone_kinds: tuple[str, ...] | None
    admin_levels: tuple[int, ...]
    basemap: str | None
    label_lang: str = "en"
    minimap: bool = False


def map_options() -> MapOptions:
    """The display choices of the map controls (zone kinds None = all)."""
    kinds = st.session_state.get(ZONE_KINDS)
    levels = tuple(sorted(st.session_state.get(ADMIN_LEVELS) or ()))
    basemap = st.session_state.get(BASEMAP, "none")
    return MapOptions(
        zone_kinds=None if kinds is None else tuple(kinds),
        admin_levels=levels,
        basemap=None if basemap == "none" else basemap,
        label_lang="ar" if st.session_state.get(LABEL_LANG) == "ar" else "en",
        minimap=bool(st.session_state.get(MINIMAP, False)),
    )


def select(
    ref: str | None, analysis_key: str, *, centre: tuple[tuple[float, float], int] | None = None
) -> None:
    """Make ``ref`` the selected place or zone; with ``centre`` also move the map there."""
    st.session_state[SELECTED] = ref
    st.session_state[SELECTED_FOR] = analysis_key
    if centre is not None:
        nonce = (st.session_state.get(VIEW) or (None, None, 0))[2] + 1
        st.session_state[VIEW] = (centre[0], centre[1], nonce)


def selected(analysis_key: str) -> str | None:
    """The selected ref if it belongs to the analysis shown, else None (and the view resets)."""
    if st.session_state.get(SELECTED_FOR) != analysis_key:
        st.session_state[SELECTED] = None
        st.session_state[SELECTED_FOR] = analysis_key
        st.session_state[VIEW] = None
    return st.session_state.get(SELECTED)
