"""Zones from text and boundaries: joint operations rooms, the security-vacuum belt, the disputed
territories and attack areas.

:func:`derive_zones` is a short recipe: find the trigger phrases of ``data/zone_rules.toml`` in the
text (:func:`find_triggers`), attach to each the resolved places the text lists after it, and build
each zone's geometry from the COD-AB boundaries with the kind's construction
(:mod:`geo.zones.geometry`, in UTM 38N). Every zone keeps its provenance: kind, labels, trigger text and
offsets, sentence, place P-codes, construction and parameters, boundary dataset version, and its
area and the districts and sub-districts it covers or touches. A zone the text describes again
("attacks in Diyala" in every report of a long file) is built once and drawn once; it keeps every
trigger that describes it in ``occurrences``.

Examples
--------
>>> from geo.text.resolve import geoparse  # doctest: +SKIP
>>> text = open("data/samples/article-000.txt", encoding="utf-8").read()  # doctest: +SKIP
>>> zones, unanchored = derive_zones(text, geoparse(text), belt_km=20)  # doctest: +SKIP
>>> zones_frame(zones)[["kind", "label", "area_km2"]]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.data import boundaries
from geo.errors import InputError, ParameterError, RulesError
from geo.model import Place, Span, Zone
from geo.zones import geometry as geom
from geo.zones.rules import KindRule, ZoneRules, load_rules, load_seats, load_unit_list
from geo.zones.triggers import PlaceHit, Trigger, attach_places, find_triggers

log = logging.getLogger(__name__)

#: Default width of the security-vacuum belt, in km.
DEFAULT_BELT_KM = 20.0
#: Which side of the Kurdistan Region line the belt covers.
BELT_SIDES = ("federal", "both")
#: Place kinds drawn as points (their areas come from the unit that contains them).
POINT_KINDS = frozenset({"city", "town", "village", "other"})
#: Admin level of each polygon place kind.
ADMIN_LEVELS = {"governorate": 1, "district": 2, "subdistrict": 3}
#: How far outside every sub-district a point place may lie and still be placed (border towns), m.
POINT_SNAP_M = 2000.0
_LEVEL_OF_PCODE = {5: 1, 8: 2, 11: 3}
#: Columns of :func:`zones_frame` (plus ``geometry``); the exports' zones layer starts with these.
FRAME_COLUMNS = (
    "id",
    "kind",
    "label",
    "label_ar",
    "places",
    "trigger_start",
    "trigger_end",
    "trigger_text",
    "occurrences",
    "sentence_start",
    "sentence_end",
    "sentence",
    "construction",
    "params",
    "dataset",
    "area_km2",
    "covers",
    "touches",
    "seat_lat",
    "seat_lon",
)


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedPlace:
    """A place the text attached to a trigger but no zone could be built from, and why."""

    kind: str
    trigger: Span
    place_id: str
    name: str
    reason: str


@dataclass
class ZoneDerivation:
    """Everything :func:`derive` found: zones, triggers without places, places skipped.

    ``unanchored`` holds the spans of the triggers that name no place and ``unanchored_triggers``
    the same triggers with their kind and sentence.
    """

    zones: list[Zone]
    unanchored: list[Span]
    skipped: list[SkippedPlace] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    unanchored_triggers: list[Trigger] = field(default_factory=list)


# --- public API -----------------------------------------------------------------------------------


def derive_zones(
    text: str,
    places: list[Place],
    *,
    belt_km: float = DEFAULT_BELT_KM,
    belt_side: str = "federal",
    rules: ZoneRules | None = None,
) -> tuple[list[Zone], list[Span]]:
    """Zones the text describes, and the trigger phrases that name no place (unanchored).

    Parameters
    ----------
    text
        The article text the places' mention offsets refer to.
    places
        Resolved places (:func:`geo.text.resolve.geoparse`).
    belt_km
        Width of the security-vacuum belt in km (between the limits in the rules file).
    belt_side
        ``"federal"`` (the belt lies on the federal side of the Kurdistan Region line) or
        ``"both"``.
    rules
        Zone rules; default ``data/zone_rules.toml``.

    Raises
    ------
    ParameterError
        For a belt width or side out of range.
    """
    result = derive(text, places, belt_km=belt_km, belt_side=belt_side, rules=rules)
    return result.zones, result.unanchored


def derive(
    text: str,
    places: list[Place],
    *,
    belt_km: float = DEFAULT_BELT_KM,
    belt_side: str = "federal",
    rules: ZoneRules | None = None,
) -> ZoneDerivation:
    """Like :func:`derive_zones`, with the places skipped (and why) and every trigger found.

    A zone is identified by its ``id`` (kind plus the units or places it is built from and their
    modifier): every trigger that describes a zone already drawn adds an occurrence to it (and
    its places, when it reached the same units through other names) instead of a second zone.
    Each construction is built once per call, whatever the number of triggers that ask for it,
    and the area, covers and touches are computed once per distinct zone.
    """
    rules = rules or load_rules()
    check_belt(belt_km, belt_side, rules=rules)
    _check_input(text, places)
    triggers = find_triggers(text, rules=rules)
    out = ZoneDerivation(zones=[], unanchored=[], triggers=triggers)
    attached = attach_places(text, places, triggers, rules=rules)
    build = _Build(rules, belt_km=float(belt_km), belt_side=belt_side)
    by_id: dict[str, Zone] = {}
    for kind, rule in rules.kinds.items():
        for trigger, hits in (pair for pair in attached if pair[0].kind == kind):
            if rule.attach != "none" and not hits:
                out.unanchored_triggers.append(trigger)
                continue
            built, skipped = _BUILDERS[rule.construction](build, trigger, hits, rule)
            out.skipped.extend(skipped)
            for zone in built:
                held = by_id.get(zone.id)
                if held is None:
                    by_id[zone.id] = zone
                    out.zones.append(zone)
                else:
                    _merge(held, zone, trigger.span)
            if not built and rule.attach != "none":
                out.unanchored_triggers.append(trigger)
    for z in out.zones:
        _add_statistics(z, rules)
    out.unanchored_triggers.sort(key=lambda t: t.span.start)
    out.unanchored = [t.span for t in out.unanchored_triggers]
    for s in out.skipped:
        log.debug("zone %s: skipped %s (%s): %s", s.kind, s.name, s.place_id, s.reason)
    if out.skipped:
        log.info("zones: %d places skipped", len(out.skipped))
    return out


def _merge(held: Zone, again: Zone, trigger: Span) -> None:
    """Add a later description of zone ``held`` (``again``, from ``trigger``) to it."""
    if again is not held:
        if again.params != held.params:
            log.debug(
                "zone %s at %d: other parameters than the first description, kept", held.id, trigger.start
            )
        extra = [p for p in again.places if p not in held.places]
        if extra:
            held.places = [*held.places, *extra]
    if held.occurrences[-1] != trigger:
        held.occurrences.append(trigger)


def _check_input(text: Any, places: Any) -> None:
    if not isinstance(text, str):
        msg = f"zones are derived from article text (str), got {type(text).__name__}"
        raise InputError(msg)
    for place in places:
        for m in place.mentions:
            if not 0 <= m.start <= m.end <= len(text):
                msg = (
                    f"mention {m.text!r} of {place.name} at {m.start}-{m.end} lies outside the text "
                    f"({len(text)} characters); were the places resolved from another text?"
                )
                raise InputError(msg)


def check_belt(belt_km: Any, belt_side: Any, *, rules: ZoneRules | None = None) -> None:
    """Raise :class:`ParameterError` unless the belt width and side are usable."""
    lo, hi = belt_limits(rules)
    if isinstance(belt_km, bool) or not isinstance(belt_km, (int, float)) or not math.isfinite(belt_km):
        msg = f"belt width must be a number of km between {lo:g} and {hi:g}, got {belt_km!r}"
        raise ParameterError(msg)
    if not lo <= belt_km <= hi:
        msg = f"belt width must be between {lo:g} and {hi:g} km, got {belt_km:g} km"
        raise ParameterError(msg)
    if belt_side not in BELT_SIDES:
        msg = f"belt side must be one of {', '.join(BELT_SIDES)}, got {belt_side!r}"
        raise ParameterError(msg)


def belt_limits(rules: ZoneRules | None = None) -> tuple[float, float]:
    """Smallest and largest belt width in km allowed by the rules (for sliders and checks)."""
    rules = rules or load_rules()
    rule = rules.kinds.get("security_vacuum")
    if rule is None:
        return 0.5, 100.0
    return rule.params["min_width_km"], rule.params["max_width_km"]


def zone_styles(rules: ZoneRules | None = None) -> dict[str, dict[str, Any]]:
    """Map style per zone kind: ``color``, ``fill_color``, ``fill_opacity``, ``weight``, ``dash``
    (a Leaflet dash pattern, ``""`` for solid) and optionally ``marker``, plus ``label``/``label_ar``.
    """
    rules = rules or load_rules()
    return {
        kind: dict(rule.style, label=rule.label, label_ar=rule.label_ar) for kind, rule in rules.kinds.items()
    }


def zones_frame(zones: Iterable[Zone]) -> gpd.GeoDataFrame:
    """One row per zone (EPSG:4326, valid geometries) with its provenance and statistics.

    List columns (``places``, ``covers``, ``touches``) are comma-separated strings and ``params``
    is a JSON string, so the frame writes to GeoPackage and CSV as it is. ``occurrences`` counts
    the trigger phrases that describe the zone (``trigger_*`` is the first of them).
    """
    rows = []
    geoms = []
    for z in zones:
        rows.append(
            {
                "id": z.id,
                "kind": z.kind,
                "label": z.label,
                "label_ar": z.label_ar,
                "places": ", ".join(z.places),
                "trigger_start": z.trigger.start,
                "trigger_end": z.trigger.end,
                "trigger_text": z.trigger.text,
                "occurrences": len(z.occurrences),
                "sentence_start": z.sentence.start,
                "sentence_end": z.sentence.end,
                "sentence": z.sentence.text,
                "construction": z.construction,
                "params": json.dumps(z.params, ensure_ascii=False, sort_keys=True),
                "dataset": z.dataset,
                "area_km2": round(z.area_km2, 1),
                "covers": ", ".join(z.covers),
                "touches": ", ".join(z.touches),
                "seat_lat": z.seat[0] if z.seat else np.nan,
                "seat_lon": z.seat[1] if z.seat else np.nan,
            }
        )
        geoms.append(geom.clean(z.geometry))
    frame = gpd.GeoDataFrame(
        rows, columns=list(FRAME_COLUMNS), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326"
    )
    return frame


def zones_geojson(zones: Iterable[Zone]) -> dict[str, Any]:
    """The zones as a GeoJSON FeatureCollection (properties = :meth:`Zone.to_dict` minus geometry)."""
    features = []
    for z in zones:
        props = z.to_dict()
        geometry = props.pop("geometry")
        features.append({"type": "Feature", "id": z.id, "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


# --- boundaries -----------------------------------------------------------------------------------


class _Atlas:
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
        self._names: dict[tuple[int, str], tuple[str, str]] = {}

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
        return self.wgs[level].geometry.iloc[self.row[level][pcode]]

    def metric_geom(self, level: int, pcode: str) -> BaseGeometry:
        return self.mgeoms[level][self.row[level][pcode]]

    def containing(self, level: int, point_m: Point) -> str | None:
        """P-code of the unit at ``level`` holding the point (or the nearest within POINT_SNAP_M)."""
        idx = self.trees[level].query(point_m, predicate="intersects")
        if len(idx) == 0:
            near = self.trees[level].query_nearest(point_m, max_distance=POINT_SNAP_M)
            if len(near) == 0:
                return None
            idx = near
        return str(self.metric[level]["pcode"].iloc[int(sorted(idx)[0])])

    def union(self, level: int, pcodes: Iterable[str]) -> BaseGeometry:
        return shapely.union_all([self.metric_geom(level, p) for p in sorted(set(pcodes))])

    def parent(self, level: int, pcode: str, up: int) -> str:
        """P-code of the unit at level ``up`` (<= ``level``) that holds unit ``pcode``."""
        if up == level:
            return pcode
        return str(self.wgs[level][f"adm{up}_pcode"].iloc[self.row[level][pcode]])

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
def _atlas() -> _Atlas:
    return _Atlas()


def _dataset() -> str:
    return _atlas().version


# --- places -> units ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """Where a place sits in the boundaries: its own unit (polygon places) and its point."""

    level: int | None  # level of the place's own unit; None for point places
    pcode: str | None
    point_m: Point | None
    adm1: str
    how: str


def _place_key(place: Place) -> str:
    return place.pcode or place.id


def _locate(place: Place) -> _Located | str:
    """Locate ``place`` in the boundaries, or return the reason it cannot be."""
    atlas = _atlas()
    point_m = None
    if math.isfinite(place.lat) and math.isfinite(place.lon):
        point_m = geom.to_metric(Point(place.lon, place.lat))
    want = ADMIN_LEVELS.get(place.kind)
    if want is not None:
        level = atlas.level_of(place.pcode)
        if level == want and place.pcode:
            return _Located(level, place.pcode, point_m, atlas.adm1_of(level, place.pcode), "pcode")
        if want == 1 and atlas.level_of(place.governorate_pcode) == 1 and place.country in ("IQ", ""):
            return _Located(
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
        return _Located(want, pcode, point_m, adm1, "point")
    return _Located(None, None, point_m, adm1, "point")


def _unit_at(located: _Located, level: int) -> str:
    """P-code of the unit at ``level`` that holds the located place.

    A polygon place gives its own unit or the coarser unit above it (never a finer one); a point
    place gives the unit it lies in.
    """
    atlas = _atlas()
    if located.level is not None and located.pcode is not None:
        return atlas.parent(located.level, located.pcode, min(level, located.level))
    pcode = atlas.containing(level, located.point_m) if located.point_m is not None else None
    if pcode is None:  # _locate only returns point places that lie in an ADM3
        msg = f"point place at {located.point_m} lies in no ADM{level} unit"
        raise ParameterError(msg)
    return pcode


def _seat(place: Place, located: _Located, area_m: BaseGeometry) -> tuple[Point, str, str]:
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
        unit_m = _atlas().metric_geom(located.level, located.pcode)
        for alt in place.alternatives:
            if alt.kind in POINT_KINDS and math.isfinite(alt.lat) and math.isfinite(alt.lon):
                point = geom.to_metric(Point(alt.lon, alt.lat))
                if unit_m.distance(point) <= POINT_SNAP_M:
                    return point, alt.name, f"alternative:{alt.id}"
    if located.point_m is not None and area_m.distance(located.point_m) <= POINT_SNAP_M:
        return located.point_m, place.name, "place"
    return area_m.representative_point(), place.name, "representative_point"


def _latlon(point_m: Point) -> tuple[float, float]:
    p = geom.to_wgs84(point_m)
    return round(p.y, 5), round(p.x, 5)


# --- constructions --------------------------------------------------------------------------------

_Built = tuple[list[Zone], list[SkippedPlace]]


class _Build:
    """One derivation's settings and its memo: each place is located, and each construction
    built, once per call however many triggers ask for it (a 20 MB text says "attacks in Diyala"
    hundreds of times). Zones built here are shared, not copied, between the triggers."""

    def __init__(self, rules: ZoneRules, *, belt_km: float, belt_side: str) -> None:
        self.belt_km = belt_km
        self.belt_side = belt_side
        self.rules_dir = rules.path.parent
        self._located: dict[tuple[Any, ...], _Located | str] = {}
        self._made: dict[tuple[Any, ...], Any] = {}

    def locate(self, place: Place) -> _Located | str:
        key = _place_sig(place)
        found = self._located.get(key)
        if found is None:
            found = self._located[key] = _locate(place)
        return found

    def once(self, key: tuple[Any, ...], make: Callable[..., Any], *args: Any) -> Any:
        """``make(*args)`` the first time ``key`` is asked for in this call, the same object after."""
        try:
            return self._made[key]
        except KeyError:
            made = self._made[key] = make(*args)
            return made


def _place_sig(place: Place) -> tuple[Any, ...]:
    """What a construction reads from a place (two place objects with it give the same zone)."""
    return (place.id, place.kind, place.pcode, place.governorate_pcode, place.country, place.lat, place.lon)


def _skip(rule: KindRule, trigger: Trigger, place: Place, reason: str) -> SkippedPlace:
    return SkippedPlace(rule.kind, trigger.span, place.id, place.name, reason)


def _zone(
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
        dataset=dataset or _dataset(),
        seat=seat,
    )


def _build_seat_and_area(build: _Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> _Built:
    zones, skipped = [], []
    for hit in hits:
        place = hit.place
        located = build.locate(place)
        if isinstance(located, str):
            skipped.append(_skip(rule, trigger, place, located))
            continue
        key = ("seat_and_area", rule.kind, _place_sig(place))
        zones.append(build.once(key, _room_zone, rule, trigger, place, located))
    return zones, skipped


def _room_zone(rule: KindRule, trigger: Trigger, place: Place, located: _Located) -> Zone:
    """The operations room at ``place``: its area of responsibility and its seat."""
    atlas = _atlas()
    level = min(located.level or 99, rule.params["point_area_level"])
    area_pcode = _unit_at(located, level)
    area_m = atlas.metric_geom(level, area_pcode)
    seat_m, seat_name, seat_source = _seat(place, located, area_m)
    area_en, area_ar = atlas.name(level, area_pcode)
    return _zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{_place_key(place)}",
        label=f"{rule.label}: {place.name}",
        label_ar=f"{rule.label_ar}: {place.name_ar or place.name}",
        places=[_place_key(place)],
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
        seat=_latlon(seat_m),
    )


def _build_belt(build: _Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> _Built:
    atlas = _atlas()
    kri = tuple(rule.params["kurdistan_region"])
    skipped: list[SkippedPlace] = []
    by_gov: dict[str, list[Place]] = {}
    for hit in hits:
        located = build.locate(hit.place)
        if isinstance(located, str):
            skipped.append(_skip(rule, trigger, hit.place, located))
        elif located.adm1 in kri:
            skipped.append(
                _skip(
                    rule,
                    trigger,
                    hit.place,
                    f"lies in the Kurdistan Region ({located.adm1}); the "
                    "belt is drawn from the federal governorates the text names",
                )
            )
        else:
            by_gov.setdefault(located.adm1, []).append(hit.place)
    on_line = {}
    for gov, gov_places in by_gov.items():
        if _belt_piece(build, rule, gov) is not None:
            on_line[gov] = gov_places
            continue
        name = atlas.name(1, gov)[0]
        reason = f"{name} lies more than {build.belt_km:g} km from the Kurdistan Region line"
        skipped.extend(_skip(rule, trigger, place, reason) for place in gov_places)
    if not on_line:
        return [], skipped
    govs = tuple(sorted(on_line))
    places = list(dict.fromkeys(_place_key(pl) for g in govs for pl in on_line[g]))
    zone = build.once(("belt", rule.kind, govs), _belt_zone, build, rule, trigger, govs, places)
    if zone.places != places:  # the same belt, reached through other names: this trigger's places
        zone = replace(zone, places=places, trigger=trigger.span, sentence=trigger.sentence, occurrences=[])
    return [zone], skipped


def _belt_piece(build: _Build, rule: KindRule, gov: str) -> BaseGeometry | None:
    """The part of governorate ``gov`` within the belt width of the Kurdistan Region line
    (metric), or None if the belt misses it; built once per call."""

    def reach() -> BaseGeometry:
        line = _atlas().kurdistan(tuple(rule.params["kurdistan_region"]))[2]
        return geom.belt_along_line(line, build.belt_km * 1000.0)

    def piece() -> BaseGeometry | None:
        part = build.once(("belt_reach", rule.kind), reach).intersection(_atlas().metric_geom(1, gov))
        return part if part.area > 1e6 else None

    return build.once(("belt_piece", rule.kind, gov), piece)


def _belt_zone(
    build: _Build, rule: KindRule, trigger: Trigger, govs: tuple[str, ...], places: list[str]
) -> Zone:
    """The belt along the stretch of the Kurdistan Region line that borders ``govs``."""
    atlas = _atlas()
    p = rule.params
    kri = tuple(p["kurdistan_region"])
    region = atlas.kurdistan(kri)[0]
    width_m = build.belt_km * 1000.0
    stretch = atlas.line_along(kri, govs)
    belt = geom.clean(shapely.union_all([_belt_piece(build, rule, gov) for gov in govs]))
    if build.belt_side == "both":
        belt = geom.clean(shapely.union_all([belt, geom.belt_along_line(stretch, width_m, within=region)]))
    syria_line, syria_source = atlas.syria_frontier(
        p["syria_tolerance_km"], tuple(p["syria_frontier_governorates"])
    )
    iran_line = atlas.iran_frontier(tuple(p["iran_frontier_governorates"]))
    touch = p["frontier_touch_m"]
    params = {
        "width_km": build.belt_km,
        "side": build.belt_side,
        "governorates": list(govs),
        "kurdistan_region": list(kri),
        "line_km": round(stretch.length / 1000, 1),
        "reaches_syria": bool(belt.distance(syria_line) <= touch),
        "reaches_iran": bool(belt.distance(iran_line) <= touch),
        "syria_contact_km": round(syria_line.intersection(belt).length / 1000, 1),
        "iran_contact_km": round(iran_line.intersection(belt).length / 1000, 1),
        "syria_frontier": syria_source,
        "iran_frontier": "iraq_outline:" + "+".join(p["iran_frontier_governorates"]),
        "metric_crs": geom.METRIC_CRS,
    }
    dataset = atlas.version
    if syria_source == boundaries.NEIGHBOUR_DATASET:
        from geo.data import sources

        dataset += "; " + sources.dataset_version(boundaries.NEIGHBOUR_DATASET)
    return _zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{'+'.join(govs)}",
        label=f"{rule.label} ({build.belt_km:g} km, {build.belt_side} side)",
        label_ar=f"{rule.label_ar} ({build.belt_km:g} كم)",
        places=places,
        params=params,
        geometry_wgs=geom.to_wgs84(belt),
        dataset=dataset,
    )


def _build_unit_list(build: _Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> _Built:
    key = ("unit_list", rule.kind, rule.params["list"], tuple(rule.params["scopes"]))
    return [build.once(key, _unit_list_zone, build, rule, trigger)], []


def _unit_list_zone(build: _Build, rule: KindRule, trigger: Trigger) -> Zone:
    """The union of the units of the rule's list whose scope is chosen (the disputed territories)."""
    atlas = _atlas()
    name = rule.params["list"]
    scopes = tuple(rule.params["scopes"])
    _sources, units = load_unit_list(name, data_dir=build.rules_dir)
    chosen = [u for u in units if u.scope in scopes]
    missing = [u.pcode for u in chosen if atlas.level_of(u.pcode) is None]
    if missing:
        msg = f"{build.rules_dir / name}: P-codes {missing} are not in the boundaries ({atlas.version})"
        raise RulesError(msg)
    params = {
        "list": f"data/{name}",
        "scopes": list(scopes),
        "units": len(chosen),
        "sources": sorted({s for u in chosen for s in u.sources}),
    }
    return _zone(
        rule,
        trigger,
        zone_id=rule.kind,
        label=rule.label,
        label_ar=rule.label_ar,
        places=[u.pcode for u in chosen],
        params=params,
        geometry_wgs=_union_wgs(tuple(u.pcode for u in chosen)),
    )


