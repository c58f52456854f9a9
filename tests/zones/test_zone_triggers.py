"""Reading zones in text (geo.zones.reading, geo.zones.triggers): the five steps of the rules file.

Places are built by hand (surface, kind, P-code, point), so each test shows what the reading
receives; the geometry comes from the real COD-AB boundaries.
"""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point

from geo.model import Mention, Place, Span, Zone
from geo.text.tokens import tokenize
from geo.zones import geometry as g
from geo.zones.derivation import derive
from geo.zones.reading import read_article
from geo.zones.rules import load_rules

KIRKUK_CITY = (35.46806, 44.39222)
MOSUL_CITY = (36.335, 43.11889)
BAGHDAD_CITY = (33.34058, 44.40088)
GOVERNORATES = {  # name -> (P-code, point inside)
    "Diyala": ("IQG10", 33.95, 45.0),
    "Kirkuk": ("IQG13", 35.35, 44.1),
    "Ninewa": ("IQG15", 36.0, 42.5),
    "Salah Al-Din": ("IQG16", 34.5, 43.7),
    "Wasit": ("IQG18", 32.6, 45.7),
}


def mention_places(
    text: str, spec: list[tuple[str, dict]], *, modifiers: dict[str, str] | None = None
) -> list[Place]:
    """One place per (surface, fields), with a mention at every occurrence of the surface."""
    out = []
    for surface, fields in spec:
        mentions = []
        start = text.find(surface)
        while start >= 0:
            mod = (modifiers or {}).get(surface)
            mentions.append(Mention(start, start + len(surface), surface, Span(0, len(text), text), mod))
            start = text.find(surface, start + len(surface))
        assert mentions, surface
        out.append(
            Place(
                id=fields.get("id", fields.get("pcode") or fields["name"]),
                name=fields["name"],
                name_ar=fields.get("name_ar", ""),
                kind=fields["kind"],
                country="IQ",
                lat=fields["lat"],
                lon=fields["lon"],
                confidence=0.9,
                mentions=mentions,
                pcode=fields.get("pcode"),
                governorate_pcode=fields.get("gov"),
            )
        )
    return out


def gov(name: str, **extra: object) -> dict:
    pcode, lat, lon = GOVERNORATES[name]
    return {"name": name, "kind": "governorate", "pcode": pcode, "lat": lat, "lon": lon, **extra}


def unit(name: str, kind: str, pcode: str, lat: float, lon: float) -> dict:
    return {"name": name, "kind": kind, "pcode": pcode, "lat": lat, "lon": lon}


def town(name: str, lat: float, lon: float, gov_pcode: str, kind: str = "city") -> dict:
    return {"name": name, "kind": kind, "lat": lat, "lon": lon, "gov": gov_pcode, "id": f"gn:{name}"}


def zones_of(text: str, places: list[Place]) -> list[Zone]:
    return derive(text, places).zones


def ids(zones: list[Zone]) -> set[str]:
    return {z.id for z in zones}


# --- 1. clauses: quotes are read through ------------------------------------------------------------


@pytest.mark.parametrize("quoted", ["«داعش»", '"داعش"', "“داعش”"])
def test_quotes_around_a_group_name_do_not_cut_the_list(quoted: str) -> None:
    text = f"تصاعدت هجمات {quoted} في ديالى وكركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10", "attack_area:IQG13"}


