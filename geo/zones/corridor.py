"""The ``corridor`` construction: the area between two or three places.

"المنطقة الواقعة بين ديالى وصلاح الدين", "the stretch between Makhmour, Qayyarah and the Kirkuk
border": the convex hull of the places' seats (a governorate's capital, a district's or
sub-district's seat, a town's point), grown by the rules' ``width_km`` and clipped to the units
that hold the places (a town counts through the unit at ``point_unit_level``) grown by the same
width, and to Iraq. Two seats give a band along the line between them, three a triangle.
:func:`between_attack` draws an attack in such an area as an attack area with modifier
``between`` and the corridor's geometry.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import MultiPoint

from geo.model import Zone
from geo.zones import geometry as geom
from geo.zones.atlas import load_atlas
from geo.zones.build import (
    Build,
    Built,
    Located,
    latlon,
    make_zone,
    place_key,
    place_sig,
    seat_of,
    skip,
    unit_at,
)
from geo.zones.rules import KindRule
from geo.zones.triggers import Trigger


def build_corridor(build: Build, trigger: Trigger, hits: list[Any], rule: KindRule) -> Built:
    """One corridor between the places of ``hits`` (two or three); none when fewer can be located."""
    skipped = []
    located: list[tuple[Any, Located]] = []
    for hit in hits:
        where = build.locate(hit.place)
        if isinstance(where, str):
            skipped.append(skip(rule, trigger, hit.place, where))
        else:
            located.append((hit.place, where))
    if len(located) < 2:
        return [], skipped
    key = ("corridor", rule.kind, tuple(place_sig(p) for p, _ in located))
    return [build.once(key, _corridor_zone, rule, trigger, located)], skipped


def _corridor_zone(rule: KindRule, trigger: Trigger, located: list[tuple[Any, Located]]) -> Zone:
    atlas = load_atlas()
    width_m = rule.params["width_km"] * 1000.0
    seats, units, names = [], [], []
    for place, where in located:
        level = where.level if where.level is not None and where.pcode else rule.params["point_unit_level"]
        pcode = unit_at(where, level)
        unit_m = atlas.metric_geom(level, pcode)
        seat, seat_name, _src = seat_of(place, where, unit_m)
        seats.append(seat)
        units.append(unit_m)
        names.append(place.name)
    hull = MultiPoint([(p.x, p.y) for p in seats]).convex_hull.buffer(width_m, quad_segs=geom.QUAD_SEGS)
    within = shapely.union_all([u.buffer(width_m) for u in units]).intersection(atlas.iraq_m)
    shape = geom.clean(hull.intersection(within))
    keys = sorted(place_key(p) for p, _ in located)
    return make_zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{'+'.join(keys)}",
        label=f"{rule.label}: between {' and '.join(names)}",
        label_ar=f"{rule.label_ar} {' و'.join(p.name_ar or p.name for p, _ in located)}",
        places=[place_key(p) for p, _ in located],
        params={
            "method": "hull_of_seats",
            "width_km": rule.params["width_km"],
            "seats": [list(latlon(s)) for s in seats],
            "modifier": "between",
        },
        geometry_wgs=geom.to_wgs84(shape),
    )


def between_attack(attack: KindRule, trigger: Trigger, corridor: Zone) -> Zone:
    """The attack area of an attack in ``corridor`` (modifier ``between``, the corridor's shape)."""
    return make_zone(
        attack,
        trigger,
        zone_id=f"{attack.kind}:{'+'.join(sorted(corridor.places))}:between",
        label=f"{attack.label}: {corridor.label.split(': ', 1)[-1]}",
        label_ar=f"{attack.label_ar}: {corridor.label_ar}",
        places=list(corridor.places),
        params={"modifier": "between", "method": "corridor", "corridor": corridor.id},
        geometry_wgs=corridor.geometry,
    )
