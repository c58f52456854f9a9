"""Framing a map on an analysis: what the article is about, and the view on one place or zone.

:func:`analysis_bounds` is the extent a new map of the article fits: its Iraqi places and zones,
weighted by where the body text puts them. Text that is not the article's body (related-article
links after "Related" / "Read more" / "اقرأ أيضا", hashtags, menus, captions, credits and site
chrome: :func:`boilerplate_spans`) counts for little, and so do the last lines, where news puts
what matters least; places outside Iraq and whole countries are left out, and zones are clipped to
Iraq (a belt that reaches the Syrian border frames the Iraqi side).

:func:`focus_bounds` frames one place or zone with its governorate around it; :func:`focus_view`
turns that into the centre and zoom the map moves to (:func:`fit_zoom`, Web Mercator).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import shapely

from geo.model import Analysis, Place, Zone
from geo.render import highlight

#: Zoom at most, when the map is centred on one place, by kind (its governorate usually sets less).
KIND_ZOOM = {
    "country": 6,
    "region": 7,
    "governorate": 8,
    "district": 9,
    "subdistrict": 10,
    "city": 10,
    "town": 10,
    "village": 11,
    "other": 10,
}
#: The dashboard's map in CSS pixels (width, height), and the margin kept around a framed feature.
MAP_SIZE = (820, 620)
FIT_PADDING = 28
#: Weight of a mention in boilerplate, and of one in the last line of the body (the first count 1).
BOILERPLATE_WEIGHT = 0.1
TAIL_WEIGHT = 0.5
#: A place is framed when its weight is at least this share of the heaviest place's.
FRAME_SHARE = 0.3
#: ... and whatever weighs as much as one mention early in the body, unless it lies farther than
#: FAR_KM from the weighted centre of the article's places and weighs less than half the heaviest.
BODY_WEIGHT = 0.85
FAR_KM = 300.0
#: Decimal places of the frames sent to the web map (about 1 m).
POINT_DECIMALS = 5
#: Smallest span of a frame in degrees (about 70 km): a lone village keeps some context.
MIN_SPAN_DEG = 0.6

_RELATED = re.compile(
    r"^[\W_]*(related( articles?| stories| news| coverage)?|read (more|also|next)|see also|more (on|from)"
    r"[^.!?]{0,40}|recommended|اقرأ أيضا|اقرأ ايضا|اقرأ أيضاً|اقرأ ايضاً|اقرأ المزيد|إقرأ أيضا|ذات صلة|"
    r"مواضيع ذات صلة|أخبار ذات صلة|اخبار ذات صلة|مقالات ذات صلة|هەروەها بخوێنەوە|بابەتی پەیوەندیدار|"
    r"هەواڵی پەیوەندیدار|زیاتر بخوێنەوە)[\W_]*$",
    re.IGNORECASE,
)
_CHROME = re.compile(
    r"(our standards|trust principles|privacy policy|all rights reserved|terms of (use|service)|cookies?\b|"
    r"subscribe|sign up|newsletter|follow us|click here|share (this|on)|reporting by|editing by|"
    r"writing by|may be an image|no description available|image caption|getty images|copyright|©|"
    r"جميع الحقوق محفوظة|تنويه|تابعونا|اشترك|شارك|حقوق النشر|مافی بڵاوکردنەوە)",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?؟。]\s*$")


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, pos + len(line.rstrip("\r\n")), line.strip()))
        pos += len(line)
    return out


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` that are not the article's body: related links, menus, tags, chrome.

    Examples
    --------
    >>> text = "Attacks hit Kirkuk on Monday, officials said.\\n\\nRead more:\\nFloods in Basra"
    >>> [text[a:b] for a, b in boilerplate_spans(text)]
    ['Read more:', 'Floods in Basra']
    """
    return list(_boilerplate(text))


