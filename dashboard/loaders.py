"""Cached loaders: reference data once per process, analyses once per text and settings.

``st.cache_resource`` holds shared, never-mutated objects (boundary names, zone styles, the
published map libraries and boundary files); ``st.cache_data`` holds analyses keyed on the text
and the settings. Cached functions take every input as an argument and read no globals that
change. :func:`warm` fills them all: ``dashboard/server.py`` calls it while the server starts, before
it answers; :func:`warm_up` calls it in a background thread on the first run of the app (a no-op
when the server already did), so the first visitor does not wait for them one after the other.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from geo.data import boundaries
from geo.model import Analysis
from geo.pipeline import Settings, analyze
from geo.render import webassets

log = logging.getLogger("dashboard.loaders")
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Where the boundary files the map loads are published (served under STATIC_URL).
LAYERS_DIR = STATIC_DIR / "layers"
STATIC_URL = "/app/static"
_warm_lock = threading.Lock()
_warm_thread: list[threading.Thread] = []  # the one warm-up thread of this process, once started


@st.cache_resource(show_spinner=False)
def publish_assets() -> str:
    """Install (once) and publish Leaflet and its plugins under the static route."""
    webassets.install()
    return str(webassets.publish(STATIC_DIR))


@st.cache_resource(show_spinner=False)
def boundary_urls() -> dict[int, str]:
    """Publish the web-weight boundary files (once per process); their URL by admin level."""
    from geo.render.mapbase import publish_boundaries

    names = publish_boundaries(LAYERS_DIR)
    return {level: f"{STATIC_URL}/layers/{name}" for level, name in names.items()}


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


def warm(seed_text: str, seed_source: str) -> bool:
    """Fill every cache the Map page needs (see :func:`warm_up`); False, and logged, if one failed."""
    started = time.perf_counter()
    try:
        reference_data()
        analysis_for(seed_text, seed_source, Settings())
        publish_assets()
        boundary_urls()
        zone_styles()
        belt_limits()
        unit_names()
        from dashboard import workspace

        workspace.ensure_seed()  # opens the store and puts the seed article in it
        workspace.articles()
        if get_script_run_ctx() is not None:  # a component registers itself only inside a run
            import streamlit_folium  # noqa: F401  (its import, off the first run)
        from geo.render import webmap

        webmap.analysis_base_map(layer_control=False, base_names=False).render()
    except Exception:  # the page loads what is missing itself, and says what went wrong
        log.exception("warming the caches failed")
        return False
    log.info("caches warm in %.0f ms", (time.perf_counter() - started) * 1000)
    return True


def warm_up(seed_text: str, seed_source: str) -> threading.Thread:
    """Fill every cache the Map page needs in a background thread (started once per process).

    The boundaries, gazetteer, offline basemap and its names, the seed article's analysis, zone
    styles, the published map libraries and boundary files, the workspace store with the seed in
    it, and the map's templates. A page
    that needs one of them meanwhile waits for that one only (each cache computes a value once).
    """
    with _warm_lock:
        if not _warm_thread:
            thread = threading.Thread(
                target=warm, args=(seed_text, seed_source), name="zone-atlas-warm-up", daemon=True
            )
            add_script_run_ctx(thread, get_script_run_ctx())
            thread.start()
            _warm_thread.append(thread)
        return _warm_thread[0]


@asynccontextmanager
async def warm_at_start(_app: Any) -> AsyncIterator[None]:
    """The server's start-up (``dashboard/server.py``): :func:`warm` with the seed article, in a
    worker thread (the event loop stays free), before the server takes its first connection.

    A failure is logged and the server starts anyway: the page then loads what is missing and says
    what went wrong.
    """
    from dashboard import auth, inputs

    auth.log_to_server()
    started = time.perf_counter()
    try:
        seed = inputs.seed()
        ready = await asyncio.to_thread(warm, seed.text, seed.source)
    except Exception:
        log.exception("warming the caches at start-up failed")
        ready = False
    log.info("server ready in %.1f s (caches %s)", time.perf_counter() - started, "warm" if ready else "cold")
    yield
