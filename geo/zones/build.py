"""What every construction shares: where places lie, one derivation's memo, the zone record.

:func:`_locate` places a resolved place in the boundaries (its own unit for governorates,
districts and sub-districts; the sub-district holding its point otherwise) as a :class:`Located`;
:func:`unit_at` and :func:`seat_of` read the unit and seat a construction draws from it.
:class:`Build` carries one derivation's settings and memo, so each place is located and each
construction built once per call, and once per process while the settings, places and rules stay
the same (bounded caches: :data:`SHARED_SIZE` constructions, :data:`LOCATED_SIZE` places). :func:`skip` records a place no zone could be built from
(:class:`SkippedPlace`) and :func:`make_zone` makes the :class:`geo.model.Zone` every construction
returns.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import FunctionType
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import ParameterError
from geo.model import Place, Span, Zone
from geo.zones import geometry as geom
from geo.zones.atlas import POINT_SNAP_M, load_atlas
from geo.zones.lists import Seat, load_seats, load_unit_list
from geo.zones.memo import BoundedCache, place_value
from geo.zones.rules import KindRule, ZoneRules
from geo.zones.triggers import Trigger

log = logging.getLogger(__name__)

#: Place kinds drawn as points (their areas come from the unit that contains them).
POINT_KINDS = frozenset({"city", "town", "village", "other"})
#: Admin level of each polygon place kind.
ADMIN_LEVELS = {"governorate": 1, "district": 2, "subdistrict": 3}


@dataclass(frozen=True)
class SkippedPlace:
    """A place the text attached to a trigger but no zone could be built from, and why."""

    kind: str
    trigger: Span
    place_id: str
    name: str
    reason: str


# --- places -> units ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where a place sits in the boundaries: its own unit (polygon places) and its point."""

    level: int | None  # level of the place's own unit; None for point places
    pcode: str | None
    point_m: Point | None
    adm1: str
    how: str


def place_key(place: Place) -> str:
    """How a zone names a place: its P-code, else its gazetteer id."""
    return place.pcode or place.id


def _locate(place: Place) -> Located | str:
    """Locate ``place`` in the boundaries, or return the reason it cannot be."""
    atlas = load_atlas()
    point_m = None
    if math.isfinite(place.lat) and math.isfinite(place.lon):
        point_m = geom.to_metric(Point(place.lon, place.lat))
    want = ADMIN_LEVELS.get(place.kind)
    if want is not None:
        level = atlas.level_of(place.pcode)
        if level == want and place.pcode:
            return Located(level, place.pcode, point_m, atlas.adm1_of(level, place.pcode), "pcode")
        if want == 1 and atlas.level_of(place.governorate_pcode) == 1 and place.country in ("IQ", ""):
            return Located(
                1, place.governorate_pcode, point_m, str(place.governorate_pcode), "governorate_pcode"
            )
    if place.country not in ("IQ", ""):
        return f"outside Iraq (country {place.country}); the boundaries cover Iraq only"
    if point_m is None:
        return "has neither a known P-code nor coordinates"
    adm3 = atlas.containing(3, point_m)
    if adm3 is None:
        return f"its point ({place.lat:.4f}, {place.lon:.4f}) lies outside the Iraq boundaries"
    adm1 = atlas.adm1_of(3, adm3)
    if want is not None:
        pcode = atlas.parent(3, adm3, want)
        reason = f"P-code {place.pcode!r} is not in {atlas.version}; " if place.pcode else ""
        log.debug("%s: %slocated by its point", place.name, reason)
        return Located(want, pcode, point_m, adm1, "point")
    return Located(None, None, point_m, adm1, "point")


def unit_at(located: Located, level: int) -> str:
    """P-code of the unit at ``level`` that holds the located place.

    A polygon place gives its own unit or the coarser unit above it (never a finer one); a point
    place gives the unit it lies in.
    """
    atlas = load_atlas()
    if located.level is not None and located.pcode is not None:
        return atlas.parent(located.level, located.pcode, min(level, located.level))
    pcode = atlas.containing(level, located.point_m) if located.point_m is not None else None
    if pcode is None:  # _locate only returns point places that lie in an ADM3
        msg = f"point place at {located.point_m} lies in no ADM{level} unit"
        raise ParameterError(msg)
    return pcode


