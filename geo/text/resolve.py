"""Mentions -> places: candidates, evidence, scoring, choice and confidence.

:func:`geoparse` is the one call: ``text -> list[Place]``. It runs four named steps, each
testable alone:

1. :func:`geo.text.extract.find_mentions` - names in the text with their context;
2. :func:`candidates` - the gazetteer entries each mention may mean, keeping only those whose
   evidence suffices (a name that is also a common word, such as بلد "country" / Balad, needs a
   cue word, a containment link, a spatial modifier, a same-governorate neighbour in its
   sentence, a preposition plus its governorate named in the article, or in English a capital
   letter after a locative preposition; a name that is also a personal name needs a cue, a
   container or a modifier; an Iraqi namesake of a foreign city (الرياض) needs local evidence;
   a small foreign town needs its country in the article; an IOM DTM village needs a cue word);
3. :func:`score` - priors (kind, population, Iraq first) plus evidence (cue word agreement,
   "X in Y" containment, coordination with places of the same level, governorate and country
   coherence with the rest of the article);
4. :func:`choose` - one entry per mention, one reading per name per article unless a cue word
   says otherwise, grouped into :class:`geo.model.Place` objects with a confidence in [0, 1] and
   the runner-up candidates.

What scoring reads of each gazetteer entry (prior, kind, governorate ...) is worked out once per
gazetteer; the article-wide facts the evidence rules read (countries named, governorates per
sentence, containment links) once per article, and only when a rule asks for them. Links between
neighbouring names are decided once per distinct text between them.

Examples
--------
>>> places = geoparse("هجمات داعش في محيط بغداد وشمال بابل")  # doctest: +SKIP
>>> [(p.name, p.mentions[0].modifier) for p in places]  # doctest: +SKIP
[('Baghdad', 'around'), ('Babil', 'north')]
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, itemgetter

from geo.data.gazetteer import Entry, Gazetteer, load_gazetteer
from geo.model import Candidate, Mention, Place
from geo.text.extract import Lexicon, RawMention, find_mentions, iter_chunks, load_lexicon, token_key
from geo.text.normalize import TOKEN_RE

#: Prior of each kind before any evidence.
KIND_PRIOR = {
    "country": 0.95,
    "region": 0.9,
    "governorate": 0.9,
    "city": 0.86,
    "district": 0.75,
    "town": 0.7,
    "subdistrict": 0.55,
    "village": 0.45,
    "other": 0.4,
}
#: Multiplier of the prior for places outside Iraq (Iraqi news is about Iraq first).
FOREIGN_FACTOR = 0.7
#: Weights of the evidence terms.
W_POPULATION = 0.05
W_IRAQ = 0.1
W_CUE_MATCH = 0.5
W_CUE_CLASH = 0.3
W_CONTAINED = 0.4
W_CONTAINER = 0.15
W_NEAR = 0.15
W_LIST_LEVEL = 0.15
W_GOVERNORATE = 0.2
W_COUNTRY = 0.15
#: Softmax temperature turning score gaps into confidence.
TEMPERATURE = 0.12
#: Confidence factor for names that needed evidence (ambiguous words, small foreign towns).
WEAK_FACTOR = 0.85
#: Longest gap (characters) between "X" and "Y" read as "X in Y" or a list.
MAX_LINK_GAP = 40
#: Alternatives kept on each place.
MAX_ALTERNATIVES = 3

_ADMIN = ("governorate", "district", "subdistrict")
#: Position of each kind in :data:`KIND_PRIOR` (ties in a list go to the earlier kind).
_KIND_RANK = {kind: n for n, kind in enumerate(KIND_PRIOR)}
#: Which candidate kinds agree with a cue word of each kind.
_CUE_AGREES = {
    "governorate": ("governorate",),
    "district": ("district",),
    "subdistrict": ("subdistrict",),
    "city": ("city", "town", "district"),
    "town": ("town", "city", "village", "subdistrict"),
    "village": ("village", "town", "other"),
    "other": tuple(KIND_PRIOR),
}
_LIST_SEP = re.compile(r"^\s*(?:[,،]\s*|and\s+|و\s*|or\s+|او\s+|أو\s+)?$")


@dataclass(slots=True)
class Scored:
    """A candidate entry of one mention with its score and the evidence behind it."""

    entry: int
    score: float
    weak: bool = False
    why: list[str] = field(default_factory=list)


@dataclass
class Link:
    """Two mentions read together: ``kind`` is ``"in"`` (a in b), ``"near"`` or ``"list"``."""

    a: int
    b: int
    kind: str


# --- per-gazetteer features ------------------------------------------------------------------------


@dataclass(eq=False)
class _Features:
    """What scoring reads of every entry, computed once per gazetteer.

    Lists are indexed by entry position: ``prior`` (:func:`_prior`), ``kind``, ``gpc``
    (governorate P-code), ``gov`` (the governorate an entry lies in or is),
    ``strong_gpc`` (the governorate P-code of an entry taken on its name alone, else ``None``),
    ``named_country`` (the country a country entry names, else ``None``) and ``abroad`` (the
    country of a place outside Iraq that is not a country itself, else ``None``).
    """

    gaz: Gazetteer
    prior: list[float]
    kind: list[str]
    gpc: list[str | None]
    gov: list[str | None]
    strong_gpc: list[str | None]
    named_country: list[str | None]
    abroad: list[str | None]
    same_place: dict[tuple[int, int], bool] = field(default_factory=dict)
    candidates: dict[tuple[int, float], Candidate] = field(default_factory=dict)

    @classmethod
    def of(cls, gaz: Gazetteer) -> _Features:
        entries = gaz.entries
        return cls(
            gaz=gaz,
            prior=[_prior(e) for e in entries],
            kind=[e.kind for e in entries],
            gpc=[e.governorate_pcode for e in entries],
            gov=[e.governorate_pcode or (e.pcode if e.kind == "governorate" else None) for e in entries],
            strong_gpc=[e.governorate_pcode if e.strength == "strong" else None for e in entries],
            named_country=[e.country if e.kind == "country" else None for e in entries],
            abroad=[e.country if e.country != "IQ" and e.kind != "country" else None for e in entries],
        )

    def same(self, a: int, b: int) -> bool:
        """:func:`_same_place` of two entries, cached."""
        hit = self.same_place.get((a, b))
        if hit is None:
            if len(self.same_place) > 200_000:
                self.same_place.clear()
            entries = self.gaz.entries
            hit = self.same_place[(a, b)] = bool(_same_place(entries[a], entries[b]))
        return hit

    def candidate(self, entry: int, score: float) -> Candidate:
        """The (immutable, shared) :class:`Candidate` of an entry at a score (scores are sums of a
        few weights, so the same pairs recur)."""
        cand = self.candidates.get((entry, score))
        if cand is None:
            if len(self.candidates) > 100_000:
                self.candidates.clear()
            cand = self.candidates[(entry, score)] = self.gaz.entries[entry].to_candidate(score)
        return cand


_FEATURES: list[_Features] = []


def _features(gaz: Gazetteer) -> _Features:
    """The features of ``gaz`` (one gazetteer at a time)."""
    if _FEATURES and _FEATURES[0].gaz is gaz and len(_FEATURES[0].prior) == len(gaz.entries):
        return _FEATURES[0]
    feats = _Features.of(gaz)
    _FEATURES[:] = [feats]
    return feats


# --- step 2: candidates ----------------------------------------------------------------------------


def candidates(
    mentions: list[RawMention], gaz: Gazetteer, lexicon: Lexicon | None = None, links: list[Link] | None = None
) -> list[list[Scored]]:
    """Eligible candidates of every mention (empty for blocked mentions or missing evidence)."""
    return _candidates(_Context(mentions, gaz, lexicon, links))


def _candidates(ctx: _Context) -> list[list[Scored]]:
    mentions, gaz = ctx.mentions, ctx.gaz
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
            reason = _evidence(i, m, e, needs, mentions, gaz, ctx)
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


class _Context:
    """One article's mentions and the article-wide facts the steps read, shared by the steps of
    :func:`geoparse` and each computed on first use: most articles need only a few of them.
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
    i: int, m: RawMention, e: Entry, needs: str, mentions: list[RawMention], gaz: Gazetteer, ctx: _Context
) -> str | None:
    """Why a doubtful candidate may stand (``None`` when nothing supports it)."""
    if m.cue_kind is not None:
        return f"cue:{m.cue_kind}"
    if needs == "cue":
        return None
    for b in ctx.containers.get(i, ()):
        if any(gaz.entries[j].contains(e) for j in mentions[b].entries):
            return "contained"
    if needs == "foreign":
        return "country in article" if e.country in ctx.countries else None
    if m.modifier is not None and m.arabic:
        return "modifier"
    if needs == "person":  # a personal name is a place only with a cue, a container or a modifier
        return "capitalised after a preposition" if (
            not m.arabic and m.capitalised and not m.sentence_initial and m.locative
        ) else None
    gov = e.governorate_pcode
    if gov:
        in_sentence = ctx.sentence_govs.get((m.sentence.start, m.sentence.end))
        if in_sentence and _held_by_another(in_sentence.get(gov), i):
            return "same governorate in sentence"
        if needs == "word" and m.locative and _held_by_another(ctx.article_govs.get(gov), i):
            return "after a preposition, governorate named in the article"
    if needs == "word" and not m.arabic and m.capitalised and not m.sentence_initial and m.locative:
        return "capitalised after a preposition"
    return None


