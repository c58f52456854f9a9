"""KML documents of the places and zones layers (Google Earth, QGIS, ArcGIS), valid OGC KML 2.2.

:func:`build` turns the two export layers into one KML document: a ``Places`` folder of points
named in English (the Arabic name and the sentence in the description) and a ``Zones`` folder of
polygons styled like the map. Every column of a row becomes ExtendedData, so the provenance travels
with the feature.

The document is an element tree serialised by :mod:`xml.etree.ElementTree`; no markup is ever
built from strings. Article text (sentences, mentions, the file name) is therefore always
character data: an ``&``, a ``<`` or a whole ``<NetworkLink>`` in an article becomes text in a
``<description>`` or ``<value>``, never an element. Descriptions are HTML (Google Earth renders
them as such), so the article text inside them is HTML-escaped first and then XML-escaped by the
writer; no CDATA is used. Each style carries a ``BalloonStyle`` whose template shows only that
description, so a viewer never renders the raw ExtendedData values as HTML. Characters XML 1.0
cannot carry (control characters, lone surrogates) become U+FFFD.

Element order, ids (``place-1``, ``zone-3``, ``style-place``: valid ``xsd:ID``) and content
follow the OGC KML 2.2 schema (``ogckml22.xsd``); ``tests/test_kml.py`` validates every kind of
document against it.

Examples
--------
>>> from geo.render import export, kml
>>> text = kml.build(  # doctest: +SKIP
...     title="Zone Atlas: a.txt",
...     places=export.places_layer(analysis),
...     zones=export.zones_layer(analysis),
...     styles={},
...     attribution="Boundaries: OCHA",
... )
"""

from __future__ import annotations

import html
import logging
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from geo.errors import ExportError

log = logging.getLogger(__name__)

#: The KML 2.2 namespace: the only one the documents use.
KML_NS = "http://www.opengis.net/kml/2.2"
#: Id of the one style every place shares.
PLACE_STYLE_ID = "style-place"
#: What a viewer's balloon shows: our (escaped) description and nothing else.
BALLOON_TEXT = "$[description]"

#: Fallback style of a zone kind the style table does not know.
DEFAULT_STYLE: dict[str, Any] = {
    "color": "#555555",
    "fill_color": "#999999",
    "fill_opacity": 0.2,
    "weight": 2,
}

# XML 1.0 Char production: anything else cannot appear in a document, even escaped
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_ID_CHAR = re.compile(r"[^A-Za-z0-9_.-]+")


def kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity in [0, 1] as KML's ``aabbggrr``."""
    value = hex_color.lstrip("#")
    if len(value) != 6 or not all(c in "0123456789abcdefABCDEF" for c in value):
        msg = f"colour must be #rrggbb, got {hex_color!r}"
        raise ExportError(msg)
    alpha = max(0, min(255, round(opacity * 255)))
    return f"{alpha:02x}{value[4:6]}{value[2:4]}{value[0:2]}".lower()


