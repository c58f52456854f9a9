"""The article's one token stream: tokens, folded form, pieces, and the word boundaries that place
extraction and the zone trigger finder share."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import geo.text.tokens as tokens_module
from geo.data.gazetteer import Gazetteer, load_gazetteer
from geo.errors import InputError
from geo.text.extract import find_mentions
from geo.text.normalize import fold_token, normalize_with_map, word_pattern
from geo.text.resolve import geoparse
from geo.text.tokens import JOINED, SOFT_GAP, Tokens, fold_text, token_key, tokenize
from geo.zones.rules import load_rules
from geo.zones.triggers import attach_places, find_triggers

REPO = Path(__file__).resolve().parents[2]
ENGLISH_SEED = REPO / "tests" / "data" / "article-000-en.txt"

#: Text where a tokenizer can go wrong on where a word starts or ends.
VARIED = {
    "clitics and diacritics": "وصعّد التنظيم هجماتِه على بغدادَ وكركوكٍ، وللهجمات في الموصلِ أثر هجوماً",
    "tatweel": "هجـمات في الموصـل وبعقوبـة ـــ ثم ـهجوم على تكريت",
    "possessives and hyphens": (
        "Attacks hit Kirkuk's outskirts and al-Anbar; attack-attacks near Salah ad-Din, Tall 'Afar "
        "and the militants' bombings"
    ),
    "sorani": "هێرشەکان لە کەرکووک و هەولێر و سلێمانی، هەروەها لە دهۆک",
    "mixed scripts": "attacks في كركوك and هجمات in Mosul، وتصعيد north of Baghdad",
    "digits": "المادة 140 تشمل كركوك و١٤٠ قرية، في 2024 attacks on 3 towns near Mosul",
    "direction marks": "هجمات\u200fفي كركوك و\u200eالموصل \u200fهجوم على بغداد",
    "ligatures": "ﷲ ﻻ هجمات ﷺ في ديالى",
    "odd separators": "cafe\u0301s attack''s Mosul™ attacks, ‘Anah’ and Ba`quba",
}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def _words(text: str) -> list[tuple[int, int]]:
    """The words of ``text`` by definition: every ``TOKEN_RE`` match ("_" a separator in a text
    that holds one)."""
    return [m.span() for m in word_pattern(text).finditer(text)]


# --- the stream ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*VARIED.values(), "", "   ", "!!", "one"])
def test_tokens_are_the_words_of_the_text_with_their_keys(text: str) -> None:
    tk = tokenize(text)
    assert list(zip(tk.starts, tk.ends, strict=True)) == _words(text)
    assert tk.keys == [fold_token(tk.token(k)) for k in range(len(tk))]
    assert len(tk.gaps) == len(tk) + 1
    assert "".join(tk.sep(k) + tk.token(k) for k in range(len(tk))) + tk.sep(len(tk)) == text
    for k in range(len(tk) + 1):
        sep = tk.sep(k)
        assert bool(tk.gaps[k] & JOINED) == bool(re.fullmatch(r"[\s\-‐‑]*", sep))
        assert bool(tk.gaps[k] & SOFT_GAP) == (re.search(r"[.,،؛;:!?؟\n|/]", sep) is None)


def test_a_word_keeps_its_marks_tatweel_and_inner_apostrophes() -> None:
    tk = tokenize("وبغدادَ هجـماتٌ Kirkuk's Ta'mim al-Anbar")
    words = ["وبغدادَ", "هجـماتٌ", "Kirkuk's", "Ta'mim", "al", "Anbar"]
    assert [tk.token(k) for k in range(len(tk))] == words
    assert tk.keys == ["وبغداد", "هجمات", "kirkuk", "tamim", "al", "anbar"]
    assert tk.token_at(3) == 0 and tk.token_at(7) is None and tk.token_at(len("وبغدادَ ")) == 1


def test_long_texts_give_the_same_tokens_in_compact_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(VARIED.values()) * 3 + " tail"
    short = tokenize(text)
    monkeypatch.setattr(tokens_module, "STEP_CHARS", 64)
    long = tokenize(text)
    assert not isinstance(long.starts, list)  # steps of 64 characters, into arrays
    assert long.keys == short.keys
    assert list(long.starts) == short.starts and list(long.ends) == short.ends
    assert list(long.gaps) == short.gaps and list(long.sentence_ends) == short.sentence_ends


def test_pieces_are_cut_at_line_breaks_and_read_like_their_text() -> None:
    block = ("سطر بلا أماكن " * 40 + "\n") * 20 + "هجوم في كركوك. Attacks near Mosul\n\n"
    text = block * 4
    tk = tokenize(text)
    pos = 0
    for offset, piece in tk.pieces(5000):
        assert offset == pos and text[offset - 1 : offset] in ("", "\n")
        pos += len(piece.text)
        alone = tokenize(piece.text)
        assert piece.text == text[offset:pos] and piece.keys == alone.keys
        assert (list(piece.starts), list(piece.ends)) == (alone.starts, alone.ends)
        assert list(piece.gaps) == alone.gaps and list(piece.sentence_ends) == alone.sentence_ends
    assert pos == len(text)


def test_pieces_without_line_breaks_never_cut_a_word() -> None:
    text = " ".join(f"word{n:04d}" for n in range(2000))
    tk = tokenize(text)
    ends = [offset + len(piece.text) for offset, piece in tk.pieces(1001)]
    bounds = {0, len(text)} | {a for a, _ in _words(text)} | {b for _, b in _words(text)}
    assert ends[-1] == len(text) and len(ends) > 10
    assert all(end in bounds or text[end - 1] == " " for end in ends)


# --- the folded text -------------------------------------------------------------------------------


def test_folded_text_maps_back_like_the_normaliser() -> None:
    for text in ("", "plain", "وكَرْكُوك ﻻ ﷲ Ünïcode ـــ", ENGLISH_SEED.read_text(encoding="utf-8")):
        folded, index = normalize_with_map(text)
        mine, offsets = fold_text(text)
        assert mine == folded
        assert offsets.sources(np.arange(len(folded))).tolist() == index


@pytest.mark.parametrize("text", list(VARIED.values()))
def test_word_runs_of_the_folded_text_are_the_tokens(text: str) -> None:
    tk = tokenize(text)
    folded, offsets = tk.fold()
    assert tk.fold() is tk.fold()  # folded once
    runs = [m.span() for m in re.finditer(r"\w+", folded)]
    firsts = offsets.sources(np.array([a for a, _ in runs], dtype=np.int64)).tolist()
    lasts = offsets.sources(np.array([b - 1 for _, b in runs], dtype=np.int64)).tolist()
    held = [(tk.token_at(a), tk.token_at(b)) for a, b in zip(firsts, lasts, strict=True)]
    assert all(a == b and a is not None for a, b in held)  # a run lies in one token ...
    folding = [k for k in range(len(tk)) if re.search(r"\w", normalize_with_map(tk.token(k))[0])]
    assert [a for a, _ in held] == folding  # ... and each token that folds to letters is one run


# --- one set of word boundaries for place mentions and zone triggers -------------------------------


def _proclitics() -> set[str]:
    return {normalize_with_map(p)[0] for p in load_rules().proclitics_ar}


@pytest.mark.parametrize("name", list(VARIED))
def test_mentions_and_triggers_start_and_end_on_shared_tokens(gaz: Gazetteer, name: str) -> None:
    text = VARIED[name]
    tk = tokenize(text)
    words = _words(text)
    starts, ends = {a for a, _ in words}, {b for _, b in words}
    mentions = find_mentions(text, gaz, tokens=tk)
    triggers = find_triggers(text, tokens=tk)
    assert triggers == find_triggers(text)  # the same with tokens made by the finder itself
    assert mentions or triggers
    for m in mentions:
        assert m.start in starts and m.end in ends, (m.text, m.start, m.end)
    proclitics = _proclitics()
    for t in triggers:
        assert t.span.end in ends, (t.span.text, name)
        if t.span.start not in starts:  # only a proclitic of the word stands before it (وهجمات)
            assert _lead(tk, t.span.start) in proclitics, (t.span.text, name)


def _lead(tk: Tokens, pos: int) -> str:
    """The letters of the token holding ``pos`` that stand before it, folded."""
    k = tk.token_at(pos)
    return "" if k is None else re.sub(r"\W", "", normalize_with_map(tk.text[tk.starts[k] : pos])[0])


#: What random texts are made of: names and trigger phrases, and characters that are hard to split.
_PIECES = [
    "هجمات",
    "هجوم",
    "بغداد",
    "وكركوك",
    "الموصل",
    "غرف العمليات المشتركة",
    "attacks",
    "Kirkuk",
    "al-Anbar",
    "security vacuum",
    "مناطق متنازع عليها",
    "المادة 140",
    "کەرکووک",
    "هەولێر",
    "north of",
    "شمال",
    "محافظة",
]
_CHARS = list("abz AK'’‘`´ʼ-_.,،؛؟!\n") + [
    "\u064e",
    "\u0651",
    "\u064b",
    "\u0640",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u0301",
    "ﷲ",
    "ﻻ",
    "ﷺ",
    "ﹰ",
    "™",
    "①",
    "½",
    "٣",
    "ە",
    "ێ",
    "ک",
]


def test_random_texts_keep_one_set_of_word_boundaries(gaz: Gazetteer) -> None:
    rng = random.Random(7)
    proclitics = _proclitics()
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(1, 10)):
            parts.append(rng.choice(_PIECES) if rng.random() < 0.5 else "".join(rng.choices(_CHARS, k=4)))
            parts.append(rng.choice([" ", "", "\u200f", " \u0640", "'", "''", ", ", "\n"]))
        text = "".join(parts)
        tk = tokenize(text)
        words = _words(text)
        assert list(zip(tk.starts, tk.ends, strict=True)) == words, text
        starts, ends = {a for a, _ in words}, {b for _, b in words}
        for m in find_mentions(text, gaz, tokens=tk):
            assert m.start in starts and m.end in ends, (text, m.text)
        for t in find_triggers(text, tokens=tk):
            assert t.span.end in ends, text
            assert t.span.start in starts or _lead(tk, t.span.start) in proclitics, text


def test_a_word_ends_after_its_marks_for_extractor_and_trigger_finder(gaz: Gazetteer) -> None:
    text = "هجماتٌ على بغدادَ ثم وبغداد، وهجوماً على Kirkuk's outskirts"
    rules = load_rules()
    attack = rules.kinds["attack_area"]
    # a rules file where a place name is also a trigger, so both readers report the same words
    both = replace(
        rules,
        kinds={
            **rules.kinds,
            "attack_area": replace(
                attack,
                triggers_ar=("بغداد", *attack.triggers_ar),
                triggers_en=("kirkuk*", *attack.triggers_en),
            ),
        },
    )
    tk = tokenize(text)
    triggers = {(t.span.start, t.span.end): t.span.text for t in find_triggers(text, rules=both, tokens=tk)}
    assert "هجماتٌ" in triggers.values() and "هجوماً" in triggers.values()
    mentions = [m for m in find_mentions(text, gaz, tokens=tk) if m.key in ("بغداد", "kirkuk")]
    assert [m.text for m in mentions] == ["بغدادَ", "وبغداد", "Kirkuk's"]
    for m in mentions:  # the same end; the trigger starts after the proclitic the mention notes
        assert (m.start + len(m.proclitic), m.end) in triggers, (m.text, triggers)


def test_attachment_reads_the_words_between_from_the_same_tokens(gaz: Gazetteer) -> None:
    # a diacritic inside a word between the trigger and the place is one word, not two: five words
    # stand before سنجار here (split at their marks they would be eleven)
    text = "هجماتُ المُسلَّحين الجُدُد المُتكرِّرة على قضاءِ سنجارَ"
    tk = tokenize(text)
    places = geoparse(text, gazetteer=gaz, tokens=tk)
    triggers = find_triggers(text, tokens=tk)
    rules = load_rules()
    attack = rules.kinds["attack_area"]
    tight = replace(rules, kinds={**rules.kinds, "attack_area": replace(attack, max_lead_words=5)})
    pairs = attach_places(text, places, triggers, rules=tight, tokens=tk)
    assert [(t.span.text, [h.mention.text for h in hits]) for t, hits in pairs] == [("هجماتُ", ["سنجارَ"])]


def test_the_pipeline_reads_the_text_once_for_places_and_triggers(monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.text.resolve
    import geo.zones.memo
    from geo.pipeline import analyze

    geo.zones.memo.clear_readings()  # a reading cached by another test would skip the trigger search
    seen: dict[str, object] = {}
    real_geoparse, real_find = geo.text.resolve.geoparse, geo.zones.memo.find_triggers

    def geoparse_spy(text, **kw):  # type: ignore[no-untyped-def]
        seen["places"] = kw["tokens"]
        return real_geoparse(text, **kw)

    def find_spy(text, **kw):  # type: ignore[no-untyped-def]
        seen["triggers"] = kw["tokens"]
        return real_find(text, **kw)

    monkeypatch.setattr(geo.text.resolve, "geoparse", geoparse_spy)
    monkeypatch.setattr(geo.zones.memo, "find_triggers", find_spy)
    text = "هجمات على بغداد وكركوك، وتفعيل غرف العمليات المشتركة في ديالى"
    analysis = analyze(text)
    assert analysis.places and analysis.zones
    assert seen["places"] is seen["triggers"] and seen["places"].text == text  # type: ignore[attr-defined]


def test_tokens_of_another_text_are_refused(gaz: Gazetteer) -> None:
    other = tokenize("هجوم في كركوك")
    with pytest.raises(InputError, match="another text"):
        geoparse("هجوم في بغداد", gazetteer=gaz, tokens=other)
    with pytest.raises(InputError, match="another text"):
        find_triggers("هجوم في بغداد", tokens=other)
    assert token_key("Kirkuk's") == "kirkuk"


def test_an_underscore_separates_the_words_of_a_hashtag() -> None:
    text = "هجمات في #ديالى و #صلاح_الدين، attacks in #Salah_al_Din"
    tk = tokenize(text)
    assert [text[a:b] for a, b in zip(tk.starts, tk.ends, strict=True)][4:6] == ["صلاح", "الدين"]
    assert tk.gaps[5] & JOINED  # "_" joins the words of one name
    assert fold_text("#صلاح_الدين")[0] == "#صلاح الدين"
