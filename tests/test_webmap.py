"""geo.render.webmap: places, zones, legend and controls of an analysis map (rendered, not in a browser)."""

from __future__ import annotations

import re

import folium
import pytest
from sample_analysis import STYLES, make_analysis, make_hostile_analysis
from streamlit_folium import _get_feature_group_string

from geo.render import highlight, mapframing, maplayers, webassets, webmap


def _children(element: object, cls: type) -> list:
    found = []
    for child in getattr(element, "_children", {}).values():
        if isinstance(child, cls):
            found.append(child)
        found += _children(child, cls)
    return found


def test_places_layer_colours_sizes_and_flags() -> None:
    analysis = make_analysis()
    group = maplayers.places_layer(analysis)
    markers = _children(group, folium.CircleMarker)
    assert len(markers) == 3
    baghdad, diyala, kirkuk = markers
    assert baghdad.options["fillColor"] == highlight.PLACE_COLOURS["city"]
    assert diyala.options["fillColor"] == highlight.PLACE_COLOURS["governorate"]
    assert baghdad.options["radius"] > kirkuk.options["radius"]  # two mentions against one
    assert kirkuk.options.get("dashArray") == "3 3" and not diyala.options.get("dashArray")  # review flag
    assert [m.location for m in markers][1] == [33.95, 45.0]


def test_place_radius_grows_with_mentions() -> None:
    assert maplayers.place_radius(1) < maplayers.place_radius(2) < maplayers.place_radius(10)
    assert maplayers.place_radius(0) == maplayers.place_radius(1)


def test_one_layer_per_zone_kind_with_seats() -> None:
    analysis = make_analysis()
    groups = maplayers.zone_layers(analysis, styles=STYLES)
    assert [g.layer_name for g in groups] == ["Joint operations room", "Attacks"]
    rooms, attacks = groups
    assert len(_children(rooms, maplayers._ZonePolygon)) == 2
    assert len(_children(rooms, folium.Marker)) == 2  # the two seats
    assert len(_children(attacks, folium.Marker)) == 0
    ring = _children(attacks, maplayers._ZonePolygon)[0]
    assert len(ring.locations) == 1 and len(ring.locations[0]) == 2  # one polygon with its hole
    assert ring.options["color"] == "#d35400" and ring.options["fillOpacity"] == 0.35
    only = maplayers.zone_layers(analysis, styles=STYLES, zone_kinds=["attack_area"])
    assert [g.layer_name for g in only] == ["Attacks"]


def test_broad_zones_are_drawn_under_small_ones() -> None:
    analysis = make_analysis()
    analysis.zones[2].area_km2 = 50_000.0  # the attack ring, now broader than both rooms
    groups = maplayers.zone_layers(analysis, styles=STYLES)
    assert [g.layer_name for g in groups] == ["Attacks", "Joint operations room"]
    rooms = [p.locations[0][0][0] for p in _children(groups[1], maplayers._ZonePolygon)]
    assert rooms[0][0] < rooms[1][0]  # Diyala's (larger) box first, Kirkuk's (further north) over it


def test_analysis_map_has_every_control_and_local_assets() -> None:
    m = webmap.analysis_map(make_analysis(), styles=STYLES, unit_names={"IQG10Q01": "Al-Khalis"})
    webassets.localize(m, "/app/static/vendor")
    page = m.get_root().render()
    links = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert links and all(link.startswith("/app/static/vendor/") for link in links), links
    for needle in (
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.Control.MiniMap",
        "L.control.layers",
        "L.control.scale",
        "za-legend",
        "fitBounds",
        "Al-Khalis",
        "OCHA",
    ):
        assert needle in page, needle
    assert "L.tileLayer" not in page  # no basemap: the map paints offline
    assert len(page.encode()) < 1_500_000


def test_osm_basemap_is_optional() -> None:
    assert (
        "openstreetmap" not in webmap.analysis_map(make_analysis(), styles=STYLES).get_root().render().lower()
    )
    osm = webmap.analysis_map(make_analysis(), styles=STYLES, basemap="osm").get_root().render()
    assert "tile.openstreetmap.org" in osm


def test_admin_levels_choose_boundary_layers() -> None:
    page = webmap.analysis_map(make_analysis(), styles=STYLES, admin_levels=(1, 3)).get_root().render()
    assert "Governorates (ADM1)" in page and "Sub-districts (ADM3)" in page and "Districts (ADM2)" not in page


def test_hostile_analysis_renders_inert() -> None:
    page = webmap.analysis_map(make_hostile_analysis(), styles=STYLES).get_root().render()
    for payload in ("<img src=x", "<script>window", "${window", "`;window", "<svg onload", "</div><script>"):
        assert payload not in page, payload


def test_layers_render_to_the_same_script_every_time() -> None:
    """The dashboard re-sends the analysis layers on every rerun; equal scripts mean no redraw."""

    def script() -> str:
        m = webmap.new_map()
        groups = webmap.analysis_layers(make_analysis(), styles=STYLES)
        return "".join(_get_feature_group_string(g, m, idx) for idx, g in enumerate(groups))

    assert script() == script()


def test_bounds_and_focus() -> None:
    analysis = make_analysis()
    (south, west), (north, east) = mapframing.analysis_bounds(analysis)
    lats = [p.lat for p in analysis.places]
    lons = [p.lon for p in analysis.places]
    assert south < min(lats) and max(lats) < north and west < min(lons) and max(lons) < east
    assert mapframing.focus_view(analysis, "P1") == ((33.95, 45.0), mapframing.KIND_ZOOM["governorate"])
    (lat, lon), zoom = mapframing.focus_view(analysis, "Z2")
    assert 33.0 < lat < 33.7 and 44.0 < lon < 44.8 and 7 <= zoom <= 10
    assert mapframing.focus_view(analysis, "Z0")[0] == (33.74556, 44.64361)  # the seat
    assert mapframing.focus_view(analysis, "P7") is None
    analysis.places = []
    assert mapframing.analysis_bounds(analysis) is not None  # falls back to the zones
    analysis.zones = []
    assert mapframing.analysis_bounds(analysis) is None


@pytest.mark.parametrize("levels", [(1,), (1, 2)])
def test_boundaries_map_layers(levels: tuple[int, ...]) -> None:
    page = webmap.boundaries_map(levels=levels).get_root().render()
    assert page.count("L.geoJson(") == len(levels)
    assert "IQG10" in page  # Diyala's P-code in the tooltip data


def test_bounds_take_in_the_zones_too() -> None:
    analysis = make_analysis()
    (south, west), (north, east) = mapframing.analysis_bounds(analysis)
    for zone in analysis.zones:
        minx, miny, maxx, maxy = zone.geometry.bounds
        assert south < miny and maxy < north and west < minx and maxx < east