@lru_cache(maxsize=8)
def _union_wgs(pcodes: tuple[str, ...]) -> BaseGeometry:
    atlas = _atlas()
    parts = [atlas.wgs_geom(atlas.level_of(p) or 2, p) for p in pcodes]
    return geom.clean(shapely.union_all(parts))


def _build_modified_area(build: _Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> _Built:
    zones, skipped = [], []
    for hit in hits:
        place, modifier = hit.place, hit.mention.modifier
        located = build.locate(place)
        if isinstance(located, str):
            skipped.append(_skip(rule, trigger, place, located))
            continue
        key = ("modified_area", rule.kind, _place_sig(place), modifier)
        made = build.once(key, _attack_zone, rule, trigger, place, located, modifier)
        if isinstance(made, str):
            skipped.append(_skip(rule, trigger, place, made))
        else:
            zones.append(made)
    return zones, skipped


def _attack_zone(
    rule: KindRule, trigger: Trigger, place: Place, located: _Located, modifier: str | None
) -> Zone | str:
    """The attack area at ``place`` with its ``modifier``, or the reason there is none."""
    p = rule.params
    if modifier is not None and modifier not in p["modifier_labels"]:
        return f"modifier {modifier!r} has no construction"
    shape_wgs, params, seat = _modified_shape(place, located, modifier, p)
    if shape_wgs.is_empty:
        return f"the {params['method']} construction is empty"
    mod_en, mod_ar = p["modifier_labels"][modifier] if modifier else ("", "")
    name_ar = place.name_ar or place.name
    return _zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{_place_key(place)}" + (f":{modifier}" if modifier else ""),
        label=f"{rule.label}: {(mod_en + ' ') if mod_en else ''}{place.name}",
        label_ar=f"{rule.label_ar}: {(mod_ar + ' ') if mod_ar else ''}{name_ar}",
        places=[_place_key(place)],
        params=params,
        geometry_wgs=shape_wgs,
        seat=seat,
    )


