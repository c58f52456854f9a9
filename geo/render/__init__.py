"""Output: local web assets, the folium map, article highlighting, snapshots, data exports, briefings.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.render.webmap`: ``analysis_map``
- :mod:`geo.render.snapshot`: ``render_png``, ``standalone_html``
- :mod:`geo.render.export`: ``export_analysis``
- :mod:`geo.render.briefing`: ``write_briefing``
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "analysis_map": "webmap",
    "render_png": "snapshot",
    "standalone_html": "snapshot",
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
