"""Name normalisation: Arabic, Kurdish and English folding, proclitics, offset maps."""

from __future__ import annotations

import pytest

from geo.text.normalize import (
    fold,
    fold_token,
    is_latin_article,
    normalize_ar,
    normalize_en,
    normalize_with_map,
    proclitic_readings,
    tokenize,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("إقليم كوردستان", "اقليم كوردستان"),  # hamza under alef
        ("أربيل", "اربيل"),
        ("آمرلي", "امرلي"),
        ("ديالى", "ديالي"),  # alef maqsura
        ("البصرة", "البصره"),  # taa marbuta
        ("كربلاء", "كربلا"),  # final hamza
        ("صلاح الدّين", "صلاح الدين"),  # shadda
        ("بغــداد", "بغداد"),  # tatweel
        ("مُحافَظة", "محافظة"),  # harakat
        ("کەرکووک", "كركوك"),  # Kurdish keheh, ە, doubled waw
        ("دهۆک", "دهوك"),
        ("ﺑﻐﺪﺍﺩ", "بغداد"),  # presentation forms
    ],
)
def test_arabic_and_kurdish_variants_fold_alike(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_arabic_article_is_kept_so_common_words_stay_apart() -> None:
    assert fold("الدور") != fold("دور")
    assert fold("الحضر") != fold("حضر")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ţūz Khūrmātū", "Tuz Khurmatu"),
        ("Al-Anbar", "Anbar"),
        ("al Anbar", "Anbar"),
        ("Salah ad-Din", "Salah al-Din"),
        ("Ad Dawr", "Dawr"),
        ("Ba'qubah", "Baquba"),
        ("Heet", "Hit"),
        ("Tall Afar", "Tal Afar"),
        ("Kirkouk", "Kirkuk"),
        ("Kirkuk's", "Kirkuk"),
        ("MOSUL", "mosul"),
    ],
)
def test_latin_variants_fold_alike(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_english_words_are_not_taken_for_articles() -> None:
    assert not is_latin_article("as", " ", "wel")
    assert is_latin_article("as", " ", "samawa")
    assert fold("at Tikrit") == "tikrit"  # assimilated article before a word with the same consonant
    assert fold("as well") == "as wel"


def test_arabic_indic_digits_and_display_normalisers() -> None:
    assert normalize_ar("٢٠٢٠ إِقْلِيم") == "2020 اقليم"
    assert normalize_en("Ţūz  Khūrmātū's al-Dour") == "tuz khurmatu al dour"


def test_normalize_with_map_points_back_to_the_original() -> None:
    text = "وكَرْكُوك و Ţūz"
    out, index = normalize_with_map(text)
    assert len(out) == len(index)
    start = out.index("كركوك")
    end = start + len("كركوك")
    assert text[index[start] : index[end - 1] + 1] == "كَرْكُوك"
    t = out.index("tuz")
    assert text[index[t] : index[t + 2] + 1] == "Ţūz"


@pytest.mark.parametrize(
    ("token", "reading"),
    [
        ("وكركوك", "كركوك"),
        ("والموصل", "الموصل"),
        ("بالموصل", "الموصل"),
        ("للموصل", "الموصل"),
        ("وبالانبار", "الانبار"),
        ("فبغداد", "بغداد"),
        ("كالبصره", "البصره"),
        ("للطيفيه", "اللطيفيه"),
    ],
)
def test_proclitics_come_off(token: str, reading: str) -> None:
    readings = proclitic_readings(fold_token(token))
    assert readings[0] == fold_token(token)
    assert reading in readings


def test_short_stems_are_not_stripped() -> None:
    assert proclitic_readings("بلد") == ("بلد", "لد")
    assert proclitic_readings("في") == ("في",)
    assert proclitic_readings("kirkuk") == ("kirkuk",)


def test_tokenize_offsets_index_the_text() -> None:
    text = "هجوم في «كركوك»، وTa'mim-2"
    for start, end, tok in tokenize(text):
        assert text[start:end] == tok
    assert [t for _, _, t in tokenize(text)] == ["هجوم", "في", "كركوك", "وTa'mim", "2"]