def xml_text(value: Any) -> str:
    """``value`` as text an XML 1.0 document can carry (None/NaN/NA -> ``""``; bad characters -> U+FFFD)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return _NOT_XML_CHAR.sub("\ufffd", str(value))


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrib: str) -> ET.Element:
    """A child ``<tag>`` of ``parent`` (in the document's default namespace), text escaped on writing."""
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _coordinates(coords: Iterable[tuple[float, ...]]) -> str:
    """KML ``lon,lat`` tuples separated by spaces (a third ordinate is dropped)."""
    out = []
    for x, y, *_ in coords:
        if not (math.isfinite(x) and math.isfinite(y)):
            msg = f"coordinates must be finite numbers, got ({x}, {y})"
            raise ExportError(msg)
        out.append(f"{float(x)!r},{float(y)!r}")
    return " ".join(out)


def _geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    """Append the KML geometry of ``geom`` (a point, line, polygon or collection) to ``parent``."""
    kind = geom.geom_type
    if kind == "Point":
        point = _sub(parent, "Point")
        _sub(point, "coordinates", _coordinates(geom.coords))
    elif kind == "LineString":
        line = _sub(parent, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", _coordinates(geom.coords))
    elif kind == "Polygon":
        polygon = _sub(parent, "Polygon")
        _sub(polygon, "tessellate", "1")
        outer = _sub(_sub(polygon, "outerBoundaryIs"), "LinearRing")
        _sub(outer, "coordinates", _coordinates(geom.exterior.coords))
        for ring in geom.interiors:
            inner = _sub(_sub(polygon, "innerBoundaryIs"), "LinearRing")
            _sub(inner, "coordinates", _coordinates(ring.coords))
    elif kind in ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
        multi = _sub(parent, "MultiGeometry")
        for part in geom.geoms:
            if not part.is_empty:
                _geometry(multi, part)
    else:
        msg = f"cannot write a {kind} geometry to KML; expected a point, line, polygon or collection"
        raise ExportError(msg)


def _style(parent: ET.Element, style_id: str, style: dict[str, Any] | None) -> None:
    """A shared ``<Style>``: the place pin when ``style`` is None, else a zone kind's outline and fill.

    Children follow the schema's order: IconStyle, LineStyle, PolyStyle, BalloonStyle.
    """
    element = _sub(parent, "Style", id=style_id)
    if style is None:
        icon = _sub(element, "IconStyle")
        _sub(icon, "scale", "0.8")
    else:
        line_color = kml_color(str(style.get("color") or DEFAULT_STYLE["color"]))
        icon = _sub(element, "IconStyle")
        _sub(icon, "color", line_color)
        line = _sub(element, "LineStyle")
        _sub(line, "color", line_color)
        _sub(line, "width", repr(float(style.get("weight", DEFAULT_STYLE["weight"]))))
        fill = str(style.get("fill_color") or style.get("color") or DEFAULT_STYLE["fill_color"])
        opacity = float(style.get("fill_opacity", DEFAULT_STYLE["fill_opacity"]))
        # KML viewers show very faint fills as nothing; keep them visible but light
        _sub(_sub(element, "PolyStyle"), "color", kml_color(fill, max(opacity, 0.15)))
    _sub(_sub(element, "BalloonStyle"), "text", BALLOON_TEXT)


def _style_ids(kinds: Iterable[str]) -> dict[str, str]:
    """A valid, unique ``xsd:ID`` per zone kind (``operations_room`` -> ``style-operations_room``)."""
    ids: dict[str, str] = {}
    used = {PLACE_STYLE_ID}
    for kind in kinds:
        if kind in ids:
            continue
        base = "style-" + (_NOT_ID_CHAR.sub("-", kind).strip("-") or "zone")
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids[kind] = candidate
    return ids


def _description(heading: Any, subtitle: str, sentence: Any) -> str:
    """The balloon's HTML; every value in it is HTML-escaped (the writer then XML-escapes it all)."""
    parts = [f"<b>{html.escape(xml_text(heading))}</b>"]
    if subtitle:
        parts.append(html.escape(subtitle))
    text = xml_text(sentence)
    if text:
        parts.append(f'<span dir="auto">{html.escape(text)}</span>')
    return "<br/>".join(parts)


def _placemark(
    folder: ET.Element,
    *,
    placemark_id: str,
    name: Any,
    description: str,
    style_id: str,
    row: dict[str, Any],
) -> ET.Element:
    """A ``<Placemark>`` with name, description, style and every column as ExtendedData (no geometry)."""
    placemark = _sub(folder, "Placemark", id=placemark_id)
    _sub(placemark, "name", name)
    _sub(placemark, "description", description)
    _sub(placemark, "styleUrl", f"#{style_id}")
    extended = _sub(placemark, "ExtendedData")
    for key, value in row.items():
        if key != "geometry":
            _sub(_sub(extended, "Data", name=str(key)), "value", value)
    return placemark


def build(
    *,
    title: str,
    places: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    styles: dict[str, dict[str, Any]],
    attribution: str,
) -> str:
    """The KML text of both layers (rows of :func:`geo.render.export.places_layer` / ``zones_layer``).

    Parameters
    ----------
    title
        Name of the KML document (shown as plain text).
    places, zones
        The export layers; every column but ``geometry`` becomes ExtendedData.
    styles
        Zone kind -> map style (``color``, ``fill_color``, ``fill_opacity``, ``weight``); kinds not
        in it get :data:`DEFAULT_STYLE`.
    attribution
        The data attribution, the document's description.

    Returns
    -------
    str
        A UTF-8 KML 2.2 document, XML declaration included.
    """
    # Tags are unqualified and the root declares KML as the default namespace, so every element
    # is in the KML namespace and the attributes (id, name) stay unqualified, as the schema wants
    root = ET.Element("kml", {"xmlns": KML_NS})
    document = _sub(root, "Document", id="zone-atlas")
    _sub(document, "name", title)
    _sub(document, "description", html.escape(xml_text(attribution)))
    zone_rows = [row for row in zones.to_dict("records") if row["geometry"] is not None]
    zone_rows = [row for row in zone_rows if not row["geometry"].is_empty]
    kinds = [str(row["kind"]) for row in zone_rows]
    style_ids = _style_ids(kinds)
    # Styles are shared children of the Document, after its description (schema order)
    _style(document, PLACE_STYLE_ID, None)
    for kind, style_id in style_ids.items():
        _style(document, style_id, styles.get(kind, DEFAULT_STYLE))

    place_folder = _sub(document, "Folder", id="places")
    _sub(place_folder, "name", "Places")
    for n, row in enumerate(places.to_dict("records"), start=1):
        subtitle = f"{xml_text(row['name_ar'])} ({xml_text(row['kind'])})"
        placemark = _placemark(
            place_folder,
            placemark_id=f"place-{n}",
            name=row["name"],
            description=_description(row["name"], subtitle, row["sentence"]),
            style_id=PLACE_STYLE_ID,
            row=row,
        )
        point = row.get("geometry")
        if point is not None and not point.is_empty and all(map(math.isfinite, point.coords[0])):
            _geometry(placemark, point)
        else:
            log.warning("place %r has no finite lat/lon; written without a point", row["name"])

    zone_folder = _sub(document, "Folder", id="zones")
    _sub(zone_folder, "name", "Zones")
    for n, row in enumerate(zone_rows, start=1):
        placemark = _placemark(
            zone_folder,
            placemark_id=f"zone-{n}",
            name=row["label"],
            description=_description(row["label"], xml_text(row["label_ar"]), row["sentence"]),
            style_id=style_ids[str(row["kind"])],
            row=row,
        )
        _geometry(placemark, row["geometry"])

    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
