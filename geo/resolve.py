"""Mentions -> places: candidates, evidence, scoring, choice and confidence.

:func:`geoparse` is the one call: ``text -> list[Place]``. It runs four named steps, each
testable alone:

1. :func:`geo.extract.find_mentions` - names in the text with their context;
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
from dataclasses import dataclass, field, replace

from geo.extract import Lexicon, RawMention, find_mentions, iter_chunks, load_lexicon, token_key
from geo.gazetteer import Entry, Gazetteer, load_gazetteer
from geo.model import Candidate, Mention, Place, Span
from geo.normalize import TOKEN_RE

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


# --- step 2: candidates ----------------------------------------------------------------------------


def candidates(
    mentions: list[RawMention], gaz: Gazetteer, lexicon: Lexicon | None = None, links: list[Link] | None = None
) -> list[list[Scored]]:
    """Eligible candidates of every mention (empty for blocked mentions or missing evidence)."""
    if links is None:
        links = link_mentions(mentions, lexicon or load_lexicon())
    ctx = _Context.of(mentions, links, gaz)
    out: list[list[Scored]] = []
    strong_keys = gaz.strong_keys
    for i, m in enumerate(mentions):
        if m.blocked:
            out.append([])
            continue
        if m.key in strong_keys and (not m.adjectival or m.key[4:] not in gaz.ambiguous):
            out.append([Scored(e_idx, 0.0) for e_idx in m.entries])
            continue
        doubt = gaz.ambiguous.get(m.key.removeprefix("adj:"))
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


@dataclass
class _Context:
    """Article-wide facts the evidence rules read, computed once per article."""

    countries: set[str]
    sentence_govs: dict[tuple[int, int], list[tuple[int, str]]]
    article_govs: dict[str, set[int]]
    containers: dict[int, list[int]]

    @classmethod
    def of(cls, mentions: list[RawMention], links: list[Link], gaz: Gazetteer) -> _Context:
        sentence_govs = _sentence_governorates(mentions, gaz)
        article_govs: dict[str, set[int]] = defaultdict(set)
        for pairs in sentence_govs.values():
            for j, g in pairs:
                if len(article_govs[g]) < 2:  # two holders are enough to exclude any one mention
                    article_govs[g].add(j)
        containers: dict[int, list[int]] = defaultdict(list)
        for link in links:
            if link.kind == "in":
                containers[link.a].append(link.b)
        return cls(_article_countries(mentions, gaz), sentence_govs, article_govs, containers)


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
    if gov and any(j != i and g == gov for j, g in ctx.sentence_govs.get((m.sentence.start, m.sentence.end), ())):
        return "same governorate in sentence"
    if needs == "word" and gov and m.locative and ctx.article_govs.get(gov, set()) - {i}:
        return "after a preposition, governorate named in the article"
    if needs == "word" and not m.arabic and m.capitalised and not m.sentence_initial and m.locative:
        return "capitalised after a preposition"
    return None


def _article_countries(mentions: list[RawMention], gaz: Gazetteer) -> set[str]:
    """Countries named in the article (by name or adjective, not in an organisation name)."""
    out: set[str] = set()
    for m in mentions:
        if m.blocked == "organisation":
            continue
        for j in m.entries:
            e = gaz.entries[j]
            if e.kind == "country":
                out.add(e.country)
    return out


def _sentence_governorates(
    mentions: list[RawMention], gaz: Gazetteer
) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """Per sentence, (mention index, governorate P-code) of its unambiguous Iraqi mentions."""
    out: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.blocked or gaz.ambiguous.get(m.key):
            continue
        for j in m.entries:
            e = gaz.entries[j]
            if e.strength == "strong" and e.governorate_pcode:
                out[(m.sentence.start, m.sentence.end)].append((i, e.governorate_pcode))
    return out


def link_mentions(mentions: list[RawMention], lexicon: Lexicon) -> list[Link]:
    """Adjacent mentions in one sentence read as "X in Y", "X near Y" or a list "X, Y".

    The words between them decide: connectors (في، التابع لـ, in, of, ","), a spatial modifier
    (near, شمال), a coordinating و / "and" / comma, or a proclitic ب/ل on Y (هيت بالأنبار).
    """
    links: list[Link] = []
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        if a.sentence.start != b.sentence.start or b.start - a.end > MAX_LINK_GAP or a.blocked or b.blocked:
            continue
        gap = _gap_text(a, b)
        words = [token_key(t) for t in TOKEN_RE.findall(gap)] if gap.strip() else []
        if not words:
            if b.proclitic.startswith("و") or _LIST_SEP.match(gap) and ("," in gap or "،" in gap):
                links.append(Link(i, i + 1, "list"))
                if "," in gap or "،" in gap:
                    links.append(Link(i, i + 1, "in"))
            elif b.proclitic[:1] in ("ب", "ل") or b.proclitic.startswith(("وب", "ول")):
                links.append(Link(i, i + 1, "in"))
            continue
        if len(words) == 1 and words[0] in ("and", "و", "or", "او"):
            links.append(Link(i, i + 1, "list"))
            continue
        kinds = {_gap_word(lexicon, w) for w in words}
        if "other" in kinds:
            continue
        links.append(Link(i, i + 1, "near" if "near" in kinds else "in"))
    return links


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
    if links is None:
        links = link_mentions(mentions, lexicon or load_lexicon())
    countries = _article_countries(mentions, gaz)
    # first pass: priors and local evidence
    priors = _priors(gaz)
    for m, cs in zip(mentions, cands, strict=True):
        for c in cs:
            e = gaz.entries[c.entry]
            c.score = priors[c.entry]
            if m.cue_kind is not None:
                if e.kind in _CUE_AGREES.get(m.cue_kind, ()):
                    c.score += W_CUE_MATCH
                    c.why.append(f"cue {m.cue_kind}")
                elif m.cue_kind != "other" and (e.kind in _ADMIN or m.cue_kind in _ADMIN):
                    c.score -= W_CUE_CLASH
            if e.country != "IQ" and e.country in countries and e.kind != "country":
                c.score += W_COUNTRY
                c.why.append("country named")
            if m.adjectival and e.kind == "country":
                c.score += 0.05
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
    for i, cs in enumerate(cands):
        own = {gaz.entries[c.entry].governorate_pcode for c in cs[:1]}
        for c in cs:
            e = gaz.entries[c.entry]
            g = e.governorate_pcode or (e.pcode if e.kind == "governorate" else None)
            if g and govs.get(g, 0) - (1 if g in own else 0) > 0:
                c.score += W_GOVERNORATE
                c.why.append("governorate coherent")
    for cs in cands:
        cs.sort(key=lambda c: -c.score)
    return cands


_PRIORS: dict[int, list[float]] = {}


def _priors(gaz: Gazetteer) -> list[float]:
    """:func:`_prior` of every entry, computed once per gazetteer."""
    cached = _PRIORS.get(id(gaz))
    if cached is None or len(cached) != len(gaz.entries):
        _PRIORS.clear()
        cached = _PRIORS[id(gaz)] = [_prior(e) for e in gaz.entries]
    return cached


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
        for i in g:
            for kind in {gaz.entries[c.entry].kind for c in cands[i]}:
                counts[kind] += 1
        if not counts:
            continue
        level, n = max(counts.items(), key=lambda kv: (kv[1], -list(KIND_PRIOR).index(kv[0])))
        if n < 2:
            continue
        for i in g:
            for c in cands[i]:
                if gaz.entries[c.entry].kind == level:
                    c.score += W_LIST_LEVEL
                    c.why.append(f"listed with other {level}s")


def _governorate_votes(cands: list[list[Scored]], gaz: Gazetteer) -> dict[str, int]:
    """How many mentions' best candidates lie in (or are) each Iraqi governorate."""
    votes: dict[str, int] = defaultdict(int)
    for cs in cands:
        if not cs:
            continue
        best = max(cs, key=lambda c: c.score)
        e = gaz.entries[best.entry]
        g = e.governorate_pcode or (e.pcode if e.kind == "governorate" else None)
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
    by_key: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for m, cs in zip(mentions, cands, strict=True):
        if len(cs) > 1:
            totals = by_key[m.key]
            for c in cs:
                totals[c.entry] += c.score
    chosen: list[tuple[int, Scored] | None] = []
    for m, cs in zip(mentions, cands, strict=True):
        if not cs:
            chosen.append(None)
            continue
        if len(cs) == 1:
            chosen.append((cs[0].entry, cs[0]))
            continue
        totals = by_key[m.key]
        pick = max(cs, key=lambda c: (totals[c.entry], c.score))
        own = cs[0]
        if m.cue_kind is not None and own.entry != pick.entry:
            pick = own
        chosen.append((pick.entry, pick))
    places: dict[int, Place] = {}
    runners: dict[int, dict[int, float]] = defaultdict(dict)
    for m, cs, ch in zip(mentions, cands, chosen, strict=True):
        if ch is None:
            continue
        entry_idx, pick = ch
        conf = _confidence(pick, cs, gaz)
        mention = Mention(m.start, m.end, m.text, m.sentence, m.modifier, m.modifier_span, m.cue)
        others = runners[entry_idx]
        for c in cs:
            if c.entry != entry_idx and others.get(c.entry, -1e9) < c.score:
                others[c.entry] = c.score
        place = places.get(entry_idx)
        if place is not None:
            place.mentions.append(mention)
            place.confidence = max(place.confidence, conf)
            continue
        e = gaz.entries[entry_idx]
        places[entry_idx] = Place(
            id=e.id,
            name=e.name,
            name_ar=e.name_ar,
            kind=e.kind,
            country=e.country,
            lat=e.lat,
            lon=e.lon,
            confidence=conf,
            mentions=[mention],
            pcode=e.pcode,
            governorate=e.governorate,
            governorate_pcode=e.governorate_pcode,
            dataset=e.dataset,
        )
    for entry_idx, place in places.items():
        best = sorted(runners[entry_idx].items(), key=lambda kv: -kv[1])[:MAX_ALTERNATIVES]
        place.alternatives = [_candidate(gaz, i, sc) for i, sc in best]
    return sorted(places.values(), key=lambda p: p.mentions[0].start)