def _modified_shape(
    place: Place, located: _Located, modifier: str | None, p: dict[str, Any]
) -> tuple[BaseGeometry, dict[str, Any], tuple[float, float] | None]:
    """``(geometry in EPSG:4326, params, ring centre)`` of a place with its modifier."""
    atlas = _atlas()
    params: dict[str, Any] = {"modifier": modifier}
    is_point = located.level is None or located.pcode is None
    if is_point:
        unit_level = p["point_unit_level"]
        unit_pcode = _unit_at(located, unit_level)
    else:
        unit_level, unit_pcode = int(located.level), str(located.pcode)  # type: ignore[arg-type]
    unit_m = atlas.metric_geom(unit_level, unit_pcode)
    unit = {
        "unit_level": unit_level,
        "unit_pcode": unit_pcode,
        "unit_name": atlas.name(unit_level, unit_pcode)[0],
    }
    if modifier is None:
        return atlas.wgs_geom(unit_level, unit_pcode), params | unit | {"method": "unit"}, None
    direction = modifier if modifier in geom.DIRECTIONS else None
    if not is_point and direction:
        part = "half" if direction in ("north", "south", "east", "west") else "quadrant"
        params |= unit | {"method": f"{part}_by_centroid", "centroid": list(_latlon(unit_m.centroid))}
        return geom.to_wgs84(geom.half_towards(unit_m, direction)), params, None
    if not is_point and modifier == "outskirts":
        params |= unit | {"method": "inner_band", "band_km": p["band_km"]}
        return geom.to_wgs84(geom.inner_band(unit_m, p["band_km"] * 1000)), params, None
    if not is_point and modifier == "centre":
        params |= unit | {"method": "core", "band_km": p["band_km"]}
        return geom.to_wgs84(geom.core(unit_m, p["band_km"] * 1000)), params, None
    # Around a centre (a town, or a unit's seat): rings (around, belt, outskirts of a town), half
    # rings or quadrants (north of a town), discs (near; the centre of a town).
    centre, centre_name, centre_source = _seat(place, located, unit_m)
    radii = {
        "outskirts": (p["outskirts_inner_km"], p["outskirts_outer_km"]),
        "near": (0.0, p["near_km"]),
        "centre": (0.0, p["centre_km"]),
    }
    inner, outer = radii.get(modifier, (p["ring_inner_km"], p["ring_outer_km"]))
    method = "disc" if inner == 0 else "ring"
    if direction:
        method = ("half_" if direction in ("north", "south", "east", "west") else "quadrant_") + method
    home = atlas.containing(1, centre) or located.adm1
    params |= {
        "method": method,
        "centre": list(_latlon(centre)),
        "centre_name": centre_name,
        "centre_source": centre_source,
        "inner_km": inner,
        "outer_km": outer,
        "within": f"{home} and its neighbouring governorates",
    }
    ring = geom.ring_around(
        centre, inner * 1000, outer * 1000, within=atlas.neighbourhood(home), direction=direction
    )
    return geom.to_wgs84(ring), params, _latlon(centre)


