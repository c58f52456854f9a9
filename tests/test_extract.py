"""Mentions: offsets, cue words, spatial modifiers, organisations, adjectives, chunking."""

from __future__ import annotations

import pytest

from geo.extract import MODIFIER_VALUES, find_mentions, load_lexicon
from geo.gazetteer import load_gazetteer
from geo.normalize import fold


@pytest.fixture(scope="module")
def gaz():  # type: ignore[no-untyped-def]
    return load_gazetteer()


def mentions(gaz, text: str):  # type: ignore[no-untyped-def]
    ms = find_mentions(text, gaz)
    for m in ms:
        assert text[m.start : m.end] == m.text
        assert text[m.sentence.start : m.sentence.end] == m.sentence.text
        if m.modifier_span:
            assert text[m.modifier_span.start : m.modifier_span.end] == m.modifier_span.text
    return ms


def by_text(ms):  # type: ignore[no-untyped-def]
    return {m.text: m for m in ms}


def test_clitics_stay_in_the_span_and_offsets_round_trip(gaz) -> None:  # type: ignore[no-untyped-def]
    text = "غرف العمليات في ديالى وكركوك والموصل ومخمور"
    ms = by_text(mentions(gaz, text))
    assert set(ms) == {"ديالى", "وكركوك", "والموصل", "ومخمور"}
    assert ms["وكركوك"].proclitic == "و"


@pytest.mark.parametrize(
    ("text", "name", "modifier", "modifier_text"),
    [
        ("تنشط الخلايا في محيط بغداد", "بغداد", "around", "محيط"),
        ("هجمات في شمال بابل", "بابل", "north", "شمال"),
        ("وشمال بابل", "بابل", "north", "وشمال"),
        ("في أطراف صلاح الدين", "صلاح الدين", "outskirts", "أطراف"),
        ("قرية شمال غربي الموصل", "الموصل", "northwest", "شمال غربي"),
        ("جنوب شرق مدينة كركوك", "كركوك", "southeast", "جنوب شرق"),
        ("حزام بغداد", "بغداد", "belt", "حزام"),
        ("ريف الموصل الجنوبي", "الموصل", "outskirts", "ريف"),
        ("an attack north of Baghdad", "Baghdad", "north", "north of"),
        ("cells on the outskirts of Fallujah", "Fallujah", "outskirts", "outskirts of"),
        ("villages north-west of Mosul", "Mosul", "northwest", "north-west of"),
        ("clashes around Tuz Khurmatu", "Tuz Khurmatu", "around", "around"),
        ("لە باشووری کەرکووک", "کەرکووک", "south", "باشووری"),
    ],
)
def test_spatial_modifiers(gaz, text: str, name: str, modifier: str, modifier_text: str) -> None:  # type: ignore[no-untyped-def]
    m = by_text(mentions(gaz, text))[name]
    assert m.modifier == modifier and m.modifier in MODIFIER_VALUES
    assert m.modifier_span is not None and m.modifier_span.text == modifier_text


def test_a_modifier_after_the_name(gaz) -> None:  # type: ignore[no-untyped-def]
    m = by_text(mentions(gaz, "قرى الموصل الشرقية"))["الموصل"]
    assert m.modifier == "east" and m.modifier_span.text == "الشرقية"


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("في محافظة نينوى", "نينوى", "governorate"),
        ("بمحافظة صلاح الدين", "صلاح الدين", "governorate"),
        ("قضاء بلد", "بلد", "district"),
        ("ناحية العظيم", "العظيم", "subdistrict"),
        ("مدينة هيت", "هيت", "city"),
        ("in Anbar province", "Anbar", "governorate"),
        ("the Balad district of Salah al-Din", "Balad", "district"),
        ("the town of Hit", "Hit", "town"),
        ("پارێزگای کەرکووک", "کەرکووک", "governorate"),
    ],
)
def test_cue_words(gaz, text: str, name: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert by_text(mentions(gaz, text))[name].cue_kind == kind


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("وفد من حكومة إقليم كوردستان", "إقليم كوردستان"),
        ("أعلنت جامعة الموصل", "الموصل"),
        ("قرر مجلس محافظة كركوك", "كركوك"),
        ("a delegation of the Kurdistan Regional Government", "Kurdistan"),
        ("a lecturer at Mosul University said", "Mosul"),
        ("remnants of the Islamic State of Iraq and the Levant", "Iraq"),
        ("the Patriotic Union of Kurdistan won", "Kurdistan"),
        ("حکومەتی هەرێمی کوردستان", "هەرێمی کوردستان"),
    ],
)
def test_organisation_names_are_not_places(gaz, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert by_text(mentions(gaz, text))[name].blocked == "organisation"


def test_country_adjectives_need_a_geographic_head(gaz) -> None:  # type: ignore[no-untyped-def]
    ms = mentions(gaz, "عند الحدود العراقية السورية قتل جنود من القوات العراقية")
    by_start = sorted(ms, key=lambda m: m.start)
    assert [(m.text, m.blocked) for m in by_start] == [
        ("العراقية", None), ("السورية", None), ("العراقية", "adjective"),
    ]
    en = by_text(mentions(gaz, "Turkish drones struck near the Syrian border"))
    assert en["Turkish"].blocked == "adjective" and en["Syrian"].blocked is None


def test_lowercase_english_words_are_not_names(gaz) -> None:  # type: ignore[no-untyped-def]
    ms = mentions(gaz, "A bomb hit a patrol near Hit, and mortars hit the town.")
    assert [(m.text, m.blocked) for m in ms] == [("Hit", None)]
    ms = mentions(gaz, "tensions in the disputed territories and in kirkuk")
    assert [(m.text, m.blocked) for m in ms] == [("disputed territories", None), ("kirkuk", None)]


def test_short_names_inside_longer_words_do_not_match(gaz) -> None:  # type: ignore[no-untyped-def]
    text = "أكد المجلس البلدي أن البغداديين والموصليين وسكان بلدروز بخير"
    assert [m.text for m in mentions(gaz, text)] == ["بلدروز"]
    assert mentions(gaz, "Hitting the Baghdadi neighbourhoods") == []


def test_dtm_villages_need_a_cue(gaz) -> None:  # type: ignore[no-untyped-def]
    assert [m.text for m in mentions(gaz, "قصف قرية ارادن")] == ["ارادن"]
    assert mentions(gaz, "زار ارادن أمس") == []


def test_long_texts_are_chunked_with_true_offsets(gaz) -> None:  # type: ignore[no-untyped-def]
    block = ("سطر بلا أماكن " * 40 + "\n") * 400 + "هجوم في كركوك\n"
    text = block * 2
    assert len(text) > 400_000
    ms = mentions(gaz, text)
    assert [m.text for m in ms] == ["كركوك", "كركوك"]


def test_lexicon_loads_and_covers_the_issue_words() -> None:
    lex = load_lexicon()
    for word in ("محافظة", "قضاء", "ناحية", "مدينة", "قرية", "بلدة"):
        assert lex.cue_before.has_word(fold(word))
    for word in ("شمال", "جنوب", "شرق", "غرب", "أطراف", "محيط"):
        assert lex.modifier_before.has_word(fold(word))
