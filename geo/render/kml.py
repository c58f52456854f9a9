"""KML documents of the places and zones layers (Google Earth, QGIS, ArcGIS).

:func:`build` turns the two export layers into one KML document: a ``Places`` folder of points
named in English (the Arabic name and the sentence in the description) and a ``Zones`` folder of
polygons styled like the map. Every column of a row becomes ExtendedData, so the provenance travels
with the feature.
"""

from __future__ import annotations

import html
import math
from typing import Any

import geopandas as gpd
import simplekml
from shapely.geometry.base import BaseGeometry

from geo.errors import ExportError

#: Fallback style of a zone kind the style table does not know.
DEFAULT_STYLE: dict[str, Any] = {
    "color": "#555555",
    "fill_color": "#999999",
    "fill_opacity": 0.2,
    "weight": 2,
}


def kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity in [0, 1] as KML's ``aabbggrr``."""
    value = hex_color.lstrip("#")
    if len(value) != 6:
        msg = f"colour must be #rrggbb, got {hex_color!r}"
        raise ExportError(msg)
    alpha = max(0, min(255, round(opacity * 255)))
    return f"{alpha:02x}{value[4:6]}{value[2:4]}{value[0:2]}".lower()


def _value(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    try:
        import pandas as pd

        if v is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(v)


def _extended(feature: Any, row: dict[str, Any]) -> None:
    for key, v in row.items():
        if key != "geometry":
            feature.extendeddata.newdata(name=key, value=_value(v))


def _rings(polygon: BaseGeometry) -> tuple[list[tuple[float, float]], list[list[tuple[float, float]]]]:
    outer = [(x, y) for x, y, *_ in polygon.exterior.coords]
    inner = [[(x, y) for x, y, *_ in ring.coords] for ring in polygon.interiors]
    return outer, inner


def _add_geometry(container: Any, geom: BaseGeometry, name: str) -> list[Any]:
    """Add ``geom`` to a folder or a multigeometry; returns the KML geometries it made."""
    kind = geom.geom_type
    if kind == "Point":
        return [container.newpoint(name=name, coords=[(geom.x, geom.y)])]
    if kind == "LineString":
        return [container.newlinestring(name=name, coords=list(geom.coords))]
    if kind == "Polygon":
        outer, inner = _rings(geom)
        return [container.newpolygon(name=name, outerboundaryis=outer, innerboundaryis=inner)]
    if kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
        multi = container.newmultigeometry(name=name)
        for part in geom.geoms:
            _add_geometry(multi, part, name)
        return [multi]
    msg = f"cannot write a {kind} geometry to KML"
    raise ExportError(msg)


def _zone_style(style: dict[str, Any]) -> simplekml.Style:
    shared = simplekml.Style()
    shared.linestyle.color = kml_color(str(style.get("color", DEFAULT_STYLE["color"])))
    shared.linestyle.width = float(style.get("weight", DEFAULT_STYLE["weight"]))
    fill = str(style.get("fill_color") or style.get("color") or DEFAULT_STYLE["fill_color"])
    opacity = float(style.get("fill_opacity", DEFAULT_STYLE["fill_opacity"]))
    # KML viewers show very faint fills as nothing; keep them visible but light
    shared.polystyle.color = kml_color(fill, max(opacity, 0.15))
    shared.iconstyle.color = kml_color(str(style.get("color", DEFAULT_STYLE["color"])))
    return shared


def build(
    *,
    title: str,
    places: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    styles: dict[str, dict[str, Any]],
    attribution: str,
) -> str:
    """The KML text of both layers (rows of :func:`geo.render.export.places_layer` / ``zones_layer``)."""
    doc = simplekml.Kml(name=title)
    doc.document.description = attribution
    place_folder = doc.newfolder(name="Places")
    place_style = simplekml.Style()
    place_style.iconstyle.scale = 0.8
    for row in places.to_dict("records"):
        point = place_folder.newpoint(name=_value(row["name"]), coords=[(row["lon"], row["lat"])])
        point.description = (
            f"{html.escape(_value(row['name_ar']))} ({html.escape(_value(row['kind']))})<br/>"
            f'<span dir="rtl">{html.escape(_value(row["sentence"]))}</span>'
        )
        point.style = place_style
        _extended(point, row)
    zone_folder = doc.newfolder(name="Zones")
    kind_styles = {kind: _zone_style(style) for kind, style in styles.items()}
    for row in zones.to_dict("records"):
        style = kind_styles.get(row["kind"])
        if style is None:
            style = kind_styles[row["kind"]] = _zone_style(DEFAULT_STYLE)
        geom = row["geometry"]
        if geom is None or geom.is_empty:
            continue
        for feature in _add_geometry(zone_folder, geom, _value(row["label"])):
            feature.style = style
            feature.description = (
                f"{html.escape(_value(row['label_ar']))}<br/>"
                f'<span dir="rtl">{html.escape(_value(row["sentence"]))}</span>'
            )
            _extended(feature, row)
    return str(doc.kml())