def _article_countries(mentions: list[RawMention], gaz: Gazetteer) -> set[str]:
    """Countries named in the article (by name or adjective, not in an organisation name)."""
    named = _features(gaz).named_country
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
    strong_gpc, ambiguous = _features(gaz).strong_gpc, gaz.ambiguous
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


def _held_by_another(holders: list[int] | None, i: int) -> bool:
    """Whether ``holders`` (distinct mention indices) names a mention other than ``i``."""
    return holders is not None and (len(holders) > 1 or holders[0] != i)


def link_mentions(mentions: list[RawMention], lexicon: Lexicon) -> list[Link]:
    """Adjacent mentions in one sentence read as "X in Y", "X near Y" or a list "X, Y".

    The words between them decide: connectors (في، التابع لـ, in, of, ","), a spatial modifier
    (near, شمال), a coordinating و / "and" / comma, or a proclitic ب/ل on Y (هيت بالأنبار).
    """
    links: list[Link] = []
    gaps = _gap_links(lexicon)
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        if a.sentence.start != b.sentence.start or b.start - a.end > MAX_LINK_GAP or a.blocked or b.blocked:
            continue
        gap = _gap_text(a, b)
        kind = gaps[gap]
        if kind is None:  # no word between them: punctuation and proclitics decide
            comma = "," in gap or "،" in gap
            if b.proclitic.startswith("و") or comma and _LIST_SEP.match(gap):
                links.append(Link(i, i + 1, "list"))
                if comma:
                    links.append(Link(i, i + 1, "in"))
            elif b.proclitic[:1] in ("ب", "ل") or b.proclitic.startswith(("وب", "ول")):
                links.append(Link(i, i + 1, "in"))
        elif kind != "other":
            links.append(Link(i, i + 1, kind))
    return links


