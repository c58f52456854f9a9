"""Step 2 of the resolver: the gazetteer entries each mention may mean, and the evidence a doubtful
one needs.

A name that is also a common word (بلد "country" / Balad) needs a cue word, a containment link, a
spatial modifier, a same-governorate neighbour in its sentence, a preposition plus its governorate
named in the article, or in English a capital letter after a locative preposition; a name that is
also a personal name needs a cue, a container or a modifier; an Iraqi namesake of a foreign city
(الرياض) needs local evidence; a small foreign town needs its country in the article; an IOM DTM
village needs a cue word. :class:`ArticleFacts` holds the article-wide facts these rules (and
scoring) read, each worked out on first use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat

from geo.data.gazetteer import Entry, Gazetteer
from geo.text.context import RawMention
from geo.text.features import features
from geo.text.lexicon import Lexicon, load_lexicon
from geo.text.links import Link, link_mentions


@dataclass(slots=True)
class Scored:
    """A candidate entry of one mention with its score and the evidence behind it."""

    entry: int
    score: float
    weak: bool = False
    why: list[str] = field(default_factory=list)


def candidates(
    mentions: list[RawMention],
    gaz: Gazetteer,
    lexicon: Lexicon | None = None,
    links: list[Link] | None = None,
) -> list[list[Scored]]:
    """Eligible candidates of every mention (empty for blocked mentions or missing evidence)."""
    return candidates_of(ArticleFacts(mentions, gaz, lexicon, links))


def candidates_of(facts: ArticleFacts) -> list[list[Scored]]:
    """:func:`candidates` with the article's facts gathered once (shared with scoring)."""
    mentions, gaz = facts.mentions, facts.gaz
    out: list[list[Scored]] = []
    strong_keys, ambiguous = gaz.strong_keys, gaz.ambiguous
    for i, m in enumerate(mentions):
        if m.blocked:
            out.append([])
            continue
        if m.key in strong_keys and (not m.adjectival or m.key[4:] not in ambiguous):
            out.append(list(map(Scored, m.entries, _ZEROS)))
            continue
        doubt = ambiguous.get(m.key.removeprefix("adj:"))
        eligible: list[Scored] = []
        for e_idx in m.entries:
            e = gaz.entries[e_idx]
            needs = _needs_evidence(e, doubt)
            if needs is None:
                eligible.append(Scored(e_idx, 0.0))
                continue
            reason = _evidence(i, m, e, needs, mentions, gaz, facts)
            if reason:
                eligible.append(Scored(e_idx, 0.0, weak=True, why=[reason]))
        out.append(eligible)
    return out


#: ``list(map(Scored, entries, _ZEROS))`` is ``[Scored(e, 0.0) for e in entries]`` without the
#: comprehension's frame.
_ZEROS = repeat(0.0)


def _needs_evidence(e: Entry, doubt: str | None) -> str | None:
    if e.strength == "cue":
        return "cue"
    if doubt in ("word", "person"):
        return doubt
    if doubt == "namesake" and e.country == "IQ":
        return "namesake"
    if e.strength == "foreign":
        return "foreign"
    return None


