"""Fuzzy Latin transliterations, the stretch of a river next to a named village, and the
article-level inputs of the confidence model."""

from __future__ import annotations

import pytest

from geo.data.gazetteer import load_gazetteer
from geo.text.calibration import FEATURES, ISOLATED, WEIGHTS, calibrated, choice_features, isolated_inputs
from geo.text.extract import find_mentions
from geo.text.fuzzy import MIN_KEY, FuzzyIndex, load_guard_words, phonetic_key
from geo.text.normalize import fold
from geo.text.resolve import geoparse


@pytest.fixture(scope="module")
def gaz():  # type: ignore[no-untyped-def]
    return load_gazetteer()


@pytest.fixture(scope="module")
def fuzzy(gaz):  # type: ignore[no-untyped-def]
    return FuzzyIndex(gaz)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("khanaqin", "khanakin"),  # k/q
        ("hawija", "hawijah"),  # -ija/-ijah
        ("sulaymaniya", "suleimaniyya"),  # y/i, doubled letters, -iya/-iyya
        ("adhamiya", "azamiya"),  # dh/z
        ("tel afar", "talafar"),  # spaces, vowels
        ("kirkuk", "kerkuk"),  # vowels
        ("dohuk", "duhok"),
    ],
)
def test_phonetic_key_folds_transliteration_variants(a: str, b: str) -> None:
    assert phonetic_key(fold(a)) == phonetic_key(fold(b))


def test_phonetic_key_keeps_different_names_apart() -> None:
    assert phonetic_key("hamdaniya") != phonetic_key("hamdan")
    assert phonetic_key("mosul") != phonetic_key("basra")


@pytest.mark.parametrize(
    ("token", "expected_name"),
    [
        ("khanakin", "Khanaqin"),
        ("mandaly", "Mandali"),
        ("kifry", "Kifri"),
        ("nukhaib", "Nekhaeeb"),  # the COD-AB spelling
        ("khurmato", "Khurmat"),  # a district known by its second word alone
    ],
)
def test_variant_spellings_reach_the_iraqi_unit(fuzzy, gaz, token: str, expected_name: str) -> None:  # type: ignore[no-untyped-def]
    key = fuzzy.match(token)
    assert key is not None, token
    names = [gaz.entries[i].name for i in gaz.index[key]]
    assert any(expected_name.lower() in n.lower() for n in names), (token, names)
    assert all(gaz.entries[i].country == "IQ" for i in gaz.index[key])


@pytest.mark.parametrize("word", ["monitor", "read", "sunni", "forces", "hussein", "mohammed", "police"])
def test_common_words_and_given_names_are_never_fuzzy_places(fuzzy, word: str) -> None:  # type: ignore[no-untyped-def]
    assert fuzzy.match(word) is None


@pytest.mark.parametrize("word", ["kubaisi", "anbari", "sunday", "friday", "april"])
def test_family_names_from_places_and_calendar_words_are_not_fuzzy_places(fuzzy, word: str) -> None:  # type: ignore[no-untyped-def]
    # "al-Kubaisi" is a man from Kubaisa, "Anbari" one from Anbar: a nisba, not a spelling
    assert fuzzy.match(word) is None


def test_a_village_spelling_of_a_unit_reaches_the_unit_too() -> None:
    # GeoNames spells a village "Kubaysah" and COD-AB the sub-district "Kubaisa": both readings stand,
    # and with nothing to support the village the sub-district is chosen
    places = geoparse("Militants killed two soldiers at a checkpoint near Kubaysah, officials said.")
    assert [(p.name, p.kind) for p in places] == [("Kubaisa", "subdistrict")]
    places = geoparse("The shrine lies in al-Haidariya, north of Najaf.")
    assert ("Al-Haydariya", "subdistrict") in {(p.name, p.kind) for p in places}


def test_short_keys_and_non_latin_tokens_are_not_tried(fuzzy) -> None:  # type: ignore[no-untyped-def]
    assert all(len(phonetic_key(w)) < MIN_KEY for w in ("qaim", "hit", "zakhu"))
    assert fuzzy.match("qaim") is None
    assert fuzzy.match("كركوك") is None
    assert fuzzy.match("") is None


def test_guard_words_file_is_lower_case_and_commented() -> None:
    words = load_guard_words()
    assert "police" in words and "hussein" in words
    assert all(w == w.lower() and " " not in w and not w.startswith("#") for w in words)


def test_fuzzy_names_in_text_keep_offsets_and_need_a_capital(gaz) -> None:  # type: ignore[no-untyped-def]
    text = "KHANAKIN, Iraq (AP) - Gunmen attacked a post east of Mandaly on Monday."
    found = {m.text: m for m in find_mentions(text, gaz)}
    assert {"KHANAKIN", "Mandaly"} <= set(found)
    for m in found.values():
        assert text[m.start : m.end] == m.text
    lower = "Gunmen attacked a post east of mandaly on Monday, officials in Baghdad said."
    assert "mandaly" not in {m.text for m in find_mentions(lower, gaz)}


def test_a_river_takes_the_stretch_of_the_village_named_next_to_it() -> None:
    text = (
        "وقالت الخلية إن الطائرات استهدفت وكراً بين بيجي والشرقاط، وإن قوة برية تقدمت نحو قرية "
        "ولينه الواقعة على الضفة الغربية لنهر دجلة."
    )
    tigris = [p for p in geoparse(text) if p.id.startswith("feature:tigris")]
    assert len(tigris) == 1
    assert tigris[0].lat == pytest.approx(35.47, abs=0.05)  # the stretch at Shirqat, not at Baiji


def test_a_long_river_vouches_for_no_governorate() -> None:
    # the Tigris has a point in Basra: it must not support "المدينة" (the city) as Al-Madinah
    text = "بدأت البلدية حملة في المدينة القديمة بالتزامن مع صيانة الجسر العتيق على نهر دجلة في الموصل."
    names = {p.name for p in geoparse(text)}
    assert "Al Madinah" not in names and "Al-Jisr" not in names
    assert "Tigris" in names


def test_isolated_and_common_word_inputs_lower_the_confidence() -> None:
    x = choice_features(
        raw=0.9,
        weak=False,
        kind="town",
        dataset="geonames",
        country="IQ",
        n_candidates=1,
        cued=False,
        latin_letters=0,
    )
    assert len(x) == len(FEATURES) == len(WEIGHTS)
    assert x[ISOLATED] == 0.0
    assert calibrated(isolated_inputs(x)) < calibrated(x)
    word = choice_features(
        raw=0.9,
        weak=False,
        kind="town",
        dataset="geonames",
        country="IQ",
        n_candidates=1,
        cued=False,
        latin_letters=0,
        common_word=True,
    )
    assert calibrated(word) < calibrated(x)
