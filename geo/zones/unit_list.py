"""The ``unit_list`` construction: a fixed list of units, such as the disputed territories.

The zone is the union of the units of the rules' list (``data/disputed_districts.toml``, read by
:func:`geo.zones.lists.load_unit_list`) whose scope the rules choose, and of the units the article
itself lists after a trigger (a district or sub-district as named, a town through the district that
holds it): "... تشمل أقضية سنجار وتلعفر ... إلى جانب بدرة وناحية جصان" adds Badra and Jassan, which
the core list leaves out. The zone's params name the sources of both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import RulesError
from geo.model import Zone
from geo.zones import geometry as geom
from geo.zones.atlas import load_atlas
from geo.zones.build import Build, Built, make_zone, skip, unit_at
from geo.zones.lists import load_unit_list
from geo.zones.rules import KindRule
from geo.zones.triggers import Trigger


def build_unit_list(build: Build, trigger: Trigger, hits: list[Any], rule: KindRule) -> Built:
    """The one zone of the rule's unit list and the units ``hits`` name (built once per call)."""
    named: list[str] = []
    skipped = []
    for hit in hits:
        located = build.locate(hit.place)
        if isinstance(located, str):
            skipped.append(skip(rule, trigger, hit.place, located))
            continue
        level = located.level if located.level in (2, 3) else (1 if located.level == 1 else 2)
        pcode = unit_at(located, level)
        if pcode not in named:
            named.append(pcode)
    key = ("unit_list", rule.kind, rule.params["list"], tuple(rule.params["scopes"]), tuple(named))
    return [build.once(key, _unit_list_zone, build, rule, trigger, tuple(named))], skipped


def _unit_list_zone(build: Build, rule: KindRule, trigger: Trigger, named: tuple[str, ...] = ()) -> Zone:
    """The union of the units of the rule's list whose scope is chosen (the disputed territories)."""
    atlas = load_atlas()
    name = rule.params["list"]
    scopes = tuple(rule.params["scopes"])
    _sources, units = load_unit_list(name, data_dir=build.rules_dir)
    chosen = [u for u in units if u.scope in scopes]
    missing = [u.pcode for u in chosen if atlas.level_of(u.pcode) is None]
    if missing:
        msg = f"{build.rules_dir / name}: P-codes {missing} are not in the boundaries ({atlas.version})"
        raise RulesError(msg)
    listed = {u.pcode for u in chosen}
    extra = [p for p in named if p not in listed]
    params: dict[str, Any] = {
        "list": f"data/{name}",
        "scopes": list(scopes),
        "units": len(chosen) + len(extra),
        "sources": sorted({s for u in chosen for s in u.sources}),
        "named_by_text": list(named),
        "added_from_text": extra,
    }
    if extra:
        params["sources"] = [*params["sources"], "the article text"]
    return make_zone(
        rule,
        trigger,
        zone_id=rule.kind,
        label=rule.label,
        label_ar=rule.label_ar,
        places=[u.pcode for u in chosen] + extra,
        params=params,
        geometry_wgs=_union_wgs(tuple(u.pcode for u in chosen) + tuple(extra)),
    )


@lru_cache(maxsize=8)
def _union_wgs(pcodes: tuple[str, ...]) -> BaseGeometry:
    atlas = load_atlas()
    parts = [atlas.wgs_geom(atlas.level_of(p) or 2, p) for p in pcodes]
    return geom.clean(shapely.union_all(parts))
