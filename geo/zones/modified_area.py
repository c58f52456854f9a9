"""The ``modified_area`` construction: an attack area, a place with its spatial modifier.

A place with no modifier gives its unit (a town, the unit that holds it). A polygon place gives
its half or quadrant towards a direction ("north of Babil", split at the centroid), an inner band
along its edge ("outskirts") or its core ("centre"). Anything else is drawn around a centre (a
town, or a unit's seat): rings ("around", "belt", a town's outskirts), half rings or quadrants
("north of Tikrit"), discs ("near", a town's centre), clipped to the governorate of the centre and
its neighbours. Radii and band widths come from the rules file.
"""

from __future__ import annotations

import math
from typing import Any

from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.model import Place, Zone
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

_GEOD = Geod(ellps="WGS84")
_BEARING = {"N": 0.0, "NE": 45.0, "E": 90.0, "SE": 135.0, "S": 180.0, "SW": 225.0, "W": 270.0, "NW": 315.0}


def build_modified_area(build: Build, trigger: Trigger, hits: list[Any], rule: KindRule) -> Built:
    """One attack area per place of ``hits`` and its modifier; places without one are skipped.

    A hit's ``modifier`` (:class:`geo.zones.reading.Attached`) is read before its mention's, so an
    offset ("75 km south of Kirkuk", with ``offset_km`` and ``offset_dir``) is drawn as such.
    """
    zones, skipped = [], []
    for hit in hits:
        place = hit.place
        modifier = getattr(hit, "modifier", hit.mention.modifier)
        offset = (getattr(hit, "offset_km", None), getattr(hit, "offset_dir", None))
        located = build.locate(place)
        if isinstance(located, str):
            skipped.append(skip(rule, trigger, place, located))
            continue
        key = ("modified_area", rule.kind, place_sig(place), modifier, offset)
        made = build.once(key, _attack_zone, rule, trigger, place, located, modifier, offset)
        if isinstance(made, str):
            skipped.append(skip(rule, trigger, place, made))
        else:
            zones.append(made)
    return zones, skipped


def _attack_zone(
    rule: KindRule,
    trigger: Trigger,
    place: Place,
    located: Located,
    modifier: str | None,
    offset: tuple[float | None, str | None] = (None, None),
) -> Zone | str:
    """The attack area at ``place`` with its ``modifier``, or the reason there is none."""
    p = rule.params
    if modifier == "offset" and offset[0] and offset[1]:
        shape_wgs, params, seat_at = _offset_shape(place, located, float(offset[0]), str(offset[1]), p)
        label = f"{offset[0]:g} km {offset[1]} of"
        return make_zone(
            rule,
            trigger,
            zone_id=f"{rule.kind}:{place_key(place)}:offset:{offset[0]:g}{offset[1]}",
            label=f"{rule.label}: {label} {place.name}",
            label_ar=f"{rule.label_ar}: {offset[0]:g} كم {offset[1]} {place.name_ar or place.name}",
            places=[place_key(place)],
            params=params,
            geometry_wgs=shape_wgs,
            seat=seat_at,
        )
    if modifier is not None and modifier not in p["modifier_labels"]:
        return f"modifier {modifier!r} has no construction"
    shape_wgs, params, seat = _modified_shape(place, located, modifier, p)
    if shape_wgs.is_empty:
        return f"the {params['method']} construction is empty"
    mod_en, mod_ar = p["modifier_labels"][modifier] if modifier else ("", "")
    name_ar = place.name_ar or place.name
    return make_zone(
        rule,
        trigger,
        zone_id=f"{rule.kind}:{place_key(place)}" + (f":{modifier}" if modifier else ""),
        label=f"{rule.label}: {(mod_en + ' ') if mod_en else ''}{place.name}",
        label_ar=f"{rule.label_ar}: {(mod_ar + ' ') if mod_ar else ''}{name_ar}",
        places=[place_key(place)],
        params=params,
        geometry_wgs=shape_wgs,
        seat=seat,
    )


def _offset_shape(
    place: Place, located: Located, km: float, compass: str, p: dict[str, Any]
) -> tuple[BaseGeometry, dict[str, Any], tuple[float, float]]:
    """The disc of ``offset_radius_km`` around the point ``km`` towards ``compass`` from the place
    (a town's point, a unit's seat), computed geodesically."""
    atlas = load_atlas()
    if located.level is None or located.pcode is None:
        unit_m = atlas.metric_geom(p["point_unit_level"], unit_at(located, p["point_unit_level"]))
    else:
        unit_m = atlas.metric_geom(int(located.level), str(located.pcode))
    origin_m, origin_name, origin_source = seat_of(place, located, unit_m)
    lat0, lon0 = latlon(origin_m)
    lon1, lat1, _ = _GEOD.fwd(lon0, lat0, _BEARING[compass], km * 1000.0)
    point_m = geom.to_metric(Point(lon1, lat1))
    radius = p["offset_radius_km"]
    disc = point_m.buffer(radius * 1000.0, quad_segs=geom.QUAD_SEGS).intersection(atlas.iraq_m)
    params = {
        "modifier": "offset",
        "method": "offset_disc",
        "offset_km": km,
        "offset_dir": compass,
        "from": [lat0, lon0],
        "from_name": origin_name,
        "from_source": origin_source,
        "point": [round(lat1, 5), round(lon1, 5)],
        "radius_km": radius,
    }
    return geom.to_wgs84(disc), params, (round(lat1, 5), round(lon1, 5))


def _modified_shape(
    place: Place, located: Located, modifier: str | None, p: dict[str, Any]
) -> tuple[BaseGeometry, dict[str, Any], tuple[float, float] | None]:
    """``(geometry in EPSG:4326, params, ring centre)`` of a place with its modifier."""
    atlas = load_atlas()
    params: dict[str, Any] = {"modifier": modifier}
    is_point = located.level is None or located.pcode is None
    if is_point:
        unit_level = p["point_unit_level"]
        unit_pcode = unit_at(located, unit_level)
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
        params |= unit | {"method": f"{part}_by_centroid", "centroid": list(latlon(unit_m.centroid))}
        return geom.to_wgs84(geom.half_towards(unit_m, direction)), params, None
    if not is_point and modifier == "outskirts":
        band = _band_km(unit_m, p)
        params |= unit | {"method": "inner_band", "band_km": band}
        return geom.to_wgs84(geom.inner_band(unit_m, band * 1000)), params, None
    if not is_point and modifier == "centre":
        params |= unit | {"method": "core", "band_km": p["band_km"]}
        return geom.to_wgs84(geom.core(unit_m, p["band_km"] * 1000)), params, None
    # Around a centre (a town, or a unit's seat): rings (around, belt, outskirts of a town), half
    # rings or quadrants (north of a town), discs (near; the centre of a town).
    centre, centre_name, centre_source = seat_of(place, located, unit_m)
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
        "centre": list(latlon(centre)),
        "centre_name": centre_name,
        "centre_source": centre_source,
        "inner_km": inner,
        "outer_km": outer,
        "within": f"{home} and its neighbouring governorates",
    }
    ring = geom.ring_around(
        centre, inner * 1000, outer * 1000, within=atlas.neighbourhood(home), direction=direction
    )
    return geom.to_wgs84(ring), params, latlon(centre)


def _band_km(unit_m: BaseGeometry, p: dict[str, Any]) -> float:
    """The outskirts band of a unit: ``band_km``, or less for a small unit (``band_share`` times
    the square root of its area), so a 1,000 km2 district keeps a band of about 6 km."""
    return round(min(p["band_km"], p["band_share"] * math.sqrt(unit_m.area / 1e6)), 2)
