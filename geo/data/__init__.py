"""Reference data: the dataset manifest and fetch, the boundary layers, the gazetteer.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.data.sources`: ``load_manifest``, ``fetch``, ``dataset_path``, ``dataset_available``, ``dataset_version``
- :mod:`geo.data.boundaries`: ``load_level``, ``load_neighbours``
- :mod:`geo.data.gazetteer`: ``Gazetteer``, ``Entry``, ``load_gazetteer``, ``build_gazetteer``
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_manifest": "sources",
    "fetch": "sources",
    "dataset_path": "sources",
    "dataset_available": "sources",
    "dataset_version": "sources",
    "load_level": "boundaries",
    "load_neighbours": "boundaries",
    "Gazetteer": "gazetteer",
    "Entry": "gazetteer",
    "load_gazetteer": "gazetteer",
    "build_gazetteer": "gazetteer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