@lru_cache(maxsize=16)
def _boilerplate(text: str) -> tuple[tuple[int, int], ...]:
    lines = _lines(text)
    out: list[tuple[int, int]] = []
    related = False
    short_run: list[tuple[int, int]] = []
    for start, end, line in lines:
        if not line:
            continue
        words = line.split()
        boiler = False
        if _RELATED.match(line):
            related, boiler = True, True
        elif related and len(line) < 160:
            boiler = True
        else:
            related = False
        tags = sum(w.startswith("#") for w in words)
        if tags and tags >= 0.6 * len(words):
            boiler = True
        if len(line) < 200 and (_CHROME.search(line) or _URL.search(line)):
            boiler = True
        if boiler:
            out.append((start, end))
        # three or more short lines in a row that are not sentences: a menu or a list of links
        if len(line) < 45 and not _SENTENCE_END.search(line) and not boiler:
            short_run.append((start, end))
        else:
            if len(short_run) >= 3:
                out += short_run
            short_run = []
    if len(short_run) >= 3:
        out += short_run
    return tuple(sorted(set(out)))


def mention_weights(analysis: Analysis) -> list[float]:
    """Each place's weight: its mentions, each counted by where it stands (see the module docstring)."""
    text = analysis.text
    spans = boilerplate_spans(text)
    body_end = max((e for s, e in _body_lines(text, spans)), default=len(text)) or 1

    def weight(pos: int) -> float:
        if any(a <= pos < b for a, b in spans):
            return BOILERPLATE_WEIGHT
        share = min(pos / body_end, 1.0)
        return 1.0 if share <= 0.4 else 1.0 - (1.0 - TAIL_WEIGHT) * (share - 0.4) / 0.6

    return [sum(weight(m.start) for m in p.mentions) for p in analysis.places]


def _body_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    boiler = set(spans)
    return [(s, e) for s, e, line in _lines(text) if line and (s, e) not in boiler]


def in_body(analysis: Analysis, position: int) -> bool:
    """True when ``position`` lies in the article's body (not in boilerplate)."""
    return not any(a <= position < b for a, b in boilerplate_spans(analysis.text))


@lru_cache(maxsize=1)
def _iraq() -> Any:
    from geo.data import boundaries

    outline = shapely.union_all(boundaries.load_level(0, web=True).geometry.values)
    shapely.prepare(outline)
    return outline


@lru_cache(maxsize=1)
def _governorates() -> dict[str, tuple[str, tuple[float, float, float, float]]]:
    from geo.data import boundaries

    layer = boundaries.load_level(1, web=True)
    return {str(r.pcode): (str(r.name_en), tuple(r.geometry.bounds)) for r in layer.itertuples(index=False)}


@lru_cache(maxsize=256)
def _clipped_bounds(wkb: bytes) -> tuple[float, float, float, float] | None:
    part = shapely.intersection(shapely.from_wkb(wkb), _iraq())
    if part.is_empty:
        return None
    west, south, east, north = (float(v) for v in part.bounds)
    return west, south, east, north


def iraqi_part(geometry: Any) -> Any:
    """``geometry`` clipped to Iraq's outline (None for no geometry)."""
    if geometry is None or geometry.is_empty:
        return None
    return shapely.intersection(geometry, _iraq())


def zone_anchor(geometry: Any) -> tuple[float, float] | None:
    """(lat, lon) inside a zone's Iraqi part (its largest piece) where its name or popup goes."""
    part = iraqi_part(geometry)
    if part is None or part.is_empty:
        return None
    largest = max(shapely.get_parts(part), key=lambda g: g.area)
    point = largest.representative_point()
    return point.y, point.x


def zone_bounds(zone: Zone) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the zone's Iraqi part, or None."""
    if zone.geometry is None or zone.geometry.is_empty:
        return None
    return _clipped_bounds(shapely.to_wkb(zone.geometry))


def _located(p: Place) -> bool:
    return math.isfinite(p.lat) and math.isfinite(p.lon)


