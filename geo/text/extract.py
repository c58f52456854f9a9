"""Text -> raw place mentions, with the words around them that the resolver weighs.

One pass of tokenisation (a regex split; offsets come from the cumulative part lengths), one
cached fold per distinct token, and one cached answer per distinct folded token to "what may
begin here" (its readings that start a name or an organisation phrase, the one-word name it is,
the words that may follow it in a longer name). Folded n-grams are looked up only where the
next word may continue a name, and grown only along known name prefixes; the words around a name
are read through per-token role flags, so most names need no phrase-table lookup at all. For
each name found the module records:

* the cue word before or after it (محافظة، قضاء، ناحية، مدينة، قرية / province, district ...),
* a spatial modifier (شمال/جنوب/شرق/غرب، أطراف، محيط، حزام / north of, outskirts of ...), see
  :data:`MODIFIER_VALUES`,
* whether it stands inside an organisation name (حكومة إقليم كوردستان, Mosul University),
* for a country adjective (السورية, Syrian), whether it qualifies a geographic noun (الحدود
  السورية, the Syrian border),
* the proclitic taken off (و ب ل ...), capitalisation and a preceding locative preposition
  (English), and the sentence span.

The resolver (:mod:`geo.text.resolve`) turns these into places.

Examples
--------
>>> from geo.data.gazetteer import load_gazetteer
>>> ms = find_mentions("هجوم في محيط بغداد وشمال بابل", load_gazetteer())  # doctest: +SKIP
>>> [(m.text, m.modifier) for m in ms]  # doctest: +SKIP
[('بغداد', 'around'), ('بابل', 'north')]
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from pathlib import Path
from typing import Any

from geo.data.gazetteer import LEXICON_FILE, Gazetteer
from geo.errors import RulesError
from geo.model import Span
from geo.text.normalize import (
    LATIN_HYPHEN_ARTICLES,
    TOKEN_RE,
    fold,
    fold_token,
    is_latin_article,
    proclitic_readings,
)

#: Values :attr:`geo.model.Mention.modifier` can take.
MODIFIER_VALUES = (
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "around", "outskirts", "belt", "near", "centre",
)
_COMPASS = ("north", "south", "east", "west")
#: English words before a capitalised name that make it a place reading (in Hit, near Hit).
LOCATIVE_AR = frozenset(
    fold(w) for w in "في من إلى الى قرب نحو باتجاه داخل عند حتى بين لە بۆ تا نزيك".split()
)
LOCATIVE_EN = frozenset(
    "in near at from to into outside around toward towards across through via between of".split()
)
#: Longest text processed in one tokenisation pass; longer texts are cut at line breaks.
CHUNK_CHARS = 200_000
_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
_SENTENCE_MARKS = ".!?؟…\n"
_SENTENCE_FOLLOW = frozenset(" \t\n\r\"'”»)\u00a0")
_HARD_SEP = re.compile(r"[.,،؛;:!?؟\n|/]")
_LATIN_SEP_OK = re.compile(r"^[\s\-‐‑]*$")


@dataclass(slots=True, eq=False)
class RawMention:
    """A name found in the text, before resolution.

    ``key`` is the gazetteer key it matched (``adj:``-prefixed for a country adjective),
    ``entries`` the gazetteer positions under that key. ``cue_kind`` is the place kind the cue
    word announces. ``blocked`` says why the name is not a place mention here
    (``"organisation"``, ``"adjective"`` without a geographic head, ``"lowercase"``), or is
    ``None``. ``first_token``/``last_token`` index the tokens of the piece of text the name was
    found in (the whole text unless it is longer than :data:`CHUNK_CHARS`); offsets always index
    the whole text.
    """

    start: int
    end: int
    text: str
    key: str
    entries: tuple[int, ...]
    sentence: Span
    first_token: int
    last_token: int
    proclitic: str = ""
    cue: str | None = None
    cue_kind: str | None = None
    modifier: str | None = None
    modifier_span: Span | None = None
    adjectival: bool = False
    arabic: bool = False
    capitalised: bool = False
    sentence_initial: bool = False
    locative: bool = False
    blocked: str | None = None


# --- lexicon -------------------------------------------------------------------------------------


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

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.phrases)

    def has_word(self, word: str) -> bool:
        """Whether the one-token phrase ``word`` is in the table (any of its readings)."""
        return self._single_of[word] is not None

    def may_end(self, key: str) -> bool:
        """Whether a phrase may end at a token folded as ``key`` (see :meth:`before`)."""
        return key in self.by_last or self._single_of[key] is not None

    def before(self, tk: _Tokens, end: int, floor: int) -> tuple[int, str] | None:
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
                for r in readings(keys[s]):
                    rank_value = firsts.get(r)
                    if rank_value is not None and (hit is None or rank_value < hit):
                        hit = rank_value
                if hit is not None and tk.joined(s, end):
                    return s, hit[1]
        v = self._single_of[keys[end]]
        return None if v is None else (end, v)

    def after(self, tk: _Tokens, begin: int, ceiling: int) -> tuple[int, str] | None:
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
        value = next((single[r] for r in readings(key) if r in single), None)
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

    def __post_init__(self) -> None:
        before = {w for t in (self.cue_before, self.org_before, self.modifier_before) for p in t for w in p}
        after = {w for t in (self.cue_after, self.modifier_after) for p in t for w in p}
        object.__setattr__(self, "before_words", frozenset(before | self.org_modifiers))
        object.__setattr__(self, "after_words", frozenset(after | self.org_after))
        prefixes = {" ".join(words[:n]) for words in (p.split(" ") for p in self.org_phrases)
                    for n in range(1, len(words) + 1)}
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
        raise RulesError(f"{path}: missing section {exc}; expected cues, modifiers, organisations, "
                         "adjectival, containment, ambiguous.") from exc
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
        org_modifiers=frozenset(fold(w) for w in _words(orgs.get("modifiers", []), "organisations.modifiers")),
        org_after=frozenset(fold(w) for w in _words(orgs.get("heads_after", []), "organisations.heads_after")),
        org_phrases=phrases,
        org_first=frozenset(p.split(" ")[0] for p in phrases),
        adj_heads_before=table(adjectival.get("heads_before", []), "adjectival.heads_before"),
        adj_heads_after=table(adjectival.get("heads_after", []), "adjectival.heads_after"),
        connectors=table(containment.get("connectors", []), "containment.connectors"),
    )


# --- tokens --------------------------------------------------------------------------------------


#: Sorani suffixes (folded) taken off a Kurdish-script token: locative دا, ablative ەوە,
#: ezafe/definite ی, additive یش/ش, plural definite ەکان.
_SORANI_SUFFIXES = ("كان", "يش", "دا", "وه", "ي", "ش")
_SORANI_LETTERS = frozenset("ەێۆڕڵڤکیگپچژ")
_EXTRA_READINGS: dict[str, tuple[str, ...]] = {}


def readings(key: str) -> tuple[str, ...]:
    """The forms a folded token may stand for: itself, without Arabic proclitics, and (for
    Kurdish-script tokens) without Sorani suffixes."""
    if not key or not "\u0600" <= key[0] <= "\u06ff":
        return (key,)
    extra = _EXTRA_READINGS.get(key)
    base = proclitic_readings(key)
    return base + extra if extra else base


class _FoldCache(dict[str, str]):
    """token -> folded key, filled on first sight; cleared when it grows past its bound."""

    limit = 300_000

    def __missing__(self, tok: str) -> str:
        if len(self) > self.limit:
            self.clear()
            _EXTRA_READINGS.clear()
        key = fold_token(tok)
        self[tok] = key
        if _SORANI_LETTERS.intersection(tok):
            stems = tuple(key[: -len(sfx)] for sfx in _SORANI_SUFFIXES if key.endswith(sfx) and len(key) - len(sfx) >= 4)
            if stems:
                _EXTRA_READINGS[key] = stems
        return key


_FOLD = _FoldCache()


def token_key(tok: str) -> str:
    """:func:`geo.text.normalize.fold_token` through this module's bounded cache."""
    return _FOLD[tok]


