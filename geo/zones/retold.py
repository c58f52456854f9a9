"""Zones told twice: the same area drawn from two mentions, one with less detail.

:func:`merge_retold` folds the plainer zone into the more precise one as an occurrence: an attack
area told as "جنوب غربي كركوك" in a headline and "60 كيلومترا جنوب غرب كركوك" in the body, and a
corridor (with the attack in it) told with two of its places in a headline and all three in the
body ("المثلث الواقع بين سليمان بيك وآمرلي" / "... بين سليمان بيك وآمرلي وجبارة").
"""

from __future__ import annotations

import logging

from geo.model import Zone
from geo.zones.locators import COMPASS, DIRECTIONS

log = logging.getLogger(__name__)


def merge_retold(zones: list[Zone]) -> list[Zone]:
    """Attack areas of one place told twice, once with less detail (a headline "جنوب غربي كركوك"
    and the body's "60 كيلومترا جنوب غرب كركوك"; "اغتيال مختار في العظيم" and "في ضواحي ناحية
    العظيم"), and corridors (with the attacks in them) told with fewer of their places or with the
    same shape: the plainer zone becomes an occurrence of the more precise one."""
    groups: dict[str, list[Zone]] = {}
    for z in zones:
        if z.kind == "attack_area" and len(z.places) == 1:
            groups.setdefault(z.places[0], []).append(z)
    gone: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        offsets = {z.params.get("offset_dir"): z for z in group if z.params.get("method") == "offset_disc"}
        for z in group:
            mod = z.params.get("modifier")
            if mod in DIRECTIONS and COMPASS[mod] in offsets:
                absorb(offsets[COMPASS[mod]], z)
                gone.add(id(z))
        left = [z for z in group if id(z) not in gone]
        plain = [z for z in left if not z.params.get("modifier")]
        detailed = [z for z in left if z.params.get("modifier")]
        if plain and len(detailed) == 1:
            for z in plain:
                absorb(detailed[0], z)
                gone.add(id(z))
    for n, z in enumerate(zones):
        # a corridor (and the attack in it) told with fewer of its places, or through another
        # reading of the same place (شنگال the district, شارۆچکەی شنگال the town: the same shape)
        if z.kind in ("corridor", "attack_area") and id(z) not in gone and _between(z):
            fuller = [
                y
                for k, y in enumerate(zones)
                if y is not z
                and id(y) not in gone
                and y.kind == z.kind
                and _between(y)
                and (set(z.places) < set(y.places) or (k < n and y.geometry.equals(z.geometry)))
            ]
            if fuller:
                absorb(fuller[0], z)
                gone.add(id(z))
    return [z for z in zones if id(z) not in gone]


def _between(z: Zone) -> bool:
    """Whether ``z`` is a corridor or an attack area between places."""
    return z.kind == "corridor" or z.params.get("modifier") == "between"


def absorb(kept: Zone, told: Zone) -> None:
    kept.occurrences = sorted({*kept.occurrences, *told.occurrences}, key=lambda s: s.start)
    log.debug("zone %s: %s is the same place told with less detail", kept.id, told.id)
