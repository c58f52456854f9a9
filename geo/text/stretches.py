"""Step 5 of the resolver: the stretch of a long feature the article is about.

A river, range or wadi of ``data/physical_features.toml`` has several points, one gazetteer entry
each (``feature:<id>:<n>``). The choice step picks one of them by score; this step moves each
such place to the point nearest the article's other Iraqi places (towns, units, villages: the
distance to the closest of them), so "the Tigris" in an article about Mosul is the Tigris at
Mosul, and in one about Tarmiyah the Tigris at Tarmiyah. The place named closest to the feature in
the same sentence comes first: "between Baiji and Shirqat ... the village of Walinah on the west
bank of the Tigris" puts the Tigris at Walinah, not at Baiji. A feature named
alone (no other place in Iraq) keeps the point chosen.
"""

from __future__ import annotations

import math

from geo.data.gazetteer import Gazetteer
from geo.model import Place

#: Kinds of place that anchor a stretch (countries and regions are too large to tell).
_ANCHOR_KINDS = frozenset({"district", "subdistrict", "city", "town", "village", "other", "governorate"})

_GROUPS: list[tuple[Gazetteer, dict[str, list[int]]]] = []


def feature_groups(gaz: Gazetteer) -> dict[str, list[int]]:
    """Feature id (``feature:<id>``) -> positions of its points, for features of several points."""
    if _GROUPS and _GROUPS[0][0] is gaz:
        return _GROUPS[0][1]
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(gaz.entries):
        if e.id.startswith("feature:") and e.id.count(":") == 2:
            groups.setdefault(e.id.rsplit(":", 1)[0], []).append(i)
    _GROUPS[:] = [(gaz, groups)]
    return groups


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


#: How close (in characters) a place must be named to a feature to fix its stretch on its own.
NEXT_TO_CHARS = 80


def _nearest_in_sentence(
    feature: Place, anchors: list[tuple[float, float, bool, list[tuple[int, int]]]]
) -> list[tuple[float, float]]:
    """The anchors that fix the stretch of ``feature``: the one named next to it (within
    :data:`NEXT_TO_CHARS` in the same sentence) alone, else every anchor named in one of its
    sentences; empty when none shares a sentence with it."""
    best: tuple[int, float, float] | None = None
    same: list[tuple[float, float]] = []
    for m in feature.mentions:
        for la, lo, gov, spots in anchors:
            if gov:
                continue
            for sentence, start in spots:
                if sentence != m.sentence.start:
                    continue
                same.append((la, lo))
                gap = abs(start - m.start)
                if gap <= NEXT_TO_CHARS and (best is None or gap < best[0]):
                    best = (gap, la, lo)
    return [(best[1], best[2])] if best is not None else same


def place_stretches(places: list[Place], gaz: Gazetteer) -> list[Place]:
    """Move every multi-point feature in ``places`` to its point nearest the other places (in place).

    Examples
    --------
    >>> text = "اشتباكات قرب نهر دجلة في الموصل"
    >>> places = place_stretches(geoparse(text), load_gazetteer())  # doctest: +SKIP
    >>> places[0].id  # doctest: +SKIP
    'feature:tigris:2'
    """
    if not any(p.id.startswith("feature:") for p in places):
        return places
    groups = feature_groups(gaz)
    anchors = [
        (p.lat, p.lon, p.kind == "governorate", [(m.sentence.start, m.start) for m in p.mentions])
        for p in places
        if p.country == "IQ" and p.kind in _ANCHOR_KINDS and not p.id.startswith("feature:")
    ]
    local = [(la, lo) for la, lo, gov, _ in anchors if not gov] or [(la, lo) for la, lo, _, _ in anchors]
    if not local:
        return places
    for p in places:
        if not p.id.startswith("feature:") or p.id.count(":") != 2:
            continue
        members = groups.get(p.id.rsplit(":", 1)[0])
        if not members:
            continue
        near = _nearest_in_sentence(p, anchors) or local
        best = min(
            members,
            key=lambda i: min(_km(gaz.entries[i].lat, gaz.entries[i].lon, la, lo) for la, lo in near),
        )
        e = gaz.entries[best]
        p.id, p.lat, p.lon = e.id, e.lat, e.lon
        p.governorate, p.governorate_pcode = e.governorate, e.governorate_pcode
    merged: dict[str, Place] = {}
    for p in places:  # two names of one feature moved to one point are one place
        have = merged.get(p.id)
        if have is None:
            merged[p.id] = p
            continue
        have.mentions.extend(p.mentions)
        have.mentions.sort(key=lambda m: m.start)
        have.confidence = max(have.confidence, p.confidence)
    return list(merged.values()) if len(merged) < len(places) else places


__all__ = ["NEXT_TO_CHARS", "feature_groups", "place_stretches"]