#: Bits of a separator's class (see :class:`_SeparatorCache`).
_SOFT_GAP = 1  # no punctuation that ends a phrase
_JOINED = 2  # spaces and hyphens only: the tokens on each side may form one name


class _SeparatorCache(dict[str, int]):
    """separator -> its class: :data:`_SOFT_GAP` | :data:`_JOINED` bits; bounded."""

    limit = 10_000

    def __missing__(self, sep: str) -> int:
        code = (0 if _HARD_SEP.search(sep) else _SOFT_GAP) | (_JOINED if _LATIN_SEP_OK.match(sep) else 0)
        if len(self) < self.limit:
            self[sep] = code
        return code


_SEPARATORS = _SeparatorCache()
#: How far (in tokens) the context of a name is read on each side.
CONTEXT_TOKENS = 5


@dataclass
class _Tokens:
    """The tokens of one text: strings, folded keys, offsets and the separators between them.

    ``seps[k]`` stands before token ``k`` (``seps[len(toks)]`` after the last one) and
    ``gaps[k]`` is its class (:data:`_SOFT_GAP`, :data:`_JOINED` bits).
    """

    text: str
    toks: list[str]
    keys: list[str]
    starts: list[int]
    ends: list[int]
    seps: list[str]
    gaps: list[int]
    sentence_ends: list[int]

    def sentence_at(self, i: int) -> Span:
        """Sentence ``i`` (the one ending at ``sentence_ends[i]``), without the spaces around it."""
        ends = self.sentence_ends
        start = ends[i - 1] if i else 0
        raw = self.text[start : ends[i] if i < len(ends) else len(self.text)]
        body = raw.lstrip()
        start += len(raw) - len(body)
        body = body.rstrip()
        return Span(start, start + len(body), body)

    def joined(self, a: int, b: int) -> bool:
        """Whether tokens a and a+1 .. b are separated by spaces or hyphens only."""
        gaps = self.gaps
        return all(gaps[k] & _JOINED for k in range(a + 1, b + 1))


