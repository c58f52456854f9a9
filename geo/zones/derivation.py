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
from dataclasses import dataclass, field, replace
from typing import Any

from geo.errors import InputError
from geo.model import Place, Span, Zone
from geo.text.normalize import fold_token
from geo.text.tokens import Tokens
from geo.zones.belt import DEFAULT_BELT_KM, build_belt, build_standard_belt, check_belt
from geo.zones.build import Build, Built, SkippedPlace, clear_build_caches, unit_at
from geo.zones.corridor import between_attack, build_corridor
from geo.zones.coverage import add_statistics, clear_statistics_cache
from geo.zones.lists import Seat
from geo.zones.locators import DIRECTIONS, Attached
from geo.zones.memo import clear_readings, read_once
from geo.zones.modified_area import build_modified_area
from geo.zones.reading import Reading
from geo.zones.retold import merge_retold
from geo.zones.rules import KindRule, ZoneRules, load_rules
from geo.zones.seat_and_area import build_seat_and_area
from geo.zones.triggers import Trigger
from geo.zones.unit_list import build_unit_list

log = logging.getLogger(__name__)

#: The construction of each zone kind (``construction`` in the rules file).
_BUILDERS: dict[str, Callable[..., Built]] = {
    "seat_and_area": build_seat_and_area,
    "belt": build_belt,
    "unit_list": build_unit_list,
    "modified_area": build_modified_area,
    "corridor": build_corridor,
}
#: What the reason line calls each kind.
_NOUNS = {
    "operations_room": "operations room",
    "security_vacuum": "security vacuum",
    "disputed_territories": "disputed territories",
    "attack_area": "attack",
    "corridor": "corridor",
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
    excluded: list[tuple[Trigger, str]] = field(default_factory=list)


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
    triggers, reading = read_once(text, places, rules, tokens)
    out = ZoneDerivation(zones=[], unanchored=[], triggers=list(triggers))
    if reading is None:  # no trigger: no tokens of places walked, no boundaries touched
        return out
    out.excluded = list(reading.excluded)
    out.triggers = list(reading.triggers)  # the accepted ones; the cancelled ones are in `excluded`
    build = Build(rules, belt_km=float(belt_km), belt_side=belt_side)
    by_id: dict[str, Zone] = {}

    def keep(zone: Zone, trigger: Trigger, read: Reading) -> None:
        held = by_id.get(zone.id)
        if held is None:
            by_id[zone.id] = zone
            out.zones.append(zone)
            if not zone.reason:
                zone.reason, zone.confidence = _reason(zone, read, rules.kinds[zone.kind])
        else:
            _merge(held, zone, trigger.span)
        for ref in (*read.references, *read.also):
            if ref.span != trigger.span:
                _merge(by_id[zone.id], by_id[zone.id], ref.span)

    corridors = _corridors(reading.readings.get("corridor", []), build, rules, out, keep)
    # the places of a corridor ("في المنطقة المحصورة بين ناحيتي المعتصم ويثرب") are no room's
    in_corridor = {h.start for read, _zone in corridors for h in read.hits}
    for kind, rule in rules.kinds.items():
        if kind == "corridor":
            continue
        readings = reading.readings.get(kind, [])
        placeless = not any(r.hits for r in readings)
        if rule.one_zone:
            readings = _one_zone(readings, needs_places=rule.construction != "unit_list")
        for read in readings:
            trigger = read.trigger
            hits = _drop_locators(read.hits, build)
            if kind == "attack_area" and corridors:
                between = _between(read, hits, corridors, rule, rules, keep)
                if between is None:
                    continue
                hits = between
            elif in_corridor:
                hits = [h for h in hits if h.start not in in_corridor]
            if placeless and rule.construction == "belt":  # no place anywhere: the standard belt
                built = build_standard_belt(
                    build, trigger, rule, [t.sentence.text for t in (trigger, *read.also)]
                )
                for zone in built:
                    keep(zone, trigger, read)
                if built:
                    continue
            if rule.attach != "none" and not hits and rule.construction != "unit_list":
                if not read.references:
                    out.unanchored_triggers.append(trigger)
                continue
            built, skipped = _BUILDERS[rule.construction](build, trigger, hits, rule)
            out.skipped.extend(skipped)
            for zone in built:
                keep(zone, trigger, read)
            if not built and rule.attach != "none":
                out.unanchored_triggers.append(trigger)
    out.zones = merge_retold(out.zones)
    for z in out.zones:
        z.occurrences = sorted(set(z.occurrences), key=lambda sp: sp.start)
        add_statistics(z, rules)
    out.unanchored_triggers.sort(key=lambda t: t.span.start)
    out.unanchored = [t.span for t in out.unanchored_triggers]
    for s in out.skipped:
        log.debug("zone %s: skipped %s (%s): %s", s.kind, s.name, s.place_id, s.reason)
    if out.skipped:
        log.info("zones: %d places skipped", len(out.skipped))
    return out


def clear_caches() -> None:
    """Forget everything zone derivation keeps across calls: readings, constructions, located
    places and statistics (the boundary index stays)."""
    clear_readings()
    clear_build_caches()
    clear_statistics_cache()


def excluded_notes(excluded: list[tuple[Trigger, str]], labels: dict[str, str]) -> list[str]:
    """One note per zone kind for the trigger phrases their context cancelled (a bare "between"
    of forces or governments is left out).

    >>> t = Trigger("operations_room", Span(9, 20, "غرفة عمليات"), Span(0, 30, ""))
    >>> excluded_notes([(t, "'جراحية' next to it: not a joint operations room")], {"operations_room": "Rooms"})
    ["1 mention of 'غرفة عمليات' (Rooms) not drawn: 'جراحية' next to it: not a joint operations room (at 9)"]
    """
    by_kind: dict[str, list[tuple[Trigger, str]]] = {}
    for t, why in sorted(excluded, key=lambda p: p[0].span.start):
        if t.kind == "corridor" and len(t.span.text.split()) == 1:
            continue  # a bare "between" of forces or governments: nothing an analyst expects drawn
        by_kind.setdefault(t.kind, []).append((t, why))
    notes = []
    for kind, group in by_kind.items():
        n = len(group)
        phrase = group[0][0].span.text
        starts = ", ".join(str(t.span.start) for t, _ in group[:5]) + (f" and {n - 5} more" if n > 5 else "")
        what = "1 mention" if n == 1 else f"{n} mentions"
        notes.append(
            f"{what} of {phrase!r} ({labels.get(kind, kind)}) not drawn: {group[0][1]} (at {starts})"
        )
    return notes


def _corridors(
    readings: list[Reading], build: Build, rules: ZoneRules, out: ZoneDerivation, keep: Callable[..., None]
) -> list[tuple[Reading, Zone]]:
    """The corridors (each reading with two or three places), and the references to them
    ("تلك المنطقة", "that area") paired with the corridor before them."""
    rule = rules.kinds.get("corridor")
    if rule is None:
        return []
    made: list[tuple[Reading, Zone]] = []
    for read in readings:
        if read.references and not read.hits:  # "that area": points back at the last corridor
            if made:
                made.append((read, made[-1][1]))
            continue
        hits = _drop_locators(read.hits, build)
        if len(hits) < rule.min_places:
            continue
        built, skipped = build_corridor(build, read.trigger, hits, rule)
        out.skipped.extend(skipped)
        for zone in built:
            keep(zone, read.trigger, read)
            made.append((read, zone))
    return made


def _between(
    read: Reading,
    hits: list[Attached],
    corridors: list[tuple[Reading, Zone]],
    rule: KindRule,
    rules: ZoneRules,
    keep: Callable[..., None],
) -> list[Attached] | None:
    """An attack in a corridor: the attack area ``between`` its places, and the hits left over.

    The attack is in the corridor when its places are the corridor's ("بكمين ... في المنطقة
    الواقعة بين ديالى وصلاح الدين"), or when it names none and its sentence refers to a corridor
    ("وشهدت تلك المنطقة ... هجوما"). Returns None when nothing is left to build.
    """
    t = read.trigger
    for corridor_read, zone in corridors:
        starts = {h.start for h in corridor_read.hits}
        same = [h for h in hits if h.start in starts]
        in_sentence = corridor_read.trigger.sentence == t.sentence and not hits
        if (same and len(same) >= 2) or in_sentence:
            keep(between_attack(rule, t, zone), t, Reading(t, [], "in the corridor of", read.confidence))
            left = [h for h in hits if h.start not in starts]
            return left or None
    return hits


def _one_zone(readings: list[Reading], *, needs_places: bool = True) -> list[Reading]:
    """All readings of a one-zone kind as one: the first trigger that names places, every place,
    every later reference and trigger (as occurrences); earlier triggers without places are kept
    apart (they are reported as naming no place). A kind that needs no place (``needs_places``
    false: the disputed territories) starts at its first trigger."""
    if not readings:
        return []
    first = readings[0]
    if needs_places:
        first = next((r for r in readings if r.hits and not r.references), readings[0])
    seen: set[int] = set()
    hits: list[Attached] = []
    refs: list[Trigger] = []
    for r in readings:
        for h in r.hits:
            if h.start not in seen:
                seen.add(h.start)
                hits.append(_renumbered(h, r.hits, hits))
        if r is not first and r.hits:
            refs.append(r.trigger)
    how = first.how if first.hits else "named"
    start = first.trigger.span.start
    also = [r.trigger for r in readings if r is not first and not r.hits and r.trigger.span.start > start]
    merged = Reading(first.trigger, hits, how, min(r.confidence for r in readings), refs, also)
    # triggers before the one that names the places stay what they were: unanchored mentions
    earlier = [
        Reading(r.trigger, [], r.how, r.confidence)
        for r in readings
        if not r.hits and not r.references and r.trigger.span.start < start
    ]
    return [*earlier, merged]


def _renumbered(h: Attached, own: list[Attached], merged: list[Attached]) -> Attached:
    """``h`` with its locator number pointing into ``merged`` (or no locator when its place is
    not there)."""
    if h.locator_of is None:
        return h
    target = own[h.locator_of]
    for n, m in enumerate(merged):
        if m.start == target.start:
            return replace(h, locator_of=n)
    return replace(h, locator_of=None, locator=None)


def _drop_locators(hits: list[Attached], build: Build) -> list[Attached]:
    """The hits without those that only locate their neighbour (step 5 of the rules file): a
    direction right after a place, a possessive ("Kirkuk's Daquq"), and a unit that holds the
    place next to it when no "and" stands between them ("تكريت في محافظة صلاح الدين", "in Nineveh
    province, one in Sinjar and another in Bashiqa"). A city that is the seat of a governorate of
    the same name is read as that governorate when the run lists governorates, and a governorate
    with a direction as that city when it stands alone ("جنوب غرب كركوك")."""
    if not hits:
        return hits
    hits = _seat_or_governorate(hits, build.seats)
    drop: set[int] = set()
    for n, h in enumerate(hits):
        if h.locator in ("direction", "possessive"):
            log.debug("%s: locator (%s), not a zone", h.place.name, h.locator)
            drop.add(n)
        if n and h.linked:
            before = hits[n - 1]
            if _contains(build, h, before):
                drop.add(n)
            elif _contains(build, before, h):
                drop.add(n - 1)
    return [h for n, h in enumerate(hits) if n not in drop]


def _seat_or_governorate(hits: list[Attached], seats: dict[str, Seat]) -> list[Attached]:
    """Kirkuk the city or Kirkuk the governorate, as the run says (see :func:`_drop_locators`)."""
    govs = sum(1 for h in hits if h.place.kind == "governorate")
    out = []
    for h in hits:
        p = h.place
        if p.kind in ("city", "town") and govs and p.governorate_pcode in seats:
            seat = seats[p.governorate_pcode]
            if _same_name(seat.name, seat.name_ar, p) and _seat_named_as_governorate(seat):
                h = replace(h, place=replace(p, kind="governorate", pcode=p.governorate_pcode))
        elif p.kind == "governorate" and govs == 1 and h.modifier in DIRECTIONS and p.pcode in seats:
            seat = seats[p.pcode]
            city_reading = any(a.kind == "city" and a.name == seat.name for a in p.alternatives)
            if city_reading and _seat_named_as_governorate(seat):
                city = replace(
                    p,
                    id=f"gn:{seat.geonameid}",
                    kind="city",
                    pcode=None,
                    governorate_pcode=p.pcode,
                    lat=seat.lat,
                    lon=seat.lon,
                )
                h = replace(h, place=city)
        out.append(h)
    return out


def _seat_named_as_governorate(seat: Seat) -> bool:
    """Whether the governorate and its capital share a name (Kirkuk, Erbil; not Nineveh and Mosul)."""
    from geo.zones.atlas import load_atlas

    name_en, name_ar = load_atlas().name(1, seat.adm1_pcode)
    return fold_token(seat.name) == fold_token(name_en) or fold_token(seat.name_ar) == fold_token(name_ar)


def _same_name(name: str, name_ar: str, place: Place) -> bool:
    return fold_token(name) == fold_token(place.name) or (
        bool(name_ar) and fold_token(name_ar) == fold_token(place.name_ar or "")
    )


def _contains(build: Build, outer: Attached, inner: Attached) -> bool:
    """Whether the unit of ``outer`` (a governorate, district or sub-district) holds ``inner``."""
    lo, li = build.locate(outer.place), build.locate(inner.place)
    if isinstance(lo, str) or isinstance(li, str) or lo.level is None or lo.pcode is None:
        return False
    if li.level is not None and li.level <= lo.level:
        return False
    try:
        return unit_at(li, lo.level) == lo.pcode
    except Exception:  # noqa: BLE001 - a place the boundaries cannot place holds nothing
        return False


def _reason(zone: Zone, read: Reading, rule: KindRule) -> tuple[str, float]:
    """The one-line reason and the confidence of a zone first drawn from ``read``."""
    noun = _NOUNS.get(zone.kind, zone.kind)
    trig = read.trigger.span.text
    if not read.hits and zone.construction == "unit_list":
        return f"{noun}: named as '{trig}'; the standard list", 0.6 if not read.references else 0.65
    how = read.how or "named after"
    if how == "in the corridor of":
        return f"{noun}: '{trig}' in the area between {', '.join(zone.places)}", 0.75
    text = f"{noun}: {how} '{trig}' in the same sentence"
    if how == "named just before":
        text = f"{noun}: named just before '{trig}' in the same sentence"
    if read.references:
        refs = ", ".join(f"'{r.span.text}'" for r in read.references[:2])
        text = f"{noun}: after '{trig}', places given where the text refers back ({refs})"
    offset = zone.params.get("method") == "offset_disc"
    if offset:
        text += f"; {zone.params['offset_km']:g} km {zone.params['offset_dir']} of {zone.params['from_name']}"
    return text, read.confidence


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
