"""geo.render.webmap: places, zones, legend and controls of an analysis map (rendered, not in a browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from sample_analysis import STYLES, make_analysis, make_hostile_analysis
from shapely.geometry import box
from streamlit_folium import _get_feature_group_string

from geo.model import Analysis, Mention, Place, Span
from geo.render import basemap, highlight, labels, mapcontrols, mapframing, maplayers, webassets, webmap


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


# --- names on the map ------------------------------------------------------------------------------


def test_place_and_zone_labels_in_english_and_arabic() -> None:
    analysis = make_analysis()
    english = labels.place_labels(analysis)
    arabic = labels.place_labels(analysis, lang="ar")
    assert [lb.text for lb in english] == ["Baghdad", "Diyala", "Kirkuk"]
    assert [lb.text for lb in arabic] == ["بغداد", "ديالى", "كركوك"] and all(lb.rtl for lb in arabic)
    assert all(lb.offset > maplayers.place_radius(1) for lb in english)  # beside the marker, not on it
    zones = labels.zone_labels(analysis, STYLES)
    assert [lb.text for lb in zones] == ["Ops room Diyala", "Ops room Kirkuk", "Attacks around Baghdad"]
    assert [lb.role for lb in zones] == ["room", "room", "zone"]
    assert (zones[0].lat, zones[0].lon) == (33.74556, 44.64361)  # an operations room's name is at its seat
    assert labels.zone_labels(analysis, STYLES, lang="ar")[0].text == "غرفة عمليات مشتركة ديالى"
    assert labels.zone_labels(analysis, STYLES, zone_kinds=["attack_area"])[0].ref == "Z2"
    # the article's names outrank the basemap's, rooms outrank other zones
    assert min(lb.priority for lb in english) > max(lb.priority for lb in zones if lb.role == "zone")
    assert min(lb.priority for lb in zones) > max(lb.priority for lb in labels.governorate_labels())


def test_governorate_and_basemap_names() -> None:
    governorates = labels.governorate_labels("ar")
    assert len(governorates) == 18 and all(lb.rtl and lb.role == "governorate" for lb in governorates)
    assert "ديالى" in {lb.text for lb in governorates}
    low, high = labels.ZOOMS["governorate"]
    assert all((lb.min_zoom, lb.max_zoom) == (low, high) for lb in governorates)  # hidden when they crowd
    base = labels.basemap_labels("en")
    roles = {lb.role for lb in base}
    assert {"country", "town"} <= roles
    assert {"Iran", "Syria", "Turkey"} <= {lb.text for lb in base if lb.role == "country"}
    assert "Baqubah" in {lb.text for lb in base if lb.role == "town"}


def test_short_labels() -> None:
    assert labels.short_label("Security vacuum belt (20 km, federal side)") == "Security vacuum belt"
    assert labels.short_label("Joint operations room: Mosul") == "Ops room Mosul"
    assert labels.short_label("هجمات: محيط بغداد") == "هجمات محيط بغداد"


def test_map_places_labels_through_the_label_engine() -> None:
    page = webmap.analysis_map(make_analysis(), styles=STYLES, label_lang="ar").get_root().render()
    assert "window.zaLabelEngine = {add: add" in page
    assert page.index("window.zaLabelEngine = {") < page.index('zaLabelEngine.add("analysis"')
    assert page.count("zaLabelEngine.add(") == 2  # the basemap's names and the article's
    assert "\\u0643\\u0631\\u0643\\u0648\\u0643" in page or "كركوك" in page  # the Arabic label rows
    hostile = webmap.analysis_map(make_hostile_analysis(), styles=STYLES).get_root().render()
    assert "span.textContent = row[2]" in hostile  # names become text, never markup
    assert "<img src=x" not in hostile


# --- legend, mini-map, basemap ----------------------------------------------------------------------


def test_legend_is_collapsed_and_lists_only_the_kinds_on_the_map() -> None:
    html_ = mapcontrols.legend_html(STYLES, zone_kinds=["attack_area"], place_kinds=["city"])
    assert html_.startswith("<details><summary>Legend</summary>")  # one line until opened
    assert "Attacks" in html_ and "Joint operations room" not in html_
    assert "city" in html_ and "village" not in html_
    strip = mapcontrols.legend_strip_html(
        STYLES, zone_kinds=["operations_room"], place_kinds=["city", "city"]
    )
    assert strip.count("Joint operations room") == 1 and strip.count(">city<") == 1 and "Attacks" not in strip
    page = webmap.analysis_map(make_analysis(), styles=STYLES).get_root().render()
    assert "Security vacuum belt" not in page  # no such zone in this analysis


def test_minimap_is_off_unless_asked_for() -> None:
    assert "L.Control.MiniMap" not in webmap.analysis_base_map(styles=STYLES).get_root().render()
    on = webmap.analysis_base_map(styles=STYLES, minimap=True).get_root().render()
    assert "L.Control.MiniMap" in on and '"minimized": false' in on
    exported = webmap.analysis_map(make_analysis(), styles=STYLES).get_root().render()
    assert '"minimized": true' in exported  # the exported map keeps it, folded away


def test_offline_basemap_has_countries_rivers_and_towns() -> None:
    data = json.loads(basemap.basemap_geojson())
    kinds = [f["properties"]["k"] for f in data["features"]]
    assert kinds.count("country") >= 6 and kinds.count("town") == 18
    if basemap.physical_features():
        assert "river" in kinds
    page = webmap.analysis_base_map(styles=STYLES).get_root().render()
    assert "zaBase" in page and "zaWater" in page and "tileLayer" not in page


def test_osm_option_warns_when_its_tiles_fail() -> None:
    page = webmap.analysis_base_map(styles=STYLES, basemap="osm").get_root().render()
    assert "tile.openstreetmap.org" in page and 'layer.on("tileerror"' in page
    assert json.dumps(basemap.OSM_OFFLINE_NOTICE)[1:-1] in page
    assert page.index("L.geoJson(") < page.index("L.tileLayer(")  # the offline basemap stays under it


PHYSICAL_TOML = """
[[feature]]
id = "tigris"
type = "river"
name = "Tigris"
name_ar = "دجلة"
points = [[36.34, 43.14], [35.47, 43.26], [33.3, 44.4]]

