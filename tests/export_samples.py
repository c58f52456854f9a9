"""A small hand-made Analysis (two places, two zones) shared by the export, snapshot and briefing tests.

Offsets are computed from the text, so ``text[start:end]`` is always the mention. Geometries are
plain boxes around Diyala and Kirkuk (EPSG:4326); one zone has a hole and one is a multipolygon,
so writers meet both shapes. ``seed_analysis`` is the seed article through the real pipeline
(import it into a test module to use it as a fixture).
"""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from geo.model import Analysis, Mention, Place, Span, Zone

TEXT = (
    "غرف العمليات الأربعة هذه ستكون في ديالى وكركوك.\n"
    "وتمتد الفراغات من محافظة نينوى وصولا إلى ديالى على حدود إيران."
)
STYLES = {
    "operations_room": {
        "label": "Joint operations room",
        "color": "#1f4e9c",
        "fill_color": "#1f4e9c",
        "fill_opacity": 0.12,
        "weight": 2.0,
        "dash": "",
    },
    "security_vacuum": {
        "label": "Security vacuum belt",
        "color": "#c0392b",
        "fill_color": "#e74c3c",
        "fill_opacity": 0.25,
        "weight": 2.0,
        "dash": "6 4",
    },
}


def _sentence(text: str, index: int) -> Span:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    end = len(text) if end < 0 else end
    return Span(start, end, text[start:end])


def _mentions(text: str, word: str) -> list[Mention]:
    out = []
    start = text.find(word)
    while start >= 0:
        out.append(Mention(start, start + len(word), word, _sentence(text, start)))
        start = text.find(word, start + 1)
    return out


def _span(text: str, word: str) -> Span:
    start = text.index(word)
    return Span(start, start + len(word), word)


def hand_analysis(*, source: str = "samples/hand-made.txt", text: str = TEXT) -> Analysis:
    """Diyala and Kirkuk (operations rooms) and a vacuum belt with a hole, in real offsets."""
    diyala = Place(
        id="IQG10",
        name="Diyala",
        name_ar="ديالى",
        kind="governorate",
        country="IQ",
        lat=33.95,
        lon=45.0,
        confidence=0.93,
        mentions=_mentions(text, "ديالى"),
        pcode="IQG10",
        governorate="Diyala",
        governorate_pcode="IQG10",
        dataset="cod_ab_iraq",
    )
    kirkuk = Place(
        id="IQG13",
        name="Kirkuk",
        name_ar="كركوك",
        kind="governorate",
        country="IQ",
        lat=35.35,
        lon=44.1,
        confidence=0.81,
        mentions=_mentions(text, "كركوك"),
        pcode="IQG13",
        governorate="Kirkuk",
        governorate_pcode="IQG13",
        dataset="cod_ab_iraq",
    )
    room_sentence = _sentence(text, text.index("غرف"))
    belt_sentence = _sentence(text, text.index("الفراغات"))
    room = Zone(
        id="operations_room-1",
        kind="operations_room",
        label="Joint operations room: Diyala",
        label_ar="غرفة عمليات مشتركة: ديالى",
        places=["IQG10"],
        trigger=_span(text, "غرف العمليات"),
        sentence=room_sentence,
        construction="seat_and_area",
        params={"point_area_level": 2},
        geometry=box(44.3, 33.2, 45.8, 34.9),
        dataset="cod_ab_iraq@2019-06-03",
        area_km2=17800.0,
        covers=["IQG10Q01", "IQG10Q02"],
        touches=["IQG13Q03"],
        seat=(33.75, 44.64),
    )
    belt = Zone(
        id="security_vacuum-1",
        kind="security_vacuum",
        label="Security vacuum belt",
        label_ar="منطقة الفراغ الأمني",
        places=["IQG10", "IQG13"],
        trigger=_span(text, "الفراغات"),
        sentence=belt_sentence,
        construction="belt",
        params={"width_km": 20, "side": "federal"},
        geometry=MultiPolygon(
            [
                Polygon(
                    [(43.0, 35.5), (44.5, 35.5), (44.5, 36.4), (43.0, 36.4)],
                    [[(43.5, 35.8), (44.0, 35.8), (44.0, 36.1), (43.5, 36.1)]],
                ),
                box(44.6, 34.5, 45.5, 35.2),
            ]
        ),
        dataset="cod_ab_iraq",
        area_km2=21000.5,
        covers=["IQG13Q01"],
        touches=[],
    )
    return Analysis(source=source, text=text, lang="ar", places=[diyala, kirkuk], zones=[room, belt])


def empty_analysis(*, source: str = "samples/no-places.txt") -> Analysis:
    """An article in which nothing was found."""
    text = "An article that names no place at all."
    return Analysis(
        source=source, text=text, lang="en", places=[], zones=[], notes=["no places found in the text"]
    )


#: Pipeline modules still being written; until they land the seed tests are skipped, never faked.
_PENDING = {"geo.text.resolve", "geo.text.extract", "geo.data.gazetteer"}


@pytest.fixture(scope="session")
def seed_analysis(seed_text: str) -> Analysis:
    """The seed article (data/samples/article-000.txt) through :func:`geo.pipeline.analyze`."""
    from geo.pipeline import analyze

    try:
        return analyze(seed_text, "data/samples/article-000.txt")
    except ModuleNotFoundError as exc:
        if exc.name in _PENDING:
            pytest.skip(f"the pipeline is not complete yet ({exc.name} is missing)")
        raise
