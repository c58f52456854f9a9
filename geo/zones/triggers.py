"""Reading zones in text: trigger phrases, sentences and clauses, and the places a trigger names.

:func:`find_triggers` finds the trigger phrases of the zone rules (``data/zone_rules.toml``) in the
folded text and maps them back to offsets in the original text. :func:`attach_places` gives each
trigger the resolved places the text attaches to it (a following list, or the rest of the clause),
as the rules file describes. No geometry here: :mod:`geo.zones.derivation` builds the zones.

Both scale linearly with the text: the text is folded in one translation pass with a compact
offset map, each phrase is tried only where the literal of its first word stands, and the mentions
are walked in text order without copies, so a 20 MB text takes seconds rather than minutes.
"""

from __future__ import annotations

import logging
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from geo.model import Mention, Place, Span
from geo.text.normalize import fold_token, normalize_with_map
from geo.zones.rules import KindRule, ZoneRules, load_rules

log = logging.getLogger(__name__)

_SENTENCE_BREAK = re.compile(r"[!?؟\n]|\.(?=\s|$)")
_GAP_TOKEN = re.compile(r"\w+|[^\w\s]")
#: Texts up to this many characters keep their folded form between calls (the dashboard asks
#: again for the same article whenever a setting changes); longer ones are folded per call.
_READ_CACHE_CHARS = 1_000_000
_READ_CACHE_SIZE = 8
#: Characters folded per step when the offset map is built (bounds the temporary arrays).
_FOLD_STEP = 1 << 20


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger phrase found in the text."""

    kind: str
    span: Span
    sentence: Span


# --- folding --------------------------------------------------------------------------------------


class _OffsetMap:
    """Maps positions in the folded text back to the original text.

    :func:`geo.text.normalize.normalize_with_map` folds character by character (``tests/test_zones.py``
    checks that this map agrees with its index): each source character becomes zero (an Arabic
    mark), one or several (an NFKC ligature) folded characters. Only the
    characters that do not become exactly one are stored (their source position and folded
    length), so the map of a 20 MB text without marks is empty rather than a list of 20 million
    integers.
    """

    def __init__(self, positions: np.ndarray, lengths: np.ndarray) -> None:
        self.positions = positions.astype(np.int64)
        self.lengths = lengths.astype(np.int64)
        shift = np.cumsum(self.lengths - 1)
        #: where each irregular character's folded piece starts in the folded text
        self.folded_starts = self.positions + shift - (self.lengths - 1)

    def sources(self, folded_pos: np.ndarray) -> np.ndarray:
        """Positions in the source text of the characters that produced ``folded[folded_pos]``."""
        f = np.asarray(folded_pos, dtype=np.int64)
        if not len(self.positions):
            return f
        k = np.searchsorted(self.folded_starts, f, side="right") - 1
        at = np.maximum(k, 0)
        start, length, pos = self.folded_starts[at], self.lengths[at], self.positions[at]
        after = np.where(f < start + length, pos, pos + 1 + (f - start - length))
        return np.where(k < 0, f, after)


def fold_text(text: str) -> tuple[str, _OffsetMap]:
    """``text`` folded as :func:`geo.text.normalize.normalize_with_map` folds it, with the offset map.

    Each distinct character is folded once and the text is translated in one pass, so a 20 MB
    article takes about a second and no per-character Python list is built.
    """
    pieces = {ch: normalize_with_map(ch)[0] for ch in set(text)}
    folded = text.translate({ord(ch): piece for ch, piece in pieces.items()})
    odd = {ord(ch): len(piece) for ch, piece in pieces.items() if len(piece) != 1}
    if not odd:
        return folded, _OffsetMap(np.empty(0, np.int64), np.empty(0, np.int64))
    table = np.ones(max(odd) + 1, dtype=np.int64)
    for code, length in odd.items():
        table[code] = length
    positions, lengths = [], []
    for a in range(0, len(text), _FOLD_STEP):
        codes = np.frombuffer(text[a : a + _FOLD_STEP].encode("utf-32-le"), dtype="<u4")
        step = np.ones(len(codes), dtype=np.int64)
        known = codes < len(table)  # characters above the table's last entry fold to one
        step[known] = table[codes[known]]
        where = np.flatnonzero(step != 1)
        positions.append(where + a)
        lengths.append(step[where])
    return folded, _OffsetMap(np.concatenate(positions), np.concatenate(lengths))


@dataclass(frozen=True, slots=True)
class _Read:
    """A text folded for matching, with its offset map and sentence ends."""

    folded: str
    offsets: _OffsetMap
    sentence_ends: array  # type: ignore[type-arg]


_READ_CACHE: OrderedDict[str, _Read] = OrderedDict()
_READ_LOCK = threading.Lock()


def _read(text: str) -> _Read:
    """The folded text, its map back to ``text`` and the sentence ends (small texts are cached)."""
    small = len(text) <= _READ_CACHE_CHARS
    if small:
        with _READ_LOCK:
            cached = _READ_CACHE.get(text)
            if cached is not None:
                _READ_CACHE.move_to_end(text)
                return cached
    folded, offsets = fold_text(text)
    read = _Read(folded, offsets, array("q", (m.end() for m in _SENTENCE_BREAK.finditer(text))))
    if small:
        with _READ_LOCK:
            _READ_CACHE[text] = read
            while len(_READ_CACHE) > _READ_CACHE_SIZE:
                _READ_CACHE.popitem(last=False)
    return read


# --- triggers -------------------------------------------------------------------------------------


def find_triggers(text: str, *, rules: ZoneRules | None = None) -> list[Trigger]:
    """Every trigger phrase of the rules in ``text``, in text order (longest match per kind)."""
    rules = rules or load_rules()
    read = _read(text)
    starts: dict[tuple[str, int, bool], list[int]] = {}  # where each first word may start a match
    seen: dict[int, Span] = {}  # sentences already cut out, shared by the triggers they hold
    found: list[Trigger] = []
    for kind, rule in rules.kinds.items():
        spans: list[tuple[int, int]] = []
        for phrase in _patterns(rule, rules.proclitics_ar):
            if not phrase.literal:  # a first word that folds to nothing: try every position
                spans += [m.span("core") for m in phrase.pattern.finditer(read.folded)]
                continue
            key = (phrase.literal, phrase.lead, phrase.word_lead)
            if key not in starts:
                starts[key] = _match_starts(read.folded, phrase)
            spans += _scan(phrase.pattern, starts[key], read.folded)
        if not spans:
            continue
        folded = np.array(spans, dtype=np.int64)
        firsts = read.offsets.sources(folded[:, 0]).tolist()
        ends = (read.offsets.sources(folded[:, 1] - 1) + 1).tolist()
        matches = sorted(zip(firsts, ends, strict=True), key=lambda ab: (ab[0], -(ab[1] - ab[0])))
        last_end = -1
        for a, b in matches:
            if a < last_end:
                continue
            last_end = b
            found.append(
                Trigger(kind, Span(a, b, text[a:b]), _sentence_at(read.sentence_ends, a, text, seen))
            )
    found.sort(key=lambda t: (t.span.start, t.kind))
    return found


@dataclass(frozen=True, slots=True)
class _Phrase:
    """One trigger phrase compiled for the folded text.

    ``literal`` is its first word as folded; ``lead`` is the most characters (proclitic and
    article) a match may have before it; ``word_lead`` says those characters are all word
    characters, so a match can only start where the word holding the literal starts.
    """

    pattern: re.Pattern[str]
    literal: str
    lead: int
    word_lead: bool


def _match_starts(folded: str, phrase: _Phrase) -> list[int]:
    """Every position where ``phrase`` may match, in order: the word starts up to ``lead``
    characters before an occurrence of its literal."""
    literal, lead = phrase.literal, phrase.lead
    out: list[int] = []
    q = folded.find(literal)
    while q >= 0:
        if phrase.word_lead:  # the start of the run of word characters that ends at the literal
            s = q
            while s > 0 and q - s < lead and _is_word(folded[s - 1]):
                s -= 1
            if s == 0 or not _is_word(folded[s - 1]):
                out.append(s)
        else:
            out += [s for s in range(max(0, q - lead), q + 1) if s == 0 or not _is_word(folded[s - 1])]
        q = folded.find(literal, q + 1)
    return sorted(set(out))


def _is_word(ch: str) -> bool:
    """Whether ``ch`` is a word character (``\\w`` of :mod:`re`)."""
    return ch.isalnum() or ch == "_"


def _scan(pattern: re.Pattern[str], starts: list[int], folded: str) -> list[tuple[int, int]]:
    """The ``core`` spans of ``pattern.finditer(folded)``, trying only ``starts``.

    ``starts`` holds every position where the pattern can match, so trying them in order and
    going on after each match's end gives the matches a scan of every position gives.
    """
    out = []
    cursor = 0
    for s in starts:
        if s < cursor:
            continue
        m = pattern.match(folded, s)
        if m is not None:
            out.append(m.span("core"))
            cursor = max(m.end(), s + 1)
    return out


def _patterns(rule: KindRule, proclitics: tuple[str, ...]) -> list[_Phrase]:
    return _compile(tuple(rule.triggers_ar), tuple(rule.triggers_en), proclitics)


@lru_cache(maxsize=64)
def _compile(
    triggers_ar: tuple[str, ...], triggers_en: tuple[str, ...], proclitics: tuple[str, ...]
) -> list[_Phrase]:
    folded_procl = sorted({normalize_with_map(p)[0] for p in proclitics}, key=len, reverse=True)
    procl = f"(?:{'|'.join(map(re.escape, folded_procl))})?" if folded_procl else ""
    longest_procl = max((len(p) for p in folded_procl), default=0)
    word_procl = all(_is_word(ch) for p in folded_procl for ch in p)
    out = []
    for phrase, arabic in [(p, True) for p in triggers_ar] + [(p, False) for p in triggers_en]:
        words = []
        literal = ""
        for raw in phrase.split():
            star = raw.endswith("*")
            folded_word = normalize_with_map(raw.rstrip("*"))[0]
            literal = literal or folded_word
            word = re.escape(folded_word)
            if arabic:
                word = f"(?:ال)?{word}"
            words.append(word + (r"\w*" if star else ""))
        core = r"\s+".join(words)
        lead = procl if arabic else ""
        out.append(
            _Phrase(
                pattern=re.compile(rf"(?<!\w){lead}(?P<core>{core})(?!\w)"),
                literal=literal,
                lead=longest_procl + len("ال") if arabic else 0,
                word_lead=word_procl or not arabic,
            )
        )
    return out


def _sentence_at(ends: array, pos: int, text: str, seen: dict[int, Span]) -> Span:  # type: ignore[type-arg]
    """The sentence holding ``pos``: from the last sentence break before it to the next one,
    without its surrounding spaces (``seen`` keeps the sentences already cut, by number)."""
    i = bisect_right(ends, pos)
    if i in seen:
        return seen[i]
    a = ends[i - 1] if i else 0
    b = ends[i] if i < len(ends) else len(text)
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    seen[i] = Span(a, b, text[a:b])
    return seen[i]


@lru_cache(maxsize=8)
def _clause_break_re(breaks: frozenset[str]) -> re.Pattern[str]:
    """The clause breaks of the rules; a full stop counts only before a space or the text's end."""
    others = "".join(sorted(re.escape(b) for b in breaks if b != "."))
    parts = ([f"[{others}]"] if others else []) + ([r"\.(?=\s|\Z)"] if "." in breaks else [])
    return re.compile("|".join(parts) or r"(?!)")