def test_english_quotes_and_brackets_nested() -> None:
    text = 'A rise in "ISIS" (“Daesh”) attacks in Diyala [officials said] worried the army.'
    places = mention_places(text, [("Diyala", gov("Diyala"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10"}


# --- 2. triggers cancelled by context ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "افتتحت دائرة الصحة غرفة عمليات جراحية جديدة في كركوك.",
        "Zain said its network operations room in Kirkuk had restored service.",
        "The row exposed a leadership vacuum at the North Oil Company in Kirkuk.",
        "Kirkuk SC's attack proved too much for the visitors in the league.",
        "وصعدت نقابة المعلمين مطالبها في كركوك.",
        "The dispute between Kirkuk and Diyala escalated on Tuesday.",
    ],
)
def test_traps_draw_nothing(text: str) -> None:
    places = mention_places(text, [("Kirkuk" if "Kirkuk" in text else "كركوك", gov("Kirkuk"))])
    if "Diyala" in text:
        places += mention_places(text, [("Diyala", gov("Diyala"))])
    result = derive(text, places)
    assert result.zones == []


def test_a_cancelled_trigger_is_reported_with_the_reason() -> None:
    text = "افتتحت غرفة عمليات جراحية في كركوك."
    places = mention_places(text, [("كركوك", gov("Kirkuk"))])
    result = derive(text, places)
    assert result.zones == [] and len(result.excluded) == 1
    trigger, why = result.excluded[0]
    assert trigger.kind == "operations_room" and "جراحي" in why


# --- 3. runs: late lists, enumerations ---------------------------------------------------------------


def test_late_list_wins_over_a_venue_named_first() -> None:
    text = (
        "The coordination centers that the two ministries agreed on after months of stalled talks in "
        "Baghdad opened on Sunday in each of Kirkuk, Khanaqin and Makhmour, an official said."
    )
    places = mention_places(
        text,
        [
            ("Baghdad", town("Baghdad", *BAGHDAD_CITY, "IQG08")),
            ("Kirkuk", gov("Kirkuk")),
            ("Khanaqin", unit("Khanaqin", "district", "IQG10Q05", 34.35, 45.39)),
            ("Makhmour", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)),
        ],
    )
    zones = zones_of(text, places)
    assert ids(zones) == {"operations_room:IQG13", "operations_room:IQG10Q05", "operations_room:IQG11Q04"}
    assert all("late" in z.reason for z in zones)


def test_enumeration_in_a_later_sentence_with_ordinals() -> None:
    text = (
        "Baghdad and Erbil agree on six joint operations rooms. Six rooms will be formed. The first "
        "will be in Kirkuk, the second in Makhmour, while the remaining two will sit in Nineveh "
        "province, one in Sinjar and another in Bashiqa."
    )
    places = mention_places(
        text,
        [
            ("Kirkuk", gov("Kirkuk")),
            ("Makhmour", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)),
            ("Nineveh", gov("Ninewa")),
            ("Sinjar", unit("Sinjar", "district", "IQG15Q07", 36.32, 41.87)),
            ("Bashiqa", unit("Bashiqa", "subdistrict", "IQG15Q05N03", 36.45, 43.35)),
        ],
    )
    zones = zones_of(text, places)
    assert ids(zones) == {
        "operations_room:IQG13",
        "operations_room:IQG11Q04",
        "operations_room:IQG15Q07",
        "operations_room:IQG15Q05N03",
    }  # Nineveh only locates Sinjar and Bashiqa
    assert all(0 < z.confidence <= 1 and z.reason.startswith("operations room:") for z in zones)


def test_one_in_x_and_another_in_y_in_arabic() -> None:
    text = "مشيرا إلى أن مقرين إضافيين للتنسيق سيقامان لاحقا، واحد في مخمور وآخر في كركوك."
    places = mention_places(
        text,
        [("مخمور", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)), ("كركوك", gov("Kirkuk"))],
    )
    assert ids(zones_of(text, places)) == {"operations_room:IQG11Q04", "operations_room:IQG13"}


# --- 4. references across sentences; trajectories ------------------------------------------------------


def test_vacuum_places_given_sentences_later_make_one_belt() -> None:
    text = (
        "The security vacuum between the two forces remains. According to the report, those gaps run "
        "for 700 kilometers. They stretch from Nineveh through Kirkuk to Diyala."
    )
    places = mention_places(
        text, [("Nineveh", gov("Ninewa")), ("Kirkuk", gov("Kirkuk")), ("Diyala", gov("Diyala"))]
    )
    (zone,) = zones_of(text, places)
    assert zone.id == "security_vacuum:IQG10+IQG13+IQG15"
    assert zone.trigger.text == "security vacuum" and "They stretch" in {s.text for s in zone.occurrences}
    assert "refers back" in zone.reason


def test_a_reference_without_an_earlier_trigger_is_nothing() -> None:
    text = "Those gaps stretch from Nineveh to Diyala."
    places = mention_places(text, [("Nineveh", gov("Ninewa")), ("Diyala", gov("Diyala"))])
    assert zones_of(text, places) == []


def test_arabic_trajectory_after_the_trigger() -> None:
    text = (
        "حذر قائد من اتساع الفراغ الأمني في المناطق الفاصلة. "
        "وتمتد هذه المناطق من نينوى مرورا بصلاح الدين وصولا إلى ديالى."
    )
    places = mention_places(
        text, [("نينوى", gov("Ninewa")), ("صلاح الدين", gov("Salah Al-Din")), ("ديالى", gov("Diyala"))]
    )
    (zone,) = zones_of(text, places)
    assert zone.kind == "security_vacuum" and zone.params["governorates"] == ["IQG10", "IQG15", "IQG16"]


