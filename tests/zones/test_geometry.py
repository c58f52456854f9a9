"""Constructions of geo.zones.geometry on tiny hand-made shapes (metres)."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point, Polygon, box

from geo.errors import ParameterError
from geo.zones import geometry as g

SQUARE = box(0, 0, 100_000, 100_000)  # 100 km x 100 km
TRIANGLE = Polygon([(0, 0), (90_000, 0), (0, 90_000)])  # centroid at (30 km, 30 km)


def test_belt_along_line_has_the_width_asked_for_and_stays_inside() -> None:
    line = LineString([(0, 50_000), (100_000, 50_000)])
    belt = g.belt_along_line(line, 10_000, within=SQUARE)
    assert belt.area == pytest.approx(100_000 * 20_000, rel=1e-6)
    assert SQUARE.buffer(1).contains(belt)
    one_side = g.belt_along_line(line, 10_000, within=box(0, 0, 100_000, 50_000))
    assert one_side.area == pytest.approx(100_000 * 10_000, rel=1e-6)


@pytest.mark.parametrize("width", [0, -5, math.nan, math.inf, "10", True])
def test_belt_along_line_refuses_a_bad_width(width: object) -> None:
    with pytest.raises(ParameterError, match="belt width"):
        g.belt_along_line(LineString([(0, 0), (1, 1)]), width)  # type: ignore[arg-type]


def test_half_towards_cuts_at_the_centroid() -> None:
    north = g.half_towards(TRIANGLE, "north")
    south = g.half_towards(TRIANGLE, "south")
    east = g.half_towards(TRIANGLE, "east")
    cy = TRIANGLE.centroid.y
    assert north.bounds[1] == pytest.approx(cy)
    assert south.bounds[3] == pytest.approx(cy)
    assert east.bounds[0] == pytest.approx(TRIANGLE.centroid.x)
    assert north.area + south.area == pytest.approx(TRIANGLE.area)
    assert TRIANGLE.buffer(1).contains(north)
    with pytest.raises(ParameterError, match="direction"):
        g.half_towards(TRIANGLE, "up")


def test_ring_around_leaves_the_centre_out_and_clips() -> None:
    centre = Point(50_000, 50_000)
    ring = g.ring_around(centre, 10_000, 30_000)
    assert not ring.contains(centre)
    assert ring.contains(Point(70_000, 50_000))
    assert ring.area == pytest.approx(math.pi * (30_000**2 - 10_000**2), rel=0.01)
    clipped = g.ring_around(centre, 10_000, 30_000, within=box(0, 0, 100_000, 50_000))
    assert clipped.area == pytest.approx(ring.area / 2, rel=0.01)
    north = g.ring_around(centre, 10_000, 30_000, direction="north")
    assert north.bounds[1] == pytest.approx(50_000)
    with pytest.raises(ParameterError, match="inner radius"):
        g.ring_around(centre, 30_000, 10_000)


def test_inner_band_follows_the_boundary() -> None:
    band = g.inner_band(SQUARE, 10_000)
    assert band.area == pytest.approx(100_000**2 - 80_000**2, rel=1e-6)
    assert not band.contains(Point(50_000, 50_000))
    assert band.contains(Point(5_000, 50_000))
    thin = box(0, 0, 100_000, 5_000)
    assert g.inner_band(thin, 10_000).area == pytest.approx(thin.area)


def test_shared_line_is_the_common_edge() -> None:
    left, right = box(0, 0, 10, 10), box(10, 0, 20, 10)
    line = g.shared_line(left, right, tolerance_m=0.5)
    # the common edge plus at most the tolerance at each end
    assert 10 <= line.length <= 10 + 2 * 0.5
    assert line.distance(Point(10, 5)) == 0


def test_round_trip_to_metric_and_back_keeps_the_shape() -> None:
    square = box(44.0, 33.0, 44.5, 33.5)
    back = g.to_wgs84(g.to_metric(square))
    assert back.symmetric_difference(square).area < 1e-9
    # one degree of latitude by half a degree of longitude at 33 N: about 51.6 x 55.4 km
    assert g.geodesic_area_km2(square) == pytest.approx(2_586, rel=0.01)
    assert g.to_metric(square).area / 1e6 == pytest.approx(g.geodesic_area_km2(square), rel=0.01)


def test_clean_repairs_a_bow_tie() -> None:
    bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    assert not bow.is_valid
    fixed = g.clean(bow)
    assert fixed.is_valid and fixed.area == pytest.approx(0.5)


def test_diagonal_keeps_the_quadrant() -> None:
    ne = g.half_towards(SQUARE, "northeast")
    assert ne.equals(box(50_000, 50_000, 100_000, 100_000))
    sw_ring = g.ring_around(Point(0, 0), 0, 10, direction="southwest")
    assert sw_ring.bounds[2] == pytest.approx(0) and sw_ring.bounds[3] == pytest.approx(0)


def test_core_is_what_the_band_leaves() -> None:
    inside = g.core(SQUARE, 10_000)
    assert inside.equals(box(10_000, 10_000, 90_000, 90_000))
    assert inside.area + g.inner_band(SQUARE, 10_000).area == pytest.approx(SQUARE.area)
    assert g.core(box(0, 0, 100_000, 5_000), 10_000).is_empty
