"""geo.pipeline.analyze on 10,000 generated texts: it never raises, and every offset it returns is right.

The texts (fixed seed, so a failure is reproducible) mix Arabic, Latin and Kurdish letters,
combining marks, lone surrogates, bidirectional controls, zero-width characters, emoji, very long
words, and real gazetteer names and zone trigger phrases (so places and zones are found, and
their offsets are checked too). A failing text is named by its number and shown with ``ascii()``.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from geo.data.gazetteer import load_gazetteer
from geo.model import Analysis, Span
from geo.pipeline import analyze
from geo.zones.rules import load_rules

SEED = 20_240_601
TEXTS = 10_000

ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + ["ة", "ى", "ئ", "ؤ", "أ", "إ", "آ"]
LATIN = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
KURDISH = list("ەێۆڕڵڤپچژگکیھ") + list("êîûşçÊÎÛŞÇ")
COMBINING = (
    [chr(c) for c in range(0x064B, 0x0653)]
    + ["\u0670", "\u0654", "\u0655"]
    + [chr(c) for c in range(0x0300, 0x0370, 7)]
)
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
BIDI = [
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u061c"]
EMOJI = ["😀", "🔥", "🇮🇶", "👨\u200d👩\u200d👧", "👍🏽", "⚠️", "1️⃣", "🏳️\u200d🌈"]
PUNCT = [
    *" .,;:!?()[]«»،؛؟-–—/\"'\n\t",
    "  ",
    "\r\n",
    "٠١٢٣",
    "2024",
    "10",
    "\x00",
    "\x85",
    "\u2028",
    "\ufffd",
]


@pytest.fixture(scope="module")
def vocabulary() -> tuple[list[str], list[str]]:
    """(place names, trigger phrases): real gazetteer names in both scripts and the rules' triggers."""
    gaz = load_gazetteer()
    rng = random.Random(SEED)
    entries = [e for e in gaz.entries if e.country == "IQ" and e.level <= 3] or gaz.entries
    picked = rng.sample(entries, min(150, len(entries)))
    names = [n for e in picked for n in (e.name, e.name_ar) if n]
    rules = load_rules()
    triggers = [t for rule in rules.kinds.values() for t in (*rule.triggers_ar, *rule.triggers_en)]
    return names, triggers


def _word(rng: random.Random, letters: list[str], longest: int) -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(1, longest)))


def make_text(rng: random.Random, names: list[str], triggers: list[str]) -> str:
    """One short text of random pieces; about one in ten holds a very long word."""
    pieces: list[str] = []
    for _ in range(rng.randint(0, 14)):
        roll = rng.random()
        if roll < 0.20:
            piece = rng.choice(names)
        elif roll < 0.22:
            piece = rng.choice(names).upper()
        elif roll < 0.32:
            piece = rng.choice(triggers)
        elif roll < 0.50:
            piece = _word(rng, ARABIC, 8)
        elif roll < 0.60:
            piece = _word(rng, LATIN, 8)
        elif roll < 0.68:
            piece = _word(rng, KURDISH, 8)
        elif roll < 0.74:
            # a name with marks, controls or surrogates inside or around it
            name = rng.choice(names)
            cut = rng.randint(0, len(name))
            odd = rng.choice(COMBINING + BIDI + ZERO_WIDTH + SURROGATES)
            piece = name[:cut] + odd + name[cut:]
        elif roll < 0.80:
            piece = rng.choice(COMBINING) * rng.randint(1, 3)
        elif roll < 0.85:
            piece = rng.choice(SURROGATES)
        elif roll < 0.90:
            piece = rng.choice(BIDI + ZERO_WIDTH)
        elif roll < 0.95:
            piece = rng.choice(EMOJI)
        else:
            piece = rng.choice(PUNCT)
        pieces.append(piece)
        pieces.append(rng.choice([" ", " ", " ", "", "\n", "، ", ". ", rng.choice(PUNCT)]))
    if rng.random() < 0.1:
        letters = rng.choice([ARABIC, LATIN, KURDISH, ARABIC + COMBINING])
        long_word = "".join(rng.choice(letters) for _ in range(rng.randint(300, 3000)))
        pieces.insert(rng.randint(0, len(pieces)), long_word)
    return "".join(pieces)


def _span_ok(span: Span, text: str) -> bool:
    return 0 <= span.start <= span.end <= len(text) and text[span.start : span.end] == span.text


def check(text: str, analysis: Analysis) -> None:
    """Every offset of ``analysis`` points into ``text`` at the text it claims.

    Mentions are checked against ``text`` itself (a name never spans a lone surrogate); sentences
    and zone evidence against ``analysis.text``, the same text with lone surrogates as U+FFFD,
    which has the same length. Everything the analysis holds must encode as UTF-8 (the exports
    write it).
    """
    clean = analysis.text
    assert len(clean) == len(text)
    # everything the analysis holds can be written out (a lone surrogate cannot be encoded)
    records = [p.to_dict() for p in analysis.places] + [z.to_dict() for z in analysis.zones]
    json.dumps({"text": clean, "records": records, "notes": analysis.notes}, ensure_ascii=False).encode()
    for place in analysis.places:
        assert place.mentions
        for m in place.mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.text, (m.start, m.end, m.text)
            assert _span_ok(m.sentence, clean) and m.sentence.start <= m.start <= m.end <= m.sentence.end
            assert m.modifier_span is None or _span_ok(m.modifier_span, clean)
    for zone in analysis.zones:
        assert zone.occurrences and zone.trigger == zone.occurrences[0]
        for span in (zone.trigger, zone.sentence, *zone.occurrences):
            assert span.end > span.start or span is zone.sentence
            assert _span_ok(span, clean), (zone.kind, span)
    for span in analysis.unanchored_triggers:
        assert span.end > span.start and _span_ok(span, clean), span


def test_analyze_survives_10_000_generated_texts(vocabulary: tuple[list[str], list[str]]) -> None:
    names, triggers = vocabulary
    rng = random.Random(SEED)
    analyze("warm up: Kirkuk")  # gazetteer and rules load outside the timed loop
    found_places = found_zones = with_surrogates = 0
    started = time.perf_counter()
    for i in range(TEXTS):
        text = make_text(rng, names, triggers)
        try:
            analysis = analyze(text, source=f"fuzz-{i}")
            check(text, analysis)
        except Exception as exc:  # name the text that broke it, whatever broke
            raise AssertionError(f"text #{i} (seed {SEED}): {exc!r}\n{ascii(text)[:2000]}") from exc
        found_places += bool(analysis.places)
        found_zones += bool(analysis.zones)
        with_surrogates += any("\ud800" <= ch <= "\udfff" for ch in text)
    elapsed = time.perf_counter() - started
    # the generator really reaches the paths it is meant to exercise
    assert found_places > TEXTS // 4, found_places
    assert found_zones > TEXTS // 50, found_zones
    assert with_surrogates > TEXTS // 10, with_surrogates
    # speed is the benchmarks' job (tests/benchmarks/); the figure is printed for the log only
    print(f"{TEXTS} fuzzed texts analysed in {elapsed:.1f} s")