def _frame(points: list[tuple[float, float]], pad_deg: float) -> list[list[float]]:
    lats, lons = zip(*points, strict=True)
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    grow_lat, grow_lon = (
        max(0.0, MIN_SPAN_DEG - (north - south)) / 2,
        max(0.0, MIN_SPAN_DEG - (east - west)) / 2,
    )
    return [
        [round(south - grow_lat - pad_deg, POINT_DECIMALS), round(west - grow_lon - pad_deg, POINT_DECIMALS)],
        [round(north + grow_lat + pad_deg, POINT_DECIMALS), round(east + grow_lon + pad_deg, POINT_DECIMALS)],
    ]


def analysis_bounds(analysis: Analysis, *, pad_deg: float = 0.15) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around what the article is about (see the module docstring).

    Places: Iraqi, not whole countries, weighing at least :data:`FRAME_SHARE` of the heaviest or
    :data:`BODY_WEIGHT` (falling back to every located place when none is Iraqi), and not far from
    where the article's weight lies (:data:`FAR_KM`). Zones: those set off in the body whose places
    weigh as much, clipped to Iraq.
    """
    weights = mention_weights(analysis)
    located = [i for i, p in enumerate(analysis.places) if _located(p)]
    iraqi = [
        i for i in located if analysis.places[i].country == "IQ" and analysis.places[i].kind != "country"
    ]
    pool = iraqi or [i for i in located if analysis.places[i].kind != "country"] or located
    zone_weights = _zone_weights(analysis, weights)
    top = max([weights[i] for i in pool] + zone_weights, default=0.0)
    centre = _weighted_centre([(analysis.places[i].lat, analysis.places[i].lon, weights[i]) for i in pool])

    def framed(weight: float, lat: float, lon: float) -> bool:
        heavy = weight >= min(FRAME_SHARE * top, BODY_WEIGHT)
        near = centre is None or _km(centre, (lat, lon)) <= FAR_KM or weight >= 0.5 * top
        return weight > 0 and heavy and near

    chosen = [i for i in pool if framed(weights[i], analysis.places[i].lat, analysis.places[i].lon)] or pool
    points = [(analysis.places[i].lat, analysis.places[i].lon) for i in chosen]
    boxes = [(zone_bounds(z), w) for z, w in zip(analysis.zones, zone_weights, strict=True)]
    kept = [b for b, w in boxes if b is not None and framed(w, (b[1] + b[3]) / 2, (b[0] + b[2]) / 2)]
    for box in kept or [b for b, _w in boxes if b is not None]:
        points += [(box[1], box[0]), (box[3], box[2])]
    if not points:
        return None
    return _frame(points, pad_deg)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two (lat, lon) points (equirectangular: fine at these scales)."""
    k = math.cos(math.radians((a[0] + b[0]) / 2))
    return 111.2 * math.hypot(a[0] - b[0], (a[1] - b[1]) * k)