# --- 5. trigger vocabulary; Sorani ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "قتل جنديان بكمين في ديالى.",
        "أصيب شرطي بانفجار عبوة ناسفة في ديالى.",
        "استهدفت طائرة مسيرة عجلة في ديالى.",
        "Gunmen ambushed a patrol in Diyala.",
        "A roadside bomb struck a Humvee in Diyala.",
        "Militants fired rockets at a base in Diyala.",
        "هێرشەکانی داعش لە دیالە زیادیان کردووە.",
        "دوێنێ لە دیالە تەقینەوەی بۆمبێکی چێنراو ڕوویدا.",
    ],
)
def test_attack_vocabulary(text: str) -> None:
    surface = next(s for s in ("ديالى", "Diyala", "دیالە") if s in text)
    places = mention_places(text, [(surface, gov("Diyala"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10"}


def test_sorani_operations_rooms_and_their_later_reference() -> None:
    text = (
        "ڕێککەوتن کراوە لەسەر دامەزراندنی چوار ژووری ئۆپەراسیۆنی هاوبەش. "
        "بەپێی ڕاگەیاندراوەکە، ژوورەکان لە کەرکووک و مەخموور دادەمەزرێن."
    )
    places = mention_places(
        text,
        [("کەرکووک", gov("Kirkuk")), ("مەخموور", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58))],
    )
    assert ids(zones_of(text, places)) == {"operations_room:IQG13", "operations_room:IQG11Q04"}


# --- 6. modifiers; corridors ------------------------------------------------------------------------------


def test_corridor_and_the_attack_in_it() -> None:
    text = "قتل ضابط بكمين في المنطقة الواقعة بين ديالى وصلاح الدين."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("صلاح الدين", gov("Salah Al-Din"))])
    zones = {z.id: z for z in zones_of(text, places)}
    assert set(zones) == {"corridor:IQG10+IQG16", "attack_area:IQG10+IQG16:between"}
    corridor = zones["corridor:IQG10+IQG16"]
    assert corridor.construction == "corridor" and corridor.params["modifier"] == "between"
    assert zones["attack_area:IQG10+IQG16:between"].params["modifier"] == "between"
    # the band runs between the two capitals (Baqubah, Tikrit)
    band = g.to_metric(corridor.geometry)
    for lat, lon in ((33.75403, 44.60518), (34.61581, 43.67861)):
        assert band.distance(g.to_metric(Point(lon, lat))) < 1


def test_later_that_area_is_an_attack_in_the_corridor() -> None:
    text = (
        "وتعد المنطقة الممتدة بين ديالى وصلاح الدين من أكثر المناطق هشاشة. "
        "وشهدت تلك المنطقة الشهر الماضي هجوما مماثلا."
    )
    places = mention_places(text, [("ديالى", gov("Diyala")), ("صلاح الدين", gov("Salah Al-Din"))])
    assert ids(zones_of(text, places)) == {"corridor:IQG10+IQG16", "attack_area:IQG10+IQG16:between"}


@pytest.mark.parametrize(
    "text",
    [
        "نية اقتحام نقطة على الطريق الرابط بين ديالى وصلاح الدين.",
        "The talks between Diyala and Salah al-Din officials stalled.",
    ],
)
def test_roads_and_relations_between_places_are_not_corridors(text: str) -> None:
    spec = [("ديالى", gov("Diyala")), ("صلاح الدين", gov("Salah Al-Din"))]
    if "Diyala" in text:
        spec = [("Diyala", gov("Diyala")), ("Salah al-Din", gov("Salah Al-Din"))]
    assert [z for z in zones_of(text, mention_places(text, spec)) if z.kind == "corridor"] == []


def test_outskirts_band_scales_with_the_unit() -> None:
    text = "سقطت قذائف هاون على أطراف قضاء المقدادية."
    places = mention_places(
        text,
        [("قضاء المقدادية", unit("Al-Muqdadiya", "district", "IQG10Q02", 33.98, 44.94))],
        modifiers={"قضاء المقدادية": "outskirts"},
    )
    (zone,) = zones_of(text, places)
    assert zone.params["method"] == "inner_band" and zone.params["band_km"] < 15
    district = g.to_metric(shapely.geometry.shape(zone.to_dict()["geometry"]))
    assert district.area > 0


# --- 7. locators and offsets ------------------------------------------------------------------------------


def test_containing_province_is_not_a_zone() -> None:
    text = "A roadside bomb struck a Humvee southeast of Mosul city in Nineveh province."
    places = mention_places(
        text,
        [("Mosul", town("Mosul", *MOSUL_CITY, "IQG15")), ("Nineveh", gov("Ninewa"))],
        modifiers={"Mosul": "southeast"},
    )
    zones = zones_of(text, places)
    assert [(z.places, z.params["modifier"]) for z in zones] == [(["gn:Mosul"], "southeast")]


def test_distance_and_direction_place_the_zone_at_the_offset() -> None:
    text = "Militants fired rockets at an oil facility 75 kilometers south of Kirkuk."
    places = mention_places(
        text, [("Kirkuk", town("Kirkuk", *KIRKUK_CITY, "IQG13"))], modifiers={"Kirkuk": "south"}
    )
    (zone,) = zones_of(text, places)
    assert zone.params["method"] == "offset_disc" and zone.params["offset_km"] == 75
    lat, lon = zone.seat
    assert lon == pytest.approx(KIRKUK_CITY[1], abs=0.01) and lat == pytest.approx(
        KIRKUK_CITY[0] - 0.676, abs=0.02
    )
    assert "75 km S of Kirkuk" in zone.reason


def test_a_direction_after_a_town_only_locates_it() -> None:
    text = "قتل ستة أشخاص بتفجير انتحاري في منطقة الشعلة شمال غربي بغداد."
    places = mention_places(
        text,
        [
            ("الشعلة", town("Al Shoula", 33.38, 44.31, "IQG08", kind="village")),
            ("بغداد", town("Baghdad", *BAGHDAD_CITY, "IQG08")),
        ],
        modifiers={"بغداد": "northwest"},
    )
    assert [z.places for z in zones_of(text, places)] == [["gn:Al Shoula"]]


# --- 9. disputed territories named by the text ---------------------------------------------------------


def test_disputed_territories_take_in_the_units_the_text_lists() -> None:
    text = "وقال إن المناطق المتنازع عليها تشمل أقضية سنجار ومخمور، إلى جانب بدرة في محافظة واسط."
    places = mention_places(
        text,
        [
            ("سنجار", unit("Sinjar", "district", "IQG15Q07", 36.32, 41.87)),
            ("مخمور", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)),
            ("بدرة", unit("Badra", "district", "IQG18Q05", 33.1, 45.95)),
            ("واسط", gov("Wasit", name_ar="واسط")),  # a name that starts with "و", not "and"
        ],
    )
    (zone,) = zones_of(text, places)
    assert zone.kind == "disputed_territories"
    assert zone.params["added_from_text"] == ["IQG18Q05"]  # Wasit only locates Badra
    assert "the article text" in zone.params["sources"] and "IQG18Q05" in zone.places


