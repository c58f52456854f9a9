"""The offline basemap: Iraq's neighbours, its major rivers, lakes and mountain ranges, and its towns.

Drawn as vector layers from bundled or cached data, never from tiles, so the map has its bearings
with no internet: the countries around Iraq (Natural Earth, :func:`geo.data.boundaries.load_countries`),
the rivers, lakes, marshes, ranges and mountains of ``data/physical_features.toml`` (``[[feature]]``
tables with ``id``, ``kind`` or ``type``, ``name_en`` or ``name``, ``name_ar``, ``points`` and
optionally ``line``), and the governorate seats of
``data/governorate_seats.toml`` as the towns. Their names are labels (:mod:`geo.render.labels`).

OpenStreetMap tiles stay an option (:func:`osm_layer`); they need the internet, and when their
tiles fail to load the map says so in a notice and keeps showing this basemap.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo.data import boundaries
from geo.data.cache import REPO_ROOT
from geo.render.mapbase import render_plain, stable

log = logging.getLogger(__name__)

PHYSICAL_FEATURES = REPO_ROOT / "data" / "physical_features.toml"
#: What the basemap covers (lon min, lat min, lon max, lat max): Iraq and a margin of its neighbours.
WINDOW = (33.5, 26.0, 53.0, 41.0)
#: Simplification of the country outlines, in degrees (~1 km): orientation, not boundaries.
COUNTRY_TOLERANCE_DEG = 0.01
#: Feature kinds of the physical features file the basemap draws (others are left out).
DRAWN_KINDS = ("river", "lake", "marsh", "range", "mountain")
COUNTRY_STYLE: dict[str, Any] = {
    "color": "#b9b3a7",
    "weight": 0.8,
    "fillColor": "#e9e5dd",
    "fillOpacity": 1.0,
}
FEATURE_STYLES: dict[str, dict[str, Any]] = {
    "river": {"color": "#6d9ec9", "weight": 1.6, "opacity": 0.9},
    "lake": {"color": "#6d9ec9", "weight": 0.8, "fillColor": "#b7d3ea", "fillOpacity": 0.9},
    "marsh": {
        "color": "#7fa9b8",
        "weight": 0.6,
        "fillColor": "#cfe3e3",
        "fillOpacity": 0.8,
        "dashArray": "2 3",
    },
    "range": {"color": "#a88a6a", "weight": 1.2, "opacity": 0.75, "dashArray": "1 4", "lineCap": "round"},
}
#: How the features drawn as points look (towns, lakes and marshes known by their centre, peaks).
POINT_STYLES: dict[str, dict[str, Any]] = {
    "town": {"radius": 2.5, "weight": 1, "color": "#444444", "fillColor": "#ffffff", "fillOpacity": 1},
    "lake": {"radius": 5, "weight": 0.8, "color": "#6d9ec9", "fillColor": "#b7d3ea", "fillOpacity": 1},
    "marsh": {"radius": 5, "weight": 0.8, "color": "#7fa9b8", "fillColor": "#cfe3e3", "fillOpacity": 1},
    "mountain": {"radius": 2.5, "weight": 1, "color": "#7b5a3a", "fillColor": "#a88a6a", "fillOpacity": 1},
    "range": {"radius": 2.5, "weight": 1, "color": "#7b5a3a", "fillColor": "#a88a6a", "fillOpacity": 1},
}
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
#: Shown on the map when OpenStreetMap tiles fail to load (no internet).
OSM_OFFLINE_NOTICE = (
    "OpenStreetMap needs the internet and its tiles could not be loaded: showing the offline basemap."
)


@dataclass(frozen=True)
class PhysicalFeature:
    """A river, lake, range or mountain of ``data/physical_features.toml``."""

    id: str
    kind: str
    name_en: str
    name_ar: str
    points: tuple[tuple[float, float], ...]  # (lon, lat)
    line: bool


#: Kinds drawn as a line through their points when the file does not say (``line``).
LINE_KINDS = ("river", "range", "wadi", "valley")


def _lon_lat(point: Any) -> tuple[float, float]:
    """A ``[lon, lat]`` or ``[lat, lon]`` pair as (lon, lat).

    Around Iraq every longitude (east of 34 E) is larger than every latitude (south of 42 N),
    so the larger number is the longitude, whichever order the file writes.
    """
    a, b = float(point[0]), float(point[1])
    return (a, b) if a > b else (b, a)


def _feature(raw: dict[str, Any]) -> PhysicalFeature:
    """One ``[[feature]]`` table: ``kind`` (or ``type``), ``name_en`` (or ``name``), ``points``."""
    points = tuple(_lon_lat(p) for p in raw["points"])
    if not points or not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        msg = f"points must be coordinate pairs in degrees, got {raw['points']!r}"
        raise ValueError(msg)
    kind = str(raw.get("kind") or raw["type"])
    line = raw.get("line")
    return PhysicalFeature(
        id=str(raw["id"]),
        kind=kind,
        name_en=str(raw.get("name_en") or raw.get("name") or ""),
        name_ar=str(raw.get("name_ar") or ""),
        points=points,
        line=bool(line) if line is not None else (kind in LINE_KINDS and len(points) > 1),
    )


def physical_features(path: Path = PHYSICAL_FEATURES) -> tuple[PhysicalFeature, ...]:
    """The features of the physical features file (none when it is absent; bad entries are skipped)."""
    try:
        stat = path.stat()
    except OSError:
        log.info("no physical features on the basemap: %s is absent", path)
        return ()
    return _physical_features(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _physical_features(path: str, _mtime: int, _size: int) -> tuple[PhysicalFeature, ...]:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("the basemap leaves out the physical features: cannot read %s (%s)", path, exc)
        return ()
    out = []
    for n, raw in enumerate(doc.get("feature", []), start=1):
        try:
            out.append(_feature(raw))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            log.warning("%s: feature %d is skipped (expected id, kind and points; %s)", path, n, exc)
    return tuple(out)


def feature_geometry(feature: PhysicalFeature) -> Any:
    """The shape a feature is drawn with: a line, a polygon (lakes, marshes) or a point."""
    pts = feature.points
    if len(pts) == 1:
        return shapely.Point(pts[0])
    if feature.line or feature.kind not in ("lake", "marsh") or len(pts) < 3:
        return shapely.LineString(pts)
    return shapely.Polygon(pts).buffer(0)


def feature_anchor(feature: PhysicalFeature) -> tuple[float, float]:
    """(lat, lon) where a feature's name goes: on the shape, near its middle."""
    geom = feature_geometry(feature)
    if geom.geom_type == "LineString":
        point = geom.interpolate(0.5, normalized=True)
    else:
        point = geom.representative_point() if not geom.is_empty else shapely.Point(feature.points[0])
    return point.y, point.x


