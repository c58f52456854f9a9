"""Output: local web assets, the folium map, article highlighting, snapshots, data exports, briefings.

Modules, lowest first: ``webassets``; ``highlight`` (escaping, colours, refs), ``article`` (the
article with its marks), ``popups``, ``tables``; the map: ``mapbase`` (boundary layers),
``maplayers`` (places and zones), ``mapcontrols`` (legend, mini-map), ``mapframing`` (bounds,
focus), ``webmap`` (the complete maps); its exports: ``mapview`` (view, legend, titles),
``standalone`` (one self-contained HTML page), ``staticmap`` (the matplotlib fallback),
``snapshot`` (PNG and HTML files); ``kml``, ``briefing`` and ``export`` on top.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.render.webmap`: ``analysis_map``
- :mod:`geo.render.snapshot`: ``render_png``
- :mod:`geo.render.standalone`: ``standalone_html``
- :mod:`geo.render.export`: ``export_analysis``
- :mod:`geo.render.briefing`: ``write_briefing``
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "analysis_map": "webmap",
    "render_png": "snapshot",
    "standalone_html": "standalone",
    "export_analysis": "export",
    "write_briefing": "briefing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
