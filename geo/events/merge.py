"""One event per incident: sentences that tell the same incident are merged, and placeless events
take the place of the incident told just before them, else the dateline's.

Same incident (:func:`same_incident`): same family and historical flag, dates that agree (or one
only the article's date), compatible types (equal, or one an armed assault, the least specific
attack), and places within :data:`SAME_INCIDENT_KM` (25 km), or one without a place when the two
sentences are neighbours (within :data:`NEAR_CHARS`): the headline and the body, or a second
sentence with the toll.
"""

from __future__ import annotations

import math

from geo.events.kinds import EVENT_TYPES
from geo.events.places import Site, precision_of
from geo.model import Event

__all__ = [
    "NEAR_CHARS",
    "SAME_INCIDENT_KM",
    "absorb_placeless",
    "district_of",
    "fill_places",
    "km_between",
    "merge",
    "same_incident",
]

#: Two events of one family and date whose places lie this close tell the same incident.
SAME_INCIDENT_KM = 25.0
#: Sentences this close (characters between them) are neighbours.
NEAR_CHARS = 300
#: Events compared with each new one when merging: the last few (an article's incidents), so a
#: long text merges in linear time.
LOOKBACK = 12
#: How far (characters) a placeless event looks for a placed event of its incident.
ABSORB_CHARS = 3000
_PLACE_FIELDS = (
    "place_id",
    "place_name",
    "place_kind",
    "place_pcode",
    "governorate_pcode",
    "district_pcode",
    "lat",
    "lon",
    "precision",
)


def km_between(a: Event, b: Event) -> float | None:
    """Great-circle distance between two events' places, ``None`` when one has no place."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _near(a: Event, b: Event) -> bool:
    first, second = (a, b) if a.sentence.start <= b.sentence.start else (b, a)
    return second.sentence.start - first.sentence.end <= NEAR_CHARS


def same_incident(a: Event, b: Event, *, anywhere: bool = False) -> bool:
    """Whether ``a`` and ``b`` tell the same incident (module docstring); ``anywhere``: a placeless
    event may be far from the other in the text."""
    if a.family != b.family or a.historical != b.historical:
        return False
    if a.date != b.date and "article" not in (a.date_source, b.date_source):
        return False
    if a.type != b.type and (a.family != "attack" or "armed_assault" not in (a.type, b.type)):
        return False
    if a.place_id is None or b.place_id is None:
        return anywhere or _near(a, b)
    km = km_between(a, b)
    return a.place_id == b.place_id or (km is not None and km <= SAME_INCIDENT_KM)


def absorb_placeless(events: list[Event]) -> list[Event]:
    """Placeless events merged into an event of the same incident with a place, anywhere in the
    article (a headline "four operations rooms to be formed" and the body that places them), within
    :data:`ABSORB_CHARS`."""
    placed = [e for e in events if e.place_id is not None]
    out: list[Event] = []
    for e in events:
        target = None
        if e.place_id is None:
            target = next(
                (
                    o
                    for o in placed
                    if abs(o.sentence.start - e.sentence.start) <= ABSORB_CHARS
                    and same_incident(o, e, anywhere=True)
                ),
                None,
            )
        if target is None:
            out.append(e)
        else:
            _into(target, e)
    return out


def merge(events: list[Event]) -> list[Event]:
    """Events that tell the same incident, merged into the first that tells it.

    The merged event keeps the more specific type and place, the larger tolls, every actor, and
    the date the text gives rather than the article's.
    """
    out: list[Event] = []
    for e in events:
        target = next((o for o in reversed(out[-LOOKBACK:]) if same_incident(o, e)), None)
        if target is None:
            out.append(e)
        else:
            _into(target, e)
    return out


def _into(target: Event, e: Event) -> None:
    """Merge ``e`` into ``target``."""
    if EVENT_TYPES.index(e.type) < EVENT_TYPES.index(target.type):
        target.type, target.trigger = e.type, e.trigger
    if e.place_id is not None and (target.place_id is None or (e.precision or 9) < (target.precision or 9)):
        for name in _PLACE_FIELDS:
            setattr(target, name, getattr(e, name))
    for name in ("killed", "wounded"):
        mine, theirs = getattr(target, name), getattr(e, name)
        if theirs is not None and (mine is None or theirs > mine):
            setattr(target, name, theirs)
    target.actors = list(dict.fromkeys(target.actors + e.actors))
    target.actor_spans += e.actor_spans
    target.casualty_spans += e.casualty_spans
    if target.date_source == "article" and e.date_source in ("text", "relative"):
        target.date, target.date_source, target.date_phrase = e.date, e.date_source, e.date_phrase
    target.confidence = min(0.95, max(target.confidence, e.confidence) + 0.05)
    target.reason += f"; merged with the sentence at {e.sentence.start}"


def fill_places(events: list[Event], dateline: Site | None) -> None:
    """Give each placeless event the place of the event told just before it (a neighbour sentence:
    "sent reinforcements to the area"), else the dateline's place; confidence drops accordingly."""
    for i, e in enumerate(events):
        if e.place_id is not None:
            continue
        before = next((o for o in reversed(events[:i]) if o.place_id is not None and _near(o, e)), None)
        if before is not None:
            for name in _PLACE_FIELDS:
                setattr(e, name, getattr(before, name))
            e.reason += f"; place {before.place_name} of the incident told just before"
            e.confidence = min(0.95, e.confidence + 0.1)
        elif dateline is not None:
            p = dateline.place
            e.place_id, e.place_name, e.place_kind, e.place_pcode = p.id, p.name, p.kind, p.pcode
            e.governorate_pcode = p.pcode if p.kind == "governorate" else p.governorate_pcode
            e.district_pcode = district_of(p.kind, p.pcode)
            e.lat, e.lon, e.precision = p.lat, p.lon, precision_of(p)
            e.reason += f"; place {p.name} from the dateline"
            e.confidence = min(0.95, e.confidence + 0.05)


def district_of(kind: str | None, pcode: str | None) -> str | None:
    """The ADM2 P-code of a district or subdistrict (``IQG08Q02N04`` -> ``IQG08Q02``), else ``None``."""
    if kind == "district":
        return pcode
    if kind == "subdistrict" and pcode and len(pcode) > 8:
        return pcode[:8]
    return None