def _json(data: Any) -> str:
    from jinja2.utils import htmlsafe_json_dumps

    return str(htmlsafe_json_dumps(data, separators=(",", ":")))


def _round(geom: Any, decimals: int = 3) -> Any:
    import numpy as np

    return shapely.transform(geom, lambda c: np.round(c, decimals))


@lru_cache(maxsize=1)
def country_shapes() -> tuple[tuple[str, str, str, Any], ...]:
    """``(iso3, name_en, name_ar, geometry)`` of Iraq's neighbours inside :data:`WINDOW` (web weight)."""
    gdf = boundaries.load_countries()
    if gdf is None:
        return ()
    window = shapely.box(*WINDOW)
    out = []
    for row in gdf.itertuples(index=False):
        if row.iso3 == "IRQ":  # COD-AB draws Iraq
            continue
        part = shapely.intersection(row.geometry, window)
        if part.is_empty:
            continue
        simple = shapely.simplify(part, COUNTRY_TOLERANCE_DEG, preserve_topology=True)
        out.append((str(row.iso3), str(row.name_en), str(row.name_ar), _round(simple)))
    return tuple(out)


@lru_cache(maxsize=1)
def basemap_geojson() -> str:
    """Countries, physical features and towns as one GeoJSON text safe inside ``<script>``."""
    features = [
        {"type": "Feature", "properties": {"k": "country"}, "geometry": shapely.geometry.mapping(geom)}
        for _iso, _en, _ar, geom in country_shapes()
    ]
    from geo.zones.lists import load_seats

    for seat in load_seats().values():
        features.append(
            {
                "type": "Feature",
                "properties": {"k": "town"},
                "geometry": {"type": "Point", "coordinates": [round(seat.lon, 4), round(seat.lat, 4)]},
            }
        )
    for feature in physical_features():
        if feature.kind not in DRAWN_KINDS:
            continue
        geom = feature_geometry(feature)
        if geom.is_empty:
            continue
        features.append(
            {"type": "Feature", "properties": {"k": feature.kind}, "geometry": shapely.geometry.mapping(geom)}
        )
    return _json({"type": "FeatureCollection", "features": features})


