"""Reading zones in text: trigger phrases, sentences and clauses, and the places a trigger names.

:func:`find_triggers` finds the trigger phrases of the zone rules (``data/zone_rules.toml``) in the
folded text and maps them back to offsets in the original text. :func:`attach_places` gives each
trigger the resolved places the text attaches to it (a following list, or the rest of the clause),
as the rules file describes. No geometry here: :mod:`geo.zones` builds the zones.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from geo.model import Mention, Place, Span
from geo.normalize import fold_token, normalize_with_map
from geo.zone_rules import KindRule, ZoneRules, load_rules

log = logging.getLogger(__name__)

_SENTENCE_BREAK = re.compile(r"[!?؟\n]|\.(?=\s|$)")
_GAP_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Trigger:
    """A trigger phrase found in the text."""

    kind: str
    span: Span
    sentence: Span


# --- triggers -------------------------------------------------------------------------------------


def find_triggers(text: str, *, rules: ZoneRules | None = None) -> list[Trigger]:
    """Every trigger phrase of the rules in ``text``, in text order (longest match per kind)."""
    rules = rules or load_rules()
    folded, index, sentences = _read(text)
    found: list[Trigger] = []
    for kind, rule in rules.kinds.items():
        matches: list[tuple[int, int]] = []
        for pattern in _patterns(rule, rules.proclitics_ar):
            for m in pattern.finditer(folded):
                a, b = m.span("core")
                matches.append((index[a], index[b - 1] + 1))
        matches.sort(key=lambda ab: (ab[0], -(ab[1] - ab[0])))
        last_end = -1
        for a, b in matches:
            if a < last_end:
                continue
            last_end = b
            found.append(Trigger(kind, Span(a, b, text[a:b]), _sentence_at(sentences, a, text)))
    found.sort(key=lambda t: (t.span.start, t.kind))
    return found


@lru_cache(maxsize=8)
def _read(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """Folded text, its map back to ``text``, and the sentence spans (cached: the dashboard asks
    again for the same article whenever a setting changes)."""
    folded, index = normalize_with_map(text)
    return folded, index, _sentences(text)


def _patterns(rule: KindRule, proclitics: tuple[str, ...]) -> list[re.Pattern[str]]:
    return _compile(tuple(rule.triggers_ar), tuple(rule.triggers_en), proclitics)


@lru_cache(maxsize=64)
def _compile(
    triggers_ar: tuple[str, ...], triggers_en: tuple[str, ...], proclitics: tuple[str, ...]
) -> list[re.Pattern[str]]:
    folded_procl = sorted({normalize_with_map(p)[0] for p in proclitics}, key=len, reverse=True)
    procl = f"(?:{'|'.join(map(re.escape, folded_procl))})?" if folded_procl else ""
    out = []
    for phrase, arabic in [(p, True) for p in triggers_ar] + [(p, False) for p in triggers_en]:
        words = []
        for raw in phrase.split():
            star = raw.endswith("*")
            word = re.escape(normalize_with_map(raw.rstrip("*"))[0])
            if arabic:
                word = f"(?:ال)?{word}"
            words.append(word + (r"\w*" if star else ""))
        core = r"\s+".join(words)
        lead = procl if arabic else ""
        out.append(re.compile(rf"(?<!\w){lead}(?P<core>{core})(?!\w)"))
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_at(sentences: list[tuple[int, int]], pos: int, text: str) -> Span:
    starts = [s for s, _ in sentences]
    i = max(0, bisect_left(starts, pos + 1) - 1)
    a, b = sentences[i]
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a, b, text[a:b])


# --- attachment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceHit:
    """One mention of a place; ``start``/``end`` include its modifier ("شمال بابل")."""

    start: int
    end: int
    place: Place
    mention: Mention


class _Reader:
    """The text's mentions and clause breaks, and the attachment of places to triggers."""

    def __init__(self, text: str, places: list[Place], rules: ZoneRules) -> None:
        self.text = text
        self.rules = rules
        hits = []
        for place in places:
            for m in place.mentions:
                start, end = m.start, m.end
                if m.modifier_span is not None:
                    start, end = min(start, m.modifier_span.start), max(end, m.modifier_span.end)
                hits.append(PlaceHit(start, end, place, m))
        hits.sort(key=lambda h: (h.start, -h.end))
        self.hits = hits
        self.starts = [h.start for h in hits]
        self.breaks = [
            i
            for i, ch in enumerate(text)
            if ch in rules.clause_breaks and (ch != "." or i + 1 == len(text) or text[i + 1].isspace())
        ]
        self.connectors = frozenset(fold_token(c) for c in rules.connectors)

    def clause_end(self, pos: int) -> int:
        i = bisect_left(self.breaks, pos)
        return self.breaks[i] if i < len(self.breaks) else len(self.text)

    def _tokens(self, a: int, b: int) -> list[str]:
        """Folded tokens of text[a:b] outside every mention."""
        pieces = []
        cursor = a
        for h in self.hits[bisect_left(self.starts, a) :]:
            if h.start >= b:
                break
            if h.start > cursor:
                pieces.append(self.text[cursor : h.start])
            cursor = max(cursor, h.end)
        if cursor < b:
            pieces.append(self.text[cursor:b])
        return [fold_token(t) for piece in pieces for t in _GAP_TOKEN.findall(piece)]

    def _is_connector(self, token: str) -> bool:
        if token in self.connectors:
            return True
        return len(token) > 1 and token[0] == "و" and token[1:] in self.connectors

    def _candidates(self, trigger: Trigger, rule: KindRule) -> list[PlaceHit]:
        end = self.clause_end(trigger.span.end)
        after = [h for h in self.hits[bisect_left(self.starts, trigger.span.end) :] if h.end <= end]
        first = None
        for i, h in enumerate(after):
            if h.place.kind not in rule.place_kinds:
                continue
            lead = [t for t in self._tokens(trigger.span.end, h.start) if t[0].isalnum()]
            if len(lead) <= rule.max_lead_words:
                first = i
            break
        if first is None:
            return []
        chosen = [after[first]]
        prev_end = after[first].end
        if rule.attach == "clause":
            for h in after[first + 1 :]:
                if h.start >= prev_end and h.place.kind in rule.place_kinds:
                    chosen.append(h)
                    prev_end = h.end
            return chosen
        for h in after[first + 1 :]:
            if h.start < prev_end:
                continue
            if not all(self._is_connector(t) for t in self._tokens(prev_end, h.start)):
                break
            if h.place.kind in rule.place_kinds:
                chosen.append(h)
            prev_end = h.end
        return chosen

    def attach(self, triggers: list[Trigger], rule: KindRule) -> list[tuple[Trigger, list[PlaceHit]]]:
        """Each trigger with the hits it owns (the nearest trigger before a place owns it).

        Triggers that reach places only through a nearer trigger of the same kind are dropped
        (they are part of that trigger's phrase: "escalated its attacks").
        """
        if rule.attach == "none":
            return [(t, []) for t in triggers]
        reach = {id(t): self._candidates(t, rule) for t in triggers}
        owner: dict[int, Trigger] = {}
        for t in triggers:
            for h in reach[id(t)]:
                held = owner.get(id(h))
                if held is None or t.span.start > held.span.start:
                    owner[id(h)] = t
        out = []
        for t in triggers:
            hits = [h for h in reach[id(t)] if owner[id(h)] is t]
            if reach[id(t)] and not hits:
                log.debug(
                    "trigger %r at %d shares its places with a nearer trigger", t.span.text, t.span.start
                )
                continue
            out.append((t, hits))
        return out


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
