"""The layers an analysis adds to a map: its places as markers and its zones, one layer per kind.

Places are circle markers coloured by kind and sized by mentions, dashed when their confidence
calls for review; zones are outlines simplified for the web, with the seats of the kinds whose
style names a ``marker`` (operations rooms) as symbols. Every element gets a stable id built from
its index, and its popup and tooltip come from :mod:`geo.render.popups` (escaped, ref first).
"""

from __future__ import annotations

import html
import json
import math
import statistics
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import folium
import shapely
from branca.element import Html
from folium.template import Template

from geo.model import Analysis
from geo.render import highlight, mapframing, popups
from geo.render.mapbase import FastPopup, render_plain, stable
from geo.render.mapinteract import POPUP_OPTIONS, RefEntry, RefRegistry

#: Simplification tolerance of zone outlines on the web map, in degrees (~200 m).
ZONE_TOLERANCE_DEG = 0.002
#: Decimal places of zone coordinates on the web map (~10 m: finer than the simplification).
ZONE_DECIMALS = 4
PLACES_LAYER = "Places"
SEAT_SYMBOLS = {"star": "&#9733;", "square": "&#9632;", "circle": "&#9679;", "": "&#9733;"}


def _popup(content: str, ident: str) -> folium.Popup:
    """A compact popup of ready, escaped HTML (never re-parsed as a template)."""
    inner = stable(Html(content, script=True), f"{ident}html")
    return stable(FastPopup(inner, **POPUP_OPTIONS), f"{ident}popup")


def _tooltip(text: str, ident: str) -> folium.Tooltip:
    return stable(folium.Tooltip(text, sticky=True), f"{ident}tip")


