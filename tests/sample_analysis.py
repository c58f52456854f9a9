"""Small hand-made analyses (places, zones with shapely geometries) for map and text tests.

Offsets are computed from the text, so ``text[m.start:m.end] == m.text`` holds for every mention.
Coordinates are real (COD-AB P-codes, GeoNames seats); geometries are simple boxes and discs.
"""

from __future__ import annotations

from shapely.geometry import Point, box

from geo.model import Analysis, Mention, Place, Span, Zone

#: Zone styles in the shape of data/zone_rules.toml's [kinds.*.style] tables plus labels.
STYLES = {
    "operations_room": {
        "label": "Joint operations room",
        "label_ar": "غرفة عمليات مشتركة",
        "color": "#1f4e9c",
        "fill_color": "#1f4e9c",
        "fill_opacity": 0.12,
        "weight": 2,
        "dash": "",
        "marker": "star",
    },
    "attack_area": {
        "label": "Attacks",
        "label_ar": "هجمات",
        "color": "#d35400",
        "fill_color": "#f39c12",
        "fill_opacity": 0.35,
        "weight": 1.5,
        "dash": "",
    },
    "security_vacuum": {
        "label": "Security vacuum belt",
        "label_ar": "منطقة الفراغ الأمني",
        "color": "#c0392b",
        "fill_color": "#e74c3c",
        "fill_opacity": 0.3,
        "weight": 2,
        "dash": "6 4",
    },
}

TEXT = (
    "اجتماع أمني موسع في بغداد.\n\n"
    "وقال ان غرف العمليات الأربعة ستكون في ديالى وكركوك.\n\n"
    "وتصاعدت الهجمات في محيط بغداد وديالى.\n\n"
    "No description available."
)


def _sentence(text: str, pos: int) -> Span:
    start = max(text.rfind("\n", 0, pos) + 1, 0)
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    return Span(start, end, text[start:end])


def _mentions(
    text: str, word: str, *, modifier: str | None = None, modifier_word: str | None = None
) -> list[Mention]:
    out = []
    pos = text.find(word)
    while pos >= 0:
        sentence = _sentence(text, pos)
        mod_span = None
        if modifier_word and text.rfind(modifier_word, sentence.start, pos) >= 0:
            ms = text.rfind(modifier_word, sentence.start, pos)
            mod_span = Span(ms, ms + len(modifier_word), modifier_word)
        out.append(
            Mention(
                pos,
                pos + len(word),
                word,
                sentence,
                modifier=modifier if mod_span else None,
                modifier_span=mod_span,
            )
        )
        pos = text.find(word, pos + len(word))
    return out


def _span(text: str, phrase: str) -> Span:
    pos = text.index(phrase)
    return Span(pos, pos + len(phrase), phrase)


def make_analysis(text: str = TEXT) -> Analysis:
    """Three places (Baghdad city twice, Diyala twice, Kirkuk once) and three zones."""
    baghdad = Place(
        "gn:98182",
        "Baghdad",
        "بغداد",
        "city",
        "IQ",
        33.34058,
        44.40088,
        0.95,
        _mentions(text, "بغداد", modifier="around", modifier_word="محيط"),
        pcode=None,
        governorate="Baghdad",
        governorate_pcode="IQG07",
        dataset="geonames_cities",
    )
    diyala = Place(
        "cod:IQG10",
        "Diyala",
        "ديالى",
        "governorate",
        "IQ",
        33.95,
        45.0,
        0.9,
        _mentions(text, "ديالى"),
        pcode="IQG10",
        governorate="Diyala",
        governorate_pcode="IQG10",
        dataset="cod_ab_iraq",
    )
    kirkuk = Place(
        "cod:IQG13",
        "Kirkuk",
        "كركوك",
        "governorate",
        "IQ",
        35.35,
        44.1,
        0.35,
        _mentions(text, "كركوك"),
        pcode="IQG13",
        governorate="Kirkuk",
        governorate_pcode="IQG13",
        dataset="cod_ab_iraq",
    )
    rooms = _span(text, "غرف العمليات")
    attacks = _span(text, "الهجمات")
    zones = [
        Zone(
            "z-room-diyala",
            "operations_room",
            "Joint operations room: Diyala",
            "غرفة عمليات مشتركة: ديالى",
            ["IQG10"],
            rooms,
            _sentence(text, rooms.start),
            "seat_and_area",
            {"point_area_level": 2},
            box(44.3, 33.2, 45.9, 35.0),
            "cod_ab_iraq@2019-06-03",
            area_km2=17685.0,
            covers=["IQG10Q01", "IQG10Q02"],
            touches=[],
            seat=(33.74556, 44.64361),
        ),
        Zone(
            "z-room-kirkuk",
            "operations_room",
            "Joint operations room: Kirkuk",
            "غرفة عمليات مشتركة: كركوك",
            ["IQG13"],
            rooms,
            _sentence(text, rooms.start),
            "seat_and_area",
            {"point_area_level": 2},
            box(43.3, 34.9, 44.9, 35.9),
            "cod_ab_iraq@2019-06-03",
            area_km2=9679.0,
            covers=["IQG13Q01"],
            touches=[],
            seat=(35.46806, 44.39222),
        ),
        Zone(
            "z-attack-baghdad",
            "attack_area",
            "Attacks: around Baghdad",
            "هجمات: محيط بغداد",
            ["gn:98182"],
            attacks,
            _sentence(text, attacks.start),
            "modified_area",
            {"ring_inner_km": 15.0, "ring_outer_km": 50.0},
            Point(44.4, 33.34).buffer(0.45).difference(Point(44.4, 33.34).buffer(0.15)),
            "cod_ab_iraq@2019-06-03",
            area_km2=6200.0,
            covers=["IQG07Q01"],
            touches=["IQG07Q02"],
        ),
    ]
    return Analysis(source="sample", text=text, lang="ar", places=[baghdad, diyala, kirkuk], zones=zones)


XSS_NAME = '<img src=x onerror="window.__pwned=1">'
XSS_TEXT = (
    "<script>window.__pwned=1</script> اجتماع في بغداد ${window.__pwned=1} `x` \\u0041 "
    '<img src=x onerror="window.__pwned=1"> <a href="javascript:window.__pwned=1">link</a>'
)


def make_hostile_analysis() -> Analysis:
    """An analysis whose text and names carry script payloads (escaping tests)."""
    text = XSS_TEXT
    place = Place(
        "x:1",
        XSS_NAME,
        "بغداد</script><script>window.__pwned=1</script>",
        "city",
        "IQ",
        33.34,
        44.4,
        0.2,
        _mentions(text, "بغداد"),
        pcode="${window.__pwned=1}",
        governorate="`;window.__pwned=1;`",
        dataset="test",
    )
    trigger = _span(text, "اجتماع")
    zone = Zone(
        "z1",
        "attack_area",
        XSS_NAME,
        "</div><script>window.__pwned=1</script>",
        ["x:1"],
        trigger,
        _sentence(text, trigger.start),
        "modified_area",
        {"note": "<b>x</b>"},
        Point(44.4, 33.34).buffer(0.2),
        "test",
        area_km2=1.0,
        covers=["<svg onload=alert(1)>"],
    )
    return Analysis(source="<script>", text=text, lang="ar", places=[place], zones=[zone])
