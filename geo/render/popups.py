"""The map's popups and tooltips of places and zones, as escaped HTML strings, in the analyst's words.

A place's popup gives its names, kind, governorate, P-code, how sure the reading is and why, and
the sentences that name it (trimmed); a zone's gives its kind, why it is drawn there (the zone's
``reason`` when the zone reading gives one), the places it was built from, its area and the
districts it covers, and the sentence that set it off. How a zone was constructed (recipe and
parameters) is not for the map: the zones table shows it under "Details".

Every popup and tooltip starts with its ref (``P3 · place``, ``Z0 · zone``), so a click on the map
can be traced back to its place or zone (:func:`geo.render.highlight.parse_ref`). The map
(:mod:`geo.render.maplayers`) wraps these strings in folium objects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geo.model import Analysis, Place, Zone
from geo.render.article import selection_html
from geo.render.highlight import ID_PREFIX, escape, needs_review, place_ref, unit_list, zone_ref, zone_style

#: Sentences quoted in one popup at most, and the longest quote (popups stay small).
QUOTES_PER_POPUP = 2
POPUP_QUOTE_CHARS = 200
#: Units named in a zone's popup before "and N more".
UNITS_IN_POPUP = 6
#: Where a place's name was found, in words (the gazetteer's dataset tags).
SOURCE_WORDS = {
    "cod_ab_iraq": "an administrative unit of the COD-AB boundaries",
    "cod_ab_syria": "a Syrian unit of the COD-AB boundaries",
    "geonames": "a town in GeoNames",
    "geonames_cities": "a town in GeoNames",
    "iom_dtm": "a location of the IOM DTM master list",
    "places_extra": "Zone Atlas' list of regions and countries",
}


def _fmt_conf(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else "?"


def confidence_words(value: float) -> str:
    """How sure a reading is, in a word: high (>= 0.85), medium (>= 0.5) or low."""
    if not math.isfinite(value):
        return "unknown"
    return "high" if value >= 0.85 else "medium" if value >= 0.5 else "low"


def place_reason(place: Place) -> str:
    """Why the text was read as this place: the reader's own reason when it gives one, else the evidence."""
    given = str(getattr(place, "reason", "") or "").strip()
    if given:
        return given
    parts = []
    n = len(place.mentions)
    parts.append(f"named {n} time{'s' if n != 1 else ''}")
    tag = place.dataset.split("@")[0].split(";")[0].strip()
    if tag in SOURCE_WORDS:
        parts.append(f"matches {SOURCE_WORDS[tag]}")
    modifiers = sorted({m.modifier for m in place.mentions if m.modifier})
    if modifiers:
        parts.append("with " + ", ".join(f"“{m}”" for m in modifiers[:3]))
    others = [c for c in place.alternatives if c.name != place.name or c.kind != place.kind][:2]
    if others:
        parts.append(
            "other readings: "
            + ", ".join(f"{c.name} ({c.kind}{', ' + c.governorate if c.governorate else ''})" for c in others)
        )
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def place_tooltip(analysis: Analysis, index: int) -> str:
    """Escaped one-line tooltip of a place: ref, English and Arabic name, kind."""
    p = analysis.places[index]
    ar = f" · {escape(p.name_ar)}" if p.name_ar else ""
    flag = " ⚠" if needs_review(p) else ""
    return f"{place_ref(index)} · {escape(p.name)}{ar} ({escape(p.kind)}){flag}"


def _facts(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="{ID_PREFIX}-facts">{body}</table>'


def place_popup_html(analysis: Analysis, index: int) -> str:
    """Escaped popup of a place: names, kind, governorate, P-code, confidence and why, quoted sentences."""
    p = analysis.places[index]
    review = " <b>(review)</b>" if needs_review(p) else ""
    rows = [
        ("Governorate", escape(p.governorate or "")),
        ("P-code", escape(p.pcode or "")),
        ("Confidence", f"{_fmt_conf(p.confidence)} ({confidence_words(p.confidence)}){review}"),
        ("Why", escape(place_reason(p))),
    ]
    ar = f'<div dir="rtl" lang="ar">{escape(p.name_ar)}</div>' if p.name_ar else ""
    quotes = selection_html(analysis, place_ref(index), limit=QUOTES_PER_POPUP, max_chars=POPUP_QUOTE_CHARS)
    return (
        f'<div class="{ID_PREFIX}-popup"><div class="{ID_PREFIX}-ref">{place_ref(index)} · place</div>'
        f'<div class="{ID_PREFIX}-head"><b>{escape(p.name)}</b> <small>{escape(p.kind)}</small></div>{ar}'
        f"{_facts(rows)}{quotes}</div>"
    )


def zone_tooltip(
    analysis: Analysis, index: int, styles: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """Escaped one-line tooltip of a zone: ref, kind label, zone label."""
    z = analysis.zones[index]
    kind_label = zone_style(z.kind, styles).label
    label = z.label if kind_label.lower() in z.label.lower() else f"{kind_label}: {z.label}"
    return f"{zone_ref(index)} · {escape(label)}"


def zone_place_names(
    analysis: Analysis, zone: Zone, unit_names: Mapping[str, str] | None = None
) -> list[str]:
    """The names of the places a zone was built from (P-codes or gazetteer ids resolved)."""
    names: dict[str, str] = {}
    for p in analysis.places:
        names[p.id] = p.name
        if p.pcode:
            names[p.pcode] = p.name
    return list(dict.fromkeys(names.get(k) or (unit_names or {}).get(k, k) for k in zone.places))


def zone_popup_html(
    analysis: Analysis,
    index: int,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> str:
    """Escaped popup of a zone: label, kind, why it is there, its places, area, covered units, quote."""
    z = analysis.zones[index]
    style = zone_style(z.kind, styles)
    reason = str(getattr(z, "reason", "") or "").strip()
    confidence = getattr(z, "confidence", None)
    seat = z.params.get("seat_name") if z.seat is not None else None
    covered = [c for c in z.covers if len(c) == 8] or list(z.covers)  # districts (IQGnnQnn) first
    rows = [
        ("Kind", escape(style.label)),
        ("Why here", escape(reason)),
        (
            "Confidence",
            f"{_fmt_conf(float(confidence))} ({confidence_words(float(confidence))})"
            if isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
            else "",
        ),
        ("Places", escape(", ".join(zone_place_names(analysis, z, unit_names)))),
        ("Seat", escape(seat) if isinstance(seat, str) else ""),
        ("Area", f"{z.area_km2:,.0f} km²" if z.area_km2 else ""),
        ("Covers", escape(unit_list(covered, unit_names, limit=UNITS_IN_POPUP))),
    ]
    ar = f'<div dir="rtl" lang="ar">{escape(z.label_ar)}</div>' if z.label_ar else ""
    quote = selection_html(analysis, zone_ref(index), limit=1, max_chars=POPUP_QUOTE_CHARS)
    return (
        f'<div class="{ID_PREFIX}-popup"><div class="{ID_PREFIX}-ref">{zone_ref(index)} · zone</div>'
        f'<div class="{ID_PREFIX}-head"><b>{escape(z.label)}</b></div>{ar}'
        f"{_facts(rows)}{quote}</div>"
    )