class BasemapLayer(folium.map.Layer):
    """The offline basemap as one non-interactive ``L.geoJson``: countries under every other layer,
    rivers, lakes, ranges and towns over the boundaries' fill and under the zones' markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.createPane("zaBase").style.zIndex = 250;
        {{ this._parent.get_name() }}.createPane("zaWater").style.zIndex = 420;
        {{ this._parent.get_name() }}.getPane("zaWater").style.pointerEvents = "none";
        var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
            pane: "zaBase", interactive: false,
            style: function (f) { var s = {{ this.styles|tojson }}; return s[f.properties.k] || s.country; },
            pointToLayer: function (f, ll) {
                var p = {{ this.points|tojson }}, s = p[f.properties.k] || p.town;
                return L.circleMarker(ll, L.extend({interactive: false}, s));
            },
            // countries under everything; rivers, lakes, ranges and towns over the boundaries' fill
            onEachFeature: function (f, layer) {
                if (f.properties.k !== "country") layer.options.pane = "zaWater";
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(name="Basemap: countries, rivers, lakes (offline)", overlay=True, control=True)
        self._name = "BasemapLayer"
        self.styles = {"country": COUNTRY_STYLE, **FEATURE_STYLES}
        self.points = POINT_STYLES
        self.data_json = basemap_geojson()

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        assert self._parent is not None, "add the basemap to a map first"
        self.add_child(
            folium.map.ElementAddToElement(
                element_name=self.get_name(), element_parent_name=self._parent.get_name()
            ),
            name=self.get_name() + "_add",
        )
        render_plain(self, kwargs)


class OfflineNotice(MacroElement):
    """Counts OpenStreetMap tile failures; with errors and no tile loaded, shows a notice on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }}, failed = 0, loaded = 0, box = null;
            function show() {
                if (box || loaded || !layer._map) return;
                box = L.DomUtil.create("div", "za-offline-notice", layer._map.getContainer());
                box.setAttribute("role", "status");
                box.textContent = {{ this.text|tojson }};
            }
            layer.on("tileload", function () { loaded += 1; if (box) { box.remove(); box = null; } });
            layer.on("tileerror", function () { failed += 1; if (failed >= 2) show(); });
            layer.on("remove", function () { if (box) { box.remove(); box = null; } });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, text: str = OSM_OFFLINE_NOTICE) -> None:
        super().__init__()
        self._name = "OfflineNotice"
        self.text = text


def osm_layer() -> folium.TileLayer:
    """OpenStreetMap tiles over the offline basemap, with the offline notice when they fail."""
    layer = folium.TileLayer(
        OSM_TILES, name="OpenStreetMap (needs internet)", attr=OSM_ATTRIBUTION, max_zoom=18
    )
    OfflineNotice().add_to(layer)
    return stable(layer, "zaosm")
