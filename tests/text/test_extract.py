"""Mentions: offsets, cue words, spatial modifiers, organisations, adjectives, chunking."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import pytest

from geo.data.gazetteer import load_gazetteer
from geo.text.extract import _is_article, _longest_match, _org_reach, find_mentions
from geo.text.lexicon import MODIFIER_VALUES, PhraseTable, load_lexicon
from geo.text.normalize import LATIN_HYPHEN_ARTICLES, fold
from geo.text.scan import _SCANNERS, Start, scanner
from geo.text.tokens import sentence_ends, tokenize


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
        ('وقال مصدر أمني لـ "كوردستان 24" إن هجوما وقع', "كوردستان"),  # a news outlet in a byline
        ("a security source told Kurdistan 24 that", "Kurdistan"),
    ],
)
def test_organisation_names_are_not_places(gaz, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert by_text(mentions(gaz, text))[name].blocked == "organisation"


def test_country_adjectives_need_a_geographic_head(gaz) -> None:  # type: ignore[no-untyped-def]
    ms = mentions(gaz, "عند الحدود العراقية السورية قتل جنود من القوات العراقية")
    by_start = sorted(ms, key=lambda m: m.start)
    assert [(m.text, m.blocked) for m in by_start] == [
        ("العراقية", None),
        ("السورية", None),
        ("العراقية", "adjective"),
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


# --- the scan's shortcuts agree with the plain definitions -----------------------------------------

GOLD_ARTICLES = sorted((Path(__file__).parent.parent / "gold" / "articles").glob("*.txt"))


def _plain_longest_match(tk, k, readings_, index):  # type: ignore[no-untyped-def]
    """The longest key from token ``k``: every n-gram (Latin articles skipped) tried, longest first."""
    keys = tk.keys
    best = None
    for reading in readings_:
        follow: list[int] = []
        j = k + 1
        while j < len(keys) and tk.joined(j - 1, j):
            if not _is_article(tk, j):
                follow.append(j)
            j += 1
        for n in range(len(follow), -1, -1):
            last = follow[n - 1] if n else k
            if best is not None and best[1] >= last:
                break
            key = " ".join([reading, *(keys[i] for i in follow[:n])])
            hit = next((name for name in (key, "adj:" + key) if index.get(name)), None)
            if hit:
                best = (hit, last, index[hit], reading)
                break
    return best


def test_name_matching_equals_trying_every_ngram(gaz) -> None:  # type: ignore[no-untyped-def]
    sc = scanner(gaz, load_lexicon())
    checked = shortcut = 0
    for path in GOLD_ARTICLES:
        tk = tokenize(path.read_text(encoding="utf-8"))
        for k, key in enumerate(tk.keys):
            info = sc.begins[key]
            if info is None or not info.starts:
                continue
            got = _longest_match(tk, k, info.starts, gaz.index, sc.begins.prefixes)
            want = _plain_longest_match(tk, k, [s.reading for s in info.starts], gaz.index)
            assert (got and (got[0], got[1], got[2], got[3].reading)) == want, (path.name, k, key)
            # where the next word cannot continue a name, the scan takes the one-word name
            nxt = k + 1
            if not (
                nxt < len(tk.keys)
                and tk.joined(k, nxt)
                and (tk.keys[nxt] in info.seconds or tk.keys[nxt] in LATIN_HYPHEN_ARTICLES)
            ):
                one_word = info.one_word and (info.one_word[0], k, info.one_word[1], info.one_word[2].reading)
                assert want == (one_word or None), (path.name, k, key)
                shortcut += 1
            checked += 1
    assert checked > 200 and 0 < shortcut < checked


def test_phrase_table_finds_the_longest_then_the_first_phrase() -> None:
    table = PhraseTable(
        {
            ("north",): "n",
            ("north", "of"): "n-of",
            ("west", "of"): "w-of",
            ("sub", "district", "of"): "sub",
            ("district", "of"): "dist",
            ("محافظه",): "gov",
            ("بالقرب", "من"): "near",
        }
    )
    tk = tokenize("in the sub district of X, north of Y, west of Z, of W, بمحافظة ك وبالقرب من ل")
    at = {tk.token(i): i for i in range(len(tk))}
    assert table.before(tk, 4, 0) == (1 + 1, "sub")  # "sub district of", not "district of"
    assert table.before(tk, 4, 3) == (3, "dist")  # the floor cuts the longer phrase
    assert table.before(tk, at["north"] + 1, 0) == (at["north"], "n-of")
    assert table.before(tk, at["west"] + 1, 0) == (at["west"], "w-of")
    assert table.before(tk, at["W"] - 1, 0) is None  # ", of": punctuation between the words
    assert table.before(tk, at["بمحافظة"], 0) == (at["بمحافظة"], "gov")  # a proclitic on the word
    assert table.before(tk, at["من"], 0) == (at["وبالقرب"], "near")  # ... and on the first word
    assert table.may_end("of") and table.may_end(fold("بمحافظة")) and not table.may_end("X")


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("Prices rose 3.5 percent in the U.S.A today", []),
        ("One. Two?! Three...", [4, 10, 19]),
        ("Line one\n\nline two.\n", [10, 20]),
        ('He said "go." Then left', [12]),
        ("وصلت القوات؟ نعم. انتهى…", [12, 17, 24]),
    ],
)
def test_sentence_ends(text: str, ends: list[int]) -> None:
    assert sentence_ends(text) == ends


def test_organisation_reach() -> None:
    assert _org_reach([(2, 4), (3, 7), (9, 9)]) == {2: 4, 3: 7, 4: 7, 5: 7, 6: 7, 7: 7, 9: 9}


def test_results_do_not_depend_on_what_was_read_before(gaz) -> None:  # type: ignore[no-untyped-def]
    texts = [p.read_text(encoding="utf-8") for p in GOLD_ARTICLES]
    first = [[astuple(m) for m in find_mentions(t, gaz)] for t in texts]
    _SCANNERS.clear()  # fresh per-token caches, then the articles in the other order
    again = [[astuple(m) for m in find_mentions(t, gaz)] for t in reversed(texts)][::-1]
    assert first == again and sum(map(len, first)) > 50


def test_longest_match_grows_along_name_prefixes() -> None:
    index = {"a": (3,), "a b": (1,), "a b c": (2,), "adj:x y": (4,)}
    prefixes = frozenset({"a b", "a b c", "x y"})
    a = Start("a", 3, ("a", (3,)), frozenset({"b"}), False, "", True, False)
    x = Start("x", 2, None, frozenset({"y"}), False, "", True, False)

    def match(text: str, start: Start):  # type: ignore[no-untyped-def]
        found = _longest_match(tokenize(text), 0, (start,), index, prefixes)
        return found and found[:3]

    assert match("a b c d", a) == ("a b c", 2, (2,))
    assert match("a b d c", a) == ("a b", 1, (1,))
    assert match("a-b, c", a) == ("a b", 1, (1,))  # a comma ends a name
    assert match("a. b c", a) == ("a", 0, (3,))
    assert match("x y", x) == ("adj:x y", 1, (4,))
    assert match("x z", x) is None


def test_phrase_table_keeps_its_order_among_readings() -> None:
    tk = tokenize("وبالقرب من")
    first = PhraseTable({("بالقرب", "من"): "a", ("القرب", "من"): "b"})
    second = PhraseTable({("القرب", "من"): "b", ("بالقرب", "من"): "a"})
    assert first.before(tk, 1, 0) == (0, "a") and second.before(tk, 1, 0) == (0, "b")


def test_offsets_of_a_piece_of_a_longer_text(gaz) -> None:  # type: ignore[no-untyped-def]
    piece = "هجوم في شمال بغداد. وفي قضاء بلد، اشتباكات north of Mosul"
    plain, moved = find_mentions(piece, gaz), find_mentions(piece, gaz, offset=1000)
    assert len(plain) == len(moved) == 3
    for a, b in zip(plain, moved, strict=True):
        assert (b.start, b.end, b.sentence.start, b.sentence.end) == (
            a.start + 1000,
            a.end + 1000,
            a.sentence.start + 1000,
            a.sentence.end + 1000,
        )
        assert (b.text, b.sentence.text, b.key, b.cue_kind, b.modifier) == (
            a.text,
            a.sentence.text,
            a.key,
            a.cue_kind,
            a.modifier,
        )
        if a.modifier_span:
            assert b.modifier_span.start == a.modifier_span.start + 1000


def test_a_latin_article_at_the_end_of_a_line_is_not_part_of_the_name_on_the_next() -> None:
    """A line break ends the sentence: "El" there is no part of "Afaq" below it."""
    from geo.text.resolve import geoparse

    text = "Report by El\nAfaq district officials."
    (afaq,) = [p for p in geoparse(text) if p.name == "Afaq"]
    (m,) = afaq.mentions
    assert m.text == "Afaq" and m.sentence.start <= m.start < m.end <= m.sentence.end
