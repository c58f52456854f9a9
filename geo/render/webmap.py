"""folium maps of the canonical boundaries, and of an article's places and zones.

Pure functions from GeoDataFrames and analyses to folium objects: the dashboard and the exports
render the same map (:func:`analysis_map`). Maps start with no basemap tiles (they must paint
offline); OpenStreetMap can be switched on. Every text that reaches a popup, tooltip, legend or
layer name is escaped by :mod:`geo.render.highlight`; every element an analysis adds gets a stable id,
so the same analysis always renders to the same script.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import folium
import folium.plugins
import shapely
from branca.element import Element, Html, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.data import boundaries, sources
from geo.model import Analysis, Place, Zone
from geo.render import highlight

#: The dashboard's static route for the local Leaflet copies (see geo.render.webassets).
DASHBOARD_ASSET_URL = "/app/static/vendor"
IRAQ_BOUNDS = [[29.06, 38.79], [37.38, 48.63]]
OSM_TILES = "OpenStreetMap"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"

LEVEL_STYLES: dict[int, dict[str, object]] = {
    1: {
        "name": "Governorates (ADM1)",
        "color": "#3b3b3b",
        "weight": 2.0,
        "fillColor": "#f4f1ea",
        "fillOpacity": 0.55,
    },
    2: {
        "name": "Districts (ADM2)",
        "color": "#7a7a7a",
        "weight": 0.9,
        "fillColor": "#000000",
        "fillOpacity": 0.0,
    },
    3: {
        "name": "Sub-districts (ADM3)",
        "color": "#a0a0a0",
        "weight": 0.5,
        "fillColor": "#000000",
        "fillOpacity": 0.0,
        "dashArray": "2 3",
    },
}
LEVEL_LABELS = {1: "Governorate", 2: "District", 3: "Sub-district"}


def new_map(basemap: str | None = None, height: str | int = "100%") -> folium.Map:
    """An empty map framed on Iraq, with a scale bar and no tiles unless ``basemap="osm"``."""
    m = folium.Map(
        location=[33.2, 43.7],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        height=height,
        zoom_snap=0.25,  # fractional zoom: fitting a view frames it tightly, not at the next whole level
        zoom_delta=0.5,
    )
    m.get_root().html.add_child(folium.Element("<style>.leaflet-container{background:#dde6ee;}</style>"))
    if basemap == "osm":
        folium.TileLayer(OSM_TILES, name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION).add_to(m)
    m.fit_bounds(IRAQ_BOUNDS)
    return m


def boundaries_map(levels: tuple[int, ...] = (1, 2), basemap: str | None = None) -> folium.Map:
    """The first map: Iraq's governorates and districts (web-weight), layer control, scale bar."""
    m = new_map(basemap=basemap)
    for level in levels:
        BoundaryLayer(level).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    attribution(m)
    return m


class _Attribution(MacroElement):
    """Adds a line to Leaflet's own attribution control (kept in every render of the map)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def attribution(m: folium.Map) -> None:
    """Credit the boundary dataset in the map's attribution corner."""
    _Attribution(sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution).add_to(m)


# --------------------------------------------------------------------------------------------
# Elements that render fast
#
# folium wraps every rendered script in a new branca Element, which compiles it as a Jinja
# template: costly for scripts that carry coordinates. The elements below hand their output over
# as plain text instead, so a map with boundaries and zones renders in a few milliseconds.


