"""Download buttons for every export of the current analysis (Map page).

Data files (GeoJSON, GeoPackage, CSV, KML) are small and quick, so they are ready at once. The map
snapshot, the standalone map and the briefing start a browser, so they are prepared on request
and then offered for download. Everything is built by :mod:`geo.render.export`, :mod:`geo.render.snapshot` and
:mod:`geo.render.briefing`, the same code as ``python -m geo export``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from pathlib import Path

import streamlit as st

from geo.errors import ZoneAtlasError
from geo.model import Analysis
from geo.pipeline import Settings
from geo.render import export
from geo.render.mapview import MapView

MIME = {
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".csv": "text/csv",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".png": "image/png",
    ".html": "text/html",
    ".pdf": "application/pdf",
}
LABELS = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "csv": "CSV",
    "kml": "KML",
    "png": "Map (PNG)",
    "html": "Map (HTML, offline)",
    "briefing": "Briefing",
}
HEAVY_FORMATS = ("png", "html", "briefing")
_STATE_KEY = "downloads.prepared"


def analysis_key(analysis: Analysis, settings: Settings, *extra: object) -> str:
    """A fingerprint of an analysis and its settings (files are rebuilt when it changes)."""
    digest = hashlib.sha256()
    head = {
        "source": analysis.source,
        "text": analysis.text,
        "lang": analysis.lang,
        "notes": analysis.notes,
        "places": [p.to_dict() for p in analysis.places],
        "unanchored": [dataclasses.asdict(s) for s in analysis.unanchored_triggers],
        "settings": dataclasses.asdict(settings),
        "extra": [repr(e) for e in extra],
    }
    digest.update(json.dumps(head, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    for zone in analysis.zones:  # geometry as WKB: exact, unlike a repr
        digest.update(
            json.dumps(
                {k: v for k, v in zone.to_dict().items() if k != "geometry"},
                sort_keys=True,
                ensure_ascii=False,
                default=str,
            ).encode("utf-8")
        )
        if zone.geometry is not None:
            digest.update(zone.geometry.wkb)
    return digest.hexdigest()[:20]


def _files(
    analysis: Analysis, settings: Settings, formats: tuple[str, ...], **options: object
) -> tuple[dict[str, bytes], list[str]]:
    """Run the exports into a temporary folder: ``{file name: bytes}`` and the exports' notes."""
    with tempfile.TemporaryDirectory(prefix="zone-atlas-download-") as tmp:
        results = export.export_analysis(analysis, tmp, formats=formats, settings=settings, **options)  # type: ignore[arg-type]
        files = {p.name: p.read_bytes() for r in results for p in r.paths}
    notes = [f"{LABELS.get(r.format, r.format)}: {r.note}" for r in results if r.note]
    return files, list(dict.fromkeys(notes))


@st.cache_data(show_spinner=False, max_entries=8)
def _data_files(key: str, _analysis: Analysis, _settings: Settings) -> dict[str, bytes]:
    return _files(_analysis, _settings, export.DATA_FORMATS)[0]


def _buttons(files: dict[str, bytes], key: str) -> None:
    columns = st.columns(min(4, max(1, len(files))))
    for i, (name, data) in enumerate(sorted(files.items())):
        with columns[i % len(columns)]:
            st.download_button(
                name,
                data=data,
                file_name=name,
                mime=MIME.get(Path(name).suffix, "application/octet-stream"),
                key=f"dl-{key}-{name}",
                on_click="ignore",
                icon=":material/download:",
            )


def render_downloads(
    analysis: Analysis,
    settings: Settings,
    *,
    basemap: str | None = None,
    title: str | None = None,
    admin_levels: tuple[int, ...] = (1, 2),
    zone_kinds: tuple[str, ...] | None = None,
    bounds: list[list[float]] | None = None,
    label_lang: str = "en",
) -> None:
    """Download buttons for the data files, and for the map and briefing once prepared.

    ``basemap``, ``admin_levels``, ``zone_kinds`` and ``bounds`` are what the page's map shows, so
    that the snapshot and the offline map match the screen; ``title`` is the article's headline.
    """
    st.markdown("##### Downloads")
    view = MapView(
        basemap=basemap,
        admin_levels=tuple(admin_levels) or (1, 2),
        zone_kinds=None if zone_kinds is None else tuple(zone_kinds),
        bounds=bounds,
        label_lang=label_lang,
    )
    key = analysis_key(analysis, settings, view, title)
    if not analysis.places:
        st.caption("No places were found: the data files hold empty layers and the briefing says so.")
    try:
        data = _data_files(key, analysis, settings)
    except ZoneAtlasError as exc:
        st.error(f"Data export failed: {exc}")
        data = {}
    if data:
        st.caption(
            "Places and zones with their provenance (article, sentence, offsets, confidence, "
            "P-codes, dataset version)."
        )
        _buttons(data, key)
    prepared = st.session_state.get(_STATE_KEY)
    left, right = st.columns([2, 1])
    with right:
        briefing_format = st.radio(
            "Briefing format", ["pdf", "html"], horizontal=True, key="downloads.briefing_format"
        )
    with left:
        st.caption("Map snapshot (PNG), offline map (HTML) and the analyst briefing.")
        ask = st.button("Prepare map and briefing", key="downloads.prepare", icon=":material/description:")
    wanted = (key, briefing_format)
    if ask and (prepared is None or prepared[0] != wanted):
        with st.spinner("Rendering the map and the briefing…"):
            try:
                files, notes = _files(
                    analysis, settings, HEAVY_FORMATS, briefing_format=briefing_format, view=view, title=title
                )
            except ZoneAtlasError as exc:
                st.error(f"Export failed: {exc}")
                return
        prepared = (wanted, files, notes)
        st.session_state[_STATE_KEY] = prepared
    if prepared is not None and prepared[0] == wanted:
        for note in prepared[2]:
            st.warning(note)
        _buttons(prepared[1], key)
