"""Zones from text and boundaries (geo.zones.derivation, geo.zones.rules).

Places are built by hand here (tiny and explicit: the surface, its kind, P-code and point), so each
test shows exactly what the zone step receives; the end-to-end tests at the bottom run the real
geoparser on the seed article and on its English paraphrase (tests/data/article-000-en.txt).
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

from geo import cli
from geo.data import boundaries
from geo.errors import InputError, ParameterError, RulesError
from geo.model import Candidate, Mention, Place, Span, Zone
from geo.pipeline import analyze
from geo.zones import geometry as g
from geo.zones.derivation import derive, derive_zones
from geo.zones.frames import zone_styles, zones_frame, zones_geojson
from geo.zones.lists import load_seats, load_unit_list
from geo.zones.rules import load_rules
from geo.zones.tomlfile import DATA_DIR
from geo.zones.triggers import find_triggers

REPO = Path(__file__).resolve().parents[2]
ENGLISH_SEED = REPO / "tests" / "data" / "article-000-en.txt"

# Points used below (GeoNames / COD-AB): (lat, lon)
BAQUBAH = (33.75403, 44.60518)
KIRKUK_CITY = (35.46806, 44.39222)
MOSUL_CITY = (36.335, 43.11889)
MAKHMOUR_TOWN = (35.7756, 43.5806)
BAGHDAD_CITY = (33.34058, 44.40088)
TAJI = (33.5214, 44.2717)  # about 25 km north-west of central Baghdad


def place(
    text: str,
    surface: str,
    *,
    kind: str,
    name: str,
    name_ar: str,
    lat: float,
    lon: float,
    pcode: str | None = None,
    nth: int = 0,
    modifier: str | None = None,
    modifier_word: str | None = None,
    country: str = "IQ",
) -> Place:
    """A resolved place with one mention: the ``nth`` occurrence of ``surface`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    end = start + len(surface)
    modifier_span = None
    if modifier_word:
        m = text.rindex(modifier_word, 0, start)
        modifier_span = Span(m, m + len(modifier_word), modifier_word)
    mention = Mention(start, end, surface, Span(0, len(text), text), modifier, modifier_span)
    return Place(
        id=f"{pcode or name}#{nth}",
        name=name,
        name_ar=name_ar,
        kind=kind,
        country=country,
        lat=lat,
        lon=lon,
        confidence=0.9,
        mentions=[mention],
        pcode=pcode,
    )


def seed_places(text: str) -> list[Place]:
    """The places of the seed article that the zone step needs, as a geoparser resolves them."""
    return [
        # "غرف العمليات الأربعة هذه ستكون في ديالى وكركوك والموصل ومخمور"
        place(
            text,
            "ديالى",
            kind="governorate",
            name="Diyala",
            name_ar="ديالى",
            lat=33.95,
            lon=45.0,
            pcode="IQG10",
            nth=0,
        ),
        place(
            text, "كركوك", kind="city", name="Kirkuk", name_ar="كركوك", lat=KIRKUK_CITY[0], lon=KIRKUK_CITY[1]
        ),
        place(
            text, "الموصل", kind="city", name="Mosul", name_ar="الموصل", lat=MOSUL_CITY[0], lon=MOSUL_CITY[1]
        ),
        place(
            text,
            "مخمور",
            kind="district",
            name="Makhmour",
            name_ar="مخمور",
            lat=MAKHMOUR_TOWN[0],
            lon=MAKHMOUR_TOWN[1],
            pcode="IQG11Q04",
        ),
        # "اقتنعت بغداد" (the government) and "محيط بغداد" (the city's surroundings)
        place(
            text,
            "بغداد",
            kind="city",
            name="Baghdad",
            name_ar="بغداد",
            lat=BAGHDAD_CITY[0],
            lon=BAGHDAD_CITY[1],
            nth=0,
        ),
        # "في كل من محيط بغداد وشمال بابل وديالى وكركوك ونينوى وأطراف صلاح الدين"
        place(
            text,
            "بغداد",
            kind="city",
            name="Baghdad",
            name_ar="بغداد",
            lat=BAGHDAD_CITY[0],
            lon=BAGHDAD_CITY[1],
            nth=1,
            modifier="around",
            modifier_word="محيط",
        ),
        place(
            text,
            "بابل",
            kind="governorate",
            name="Babil",
            name_ar="بابل",
            lat=32.55,
            lon=44.6,
            pcode="IQG07",
            modifier="north",
            modifier_word="شمال",
        ),
        place(
            text,
            "ديالى",
            kind="governorate",
            name="Diyala",
            name_ar="ديالى",
            lat=33.95,
            lon=45.0,
            pcode="IQG10",
            nth=1,
        ),
        place(
            text,
            "كركوك",
            kind="governorate",
            name="Kirkuk",
            name_ar="كركوك",
            lat=35.35,
            lon=44.1,
            pcode="IQG13",
            nth=1,
        ),
        place(
            text,
            "نينوى",
            kind="governorate",
            name="Nineveh",
            name_ar="نينوى",
            lat=36.0,
            lon=42.45,
            pcode="IQG15",
            nth=0,
        ),
        place(
            text,
            "صلاح الدين",
            kind="governorate",
            name="Salah al-Din",
            name_ar="صلاح الدين",
            lat=34.5,
            lon=43.6,
            pcode="IQG16",
            nth=0,
            modifier="outskirts",
            modifier_word="أطراف",
        ),
        # "وتمتد الفراغات من الحدود السورية ... نينوى ... صلاح الدين وكركوك ... ديالى على حدود إيران"
        place(
            text, "السورية", kind="country", name="Syria", name_ar="سوريا", lat=34.8, lon=38.99, country="SY"
        ),
        place(
            text,
            "نينوى",
            kind="governorate",
            name="Nineveh",
            name_ar="نينوى",
            lat=36.0,
            lon=42.45,
            pcode="IQG15",
            nth=1,
        ),
        place(
            text,
            "صلاح الدين",
            kind="governorate",
            name="Salah al-Din",
            name_ar="صلاح الدين",
            lat=34.5,
            lon=43.6,
            pcode="IQG16",
            nth=1,
        ),
        place(
            text,
            "كركوك",
            kind="governorate",
            name="Kirkuk",
            name_ar="كركوك",
            lat=35.35,
            lon=44.1,
            pcode="IQG13",
            nth=2,
        ),
        place(
            text,
            "ديالى",
            kind="governorate",
            name="Diyala",
            name_ar="ديالى",
            lat=33.95,
            lon=45.0,
            pcode="IQG10",
            nth=2,
        ),
        place(
            text, "إيران", kind="country", name="Iran", name_ar="إيران", lat=32.43, lon=53.69, country="IR"
        ),
        place(
            text,
            "إقليم كوردستان",
            kind="region",
            name="Kurdistan Region",
            name_ar="إقليم كوردستان",
            lat=36.4,
            lon=44.4,
        ),
    ]


@pytest.fixture(scope="module")
def seed(seed_text: str) -> tuple[str, list[Place]]:
    return seed_text, seed_places(seed_text)


@pytest.fixture(scope="module")
def seed_zones(seed: tuple[str, list[Place]]) -> list[Zone]:
    text, places = seed
    zones, _ = derive_zones(text, places)
    return zones


def metric(geometry: object) -> shapely.Geometry:
    return g.to_metric(geometry)  # type: ignore[arg-type]


def adm(level: int, pcode: str) -> shapely.Geometry:
    frame = boundaries.load_level(level)
    return frame.loc[frame["pcode"] == pcode].geometry.iloc[0]


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(metric(Point(a[1], a[0])).distance(metric(Point(b[1], b[0]))) / 1000)


def of_kind(zones: list[Zone], kind: str) -> list[Zone]:
    return [z for z in zones if z.kind == kind]


# --- triggers -------------------------------------------------------------------------------------


def test_triggers_match_through_diacritics_clitics_and_suffixes() -> None:
    text = "وصعّد التنظيم هجماتِه، وتقرر تفعيل غرفِ العمليات المشتركة ومناطق الفراغ الأمني والمادة 140."
    found = {(t.kind, t.span.text) for t in find_triggers(text)}
    assert ("attack_area", "هجماتِه") in found
    assert ("operations_room", "غرفِ العمليات المشتركة") in found
    assert ("security_vacuum", "مناطق الفراغ الأمني") in found
    assert ("disputed_territories", "المادة 140") in found
    assert [t.span.text for t in find_triggers("تعرضت مناطق عدة للهجمات")] == ["هجمات"]
    for t in find_triggers(text):
        assert text[t.span.start : t.span.end] == t.span.text


def test_longest_trigger_wins_and_english_is_case_folded() -> None:
    text = "The Joint Operations Rooms will open. A security vacuum remains."
    found = [(t.kind, t.span.text) for t in find_triggers(text)]
    assert found == [("operations_room", "Joint Operations Rooms"), ("security_vacuum", "security vacuum")]


# --- operations rooms -----------------------------------------------------------------------------


def test_seed_gives_four_operations_rooms_with_seat_and_area(seed_zones: list[Zone]) -> None:
    rooms = {z.places[0]: z for z in of_kind(seed_zones, "operations_room")}
    assert len(rooms) == 4
    expected = {  # place -> (seat, area P-code)
        "IQG10": (BAQUBAH, "IQG10"),
        "Kirkuk#0": (KIRKUK_CITY, "IQG13Q04"),
        "Mosul#0": (MOSUL_CITY, "IQG15Q05"),
        "IQG11Q04": (MAKHMOUR_TOWN, "IQG11Q04"),
    }
    assert set(rooms) == set(expected)
    for key, (seat, area) in expected.items():
        zone = rooms[key]
        assert zone.seat is not None and km_between(zone.seat, seat) < 5, (key, zone.seat)
        assert zone.params["area_pcode"] == area
        level = len(area) // 3
        assert zone.geometry.symmetric_difference(adm(level, area)).area < 1e-9
        assert zone.geometry.contains(Point(zone.seat[1], zone.seat[0]))
        assert zone.trigger.text == "غرف العمليات"
        assert "ستكون في ديالى وكركوك والموصل ومخمور" in zone.sentence.text


@pytest.mark.parametrize(
    ("kind", "pcode", "lat", "lon", "area", "seat"),
    [
        ("governorate", "IQG13", 35.35, 44.1, "IQG13", KIRKUK_CITY),  # seat = the capital
        ("subdistrict", "IQG15Q05N03", 36.45, 43.34, "IQG15Q05", (36.45, 43.34)),  # Bashiqa -> Al-Mosul
    ],
)
def test_operations_room_area_follows_the_place_kind(
    kind: str, pcode: str, lat: float, lon: float, area: str, seat: tuple[float, float]
) -> None:
    text = "ستكون غرفة العمليات المشتركة في المنطقة"
    p = place(text, "المنطقة", kind=kind, name="X", name_ar="المنطقة", lat=lat, lon=lon, pcode=pcode)
    zones, unanchored = derive_zones(text, [p])
    assert unanchored == []
    (zone,) = zones
    assert zone.params["area_pcode"] == area
    assert zone.seat is not None and km_between(zone.seat, seat) < 1


# --- security vacuum ------------------------------------------------------------------------------

KURDISTAN = ("IQG06", "IQG09", "IQG11")
NAMED = ("IQG15", "IQG16", "IQG13", "IQG10")


def test_seed_vacuum_belt_runs_from_syria_to_iran_on_the_federal_side(seed_zones: list[Zone]) -> None:
    (belt,) = of_kind(seed_zones, "security_vacuum")
    assert sorted(belt.params["governorates"]) == sorted(NAMED)
    assert belt.params["width_km"] == 20 and belt.params["side"] == "federal"
    assert belt.trigger.text == "الفراغات"
    belt_m = metric(belt.geometry)
    iraq_m = metric(adm(0, "IQ"))
    assert belt_m.difference(iraq_m.buffer(10)).area < 1e6  # inside Iraq (within 10 m)
    for gov in NAMED:
        assert belt_m.intersection(metric(adm(1, gov))).area > 100e6, gov
    for gov in KURDISTAN:
        assert belt_m.intersection(metric(adm(1, gov))).area < 1e6, gov
    # West end on the Syrian frontier (Syria's own COD-AB outline), east end on the Iranian one
    # (Diyala's stretch of the Iraq outline), each at the right end of the belt.
    syria = boundaries.load_neighbours(0)
    assert syria is not None
    syria_m = metric(syria.geometry.iloc[0])
    assert belt_m.distance(syria_m) < 100
    west = shapely.get_coordinates(g.to_wgs84(belt_m.intersection(syria_m.buffer(2000))))
    assert west[:, 0].max() < 42.8
    iran_m = metric(adm(1, "IQG10")).boundary.intersection(iraq_m.boundary.buffer(1))
    assert belt_m.distance(iran_m) < 100
    east = shapely.get_coordinates(g.to_wgs84(belt_m.intersection(iran_m.buffer(2000))))
    assert east[:, 0].min() > 45.0
    assert belt.params["reaches_syria"] and belt.params["reaches_iran"]
    assert "cod_ab_syria" in belt.dataset


def belt_for(text: str, places: list[Place], **kw: object) -> Zone:
    zones, _ = derive_zones(text, places, **kw)  # type: ignore[arg-type]
    (belt,) = of_kind(zones, "security_vacuum")
    return belt


def test_belt_area_grows_with_its_width(seed: tuple[str, list[Place]]) -> None:
    text, places = seed
    areas = {w: belt_for(text, places, belt_km=w).area_km2 for w in (10, 20, 40)}
    assert 1.6 < areas[20] / areas[10] < 2.1
    assert 1.6 < areas[40] / areas[20] < 2.1


def test_belt_on_both_sides_reaches_into_the_kurdistan_region(seed: tuple[str, list[Place]]) -> None:
    text, places = seed
    federal = belt_for(text, places)
    both = belt_for(text, places, belt_side="both")
    assert both.area_km2 > 1.6 * federal.area_km2
    kri_m = shapely.union_all([metric(adm(1, p)) for p in KURDISTAN])
    assert metric(both.geometry).intersection(kri_m).area > 1000e6
    assert both.params["side"] == "both"


@pytest.mark.parametrize("width", [0, -5, 0.01, 1000, math.nan, math.inf, "20", None])
def test_bad_belt_width_is_a_clear_error(seed: tuple[str, list[Place]], width: object) -> None:
    text, places = seed
    with pytest.raises(ParameterError, match="belt width"):
        derive_zones(text, places, belt_km=width)  # type: ignore[arg-type]


def test_bad_belt_side_is_a_clear_error(seed: tuple[str, list[Place]]) -> None:
    text, places = seed
    with pytest.raises(ParameterError, match="belt side"):
        derive_zones(text, places, belt_side="kurdish")


def test_belt_is_restricted_to_the_governorates_named() -> None:
    text = "وتمتد الفراغات الأمنية في محافظة كركوك."
    kirkuk = place(
        text, "كركوك", kind="governorate", name="Kirkuk", name_ar="كركوك", lat=35.35, lon=44.1, pcode="IQG13"
    )
    belt = belt_for(text, [kirkuk])
    assert belt.params["governorates"] == ["IQG13"]
    assert metric(belt.geometry).difference(metric(adm(1, "IQG13")).buffer(10)).area < 1e6
    assert not belt.params["reaches_syria"] and not belt.params["reaches_iran"]


def test_governorate_far_from_the_line_is_skipped_with_a_reason() -> None:
    text = "وتمتد الفراغات من نينوى إلى البصرة."
    ninewa = place(
        text, "نينوى", kind="governorate", name="Nineveh", name_ar="نينوى", lat=36.0, lon=42.45, pcode="IQG15"
    )
    basrah = place(
        text, "البصرة", kind="governorate", name="Basrah", name_ar="البصرة", lat=30.5, lon=47.8, pcode="IQG02"
    )
    result = derive(text, [ninewa, basrah])
    (belt,) = of_kind(result.zones, "security_vacuum")
    assert belt.params["governorates"] == ["IQG15"]
    (skip,) = result.skipped
    assert skip.name == "Basrah" and "Kurdistan Region line" in skip.reason


# --- attack areas ---------------------------------------------------------------------------------


def test_seed_attack_areas_follow_the_modifiers(seed_zones: list[Zone]) -> None:
    attacks = {z.id: z for z in of_kind(seed_zones, "attack_area")}
    assert set(attacks) == {
        "attack_area:Baghdad#1:around",
        "attack_area:IQG07:north",
        "attack_area:IQG10",
        "attack_area:IQG13",
        "attack_area:IQG15",
        "attack_area:IQG16:outskirts",
    }
    for z in attacks.values():
        assert z.trigger.text == "هجماته"
    assert attacks["attack_area:IQG07:north"].label_ar == "هجمات: شمال بابل"
    assert attacks["attack_area:IQG16:outskirts"].label == "Attacks: outskirts of Salah al-Din"


def test_north_babil_is_inside_babil_and_north_of_its_centroid(seed_zones: list[Zone]) -> None:
    (north,) = [z for z in seed_zones if z.id == "attack_area:IQG07:north"]
    babil_m = metric(adm(1, "IQG07"))
    zone_m = metric(north.geometry)
    assert zone_m.difference(babil_m.buffer(10)).area < 1e4
    assert zone_m.bounds[1] >= babil_m.centroid.y - 10
    assert 0.2 * babil_m.area < zone_m.area < 0.8 * babil_m.area


def test_around_baghdad_is_a_ring_around_the_city(seed_zones: list[Zone]) -> None:
    (ring,) = [z for z in seed_zones if z.id == "attack_area:Baghdad#1:around"]
    centre = Point(BAGHDAD_CITY[1], BAGHDAD_CITY[0])
    assert not ring.geometry.contains(centre)
    assert ring.geometry.contains(Point(TAJI[1], TAJI[0]))
    assert ring.params["method"] == "ring" and ring.params["inner_km"] < ring.params["outer_km"]
    # within Baghdad governorate and its neighbours; reaching into north Babil
    assert "IQG08" in ring.params["within"]
    assert any(p.startswith("IQG07") for p in ring.covers + ring.touches)


def test_outskirts_of_salah_al_din_is_a_band_along_its_boundary(seed_zones: list[Zone]) -> None:
    (band,) = [z for z in seed_zones if z.id == "attack_area:IQG16:outskirts"]
    sad_m = metric(adm(1, "IQG16"))
    band_m = metric(band.geometry)
    assert band_m.difference(sad_m.buffer(10)).area < 1e4
    core = shapely.maximum_inscribed_circle(sad_m)  # centre to the nearest boundary point
    assert core.length > 15_000 and not band_m.contains(shapely.get_point(core, 0))
    assert band_m.distance(sad_m.boundary) == 0


def test_plain_governorate_attack_is_the_governorate(seed_zones: list[Zone]) -> None:
    (diyala,) = [z for z in seed_zones if z.id == "attack_area:IQG10"]
    assert diyala.geometry.symmetric_difference(adm(1, "IQG10")).area < 1e-9
    assert diyala.area_km2 == pytest.approx(g.geodesic_area_km2(adm(1, "IQG10")))


def test_list_stops_at_words_that_are_not_connectors() -> None:
    text = "ستكون غرف العمليات في ديالى وكركوك، فيما زار الوزير الموصل."
    places = [
        place(
            text,
            "ديالى",
            kind="governorate",
            name="Diyala",
            name_ar="ديالى",
            lat=33.95,
            lon=45.0,
            pcode="IQG10",
        ),
        place(
            text,
            "كركوك",
            kind="governorate",
            name="Kirkuk",
            name_ar="كركوك",
            lat=35.35,
            lon=44.1,
            pcode="IQG13",
        ),
        place(
            text, "الموصل", kind="city", name="Mosul", name_ar="الموصل", lat=MOSUL_CITY[0], lon=MOSUL_CITY[1]
        ),
    ]
    zones, _ = derive_zones(text, places)
    assert [z.places for z in zones] == [["IQG10"], ["IQG13"]]


def test_nearest_trigger_owns_its_places() -> None:
    text = "ISIS escalated its attacks in Diyala."
    diyala = place(
        text, "Diyala", kind="governorate", name="Diyala", name_ar="ديالى", lat=33.95, lon=45.0, pcode="IQG10"
    )
    zones, unanchored = derive_zones(text, [diyala])
    (zone,) = zones
    assert zone.trigger.text == "attacks" and unanchored == []


# --- disputed territories -------------------------------------------------------------------------


def test_disputed_territories_is_one_zone_from_the_list(seed_zones: list[Zone]) -> None:
    (disputed,) = of_kind(seed_zones, "disputed_territories")
    _, units = load_unit_list("disputed_districts.toml")
    core = [u.pcode for u in units if u.scope == "core"]
    assert disputed.places == core
    assert disputed.trigger.text == "المتنازع عليها"
    for district in (
        "IQG13Q01",
        "IQG13Q02",
        "IQG13Q03",
        "IQG13Q04",
        "IQG15Q07",
        "IQG11Q04",
        "IQG10Q05",
        "IQG16Q07",
        "IQG10Q03N01",
    ):
        assert district in disputed.covers
    assert "IQG15Q05" not in disputed.covers  # Al-Mosul district itself is not listed
    assert disputed.params["sources"]


def test_disputed_list_and_seats_match_the_boundaries() -> None:
    pcodes = {lvl: set(boundaries.load_level(lvl)["pcode"]) for lvl in (1, 2, 3)}
    sources, units = load_unit_list("disputed_districts.toml")
    for u in units:
        assert u.pcode in pcodes[2] | pcodes[3], u.pcode
        assert all(s in sources for s in u.sources)
    seats = load_seats()
    assert set(seats) == pcodes[1]
    for pcode, seat in seats.items():
        assert adm(1, pcode).contains(Point(seat.lon, seat.lat)), pcode


# --- bad input ------------------------------------------------------------------------------------


def test_trigger_without_places_is_unanchored_not_a_crash() -> None:
    text = "اتفق الجانبان على تشكيل غرف عمليات مشتركة في أقرب وقت."
    zones, unanchored = derive_zones(text, [])
    assert zones == []
    (span,) = unanchored
    assert span.text == "غرف عمليات مشتركة" and text[span.start : span.end] == span.text


def test_places_outside_the_boundaries_are_skipped_with_a_reason() -> None:
    text = "ستكون غرف العمليات في القامشلي وكركوك ومكان مجهول."
    places = [
        place(
            text,
            "القامشلي",
            kind="city",
            name="Qamishli",
            name_ar="القامشلي",
            lat=37.05,
            lon=41.22,
            country="SY",
        ),
        place(
            text,
            "كركوك",
            kind="governorate",
            name="Kirkuk",
            name_ar="كركوك",
            lat=35.35,
            lon=44.1,
            pcode="IQG13",
        ),
        place(text, "مكان مجهول", kind="town", name="Nowhere", name_ar="مكان مجهول", lat=40.0, lon=30.0),
    ]
    result = derive(text, places)
    assert [z.places for z in result.zones] == [["IQG13"]]
    reasons = {s.name: s.reason for s in result.skipped}
    assert "outside Iraq" in reasons["Qamishli"]
    assert "outside the Iraq boundaries" in reasons["Nowhere"]


def test_trigger_whose_places_are_all_skipped_is_unanchored() -> None:
    text = "ستكون غرف العمليات في القامشلي."
    qamishli = place(
        text, "القامشلي", kind="city", name="Qamishli", name_ar="القامشلي", lat=37.05, lon=41.22, country="SY"
    )
    result = derive(text, [qamishli])
    assert result.zones == [] and [s.text for s in result.unanchored] == ["غرف العمليات"]
    assert len(result.skipped) == 1


def _rules_copy(tmp_path: Path, edit: str | None = None, *, replace: tuple[str, str] | None = None) -> Path:
    shutil.copy(DATA_DIR / "disputed_districts.toml", tmp_path / "disputed_districts.toml")
    raw = (DATA_DIR / "zone_rules.toml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in raw
        raw = raw.replace(replace[0], replace[1], 1)
    if edit:
        raw += edit
    path = tmp_path / "zone_rules.toml"
    path.write_text(raw, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_rules_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _rules_copy(tmp_path, replace=('attach = "clause"', 'attach = "clause'))
    line = _line_of(path, 'attach = "clause')
    with pytest.raises(RulesError, match=rf"line {line}\b.*syntax"):
        load_rules(path)


def test_rules_unknown_kind_names_the_line(tmp_path: Path) -> None:
    path = _rules_copy(tmp_path, '\n[kinds.checkpoint]\nlabel = "Checkpoint"\n')
    line = _line_of(path, "[kinds.checkpoint]")
    with pytest.raises(RulesError, match=rf"line {line}: unknown zone kind 'checkpoint'"):
        load_rules(path)


def test_rules_unknown_key_and_bad_values_name_the_line(tmp_path: Path) -> None:
    path = _rules_copy(tmp_path, replace=("max_lead_words = 12", "max_lead_word = 12"))
    with pytest.raises(RulesError, match=rf"line {_line_of(path, 'max_lead_word = 12')}: unknown key"):
        load_rules(path)
    path = _rules_copy(tmp_path, replace=("band_km = 15.0", "band_km = -1"))
    with pytest.raises(RulesError, match=rf"line {_line_of(path, 'band_km = -1')}: parameter 'band_km'"):
        load_rules(path)
    path = _rules_copy(tmp_path, replace=('construction = "belt"', 'construction = "buffer"'))
    with pytest.raises(RulesError, match="unknown construction 'buffer'"):
        load_rules(path)


def test_custom_rules_change_what_is_found(tmp_path: Path) -> None:
    path = _rules_copy(
        tmp_path, replace=('"joint coordination room*",', '"joint coordination room*", "war room*",')
    )
    text = "The war rooms will be in Diyala."
    diyala = place(
        text, "Diyala", kind="governorate", name="Diyala", name_ar="ديالى", lat=33.95, lon=45.0, pcode="IQG10"
    )
    assert derive_zones(text, [diyala])[0] == []
    zones, _ = derive_zones(text, [diyala], rules=load_rules(path))
    assert [z.kind for z in zones] == ["operations_room"]


# --- outputs --------------------------------------------------------------------------------------


def test_zone_styles_cover_every_kind() -> None:
    styles = zone_styles()
    kinds = {"operations_room", "security_vacuum", "disputed_territories", "attack_area", "corridor"}
    assert set(styles) == kinds
    for style in styles.values():
        assert style["color"].startswith("#") and 0 <= style["fill_opacity"] <= 1
        assert isinstance(style["dash"], str) and style["label"] and style["label_ar"]


def test_frame_has_provenance_and_valid_geometry(seed_zones: list[Zone]) -> None:
    frame = zones_frame(seed_zones)
    assert frame.crs.to_epsg() == 4326 and len(frame) == len(seed_zones) == 12
    assert frame.is_valid.all() and not frame.geometry.is_empty.any()
    for column in (
        "trigger_start",
        "trigger_end",
        "trigger_text",
        "occurrences",
        "sentence",
        "places",
        "construction",
        "params",
        "dataset",
        "area_km2",
        "covers",
        "touches",
    ):
        assert column in frame.columns
    assert all(isinstance(json.loads(p), dict) for p in frame["params"])
    assert (frame["area_km2"] > 0).all()
    assert frame["occurrences"].tolist() == [len(z.occurrences) for z in seed_zones]
    assert frame["dataset"].str.startswith("cod_ab_iraq@").all()
    empty = zones_frame([])
    assert list(empty.columns) == list(frame.columns) and empty.crs.to_epsg() == 4326


def test_to_dict_and_geojson_follow_the_contract(seed_zones: list[Zone]) -> None:
    for zone in seed_zones:
        d = json.loads(json.dumps(zone.to_dict(), ensure_ascii=False))
        assert {"kind", "label", "label_ar", "places", "trigger", "occurrences", "params", "geometry"} <= set(
            d
        )
        assert set(d["trigger"]) == {"start", "end", "text"}
        assert d["occurrences"][0] == d["trigger"] and len(d["occurrences"]) == len(zone.occurrences)
        assert shape(d["geometry"]).is_valid
    collection = zones_geojson(seed_zones)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == len(seed_zones)


def test_derivation_is_fast_once_boundaries_are_warm(seed: tuple[str, list[Place]]) -> None:
    text, places = seed
    derive_zones(text, places)
    best = math.inf
    for width in (18.0, 22.0, 26.0):  # a new width each time, as the dashboard slider does
        t0 = time.perf_counter()
        derive_zones(text, places, belt_km=width)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.2


# --- repeated descriptions and large input --------------------------------------------------------


def place_everywhere(
    text: str,
    surface: str,
    *,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    pcode: str | None = None,
    country: str = "IQ",
) -> Place:
    """One resolved place with a mention at every occurrence of ``surface`` (as the geoparser
    gives a place named many times)."""
    mentions = []
    start = text.find(surface)
    while start >= 0:
        end = start + len(surface)
        mentions.append(Mention(start, end, surface, Span(start, end, surface)))
        start = text.find(surface, end)
    return Place(
        id=pcode or name,
        name=name,
        name_ar=surface,
        kind=kind,
        country=country,
        lat=lat,
        lon=lon,
        confidence=0.9,
        mentions=mentions,
        pcode=pcode,
    )


def test_a_zone_described_again_is_one_zone_with_every_occurrence() -> None:
    sentence = "ووقعت الهجمات في ديالى. "
    text = sentence * 4 + "وتقرر تفعيل غرف العمليات في ديالى."
    diyala = place_everywhere(
        text, "ديالى", kind="governorate", name="Diyala", lat=33.95, lon=45.0, pcode="IQG10"
    )
    result = derive(text, [diyala])
    (attack,) = of_kind(result.zones, "attack_area")
    (room,) = of_kind(result.zones, "operations_room")
    assert len(attack.occurrences) == 4 and attack.trigger == attack.occurrences[0]
    assert [s.start for s in attack.occurrences] == [
        len(sentence) * n + sentence.index("الهجمات") for n in range(4)
    ]
    for span in attack.occurrences:
        assert text[span.start : span.end] == span.text == "الهجمات"
    assert room.occurrences == [room.trigger] and room.trigger.text == "غرف العمليات"
    assert [len(t) for t in (result.unanchored, result.skipped)] == [0, 0]
    d = json.loads(json.dumps(attack.to_dict(), ensure_ascii=False))
    assert [o["start"] for o in d["occurrences"]] == [s.start for s in attack.occurrences]
    frame = zones_frame(result.zones).set_index("id")
    assert frame.loc[attack.id, "occurrences"] == 4 and frame.loc[room.id, "occurrences"] == 1
    assert frame.loc[attack.id, "trigger_start"] == attack.occurrences[0].start


def test_zone_made_by_hand_counts_its_trigger_as_its_one_occurrence(seed_zones: list[Zone]) -> None:
    z = seed_zones[0]
    again = Zone(
        z.id,
        z.kind,
        z.label,
        z.label_ar,
        z.places,
        z.trigger,
        z.sentence,
        z.construction,
        z.params,
        z.geometry,
        z.dataset,
    )
    assert again.occurrences == [z.trigger]
    assert zones_frame([again])["occurrences"].tolist() == [1]


def test_constructions_and_statistics_run_once_per_distinct_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict
    from types import ModuleType

    from geo.zones import belt, build, coverage, modified_area, seat_and_area, unit_list

    calls: Counter[str] = Counter()

    def counted(zmod: ModuleType, name: str) -> None:
        real = getattr(zmod, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(zmod, name, wrapper)

    for zmod, name in (
        (modified_area, "_modified_shape"),
        (seat_and_area, "_room_zone"),
        (belt, "_belt_zone"),
        (unit_list, "_unit_list_zone"),
        (build, "_locate"),
        (coverage, "_statistics"),
    ):
        counted(zmod, name)
    monkeypatch.setattr(coverage, "_STATS_CACHE", OrderedDict())  # statistics computed afresh in this test
    from geo.zones.derivation import clear_caches

    clear_caches()  # constructions and located places built afresh in this test
    text = (
        "ووقعت الهجمات في شمال بابل وكركوك. وستكون غرف العمليات في كركوك. "
        "ونشأت فراغات أمنية في كركوك. وتبقى المناطق المتنازع عليها. "
    ) * 50
    babil = place_everywhere(
        text, "بابل", kind="governorate", name="Babil", lat=32.55, lon=44.6, pcode="IQG07"
    )
    babil.mentions = [
        Mention(m.start, m.end, m.text, m.sentence, "north", Span(m.start - 4, m.start - 1, "شمال"))
        for m in babil.mentions
    ]
    kirkuk = place_everywhere(
        text, "كركوك", kind="governorate", name="Kirkuk", lat=35.35, lon=44.1, pcode="IQG13"
    )
    result = derive(text, [babil, kirkuk])
    assert Counter(z.kind for z in result.zones) == {
        "attack_area": 2,
        "operations_room": 1,
        "security_vacuum": 1,
        "disputed_territories": 1,
    }
    assert all(len(z.occurrences) == 50 for z in result.zones)
    assert calls == {
        "_modified_shape": 2,  # north of Babil, Kirkuk
        "_room_zone": 1,
        "_belt_zone": 1,
        "_unit_list_zone": 1,
        "_locate": 2,  # each place once
        "_statistics": 4,  # once per distinct geometry: Kirkuk's room and attacks share the governorate
    }
    calls.clear()
    derive(text, [babil, kirkuk])  # a new call takes constructions and statistics from the caches
    assert calls["_modified_shape"] == 0 and calls["_statistics"] == 0


def test_the_same_belt_reached_through_other_names_keeps_all_its_places() -> None:
    text = "وتمتد الفراغات في كركوك. وتبقى الفراغات في مدينة كركوك."
    kirkuk_gov = place(
        text, "كركوك", kind="governorate", name="Kirkuk", name_ar="كركوك", lat=35.35, lon=44.1, pcode="IQG13"
    )
    kirkuk_city = place(
        text,
        "كركوك",
        kind="city",
        name="Kirkuk",
        name_ar="كركوك",
        lat=KIRKUK_CITY[0],
        lon=KIRKUK_CITY[1],
        nth=1,
    )
    (belt,) = derive_zones(text, [kirkuk_gov, kirkuk_city])[0]
    assert belt.params["governorates"] == ["IQG13"]
    assert belt.places == ["IQG13", kirkuk_city.id]
    assert [s.text for s in belt.occurrences] == ["الفراغات", "الفراغات"]


def test_a_lone_mark_between_trigger_and_place_is_not_a_word() -> None:
    text = "تصاعدت الهجمات ً في كركوك"  # a stray tanween folds to nothing
    kirkuk = place(
        text, "كركوك", kind="governorate", name="Kirkuk", name_ar="كركوك", lat=35.35, lon=44.1, pcode="IQG13"
    )
    (zone,) = derive_zones(text, [kirkuk])[0]
    assert zone.id == "attack_area:IQG13"


def test_a_few_hundred_kilobytes_give_one_zone_per_distinct_description() -> None:
    block = (
        "ووقعت الهجمات في ديالى وكركوك. "
        "The attacks went on around Baghdad. "
        "وستكون غرف العمليات في ديالى. "
        "ونشأت فراغات أمنية بين كركوك وديالى. "
        "Officials denied any attacks. "  # names no place
        "وتبقى المناطق المتنازع عليها.\n"
    )
    repeats = 1200
    text = block * repeats
    assert len(text.encode("utf-8")) > 300_000
    diyala = place_everywhere(
        text, "ديالى", kind="governorate", name="Diyala", lat=33.95, lon=45.0, pcode="IQG10"
    )
    kirkuk = place_everywhere(
        text, "كركوك", kind="governorate", name="Kirkuk", lat=35.35, lon=44.1, pcode="IQG13"
    )
    baghdad = place_everywhere(
        text, "Baghdad", kind="city", name="Baghdad", lat=BAGHDAD_CITY[0], lon=BAGHDAD_CITY[1]
    )
    baghdad.mentions = [
        Mention(m.start, m.end, m.text, m.sentence, "around", Span(m.start - 7, m.start - 1, "around"))
        for m in baghdad.mentions
    ]
    result = derive(text, [diyala, kirkuk, baghdad])
    occurrences = {z.id: len(z.occurrences) for z in result.zones}
    assert occurrences == {
        "operations_room:IQG10": repeats,
        "security_vacuum:IQG10+IQG13": repeats,
        "disputed_territories": repeats,
        "attack_area:IQG10": repeats,
        "attack_area:IQG13": repeats,
        "attack_area:Baghdad:around": repeats,
    }
    assert len(result.unanchored) == repeats and {s.text for s in result.unanchored} == {"attacks"}
    assert len(result.triggers) == 6 * repeats
    for z in result.zones:
        starts = [s.start for s in z.occurrences]
        assert starts == sorted(starts) and len(set(starts)) == repeats
        assert all(text[s.start : s.end] == s.text for s in z.occurrences)
    frame = zones_frame(result.zones)
    assert frame["occurrences"].tolist() == [repeats] * 6


def _scan_every_position(text: str) -> list[tuple[str, int, int]]:
    """Trigger matches the plain way: every pattern over the whole folded text, longest first,
    each widened to the whole words (``word_pattern`` tokens) it starts and ends in, but for the
    proclitic a match may start with."""
    from bisect import bisect_right

    from geo.text.normalize import normalize_with_map, word_pattern
    from geo.zones.triggers import _patterns

    rules = load_rules()
    folded, index = normalize_with_map(text)
    folded = folded.replace("_", " ")  # "_" separates words, as in a hashtag (one for one)
    words = [m.span() for m in word_pattern(text).finditer(text)]
    word_starts = [a for a, _ in words]

    def word(pos: int) -> tuple[int, int]:
        return words[bisect_right(word_starts, pos) - 1]

    out = []
    for kind, rule in rules.kinds.items():
        spans = []
        for phrase in _patterns(rule, rules.proclitics_ar, rules.quote_marks):
            for m in phrase.pattern.finditer(folded):
                a, b = m.span("core")
                start = word(index[a])[0] if m.start() == a else index[a]
                spans.append((start, word(index[b - 1])[1]))
        last_end = -1
        for a, b in sorted(spans, key=lambda ab: (ab[0], -(ab[1] - ab[0]))):
            if a >= last_end:
                out.append((kind, a, b))
                last_end = b
    return sorted(out, key=lambda t: (t[1], t[0]))


def test_trigger_search_finds_what_a_scan_of_every_position_finds(seed_text: str) -> None:
    texts = [seed_text, ENGLISH_SEED.read_text(encoding="utf-8")]
    texts += [
        p.read_text(encoding="utf-8") for p in sorted((REPO / "tests" / "gold" / "articles").glob("*.txt"))
    ]
    texts.append("وصعّد التنظيم هجماتِه وهجماتهم، ﻻ غرفِ العمليات المشتركة؛ attack-attacks _attack ATTACKS ﷲ")
    for text in texts:
        found = [(t.kind, t.span.start, t.span.end) for t in find_triggers(text)]
        assert found == _scan_every_position(text)


# --- command line ---------------------------------------------------------------------------------


@pytest.fixture
def hand_geoparser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the pipeline's geoparser return the hand-built seed places (the CLI plumbing under test)."""
    import types

    fake = types.ModuleType("geo.text.resolve")
    fake.geoparse = lambda text, **_: seed_places(text)  # type: ignore[attr-defined]  # and tokens=
    monkeypatch.setitem(sys.modules, "geo.text.resolve", fake)


def test_cli_zones_writes_a_feature_collection(
    hand_geoparser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zones.geojson"
    seed_file = REPO / "data" / "samples" / "article-000.txt"
    assert cli.main(["zones", str(seed_file), "--format", "geojson", "--belt-km", "30", "-o", str(out)]) == 0
    collection = json.loads(out.read_text(encoding="utf-8"))
    kinds = Counter(f["properties"]["kind"] for f in collection["features"])
    assert kinds == {"operations_room": 4, "security_vacuum": 1, "disputed_territories": 1, "attack_area": 6}
    (belt,) = [f for f in collection["features"] if f["properties"]["kind"] == "security_vacuum"]
    assert belt["properties"]["params"]["width_km"] == 30
    assert all(shape(f["geometry"]).is_valid for f in collection["features"])
    err = capsys.readouterr().err
    assert "name no place" in err and "no zone drawn" in err  # unanchored triggers are reported


def test_cli_zones_jsonl_has_one_zone_per_line(
    hand_geoparser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_file = REPO / "data" / "samples" / "article-000.txt"
    assert cli.main(["zones", str(seed_file), "--format", "jsonl", "--belt-side", "both"]) == 0
    lines = capsys.readouterr().out.splitlines()
    zones = [json.loads(line) for line in lines]
    assert len(zones) == 12
    assert {"kind", "label", "label_ar", "places", "trigger", "params", "geometry"} <= set(zones[0])


@pytest.mark.parametrize("width", ["0", "-3", "500"])
def test_cli_zones_refuses_a_bad_width(width: str, capsys: pytest.CaptureFixture[str]) -> None:
    seed_file = REPO / "data" / "samples" / "article-000.txt"
    assert cli.main(["zones", str(seed_file), f"--belt-km={width}"]) == 2
    err = capsys.readouterr().err
    assert "belt width" in err and "Traceback" not in err


def test_places_from_another_text_are_refused() -> None:
    long_text = "ستكون غرف العمليات في ديالى وكركوك والموصل ومخمور"
    makhmour = place(
        long_text,
        "ومخمور",
        kind="district",
        name="Makhmour",
        name_ar="مخمور",
        lat=35.78,
        lon=43.58,
        pcode="IQG11Q04",
    )
    with pytest.raises(InputError, match="outside the text"):
        derive_zones("غرف العمليات", [makhmour])


def test_every_modifier_the_extractor_emits_has_a_construction() -> None:
    from geo.text.extract import MODIFIER_VALUES
    from geo.zones.rules import MODIFIERS

    assert set(MODIFIERS) == set(MODIFIER_VALUES)
    labels = load_rules().kinds["attack_area"].params["modifier_labels"]
    assert set(labels) == set(MODIFIERS)


@pytest.mark.parametrize(
    ("kind", "pcode", "modifier", "method"),
    [
        ("governorate", "IQG13", "northeast", "quadrant_by_centroid"),
        ("governorate", "IQG13", "centre", "core"),
        ("governorate", "IQG13", "near", "disc"),
        ("city", None, "near", "disc"),
        ("city", None, "south", "half_ring"),
        ("city", None, "outskirts", "ring"),
        ("city", None, "centre", "disc"),
        ("city", None, None, "unit"),
    ],
)
def test_attack_modifiers_on_units_and_towns(
    kind: str, pcode: str | None, modifier: str | None, method: str
) -> None:
    text = "تصاعدت الهجمات في كركوك"
    lat, lon = KIRKUK_CITY
    kirkuk = place(
        text,
        "كركوك",
        kind=kind,
        name="Kirkuk",
        name_ar="كركوك",
        lat=lat,
        lon=lon,
        pcode=pcode,
        modifier=modifier,
    )
    (zone,) = derive_zones(text, [kirkuk])[0]
    assert zone.params["method"] == method
    zone_m = metric(zone.geometry)
    city_m = metric(Point(lon, lat))
    gov_m = metric(adm(1, "IQG13"))
    if method == "quadrant_by_centroid":
        assert zone_m.bounds[0] >= gov_m.centroid.x - 10 and zone_m.bounds[1] >= gov_m.centroid.y - 10
    elif method == "core":
        assert zone_m.distance(gov_m.boundary) >= 15_000 - 100  # arcs are drawn with chords
    elif method == "disc":
        assert zone_m.contains(city_m)  # the capital (seat of the governorate) or the town itself
    elif method == "half_ring":
        assert zone_m.bounds[3] <= city_m.y + 10 and not zone_m.contains(city_m)
    elif method == "ring":
        assert not zone_m.contains(city_m) and zone_m.distance(city_m) == pytest.approx(5_000, rel=0.01)
    else:  # the sub-district holding the town
        assert zone.params["unit_level"] == 3 and zone_m.contains(city_m)


def test_district_seat_is_the_town_of_the_same_name() -> None:
    text = "ستكون غرفة العمليات في مخمور"
    makhmour = place(
        text,
        "مخمور",
        kind="district",
        name="Makhmour",
        name_ar="مخمور",
        lat=35.802,
        lon=43.616,
        pcode="IQG11Q04",
    )  # the district's representative point
    makhmour.alternatives = [
        Candidate(
            id="gn:93818",
            name="Mexmur",
            name_ar="مخمور",
            kind="town",
            country="IQ",
            lat=35.77622,
            lon=43.57974,
        ),
        Candidate(id="gn:1", name="Elsewhere", name_ar="", kind="town", country="IQ", lat=33.3, lon=44.4),
    ]
    (zone,) = derive_zones(text, [makhmour])[0]
    assert zone.params["seat_source"] == "alternative:gn:93818"
    assert zone.seat == (35.77622, 43.57974)


# --- end to end: the real geoparser ---------------------------------------------------------------


def _signature(zones: list[Zone]) -> dict[str, tuple[str, tuple[str, ...], str]]:
    return {z.id: (z.kind, tuple(z.places), str(z.params.get("method", z.construction))) for z in zones}


@pytest.fixture(scope="module")
def parsed_seed(seed_text: str) -> tuple[list[Zone], list[Span]]:
    from geo.text.resolve import geoparse

    return derive_zones(seed_text, geoparse(seed_text))


def test_seed_end_to_end(parsed_seed: tuple[list[Zone], list[Span]], seed_zones: list[Zone]) -> None:
    zones, unanchored = parsed_seed
    kinds = Counter(z.kind for z in zones)
    assert kinds == {"operations_room": 4, "security_vacuum": 1, "disputed_territories": 1, "attack_area": 6}
    rooms = {z.label.split(": ")[1]: z for z in of_kind(zones, "operations_room")}
    assert set(rooms) == {"Diyala", "Kirkuk", "Mosul", "Makhmour"}
    for name, seat in (
        ("Diyala", BAQUBAH),
        ("Kirkuk", KIRKUK_CITY),
        ("Mosul", MOSUL_CITY),
        ("Makhmour", MAKHMOUR_TOWN),
    ):
        zone = rooms[name]
        assert zone.seat is not None and km_between(zone.seat, seat) < 5, name
        assert zone.geometry.contains(Point(zone.seat[1], zone.seat[0])), name
    (belt,) = of_kind(zones, "security_vacuum")
    assert sorted(belt.params["governorates"]) == sorted(NAMED)
    assert belt.params["reaches_syria"] and belt.params["reaches_iran"]
    attacks = {z.params.get("unit_pcode", "ring"): z for z in of_kind(zones, "attack_area")}
    assert attacks["IQG07"].params["modifier"] == "north"
    assert attacks["IQG16"].params["modifier"] == "outskirts"
    assert attacks["ring"].params["centre_name"] == "Baghdad"
    # the hand-built places of this module describe the same article
    assert {s[0] for s in _signature(zones).values()} == {s[0] for s in _signature(seed_zones).values()}
    assert len(unanchored) >= 1 and all(s.text for s in unanchored)


def test_english_paraphrase_gives_the_same_zones(parsed_seed: tuple[list[Zone], list[Span]]) -> None:
    from geo.text.resolve import geoparse

    text = ENGLISH_SEED.read_text(encoding="utf-8")
    english, _ = derive_zones(text, geoparse(text))
    arabic, _ = parsed_seed
    assert _signature(english) == _signature(arabic)
    by_id = {z.id: z for z in arabic}
    for z in english:
        assert z.geometry.symmetric_difference(by_id[z.id].geometry).area < 1e-9, z.id
        assert text[z.trigger.start : z.trigger.end] == z.trigger.text


def test_cli_zones_end_to_end(tmp_path: Path) -> None:
    import subprocess

    out = tmp_path / "zones.geojson"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "zones",
            "data/samples/article-000.txt",
            "--format",
            "geojson",
            "--belt-km",
            "25",
            "-o",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(features) == 12
    (belt,) = [f for f in features if f["properties"]["kind"] == "security_vacuum"]
    assert belt["properties"]["params"]["width_km"] == 25
    assert belt["properties"]["trigger"]["text"] == "الفراغات"


def test_cli_extract_jsonl_carries_the_zones(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["extract", str(REPO / "data" / "samples" / "article-000.txt"), "--format", "jsonl"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    zones = record["zones"]
    assert Counter(z["kind"] for z in zones) == {
        "operations_room": 4,
        "security_vacuum": 1,
        "disputed_territories": 1,
        "attack_area": 6,
    }
    for z in zones:
        assert {"kind", "label", "label_ar", "places", "trigger", "params", "geometry"} <= set(z)
        assert set(z["trigger"]) == {"start", "end", "text"} and shape(z["geometry"]).is_valid


@pytest.mark.parametrize(
    "text",
    [
        "هاجم رئيس الوزراء خلال زيارته إلى كركوك الكتل السياسية.",
        "يهاجم المدرب لاعبي فريق كركوك بعد الخسارة.",
        "Celebratory gunfire: men opened fire in the air at a wedding in Kirkuk.",
        "Unemployment rose sharply in Nineveh, especially in Mosul.",
        "طائرة مسيرة تحلق فوق كركوك دون أن تضرب.",
        "عثرت قوة أمنية على عبوات ناسفة معدة للتفجير في قضاء الطارمية وتم تفكيكها.",
        "Teachers went on strike in Diyala and Kirkuk.",
        "A suicide bomber from Fallujah was arrested in Baghdad.",
    ],
)
def test_real_text_traps_draw_no_zone(text: str) -> None:
    assert [z.label for z in analyze(text).zones] == []


@pytest.mark.parametrize("quoted", ["«داعش»", "“داعش”", '"داعش"'])
def test_an_attack_verb_with_a_quoted_armed_subject(quoted: str) -> None:
    text = f"هاجم {quoted} قافلة في قضاء الحويجة."
    assert [z.label for z in analyze(text).zones] == ["Attacks: Al-Hawiga"]


def test_a_large_sub_district_is_seated_at_its_namesake_town() -> None:
    # the geoparser reads النخيب as the sub-district (the name's own unit); the offset is measured
    # from its town An Nukhayb, not from a point of its desert
    zone = analyze("كمين لداعش على بعد 45 كيلومترا غرب النخيب.").zones[0]
    assert zone.params["from_source"].startswith("namesake:")
    assert zone.params["from"] == pytest.approx([32.04, 42.255], abs=0.01)