# --- reading limits and bad input -------------------------------------------------------------------------


def test_no_trigger_skips_the_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.zones import memo

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("read_article must not run without a trigger")

    monkeypatch.setattr(memo, "read_article", boom)
    text = "Kirkuk held a book fair. " * 2000
    result = derive(text, mention_places(text, [("Kirkuk", gov("Kirkuk"))]))
    assert result.zones == [] and result.triggers == []


def test_hundreds_of_triggers_and_places_in_bounded_time() -> None:
    sentence = "ووقعت هجمات «داعش» في ديالى وكركوك ونينوى، وافتتحت غرف العمليات المشتركة في ديالى. "
    text = sentence * 400
    places = mention_places(
        text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk")), ("نينوى", gov("Ninewa"))]
    )
    result = derive(text, places)  # time bound: tests/benchmarks/bench_zone_bad_input.py
    assert ids(result.zones) == {
        "attack_area:IQG10",
        "attack_area:IQG13",
        "attack_area:IQG15",
        "operations_room:IQG10",
    }
    assert len(next(z for z in result.zones if z.id == "attack_area:IQG10").occurrences) == 400


def test_one_sentence_of_100k_characters() -> None:
    piece = "هجمات في ديالى و"
    text = piece * (100_000 // len(piece)) + " كركوك"
    assert len(text) > 100_000 and "." not in text
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    result = derive(text, places)  # time bound: tests/benchmarks/bench_zone_bad_input.py
    assert "attack_area:IQG10" in ids(result.zones)


def test_a_list_longer_than_the_cap_is_cut() -> None:
    rule = load_rules().kinds["attack_area"]
    text = "Attacks hit " + ", ".join(["Diyala"] * (rule.max_places + 20)) + "."
    places = mention_places(text, [("Diyala", gov("Diyala"))])
    tokens = tokenize(text)
    reading = read_article(text, places, rules=load_rules(), tokens=tokens)
    (read,) = reading.readings["attack_area"]
    assert len(read.hits) == rule.max_places


@pytest.mark.parametrize(
    "text",
    [
        "هجمات",
        "Officials in Diyala warned of attacks",
        "«««“(([[«داعش» في ديالى]]))”»»» هجمات",
        "((((((((((هجمات في ديالى",
    ],
)
def test_odd_input_gives_zones_or_notes_never_a_crash(text: str) -> None:
    places = (
        mention_places(text, [("ديالى" if "ديالى" in text else "Diyala", gov("Diyala"))])
        if ("ديالى" in text or "Diyala" in text)
        else []
    )
    result = derive(text, places)
    assert all(isinstance(z, Zone) for z in result.zones)
    if not result.zones:
        assert result.unanchored  # the trigger at the end is reported as naming no place


def test_a_past_attack_dated_by_month_and_year_is_context() -> None:
    text = "ويعد هذا الهجوم الأول منذ عام، بعد التفجير المزدوج الذي ضرب أحد الأسواق في ديالى في كانون الثاني 2021."
    places = mention_places(text, [("ديالى", gov("Diyala"))])
    result = derive(text, places)
    assert result.zones == []
    assert any("2021" in why for _t, why in result.excluded)


def test_sorani_place_before_the_attack_and_a_modifier_the_place_reader_missed() -> None:
    text = "هەروەها لە قەراغی قەزای خانەقین، موختاری گوندێک لەلایەن چەکدارانەوە تیرۆر کرا."
    places = mention_places(text, [("قەزای خانەقین", unit("Khanaqin", "district", "IQG10Q05", 34.35, 45.39))])
    (zone,) = zones_of(text, places)
    assert zone.id == "attack_area:IQG10Q05:outskirts" and "just before" in zone.reason


def test_a_meeting_venue_or_a_source_before_a_place_is_not_the_zone() -> None:
    text = "أعلنت الوزارة افتتاح غرف التنسيق المشتركة بعد اجتماع عقد في العاصمة بغداد مع قادة الجيش."
    baghdad = town("Baghdad", *BAGHDAD_CITY, "IQG08")
    assert zones_of(text, mention_places(text, [("بغداد", baghdad)])) == []
    text = "Rockets hit a checkpoint, a security source in Diyala said."
    assert zones_of(text, mention_places(text, [("Diyala", gov("Diyala"))])) == []
    text = "Rockets hit a checkpoint in Diyala, a security source said."
    assert ids(zones_of(text, mention_places(text, [("Diyala", gov("Diyala"))]))) == {"attack_area:IQG10"}


def test_sorani_ordinals_with_the_of_them_suffix_enumerate_the_rooms() -> None:
    text = (
        "بڕیار درا سێ ناوەندی هەماهەنگیی هاوبەش دابمەزرێن. "
        "یەکەمیان لە دیالە دەبێت، دووەمیان لە کەرکووک و سێیەمیان لە سەلاحەدین."
    )
    places = mention_places(
        text, [("دیالە", gov("Diyala")), ("کەرکووک", gov("Kirkuk")), ("سەلاحەدین", gov("Salah Al-Din"))]
    )
    assert ids(zones_of(text, places)) == {
        "operations_room:IQG10",
        "operations_room:IQG13",
        "operations_room:IQG16",
    }


def test_a_striker_and_mortar_rounds_are_told_apart() -> None:
    text = "Naft's striker scored twice against Erbil SC on Friday."
    erbil = town("Erbil", 36.19, 44.01, "IQG11")
    assert zones_of(text, mention_places(text, [("Erbil", erbil)])) == []
    text = "چەند گوللە هاوەنێک کەوتنە سەر گوندێکی دیالە"
    assert ids(zones_of(text, mention_places(text, [("دیالە", gov("Diyala"))]))) == {"attack_area:IQG10"}


def test_a_bare_reference_after_an_attack_in_its_clause_is_not_a_room() -> None:
    text = (
        "افتتحت غرفة عمليات مشتركة في قضاء مخمور. "
        "وأصيب شرطيان بهجوم استهدف مركز شرطة في قضاء الحويجة، ثم أعيد تأهيل مركز صحي في قضاء داقوق."
    )
    places = mention_places(
        text,
        [
            ("قضاء مخمور", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)),
            ("قضاء الحويجة", unit("Al-Hawiga", "district", "IQG13Q01", 35.32, 43.77)),
            ("قضاء داقوق", unit("Daquq", "district", "IQG13Q02", 35.14, 44.45)),
        ],
    )
    assert ids(zones_of(text, places)) == {"operations_room:IQG11Q04", "attack_area:IQG13Q01"}


