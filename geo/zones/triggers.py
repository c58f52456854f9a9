"""Reading zones in text: trigger phrases, sentences and clauses, and the places a trigger names.

Both read the article's :class:`geo.text.tokens.Tokens`, the one token stream place extraction
reads too, so a trigger and a place mention agree on where every word starts and ends.
:func:`find_triggers` finds the trigger phrases of the zone rules (``data/zone_rules.toml``) in the
tokens' folded form (:meth:`geo.text.tokens.Tokens.fold`) and maps them back to whole tokens of
the original text. :func:`attach_places` gives each trigger the resolved places the text attaches
to it (a following list, or the rest of the clause), as the rules file describes, reading the words
between them from the same tokens. No geometry here: :mod:`geo.zones.derivation` builds the zones.

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
from geo.text.tokens import OffsetMap, Tokens, tokenize, tokens_of
from geo.zones.rules import KindRule, ZoneRules, load_rules

log = logging.getLogger(__name__)

_SENTENCE_BREAK = re.compile(r"[!?؟\n]|\.(?=\s|$)")
#: Texts up to this many characters keep their tokens (and their folded form) between calls (the
#: dashboard asks again for the same article whenever a setting changes); longer ones are read per
#: call.
_TOKENS_CACHE_CHARS = 1_000_000
_TOKENS_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger phrase found in the text."""

    kind: str
    span: Span
    sentence: Span


# --- triggers -------------------------------------------------------------------------------------


_TOKENS_CACHE: OrderedDict[str, Tokens] = OrderedDict()
_TOKENS_LOCK = threading.Lock()


def _tokens(text: str, tokens: Tokens | None) -> Tokens:
    """``tokens`` (checked against ``text``), else the text's tokens, kept for small texts (the
    dashboard derives the zones of the same article again whenever a setting changes)."""
    if tokens is not None or len(text) > _TOKENS_CACHE_CHARS:
        return tokens_of(text, tokens)
    with _TOKENS_LOCK:
        cached = _TOKENS_CACHE.get(text)
        if cached is not None:
            _TOKENS_CACHE.move_to_end(text)
            return cached
    made = tokenize(text)
    with _TOKENS_LOCK:
        _TOKENS_CACHE[text] = made
        while len(_TOKENS_CACHE) > _TOKENS_CACHE_SIZE:
            _TOKENS_CACHE.popitem(last=False)
    return made


def find_triggers(
    text: str, *, rules: ZoneRules | None = None, tokens: Tokens | None = None
) -> list[Trigger]:
    """Every trigger phrase of the rules in ``text``, in text order (longest match per kind).

    Parameters
    ----------
    text
        The article text.
    rules
        Zone rules; default ``data/zone_rules.toml``.
    tokens
        ``tokenize(text)``, the tokens place extraction read (:func:`geo.pipeline.analyze` passes
        them); made here otherwise. A trigger starts where a token starts (or after the proclitic
        of its first token: وهجمات) and ends where a token ends, so it covers whole words of
        the same token stream as the place mentions.

    Raises
    ------
    InputError
        When ``tokens`` were made from another text.
    """
    rules = rules or load_rules()
    tk = _tokens(text, tokens)
    folded, offsets = tk.fold()
    literals, by_kind = _compiled(rules)
    present = {lit for lit in literals if lit in folded}  # first words the text holds at all
    starts: dict[tuple[str, int, bool], list[int]] = {}  # where each first word may start a match
    seen: dict[int, Span] = {}  # sentences already cut out, shared by the triggers they hold
    breaks: array[int] | None = None
    found: list[Trigger] = []
    for kind, phrases in by_kind:
        spans: list[tuple[int, int, int]] = []
        for phrase in phrases:
            if not phrase.literal:  # a first word that folds to nothing: try every position
                spans += [(m.start(), *m.span("core")) for m in phrase.pattern.finditer(folded)]
                continue
            if phrase.literal not in present:
                continue
            key = (phrase.literal, phrase.lead, phrase.word_lead)
            if key not in starts:
                starts[key] = _match_starts(folded, phrase)
            spans += _scan(phrase.pattern, starts[key], folded)
        if not spans:
            continue
        matches = sorted(_source_spans(tk, offsets, spans), key=lambda ab: (ab[0], -(ab[1] - ab[0])))
        if breaks is None:
            breaks = array("q", (m.end() for m in _SENTENCE_BREAK.finditer(text)))
        last_end = -1
        for a, b in matches:
            if a < last_end:
                continue
            last_end = b
            found.append(Trigger(kind, Span(a, b, text[a:b]), _sentence_at(breaks, a, text, seen)))
    found.sort(key=lambda t: (t.span.start, t.kind))
    return found


