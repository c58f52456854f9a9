"""The ``belt`` construction: the security-vacuum belt along the Kurdistan Region line.

The belt is the part of each federal governorate the text names that lies within the belt width
of the line between the Kurdistan Region and federal Iraq (and, with ``belt_side="both"``, the same
width on the Region's side of that stretch of line), with where it reaches the Syria and Iran
frontiers. :func:`check_belt` and :func:`belt_limits` check the width and side an analyst picks.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geo import config
from geo.data import boundaries
from geo.errors import ParameterError
from geo.model import Place, Zone
from geo.text.normalize import TOKEN_RE, fold_token
from geo.text.tokens import readings, token_key
from geo.zones import geometry as geom
from geo.zones.atlas import load_atlas
from geo.zones.build import Build, Built, SkippedPlace, make_zone, place_key, skip
from geo.zones.rules import KindRule, ZoneRules, load_rules
from geo.zones.triggers import PlaceHit, Trigger

#: Default width of the security-vacuum belt, in km.
DEFAULT_BELT_KM = config.belt_km()  # ZONE_ATLAS_BELT_KM, read at import
#: Which side of the Kurdistan Region line the belt covers.
BELT_SIDES = ("federal", "both")


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


def build_belt(build: Build, trigger: Trigger, hits: list[PlaceHit], rule: KindRule) -> Built:
    """The belt along the federal governorates of ``hits`` that reach the line (one zone at most);
    places in the Region, or in governorates the belt misses, are skipped."""
    atlas = load_atlas()
    kri = tuple(rule.params["kurdistan_region"])
    skipped: list[SkippedPlace] = []
    by_gov: dict[str, list[Place]] = {}
    for hit in hits:
        located = build.locate(hit.place)
        if isinstance(located, str):
            skipped.append(skip(rule, trigger, hit.place, located))
        elif located.adm1 in kri:
            skipped.append(
                skip(
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
        skipped.extend(skip(rule, trigger, place, reason) for place in gov_places)
    if not on_line:
        return [], skipped
    govs = tuple(sorted(on_line))
    places = list(dict.fromkeys(place_key(pl) for g in govs for pl in on_line[g]))
    zone = build.once(("belt", rule.kind, govs), _belt_zone, build, rule, trigger, govs, places)
    if zone.places != places:  # the same belt, reached through other names: this trigger's places
        zone = replace(zone, places=places, trigger=trigger.span, sentence=trigger.sentence, occurrences=[])
    return [zone], skipped


def build_standard_belt(build: Build, trigger: Trigger, rule: KindRule, sentences: list[str]) -> list[Zone]:
    """The belt along the rules' ``standard_governorates`` for a vacuum the text names between the
    two forces (in one of ``sentences``, those of its mentions) without naming where it lies;
    nothing when no sentence names both forces."""
    if not any(names_both_forces(s, rule) for s in sentences):
        return []
    govs = tuple(
        sorted(g for g in rule.params.get("standard_governorates", ()) if _belt_piece(build, rule, g))
    )
    if not govs:
        return []
    zone = build.once(("belt", rule.kind, govs), _belt_zone, build, rule, trigger, govs, [])
    reason = (
        f"security vacuum: named as '{trigger.span.text}' between the two forces; the standard governorates"
    )
    return [
        replace(
            zone, places=list(govs), params={**zone.params, "standard": True}, reason=reason, confidence=0.6
        )
    ]


def names_both_forces(text: str, rule: KindRule) -> bool:
    """Whether ``text`` (a sentence) names a force of each side of the line: a word of the rules'
    ``kurdish_side_words`` and one of ``federal_side_words`` ("between Kurdish Peshmerga and Iraqi
    federal forces", "بين البيشمركة والجيش", "نێوان پێشمەرگە و سوپا")."""
    words = {r for w in TOKEN_RE.findall(text) for r in readings(token_key(w))}
    sides = (rule.params.get("kurdish_side_words", ()), rule.params.get("federal_side_words", ()))
    return all(any((fold_token(w) or w) in words for w in side) for side in sides)


def _belt_piece(build: Build, rule: KindRule, gov: str) -> BaseGeometry | None:
    """The part of governorate ``gov`` within the belt width of the Kurdistan Region line
    (metric), or None if the belt misses it; built once per call."""

    def reach() -> BaseGeometry:
        line = load_atlas().kurdistan(tuple(rule.params["kurdistan_region"]))[2]
        return geom.belt_along_line(line, build.belt_km * 1000.0)

    def piece() -> BaseGeometry | None:
        part = build.once(("belt_reach", rule.kind), reach).intersection(load_atlas().metric_geom(1, gov))
        return part if part.area > 1e6 else None

    return build.once(("belt_piece", rule.kind, gov), piece)


def _belt_zone(
    build: Build, rule: KindRule, trigger: Trigger, govs: tuple[str, ...], places: list[str]
) -> Zone:
    """The belt along the stretch of the Kurdistan Region line that borders ``govs``."""
    atlas = load_atlas()
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
    return make_zone(
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