def test_sorani_city_centre_is_not_a_coordination_centre() -> None:
    text = "ژووری ئۆپەراسیۆنی هاوبەش لە مەخموور کرایەوە. لە ناوەندی شاری کەرکووک خۆپیشاندان کرا."
    places = mention_places(
        text,
        [
            ("مەخموور", unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)),
            ("کەرکووک", town("Kirkuk", *KIRKUK_CITY, "IQG13")),
        ],
    )
    assert ids(zones_of(text, places)) == {"operations_room:IQG11Q04"}


# --- rooms fronted by their place, and what is not a room or a belt ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "In Makhmour, a joint security room began work on Sunday.",
        "في مدينة كركوك، باشرت غرفة تنسيق أمني مشتركة عملها.",
    ],
)
def test_a_room_takes_the_place_fronted_before_it(text: str) -> None:
    surface = "Makhmour" if "Makhmour" in text else "كركوك"
    spec = (
        unit("Makhmour", "district", "IQG11Q04", 35.78, 43.58)
        if surface == "Makhmour"
        else town("Kirkuk", *KIRKUK_CITY, "IQG13")
    )
    zones = zones_of(text, mention_places(text, [(surface, spec)]))
    assert [z.kind for z in zones] == ["operations_room"]
    assert "before" in zones[0].reason


