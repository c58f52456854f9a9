"""Phrase lists matched on the shared token stream: the matcher behind event types and actors.

A phrase is folded once (:func:`geo.text.normalize.fold`) into its word keys; a trailing ``*``
matches any ending of the last word. A text token matches a key through any of its readings
(:func:`geo.text.tokens.readings`: itself, without Arabic proclitics, without Sorani suffixes), so
``لداعش`` matches ``داعش``; the Arabic article may be added or dropped (``العبوة`` matches ``عبوة``,
as a phrase's own article matches its absence). Latin articles (``al``, ``el``) written as their
own token are skipped on both sides, so ``Hashd al-Shaabi`` and ``Hashd Shaabi`` match alike. A
phrase written in capitals only (``IS``, ``PKK``) matches only tokens written in capitals.
Overlapping matches keep the longest.

Examples
--------
>>> from geo.text.tokens import tokenize
>>> ps = PhraseSet([("roadside bomb*", "ied"), ("IS", "isis")])
>>> toks = tokenize("Two roadside bombs hit IS positions; this is all.")
>>> [(toks.text[m.start:m.end], m.value) for m in ps.find(toks, 0, len(toks))]
[('roadside bombs', 'ied'), ('IS', 'isis')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from geo.text.normalize import LATIN_ARTICLES, fold
from geo.text.tokens import SOFT_GAP, Tokens, readings

__all__ = ["Match", "PhraseSet", "forms"]

#: Prefix phrases ("attack*") are indexed by this many first characters (or all, when shorter).
PREFIX_INDEX = 3
#: Token keys whose candidates are remembered, at most (the memory is cleared past it).
SEEN_LIMIT = 100_000


@lru_cache(maxsize=50_000)
def forms(key: str) -> tuple[str, ...]:
    """The readings of a folded token, each also without the Arabic article ``ال``.

    >>> forms("والعبوه")
    ('والعبوه', 'العبوه', 'عبوه')
    """
    rs = readings(key)
    bare = tuple(r[2:] for r in rs if r.startswith("ال") and len(r) > 4)
    return rs + tuple(b for b in bare if b not in rs)


@dataclass(frozen=True)
class Match:
    """One phrase found: tokens ``first`` .. ``last`` (inclusive), characters ``start:end``."""

    first: int
    last: int
    start: int
    end: int
    value: str
    phrase: str


@dataclass(frozen=True)
class _Entry:
    keys: tuple[str, ...]
    prefix: bool
    caps: bool
    value: str
    phrase: str


class PhraseSet:
    """Phrases (each with a value, e.g. an actor id or event type) to find in tokens.

    Parameters
    ----------
    phrases
        ``(phrase, value)`` pairs; a phrase ending in ``*`` matches any ending of its last word.
    """

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: dict[str, list[_Entry]] = {}  # by the first PREFIX_INDEX characters
        self._seen: dict[str, list[_Entry]] = {}  # token key -> its candidates, filled on sight
        for phrase, value in phrases:
            prefix = phrase.endswith("*")
            body = phrase.rstrip("*").strip()
            keys = tuple(
                k[2:] if k.startswith("ال") and len(k) > 4 else k
                for k in fold(body).split()
                if k not in LATIN_ARTICLES
            )
            if not keys:
                continue
            caps = body.isascii() and body.replace(" ", "").isalpha() and body.isupper()
            entry = _Entry(keys, prefix, caps, value, phrase)
            if prefix and len(keys) == 1:
                self._prefix.setdefault(keys[0][:PREFIX_INDEX], []).append(entry)
            else:
                self._exact.setdefault(keys[0], []).append(entry)

    def find(self, tokens: Tokens, first: int, last: int) -> list[Match]:
        """Matches among tokens ``first`` .. ``last - 1``, in text order, longest where they overlap."""
        ks = [k for k in range(first, last) if tokens.keys[k] not in LATIN_ARTICLES]
        found: list[Match] = []
        for i, k in enumerate(ks):
            for entry in self._candidates(tokens.keys[k]):
                n = len(entry.keys)
                if i + n > len(ks) or not self._fits(entry, tokens, ks[i : i + n]):
                    continue
                a, b = ks[i], ks[i + n - 1]
                found.append(Match(a, b, tokens.starts[a], tokens.ends[b], entry.value, entry.phrase))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        for m in found:
            if not kept or m.start >= kept[-1].end:
                kept.append(m)
            elif m.end - m.start > kept[-1].end - kept[-1].start and m.start == kept[-1].start:
                kept[-1] = m
        return kept

    def _candidates(self, key: str) -> list[_Entry]:
        got = self._seen.get(key)
        if got is not None:
            return got
        out: list[_Entry] = []
        for reading in forms(key):
            out += self._exact.get(reading, [])
            for n in range(1, PREFIX_INDEX + 1):
                out += [e for e in self._prefix.get(reading[:n], []) if reading.startswith(e.keys[0])]
        if len(self._seen) > SEEN_LIMIT:
            self._seen.clear()
        self._seen[key] = out
        return out

    @staticmethod
    def _fits(entry: _Entry, tokens: Tokens, ks: list[int]) -> bool:
        n = len(entry.keys)
        for j, (want, k) in enumerate(zip(entry.keys, ks, strict=True)):
            got = forms(tokens.keys[k])
            last_prefix = entry.prefix and j == n - 1
            if not any(r.startswith(want) if last_prefix else r == want for r in got):
                return False
            if entry.caps and not tokens.token(k).isupper():
                return False
        gaps = tokens.gaps
        return all(gaps[x] & SOFT_GAP for x in range(ks[0] + 1, ks[-1] + 1))
