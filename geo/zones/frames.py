"""The zones as the map and the exports take them: a GeoDataFrame, GeoJSON, styles per kind.

:func:`zones_frame` is the one conversion of zones to a GeoDataFrame (EPSG:4326, its columns
:data:`FRAME_COLUMNS`), :func:`zones_geojson` a FeatureCollection, and :func:`zone_styles` the map
style of each zone kind in the rules file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np

from geo.model import Zone
from geo.zones import geometry as geom
from geo.zones.rules import ZoneRules, load_rules

#: Columns of :func:`zones_frame` (plus ``geometry``); the exports' zones layer starts with these.
FRAME_COLUMNS = (
    "id",
    "kind",
    "label",
    "label_ar",
    "places",
    "trigger_start",
    "trigger_end",
    "trigger_text",
    "occurrences",
    "sentence_start",
    "sentence_end",
    "sentence",
    "construction",
    "params",
    "dataset",
    "area_km2",
    "covers",
    "touches",
    "seat_lat",
    "seat_lon",
)


def zone_styles(rules: ZoneRules | None = None) -> dict[str, dict[str, Any]]:
    """Map style per zone kind: ``color``, ``fill_color``, ``fill_opacity``, ``weight``, ``dash``
    (a Leaflet dash pattern, ``""`` for solid) and optionally ``marker``, plus ``label``/``label_ar``.
    """
    rules = rules or load_rules()
    return {
        kind: dict(rule.style, label=rule.label, label_ar=rule.label_ar) for kind, rule in rules.kinds.items()
    }


def zones_frame(zones: Iterable[Zone]) -> gpd.GeoDataFrame:
    """One row per zone (EPSG:4326, valid geometries) with its provenance and statistics.

    List columns (``places``, ``covers``, ``touches``) are comma-separated strings and ``params``
    is a JSON string, so the frame writes to GeoPackage and CSV as it is. ``occurrences`` counts
    the trigger phrases that describe the zone (``trigger_*`` is the first of them).
    """
    rows = []
    geoms = []
    for z in zones:
        rows.append(
            {
                "id": z.id,
                "kind": z.kind,
                "label": z.label,
                "label_ar": z.label_ar,
                "places": ", ".join(z.places),
                "trigger_start": z.trigger.start,
                "trigger_end": z.trigger.end,
                "trigger_text": z.trigger.text,
                "occurrences": len(z.occurrences),
                "sentence_start": z.sentence.start,
                "sentence_end": z.sentence.end,
                "sentence": z.sentence.text,
                "construction": z.construction,
                "params": json.dumps(z.params, ensure_ascii=False, sort_keys=True),
                "dataset": z.dataset,
                "area_km2": round(z.area_km2, 1),
                "covers": ", ".join(z.covers),
                "touches": ", ".join(z.touches),
                "seat_lat": z.seat[0] if z.seat else np.nan,
                "seat_lon": z.seat[1] if z.seat else np.nan,
            }
        )
        geoms.append(geom.clean(z.geometry))
    frame = gpd.GeoDataFrame(
        rows, columns=list(FRAME_COLUMNS), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326"
    )
    return frame


def zones_geojson(zones: Iterable[Zone]) -> dict[str, Any]:
    """The zones as a GeoJSON FeatureCollection (properties = :meth:`Zone.to_dict` minus geometry)."""
    features = []
    for z in zones:
        props = z.to_dict()
        geometry = props.pop("geometry")
        features.append({"type": "Feature", "id": z.id, "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
