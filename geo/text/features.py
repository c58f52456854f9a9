"""What scoring reads of every gazetteer entry, worked out once per gazetteer.

:class:`Features` holds, by entry position, the prior (kind, population, Iraq first: :data:`KIND_PRIOR`
and the weights below), kind, governorate and country of every entry, and caches which entry pairs
are readings of one place and the :class:`geo.model.Candidate` of an entry at a score. :func:`km`
is the distance the resolver's rules measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from geo.data.gazetteer import Entry, Gazetteer
from geo.model import Candidate

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


@dataclass(eq=False)
class Features:
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
    def of(cls, gaz: Gazetteer) -> Features:
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


_FEATURES: list[Features] = []


def features(gaz: Gazetteer) -> Features:
    """The features of ``gaz`` (one gazetteer at a time)."""
    if _FEATURES and _FEATURES[0].gaz is gaz and len(_FEATURES[0].prior) == len(gaz.entries):
        return _FEATURES[0]
    feats = Features.of(gaz)
    _FEATURES[:] = [feats]
    return feats


def _prior(e: Entry) -> float:
    p = KIND_PRIOR.get(e.kind, 0.4)
    if e.population > 0:
        p += W_POPULATION * min(1.0, math.log10(e.population) / 6.5)
    if e.country == "IQ":
        p += W_IRAQ
    elif e.kind != "country":
        p *= FOREIGN_FACTOR
    return p


def km_grid(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Equirectangular distances (km) between points given in radians, as numpy arrays that
    broadcast against each other (a column against a row gives every pair): :func:`km` for many."""
    return 6371.0 * np.hypot(lat2 - lat1, (lon2 - lon1) * np.cos((lat1 + lat2) / 2))


def km(a: Entry, b: Entry) -> float:
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def _same_place(a: Entry, b: Entry) -> bool:
    """Entries that are readings of one place: nested and close, e.g. Kirkuk city/district/
    governorate or Mosul city/district."""
    if a.kind == "country" or b.kind == "country":
        return False
    nested = a.contains(b) or b.contains(a) or (a.pcode is not None and a.pcode == b.subdistrict_pcode)
    same_district = bool(a.district_pcode) and a.district_pcode == b.district_pcode
    return (nested or same_district) and km(a, b) < 60


__all__ = ["FOREIGN_FACTOR", "KIND_PRIOR", "W_IRAQ", "W_POPULATION", "Features", "features", "km"]