def test_the_parties_to_an_agreement_are_not_the_rooms_place() -> None:
    """Only a place fronted by a locative and a comma is taken from before the trigger."""
    text = "Baghdad and Erbil agreed on Monday to set up joint operations rooms."
    places = mention_places(
        text,
        [
            ("Baghdad", town("Baghdad", *BAGHDAD_CITY, "IQG07")),
            ("Erbil", town("Erbil", 36.19, 44.01, "IQG11")),
        ],
    )
    assert zones_of(text, places) == []


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        ("ما زالت المناطق الرخوة أمنيا في ديالى وكركوك ملاذا للخلايا.", ["ديالى", "كركوك"]),
        (
            "The no-man's land between the two forces. Stretching along the old front line from Diyala to Kirkuk.",
            ["Diyala", "Kirkuk"],
        ),
    ],
)
def test_more_wordings_of_the_vacuum_belt(text: str, surfaces: list[str]) -> None:
    names = {"ديالى": "Diyala", "كركوك": "Kirkuk", "Diyala": "Diyala", "Kirkuk": "Kirkuk"}
    places = mention_places(text, [(s, gov(names[s])) for s in surfaces])
    assert [z.kind for z in zones_of(text, places)] == ["security_vacuum"]


@pytest.mark.parametrize(
    "text",
    [
        "وأشار إلى أن الفجوة التمويلية في ديالى تجاوزت 40 في المئة.",
        "The budget gap in Diyala has grown, officials said.",
        "وأضاف أن المباحثات الجارية بين ديالى وكركوك بشأن الموازنة مستمرة.",
        "وقال إن المقارنة بين ديالى وكركوك تظهر فرقا كبيرا.",
        "The distance between Diyala and Kirkuk is about 100 kilometres.",
    ],
)
def test_funding_gaps_and_talks_between_places_draw_nothing(text: str) -> None:
    surfaces = [s for s in ("ديالى", "كركوك", "Diyala", "Kirkuk") if s in text]
    names = {"ديالى": "Diyala", "كركوك": "Kirkuk", "Diyala": "Diyala", "Kirkuk": "Kirkuk"}
    assert zones_of(text, mention_places(text, [(s, gov(names[s])) for s in surfaces])) == []


def test_an_ordinal_list_after_a_semicolon_belongs_to_the_rooms() -> None:
    text = "ستتفرع عن القيادة ثلاث غرف عمليات ميدانية؛ تقع أولاها في ديالى، وثانيتها في كركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"operations_room:IQG10", "operations_room:IQG13"}


def test_guiding_drones_is_no_attack() -> None:
    text = "وتتولى الغرفة توجيه الطائرات المسيرة فوق ديالى."
    assert [z.kind for z in zones_of(text, mention_places(text, [("ديالى", gov("Diyala"))]))] != [
        "attack_area"
    ]


def test_an_enumerator_after_a_clause_word_keeps_the_list() -> None:
    text = "قررت الوزارة إنشاء غرفتي عمليات مشتركتين، الأولى في ديالى، بينما تقام الثانية في كركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"operations_room:IQG10", "operations_room:IQG13"}


def test_a_clause_word_without_an_enumerator_still_ends_the_clause() -> None:
    text = "افتتحت غرفة عمليات مشتركة في ديالى، بينما أعلنت كركوك الحداد."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"operations_room:IQG10"}


def test_places_of_a_relative_clause_after_the_list_are_not_the_triggers() -> None:
    text = "A joint operations room opened in Diyala, which borders Kirkuk and Salah al-Din."
    places = mention_places(
        text,
        [("Diyala", gov("Diyala")), ("Kirkuk", gov("Kirkuk")), ("Salah al-Din", gov("Salah Al-Din"))],
    )
    assert ids(zones_of(text, places)) == {"operations_room:IQG10"}


@pytest.mark.parametrize(
    "text",
    [
        "Following the attack, the Kirkuk Operations Command announced a curfew.",
        "وبعد الهجوم أعلنت قيادة عمليات كركوك حظرا للتجوال.",
    ],
)
def test_a_place_in_an_operations_commands_name_is_no_zone(text: str) -> None:
    surface = "Kirkuk" if "Kirkuk" in text else "كركوك"
    assert zones_of(text, mention_places(text, [(surface, gov("Kirkuk"))])) == []