class _GapLinks(dict[str, "str | None"]):
    """Text between two names -> the link its words make: ``None`` (no words), ``"list"``,
    ``"near"``, ``"in"`` or ``"other"`` (no link); one per lexicon, bounded."""

    limit = 100_000

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__()
        self.lexicon = lexicon

    def __missing__(self, gap: str) -> str | None:
        if len(self) > self.limit:
            self.clear()
        words = [token_key(t) for t in TOKEN_RE.findall(gap)] if gap.strip() else []
        kind: str | None
        if not words:
            kind = None
        elif len(words) == 1 and words[0] in ("and", "و", "or", "او"):
            kind = "list"
        else:
            kinds = {_gap_word(self.lexicon, w) for w in words}
            kind = "other" if "other" in kinds else "near" if "near" in kinds else "in"
        self[gap] = kind
        return kind


_GAP_LINKS: list[_GapLinks] = []


def _gap_links(lexicon: Lexicon) -> _GapLinks:
    if not _GAP_LINKS or _GAP_LINKS[0].lexicon is not lexicon:
        _GAP_LINKS[:] = [_GapLinks(lexicon)]
    return _GAP_LINKS[0]


_GAP_WORDS: dict[tuple[int, str], str] = {}


def _gap_word(lexicon: Lexicon, w: str) -> str:
    """How a word between two names reads: ``in`` (connector or cue), ``near`` (modifier),
    ``skip`` (an article or level word) or ``other``."""
    hit = _GAP_WORDS.get((id(lexicon), w))
    if hit is None:
        if lexicon.connectors.has_word(w) or lexicon.cue_before.has_word(w) or lexicon.cue_after.has_word(w):
            hit = "in"
        elif lexicon.modifier_before.has_word(w) or lexicon.modifier_after.has_word(w):
            hit = "near"
        elif w in ("the", "a"):
            hit = "skip"
        else:
            hit = "other"
        if len(_GAP_WORDS) > 100_000:
            _GAP_WORDS.clear()
        _GAP_WORDS[(id(lexicon), w)] = hit
    return hit


