"""The data that flows through Zone Atlas: text -> mentions -> places -> zones.

Plain dataclasses, no behaviour beyond serialisation. Offsets are Python ``str`` indices into the
article's decoded text, so ``text[m.start:m.end] == m.text`` always holds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: Kinds a resolved place may have (the CLI contract of ``python -m geo extract``).
PLACE_KINDS = (
    "country",
    "region",
    "governorate",
    "district",
    "subdistrict",
    "city",
    "town",
    "village",
    "other",
)


@dataclass(frozen=True)
class Span:
    """A stretch of the article text."""

    start: int
    end: int
    text: str


def _span(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


#: GeoJSON geometries made lately, by geometry object (zones taken from the construction cache
#: share theirs): ``id -> (geometry, mapping)``; the geometry is held, so its id is not reused.
_GEOJSON: OrderedDict[int, tuple[Any, dict[str, Any]]] = OrderedDict()
_GEOJSON_SIZE = 256
_GEOJSON_LOCK = threading.Lock()


def geojson_geometry(geometry: Any) -> dict[str, Any]:
    """The GeoJSON geometry of a shapely geometry, coordinates rounded to 6 decimals (about
    0.1 m); made once per geometry object of the last few hundred (a copy of the top level is
    returned; coordinates are tuples)."""
    with _GEOJSON_LOCK:
        held = _GEOJSON.get(id(geometry))
    if held is None or held[0] is not geometry:
        import shapely
        from shapely.geometry import mapping

        held = (geometry, mapping(shapely.set_precision(geometry, 1e-6)))
        with _GEOJSON_LOCK:
            _GEOJSON[id(geometry)] = held
            while len(_GEOJSON) > _GEOJSON_SIZE:
                _GEOJSON.popitem(last=False)
    return dict(held[1])


@dataclass(frozen=True)
class Mention:
    """One occurrence of a place name in the text.

    ``modifier`` is a spatial qualifier found next to the name ("north", "around", "outskirts",
    ...; see :mod:`geo.text.extract`), ``modifier_span`` is where that qualifier stands in the text.
    ``sentence`` is the span of the sentence that holds the mention.
    """

    start: int
    end: int
    text: str
    sentence: Span
    modifier: str | None = None
    modifier_span: Span | None = None
    cue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "modifier": self.modifier,
            "modifier_span": _span(self.modifier_span) if self.modifier_span else None,
            "cue": self.cue,
            "sentence": _span(self.sentence),
        }


@dataclass(frozen=True)
class Candidate:
    """A gazetteer entry a mention might refer to."""

    id: str
    name: str
    name_ar: str
    kind: str
    country: str
    lat: float
    lon: float
    pcode: str | None = None
    governorate: str | None = None
    governorate_pcode: str | None = None
    population: int = 0
    dataset: str = ""
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in _CANDIDATE_FIELDS}


_CANDIDATE_FIELDS = tuple(f.name for f in fields(Candidate))


@dataclass
class Place:
    """A resolved place with every mention that points at it and the evidence for the choice."""

    id: str
    name: str
    name_ar: str
    kind: str
    country: str
    lat: float
    lon: float
    confidence: float
    mentions: list[Mention]
    pcode: str | None = None
    governorate: str | None = None
    governorate_pcode: str | None = None
    dataset: str = ""
    alternatives: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the ``extract`` CLI contract (plus evidence fields)."""
        return {
            "id": self.id,
            "name": self.name,
            "name_ar": self.name_ar,
            "kind": self.kind,
            "pcode": self.pcode,
            "governorate": self.governorate,
            "governorate_pcode": self.governorate_pcode,
            "country": self.country,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "confidence": round(self.confidence, 3),
            "dataset": self.dataset,
            "mentions": [m.to_dict() for m in self.mentions],
            "alternatives": [c.to_dict() for c in self.alternatives],
        }


