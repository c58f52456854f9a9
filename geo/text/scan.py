"""What each folded token may begin and what it means next to a name, worked out once per token.

Everything the mention scan (:mod:`geo.text.extract`) asks of a folded token depends on the token
alone, so it is worked out once per distinct token (per gazetteer and lexicon) and kept in the
bounded caches of a :class:`Scanner`:

* :class:`Begins`: the token's readings that start a gazetteer name or an organisation phrase,
  the one-word name it is, and the words that may follow it in a longer name;
* :class:`Roles`: whether it is a cue, modifier or organisation word, an Arabic locative
  preposition, a country adjective or a noun such an adjective qualifies.

Examples
--------
>>> from geo.data.gazetteer import load_gazetteer  # doctest: +SKIP
>>> sc = scanner(load_gazetteer(), load_lexicon())  # doctest: +SKIP
>>> sc.begins[token_key("وكركوك")].starts[0].proclitic  # doctest: +SKIP
'و'
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.data.gazetteer import Gazetteer
from geo.text.fuzzy import FuzzyIndex
from geo.text.lexicon import Lexicon
from geo.text.normalize import fold
from geo.text.tokens import readings, sorani_stems

#: Doubts that mark a lexicon word (not a namesake): its Sorani stems are not read as names.
_WORD_DOUBTS = frozenset({"word", "strict", "person"})

#: Arabic and Kurdish locative prepositions before a name (في كركوك، قرب الموصل، لە هەولێر).
_LOCATIVE_AR_WORDS = "في من إلى الى قرب نحو باتجاه داخل عند حتى بين لە بۆ تا نزيك"
LOCATIVE_AR = frozenset(fold(w) for w in _LOCATIVE_AR_WORDS.split())


@dataclass(frozen=True, slots=True)
class Start:
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
class Begins:
    """What a token may begin."""

    #: its readings that begin a name: those taken on sight first, then those that begin only
    #: names of cue-only places
    starts: tuple[Start, ...]
    #: whether it begins only names of cue-only places
    cue_only: bool
    #: its readings that begin an organisation phrase
    org: tuple[str, ...]
    #: (key, entries, start) of the one-word name it is under its first reading that is one
    one_word: tuple[str, tuple[int, ...], Start] | None
    #: the words that may follow it in a longer name: when the next word is none of them, the
    #: match is ``one_word`` (the common case, decided without growing n-grams)
    seconds: frozenset[str]


class BeginsCache(dict[str, "Begins | None"]):
    """folded token -> :class:`Begins`, or ``None`` for the many words that begin nothing."""

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
        #: variant Latin spellings of Iraqi names, tried on the tokens that begin nothing else
        self.fuzzy = FuzzyIndex(gaz)
        #: the first two, three ... words of every name of more than one word
        self.prefixes = frozenset(prefixes)

    def __missing__(self, key: str) -> Begins | None:
        if len(self) > self.limit:
            self.clear()
        gaz = self.gaz
        forms = readings(key)
        if len(forms) > 1:
            forms = self._word_stems_off(key, forms)
        strong = [r for r in forms if r in gaz.strong_first]
        weak = [r for r in forms if r in gaz.cue_first]
        org = tuple(r for r in forms if r in self.lex.org_first)
        hit: Begins | None = None
        if strong or weak or org:
            starts = tuple(self._start(key, r) for r in strong + weak)
            one_word = next(((s.single[0], s.single[1], s) for s in starts if s.single is not None), None)
            seconds = frozenset().union(*(s.seconds for s in starts if s.longest > 1))
            if one_word is not None and not strong and key.isascii():
                one_word = self._with_variant(key, one_word)
            hit = Begins(starts, not strong, org, one_word, seconds)
        elif key.isascii():
            hit = self._fuzzy(key)
        self[key] = hit
        return hit

    def _word_stems_off(self, key: str, forms: tuple[str, ...]) -> tuple[str, ...]:
        """``forms`` without the Sorani stems of a token that is a common word, a cue word or a cue
        word with a suffix: "ژمارە" (number) is not Zummar, "گوندی" (village of) not Kundah."""
        stems = sorani_stems(key)
        if not stems:
            return forms
        cues = self.lex.before_words
        if key in cues or self.gaz.ambiguous.get(key) in _WORD_DOUBTS or not cues.isdisjoint(stems):
            dropped = set(stems) - cues  # a cue word stays readable as the cue it is
            return tuple(f for f in forms if f not in dropped)
        return forms

    def _with_variant(
        self, key: str, one_word: tuple[str, tuple[int, ...], Start]
    ) -> tuple[str, tuple[int, ...], Start]:
        """A Latin word that names only cue-only places (villages) may also be a variant spelling
        of a unit: "Kubaysah" is a village's name and Kubaisa sub-district's spelling, so both
        stand (the context chooses)."""
        name = self.fuzzy.match(key)
        if name is None or name == key:
            return one_word
        merged = tuple(dict.fromkeys(one_word[1] + self.gaz.index[name]))
        return (one_word[0], merged, one_word[2])

    def _fuzzy(self, key: str) -> Begins | None:
        """A token that begins nothing, read as the Iraqi name it is a variant spelling of."""
        name = self.fuzzy.match(key)
        if name is None:
            return None
        start = Start(name, 1, (name, self.gaz.index[name]), frozenset(), False, "", True, False)
        return Begins((start,), False, (), (name, self.gaz.index[name], start), frozenset())

    def _start(self, literal: str, reading: str) -> Start:
        index = self.gaz.index
        single: tuple[str, tuple[int, ...]] | None = None
        for key in (reading, "adj:" + reading):
            entries = index.get(key)
            if entries:
                single = (key, entries)
                break
        arabic = "\u0600" <= literal[:1] <= "\u06ff"
        proclitic = _proclitic(literal, reading) if arabic else ""
        return Start(
            reading,
            self.gaz.first_tokens.get(reading, 0),
            single,
            self.seconds.get(reading, frozenset()),
            arabic,
            proclitic,
            proclitic[:1] not in ("ب", "ل", "ك"),
            proclitic.lstrip("وف")[:1] in ("ب", "ل"),
        )


@dataclass(frozen=True, slots=True)
class Roles:
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


NO_ROLES = Roles(False, False, False, False, False, False, False, False)


class RolesCache(dict[str, Roles]):
    """folded token -> :class:`Roles`."""

    limit = 300_000

    def __init__(self, gaz: Gazetteer, lex: Lexicon) -> None:
        super().__init__()
        self.gaz = gaz
        self.lex = lex

    def __missing__(self, key: str) -> Roles:
        if len(self) > self.limit:
            self.clear()
        lex, index = self.lex, self.gaz.index
        forms = readings(key)
        roles = Roles(
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
class Scanner:
    """The per-token caches of one gazetteer and lexicon."""

    gaz: Gazetteer
    lex: Lexicon
    begins: BeginsCache
    roles: RolesCache


_SCANNERS: list[Scanner] = []


def scanner(gaz: Gazetteer, lex: Lexicon) -> Scanner:
    """The caches of ``gaz`` and ``lex`` (one pair at a time)."""
    if _SCANNERS and _SCANNERS[0].gaz is gaz and _SCANNERS[0].lex is lex:
        return _SCANNERS[0]
    sc = Scanner(gaz, lex, BeginsCache(gaz, lex), RolesCache(gaz, lex))
    _SCANNERS[:] = [sc]
    return sc


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


__all__ = [
    "LOCATIVE_AR",
    "NO_ROLES",
    "Begins",
    "BeginsCache",
    "Roles",
    "RolesCache",
    "Scanner",
    "Start",
    "scanner",
]
