"""The pipeline in one call (geo.pipeline.analyze): places, zones and the notes for the analyst.

The seed article runs through the real geoparser; the notes on skipped places use a hand-made
geoparser (``hand_places``) so the place outside Iraq is certain.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from geo.model import Analysis, Mention, Place, Span, Zone
from geo.pipeline import Settings, analyze, skipped_notes, unanchored_notes
from geo.zones.build import SkippedPlace
from geo.zones.rules import load_rules
from geo.zones.triggers import Trigger, find_triggers


@pytest.fixture(scope="module")
def seed_analysis(seed_text: str) -> Analysis:
    return analyze(seed_text, source="article-000")


def _belt(analysis: Analysis) -> Zone:
    (belt,) = [z for z in analysis.zones if z.kind == "security_vacuum"]
    return belt


def test_seed_gives_places_and_zones(seed_analysis: Analysis) -> None:
    a = seed_analysis
    assert a.source == "article-000" and a.lang == "ar"
    names = {p.name for p in a.places}
    assert {"Diyala", "Kirkuk", "Mosul", "Makhmour", "Baghdad"} <= names
    kinds = Counter(z.kind for z in a.zones)
    assert kinds == {"operations_room": 4, "security_vacuum": 1, "disputed_territories": 1, "attack_area": 6}
    assert all(z.area_km2 > 0 and z.occurrences for z in a.zones)


def test_settings_change_the_belt(seed_text: str, seed_analysis: Analysis) -> None:
    narrow = _belt(analyze(seed_text, settings=Settings(belt_km=10)))
    wide = _belt(analyze(seed_text, settings=Settings(belt_km=40)))
    both = _belt(analyze(seed_text, settings=Settings(belt_km=40, belt_side="both")))
    assert narrow.params["width_km"] == 10 and wide.params["width_km"] == 40
    assert narrow.area_km2 < _belt(seed_analysis).area_km2 < wide.area_km2 < both.area_km2
    assert both.params["side"] == "both"


def test_min_confidence_drops_places_before_zones_are_drawn(seed_text: str, seed_analysis: Analysis) -> None:
    def key_of(p: Place) -> str:
        return p.pcode or p.id

    drawn = {k for z in seed_analysis.zones if z.kind != "disputed_territories" for k in z.places}
    # the weakest place that drew a zone of its own (the disputed list is fixed, not drawn from places)
    weakest = min((p for p in seed_analysis.places if key_of(p) in drawn), key=lambda p: p.confidence)
    stronger = [p.confidence for p in seed_analysis.places if p.confidence > weakest.confidence]
    assert stronger, "every place has the same confidence: the test needs a weaker one"
    threshold = (weakest.confidence + min(stronger)) / 2
    strict = analyze(seed_text, settings=Settings(min_confidence=threshold))
    assert weakest.name not in {p.name for p in strict.places}
    assert strict.places and all(p.confidence >= threshold for p in strict.places)
    key = key_of(weakest)
    assert any(key in z.places for z in seed_analysis.zones)  # the weakest place drew a zone ...
    assert not any(key in z.places for z in strict.zones if z.kind != "disputed_territories")  # ... no more
    assert len(strict.zones) < len(seed_analysis.zones)


@pytest.mark.parametrize("text", ["", "The weather was mild and the markets were busy all week."])
def test_text_without_places_says_so(text: str) -> None:
    a = analyze(text)
    assert a.places == [] and a.zones == [] and a.unanchored_triggers == []
    assert "no places found in the text" in a.notes


def test_unanchored_triggers_are_grouped_into_one_note_per_kind(seed_analysis: Analysis) -> None:
    a = seed_analysis
    loose = set(a.unanchored_triggers)
    kinds = {t.kind for t in find_triggers(a.text) if t.span in loose}
    assert len(loose) > len(kinds) > 1  # the seed repeats "joint operations rooms" without places
    grouped = [n for n in a.notes if "no place" in n]
    assert len(grouped) == len(kinds)
    counts = [int(re.match(r"(\d+) mentions? of", n).group(1)) for n in grouped]  # type: ignore[union-attr]
    assert sum(counts) == len(a.unanchored_triggers)
    labels = {re.search(r"\(([^()]+)\) names? no place", n).group(1) for n in grouped}  # type: ignore[union-attr]
    assert labels == {load_rules().kinds[k].label for k in kinds}
    assert f"(at {a.unanchored_triggers[0].start}, " in grouped[0]
    assert all(n.endswith("; no zone drawn") for n in grouped)


def test_unanchored_note_lists_a_few_offsets_then_counts_the_rest() -> None:
    sentence = Span(0, 10, "")
    triggers = [Trigger("attack_area", Span(s, s + 7, "attacks"), sentence) for s in range(0, 700, 100)]
    triggers.append(Trigger("attack_area", Span(750, 755, "هجمات"), sentence))
    (note,) = unanchored_notes(reversed(triggers), {"attack_area": "Attacks"})
    assert note == (
        "8 mentions of 'attacks', 'هجمات' (Attacks) name no place "
        "(at 0, 100, 200, 300, 400 and 3 more); no zone drawn"
    )
    (single,) = unanchored_notes(triggers[:1], {})
    assert single == "1 mention of 'attacks' (attack_area) names no place (at 0); no zone drawn"


def test_skipped_places_are_grouped_by_place_and_reason() -> None:
    span = Span(5, 12, "attacks")
    skipped = [
        SkippedPlace("attack_area", span, "gn:112931", "Tehran", "outside Iraq (country IR)"),
        SkippedPlace("attack_area", span, "gn:112931", "Tehran", "outside Iraq (country IR)"),  # same trigger
        SkippedPlace(
            "attack_area", Span(40, 47, "attacks"), "gn:112931", "Tehran", "outside Iraq (country IR)"
        ),
        SkippedPlace(
            "security_vacuum", Span(60, 66, "vacuum"), "IQG11", "Erbil", "lies in the Kurdistan Region"
        ),
    ]
    notes = skipped_notes(skipped, {"attack_area": "Attacks", "security_vacuum": "Security vacuum belt"})
    assert notes == [
        "Attacks: no zone for Tehran (outside Iraq (country IR)); 2 mentions at 5, 40",
        "Security vacuum belt: no zone for Erbil (lies in the Kurdistan Region); 1 mention at 60",
    ]


@pytest.fixture
def hand_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """The geoparser of the pipeline finds Kirkuk (a governorate) and Tehran (outside Iraq)."""
    import geo.text.resolve

    def geoparse(text: str, **_: object) -> list[Place]:  # analyze passes tokens=
        def at(surface: str, **kw: object) -> Place:
            mentions = []
            start = text.find(surface)
            while start >= 0:
                mentions.append(Mention(start, start + len(surface), surface, Span(0, len(text), text)))
                start = text.find(surface, start + 1)
            return Place(name=surface, name_ar="", confidence=0.9, mentions=mentions, **kw)  # type: ignore[arg-type]

        return [
            at("Kirkuk", id="IQG13", kind="governorate", country="IQ", lat=35.35, lon=44.1, pcode="IQG13"),
            at("Tehran", id="gn:112931", kind="city", country="IR", lat=35.69, lon=51.42),
        ]

    monkeypatch.setattr(geo.text.resolve, "geoparse", geoparse)


def test_places_no_zone_could_use_reach_the_notes(hand_places: None) -> None:
    text = "Attacks hit Kirkuk and Tehran. New attacks were reported in Tehran. More attacks hit Kirkuk."
    a = analyze(text)
    (zone,) = a.zones
    assert zone.id == "attack_area:IQG13" and len(zone.occurrences) == 2
    skipped = [n for n in a.notes if "no zone for Tehran" in n]
    assert len(skipped) == 1 and "outside Iraq" in skipped[0] and "2 mentions" in skipped[0]
    (unanchored,) = [n for n in a.notes if "no place" in n]  # the trigger that named only Tehran
    assert unanchored.startswith("1 mention of 'attacks' (Attacks) names no place")
    assert [s.text for s in a.unanchored_triggers] == ["attacks"]


def test_lone_surrogates_are_accepted_and_offsets_kept() -> None:
    bare = analyze("\u064e\ud800")  # a mark and half a surrogate pair: what a broken paste can give
    assert bare.text == "\u064e\ufffd" and bare.places == []
    text = "\ud83d هجمات في كركوك \udfff\ud800 وفي ديالى"
    a = analyze(text)
    assert a.text == text.replace("\ud83d", "\ufffd").replace("\udfff", "\ufffd").replace("\ud800", "\ufffd")
    assert len(a.text) == len(text)
    mentions = {m.text: m.start for p in a.places for m in p.mentions}
    assert mentions == {"كركوك": text.index("كركوك"), "ديالى": text.index("ديالى")}
    assert any(z.kind == "attack_area" for z in a.zones)
    a.text.encode("utf-8")  # writable: the exports can save it
