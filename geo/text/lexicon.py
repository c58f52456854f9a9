"""The geoparser's word lists (``data/geoparser_lexicon.toml``), folded and indexed for matching.

:func:`load_lexicon` reads the cue words (محافظة، قضاء / province, district ...), spatial modifiers
(شمال، أطراف / north of, outskirts of ...), organisation heads and phrases, the nouns a country
adjective qualifies, and the containment connectors. Each list of phrases becomes a
:class:`PhraseTable`, which finds a phrase ending or starting at a token of a :class:`Tokens`
stream; its first token may carry Arabic proclitics (بمحافظة).

Examples
--------
>>> lex = load_lexicon()
>>> lex.cue_before.has_word(fold("محافظة")), lex.modifier_before.has_word(fold("شمال"))
(True, True)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.data.gazetteer import LEXICON_FILE
from geo.data.gazetteer_names import generic_heads
from geo.errors import RulesError
from geo.text.normalize import fold
from geo.text.tokens import Tokens, readings_before

#: Values :attr:`geo.model.Mention.modifier` can take.
# fmt: off
MODIFIER_VALUES = (
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "around", "outskirts", "belt", "near", "centre",
)
# fmt: on


class PhraseTable:
    """Folded phrases (token tuples) with a value each, indexed for matching around a name.

    ``before(tk, end, floor)`` finds a phrase ending at token ``end``; its first token may carry
    Arabic proclitics (بمحافظة). ``after(tk, begin, ceiling)`` finds one starting at ``begin``.
    """

    def __init__(self, phrases: dict[tuple[str, ...], str]) -> None:
        self.phrases = dict(phrases)
        self.single = {p[0]: v for p, v in phrases.items() if len(p) == 1}
        by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for p, v in sorted(phrases.items(), key=lambda pv: -len(pv[0])):
            if len(p) > 1:
                by_last.setdefault(p[-1], []).append((p, v))
                by_first.setdefault(p[0], []).append((p, v))
        self.by_last = by_last
        self.by_first = by_first
        # by last token: (length, {the tokens after the first: {first token: (rank, value)}}),
        # longest first, so :meth:`before` tries a few dictionary lookups, not every phrase
        ending: dict[str, dict[int, dict[tuple[str, ...], dict[str, tuple[int, str]]]]] = {}
        for last, group in by_last.items():
            for rank, (p, v) in enumerate(group):
                firsts = ending.setdefault(last, {}).setdefault(len(p), {}).setdefault(p[1:], {})
                firsts.setdefault(p[0], (rank, v))
        self._ending = {
            last: tuple(sorted(by_len.items(), key=lambda kv: -kv[0])) for last, by_len in ending.items()
        }
        self._single_of = _SingleReadings(self.single)

    def __contains__(self, phrase: object) -> bool:
        return phrase in self.phrases

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return iter(self.phrases)

    def has_word(self, word: str) -> bool:
        """Whether the one-token phrase ``word`` is in the table (any of its readings)."""
        return self._single_of[word] is not None

    def may_end(self, key: str) -> bool:
        """Whether a phrase may end at a token folded as ``key`` (see :meth:`before`)."""
        return key in self.by_last or self._single_of[key] is not None

    def before(self, tk: Tokens, end: int, floor: int) -> tuple[int, str] | None:
        if end < floor or end < 0:
            return None
        keys = tk.keys
        longer = self._ending.get(keys[end])
        if longer is not None:
            for length, tails in longer:
                s = end - length + 1
                if s < floor:
                    continue
                firsts = tails.get(tuple(keys[s + 1 : end + 1]))
                if firsts is None:
                    continue
                # the first phrase (in table order) whose first token is a reading of keys[s]
                hit = None
                for r in readings_before(keys[s]):
                    rank_value = firsts.get(r)
                    if rank_value is not None and (hit is None or rank_value < hit):
                        hit = rank_value
                if hit is not None and tk.joined(s, end):
                    return s, hit[1]
        v = self._single_of[keys[end]]
        return None if v is None else (end, v)

    def after(self, tk: Tokens, begin: int, ceiling: int) -> tuple[int, str] | None:
        if begin >= ceiling:
            return None
        keys = tk.keys
        for phrase, value in self.by_first.get(keys[begin], ()):
            e = begin + len(phrase) - 1
            if e < ceiling and tuple(keys[begin : e + 1]) == phrase and tk.joined(begin, e):
                return e, value
        v = self.single.get(keys[begin])
        return (begin, v) if v is not None else None


class _SingleReadings(dict[str, "str | None"]):
    """folded token -> the value of its first reading that is a one-token phrase of a table."""

    limit = 300_000

    def __init__(self, single: dict[str, str]) -> None:
        super().__init__()
        self.single = single

    def __missing__(self, key: str) -> str | None:
        if len(self) > self.limit:
            self.clear()
        single = self.single
        value = next((single[r] for r in readings_before(key) if r in single), None)
        self[key] = value
        return value


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``data/geoparser_lexicon.toml``, folded and indexed."""

    cue_before: PhraseTable
    cue_after: PhraseTable
    modifier_before: PhraseTable
    modifier_after: PhraseTable
    org_before: PhraseTable
    org_modifiers: frozenset[str]
    org_after: frozenset[str]
    org_phrases: frozenset[str]
    org_first: frozenset[str]
    adj_heads_before: PhraseTable
    adj_heads_after: PhraseTable
    connectors: PhraseTable
    before_words: frozenset[str] = frozenset()
    after_words: frozenset[str] = frozenset()
    org_prefixes: frozenset[str] = frozenset()
    #: one-word cues of neighbourhoods, villages and areas, which a name may begin with ("hay")
    generic_heads: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        before = {w for t in (self.cue_before, self.org_before, self.modifier_before) for p in t for w in p}
        after = {w for t in (self.cue_after, self.modifier_after) for p in t for w in p}
        object.__setattr__(self, "before_words", frozenset(before | self.org_modifiers))
        object.__setattr__(self, "after_words", frozenset(after | self.org_after))
        prefixes = {
            " ".join(words[:n])
            for words in (p.split(" ") for p in self.org_phrases)
            for n in range(1, len(words) + 1)
        }
        object.__setattr__(self, "org_prefixes", frozenset(prefixes))