# --- attachment -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceHit:
    """One mention of a place; ``start``/``end`` include its modifier ("شمال بابل")."""

    start: int
    end: int
    place: Place
    mention: Mention


class _Reader:
    """The text's mentions and clause breaks, and the attachment of places to triggers.

    Mentions are kept as sorted start and end lists; a :class:`PlaceHit` is made only for the
    mentions a trigger reaches (a 20 MB text has hundreds of thousands of mentions).
    """

    def __init__(self, text: str, places: list[Place], rules: ZoneRules) -> None:
        self.text = text
        self.rules = rules
        mentions: list[Mention] = []
        owners: list[Place] = []
        for place in places:
            mentions += place.mentions
            owners += [place] * len(place.mentions)
        starts = np.fromiter((_extent(m)[0] for m in mentions), dtype=np.int64, count=len(mentions))
        ends = np.fromiter((_extent(m)[1] for m in mentions), dtype=np.int64, count=len(mentions))
        order = np.lexsort((-ends, starts))  # by start, the longest first; stable
        self.starts: list[int] = starts[order].tolist()
        self.ends: list[int] = ends[order].tolist()
        self._order: list[int] = order.tolist()
        self._mentions = mentions
        self._owners = owners
        self._hits: dict[int, PlaceHit] = {}
        self.breaks = array("q", (m.start() for m in _clause_break_re(rules.clause_breaks).finditer(text)))
        self.connectors = frozenset(fold_token(c) for c in rules.connectors)

    def hit(self, i: int) -> PlaceHit:
        """The ``i``-th mention in text order (one object per mention)."""
        found = self._hits.get(i)
        if found is None:
            j = self._order[i]
            found = self._hits[i] = PlaceHit(self.starts[i], self.ends[i], self._owners[j], self._mentions[j])
        return found

    def kind(self, i: int) -> str:
        return self._owners[self._order[i]].kind

    def clause_end(self, pos: int) -> int:
        i = bisect_left(self.breaks, pos)
        return self.breaks[i] if i < len(self.breaks) else len(self.text)

    def _inside(self, a: int, b: int) -> Iterator[int]:
        """Numbers of the mentions that start in ``[a, b)`` and end by ``b``, in text order."""
        starts, ends = self.starts, self.ends
        i = bisect_left(starts, a)
        while i < len(starts) and starts[i] < b:
            if ends[i] <= b:
                yield i
            i += 1

    def _tokens(self, a: int, b: int) -> Iterator[str]:
        """Folded tokens of text[a:b] outside every mention, in text order."""
        starts, ends = self.starts, self.ends
        cursor = a
        i = bisect_left(starts, a)
        while cursor < b:
            piece_end = min(starts[i], b) if i < len(starts) else b
            if piece_end > cursor:
                for raw in _GAP_TOKEN.finditer(self.text, cursor, piece_end):
                    token = fold_token(raw.group())
                    if token:  # a lone mark or apostrophe folds to nothing
                        yield token
            if i >= len(starts) or starts[i] >= b:
                break
            cursor = max(cursor, ends[i])
            i += 1

    def _lead_words(self, a: int, b: int, limit: int) -> int:
        """Words between ``a`` and ``b`` outside every mention, counted up to ``limit + 1``."""
        n = 0
        for token in self._tokens(a, b):
            if token[0].isalnum():
                n += 1
                if n > limit:
                    break
        return n

    def _is_connector(self, token: str) -> bool:
        if token in self.connectors:
            return True
        return len(token) > 1 and token[0] == "و" and token[1:] in self.connectors

    def _candidates(self, trigger: Trigger, rule: KindRule) -> list[int]:
        """Numbers of the mentions ``trigger`` reaches (the rules' ``attach`` mode)."""
        after = self._inside(trigger.span.end, self.clause_end(trigger.span.end))
        for i in after:
            if self.kind(i) in rule.place_kinds:
                lead = self._lead_words(trigger.span.end, self.starts[i], rule.max_lead_words)
                if lead > rule.max_lead_words:
                    return []
                break
        else:
            return []
        chosen = [i]
        prev_end = self.ends[i]
        if rule.attach == "clause":
            for i in after:
                if self.starts[i] >= prev_end and self.kind(i) in rule.place_kinds:
                    chosen.append(i)
                    prev_end = self.ends[i]
            return chosen
        for i in after:
            if self.starts[i] < prev_end:
                continue
            if not all(self._is_connector(t) for t in self._tokens(prev_end, self.starts[i])):
                break
            if self.kind(i) in rule.place_kinds:
                chosen.append(i)
            prev_end = self.ends[i]
        return chosen

    def attach(self, triggers: list[Trigger], rule: KindRule) -> list[tuple[Trigger, list[PlaceHit]]]:
        """Each trigger with the hits it owns (the nearest trigger before a place owns it).

        Triggers that reach places only through a nearer trigger of the same kind are dropped
        (they are part of that trigger's phrase: "escalated its attacks").
        """
        if rule.attach == "none":
            return [(t, []) for t in triggers]
        reach = [self._candidates(t, rule) for t in triggers]
        owner: dict[int, int] = {}  # mention number -> number of the trigger that owns it
        for n, (t, reached) in enumerate(zip(triggers, reach, strict=True)):
            for i in reached:
                held = owner.get(i)
                if held is None or t.span.start > triggers[held].span.start:
                    owner[i] = n
        out = []
        for n, (t, reached) in enumerate(zip(triggers, reach, strict=True)):
            hits = [self.hit(i) for i in reached if owner[i] == n]
            if reached and not hits:
                log.debug(
                    "trigger %r at %d shares its places with a nearer trigger", t.span.text, t.span.start
                )
                continue
            out.append((t, hits))
        return out


def _extent(m: Mention) -> tuple[int, int]:
    """Where a mention stands in the text, with its modifier ("شمال بابل")."""
    if m.modifier_span is None:
        return m.start, m.end
    return min(m.start, m.modifier_span.start), max(m.end, m.modifier_span.end)


def attach_places(
    text: str, places: list[Place], triggers: list[Trigger], *, rules: ZoneRules | None = None
) -> list[tuple[Trigger, list[PlaceHit]]]:
    """Each trigger with the place mentions it owns, in text order.

    A trigger of a kind that needs no place (``attach = "none"``) comes with an empty list; so does
    a trigger that names no place (an unanchored trigger). Triggers whose places all belong to a
    nearer trigger of the same kind are left out.
    """
    rules = rules or load_rules()
    reader = _Reader(text, places, rules)
    out: list[tuple[Trigger, list[PlaceHit]]] = []
    for kind, rule in rules.kinds.items():
        out += reader.attach([t for t in triggers if t.kind == kind], rule)
    out.sort(key=lambda pair: pair[0].span.start)
    return out
