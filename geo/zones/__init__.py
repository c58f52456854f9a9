"""The zone stage: the rules file, triggers in the text, constructions in UTM, derived zones.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.zones.rules`: ``load_rules``, ``ZoneRules``, ``KindRule``, ``MODIFIERS``
- :mod:`geo.zones.lists`: ``load_seats``, ``load_unit_list``
- :mod:`geo.zones.triggers`: ``Trigger``, ``find_triggers``, ``attach_places``
- :mod:`geo.zones.derivation`: ``derive``, ``derive_zones``
- :mod:`geo.zones.belt`: ``check_belt``, ``belt_limits``
- :mod:`geo.zones.build`: ``SkippedPlace``
- :mod:`geo.zones.frames`: ``zone_styles``, ``zones_frame``, ``zones_geojson``, ``FRAME_COLUMNS``

The modules underneath: :mod:`geo.zones.tomlfile` (reading the TOML files in ``data/``),
:mod:`geo.zones.atlas` (the boundary index), :mod:`geo.zones.build` (what the constructions share),
one module per construction (:mod:`geo.zones.seat_and_area`, :mod:`geo.zones.belt`,
:mod:`geo.zones.unit_list`, :mod:`geo.zones.modified_area`), :mod:`geo.zones.geometry` (the UTM
shapes they draw) and :mod:`geo.zones.coverage` (area, units covered and touched).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_rules": "rules",
    "ZoneRules": "rules",
    "KindRule": "rules",
    "MODIFIERS": "rules",
    "load_seats": "lists",
    "load_unit_list": "lists",
    "Trigger": "triggers",
    "find_triggers": "triggers",
    "attach_places": "triggers",
    "derive": "derivation",
    "derive_zones": "derivation",
    "check_belt": "belt",
    "belt_limits": "belt",
    "SkippedPlace": "build",
    "zone_styles": "frames",
    "zones_frame": "frames",
    "zones_geojson": "frames",
    "FRAME_COLUMNS": "frames",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