_BUILDERS: dict[str, Callable[..., _Built]] = {
    "seat_and_area": _build_seat_and_area,
    "belt": _build_belt,
    "unit_list": _build_unit_list,
    "modified_area": _build_modified_area,
}


# --- statistics -----------------------------------------------------------------------------------

_STATS_CACHE: OrderedDict[tuple[Any, ...], tuple[float, list[str], list[str]]] = OrderedDict()
_STATS_CACHE_SIZE = 256
_STATS_LOCK = threading.Lock()


def _add_statistics(zone: Zone, rules: ZoneRules) -> None:
    """Fill ``area_km2``, ``covers`` and ``touches`` (ADM2 and ADM3 P-codes) of ``zone``.

    Computed once per distinct geometry: the cache is keyed by a digest of the geometry's WKB, so
    it holds no copy of the geometries it has seen.
    """
    digest = hashlib.blake2b(shapely.to_wkb(zone.geometry), digest_size=16).digest()
    key = (digest, rules.cover_share, rules.touch_min_km2)
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


def _statistics(
    geometry_wgs: BaseGeometry, cover_share: float, touch_min_km2: float
) -> tuple[float, list[str], list[str]]:
    atlas = _atlas()
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
        pcodes = atlas.metric[level]["pcode"].values[idx]
        covers += [str(pc) for pc, s in zip(pcodes, share, strict=True) if s >= cover_share]
        touches += [
            str(pc)
            for pc, s, a in zip(pcodes, share, shared, strict=True)
            if s < cover_share and a >= touch_min_km2 * 1e6
        ]
    return area, covers, touches