def _key_tuple(phrase: str) -> tuple[str, ...]:
    key = fold(phrase)
    return tuple(key.split(" ")) if key else ()


def _words(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise RulesError(f"{LEXICON_FILE}: {where} must be a list of strings, got {raw!r}")
    return raw


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """Read and fold the geoparser word lists; raises :class:`RulesError` when malformed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the geoparser lexicon ({exc}).") from exc
    try:
        cues, mods, orgs = raw["cues"], raw["modifiers"], raw["organisations"]
        adjectival, containment = raw["adjectival"], raw["containment"]
    except KeyError as exc:
        raise RulesError(
            f"{path}: missing section {exc}; expected cues, modifiers, organisations, "
            "adjectival, containment, ambiguous."
        ) from exc
    cue_before: dict[tuple[str, ...], str] = {}
    cue_after: dict[tuple[str, ...], str] = {}
    for kind, spec in cues.items():
        for w in _words(spec.get("before", []), f"cues.{kind}.before"):
            cue_before[_key_tuple(w)] = kind
        for w in _words(spec.get("after", []), f"cues.{kind}.after"):
            cue_after[_key_tuple(w)] = kind
    mod_before: dict[tuple[str, ...], str] = {}
    mod_after: dict[tuple[str, ...], str] = {}
    for value, spec in mods.items():
        if value not in MODIFIER_VALUES:
            raise RulesError(f"{path}: modifier {value!r} is not one of {MODIFIER_VALUES}")
        for w in _words(spec.get("before", []), f"modifiers.{value}.before"):
            mod_before[_key_tuple(w)] = value
        for w in _words(spec.get("after", []), f"modifiers.{value}.after"):
            mod_after[_key_tuple(w)] = value
    phrases = frozenset(fold(p) for p in _words(orgs.get("phrases", []), "organisations.phrases"))

    def table(words: Any, where: str) -> PhraseTable:
        return PhraseTable({_key_tuple(w): "yes" for w in _words(words, where)})

    return Lexicon(
        cue_before=PhraseTable(cue_before),
        cue_after=PhraseTable(cue_after),
        modifier_before=PhraseTable(mod_before),
        modifier_after=PhraseTable(mod_after),
        org_before=table(orgs.get("heads_before", []), "organisations.heads_before"),
        org_modifiers=frozenset(
            fold(w) for w in _words(orgs.get("modifiers", []), "organisations.modifiers")
        ),
        org_after=frozenset(
            fold(w) for w in _words(orgs.get("heads_after", []), "organisations.heads_after")
        ),
        org_phrases=phrases,
        org_first=frozenset(p.split(" ")[0] for p in phrases),
        adj_heads_before=table(adjectival.get("heads_before", []), "adjectival.heads_before"),
        adj_heads_after=table(adjectival.get("heads_after", []), "adjectival.heads_after"),
        connectors=table(containment.get("connectors", []), "containment.connectors"),
        generic_heads=generic_heads(raw),
    )


__all__ = ["MODIFIER_VALUES", "Lexicon", "PhraseTable", "load_lexicon"]