def _gap_text(a: RawMention, b: RawMention) -> str:
    """The text between two mentions of the same sentence."""
    s = a.sentence
    return s.text[a.end - s.start : b.start - s.start]


# --- step 3: score -----------------------------------------------------------------------------------


def score(
    mentions: list[RawMention], cands: list[list[Scored]], gaz: Gazetteer, lexicon: Lexicon | None = None,
    links: list[Link] | None = None,
) -> list[list[Scored]]:
    """Score every candidate (in place) and sort each list best first."""
    return _score(_Context(mentions, gaz, lexicon, links), cands)


def _score(ctx: _Context, cands: list[list[Scored]]) -> list[list[Scored]]:
    mentions, gaz, links = ctx.mentions, ctx.gaz, ctx.links
    feats = _features(gaz)
    prior, kinds, abroad = feats.prior, feats.kind, feats.abroad
    foreign = ctx.countries - {"IQ"}
    # first pass: priors and local evidence
    for m, cs in zip(mentions, cands, strict=True):
        cue_kind = m.cue_kind
        if cue_kind is None and not m.adjectival:  # the common case: the prior and the country
            for c in cs:
                if abroad[c.entry] in foreign:
                    c.score = prior[c.entry] + W_COUNTRY
                    c.why.append("country named")
                else:
                    c.score = prior[c.entry]
            continue
        agrees = _CUE_AGREES.get(cue_kind, ()) if cue_kind is not None else ()
        for c in cs:
            kind = kinds[c.entry]
            sc = prior[c.entry]
            if cue_kind is not None:
                if kind in agrees:
                    sc += W_CUE_MATCH
                    c.why.append(f"cue {cue_kind}")
                elif cue_kind != "other" and (kind in _ADMIN or cue_kind in _ADMIN):
                    sc -= W_CUE_CLASH
            if abroad[c.entry] in foreign:
                sc += W_COUNTRY
                c.why.append("country named")
            if m.adjectival and kind == "country":
                sc += 0.05
            c.score = sc
    # containment, proximity and coordination between neighbouring mentions
    for link in links:
        ca, cb = cands[link.a], cands[link.b]
        if link.kind == "in":
            for x in ca:
                ex = gaz.entries[x.entry]
                if any(gaz.entries[y.entry].contains(ex) for y in cb):
                    x.score += W_CONTAINED
                    x.why.append(f"in {mentions[link.b].text}")
            for y in cb:
                ey = gaz.entries[y.entry]
                if any(ey.contains(gaz.entries[x.entry]) for x in ca):
                    y.score += W_CONTAINER
        elif link.kind == "near":
            _near_bonus(ca, cb, gaz)
            _near_bonus(cb, ca, gaz)
    _list_levels(links, cands, gaz)
    # coherence with the governorates the rest of the article points at
    govs = _governorate_votes(cands, gaz)
    if govs:
        gpc, gov = feats.gpc, feats.gov
        for cs in cands:
            if cs:
                own = gpc[cs[0].entry]
                for c in cs:
                    g = gov[c.entry]
                    votes = govs.get(g)  # type: ignore[arg-type]
                    if votes and (votes > 1 or g != own):  # others than this mention's own reading
                        c.score += W_GOVERNORATE
                        c.why.append("governorate coherent")
    for cs in cands:
        if len(cs) > 1:
            cs.sort(key=_SCORE, reverse=True)  # stable: ties keep their order
    return cands


_SCORE = attrgetter("score")


def _prior(e: Entry) -> float:
    p = KIND_PRIOR.get(e.kind, 0.4)
    if e.population > 0:
        p += W_POPULATION * min(1.0, math.log10(e.population) / 6.5)
    if e.country == "IQ":
        p += W_IRAQ
    elif e.kind != "country":
        p *= FOREIGN_FACTOR
    return p


def _near_bonus(xs: list[Scored], ys: list[Scored], gaz: Gazetteer) -> None:
    for x in xs:
        ex = gaz.entries[x.entry]
        for y in ys:
            ey = gaz.entries[y.entry]
            if ex.governorate_pcode and ex.governorate_pcode == ey.governorate_pcode or (
                _km(ex, ey) < 60 and ex.country == ey.country
            ):
                x.score += W_NEAR
                x.why.append("near a neighbouring mention")
                break