_CANDIDATES: dict[tuple[int, int, float], Candidate] = {}


def _candidate(gaz: Gazetteer, entry: int, score: float) -> Candidate:
    """The (immutable, shared) :class:`Candidate` of an entry at a score."""
    key = (id(gaz), entry, round(score, 4))
    cand = _CANDIDATES.get(key)
    if cand is None:
        if len(_CANDIDATES) > 100_000:
            _CANDIDATES.clear()
        cand = _CANDIDATES[key] = gaz.entries[entry].to_candidate(score)
    return cand


def _confidence(pick: Scored, cs: list[Scored], gaz: Gazetteer) -> float:
    """Softmax share of the chosen entry, counting entries of the same place (a city and the
    district it is the seat of, a governorate and its capital) as agreeing."""
    if len(cs) == 1:
        return WEAK_FACTOR if pick.weak else 0.99
    total = agree = 0.0
    for c in cs:
        w = math.exp((c.score - pick.score) / TEMPERATURE)
        total += w
        if c.entry == pick.entry or _same_place_cached(gaz, pick.entry, c.entry):
            agree += w
    conf = agree / total if total else 0.0
    if pick.weak:
        conf *= WEAK_FACTOR
    return max(0.0, min(0.99, conf))


_SAME: dict[tuple[int, int, int], bool] = {}


