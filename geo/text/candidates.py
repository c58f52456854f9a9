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

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from math import cos, hypot, pi
from operator import itemgetter

import numpy as np

from geo.data.gazetteer import Entry, Gazetteer
from geo.model import Span
from geo.text.context import RawMention
from geo.text.features import features, km_grid
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
    cued: dict[str, set[int]] = {}  # name -> entries supported somewhere (see below)
    doubtful: list[tuple[int, int]] = []  # (mention, entry) that found no evidence of their own
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
                if reason.startswith("cue:") or doubt == "namesake":
                    cued.setdefault(m.key, set()).add(e_idx)
            elif doubt not in ("word", "strict", "person"):
                doubtful.append((i, e_idx))
        out.append(eligible)
    # one sense per name: a place that a cue word supports in one mention (any evidence, for an
    # Iraqi namesake of a foreign name) stands for the same name where it is listed with other
    # places elsewhere in the article: "الرشاد والرياض" in the headline is the sub-district of
    # "ناحيتي الرشاد والرياض" in the body, not Riyadh; "عاد الوفد من الرياض" alone stays Riyadh. Not
    # for a name that is also a common word or a personal name.
    lists = facts.lists if cued else {}
    for i, e_idx in doubtful:
        if i in lists and e_idx in cued.get(mentions[i].key, ()):
            out[i].append(Scored(e_idx, 0.0, weak=True, why=["the same name with a cue elsewhere"]))
    return out


#: ``list(map(Scored, entries, _ZEROS))`` is ``[Scored(e, 0.0) for e in entries]`` without the
#: comprehension's frame.
_ZEROS = repeat(0.0)


def _needs_evidence(e: Entry, doubt: str | None) -> str | None:
    if e.strength == "cue":
        return "cue"
    if doubt in ("word", "person", "strict"):
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
        self._anchors: dict[int, list[tuple[int, tuple[float, float, str | None]]]] | None = None
        self._lists: dict[int, list[int]] | None = None
        self._points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._sorani: dict[int, bool] = {}

    @property
    def lists(self) -> dict[int, list[int]]:
        """Mention -> the list of mentions it is a member of (runs of ``list`` links)."""
        if self._lists is None:
            groups: list[list[int]] = []
            for link in self.links:
                if link.kind != "list":
                    continue
                if groups and groups[-1][-1] == link.a:
                    groups[-1].append(link.b)
                else:
                    groups.append([link.a, link.b])
            self._lists = {i: g for g in groups for i in g}
        return self._lists

    @property
    def anchors(self) -> dict[int, list[tuple[int, tuple[float, float, str | None]]]]:
        """The places that support a village named without a cue (see :func:`_village_support`)."""
        if self._anchors is None:
            self._anchors = _anchors(self.mentions, self.gaz)
        return self._anchors

    def sorani(self, sentence: Span) -> bool:
        """Whether ``sentence`` holds a letter of Sorani that Arabic does not write (kept per sentence)."""
        got = self._sorani.get(sentence.start)
        if got is None:
            got = self._sorani[sentence.start] = _SORANI.search(sentence.text) is not None
        return got

    def near_article_place(self, key: str, e: Entry) -> bool:
        """Whether a town or unit named anywhere in the article (not as ``key``; a name that is also
        a common word does not count, a village namesake of the name is passed over) lies within
        :data:`SUPPORT_ARTICLE_KM` of ``e`` (one distance array per entry asked)."""
        if self._points is None:
            entries, ambiguous = self.gaz.entries, self.gaz.ambiguous
            rows = sorted(
                {
                    (x.lat, x.lon, m.key)
                    for m in self.mentions
                    if not m.blocked and m.key not in ambiguous
                    for x in map(entries.__getitem__, m.entries)
                    if x.strength == "strong" and x.country == "IQ" and x.kind in _ANCHOR_KINDS
                }
            )
            self._points = (
                np.radians(np.array([r[0] for r in rows], dtype=float)),
                np.radians(np.array([r[1] for r in rows], dtype=float)),
                np.array([r[2] for r in rows], dtype=object),
            )
        lat, lon, keys = self._points
        if not len(lat):
            return False
        d = km_grid(np.asarray(e.lat * _RAD), np.asarray(e.lon * _RAD), lat, lon)
        return bool(((d < SUPPORT_ARTICLE_KM) & (keys != key)).any())

    @property
    def heads(self) -> frozenset[str]:
        """One-word cues of neighbourhoods, villages and areas (folded), which a name may begin with."""
        return (self.lexicon or load_lexicon()).generic_heads

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
    if m.cue_kind is not None and not (m.cue_kind == "other" and gaz.ambiguous.get(m.key) == "strict"):
        return f"cue:{m.cue_kind}"  # "أحياء المدينة" is the city's neighbourhoods, not Al-Midaina
    head, _, rest = m.key.partition(" ")
    if rest and head in facts.heads:  # "Hay al-Tanak", "حي العسكري": the name holds its own cue
        return f"named with '{m.text.split()[0]}'"
    if needs == "cue":
        return _village_support(i, m, e, gaz, facts)
    if needs in ("word", "person", "strict") and e.country != "IQ":  # المدينة "the city" is not Medina
        return None
    for b in facts.containers.get(i, ()):
        if any(gaz.entries[j].contains(e) for j in mentions[b].entries):
            return "contained"
    if needs == "strict":  # "وسط المدينة" is downtown of the city just named: only a cue or a container
        return None
    if needs == "foreign":
        return "country in article" if e.country in facts.countries else None
    if m.modifier is not None and m.arabic:
        return "modifier"
    if needs in ("person", "word") and _listed_with_a_cue(i, facts):
        return "listed with a cued name"  # "ناحيتي المعتصم ويثرب": the cue covers the list
    if needs == "person":
        # a personal name is a place with a cue, a container or a modifier, capitalised after a
        # preposition, or after a preposition with its governorate named elsewhere in the article
        # ("في ربيعة" in a report on Nineveh)
        if not m.arabic and m.capitalised and not m.sentence_initial and m.locative:
            return "capitalised after a preposition"
        gov = e.governorate_pcode
        if m.locative and gov and held_by_another(facts.article_govs.get(gov), i):
            return "after a preposition, governorate named in the article"
        return None
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


