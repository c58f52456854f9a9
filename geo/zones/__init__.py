"""The zone stage: the rules file, triggers in the text, constructions in UTM, derived zones.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.zones.rules`: ``load_rules``, ``ZoneRules``, ``KindRule``
- :mod:`geo.zones.triggers`: ``Trigger``, ``find_triggers``, ``attach_places``
- :mod:`geo.zones.derivation`: ``derive``, ``derive_zones``, ``zone_styles``, ``zones_frame``, ``zones_geojson``, ``check_belt``
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_rules": "rules",
    "ZoneRules": "rules",
    "KindRule": "rules",
    "Trigger": "triggers",
    "find_triggers": "triggers",
    "attach_places": "triggers",
    "derive": "derivation",
    "derive_zones": "derivation",
    "zone_styles": "derivation",
    "zones_frame": "derivation",
    "zones_geojson": "derivation",
    "check_belt": "derivation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