def _same_place_cached(gaz: Gazetteer, a: int, b: int) -> bool:
    key = (id(gaz), a, b)
    hit = _SAME.get(key)
    if hit is None:
        if len(_SAME) > 200_000:
            _SAME.clear()
        hit = _SAME[key] = bool(_same_place(gaz.entries[a], gaz.entries[b]))
    return hit


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
    mentions = find_mentions(text, gaz, lex)
    if not mentions:
        return []
    links = link_mentions(mentions, lex)
    cands = candidates(mentions, gaz, lex, links)
    score(mentions, cands, gaz, lex, links)
    return choose(mentions, cands, gaz)


def _geoparse_long(text: str, gaz: Gazetteer, lex: Lexicon) -> list[Place]:
    merged: dict[str, Place] = {}
    for offset, piece in iter_chunks(text, LONG_TEXT_CHARS):
        for p in geoparse(piece, gazetteer=gaz, lexicon=lex):
            p.mentions = [_shift(m, offset) for m in p.mentions]
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


def _shift(m: Mention, offset: int) -> Mention:
    s, ms = m.sentence, m.modifier_span
    return replace(
        m,
        start=m.start + offset,
        end=m.end + offset,
        sentence=Span(s.start + offset, s.end + offset, s.text),
        modifier_span=None if ms is None else Span(ms.start + offset, ms.end + offset, ms.text),
    )


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
