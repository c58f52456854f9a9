"""Zones from text and boundaries: joint operations rooms, the security-vacuum belt, the disputed
territories and attack areas.

:func:`derive_zones` is a short recipe: find the trigger phrases of ``data/zone_rules.toml`` in the
text (:func:`find_triggers`), attach to each the resolved places the text lists after it, and build
each zone's geometry from the COD-AB boundaries with the kind's construction (one module each:
:mod:`geo.zones.seat_and_area`, :mod:`geo.zones.belt`, :mod:`geo.zones.unit_list`,
:mod:`geo.zones.modified_area`, on :mod:`geo.zones.geometry` in UTM 38N). Every zone keeps its
provenance: kind, labels, trigger text and offsets, sentence, place P-codes, construction and
parameters, boundary dataset version, and its area and the districts and sub-districts it covers
or touches (:mod:`geo.zones.coverage`). A zone the text describes again ("attacks in Diyala" in
every report of a long file) is built once and drawn once; it keeps every trigger that describes
it in ``occurrences``. :mod:`geo.zones.frames` turns the zones into a frame, GeoJSON and styles.

Examples
--------
>>> from geo.text.resolve import geoparse  # doctest: +SKIP
>>> from geo.zones.frames import zones_frame  # doctest: +SKIP
>>> text = open("data/samples/article-000.txt", encoding="utf-8").read()  # doctest: +SKIP
>>> zones, unanchored = derive_zones(text, geoparse(text), belt_km=20)  # doctest: +SKIP
>>> zones_frame(zones)[["kind", "label", "area_km2"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from geo.errors import InputError
from geo.model import Place, Span, Zone
from geo.text.tokens import Tokens
from geo.zones.belt import DEFAULT_BELT_KM, build_belt, check_belt
from geo.zones.build import Build, Built, SkippedPlace
from geo.zones.coverage import add_statistics
from geo.zones.modified_area import build_modified_area
from geo.zones.rules import ZoneRules, load_rules
from geo.zones.seat_and_area import build_seat_and_area
from geo.zones.triggers import Trigger, attach_places, find_triggers
from geo.zones.unit_list import build_unit_list

log = logging.getLogger(__name__)

#: The construction of each zone kind (``construction`` in the rules file).
_BUILDERS: dict[str, Callable[..., Built]] = {
    "seat_and_area": build_seat_and_area,
    "belt": build_belt,
    "unit_list": build_unit_list,
    "modified_area": build_modified_area,
}


# --- results --------------------------------------------------------------------------------------


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
    tokens: Tokens | None = None,
) -> ZoneDerivation:
    """Like :func:`derive_zones`, with the places skipped (and why) and every trigger found.

    ``tokens`` are the text's tokens (:func:`geo.text.tokens.tokenize`) when the caller has them
    (:func:`geo.pipeline.analyze` shares them with place extraction); made once here otherwise.

    A zone is identified by its ``id`` (kind plus the units or places it is built from and their
    modifier): every trigger that describes a zone already drawn adds an occurrence to it (and
    its places, when it reached the same units through other names) instead of a second zone.
    Each construction is built once per call, whatever the number of triggers that ask for it,
    and the area, covers and touches are computed once per distinct zone.
    """
    rules = rules or load_rules()
    check_belt(belt_km, belt_side, rules=rules)
    _check_input(text, places)
    triggers = find_triggers(text, rules=rules, tokens=tokens)
    out = ZoneDerivation(zones=[], unanchored=[], triggers=triggers)
    attached = attach_places(text, places, triggers, rules=rules, tokens=tokens)
    build = Build(rules, belt_km=float(belt_km), belt_side=belt_side)
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
        add_statistics(z, rules)
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