def _sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end: a line break, or . ! ? ؟ … followed by a space,
    a closing quote or the end of the text (so 3.5 and U.S.A do not end sentences)."""
    marks: list[int] = []
    for ch in _SENTENCE_MARKS:  # str.find per mark beats one regex scan over the text
        i = text.find(ch)
        while i >= 0:
            marks.append(i)
            i = text.find(ch, i + 1)
    marks.sort()
    ends: list[int] = []
    n = len(text)
    follow = _SENTENCE_FOLLOW
    for p in marks:
        e = p + 1
        if e == n or text[p] == "\n" or text[e] in follow:
            if ends and ends[-1] == p:
                ends[-1] = e  # "?!", "...", ".\n" and blank lines end one sentence
            else:
                ends.append(e)
    return ends


def tokenize_text(text: str) -> _Tokens:
    """Split ``text`` into tokens in one regex pass, with folded keys, offsets and gap classes."""
    parts = _TOKEN_SPLIT.split(text)
    offs = list(accumulate(map(len, parts)))
    toks = parts[1::2]
    starts = offs[0:-1:2]
    ends = offs[1::2]
    seps = parts[0::2]
    keys = list(map(_FOLD.__getitem__, toks))
    gaps = list(map(_SEPARATORS.__getitem__, seps))
    return _Tokens(text, toks, keys, starts, ends, seps, gaps, _sentence_ends(text))


# --- what a token may begin ----------------------------------------------------------------------
#
# Everything the scan asks of a folded token depends on the token alone, so it is worked out
# once per distinct token (per gazetteer and lexicon) and kept in the caches below.


@dataclass(frozen=True, slots=True)
class _Start:
    """How a name may start at a token read as ``reading``."""

    reading: str
    #: the longest name (in tokens) that begins with the reading
    longest: int
    #: (key, entries) of the one-token name under the reading, or None
    single: tuple[str, tuple[int, ...]] | None
    #: the second tokens of the longer names
    seconds: frozenset[str]
    #: whether the token is in Arabic script
    arabic: bool
    #: the proclitic letters the reading took off the token (وكركوك -> و, للموصل -> ل)
    proclitic: str
    #: whether the proclitic lets a cue word stand before the name (not بـ لـ كـ)
    cue_ok: bool
    #: whether the proclitic is a locative preposition (بـ, لـ after و/ف)
    locative: bool


@dataclass(frozen=True, slots=True)
class _Begins:
    """What a token may begin."""

    #: its readings that begin a name: those taken on sight first, then those that begin only
    #: names of cue-only places
    starts: tuple[_Start, ...]
    #: whether it begins only names of cue-only places
    cue_only: bool
    #: its readings that begin an organisation phrase
    org: tuple[str, ...]
    #: (key, entries, start) of the one-word name it is under its first reading that is one
    one_word: tuple[str, tuple[int, ...], _Start] | None
    #: the words that may follow it in a longer name: when the next word is none of them, the
    #: match is ``one_word`` (the common case, decided without growing n-grams)
    seconds: frozenset[str]


class _BeginsCache(dict[str, "_Begins | None"]):
    """folded token -> :class:`_Begins`, or ``None`` for the many words that begin nothing."""

    limit = 300_000

    def __init__(self, gaz: Gazetteer, lex: Lexicon) -> None:
        super().__init__()
        self.gaz = gaz
        self.lex = lex
        seconds: dict[str, set[str]] = {}
        prefixes: set[str] = set()
        for name in gaz.index:
            parts = name.removeprefix("adj:").split(" ")
            if len(parts) > 1:
                seconds.setdefault(parts[0], set()).add(parts[1])
                prefixes.update(" ".join(parts[:n]) for n in range(2, len(parts) + 1))
        self.seconds = {first: frozenset(words) for first, words in seconds.items()}
        #: the first two, three ... words of every name of more than one word
        self.prefixes = frozenset(prefixes)

    def __missing__(self, key: str) -> _Begins | None:
        if len(self) > self.limit:
            self.clear()
        gaz = self.gaz
        forms = readings(key)
        strong = [r for r in forms if r in gaz.strong_first]
        weak = [r for r in forms if r in gaz.cue_first]
        org = tuple(r for r in forms if r in self.lex.org_first)
        hit: _Begins | None = None
        if strong or weak or org:
            starts = tuple(self._start(key, r) for r in strong + weak)
            one_word = next(((s.single[0], s.single[1], s) for s in starts if s.single is not None), None)
            seconds = frozenset().union(*(s.seconds for s in starts if s.longest > 1))
            hit = _Begins(starts, not strong, org, one_word, seconds)
        self[key] = hit
        return hit

    def _start(self, literal: str, reading: str) -> _Start:
        index = self.gaz.index
        single: tuple[str, tuple[int, ...]] | None = None
        for key in (reading, "adj:" + reading):
            entries = index.get(key)
            if entries:
                single = (key, entries)
                break
        arabic = "\u0600" <= literal[:1] <= "\u06ff"
        proclitic = _proclitic(literal, reading) if arabic else ""
        return _Start(
            reading, self.gaz.first_tokens.get(reading, 0), single, self.seconds.get(reading, frozenset()),
            arabic, proclitic, proclitic[:1] not in ("ب", "ل", "ك"), proclitic.lstrip("وف")[:1] in ("ب", "ل"),
        )


@dataclass(frozen=True, slots=True)
class _Roles:
    """What a word means next to a name, over all its readings (slotted: the scan reads these
    fields for every name, and slot reads are the fastest attribute reads)."""

    #: a word of a cue, organisation or modifier phrase read before a name
    context: bool
    #: an Arabic locative preposition (في، من، قرب ...)
    locative_ar: bool
    #: a word between an organisation head and a name (مجلس محافظة كركوك)
    org_modifier: bool
    #: a noun a country adjective after it qualifies (الحدود السورية)
    adj_head: bool
    #: itself a country adjective
    adjective: bool
    #: may end a cue phrase read before a name; the three ``ends_`` fields are exact pre-checks
    #: of :meth:`PhraseTable.before`, which finds nothing where they are false
    ends_cue: bool
    #: may end an organisation head
    ends_org: bool
    #: may end a spatial modifier
    ends_modifier: bool


_NO_ROLES = _Roles(False, False, False, False, False, False, False, False)


class _RolesCache(dict[str, _Roles]):
    """folded token -> :class:`_Roles`."""

    limit = 300_000

    def __init__(self, gaz: Gazetteer, lex: Lexicon) -> None:
        super().__init__()
        self.gaz = gaz
        self.lex = lex

    def __missing__(self, key: str) -> _Roles:
        if len(self) > self.limit:
            self.clear()
        lex, index = self.lex, self.gaz.index
        forms = readings(key)
        roles = _Roles(
            context=not lex.before_words.isdisjoint(forms),
            locative_ar=not LOCATIVE_AR.isdisjoint(forms),
            org_modifier=not lex.org_modifiers.isdisjoint(forms),
            adj_head=not lex.adj_heads_before.single.keys().isdisjoint(forms),
            adjective=any("adj:" + r in index for r in forms),
            ends_cue=lex.cue_before.may_end(key),
            ends_org=lex.org_before.may_end(key),
            ends_modifier=lex.modifier_before.may_end(key),
        )
        self[key] = roles
        return roles


@dataclass(eq=False)
class _Scanner:
    """The per-token caches of one gazetteer and lexicon."""

    gaz: Gazetteer
    lex: Lexicon
    begins: _BeginsCache
    roles: _RolesCache


_SCANNERS: list[_Scanner] = []


def _scanner(gaz: Gazetteer, lex: Lexicon) -> _Scanner:
    """The caches of ``gaz`` and ``lex`` (one pair at a time)."""
    if _SCANNERS and _SCANNERS[0].gaz is gaz and _SCANNERS[0].lex is lex:
        return _SCANNERS[0]
    sc = _Scanner(gaz, lex, _BeginsCache(gaz, lex), _RolesCache(gaz, lex))
    _SCANNERS[:] = [sc]
    return sc


# --- mentions ------------------------------------------------------------------------------------


def find_mentions(
    text: str, gaz: Gazetteer, lexicon: Lexicon | None = None, *, offset: int = 0
) -> list[RawMention]:
    """Every gazetteer name in ``text`` (longest match first, no overlaps), with its context.

    Texts longer than :data:`CHUNK_CHARS` are processed in line-aligned chunks so memory stays
    bounded; offsets always refer to ``text``, plus ``offset`` when ``text`` is a piece of a
    longer text that starts there.
    """
    lexicon = lexicon or load_lexicon()
    if len(text) <= CHUNK_CHARS:
        return _find_in_chunk(text, offset, gaz, lexicon)
    out: list[RawMention] = []
    for pos, chunk in iter_chunks(text, CHUNK_CHARS):
        out.extend(_find_in_chunk(chunk, offset + pos, gaz, lexicon))
    return out


def iter_chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` of ``text`` in pieces of at most ``size`` characters, cut at line
    breaks where one falls in the second half of a piece (sentences are not split there)."""
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            cut = text.rfind("\n", pos + size // 2, end)
            end = cut + 1 if cut > 0 else end
        yield pos, text[pos:end]
        pos = end


def _find_in_chunk(text: str, offset: int, gaz: Gazetteer, lex: Lexicon) -> list[RawMention]:
    tk = tokenize_text(text)
    sc = _scanner(gaz, lex)
    keys, roles = tk.keys, sc.roles
    # one lookup per token (C-level map and compress) picks the few tokens that begin a name or
    # an organisation phrase
    begins = list(map(sc.begins.__getitem__, keys))
    hits: list[int] = []
    cue_hits: list[int] = []
    org_hits: list[int] = []
    for k in compress(range(len(keys)), begins):
        info: _Begins = begins[k]  # type: ignore[assignment]
        if info.starts:
            if not info.cue_only:
                hits.append(k)
            elif k and roles[keys[k - 1]].ends_cue and _cue_precedes(tk, k, lex):
                cue_hits.append(k)
        if info.org:
            org_hits.append(k)
    has_case = bool(hits or cue_hits) and _text_has_case(text)
    if has_case:
        # a lower-case Latin word starts no name but a few ("disputed territories")
        toks, lower_ok = tk.toks, gaz.lower_first
        hits = [k for k in hits if not toks[k][0].islower() or keys[k] in lower_ok or not toks[k].isascii()]
        cue_hits = [k for k in cue_hits if not toks[k][0].islower() or not toks[k].isascii()]
    if cue_hits:
        hits = sorted(set(hits).union(cue_hits))
    if not hits:
        return []
    org_reach = _org_reach(_org_spans(tk, lex, org_hits, begins)) if org_hits else {}
    index, cue_only_keys, prefixes = gaz.index, gaz.cue_only, sc.begins.prefixes
    token_starts, sentence_ends, gaps, n_tokens = tk.starts, tk.sentence_ends, tk.gaps, len(keys)
    out: list[RawMention] = []
    covered = -1
    sentence = placed = Span(0, 0, "")  # the sentence in this chunk, and where it is in the text
    next_sentence = 0  # names come in text order: the sentence is found by moving forward
    for k in hits:
        if k <= covered:
            continue
        info = begins[k]  # type: ignore[assignment]
        # n-grams are grown only when the next word (or a Latin article) may continue a name
        nxt = k + 1
        if info.seconds and nxt < n_tokens and gaps[nxt] & _JOINED and (
            keys[nxt] in info.seconds or keys[nxt] in LATIN_HYPHEN_ARTICLES
        ):
            found = _longest_match(tk, k, info.starts, index, prefixes)
            if found is None:
                continue
            key, last, entries, start = found
        elif info.one_word is not None:
            key, entries, start = info.one_word
            last = k
        else:
            continue
        covered = last
        if key in cue_only_keys and not (roles[keys[k - 1]].ends_cue and _cue_precedes(tk, k, lex)):
            continue
        first = k
        prev = k - 1
        if k and keys[prev] in LATIN_HYPHEN_ARTICLES and _is_article(tk, prev):
            first = prev if _article_part_of_name(tk, prev) else k
        if token_starts[first] >= next_sentence:  # the first name in this sentence
            i = bisect_right(sentence_ends, token_starts[first])
            sentence = tk.sentence_at(i)
            next_sentence = sentence_ends[i] if i < len(sentence_ends) else len(text)
            if offset:
                placed = Span(sentence.start + offset, sentence.end + offset, sentence.text)
        m = _describe(tk, first, k, last, key, entries, start, sentence, lex, gaz, org_reach, roles, has_case)
        if offset:
            _move(m, offset, placed)
        out.append(m)
    return out


def _cue_precedes(tk: _Tokens, k: int, lex: Lexicon) -> bool:
    """Whether a cue word stands right before token k (the test for DTM-only names)."""
    if k == 0 or not tk.gaps[k] & _SOFT_GAP:
        return False
    return lex.cue_before.before(tk, k - 1, max(0, k - 3)) is not None


def _article_part_of_name(tk: _Tokens, a: int) -> bool:
    """Whether the article at token ``a`` belongs to the name after it (al-Anbar, Al Qaim)."""
    sep = tk.seps[a + 1]
    return bool(tk.gaps[a + 1] & _JOINED) and (sep[:1] in "-‐‑" or tk.toks[a][:1].isupper())


def _is_article(tk: _Tokens, k: int) -> bool:
    """Whether token ``k`` is a transliterated article (al-, el-, ad-, Ash ...) in Latin text."""
    keys = tk.keys
    return (
        keys[k] in LATIN_HYPHEN_ARTICLES
        and k + 1 < len(keys)
        and is_latin_article(keys[k], tk.seps[k + 1][:1], keys[k + 1])
    )


def _longest_match(
    tk: _Tokens, k: int, starts: tuple[_Start, ...], index: dict[str, tuple[int, ...]],
    prefixes: frozenset[str],
) -> tuple[str, int, tuple[int, ...], _Start] | None:
    """The longest gazetteer key starting at token ``k`` (under any of its readings):
    (key, last token, entries, the start read). ``prefixes`` holds the first two, three ...
    words of every longer name, so a name grows only while it can still become one."""
    keys, gaps = tk.keys, tk.gaps
    best: tuple[str, int, tuple[int, ...], _Start] | None = None
    n_tokens = len(keys)
    for start in starts:
        reading, longest, single = start.reading, start.longest, start.single
        if longest > 1:
            # following tokens, skipping Latin articles, while only spaces/hyphens separate them
            grown: list[tuple[str, int]] = []
            key = reading
            j = k + 1
            while len(grown) < longest - 1 and j < n_tokens and gaps[j] & _JOINED:
                if not _is_article(tk, j):
                    key = f"{key} {keys[j]}"
                    if key not in prefixes:
                        break
                    grown.append((key, j))
                j += 1
            for key, last in reversed(grown):
                if best is not None and best[1] >= last:
                    break
                entries = index.get(key)
                if entries:
                    best = (key, last, entries, start)
                    break
                entries = index.get("adj:" + key)
                if entries:
                    best = ("adj:" + key, last, entries, start)
                    break
            else:
                if best is None and single is not None:
                    best = (single[0], k, single[1], start)
            continue
        if best is None and single is not None:  # the common case: a one-word name
            best = (single[0], k, single[1], start)
    return best


def _org_spans(
    tk: _Tokens, lex: Lexicon, hits: list[int], begins: list[_Begins | None]
) -> list[tuple[int, int]]:
    """Token ranges covered by a known organisation phrase (tried at the tokens in ``hits``)."""
    spans: list[tuple[int, int]] = []
    keys, n_tokens = tk.keys, len(tk.keys)
    phrases, prefixes = lex.org_phrases, lex.org_prefixes
    for k in hits:
        last = -1  # the longest phrase from k under any reading, grown while it can become one
        for phrase in begins[k].org:  # type: ignore[union-attr]
            j = k
            while True:
                if phrase in phrases and j > last:
                    last = j
                j += 1
                if j >= n_tokens:
                    break
                phrase = f"{phrase} {keys[j]}"
                if phrase not in prefixes:
                    break
        if last >= 0:
            spans.append((k, last))
    return spans


def _org_reach(spans: list[tuple[int, int]]) -> dict[int, int]:
    """For each token inside an organisation phrase, the last token of the longest such phrase
    over it (a name from token k to token last lies inside one iff ``reach[k] >= last``)."""
    reach: dict[int, int] = {}
    for a, b in spans:
        for t in range(a, b + 1):
            if reach.get(t, -1) < b:
                reach[t] = b
    return reach


def _phrase_floor(tk: _Tokens, first: int, sentence_start: int) -> int:
    """The earliest token (at most :data:`CONTEXT_TOKENS` back) in the same phrase as ``first``."""
    starts, gaps = tk.starts, tk.gaps
    floor = first
    limit = first - CONTEXT_TOKENS if first > CONTEXT_TOKENS else 0
    while floor > limit and starts[floor - 1] >= sentence_start and gaps[floor] & _SOFT_GAP:
        floor -= 1
    return floor


def _phrase_ceiling(tk: _Tokens, last: int, sentence_end: int) -> int:
    """One past the last token (at most :data:`CONTEXT_TOKENS` on) in the same phrase as ``last``."""
    starts, gaps = tk.starts, tk.gaps
    ceiling = last + 1
    limit = min(len(starts), last + 1 + CONTEXT_TOKENS)
    while ceiling < limit and starts[ceiling] < sentence_end and gaps[ceiling] & _SOFT_GAP:
        ceiling += 1
    return ceiling


def _describe(
    tk: _Tokens, first: int, k: int, last: int, key: str, entries: tuple[int, ...], read: _Start,
    sentence: Span, lex: Lexicon, gaz: Gazetteer, org_reach: dict[int, int], roles: _RolesCache,
    has_case: bool,
) -> RawMention:
    text, keys, starts, ends, gaps = tk.text, tk.keys, tk.starts, tk.ends, tk.gaps
    start, end = starts[first], ends[last]
    s_start, s_end = sentence.start, sentence.end
    arabic, proclitic = read.arabic, read.proclitic
    # context words are read only when the neighbouring token could start one (the common case,
    # a name after في or a comma, skips every table lookup)
    prev_ok = first > 0 and starts[first - 1] >= s_start and gaps[first] & _SOFT_GAP
    prev_roles = roles[keys[first - 1]] if prev_ok else _NO_ROLES
    prev_ctx = prev_roles.context
    nxt = last + 1
    next_ctx = (
        nxt < len(keys) and keys[nxt] in lex.after_words and starts[nxt] < s_end and gaps[nxt] & _SOFT_GAP
    )
    adjectival = key.startswith("adj:")
    floor = _phrase_floor(tk, first, s_start) if prev_ctx or adjectival else first
    ceiling = _phrase_ceiling(tk, last, s_end) if next_ctx else nxt

    if adjectival and not _has_geo_head(
        tk, first, last, lex, gaz, floor, _phrase_ceiling(tk, last, s_end), arabic, roles
    ):
        return RawMention(start, end, text[start:end], key, entries, sentence, first, last, proclitic,
                          adjectival=True, arabic=arabic, blocked="adjective")
    blocked: str | None = None
    if org_reach and org_reach.get(k, -1) >= last:
        blocked = "organisation"

    cue: str | None = None
    cue_kind: str | None = None
    modifier: str | None = None
    modifier_span: Span | None = None
    if prev_ctx:
        j = first - 1
        cue_start = first
        # a cue word right before the name (Arabic/Kurdish, English "city of")
        if prev_roles.ends_cue and read.cue_ok:
            before = lex.cue_before.before(tk, j, floor)
            if before is not None:
                cue_start, cue_kind = before[0], str(before[1])
                cue = text[starts[cue_start] : ends[j]]
                j = cue_start - 1
        # an organisation head before, through modifiers and cue words (مجلس محافظة كركوك)
        if blocked is None:
            i, steps = cue_start - 1, 0
            while i >= floor and steps < 3:
                word = roles[keys[i]]
                if word.ends_org and lex.org_before.before(tk, i, floor) is not None:
                    blocked = "organisation"
                    break
                if word.org_modifier or word.ends_cue and lex.cue_before.before(tk, i, floor):
                    i, steps = i - 1, steps + 1
                    continue
                break
        # a spatial modifier before the name and its cue (شمال شرقي ديالى, north-west of Mosul)
        mod = None
        if j >= floor and roles[keys[j]].ends_modifier:
            mod = lex.modifier_before.before(tk, j, floor)
        if mod is not None:
            m_start, value = mod[0], str(mod[1])
            if value in _COMPASS and m_start - 1 >= floor:
                prev = lex.modifier_before.before(tk, m_start - 1, floor)
                if prev is not None and str(prev[1]) in _COMPASS and str(prev[1]) != value:
                    value = _combine(str(prev[1]), value)
                    m_start = prev[0]
            modifier = value
            modifier_span = Span(starts[m_start], ends[j], text[starts[m_start] : ends[j]])
    if next_ctx:
        if cue is None and not arabic:
            after = lex.cue_after.after(tk, nxt, ceiling)
            if after is not None:
                cue_kind = str(after[1])
                cue = text[starts[nxt] : ends[after[0]]]
        if blocked is None and not arabic and keys[nxt] in lex.org_after:
            blocked = "organisation"
        if modifier is None:
            after_mod = lex.modifier_after.after(tk, nxt, ceiling)
            if after_mod is not None:
                modifier = str(after_mod[1])
                s, e = starts[nxt], ends[after_mod[0]]
                modifier_span = Span(s, e, text[s:e])

    capitalised = not arabic and text[starts[k]].isupper()
    locative = cue is not None
    if arabic:
        locative = locative or prev_roles.locative_ar or read.locative
    elif prev_ok:
        locative = locative or keys[first - 1] in LOCATIVE_EN
    if not arabic and not capitalised and blocked is None and first == k == last and has_case:
        blocked = "lowercase"

    return RawMention(
        start, end, text[start:end], key, entries, sentence, first, last, proclitic, cue, cue_kind,
        modifier, modifier_span, adjectival, arabic, capitalised,
        start - s_start <= 2, locative, blocked,
    )


def _proclitic(literal: str, reading: str) -> str:
    """The proclitic letters of ``literal`` that ``reading`` dropped (وكركوك -> و, للموصل -> ل)."""
    if reading == literal:
        return ""
    if literal.endswith(reading):
        return literal[: -len(reading)]
    stem = reading[2:] if reading.startswith("ال") else reading
    if not stem or not literal.endswith(stem):
        return ""
    prefix = literal[: -len(stem)]
    return prefix[:-1] if prefix.endswith("لل") else prefix


def _combine(a: str, b: str) -> str:
    ns = a if a in ("north", "south") else b
    ew = b if ns == a else a
    return ns + ew if ns in ("north", "south") and ew in ("east", "west") else b


def _has_geo_head(
    tk: _Tokens, first: int, last: int, lex: Lexicon, gaz: Gazetteer, floor: int, ceiling: int, arabic: bool,
    roles: _RolesCache,
) -> bool:
    """Whether a country adjective qualifies a geographic noun (الحدود السورية, Syrian border)."""
    keys = tk.keys
    if arabic:
        i = first - 1
        while i >= floor:
            word = roles[keys[i]]
            if word.adj_head:
                return True
            if word.adjective or "و" == keys[i]:
                i -= 1
                continue
            return False
        return False
    i = last + 1
    index = gaz.index
    while i < ceiling and (keys[i] == "and" or "adj:" + keys[i] in index):
        i += 1
    return lex.adj_heads_after.after(tk, i, ceiling) is not None


def _text_has_case(text: str) -> bool:
    """Whether the Latin letters of ``text`` use both cases (so lower case means a common word)."""
    ascii_part = text[:5000].encode("ascii", "ignore")  # A-Z and a-z are all that is compared
    return ascii_part.lower() != ascii_part and ascii_part.upper() != ascii_part


def _move(m: RawMention, offset: int, sentence: Span) -> None:
    """Move the offsets of ``m`` (just built, found in a chunk that starts ``offset`` characters
    into the text) to the text; ``sentence`` is its sentence there, shared by its names."""
    m.start += offset
    m.end += offset
    m.sentence = sentence
    ms = m.modifier_span
    if ms is not None:
        m.modifier_span = Span(ms.start + offset, ms.end + offset, ms.text)