def _source_spans(tk: Tokens, offsets: OffsetMap, spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` in the text of matches ``(match start, core start, core end)`` in the folded
    text: the core ends where its last token ends (with the marks after its last letter, هجوماً),
    and starts where its first token starts, or at its first letter after a proclitic."""
    folded = np.array(spans, dtype=np.int64)
    firsts = offsets.sources(folded[:, 1]).tolist()
    lasts = offsets.sources(folded[:, 2] - 1).tolist()
    token_starts, token_ends = tk.starts, tk.ends
    out = []
    for (lead, core, _end), first, last in zip(spans, firsts, lasts, strict=True):
        k = bisect_right(token_starts, last) - 1  # the token of the last letter
        b = token_ends[k]
        if lead == core:
            first = token_starts[bisect_right(token_starts, first) - 1]
        out.append((first, b))
    return out


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


def _scan(pattern: re.Pattern[str], starts: list[int], folded: str) -> list[tuple[int, int, int]]:
    """``(match start, core start, core end)`` of ``pattern.finditer(folded)``, trying only ``starts``.

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
            out.append((m.start(), *m.span("core")))
            cursor = max(m.end(), s + 1)
    return out


def _patterns(rule: KindRule, proclitics: tuple[str, ...], quotes: frozenset[str]) -> list[_Phrase]:
    return _compile(tuple(rule.triggers_ar), tuple(rule.triggers_en), proclitics, "".join(sorted(quotes)))


#: Phrases compiled per rules object: ``(rules, first words of every phrase, [(kind, phrases)])``.
_COMPILED: OrderedDict[int, tuple[ZoneRules, frozenset[str], list[tuple[str, list[_Phrase]]]]] = OrderedDict()


def _compiled(rules: ZoneRules) -> tuple[frozenset[str], list[tuple[str, list[_Phrase]]]]:
    """The phrases of every kind of ``rules`` and the set of their first words, made once per rules
    object (a text is searched for each distinct first word once, whatever the phrases sharing it)."""
    with _TOKENS_LOCK:
        held = _COMPILED.get(id(rules))
    if held is not None and held[0] is rules:
        return held[1], held[2]
    by_kind = [
        (kind, _patterns(rule, rules.proclitics_ar, rules.quote_marks)) for kind, rule in rules.kinds.items()
    ]
    literals = frozenset(p.literal for _kind, phrases in by_kind for p in phrases if p.literal)
    with _TOKENS_LOCK:
        _COMPILED[id(rules)] = (rules, literals, by_kind)  # the rules are held: the id is not reused
        while len(_COMPILED) > 16:
            _COMPILED.popitem(last=False)
    return literals, by_kind


@lru_cache(maxsize=64)
def _compile(
    triggers_ar: tuple[str, ...], triggers_en: tuple[str, ...], proclitics: tuple[str, ...], quotes: str
) -> list[_Phrase]:
    # a phrase's words stand apart by spaces and by [matching].quote_marks, which surround names
    # ("هاجم «داعش» قافلة" holds the phrase "هاجم داعش")
    between = f"[\\s{re.escape(quotes)}]+"
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
        core = between.join(words)
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


def _sentence_at(ends: array[int], pos: int, text: str, seen: dict[int, Span]) -> Span:
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
    """The text's mentions, tokens and clause breaks, and the attachment of places to triggers.

    Mentions are kept as sorted start and end lists; a :class:`PlaceHit` is made only for the
    mentions a trigger reaches (a 20 MB text has hundreds of thousands of mentions).
    """

    def __init__(self, text: str, places: list[Place], rules: ZoneRules, tokens: Tokens) -> None:
        self.text = text
        self.rules = rules
        self.tokens = tokens
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
                yield from self._words(cursor, piece_end)
            if i >= len(starts) or starts[i] >= b:
                break
            cursor = max(cursor, ends[i])
            i += 1

    def _words(self, a: int, b: int) -> Iterator[str]:
        """The folded words of text[a:b] (the article's tokens, or the part of one inside the
        range) and each punctuation mark between them, in text order; empty folds are left out."""
        tk, text = self.tokens, self.text
        token_starts, token_ends, keys, n = tk.starts, tk.ends, tk.keys, len(tk)
        k = bisect_right(token_ends, a)  # the first token that ends after a
        pos = a
        while pos < b:
            s = min(max(token_starts[k], pos), b) if k < n else b
            for ch in text[pos:s]:  # between tokens: spaces and punctuation
                if not ch.isspace():
                    mark = fold_token(ch)
                    if mark:
                        yield mark
            e = min(token_ends[k], b) if k < n else b
            if s < e:
                whole = s == token_starts[k] and e == token_ends[k]
                word = keys[k] if whole else fold_token(text[s:e])
                if word:  # a lone mark or tatweel folds to nothing
                    yield word
            pos = max(e, s)
            k += 1

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
    text: str,
    places: list[Place],
    triggers: list[Trigger],
    *,
    rules: ZoneRules | None = None,
    tokens: Tokens | None = None,
) -> list[tuple[Trigger, list[PlaceHit]]]:
    """Each trigger with the place mentions it owns, in text order.

    A trigger of a kind that needs no place (``attach = "none"``) comes with an empty list; so does
    a trigger that names no place (an unanchored trigger). Triggers whose places all belong to a
    nearer trigger of the same kind are left out. The words between a trigger and its places are
    read from ``tokens`` (``tokenize(text)``, made here when not given).

    Raises
    ------
    InputError
        When ``tokens`` were made from another text.
    """
    rules = rules or load_rules()
    reader = _Reader(text, places, rules, _tokens(text, tokens))
    out: list[tuple[Trigger, list[PlaceHit]]] = []
    for kind, rule in rules.kinds.items():
        out += reader.attach([t for t in triggers if t.kind == kind], rule)
    out.sort(key=lambda pair: pair[0].span.start)
    return out