@dataclass
class Zone:
    """An area the text describes (operations room, vacuum belt, disputed territories, attacks).

    ``geometry`` is a shapely geometry in EPSG:4326. ``places`` lists the P-codes (or gazetteer ids
    for places without one) the zone was built from; ``construction`` names the recipe in
    ``data/zone_rules.toml`` and ``params`` its parameters (e.g. ``{"width_km": 20}``).
    ``covers``/``touches`` are ADM2 and ADM3 P-codes the zone covers (>= half of the unit's area)
    or merely intersects. ``seat`` is (lat, lon) of a point zone's seat, when it has one.
    ``occurrences`` lists every trigger phrase in the text that describes this same zone, in text
    order ("attacks in Diyala" said three times gives one zone with three occurrences); the first
    is ``trigger``, and a zone made without occurrences gets ``[trigger]``. ``confidence`` (0-1)
    says how directly the text ties the places to the trigger and ``reason`` says it in one line
    ("operations room: listed after 'غرف العمليات' in the same sentence").
    """

    id: str
    kind: str
    label: str
    label_ar: str
    places: list[str]
    trigger: Span
    sentence: Span
    construction: str
    params: dict[str, Any]
    geometry: Any
    dataset: str
    area_km2: float = 0.0
    covers: list[str] = field(default_factory=list)
    touches: list[str] = field(default_factory=list)
    seat: tuple[float, float] | None = None
    occurrences: list[Span] = field(default_factory=list)
    confidence: float = 1.0
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.occurrences:
            self.occurrences = [self.trigger]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a zone in the ``extract`` jsonl and the GeoJSON export.

        ``geometry`` is a GeoJSON geometry (coordinates rounded to 6 decimals, about 0.1 m).
        """
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "label_ar": self.label_ar,
            "places": list(self.places),
            "trigger": _span(self.trigger),
            "occurrences": [{"start": s.start, "end": s.end, "text": s.text} for s in self.occurrences],
            "sentence": _span(self.sentence),
            "construction": self.construction,
            "params": self.params,
            "dataset": self.dataset,
            "area_km2": round(self.area_km2, 1),
            "covers": list(self.covers),
            "touches": list(self.touches),
            "seat": list(self.seat) if self.seat else None,
            "geometry": geojson_geometry(self.geometry) if self.geometry is not None else None,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
        }


@dataclass
class Event:
    """One incident the article reports (see :mod:`geo.events.extract`).

    ``type`` is one of :data:`geo.events.kinds.EVENT_TYPES` and ``family`` its family (``attack``,
    ``security_arrangement``, ``displacement``). ``date`` is ISO ``YYYY-MM-DD`` or ``None``;
    ``date_source`` says where it came from (``text``, ``relative``, ``article``, ``none``) and
    ``date_phrase`` the words that gave it. The place is the most specific place of the sentence
    (``place_*``), with ACLED-style ``precision``: 1 town or village, 2 district, subdistrict or
    near a town, 3 governorate or wider. ``actors`` are ids of ``data/actors.toml``; ``killed``
    and ``wounded`` are ``None`` when the text gives no figure. ``historical`` marks a past event
    the article recalls ("the 2014 attack"). Every span indexes the article text.
    """

    id: str
    type: str
    family: str
    sentence: Span
    trigger: Span
    date: str | None = None
    date_source: str = "none"
    date_phrase: Span | None = None
    place_id: str | None = None
    place_name: str | None = None
    place_kind: str | None = None
    place_pcode: str | None = None
    governorate_pcode: str | None = None
    district_pcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: int | None = None
    actors: list[str] = field(default_factory=list)
    actor_spans: list[Span] = field(default_factory=list)
    killed: int | None = None
    wounded: int | None = None
    casualty_spans: list[Span] = field(default_factory=list)
    historical: bool = False
    confidence: float = 0.5
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of an event (spans as ``{start, end, text}``)."""
        out = asdict(self)
        if self.lat is not None and self.lon is not None:
            out["lat"], out["lon"] = round(self.lat, 6), round(self.lon, 6)
        out["confidence"] = round(self.confidence, 3)
        return out


@dataclass
class Analysis:
    """Everything Zone Atlas derived from one article."""

    source: str
    text: str
    lang: str
    places: list[Place]
    zones: list[Zone] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unanchored_triggers: list[Span] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