def _css_name(kind: str) -> str:
    """``kind`` reduced to a safe CSS class suffix."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in kind)[:40]


def place_radius(mentions: int) -> float:
    """Marker radius in pixels for a place mentioned ``mentions`` times (grows with the root)."""
    return round(6.0 + 3.0 * math.sqrt(max(mentions, 1) - 1), 1)


def places_layer(analysis: Analysis, *, name: str = PLACES_LAYER, show: bool = True) -> folium.FeatureGroup:
    """One circle marker per place: colour by kind, size by mentions, dashed when to review."""
    group = stable(folium.FeatureGroup(name=html.escape(name), show=show), "zaplaces")
    entries = []
    for i, place in enumerate(analysis.places):
        if not (math.isfinite(place.lat) and math.isfinite(place.lon)):
            continue
        colour = highlight.place_colour(place.kind)
        review = highlight.needs_review(place)
        ident = f"zap{i}"
        marker = folium.CircleMarker(
            location=[round(place.lat, 5), round(place.lon, 5)],
            radius=place_radius(len(place.mentions)),
            color="#222222" if not review else colour,
            weight=1.5 if not review else 2.5,
            dash_array="3 3" if review else None,
            fill=True,
            fill_color=colour,
            fill_opacity=0.85,
            class_name=f"za-place za-place-{_css_name(place.kind)}",
            popup=_popup(popups.place_popup_html(analysis, i), ident),
            tooltip=_tooltip(popups.place_tooltip(analysis, i), ident),
        )
        stable(marker, ident).add_to(group)
        view = mapframing.focus_view(analysis, highlight.place_ref(i))
        if view is not None:
            entries.append(RefEntry(highlight.place_ref(i), marker, view[0], view[1], (place.lat, place.lon)))
    RefRegistry(entries).add_to(group)
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
    """``L.polygon`` with Leaflet's nested rings, so one zone (holes, several parts) is one layer.

    The rings are written as compact JSON (no spaces), the bulk of what a zone sends.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.polygon(
                {{ this.latlngs_json }},
                {{ this.options|tojson }}
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """
    )

    def __init__(self, latlngs: list[Any], **kwargs: Any) -> None:
        super().__init__(latlngs[0][0][:3], **kwargs)  # folium checks points one by one: slow
        self.locations = latlngs
        self.latlngs_json = json.dumps(latlngs, separators=(",", ":"))

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        render_plain(self, kwargs)


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
    styles = highlight.styles_or_rules(styles)
    wanted = None if zone_kinds is None else set(zone_kinds)
    known = list(styles)
    present = {z.kind for z in analysis.zones if wanted is None or z.kind in wanted}

    def breadth(kind: str) -> tuple[float, int, str]:
        areas = [z.area_km2 for z in analysis.zones if z.kind == kind]
        rank = known.index(kind) if kind in known else len(known)
        return (-statistics.median(areas), rank, kind)

    groups: list[folium.FeatureGroup] = []
    for kind in sorted(present, key=breadth):
        style = highlight.zone_style(kind, styles)
        group = stable(folium.FeatureGroup(name=html.escape(style.label), show=True), f"zak{len(groups)}")
        members = [j for j, z in enumerate(analysis.zones) if z.kind == kind]
        entries, shapes = [], []
        for j in sorted(members, key=lambda j: (-analysis.zones[j].area_km2, j)):
            entry, shape = _add_zone(group, analysis, j, style, styles, unit_names)
            if entry is not None:
                entries.append(entry)
                shapes.append(shape)
        RefRegistry(entries, shapes).add_to(group)
        groups.append(group)
    return groups


def _add_zone(
    group: folium.FeatureGroup,
    analysis: Analysis,
    j: int,
    style: highlight.ZoneStyle,
    styles: Mapping[str, Mapping[str, Any]],
    unit_names: Mapping[str, str] | None,
) -> tuple[RefEntry | None, Any]:
    """Draw zone ``j`` (outline, and seat marker) into ``group``; returns its ref entry and outline."""
    zone = analysis.zones[j]
    ident = f"zaz{j}"
    popup_html = popups.zone_popup_html(analysis, j, styles, unit_names)
    tip = popups.zone_tooltip(analysis, j, styles)
    latlngs = _web_latlngs(shapely.to_wkb(zone.geometry)) if zone.geometry is not None else []
    polygon = seat_marker = None
    if latlngs:
        polygon = _ZonePolygon(
            latlngs,
            popup=_popup(popup_html, ident),
            tooltip=_tooltip(tip, ident),
            class_name=f"za-zone za-zone-{_css_name(zone.kind)}",
            **_zone_options(style),
        )
        polygon = stable(polygon, ident).add_to(group)
    if style.marker and zone.seat is not None and all(math.isfinite(v) for v in zone.seat):
        symbol = SEAT_SYMBOLS.get(style.marker, SEAT_SYMBOLS[""])
        icon = stable(
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
            location=[round(zone.seat[0], 5), round(zone.seat[1], 5)],
            icon=icon,
            popup=_popup(popup_html, seat_ident),
            tooltip=_tooltip(f"{tip} (seat)", seat_ident),
        )
        seat_marker = stable(marker, seat_ident).add_to(group)
    return _zone_entry(analysis, j, style, polygon, seat_marker), polygon


def _zone_entry(
    analysis: Analysis, j: int, style: highlight.ZoneStyle, polygon: Any, seat_marker: Any
) -> RefEntry | None:
    """The ref entry of zone ``j``: its popup opens at the seat, else inside its Iraqi part."""
    zone, ref = analysis.zones[j], highlight.zone_ref(j)
    view = mapframing.focus_view(analysis, ref)
    layer = seat_marker or polygon
    if view is None or layer is None:
        return None
    if seat_marker is not None and zone.seat is not None:
        at: tuple[float, float] | None = (zone.seat[0], zone.seat[1])
    else:
        at = mapframing.zone_anchor(zone.geometry) or view[0]
    label = highlight.zone_style(zone.kind).label if not zone.label else zone.label
    return RefEntry(ref, layer, view[0], view[1], at or view[0], True, label, style.colour)
