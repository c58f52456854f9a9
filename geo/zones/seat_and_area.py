"""The ``seat_and_area`` construction: a joint operations room, its area and its seat.

Each place the trigger lists gives one room: its area of responsibility is the place's own unit,
or the unit at the rules' ``point_area_level`` that holds it (a town's district), and its seat is
the governorate capital, the town of the same name, or the place's own point
(:func:`geo.zones.build.seat_of`).
"""

from __future__ import annotations

from geo.model import Place, Zone
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
from geo.zones.triggers import PlaceHit, Trigger


def build_seat_and_area(build: Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> Built:
    """One operations room per place of ``hits``; the places that cannot be located are skipped."""
    zones, skipped = [], []
    for hit in hits:
        place = hit.place
        located = build.locate(place)
        if isinstance(located, str):
            skipped.append(skip(rule, trigger, place, located))
            continue
        key = ("seat_and_area", rule.kind, place_sig(place))
        zones.append(build.once(key, _room_zone, rule, trigger, place, located))
    return zones, skipped


def _room_zone(rule: KindRule, trigger: Trigger, place: Place, located: Located) -> Zone:
    """The operations room at ``place``: its area of responsibility and its seat."""
    atlas = load_atlas()
    level = min(located.level or 99, rule.params["point_area_level"])
    area_pcode = unit_at(located, level)
    area_m = atlas.metric_geom(level, area_pcode)
    seat_m, seat_name, seat_source = seat_of(place, located, area_m)
    area_en, area_ar = atlas.name(level, area_pcode)
    return make_zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{place_key(place)}",
        label=f"{rule.label}: {place.name}",
        label_ar=f"{rule.label_ar}: {place.name_ar or place.name}",
        places=[place_key(place)],
        params={
            "area_level": level,
            "area_pcode": area_pcode,
            "area_name": area_en,
            "area_name_ar": area_ar,
            "seat_name": seat_name,
            "seat_source": seat_source,
            "located_by": located.how,
        },
        geometry_wgs=atlas.wgs_geom(level, area_pcode),
        seat=latlon(seat_m),
    )