#: A village is supported by another place of the article this close (km) ...
SUPPORT_KM = 12.0
#: ... or lying in the same sub-district and this close (km).
SUPPORT_SUBDISTRICT_KM = 25.0
#: A village after a locative preposition ("في X", "in X") is supported by a town or unit named
#: anywhere in the article this close (km).
SUPPORT_ARTICLE_KM = 15.0
#: Letters of Sorani that Arabic does not write: a sentence holding one is Sorani.
_SORANI = re.compile("[ەێۆڕڵڤ]")
#: Co-mentioned places further than this many mentions away (same sentence) support nothing.
SUPPORT_WINDOW = 40
#: Shortest Arabic-script village name taken without a cue word (letters, folded).
SUPPORT_MIN_LETTERS = 4


def _village_support(i: int, m: RawMention, e: Entry, gaz: Gazetteer, facts: ArticleFacts) -> str | None:
    """Why a village, hamlet or neighbourhood (a ``cue`` entry) named without a cue word may stand.

    Rules, in order (the first that holds is the evidence):

    1. "X in Y" containment: the text places it inside a unit or town that contains it
       ("قرية X التابعة لناحية Y", "X village in Y");
    1b. a list whose first or last member has a cue word ("أحياء العسكري ورحيم آوه ودوميز",
       "the Rahimawa, Domiz and Hay al-Askari neighbourhoods");
    2. a co-mentioned place: another place named in the same sentence on its name alone (a
       town, a district or sub-district, not a governorate or country) lies within
       :data:`SUPPORT_KM`, or in the same sub-district within :data:`SUPPORT_SUBDISTRICT_KM`;
    3. a locative preposition before it ("في بادوش", "in Bakrajo") and a town or unit named
       anywhere in the article within :data:`SUPPORT_ARTICLE_KM`, when the name names villages
       only and (Arabic) does not begin with the article; not in Sorani, where nothing tells a
       common noun from a village name;
    4. the same after an Arabic locative preposition for a name with the article, when at least
       :data:`QUARTER_BLOCKS` entries of the name lie within :data:`QUARTER_KM` of each other:
       the blocks of a city quarter ("في الكرادة" in a report on Baghdad).

    A name that is also a common word, a Latin name in lower case or at a sentence start, and an
    Arabic-script name shorter than :data:`SUPPORT_MIN_LETTERS` letters are never taken this way.
    """
    key = m.key
    if key in gaz.ambiguous or (m.arabic and len(key.replace(" ", "")) < SUPPORT_MIN_LETTERS):
        return None
    if not m.arabic and (not m.capitalised or m.sentence_initial):
        return None
    for b in facts.containers.get(i, ()):
        if any(gaz.entries[j].contains(e) for j in facts.mentions[b].entries):
            return "contained"
    if _listed_with_a_cue(i, facts):
        return "listed with a cued place"
    # only the anchors of the same sentence, and at most SUPPORT_WINDOW mentions away on either
    # side: a sentence of thousands of names (a list, a table flattened to text) stays linear
    in_sentence = facts.anchors.get(m.sentence.start, [])
    lo = bisect_left(in_sentence, i - SUPPORT_WINDOW, key=itemgetter(0))
    for j, (lat, lon, sub) in in_sentence[lo:]:
        if j > i + SUPPORT_WINDOW:
            break
        if j == i:
            continue
        d = point_km(e.lat, e.lon, lat, lon)
        if d < SUPPORT_KM or (sub is not None and sub == e.subdistrict_pcode and d < SUPPORT_SUBDISTRICT_KM):
            return "near a co-mentioned place"
    # a name that also names a town or unit elsewhere ("Amman") is left to that place; an Arabic
    # name with the article is too often a common noun ("في البساتين", in the orchards), and
    # Sorani, which has no article to tell them apart, keeps to the rules above ...
    if not m.locative or not all(gaz.entries[j].strength == "cue" for j in m.entries):
        return None
    sorani = m.arabic and facts.sorani(m.sentence)
    plain = not (m.arabic and (key.startswith("ال") or sorani))
    # ... unless it names a city quarter: the displacement lists split a quarter into numbered
    # blocks (Al Karada-901, -903, -905 ...), so several blocks of one name side by side are a
    # quarter ("في الكرادة"), which a common noun is not
    quarter = not plain and not sorani and _quarter_blocks(m, e, gaz) >= QUARTER_BLOCKS
    if (plain or quarter) and facts.near_article_place(key, e):
        return (
            "after a preposition, near a place named in the article"
            if plain
            else "a quarter of a city named in the article"
        )
    return None