def seat_of(place: Place, located: Located, area_m: BaseGeometry) -> tuple[Point, str, str]:
    """``(seat point (metric), seat name, source)`` of a place.

    A governorate's seat is its capital (``data/governorate_seats.toml``); a district's or
    sub-district's is the town of the same name among the place's alternative readings when it
    lies in the unit (Makhmour district -> Makhmour town); otherwise the place's own point when it
    lies in ``area_m``, else a point inside ``area_m``.
    """
    if located.level == 1 and located.pcode:
        seat = load_seats().get(located.pcode)
        if seat is not None:
            return geom.to_metric(Point(seat.lon, seat.lat)), seat.name, "governorate_seats"
    if located.level in (2, 3) and located.pcode:
        unit_m = load_atlas().metric_geom(located.level, located.pcode)
        for alt in place.alternatives:
            if alt.kind in POINT_KINDS and math.isfinite(alt.lat) and math.isfinite(alt.lon):
                point = geom.to_metric(Point(alt.lon, alt.lat))
                if unit_m.distance(point) <= POINT_SNAP_M:
                    return point, alt.name, f"alternative:{alt.id}"
        namesake = _namesake_town(place, unit_m)
        if namesake is not None:
            return namesake
    if located.point_m is not None and area_m.distance(located.point_m) <= POINT_SNAP_M:
        return located.point_m, place.name, "place"
    return area_m.representative_point(), place.name, "representative_point"


def _namesake_town(place: Place, unit_m: BaseGeometry) -> tuple[Point, str, str] | None:
    """The town or village of the unit's own name inside it (the gazetteer entries under the
    names the text used), when the geoparser ranked none of them: a large sub-district such as
    Al-Nukhaib is seated at its town An Nukhayb, not at a point of its desert."""
    from geo.data.gazetteer import load_gazetteer
    from geo.text.normalize import fold

    gaz = load_gazetteer()
    keys = dict.fromkeys(
        fold(t) for t in (*(m.text for m in place.mentions[:3]), place.name, place.name_ar) if t
    )
    for key in keys:
        for i in gaz.lookup(key):
            e = gaz.entries[i]
            if e.kind in ("city", "town", "village") and math.isfinite(e.lat) and math.isfinite(e.lon):
                point = geom.to_metric(Point(e.lon, e.lat))
                if unit_m.distance(point) <= POINT_SNAP_M:
                    return point, e.name, f"namesake:{e.id}"
    return None


def latlon(point_m: Point) -> tuple[float, float]:
    """``(lat, lon)`` in EPSG:4326, 5 decimals, of a metric point."""
    p = geom.to_wgs84(point_m)
    return round(p.y, 5), round(p.x, 5)


# --- one derivation -------------------------------------------------------------------------------


Built = tuple[list[Zone], list[SkippedPlace]]


class Build:
    """One derivation's settings and its memo: each place is located, and each construction
    built, once per call however many triggers ask for it (a 20 MB text says "attacks in Diyala"
    hundreds of times). Zones built here are shared, not copied, between the triggers.

    Constructions are also kept across calls, in a process-wide cache of at most
    :data:`SHARED_SIZE` entries (least recently used dropped first). Its key is the
    construction's key, the settings (belt width and side) when the construction can read them
    (it is given this object, or is a closure), and the value of every argument it reads except
    the trigger (places in full, located units, lists of P-codes); an entry is used only while
    the rules file and the lists it names are the ones it was built from.
    A zone taken from it is a copy bound to the trigger that asks for it, so a call gives what a
    fresh build would.
    """

    def __init__(self, rules: ZoneRules, *, belt_km: float, belt_side: str) -> None:
        self.belt_km = belt_km
        self.belt_side = belt_side
        self.rules_dir = rules.path.parent
        self._located: dict[tuple[Any, ...], Located | str] = {}
        self._made: dict[tuple[Any, ...], Any] = {}
        self._stamp = data_stamp(rules)
        self.seats: dict[str, Seat] = self._stamp.objects[1]  # load_seats() as this call read it
        self._settings = (float(belt_km), belt_side)

    def locate(self, place: Place) -> Located | str:
        """Where ``place`` lies (or why it cannot be placed), worked out once per process."""
        key = place_sig(place)
        found = self._located.get(key)
        if found is None:
            found = _SHARED_LOCATED.get(key)
            if found is None:
                found = _locate(place)
                _SHARED_LOCATED.put(key, found)
            self._located[key] = found
        return found

    def once(self, key: tuple[Any, ...], make: Callable[..., Any], *args: Any) -> Any:
        """``make(*args)`` the first time ``key`` is asked for in this call, the same object after."""
        try:
            return self._made[key]
        except KeyError:
            pass
        trigger = next((a for a in args if isinstance(a, Trigger)), None)
        sig = _args_sig(args)
        # the settings reach a construction only through this object (an argument or a closure)
        reads_settings = (
            not isinstance(make, FunctionType)
            or make.__closure__ is not None
            or any(isinstance(a, Build) for a in args)
        )
        settings = self._settings if reads_settings else None
        shared = None if sig is None else (key, settings, sig)
        held = _SHARED.get(shared) if shared is not None else None
        if held is not None and held[0] == self._stamp:
            made = _rebound(held[1], trigger)
        else:
            made = make(*args)
            if shared is not None and (trigger is not None or not isinstance(made, Zone)):
                _SHARED.put(shared, (self._stamp, _rebound(made, None)))
        self._made[key] = made
        return made