class _Rendered(Element):
    """Already-rendered text, kept as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _render_plain(element: MacroElement, kwargs: dict[str, Any]) -> None:
    """:meth:`MacroElement.render`, with the output passed on as plain text."""
    figure = element.get_root()
    module = element._template.module.__dict__
    for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
        macro = module.get(part)
        if macro is not None:
            target.add_child(_Rendered(macro(element, kwargs)), name=element.get_name())
    for child in list(element._children.values()):
        child.render(**kwargs)


class _FastPopup(folium.Popup):
    """A popup that renders without compiling its content as a template, and without jQuery.

    The content travels as a JSON string literal (``<`` escaped) and is parsed by a ``<template>``
    element, so no quote, backtick or ``${`` in it can end the string early.
    """

    _template = Template(
        """
        var {{ this.get_name() }} = L.popup({{ this.options|tojavascript }});
        {% for name, element in this.html._children.items() %}
        var {{ name }} = (function () {
            var t = document.createElement("template");
            t.innerHTML = {{ element.render(**kwargs)|tojson }};
            return t.content.firstElementChild;
        })();
        {{ this.get_name() }}.setContent({{ name }});
        {% endfor %}
        {{ this._parent.get_name() }}.bindPopup({{ this.get_name() }}){% if this.show %}.openPopup(){% endif %};
        """
    )

    def render(self, **kwargs: Any) -> None:
        for child in self._children.values():
            child.render(**kwargs)
        self.get_root().script.add_child(
            _Rendered(self._template.render(this=self, kwargs=kwargs)), name=self.get_name()
        )


class BoundaryLayer(folium.map.Layer):
    """One admin level as ``L.geoJson``: uniform style, hover outline, tooltip built as text.

    The GeoJSON is serialised once per process (:func:`boundary_geojson`), so a map with
    boundaries costs almost nothing to render again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
            style: function () { return {{ this.style|tojson }}; },
            onEachFeature: function (feature, layer) {
                var p = feature.properties, box = document.createElement("div");
                [{{ this.label|tojson }}, p.name_en, p.name_ar, "P-code " + p.pcode].forEach(function (t, i) {
                    var line = document.createElement(i ? "div" : "b");
                    line.textContent = t || "";
                    box.appendChild(line);
                });
                layer.bindTooltip(box, {sticky: true});
                layer.on("mouseover", function (e) { e.target.setStyle({weight: 3, color: "#c0392b"}); });
                layer.on("mouseout", function (e) { {{ this.get_name() }}.resetStyle(e.target); });
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, level: int, *, show: bool = True) -> None:
        style = dict(LEVEL_STYLES[level])
        super().__init__(name=html.escape(str(style.pop("name"))), overlay=True, control=True, show=show)
        self._name = "BoundaryLayer"
        self.level = level
        self.style = {**style, "className": f"za-adm za-adm{level}"}
        self.label = LEVEL_LABELS[level]
        self.data_json = boundary_geojson(level)

    def render(self, **kwargs: Any) -> None:
        if self.show:
            self.add_child(
                folium.map.ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        _render_plain(self, kwargs)

    def _get_self_bounds(self) -> list[list[float]]:
        return [[IRAQ_BOUNDS[0][0], IRAQ_BOUNDS[0][1]], [IRAQ_BOUNDS[1][0], IRAQ_BOUNDS[1][1]]]


@lru_cache(maxsize=8)
def boundary_geojson(level: int) -> str:
    """The web-weight layer of ``level`` as GeoJSON text safe inside ``<script>`` (5 decimals)."""
    import numpy as np
    from jinja2.utils import htmlsafe_json_dumps

    gdf = boundaries.load_level(level, web=True)[["pcode", "name_en", "name_ar", "geometry"]]
    gdf = gdf.set_geometry(shapely.transform(gdf.geometry.values, lambda c: np.round(c, 5)))
    return str(htmlsafe_json_dumps(gdf.to_geo_dict(drop_id=True), separators=(",", ":")))


# --------------------------------------------------------------------------------------------
# Places and zones of an analysis

#: Zoom level when the map is centred on one place, by kind.
KIND_ZOOM = {
    "country": 6,
    "region": 7,
    "governorate": 8,
    "district": 9,
    "subdistrict": 10,
    "city": 11,
    "town": 12,
    "village": 12,
    "other": 10,
}
#: Simplification tolerance of zone outlines on the web map, in degrees (~200 m).
ZONE_TOLERANCE_DEG = 0.002
#: Decimal places of zone coordinates on the web map (~1 m).
ZONE_DECIMALS = 5
PLACES_LAYER = "Places"
SEAT_SYMBOLS = {"star": "&#9733;", "square": "&#9632;", "circle": "&#9679;", "": "&#9733;"}
MAP_CSS = """
<style>
.leaflet-container{background:#dde6ee;font-family:"DejaVu Sans","Noto Sans Arabic",sans-serif;}
.za-popup{font-size:12.5px;line-height:1.45;min-width:240px;max-width:360px;}
.za-popup .za-quote{max-height:150px;overflow-y:auto;}
.za-popup .za-ref{color:#666;font-size:11px;}
.za-popup table.za-facts{border-collapse:collapse;margin:4px 0;}
.za-popup table.za-facts th{text-align:left;color:#555;font-weight:normal;padding:0 8px 0 0;vertical-align:top;}
.za-popup table.za-facts td{padding:0;}
.za-quote{margin:4px 0;padding:3px 6px;border-inline-start:3px solid #999;background:#f7f7f7;white-space:pre-wrap;}
.za-quote mark{background:#ffe066;padding:0 1px;}
.za-seat{font-size:22px;line-height:22px;text-align:center;text-shadow:0 0 2px #fff,0 0 4px #fff;}
.za-legend{background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;font-size:11px;
  line-height:1.45;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:300px;}
.za-legend .za-sw{display:inline-block;width:16px;height:11px;margin-right:6px;vertical-align:middle;}
.za-legend .za-dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;vertical-align:middle;}
.za-legend b{display:block;margin-top:3px;}
.leaflet-control-minimap{background:#dde6ee;}
.leaflet-control-attribution{font-size:10px;}
.za-legend summary{cursor:pointer;font-weight:bold;}
.za-legend .za-grid{display:grid;grid-template-columns:auto auto auto;column-gap:8px;}
</style>
"""


def _stable(element: Any, ident: str) -> Any:
    """Give ``element`` a fixed id (its JavaScript name), so renders are reproducible."""
    element._id = ident
    return element


def _popup(content: str, ident: str, max_width: int = 380) -> folium.Popup:
    """A popup of ready, escaped HTML (never re-parsed as a template)."""
    inner = _stable(Html(content, script=True), f"{ident}html")
    return _stable(_FastPopup(inner, max_width=max_width), f"{ident}popup")


def _tooltip(text: str, ident: str) -> folium.Tooltip:
    return _stable(folium.Tooltip(text, sticky=True), f"{ident}tip")


def _css_name(kind: str) -> str:
    """``kind`` reduced to a safe CSS class suffix."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in kind)[:40]


def place_radius(mentions: int) -> float:
    """Marker radius in pixels for a place mentioned ``mentions`` times (grows with the root)."""
    return round(6.0 + 3.0 * math.sqrt(max(mentions, 1) - 1), 1)


def places_layer(analysis: Analysis, *, name: str = PLACES_LAYER, show: bool = True) -> folium.FeatureGroup:
    """One circle marker per place: colour by kind, size by mentions, dashed when to review."""
    group = _stable(folium.FeatureGroup(name=html.escape(name), show=show), "zaplaces")
    for i, place in enumerate(analysis.places):
        if not (math.isfinite(place.lat) and math.isfinite(place.lon)):
            continue
        colour = highlight.place_colour(place.kind)
        review = highlight.needs_review(place)
        ident = f"zap{i}"
        marker = folium.CircleMarker(
            location=[place.lat, place.lon],
            radius=place_radius(len(place.mentions)),
            color="#222222" if not review else colour,
            weight=1.5 if not review else 2.5,
            dash_array="3 3" if review else None,
            fill=True,
            fill_color=colour,
            fill_opacity=0.85,
            class_name=f"za-place za-place-{_css_name(place.kind)}",
            popup=_popup(highlight.place_popup_html(analysis, i), ident),
            tooltip=_tooltip(highlight.place_tooltip(analysis, i), ident),
        )
        _stable(marker, ident).add_to(group)
    return group


def _latlngs(geom: Any) -> list[Any]:
    """Leaflet's nested [lat, lon] rings of a (multi)polygon: [[outer, hole...], ...]."""
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = [poly.exterior, *poly.interiors]
        out.append(
            [[[round(y, ZONE_DECIMALS), round(x, ZONE_DECIMALS)] for x, y in ring.coords] for ring in rings]
        )
    return out


def web_geometry(geom: Any, tolerance: float = ZONE_TOLERANCE_DEG) -> Any:
    """A zone outline light enough for a web map (simplified, topology kept)."""
    if geom is None or geom.is_empty:
        return geom
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    return simple if not simple.is_empty else geom


@lru_cache(maxsize=256)
def _web_latlngs(wkb: bytes) -> list[Any]:
    """Leaflet rings of a zone, simplified for the web (cached: analyses repeat zones)."""
    return _latlngs(web_geometry(shapely.from_wkb(wkb)))


class _ZonePolygon(folium.Polygon):
    """``L.polygon`` with Leaflet's nested rings, so one zone (holes, several parts) is one layer."""

    def __init__(self, latlngs: list[Any], **kwargs: Any) -> None:
        super().__init__(latlngs[0][0][:3], **kwargs)  # folium checks points one by one: slow
        self.locations = latlngs

    def render(self, **kwargs: Any) -> None:
        _render_plain(self, kwargs)


def _zone_options(style: highlight.ZoneStyle) -> dict[str, Any]:
    return {
        "color": style.colour,
        "weight": style.weight,
        "fill": True,
        "fill_color": style.fill_colour,
        "fill_opacity": style.fill_opacity,
        "dash_array": style.dash or None,
    }


def zone_layers(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    zone_kinds: Iterable[str] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> list[folium.FeatureGroup]:
    """One feature group per zone kind present: outlines, and seats as markers for the kinds whose
    style names a ``marker`` (operations rooms).

    Broad zones are drawn first and small ones over them, so that every zone can be seen and
    clicked: kinds by their median area, largest first (ties in style order), and zones within a
    kind by area. ``zone_kinds`` keeps only those kinds (None keeps all).
    """
    styles = _styles(styles)
    wanted = None if zone_kinds is None else set(zone_kinds)
    known = list(styles)
    present = {z.kind for z in analysis.zones if wanted is None or z.kind in wanted}

    def breadth(kind: str) -> tuple[float, int, str]:
        areas = [z.area_km2 for z in analysis.zones if z.kind == kind]
        rank = known.index(kind) if kind in known else len(known)
        return (-statistics.median(areas), rank, kind)

    groups = []
    for kind in sorted(present, key=breadth):
        style = highlight.zone_style(kind, styles)
        group = _stable(folium.FeatureGroup(name=html.escape(style.label), show=True), f"zak{len(groups)}")
        members = [j for j, z in enumerate(analysis.zones) if z.kind == kind]
        for j in sorted(members, key=lambda j: (-analysis.zones[j].area_km2, j)):
            _add_zone(group, analysis, j, style, styles, unit_names)
        groups.append(group)
    return groups


def _add_zone(
    group: folium.FeatureGroup,
    analysis: Analysis,
    j: int,
    style: highlight.ZoneStyle,
    styles: Mapping[str, Mapping[str, Any]],
    unit_names: Mapping[str, str] | None,
) -> None:
    zone = analysis.zones[j]
    ident = f"zaz{j}"
    popup_html = highlight.zone_popup_html(analysis, j, styles, unit_names)
    tip = highlight.zone_tooltip(analysis, j, styles)
    latlngs = _web_latlngs(shapely.to_wkb(zone.geometry)) if zone.geometry is not None else []
    if latlngs:
        polygon = _ZonePolygon(
            latlngs,
            popup=_popup(popup_html, ident),
            tooltip=_tooltip(tip, ident),
            class_name=f"za-zone za-zone-{_css_name(zone.kind)}",
            **_zone_options(style),
        )
        _stable(polygon, ident).add_to(group)
    if style.marker and zone.seat is not None and all(math.isfinite(v) for v in zone.seat):
        symbol = SEAT_SYMBOLS.get(style.marker, SEAT_SYMBOLS[""])
        icon = _stable(
            folium.DivIcon(
                html=f'<div class="za-seat" style="color:{style.colour}">{symbol}</div>',
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name=f"za-seat-icon za-seat-{_css_name(zone.kind)}",
            ),
            f"{ident}icon",
        )
        seat_ident = f"{ident}seat"
        marker = folium.Marker(
            location=[zone.seat[0], zone.seat[1]],
            icon=icon,
            popup=_popup(popup_html, seat_ident),
            tooltip=_tooltip(f"{tip} (seat)", seat_ident),
        )
        _stable(marker, seat_ident).add_to(group)


def analysis_layers(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    zone_kinds: Iterable[str] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> list[folium.FeatureGroup]:
    """The zone layers (one per kind) and then the places layer, which is drawn on top."""
    layers = zone_layers(analysis, styles=styles, zone_kinds=zone_kinds, unit_names=unit_names)
    return [*layers, places_layer(analysis)]


def analysis_bounds(analysis: Analysis, *, pad_deg: float = 0.15) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around the article's places and the zones drawn from them.

    Countries are left out when the article names anything smaller ("the Syrian border" should
    not pull the view to Damascus); zones are in, so a belt that runs to the border is seen whole.
    """
    located = [p for p in analysis.places if math.isfinite(p.lat) and math.isfinite(p.lon)]
    local = [p for p in located if p.kind != "country"] or located
    points = [(p.lat, p.lon) for p in local]
    for zone in analysis.zones:
        if zone.geometry is not None and not zone.geometry.is_empty:
            minx, miny, maxx, maxy = zone.geometry.bounds
            points += [(miny, minx), (maxy, maxx)]
    if not points:
        return None
    lats, lons = zip(*points, strict=True)
    return [[min(lats) - pad_deg, min(lons) - pad_deg], [max(lats) + pad_deg, max(lons) + pad_deg]]


def focus_view(analysis: Analysis, ref: str | None) -> tuple[tuple[float, float], int] | None:
    """``((lat, lon), zoom)`` that frames a place or zone named by ``ref``, or None."""
    target = highlight.resolve_ref(analysis, ref)
    if isinstance(target, Place):
        if not (math.isfinite(target.lat) and math.isfinite(target.lon)):
            return None
        return (target.lat, target.lon), KIND_ZOOM.get(target.kind, 10)
    if isinstance(target, Zone):
        if target.seat is not None:
            return (target.seat[0], target.seat[1]), 9
        if target.geometry is None or target.geometry.is_empty:
            return None
        minx, miny, maxx, maxy = target.geometry.bounds
        span = max(maxx - minx, maxy - miny, 1e-3)
        zoom = int(max(5, min(12, math.floor(math.log2(360.0 / span)) - 1)))
        point = target.geometry.representative_point() if span < 0.5 else target.geometry.centroid
        return (point.y, point.x), zoom
    return None


# --------------------------------------------------------------------------------------------
# Legend, mini-map and controls


class Legend(MacroElement):
    """A fixed legend box in a map corner; ``content`` is escaped HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "za-legend");
            div.innerHTML = {{ this.content|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.position = position


def legend_html(
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    zone_kinds: Iterable[str] | None = None,
    place_kinds: Sequence[str] = (
        "governorate",
        "district",
        "subdistrict",
        "city",
        "town",
        "village",
        "region",
        "country",
    ),
) -> str:
    """Escaped legend HTML: zone kinds (fill, outline, dash, seat symbol) and place kinds."""
    styles = _styles(styles)
    kinds = list(styles) if zone_kinds is None else [k for k in styles if k in set(zone_kinds)]
    rows = ["<details open><summary>Legend</summary>"]
    rows += ["<b>Zones</b>"] if kinds else []
    for kind in kinds:
        s = highlight.zone_style(kind, styles)
        border = "dashed" if s.dash else "solid"
        swatch = (
            f'<span class="za-sw" style="background:{s.fill_colour};opacity:{max(s.fill_opacity, 0.35):.2f};'
            f'border:2px {border} {s.colour}"></span>'
        )
        seat = (
            f' <span style="color:{s.colour}">{SEAT_SYMBOLS.get(s.marker, SEAT_SYMBOLS[""])}</span> seat'
            if s.marker
            else ""
        )
        rows.append(f"<div>{swatch}{highlight.escape(s.label)}{seat}</div>")
    rows.append('<b>Places</b><div class="za-grid">')
    for kind in place_kinds:
        rows.append(
            f'<div><span class="za-dot" style="background:{highlight.place_colour(kind)}"></span>'
            f"{highlight.escape(kind)}</div>"
        )
    rows.append(
        '<div><span class="za-dot" style="border:2px dashed #555;background:#fff"></span>review</div>'
    )
    rows.append("</div><small>marker size: number of mentions</small></details>")
    return "".join(rows)


class OfflineMiniMap(JSCSSMixin, MacroElement):
    """leaflet-minimap showing a GeoJSON outline layer instead of tiles, so it paints offline."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_layer = L.geoJson({{ this.data|tojson }}, {
            style: function () { return {{ this.style|tojson }}; }, interactive: false
        });
        var {{ this.get_name() }} = new L.Control.MiniMap(
            {{ this.get_name() }}_layer, {{ this.options|tojavascript }}
        );
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )
    default_js = folium.plugins.MiniMap.default_js
    default_css = folium.plugins.MiniMap.default_css

    def __init__(
        self, data: dict[str, Any], *, position: str = "bottomleft", zoom_level_offset: int = -4
    ) -> None:
        super().__init__()
        self._name = "MiniMap"
        self.data = data
        self.style = {"color": "#555555", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1}
        self.options = {
            "position": position,
            "width": 120,
            "height": 120,
            "zoomLevelOffset": zoom_level_offset,
            "toggleDisplay": True,
            "minimized": False,
        }


@lru_cache(maxsize=1)
def _minimap_geojson() -> dict[str, Any]:
    """Governorate outlines, simplified further (~2 km), for the mini-map."""
    import json

    gdf = boundaries.simplify_coverage(boundaries.load_level(1, web=True), 0.02)
    return json.loads(gdf[["pcode", "geometry"]].to_json(drop_id=True))


def add_controls(m: folium.Map, *, minimap: bool = True) -> folium.Map:
    """Fullscreen button, measure tool and (offline) mini-map; the scale bar comes with the map."""
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit=None,
        primary_area_unit="sqkilometers",
        secondary_area_unit=None,
    ).add_to(m)
    if minimap:
        OfflineMiniMap(_minimap_geojson()).add_to(m)
    return m


def _styles(styles: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    if styles is not None:
        return styles
    from geo.zones.derivation import zone_styles

    return zone_styles()


def analysis_base_map(
    *,
    basemap: str | None = None,
    admin_levels: Iterable[int] = (1, 2),
    bounds: list[list[float]] | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    layer_control: bool = True,
    minimap: bool = True,
) -> folium.Map:
    """The part of an analysis map that does not depend on the analysis' details.

    Boundary layers (``admin_levels``, each switched on; sub-districts are left out by default),
    legend, controls, attribution, and a view fitted to ``bounds``. The dashboard adds the
    analysis layers to it on the fly; ``layer_control=False`` leaves the layer switcher to it.
    """
    m = new_map(basemap=basemap)
    # Zone Atlas popups need no jQuery (see _FastPopup): one library less to load and parse.
    m.default_js = [(name, url) for name, url in m.default_js if name != "jquery"]
    m.get_root().header.add_child(Element(MAP_CSS), name="za_css")
    for level in sorted(set(admin_levels)):
        _stable(BoundaryLayer(level), f"zaadm{level}").add_to(m)
    add_controls(m, minimap=minimap)
    Legend(legend_html(styles)).add_to(m)
    attribution(m)
    if bounds is not None:
        m.fit_bounds(bounds, max_zoom=10)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def analysis_map(
    analysis: Analysis,
    *,
    basemap: str | None = None,
    admin_levels: Iterable[int] = (1, 2),
    zone_kinds: Iterable[str] | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> folium.Map:
    """The complete map of an analysis: boundaries, one layer per zone kind, places, legend,
    layer control, fullscreen, scale bar, measure tool, mini-map, fitted to the article's places.

    The dashboard shows the same map; exports call this to get it. Links to JS/CSS still point
    at CDNs: pass the result through :func:`geo.render.webassets.localize`.

    Examples
    --------
    >>> from geo.pipeline import analyze  # doctest: +SKIP
    >>> m = analysis_map(analyze(text))  # doctest: +SKIP
    >>> m.save("map.html")  # after webassets.localize(m, base_url)  # doctest: +SKIP
    """
    styles = _styles(styles)
    m = analysis_base_map(
        basemap=basemap,
        admin_levels=admin_levels,
        bounds=analysis_bounds(analysis),
        styles=styles,
        layer_control=False,
    )
    for layer in analysis_layers(analysis, styles=styles, zone_kinds=zone_kinds, unit_names=unit_names):
        layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
