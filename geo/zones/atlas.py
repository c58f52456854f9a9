"""The COD-AB boundaries as the constructions read them: one index per process.

:class:`Atlas` holds the ADM0-ADM3 layers in EPSG:4326 and in UTM 38N, indexed by P-code (rows,
prepared geometries, STRtrees, unit areas), and answers the unit lookups every construction makes:
the unit holding a point, a unit's parents, names and geometry, a governorate's neighbourhood, and
the lines derived from the boundaries (the Kurdistan Region line, the Syria and Iran frontiers).
:func:`load_atlas` builds it once per process.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.data import boundaries
from geo.zones import geometry as geom

#: How far outside every sub-district a point place may lie and still be placed (border towns), m.
POINT_SNAP_M = 2000.0
_LEVEL_OF_PCODE = {5: 1, 8: 2, 11: 3}
#: Most point lookups :meth:`Atlas.containing` keeps (the memo is emptied when full).
_CONTAINING_SIZE = 65536


class Atlas:
    """The COD-AB layers in EPSG:4326 and UTM 38N, indexed by P-code, and derived lines (per process)."""

    def __init__(self) -> None:
        self.wgs = {lvl: boundaries.load_level(lvl) for lvl in (0, 1, 2, 3)}
        self.metric = {lvl: gdf.to_crs(geom.METRIC_CRS) for lvl, gdf in self.wgs.items()}
        self.row = {lvl: {p: i for i, p in enumerate(gdf["pcode"])} for lvl, gdf in self.wgs.items()}
        self.mgeoms = {lvl: gdf.geometry.to_numpy() for lvl, gdf in self.metric.items()}
        for arr in self.mgeoms.values():
            shapely.prepare(arr)
        self.trees = {lvl: shapely.STRtree(self.mgeoms[lvl]) for lvl in (1, 2, 3)}
        self.areas = {lvl: shapely.area(self.mgeoms[lvl]) for lvl in (2, 3)}
        self.iraq_m = self.mgeoms[0][0]
        self.version = boundaries.dataset_version()
        # plain arrays and dicts for the lookups every construction makes (no frame indexing)
        self.wgeoms = {lvl: gdf.geometry.to_numpy() for lvl, gdf in self.wgs.items()}
        self.pcodes = {lvl: [str(p) for p in gdf["pcode"]] for lvl, gdf in self.wgs.items()}
        self._parents = {
            (lvl, up): [str(p) for p in gdf[f"adm{up}_pcode"]]
            for lvl, gdf in self.wgs.items()
            for up in range(1, lvl)
        }
        self._names: dict[tuple[int, str], tuple[str, str]] = {}
        self._containing: dict[tuple[int, float, float], str | None] = {}

    def level_of(self, pcode: str | None) -> int | None:
        if not pcode:
            return None
        level = _LEVEL_OF_PCODE.get(len(pcode))
        return level if level is not None and pcode in self.row[level] else None

    def name(self, level: int, pcode: str) -> tuple[str, str]:
        """``(English, Arabic)`` name of a unit."""
        names = self._names.get((level, pcode))
        if names is None:
            r = self.wgs[level].iloc[self.row[level][pcode]]
            names = self._names[(level, pcode)] = (str(r["name_en"]), str(r["name_ar"]))
        return names

    def wgs_geom(self, level: int, pcode: str) -> BaseGeometry:
        return self.wgeoms[level][self.row[level][pcode]]

    def metric_geom(self, level: int, pcode: str) -> BaseGeometry:
        return self.mgeoms[level][self.row[level][pcode]]

    def containing(self, level: int, point_m: Point) -> str | None:
        """P-code of the unit at ``level`` holding the point (or the nearest within POINT_SNAP_M).

        Answers are kept per (level, point) for the process, at most ``_CONTAINING_SIZE`` of them.
        """
        key = (level, point_m.x, point_m.y)
        if key in self._containing:
            return self._containing[key]
        found = self._containing_uncached(level, point_m)
        if len(self._containing) >= _CONTAINING_SIZE:
            self._containing.clear()
        self._containing[key] = found
        return found

    def _containing_uncached(self, level: int, point_m: Point) -> str | None:
        idx = self.trees[level].query(point_m, predicate="intersects")
        if len(idx) == 0:
            near = self.trees[level].query_nearest(point_m, max_distance=POINT_SNAP_M)
            if len(near) == 0:
                return None
            idx = near
        return self.pcodes[level][int(sorted(idx)[0])]

    def union(self, level: int, pcodes: Iterable[str]) -> BaseGeometry:
        return shapely.union_all([self.metric_geom(level, p) for p in sorted(set(pcodes))])

    def parent(self, level: int, pcode: str, up: int) -> str:
        """P-code of the unit at level ``up`` (<= ``level``) that holds unit ``pcode``."""
        if up == level:
            return pcode
        return self._parents[(level, up)][self.row[level][pcode]]

    def adm1_of(self, level: int, pcode: str) -> str:
        return self.parent(level, pcode, 1)

    @lru_cache(maxsize=32)  # noqa: B019 - the atlas lives for the whole process
    def neighbourhood(self, adm1: str) -> BaseGeometry:
        """The governorate and every governorate that shares a boundary with it (metric)."""
        home = self.metric_geom(1, adm1)
        idx = self.trees[1].query(home.buffer(100.0), predicate="intersects")
        return shapely.union_all(self.mgeoms[1][idx])

    @lru_cache(maxsize=8)  # noqa: B019
    def kurdistan(self, kri: tuple[str, ...]) -> tuple[BaseGeometry, BaseGeometry, BaseGeometry]:
        """``(region, federal Iraq, line between them)`` in the metric CRS."""
        region = self.union(1, kri)
        federal = self.union(1, [p for p in self.row[1] if p not in kri])
        line = geom.shared_line(region, federal, tolerance_m=1.0)
        return region, federal, line

    @lru_cache(maxsize=64)  # noqa: B019
    def line_along(self, kri: tuple[str, ...], governorates: tuple[str, ...]) -> BaseGeometry:
        """The stretch of the Kurdistan Region line that borders ``governorates`` (metric)."""
        line = self.kurdistan(kri)[2]
        if not governorates:
            return shapely.LineString()
        named = self.union(1, governorates)
        part = line.intersection(named.buffer(1.0))
        return shapely.line_merge(part) if part.geom_type == "MultiLineString" else part

    @lru_cache(maxsize=8)  # noqa: B019
    def syria_frontier(self, tolerance_km: float, fallback: tuple[str, ...]) -> tuple[BaseGeometry, str]:
        """The Iraq-Syria frontier as a line on the Iraq outline, and where it came from."""
        syria = boundaries.load_neighbours(0)
        if syria is not None and len(syria):
            syria_m = shapely.union_all(syria.to_crs(geom.METRIC_CRS).geometry.values)
            line = geom.boundary_part_near(self.iraq_m, syria_m, tolerance_m=tolerance_km * 1000)
            return line, boundaries.NEIGHBOUR_DATASET
        return self._outline_of(fallback), "iraq_outline:" + "+".join(fallback)

    @lru_cache(maxsize=8)  # noqa: B019
    def iran_frontier(self, governorates: tuple[str, ...]) -> BaseGeometry:
        """The Iraq-Iran frontier derived from the Iraq outline (no Iran layer is available)."""
        return self._outline_of(governorates)

    def _outline_of(self, governorates: tuple[str, ...]) -> BaseGeometry:
        edges = shapely.union_all([self.metric_geom(1, p).boundary for p in governorates])
        line = edges.intersection(self.iraq_m.boundary.buffer(1.0))
        return shapely.line_merge(line) if line.geom_type == "MultiLineString" else line


@lru_cache(maxsize=1)
def load_atlas() -> Atlas:
    """The process-wide :class:`Atlas` (built on first use from the boundary cache)."""
    return Atlas()