#: Most constructions kept across calls (each entry holds one zone or geometry; the geometries
#: are shared with the zones handed out, not copied).
SHARED_SIZE = 1024
#: Most located places kept across calls.
LOCATED_SIZE = 8192


_SHARED = BoundedCache(SHARED_SIZE)
_SHARED_LOCATED = BoundedCache(LOCATED_SIZE)


def clear_build_caches() -> None:
    """Forget every construction and located place kept across calls."""
    _SHARED.clear()
    _SHARED_LOCATED.clear()


class _Stamp:
    """The data a construction reads besides its arguments: the rules and the lists they name,
    compared by identity (their loaders give a new object when the file changes)."""

    __slots__ = ("objects",)

    def __init__(self, objects: tuple[Any, ...]) -> None:
        self.objects = objects

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Stamp)
            and len(other.objects) == len(self.objects)
            and all(a is b for a, b in zip(self.objects, other.objects, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]


def data_stamp(rules: ZoneRules) -> _Stamp:
    """What the constructions read from files, as loaded now (see :class:`_Stamp`)."""
    lists = sorted({str(r.params["list"]) for r in rules.kinds.values() if "list" in r.params})
    return _Stamp((rules, load_seats(), *(load_unit_list(n, data_dir=rules.path.parent) for n in lists)))


def _args_sig(args: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The value of a construction's arguments, hashable (None when one has no known value)."""
    out: list[Any] = []
    for a in args:
        if isinstance(a, (Trigger, Build)):
            continue  # the trigger is rebound on a hit; the settings are in the key
        if isinstance(a, KindRule):
            out.append(("rule", a.kind))  # the rules themselves are in the stamp
        elif isinstance(a, Place):
            out.append(place_value(a))
        elif isinstance(a, Located):
            pt = None if a.point_m is None else (a.point_m.x, a.point_m.y)
            out.append((a.level, a.pcode, pt, a.adm1, a.how))
        elif a is None or isinstance(a, (str, int, float)):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            inner = _args_sig(tuple(a))
            if inner is None:
                return None
            out.append((len(a), inner))
        else:
            return None
    return tuple(out)


def _fresh(value: Any) -> Any:
    """A copy of the lists and dicts in ``value`` (parameters of a zone)."""
    if isinstance(value, dict):
        return {k: _fresh(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def _rebound(made: Any, trigger: Trigger | None) -> Any:
    """A zone as if built for ``trigger`` (as it is with None), sharing only its geometry."""
    if not isinstance(made, Zone):
        return made
    zone = copy.copy(made)  # every field; the lists and dicts replaced below
    zone.places = list(made.places)
    zone.params = _fresh(made.params)
    zone.covers, zone.touches = list(made.covers), list(made.touches)
    if trigger is None:
        zone.occurrences = list(made.occurrences)
    else:  # as make_zone does: the trigger is the zone's one occurrence
        zone.trigger, zone.sentence, zone.occurrences = trigger.span, trigger.sentence, [trigger.span]
    return zone


def place_sig(place: Place) -> tuple[Any, ...]:
    """What a construction reads from a place (two place objects with it give the same zone)."""
    return (place.id, place.kind, place.pcode, place.governorate_pcode, place.country, place.lat, place.lon)


def skip(rule: KindRule, trigger: Trigger, place: Place, reason: str) -> SkippedPlace:
    """The record of ``place``, attached to ``trigger``, that no zone could be built from."""
    return SkippedPlace(rule.kind, trigger.span, place.id, place.name, reason)


def make_zone(
    rule: KindRule,
    trigger: Trigger,
    *,
    zone_id: str,
    label: str,
    label_ar: str,
    places: list[str],
    params: dict[str, Any],
    geometry_wgs: BaseGeometry,
    dataset: str | None = None,
    seat: tuple[float, float] | None = None,
) -> Zone:
    """The zone of kind ``rule`` that ``trigger`` describes (geometry cleaned; boundary dataset by
    default)."""
    return Zone(
        id=zone_id,
        kind=rule.kind,
        label=label,
        label_ar=label_ar,
        places=places,
        trigger=trigger.span,
        sentence=trigger.sentence,
        construction=rule.construction,
        params=params,
        geometry=geom.clean(geometry_wgs),
        dataset=dataset or load_atlas().version,
        seat=seat,
    )
