"""Pure shapely/pyproj constructions behind the zones: belts, halves, rings and bands.

Every function here works on geometries in a metric CRS (metres; Zone Atlas uses UTM 38N,
EPSG:32638) except :func:`to_metric`, :func:`to_wgs84` and :func:`geodesic_area_km2`, which move
between that CRS and EPSG:4326. Nothing here reads files or knows about zone kinds, so each
construction can be tested on three hand-made squares.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from geo import config
from geo.errors import ParameterError

#: The metric CRS of every construction (UTM zone 38N covers Iraq's centre, 42-48 E).
METRIC_CRS = config.METRIC_CRS
WGS84 = "EPSG:4326"
#: The compass directions :func:`half_towards` understands: halves, and quadrants for the diagonals.
DIRECTIONS = ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
#: Segments per quarter circle of buffers and discs.
QUAD_SEGS = 16
_GEOD = Geod(ellps="WGS84")


@lru_cache(maxsize=4)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _reproject(geom: BaseGeometry, src: str, dst: str) -> BaseGeometry:
    transformer = _transformer(src, dst)

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` (EPSG:4326, lon/lat) in the metric CRS."""
    return _reproject(geom, WGS84, METRIC_CRS)


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` (metric CRS) back in EPSG:4326, repaired if the round trip made it invalid."""
    out = _reproject(geom, METRIC_CRS, WGS84)
    return clean(out)


def clean(geom: BaseGeometry) -> BaseGeometry:
    """A valid polygonal geometry: repairs invalid input and drops points and lines left over."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    return geom


def geodesic_area_km2(geom_wgs84: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid, in km2, of a (multi)polygon in EPSG:4326."""
    if geom_wgs84.is_empty:
        return 0.0
    area, _ = _GEOD.geometry_area_perimeter(shapely.orient_polygons(geom_wgs84, exterior_cw=False))
    return abs(area) / 1e6


def _check_positive(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value) or value <= 0:
        msg = f"{name} must be a positive number of metres, got {value!r}"
        raise ParameterError(msg)
    return float(value)


def shared_line(a: BaseGeometry, b: BaseGeometry, *, tolerance_m: float = 1.0) -> BaseGeometry:
    """The stretch of ``a``'s boundary that runs along ``b`` (within ``tolerance_m``), merged."""
    line = a.boundary.intersection(b.buffer(tolerance_m))
    return shapely.line_merge(line) if line.geom_type == "MultiLineString" else line


def boundary_part_near(outline: BaseGeometry, near: BaseGeometry, *, tolerance_m: float) -> BaseGeometry:
    """The part of ``outline``'s boundary lying within ``tolerance_m`` of ``near``."""
    return shared_line(outline, near, tolerance_m=tolerance_m)


def belt_along_line(
    line: BaseGeometry, width_m: float, *, within: BaseGeometry | None = None
) -> BaseGeometry:
    """Everything within ``width_m`` of ``line``, clipped to ``within`` when given."""
    width_m = _check_positive("belt width", width_m)
    belt = line.buffer(width_m, quad_segs=QUAD_SEGS)
    if within is not None:
        belt = belt.intersection(within)
    return clean(belt)


def half_towards(poly: BaseGeometry, direction: str) -> BaseGeometry:
    """The part of ``poly`` on the ``direction`` side of the lines through its centroid.

    "north" keeps everything north of the east-west line through the centroid, "east" everything
    east of the north-south line; a diagonal ("northeast") keeps the quadrant north and east of
    the centroid.
    """
    if direction not in DIRECTIONS:
        msg = f"direction must be one of {DIRECTIONS}, got {direction!r}"
        raise ParameterError(msg)
    return clean(poly.intersection(_half_plane(poly.bounds, poly.centroid, direction)))


def _half_plane(bounds: tuple[float, float, float, float], origin: Point, direction: str) -> BaseGeometry:
    minx, miny, maxx, maxy = bounds
    pad = 1.0 + max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    cx, cy = origin.x, origin.y
    if direction in ("north", "south"):
        miny, maxy = (cy, maxy) if direction == "north" else (miny, cy)
    elif direction in ("east", "west"):
        minx, maxx = (cx, maxx) if direction == "east" else (minx, cx)
    else:  # a diagonal: the quadrant of both halves
        miny, maxy = (cy, maxy) if direction.startswith("north") else (miny, cy)
        minx, maxx = (cx, maxx) if direction.endswith("east") else (minx, cx)
    return box(minx, miny, maxx, maxy)


def ring_around(
    centre: Point,
    inner_m: float,
    outer_m: float,
    *,
    within: BaseGeometry | None = None,
    direction: str | None = None,
) -> BaseGeometry:
    """The ring between ``inner_m`` and ``outer_m`` around ``centre``, clipped to ``within``.

    With ``direction`` only the half of the ring on that side of ``centre`` is kept ("north of
    the city"), or the quadrant for a diagonal. ``inner_m = 0`` gives a disc.
    """
    outer_m = _check_positive("ring outer radius", outer_m)
    if not np.isfinite(inner_m) or inner_m < 0 or inner_m >= outer_m:
        msg = f"ring inner radius must be >= 0 and below the outer radius {outer_m} m, got {inner_m!r}"
        raise ParameterError(msg)
    ring = centre.buffer(outer_m, quad_segs=QUAD_SEGS)
    if inner_m > 0:
        ring = ring.difference(centre.buffer(inner_m, quad_segs=QUAD_SEGS))
    if direction is not None:
        if direction not in DIRECTIONS:
            msg = f"direction must be one of {DIRECTIONS}, got {direction!r}"
            raise ParameterError(msg)
        ring = ring.intersection(_half_plane(ring.bounds, centre, direction))
    if within is not None:
        ring = ring.intersection(within)
    return clean(ring)


def core(poly: BaseGeometry, width_m: float) -> BaseGeometry:
    """What is left of ``poly`` more than ``width_m`` inside its boundary (empty if it is thinner)."""
    width_m = _check_positive("band width", width_m)
    return clean(poly.buffer(-width_m, quad_segs=QUAD_SEGS))


def inner_band(poly: BaseGeometry, width_m: float) -> BaseGeometry:
    """The band of ``poly`` within ``width_m`` of its own boundary (all of it if it is thinner)."""
    width_m = _check_positive("band width", width_m)
    core = poly.buffer(-width_m, quad_segs=QUAD_SEGS)
    return clean(poly.difference(core) if not core.is_empty else poly)


def share_inside(unit: BaseGeometry, zone: BaseGeometry) -> float:
    """Share (0-1) of ``unit``'s area that lies inside ``zone``."""
    if unit.area == 0:
        return 0.0
    return float(unit.intersection(zone).area / unit.area)


def as_geojson(geom: BaseGeometry, *, precision: int = 6) -> dict[str, Any]:
    """GeoJSON geometry mapping of ``geom`` with coordinates rounded to ``precision`` decimals."""
    rounded = shapely.set_precision(geom, 10.0**-precision) if precision else geom
    return shapely.geometry.mapping(clean(rounded))