#: Blocks of one name within :data:`QUARTER_KM` of each other that make a city quarter.
QUARTER_BLOCKS = 3
QUARTER_KM = 3.0


def _quarter_blocks(m: RawMention, e: Entry, gaz: Gazetteer) -> int:
    """How many entries of ``m``'s name lie within :data:`QUARTER_KM` of ``e`` (``e`` too)."""
    if len(m.entries) < QUARTER_BLOCKS:
        return len(m.entries)
    entries = gaz.entries
    return sum(point_km(e.lat, e.lon, entries[j].lat, entries[j].lon) < QUARTER_KM for j in m.entries)


def _listed_with_a_cue(i: int, facts: ArticleFacts) -> bool:
    """Whether mention ``i`` is in a list ("أحياء X وY وZ", "the X, Y and Z neighbourhoods")
    whose first or last member has a cue word of its own."""
    lists = facts.lists
    group = lists.get(i)
    if not group:
        return False
    ends = (facts.mentions[group[0]], facts.mentions[group[-1]])
    return any(m.cue_kind is not None for m in ends)


def point_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance (km) between two points given in degrees."""
    dlat = (lat2 - lat1) * _RAD
    dlon = (lon2 - lon1) * _RAD * cos((lat1 + lat2) * _HALF_RAD)
    return 6371.0 * hypot(dlat, dlon)


_RAD = pi / 180.0
_HALF_RAD = pi / 360.0


_ANCHOR_KINDS = frozenset({"district", "subdistrict", "city", "town"})


def _anchors(
    mentions: list[RawMention], gaz: Gazetteer
) -> dict[int, list[tuple[int, tuple[float, float, str | None]]]]:
    """Per sentence start, (mention, (lat, lon, sub-district P-code)) of the Iraqi towns and units
    named on their name alone, in mention order."""
    out: dict[int, list[tuple[int, tuple[float, float, str | None]]]] = {}
    strong = gaz.strong_keys
    for i, m in enumerate(mentions):
        if m.blocked or m.key not in strong:
            continue
        for j in m.entries:
            e = gaz.entries[j]
            if e.country == "IQ" and e.kind in _ANCHOR_KINDS:
                out.setdefault(m.sentence.start, []).append((i, (e.lat, e.lon, e.subdistrict_pcode)))
    return out


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
    that lie in it: two are enough to find one other than any given mention. A long feature
    (a river or range of several points, ``feature:<id>:<n>``) crosses many governorates and
    vouches for none of them (the Tigris has a point in Basra)."""
    strong_gpc, ambiguous = features(gaz).strong_gpc, gaz.ambiguous
    entries = gaz.entries
    out: dict[tuple[int, int], dict[str, list[int]]] = {}
    for i, m in enumerate(mentions):
        if m.blocked or ambiguous.get(m.key):
            continue
        govs = None
        for j in m.entries:
            g = strong_gpc[j]
            if g and not (
                len(m.entries) > 1 and entries[j].id.count(":") == 2 and entries[j].id.startswith("feature:")
            ):
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