def _list_levels(links: list[Link], cands: list[list[Scored]], gaz: Gazetteer) -> None:
    """In a list "X و Y و Z", favour the admin level most members can take."""
    groups: list[list[int]] = []
    for link in links:  # list links join consecutive mentions, so a list is a run of links
        if link.kind != "list":
            continue
        if groups and groups[-1][-1] == link.a:
            groups[-1].append(link.b)
        else:
            groups.append([link.a, link.b])
    for g in groups:
        if len(g) < 3:
            continue
        counts: dict[str, int] = defaultdict(int)
        kinds = _features(gaz).kind
        for i in g:
            for kind in {kinds[c.entry] for c in cands[i]}:
                counts[kind] += 1
        if not counts:
            continue
        level, n = max(counts.items(), key=lambda kv: (kv[1], -_KIND_RANK[kv[0]]))
        if n < 2:
            continue
        for i in g:
            for c in cands[i]:
                if gaz.entries[c.entry].kind == level:
                    c.score += W_LIST_LEVEL
                    c.why.append(f"listed with other {level}s")


def _governorate_votes(cands: list[list[Scored]], gaz: Gazetteer) -> dict[str, int]:
    """How many mentions' best candidates lie in (or are) each Iraqi governorate."""
    gov = _features(gaz).gov
    votes: dict[str, int] = defaultdict(int)
    for cs in cands:
        if not cs:
            continue
        best = cs[0]
        for c in cs:  # the first of the best scores, as max() would
            if c.score > best.score:
                best = c
        g = gov[best.entry]
        if g:
            votes[g] += 1
    return votes


def _km(a: Entry, b: Entry) -> float:
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


# --- step 4: choose ----------------------------------------------------------------------------------


def choose(mentions: list[RawMention], cands: list[list[Scored]], gaz: Gazetteer) -> list[Place]:
    """One entry per mention (one reading per name per article unless a cue says otherwise),
    grouped into places ordered by first mention."""
    feats = _features(gaz)
    by_key: dict[str, dict[int, float]] = {}
    for m, cs in zip(mentions, cands, strict=True):
        if len(cs) > 1:
            totals = by_key.get(m.key)
            if totals is None:
                totals = by_key[m.key] = {}
            for c in cs:
                totals[c.entry] = totals.get(c.entry, 0.0) + c.score
    places: dict[int, Place] = {}
    runners: dict[int, dict[int, float]] = {}
    for m, cs in zip(mentions, cands, strict=True):
        if not cs:
            continue
        if len(cs) == 1:
            pick = cs[0]
            conf = WEAK_FACTOR if pick.weak else 0.99
        else:
            totals = by_key[m.key]
            pick = cs[0]  # the first of the best by (total over the name's mentions, own score)
            pick_total = totals[pick.entry]
            for c in cs:
                total = totals[c.entry]
                if total > pick_total or total == pick_total and c.score > pick.score:
                    pick, pick_total = c, total
            if m.cue_kind is not None and cs[0].entry != pick.entry:
                pick = cs[0]
            conf = _confidence(pick, cs, feats)
            others = runners.get(pick.entry)
            if others is None:
                others = runners[pick.entry] = {}
            for c in cs:
                if c.entry != pick.entry and others.get(c.entry, -1e9) < c.score:
                    others[c.entry] = c.score
        mention = Mention(m.start, m.end, m.text, m.sentence, m.modifier, m.modifier_span, m.cue)
        place = places.get(pick.entry)
        if place is not None:
            place.mentions.append(mention)
            if conf > place.confidence:
                place.confidence = conf
            continue
        e = gaz.entries[pick.entry]
        # positional (keywords cost twice as much): id, name, name_ar, kind, country, lat, lon,
        # confidence, mentions, pcode, governorate, governorate_pcode, dataset
        places[pick.entry] = Place(
            e.id, e.name, e.name_ar, e.kind, e.country, e.lat, e.lon, conf, [mention], e.pcode, e.governorate,
            e.governorate_pcode, e.dataset,
        )
    for entry_idx, others in runners.items():  # runner-up candidates, best first
        if len(others) == 1:
            best = list(others.items())
        else:
            best = sorted(others.items(), key=itemgetter(1), reverse=True)[:MAX_ALTERNATIVES]
        places[entry_idx].alternatives = [feats.candidate(i, sc) for i, sc in best]
    return sorted(places.values(), key=lambda p: p.mentions[0].start)