class ArticleFacts:
    """One article's mentions and the article-wide facts the steps read, shared by the steps of
    :func:`geo.text.resolve.geoparse` and each computed on first use: most articles need only a few of them.
    (Properties over plain attributes: ``functools.cached_property`` takes a lock on first use.)"""

    def __init__(
        self, mentions: list[RawMention], gaz: Gazetteer, lexicon: Lexicon | None, links: list[Link] | None
    ) -> None:
        self.mentions = mentions
        self.gaz = gaz
        self.lexicon = lexicon
        self._links = links
        self._countries: set[str] | None = None
        self._sentence_govs: dict[tuple[int, int], dict[str, list[int]]] | None = None
        self._article_govs: dict[str, list[int]] | None = None
        self._containers: dict[int, list[int]] | None = None

    @property
    def links(self) -> list[Link]:
        if self._links is None:
            self._links = link_mentions(self.mentions, self.lexicon or load_lexicon())
        return self._links

    @property
    def countries(self) -> set[str]:
        if self._countries is None:
            self._countries = _article_countries(self.mentions, self.gaz)
        return self._countries

    @property
    def sentence_govs(self) -> dict[tuple[int, int], dict[str, list[int]]]:
        if self._sentence_govs is None:
            self._sentence_govs = _sentence_governorates(self.mentions, self.gaz)
        return self._sentence_govs

    @property
    def article_govs(self) -> dict[str, list[int]]:
        """Per governorate P-code, up to two mentions (see :func:`_sentence_governorates`)."""
        if self._article_govs is None:
            article_govs: dict[str, list[int]] = {}
            for govs in self.sentence_govs.values():
                for g, holders in govs.items():
                    have = article_govs.setdefault(g, [])
                    for j in holders:
                        if len(have) < 2 and j not in have:
                            have.append(j)
            self._article_govs = article_govs
        return self._article_govs

    @property
    def containers(self) -> dict[int, list[int]]:
        if self._containers is None:
            containers: dict[int, list[int]] = defaultdict(list)
            for link in self.links:
                if link.kind == "in":
                    containers[link.a].append(link.b)
            self._containers = containers
        return self._containers


def _evidence(
    i: int,
    m: RawMention,
    e: Entry,
    needs: str,
    mentions: list[RawMention],
    gaz: Gazetteer,
    facts: ArticleFacts,
) -> str | None:
    """Why a doubtful candidate may stand (``None`` when nothing supports it)."""
    if m.cue_kind is not None:
        return f"cue:{m.cue_kind}"
    if needs == "cue":
        return None
    for b in facts.containers.get(i, ()):
        if any(gaz.entries[j].contains(e) for j in mentions[b].entries):
            return "contained"
    if needs == "foreign":
        return "country in article" if e.country in facts.countries else None
    if m.modifier is not None and m.arabic:
        return "modifier"
    if needs == "person":  # a personal name is a place only with a cue, a container or a modifier
        return (
            "capitalised after a preposition"
            if (not m.arabic and m.capitalised and not m.sentence_initial and m.locative)
            else None
        )
    gov = e.governorate_pcode
    if gov:
        in_sentence = facts.sentence_govs.get((m.sentence.start, m.sentence.end))
        if in_sentence and held_by_another(in_sentence.get(gov), i):
            return "same governorate in sentence"
        if needs == "word" and m.locative and held_by_another(facts.article_govs.get(gov), i):
            return "after a preposition, governorate named in the article"
    if needs == "word" and not m.arabic and m.capitalised and not m.sentence_initial and m.locative:
        return "capitalised after a preposition"
    return None


def _article_countries(mentions: list[RawMention], gaz: Gazetteer) -> set[str]:
    """Countries named in the article (by name or adjective, not in an organisation name)."""
    named = features(gaz).named_country
    out: set[str] = set()
    for m in mentions:
        if m.blocked != "organisation":
            for j in m.entries:
                if named[j]:
                    out.add(named[j])  # type: ignore[arg-type]
    return out


def _sentence_governorates(
    mentions: list[RawMention], gaz: Gazetteer
) -> dict[tuple[int, int], dict[str, list[int]]]:
    """Per sentence and governorate P-code, the first two unambiguous Iraqi mentions (by index)
    that lie in it: two are enough to find one other than any given mention."""
    strong_gpc, ambiguous = features(gaz).strong_gpc, gaz.ambiguous
    out: dict[tuple[int, int], dict[str, list[int]]] = {}
    for i, m in enumerate(mentions):
        if m.blocked or ambiguous.get(m.key):
            continue
        govs = None
        for j in m.entries:
            g = strong_gpc[j]
            if g:
                if govs is None:
                    govs = out.setdefault((m.sentence.start, m.sentence.end), {})
                holders = govs.get(g)
                if holders is None:
                    govs[g] = [i]
                elif len(holders) < 2 and holders[-1] != i:
                    holders.append(i)
    return out


def held_by_another(holders: list[int] | None, i: int) -> bool:
    """Whether ``holders`` (distinct mention indices) names a mention other than ``i``."""
    return holders is not None and (len(holders) > 1 or holders[0] != i)


__all__ = ["ArticleFacts", "Scored", "candidates", "candidates_of", "held_by_another"]
