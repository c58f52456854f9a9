"""Zone statistics: the area in km2 and the districts and sub-districts a zone covers or touches.

A unit is covered when at least the rules' ``cover_share`` of its area lies in the zone, and
touched when less does but still ``touch_min_km2`` or more. Computed once per distinct geometry
(a small cache keyed by a digest of the geometry's WKB), whatever the number of zones that share it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.model import Zone
from geo.zones import geometry as geom
from geo.zones.atlas import load_atlas
from geo.zones.rules import ZoneRules

_STATS_CACHE: OrderedDict[tuple[Any, ...], tuple[float, list[str], list[str]]] = OrderedDict()
_STATS_CACHE_SIZE = 1024
_STATS_LOCK = threading.Lock()
_DIGESTS: OrderedDict[int, tuple[BaseGeometry, bytes]] = OrderedDict()


def add_statistics(zone: Zone, rules: ZoneRules) -> None:
    """Fill ``area_km2``, ``covers`` and ``touches`` (ADM2 and ADM3 P-codes) of ``zone``.

    Computed once per distinct geometry: the cache is keyed by a digest of the geometry's WKB, so
    it holds no copy of the geometries it has seen.
    """
    key = (_digest(zone.geometry), rules.cover_share, rules.touch_min_km2)
    with _STATS_LOCK:
        cached = _STATS_CACHE.get(key)
        if cached is not None:
            _STATS_CACHE.move_to_end(key)
    if cached is None:
        cached = _statistics(zone.geometry, rules.cover_share, rules.touch_min_km2)
        with _STATS_LOCK:
            _STATS_CACHE[key] = cached
            if len(_STATS_CACHE) > _STATS_CACHE_SIZE:
                _STATS_CACHE.popitem(last=False)
    zone.area_km2, covers, touches = cached
    zone.covers, zone.touches = list(covers), list(touches)


def _digest(geometry: BaseGeometry) -> bytes:
    """The WKB digest of ``geometry``, kept per geometry object (zones taken from the
    construction cache share theirs), for the last ``_STATS_CACHE_SIZE`` objects."""
    with _STATS_LOCK:
        held = _DIGESTS.get(id(geometry))
    if held is not None and held[0] is geometry:
        return held[1]
    digest = hashlib.blake2b(shapely.to_wkb(geometry), digest_size=16).digest()
    with _STATS_LOCK:
        _DIGESTS[id(geometry)] = (geometry, digest)  # the geometry is held, so its id is not reused
        while len(_DIGESTS) > _STATS_CACHE_SIZE:
            _DIGESTS.popitem(last=False)
    return digest


def clear_statistics_cache() -> None:
    """Forget the statistics and digests kept across calls."""
    with _STATS_LOCK:
        _STATS_CACHE.clear()
        _DIGESTS.clear()


def _statistics(
    geometry_wgs: BaseGeometry, cover_share: float, touch_min_km2: float
) -> tuple[float, list[str], list[str]]:
    atlas = load_atlas()
    area = geom.geodesic_area_km2(geometry_wgs)
    zone_m = geom.to_metric(geometry_wgs)
    shapely.prepare(zone_m)
    covers: list[str] = []
    touches: list[str] = []
    for level in (2, 3):
        units = atlas.mgeoms[level]
        idx = atlas.trees[level].query(zone_m, predicate="intersects")
        if len(idx) == 0:
            continue
        idx = np.sort(idx)
        inside = shapely.contains(zone_m, units[idx])
        shared = np.where(inside, atlas.areas[level][idx], 0.0)
        partial = ~inside
        if partial.any():
            shared[partial] = shapely.area(shapely.intersection(units[idx[partial]], zone_m))
        share = shared / atlas.areas[level][idx]
        pcodes = [atlas.pcodes[level][i] for i in idx]
        covers += [str(pc) for pc, s in zip(pcodes, share, strict=True) if s >= cover_share]
        touches += [
            str(pc)
            for pc, s, a in zip(pcodes, share, shared, strict=True)
            if s < cover_share and a >= touch_min_km2 * 1e6
        ]
    return area, covers, touches