def _weighted_centre(points: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """The weighted median (lat, lon) of ``(lat, lon, weight)`` points: a few far places do not move it."""
    if not points or sum(w for *_ll, w in points) <= 0:
        return None

    def median(values: list[tuple[float, float]]) -> float:
        values = sorted(values)
        half, acc = sum(w for _v, w in values) / 2, 0.0
        for value, weight in values:
            acc += weight
            if acc >= half:
                return value
        return values[-1][0]

    return median([(lat, w) for lat, _lon, w in points]), median([(lon, w) for _lat, lon, w in points])


def _zone_weights(analysis: Analysis, weights: list[float]) -> list[float]:
    """Each zone's weight: its heaviest place's, else 1; a zone set off in boilerplate weighs little."""
    by_key: dict[str, float] = {}
    for place, weight in zip(analysis.places, weights, strict=True):
        for key in (place.id, place.pcode):
            if key:
                by_key[key] = max(by_key.get(key, 0.0), weight)
    out = []
    for zone in analysis.zones:
        found = [by_key[k] for k in zone.places if k in by_key]
        if not in_body(analysis, zone.trigger.start):
            out.append(BOILERPLATE_WEIGHT)
        else:
            out.append(max(found) if found else 1.0)
    return out


def _governorate_box(place: Place) -> tuple[float, float, float, float] | None:
    table = _governorates()
    codes = [place.governorate_pcode or "", (place.pcode or "")[:5]]
    for code in codes:
        if code in table:
            return table[code][1]
    by_name = {name.lower(): box for name, box in table.values()}
    return by_name.get((place.governorate or "").lower())


def focus_bounds(analysis: Analysis, ref: str | None) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` that frames a place or zone named by ``ref``, or None.

    A place is framed with its governorate around it, centred on the place; a zone by its Iraqi
    part (an operations room centred on its seat).
    """
    target = highlight.resolve_ref(analysis, ref)
    centre: tuple[float, float] | None = None
    box: tuple[float, float, float, float] | None = None
    if isinstance(target, Place):
        if not _located(target):
            return None
        centre = (target.lat, target.lon)
        box = _governorate_box(target) if target.country == "IQ" else None
        if box is None:
            span = 1.5 if target.kind in ("country", "region") else 0.5
            box = (target.lon - span, target.lat - span, target.lon + span, target.lat + span)
    elif isinstance(target, Zone):
        box = zone_bounds(target)
        if target.seat is not None and all(map(math.isfinite, target.seat)):
            centre = (target.seat[0], target.seat[1])
            if box is None:
                box = (centre[1] - 0.3, centre[0] - 0.3, centre[1] + 0.3, centre[0] + 0.3)
        if box is None:
            return None
    else:
        return None
    west, south, east, north = box
    if centre is not None:
        lat, lon = centre
        half_lat = max(north - lat, lat - south, MIN_SPAN_DEG / 2)
        half_lon = max(east - lon, lon - west, MIN_SPAN_DEG / 2)
        south, west, north, east = lat - half_lat, lon - half_lon, lat + half_lat, lon + half_lon
    return [[round(v, POINT_DECIMALS) for v in corner] for corner in ([south, west], [north, east])]


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_zoom(
    bounds: list[list[float]], *, size: tuple[int, int] = MAP_SIZE, padding: int = FIT_PADDING
) -> float:
    """The largest zoom (in quarter steps, 4 to 13) at which ``bounds`` fit a map of ``size`` pixels."""
    (south, west), (north, east) = bounds
    width, height = max(size[0] - 2 * padding, 50), max(size[1] - 2 * padding, 50)
    dx = max(east - west, 1e-6) / 360.0
    dy = max(_mercator_y(north) - _mercator_y(south), 1e-6) / (2 * math.pi)
    zoom = math.log2(min(width / (256 * dx), height / (256 * dy)))
    return max(4.0, min(13.0, math.floor(zoom * 4) / 4))


def focus_view(
    analysis: Analysis, ref: str | None, *, size: tuple[int, int] = MAP_SIZE
) -> tuple[tuple[float, float], float] | None:
    """``((lat, lon), zoom)`` that frames a place or zone named by ``ref``, or None.

    The centre is the place itself, a zone's seat, or the middle of a zone's Iraqi part; the zoom
    fits :func:`focus_bounds`, and for a place never exceeds :data:`KIND_ZOOM` of its kind.
    """
    bounds = focus_bounds(analysis, ref)
    if bounds is None:
        return None
    target = highlight.resolve_ref(analysis, ref)
    zoom = fit_zoom(bounds, size=size)
    if isinstance(target, Place):
        return (target.lat, target.lon), min(float(KIND_ZOOM.get(target.kind, 10)), zoom)
    (south, west), (north, east) = bounds
    assert isinstance(target, Zone)
    if target.seat is not None and all(map(math.isfinite, target.seat)):
        return (target.seat[0], target.seat[1]), min(zoom, 10.0)
    return ((south + north) / 2, (west + east) / 2), zoom