def test_where_the_attackers_withdrew_to_is_not_where_they_struck() -> None:
    text = "The attackers ambushed a patrol in Diyala and withdrew towards Kirkuk."
    places = mention_places(text, [("Diyala", gov("Diyala")), ("Kirkuk", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10"}


@pytest.mark.parametrize(
    "text",
    [
        "کە ئەفسەرانی هەواڵگری و درۆنی هەردوو لا تێیدا کار دەکەن لە کەرکووک.",
        "The talks aimed at preventing attacks on Kirkuk.",
        "وتأتي المباحثات لضبط الحدود ومنع تسلل المسلحين إلى كركوك.",
    ],
)
def test_drones_as_a_noun_and_attacks_to_prevent_draw_nothing(text: str) -> None:
    surface = next(s for s in ("کەرکووک", "Kirkuk", "كركوك") if s in text)
    assert [z.kind for z in zones_of(text, mention_places(text, [(surface, gov("Kirkuk"))]))] == []


def test_a_focus_word_continues_the_list_across_a_long_gap() -> None:
    text = "Attacks in Diyala have risen over the past two weeks, especially in Kirkuk."
    places = mention_places(text, [("Diyala", gov("Diyala")), ("Kirkuk", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10", "attack_area:IQG13"}


@pytest.mark.parametrize(
    "text",
    ["هاجم «داعش» قافلة في كركوك.", "A police officer was shot dead at his home in Kirkuk."],
)
def test_attack_verbs_and_killings(text: str) -> None:
    surface = "Kirkuk" if "Kirkuk" in text else "كركوك"
    assert ids(zones_of(text, mention_places(text, [(surface, gov("Kirkuk"))]))) == {"attack_area:IQG13"}


def test_a_room_fronted_by_a_locative_and_a_comma_with_a_long_subject() -> None:
    text = (
        "In Diyala, meanwhile, the army and the Popular Mobilization Forces opened a joint operations room."
    )
    assert ids(zones_of(text, mention_places(text, [("Diyala", gov("Diyala"))]))) == {"operations_room:IQG10"}


@pytest.mark.parametrize(
    "text",
    [
        "Police found a cache of rockets and unused IEDs in a farm in Kirkuk.",
        "عثرت القوات على مخبأ يحتوي على صواريخ وعبوات غير مستخدمة في كركوك.",
        "اعتقل متهم قبل تنفيذه هجوما كان يخطط له في كركوك.",
    ],
)
def test_caches_and_plots_are_no_attacks(text: str) -> None:
    surface = "Kirkuk" if "Kirkuk" in text else "كركوك"
    assert [z.kind for z in zones_of(text, mention_places(text, [(surface, gov("Kirkuk"))]))] == []


def test_a_bombers_home_town_is_not_where_he_struck() -> None:
    text = "هجوم انتحاري نفذه شاب ينحدر من كركوك في ديالى."
    places = mention_places(text, [("كركوك", gov("Kirkuk")), ("ديالى", gov("Diyala"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10"}


def test_a_direction_after_a_closed_list_of_units_only_locates_it() -> None:
    text = "An ambush in the area separating Diyala from Kirkuk, east of Tikrit."
    places = mention_places(
        text,
        [
            ("Diyala", gov("Diyala")),
            ("Kirkuk", gov("Kirkuk")),
            ("Tikrit", town("Tikrit", 34.6, 43.68, "IQG16")),
        ],
        modifiers={"Tikrit": "east"},
    )
    corridors = [z for z in zones_of(text, places) if z.kind == "corridor"]
    assert [sorted(z.places) for z in corridors] == [["IQG10", "IQG13"]]


@pytest.mark.parametrize("quoted", ["(داعش)", "[داعش]", "‹داعش›", "„داعش“", "‘داعش’"])
def test_brackets_and_rarer_quotes_around_a_group_name_are_read_through(quoted: str) -> None:
    text = f"تصاعد هجمات {quoted} في ديالى وكركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG10", "attack_area:IQG13"}


def test_a_long_parenthesis_still_ends_the_clause() -> None:
    text = "A joint operations room opened (officials from both forces said it would also cover Kirkuk) in Diyala."
    places = mention_places(text, [("Kirkuk", gov("Kirkuk")), ("Diyala", gov("Diyala"))])
    assert "operations_room:IQG13" not in ids(zones_of(text, places))


def test_a_vacuum_between_the_two_forces_without_places_is_the_standard_belt() -> None:
    text = "The security vacuum between the Peshmerga and the Iraqi army has never been closed."
    zones = zones_of(text, [])
    assert [(z.kind, sorted(z.places), z.confidence) for z in zones] == [
        ("security_vacuum", ["IQG10", "IQG13", "IQG15", "IQG16"], 0.6)
    ]
    assert "standard" in zones[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "Analysts fear a security vacuum after the coalition withdraws.",
        "يخشى مراقبون من فراغ أمني بعد انسحاب التحالف.",
    ],
)
def test_a_vacuum_not_placed_between_the_forces_draws_nothing(text: str) -> None:
    assert zones_of(text, []) == []


def test_a_corridor_told_with_fewer_places_is_the_fuller_one() -> None:
    text = (
        "هجوم في المثلث الواقع بين ديالى وكركوك. وانفجرت عبوة في المثلث الواقع بين ديالى وكركوك وصلاح الدين."
    )
    places = mention_places(
        text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk")), ("صلاح الدين", gov("Salah Al-Din"))]
    )
    corridors = [z for z in zones_of(text, places) if z.kind == "corridor"]
    assert [sorted(z.places) for z in corridors] == [["IQG10", "IQG13", "IQG16"]]
    assert len(corridors[0].occurrences) == 2


def test_the_places_of_a_corridor_are_no_rooms() -> None:
    text = "افتتحت غرف تنسيق مشتركة بعد رصد تحركات للتنظيم في المنطقة المحصورة بين ديالى وكركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert {z.kind for z in zones_of(text, places)} == {"corridor"}


@pytest.mark.parametrize(
    "text",
    [
        "Two soldiers were killed in an ambush in the triangle formed by Diyala, Kirkuk and Salah al-Din.",
        "بۆمبێکی سەر ڕێگا لە بیابانی نێوان دیالە و کەرکووک و سەلاحەدین تەقییەوە.",
    ],
)
def test_triangles_and_a_roadside_bomb_between_places(text: str) -> None:
    names = [("Diyala", "Kirkuk", "Salah al-Din"), ("دیالە", "کەرکووک", "سەلاحەدین")]["Diyala" not in text]
    places = mention_places(
        text, [(n, gov(g)) for n, g in zip(names, ("Diyala", "Kirkuk", "Salah Al-Din"), strict=True)]
    )
    assert [sorted(z.places) for z in zones_of(text, places) if z.kind == "corridor"] == [
        ["IQG10", "IQG13", "IQG16"]
    ]


def test_a_list_of_places_may_start_later_than_a_single_place() -> None:
    filler = " ".join(["word"] * 22)
    text = f"Attacks rose, {filler}, in Diyala and Kirkuk. Attacks rose, {filler}, in Nineveh."
    places = mention_places(
        text, [("Diyala", gov("Diyala")), ("Kirkuk", gov("Kirkuk")), ("Nineveh", gov("Ninewa"))]
    )
    assert ids(zones_of(text, places)) == {"attack_area:IQG10", "attack_area:IQG13"}


def test_an_english_attack_takes_a_place_fronted_by_a_locative_and_a_comma() -> None:
    text = 'In "Kirkuk", a sticky bomb wounded a council member. Kirkuk officials condemned the attack.'
    places = mention_places(text, [("Kirkuk", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"attack_area:IQG13"}
    assert (
        zones_of(
            "Kirkuk officials condemned the attack.",
            mention_places("Kirkuk officials condemned the attack.", [("Kirkuk", gov("Kirkuk"))]),
        )
        == []
    )


def test_an_attack_there_after_a_corridor_is_in_it() -> None:
    text = "The reed beds between Diyala and Kirkuk are a haven. A sniper shot dead a farmer there."
    places = mention_places(text, [("Diyala", gov("Diyala")), ("Kirkuk", gov("Kirkuk"))])
    assert "attack_area:IQG10+IQG13:between" in ids(zones_of(text, places))


def test_the_desert_that_separates_one_province_from_two_others_is_a_corridor() -> None:
    text = "ضربة جوية في الصحراء التي تفصل محافظة ديالى عن محافظتي كركوك وصلاح الدين."
    places = mention_places(
        text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk")), ("صلاح الدين", gov("Salah Al-Din"))]
    )
    corridors = [z for z in zones_of(text, places) if z.kind == "corridor"]
    assert [sorted(z.places) for z in corridors] == [["IQG10", "IQG13", "IQG16"]]


@pytest.mark.parametrize(
    "text",
    [
        "تنقل المسلحون بين جبال ديالى وكركوك.",
        "The ministry discussed cooperation between Diyala and Kirkuk.",
        "Flights between Diyala and Kirkuk resumed.",
    ],
)
def test_mountains_cooperation_and_flights_between_places_are_no_corridor(text: str) -> None:
    names = ("ديالى", "كركوك") if "ديالى" in text else ("Diyala", "Kirkuk")
    places = mention_places(text, [(names[0], gov("Diyala")), (names[1], gov("Kirkuk"))])
    assert [z for z in zones_of(text, places) if z.kind == "corridor"] == []


def test_a_reporting_participle_opens_the_next_thing_reported() -> None:
    text = "أعلن القائد أن غرفة العمليات المشتركة ستكون في ديالى، لافتا إلى أنها سترتبط بالقيادة في كركوك."
    places = mention_places(text, [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk"))])
    assert ids(zones_of(text, places)) == {"operations_room:IQG10"}
