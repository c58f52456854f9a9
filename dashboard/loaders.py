"""Cached loaders: reference data once per process, analyses once per text and settings.

``st.cache_resource`` holds shared, never-mutated objects (boundary names, zone styles, the
published map libraries); ``st.cache_data`` holds analyses keyed on the text and the settings.
Cached functions take every input as an argument and read no globals that change.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import streamlit as st

from geo.data import boundaries
from geo.model import Analysis
from geo.pipeline import Settings, analyze
from geo.render import webassets

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def publish_assets() -> str:
    """Install (once) and publish Leaflet and its plugins under the static route."""
    webassets.install()
    return str(webassets.publish(STATIC_DIR))


@st.cache_resource(show_spinner=False)
def reference_data() -> bool:
    """Load the web-weight boundaries, the gazetteer and the offline basemap into this process once."""
    for level in (0, 1, 2, 3):
        boundaries.load_level(level, web=True)
    from geo.data.gazetteer import load_gazetteer
    from geo.render import basemap, labels

    load_gazetteer()
    basemap.basemap_geojson()  # the offline basemap and its names, for the first map's paint
    for lang in labels.LANGS:
        labels.governorate_labels(lang)
        labels.basemap_labels(lang)
    return True


@st.cache_resource(show_spinner=False)
def unit_names() -> dict[str, str]:
    """English name of every governorate, district and sub-district, by P-code."""
    names: dict[str, str] = {}
    for level in (1, 2, 3):
        frame = boundaries.load_level(level, web=True)
        names.update(zip(frame["pcode"], frame["name_en"], strict=True))
    return names


@st.cache_resource(show_spinner=False)
def zone_styles() -> dict[str, dict[str, Any]]:
    """Map style and label of every zone kind (``data/zone_rules.toml``)."""
    from geo.zones.frames import zone_styles as styles

    return styles()


@st.cache_resource(show_spinner=False)
def belt_limits() -> tuple[float, float]:
    """Smallest and largest belt width the zone rules allow, in km."""
    from geo.zones.belt import belt_limits as limits

    return limits()


@st.cache_data(show_spinner=False, max_entries=128)
def analysis(text: str, source: str, belt_km: float, belt_side: str, min_confidence: float) -> Analysis:
    """The analysis of ``text`` with these settings (computed once per combination)."""
    return analyze(
        text, source, Settings(belt_km=belt_km, belt_side=belt_side, min_confidence=min_confidence)
    )


def analysis_for(text: str, source: str, settings: Settings) -> Analysis:
    """:func:`analysis` with a :class:`Settings`."""
    return analysis(text, source, float(settings.belt_km), settings.belt_side, float(settings.min_confidence))


def selection_key(text: str, settings: Settings) -> str:
    """Identity of the place list of (text, settings): a selection stays valid while it holds.

    The belt settings change zone outlines, not which places and zones exist, so they are left out.
    """
    raw = f"{settings.min_confidence}|".encode() + text.encode()
    return hashlib.sha256(raw).hexdigest()[:16]