def _confidence(pick: Scored, cs: list[Scored], feats: _Features) -> float:
    """Softmax share of the chosen entry, counting entries of the same place (a city and the
    district it is the seat of, a governorate and its capital) as agreeing."""
    if len(cs) == 1:
        return WEAK_FACTOR if pick.weak else 0.99
    same_place, exp = feats.same_place, math.exp
    best, entry = pick.score, pick.entry
    total = agree = 0.0
    for c in cs:
        w = exp((c.score - best) / TEMPERATURE)
        total += w
        if c.entry == entry:
            agree += w
            continue
        same = same_place.get((entry, c.entry))
        if same is None:
            same = feats.same(entry, c.entry)
        if same:
            agree += w
    conf = agree / total if total else 0.0
    if pick.weak:
        conf *= WEAK_FACTOR
    conf = conf if conf < 0.99 else 0.99  # max(0.0, min(0.99, conf)) without two builtin calls
    return conf if conf > 0.0 else 0.0


def _same_place(a: Entry, b: Entry) -> bool:
    """Entries that are readings of one place: nested and close, e.g. Kirkuk city/district/
    governorate or Mosul city/district."""
    if a.kind == "country" or b.kind == "country":
        return False
    nested = a.contains(b) or b.contains(a) or (a.pcode is not None and a.pcode == b.subdistrict_pcode)
    return (nested or a.district_pcode and a.district_pcode == b.district_pcode) and _km(a, b) < 60


# --- the pipeline ------------------------------------------------------------------------------------


#: Texts longer than this are resolved piece by piece (line-aligned), so memory stays bounded;
#: the places of all pieces are merged.
LONG_TEXT_CHARS = 100_000


def geoparse(text: str, *, gazetteer: Gazetteer | None = None, lexicon: Lexicon | None = None) -> list[Place]:
    """Places mentioned in ``text``, each with its mentions (offsets into ``text``), confidence and
    runner-up candidates. An empty or place-free text gives an empty list."""
    if not text or not text.strip():
        return []
    gaz = gazetteer or load_gazetteer()
    lex = lexicon or load_lexicon()
    if len(text) > LONG_TEXT_CHARS:
        return _geoparse_long(text, gaz, lex)
    return _resolve(find_mentions(text, gaz, lex), gaz, lex)


def _resolve(mentions: list[RawMention], gaz: Gazetteer, lex: Lexicon) -> list[Place]:
    """Steps 2-4 of :func:`geoparse` on the mentions of one text."""
    if not mentions:
        return []
    ctx = _Context(mentions, gaz, lex, link_mentions(mentions, lex))
    return choose(mentions, _score(ctx, _candidates(ctx)), gaz)


def _geoparse_long(text: str, gaz: Gazetteer, lex: Lexicon) -> list[Place]:
    merged: dict[str, Place] = {}
    for offset, piece in iter_chunks(text, LONG_TEXT_CHARS):
        for p in _resolve(find_mentions(piece, gaz, lex, offset=offset), gaz, lex):
            have = merged.get(p.id)
            if have is None:
                merged[p.id] = p
                continue
            have.mentions.extend(p.mentions)
            have.confidence = max(have.confidence, p.confidence)
            known = {a.id for a in have.alternatives}
            have.alternatives.extend(a for a in p.alternatives if a.id not in known)
            have.alternatives.sort(key=lambda a: -a.score)
            del have.alternatives[MAX_ALTERNATIVES:]
    return sorted(merged.values(), key=lambda p: p.mentions[0].start)


def explain(text: str, *, gazetteer: Gazetteer | None = None) -> list[dict[str, object]]:
    """Every mention with its candidates, scores and evidence (for debugging and the dashboard)."""
    gaz = gazetteer or load_gazetteer()
    lex = load_lexicon()
    mentions = find_mentions(text, gaz, lex)
    cands = score(mentions, candidates(mentions, gaz, lex), gaz, lex)
    out: list[dict[str, object]] = []
    for m, cs in zip(mentions, cands, strict=True):
        out.append({
            "text": m.text,
            "start": m.start,
            "key": m.key,
            "blocked": m.blocked,
            "cue": m.cue,
            "modifier": m.modifier,
            "candidates": [
                (gaz.entries[c.entry].id, gaz.entries[c.entry].name, gaz.entries[c.entry].kind, round(c.score, 3), c.why)
                for c in cs
            ],
        })
    return out


__all__ = ["Candidate", "Link", "Scored", "candidates", "choose", "explain", "geoparse", "link_mentions", "score"]
