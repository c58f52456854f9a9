"""Step 3 of the resolver: score every candidate of every mention.

Priors (:mod:`geo.text.features`) plus evidence: cue word agreement, "X in Y" containment,
proximity, coordination with places of the same level in a list, governorate and country coherence
with the rest of the article. Each rule's weight is a named constant below.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

import numpy as np

from geo.data.gazetteer import Entry, Gazetteer
from geo.text.candidates import ArticleFacts, Scored
from geo.text.context import RawMention
from geo.text.features import KIND_PRIOR, features, km, km_grid
from geo.text.lexicon import Lexicon
from geo.text.links import Link

#: Weights of the evidence terms.
W_CUE_MATCH = 0.5
W_CUE_CLASH = 0.3
W_CONTAINED = 0.4
W_CONTAINER = 0.15
W_NEAR = 0.15
W_LIST_LEVEL = 0.15
W_GOVERNORATE = 0.2
W_COUNTRY = 0.15
W_PROXIMITY = 0.3
#: Distances (km) of the proximity term (see :func:`_proximity`).
NEAR_KM = 15.0
FAR_KM = 40.0

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
    "crossing": ("subdistrict", "town", "city", "district"),
}


def score(
    mentions: list[RawMention],
    cands: list[list[Scored]],
    gaz: Gazetteer,
    lexicon: Lexicon | None = None,
    links: list[Link] | None = None,
) -> list[list[Scored]]:
    """Score every candidate (in place) and sort each list best first."""
    return score_with(ArticleFacts(mentions, gaz, lexicon, links), cands)


def score_with(facts: ArticleFacts, cands: list[list[Scored]]) -> list[list[Scored]]:
    """:func:`score` with the article's facts already gathered (shared with the candidates step)."""
    mentions, gaz, links = facts.mentions, facts.gaz, facts.links
    feats = features(gaz)
    prior, kinds, abroad = feats.prior, feats.kind, feats.abroad
    foreign = facts.countries - {"IQ"}
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
                elif cue_kind not in ("other", "crossing") and (kind in _ADMIN or cue_kind in _ADMIN):
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
    _proximity(facts, cands)
    for cs in cands:
        if len(cs) > 1:
            cs.sort(key=_SCORE, reverse=True)  # stable: ties keep their order
    return cands


def _proximity(facts: ArticleFacts, cands: list[list[Scored]]) -> None:
    """Among same-named places, favour those near the article's other places: a candidate within
    :data:`NEAR_KM` of a town or unit named elsewhere in the article (on its name alone) gains
    :data:`W_PROXIMITY`, within :data:`FAR_KM` half of it. A village named like a village
    300 km away thus resolves next to the places the article is about.

    Each distinct (name, candidate) pair is measured once per article (names repeat), all in one
    array operation."""
    entries, mentions = facts.gaz.entries, facts.mentions
    pairs: dict[tuple[str, int], int] = {}
    for i, cs in enumerate(cands):
        if len(cs) < 2:
            continue
        key = mentions[i].key
        for c in cs:
            if (key, c.entry) not in pairs:
                e = entries[c.entry]
                if e.country == "IQ" and e.kind not in ("country", "region", "governorate"):
                    pairs[(key, c.entry)] = len(pairs)
    if not pairs:
        return
    rows = {(lat, lon, mentions[j].key) for s in facts.anchors.values() for j, (lat, lon, _sub) in s}
    if not rows:
        return
    best = _nearest(list(pairs), sorted(rows), entries)
    for i, cs in enumerate(cands):
        if len(cs) < 2:
            continue
        key = mentions[i].key
        for c in cs:
            row = pairs.get((key, c.entry))
            if row is None:
                continue
            d = best[row]
            if d < NEAR_KM:
                c.score += W_PROXIMITY
                c.why.append("near the article's places")
            elif d < FAR_KM:
                c.score += W_PROXIMITY / 2


def _nearest(
    pairs: list[tuple[str, int]], anchors: list[tuple[float, float, str]], entries: list[Entry]
) -> list[float]:
    """For each (name, entry) pair, the distance (km, equirectangular) from the entry to the
    nearest anchor named otherwise (:data:`FAR_KM` when none is nearer)."""
    names = {key: n for n, key in enumerate({a[2] for a in anchors} | {p[0] for p in pairs})}
    a_lat = np.radians(np.fromiter((a[0] for a in anchors), float, len(anchors)))[None, :]
    a_lon = np.radians(np.fromiter((a[1] for a in anchors), float, len(anchors)))[None, :]
    a_name = np.fromiter((names[a[2]] for a in anchors), int, len(anchors))[None, :]
    lat = np.radians(np.fromiter((entries[e].lat for _k, e in pairs), float, len(pairs)))[:, None]
    lon = np.radians(np.fromiter((entries[e].lon for _k, e in pairs), float, len(pairs)))[:, None]
    name = np.fromiter((names[k] for k, _e in pairs), int, len(pairs))[:, None]
    out: list[float] = []
    step = max(1, _MATRIX_CELLS // len(anchors))  # rows at a time: memory stays bounded
    for lo in range(0, len(pairs), step):
        la, lo_, nm = lat[lo : lo + step], lon[lo : lo + step], name[lo : lo + step]
        d = km_grid(la, lo_, a_lat, a_lon)
        d[np.broadcast_to(a_name == nm, d.shape)] = FAR_KM
        out.extend(np.minimum(d.min(axis=1), FAR_KM).tolist())
    return out


#: Largest distance matrix (cells) :func:`_nearest` builds at once (~8 MB of floats).
_MATRIX_CELLS = 1_000_000


_SCORE = attrgetter("score")


def _near_bonus(xs: list[Scored], ys: list[Scored], gaz: Gazetteer) -> None:
    for x in xs:
        ex = gaz.entries[x.entry]
        for y in ys:
            ey = gaz.entries[y.entry]
            if (
                ex.governorate_pcode
                and ex.governorate_pcode == ey.governorate_pcode
                or (km(ex, ey) < 60 and ex.country == ey.country)
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
        kinds = features(gaz).kind
        for i in g:
            for kind in {kinds[c.entry] for c in cands[i]}:
                counts[kind] += 1
        if not counts:
            continue
        level, n = max(counts.items(), key=lambda kv: (kv[1], -_KIND_RANK[kv[0]]))
        if n < 2:
            continue
        # governorates are listed with governorates ("Kirkuk, Saladin and Nineveh"): that list
        # outweighs a town of the same name near the article's other places
        bonus = W_LIST_LEVEL * (2 if level == "governorate" else 1)
        for i in g:
            for c in cands[i]:
                if gaz.entries[c.entry].kind == level:
                    c.score += bonus
                    c.why.append(f"listed with other {level}s")


def _governorate_votes(cands: list[list[Scored]], gaz: Gazetteer) -> dict[str, int]:
    """How many mentions' best candidates lie in (or are) each Iraqi governorate."""
    gov = features(gaz).gov
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


__all__ = ["score", "score_with"]