[[feature]]
id = "dukan"
kind = "lake"
name_en = "Lake Dukan"
points = [[44.95, 35.95]]

[[feature]]
id = "broken"
type = "range"
points = "not a list"
"""


def test_physical_features_read_either_field_names_and_point_order(tmp_path: Path) -> None:
    path = tmp_path / "physical_features.toml"
    path.write_text(PHYSICAL_TOML, encoding="utf-8")
    tigris, dukan = basemap.physical_features(path)  # the broken entry is skipped
    assert (tigris.kind, tigris.name_en, tigris.name_ar, tigris.line) == ("river", "Tigris", "دجلة", True)
    assert tigris.points[0] == (43.14, 36.34)  # [lat, lon] read as (lon, lat)
    assert (dukan.kind, dukan.name_en, dukan.points, dukan.line) == (
        "lake",
        "Lake Dukan",
        ((44.95, 35.95),),
        False,
    )
    assert basemap.feature_geometry(tigris).geom_type == "LineString"
    assert basemap.feature_geometry(dukan).geom_type == "Point"
    assert basemap.physical_features(tmp_path / "missing.toml") == ()


# --- framing ----------------------------------------------------------------------------------------


def _place(name: str, kind: str, lat: float, lon: float, text: str, word: str, **extra: object) -> Place:
    start = text.index(word)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    sentence = Span(line_start, line_end, text[line_start:line_end])
    return Place(
        f"x:{name}",
        name,
        "",
        kind,
        str(extra.pop("country", "IQ")),
        lat,
        lon,
        0.9,
        [Mention(start, start + len(word), word, sentence)],
        **extra,  # type: ignore[arg-type]
    )


def test_boilerplate_is_found() -> None:
    text = (
        "Clashes near Hawija left two soldiers dead on Monday, officials said.\n\n"
        "#Kirkuk #ISIS #Hawija\n"
        "Related\n"
        "Floods in Basra\n"
        "Elections in Erbil\n\n"
        "Home\nWorld\nIraq\nSport\n\n"
        "Our Standards: The Thomson Reuters Trust Principles.\n"
        "اقرأ أيضا:\nالعثور على مقبرة جماعية في الحويجة"
    )
    found = [text[a:b] for a, b in mapframing.boilerplate_spans(text)]
    assert "Clashes near Hawija left two soldiers dead on Monday, officials said." not in found
    for piece in (
        "#Kirkuk #ISIS #Hawija",
        "Related",
        "Floods in Basra",
        "Elections in Erbil",
        "Home",
        "Sport",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "اقرأ أيضا:",
        "العثور على مقبرة جماعية في الحويجة",
    ):
        assert piece in found, piece


def test_framing_follows_the_body_not_related_links_or_foreign_places() -> None:
    text = (
        "Two soldiers were killed near Daquq in Kirkuk on Monday, officials said.\n"
        "The attackers fled toward Hamrin, the army said; Ankara was not involved.\n"
        "Read more:\n"
        "Floods hit Basra again\n"
    )
    analysis = Analysis(
        source="t",
        text=text,
        lang="en",
        places=[
            _place("Daquq", "district", 35.14, 44.45, text, "Daquq"),
            _place("Hamrin", "subdistrict", 34.6, 44.5, text, "Hamrin"),
            _place("Ankara", "city", 39.93, 32.86, text, "Ankara", country="TR"),
            _place("Basra", "city", 30.51, 47.78, text, "Basra"),
        ],
    )
    assert mapframing.mention_weights(analysis)[3] == mapframing.BOILERPLATE_WEIGHT
    (south, west), (north, east) = mapframing.analysis_bounds(analysis)
    assert south < 34.6 and north > 35.14 and west < 44.45 < east
    assert south > 32 and east < 46 and west > 40  # neither Basra (related link) nor Ankara (abroad)


def test_bounds_clip_zones_to_iraq() -> None:
    analysis = make_analysis()
    analysis.places = []
    analysis.zones[0].geometry = box(40.0, 33.0, 50.0, 34.0)  # runs deep into Iran
    (_s, west), (_n, east) = mapframing.analysis_bounds(analysis)
    assert east < 46.6 + 0.2  # Iraq ends near 46.4 E at these latitudes


def test_go_to_frames_a_town_with_its_governorate() -> None:
    text = "A drone struck a car near Sinuni."
    town = _place(
        "Sinuni", "town", 36.45, 41.73, text, "Sinuni", governorate="Ninewa", governorate_pcode="IQG15"
    )
    analysis = Analysis(source="t", text=text, lang="en", places=[town])
    (south, west), (north, east) = mapframing.focus_bounds(analysis, "P0")
    assert west < 41.3 and east > 44.2 and south < 35.0 and north > 37.0  # Ninewa around it
    (lat, lon), zoom = mapframing.focus_view(analysis, "P0")
    assert (lat, lon) == (36.45, 41.73)  # centred on the town
    assert 6.0 <= zoom <= 8.0  # the governorate in view, not a lone dot at street level


def test_go_to_a_zone_that_reaches_a_border_frames_the_iraqi_side() -> None:
    analysis = make_analysis()
    analysis.zones[2].geometry = box(41.0, 34.0, 50.0, 36.5)  # from Anbar deep into Iran
    (south, west), (north, east) = mapframing.focus_bounds(analysis, "Z2")
    assert west >= 40.9 and east < 46.5 and south >= 33.9 and north <= 36.6
    (_lat, lon), zoom = mapframing.focus_view(analysis, "Z2")
    assert 42.0 < lon < 45.0 and zoom >= 6.0  # not the whole Middle East


def test_fit_zoom() -> None:
    # Iraq (9.8 degrees of longitude) is 530 px wide at zoom 6.25: it fits an 820 x 620 map
    assert mapframing.fit_zoom([[29.0, 38.8], [37.4, 48.6]]) == 6.25
    small = mapframing.fit_zoom([[33.3, 44.3], [33.4, 44.4]])
    assert small > 9 and small * 4 == int(small * 4)  # quarter steps
