"""The vocabulary every rendering of an analysis shares: escaping, colours, styles and refs.

Every piece of article text, place name and label goes through :func:`escape` before it reaches
HTML, so nothing in an article can run in a browser: the output is safe in element content, in
quoted attributes and inside the JavaScript template literals folium wraps popups and tooltips in.
Colours come from :data:`PLACE_COLOURS` (places, by kind) and :func:`zone_style` (zones, from the
rules file's style table), and are never taken from raw input.

Places and zones are named by *refs*: ``P<i>`` is ``analysis.places[i]`` and ``Z<j>`` is
``analysis.zones[j]``. A ref starts every popup and tooltip, so a click on the map can be traced
back to its place or zone (:func:`parse_ref`); element ids of the article panel are built from
integers only (:func:`sentence_id`, :func:`mark_id`, :func:`focus_id`).

The article with its marks is :mod:`geo.render.article`, the map's popups and tooltips
:mod:`geo.render.popups`, the places and zones tables :mod:`geo.render.tables`.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from geo.model import Analysis, Place, Span, Zone

#: Marker and highlight colour of each place kind (Okabe-Ito based, readable on white).
PLACE_COLOURS: dict[str, str] = {
    "country": "#5f6b73",
    "region": "#8e44ad",
    "governorate": "#0072b2",
    "district": "#009e73",
    "subdistrict": "#56b4e9",
    "city": "#d55e00",
    "town": "#e69f00",
    "village": "#cc79a7",
    "other": "#7f7f7f",
}
#: Colours given to zone kinds that have no style of their own.
FALLBACK_ZONE_COLOURS = ("#1f4e9c", "#c0392b", "#6a3d9a", "#d35400", "#117a65", "#7d6608")
#: Places resolved with less confidence than this are flagged for review.
REVIEW_BELOW = 0.5
#: Languages written right to left.
RTL_LANGS = frozenset({"ar", "ckb", "fa", "ur", "ps", "he"})
ID_PREFIX = "za"

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_REF = re.compile(r"^\s*([PZ])(\d{1,6})\b")
_JS_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def escape(text: object) -> str:
    """``text`` as HTML text that is also inert inside a JavaScript template literal.

    Escapes ``& < > " '`` like :func:`html.escape` and, in addition, the backtick, ``$``, ``\\``
    and braces (as character references), which folium's templates would otherwise interpret.

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">${x}')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#36;&#123;x&#125;'
    """
    return html.escape(str(text), quote=True).translate(_JS_TEMPLATE_CHARS)


def safe_colour(value: object, fallback: str = "#7f7f7f") -> str:
    """``value`` as ``#rrggbb`` when it is a hex colour, else ``fallback`` (never raw input)."""
    if isinstance(value, str) and _HEX.match(value.strip()):
        v = value.strip().lower()
        return v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:])
    return fallback


def place_colour(kind: str) -> str:
    """The colour of a place kind (grey for kinds Zone Atlas does not know)."""
    return PLACE_COLOURS.get(kind, PLACE_COLOURS["other"])


@dataclass(frozen=True)
class ZoneStyle:
    """How one zone kind is drawn: outline, fill, dash pattern, seat marker and labels."""

    kind: str
    label: str
    label_ar: str
    colour: str
    fill_colour: str
    fill_opacity: float
    weight: float
    dash: str
    marker: str


def zone_style(kind: str, styles: Mapping[str, Mapping[str, Any]] | None = None) -> ZoneStyle:
    """The :class:`ZoneStyle` of ``kind`` from a ``{kind: {...}}`` style table.

    Accepts the keys of ``data/zone_rules.toml`` (``color``, ``fill_color``, ``fill_opacity``,
    ``weight``, ``dash``, ``marker``, ``label``, ``label_ar``) and their British spellings
    (``colour``, ``fill_colour``). Unknown kinds get a fallback colour and their name as label.
    """
    raw: Mapping[str, Any] = (styles or {}).get(kind, {})
    fallback = FALLBACK_ZONE_COLOURS[sum(map(ord, kind)) % len(FALLBACK_ZONE_COLOURS)]
    colour = safe_colour(raw.get("colour", raw.get("color")), fallback)
    fill = safe_colour(raw.get("fill_colour", raw.get("fill_color")), colour)
    try:
        opacity = min(max(float(raw.get("fill_opacity", 0.2)), 0.0), 1.0)
        weight = min(max(float(raw.get("weight", 2.0)), 0.0), 10.0)
    except (TypeError, ValueError):
        opacity, weight = 0.2, 2.0
    dash = str(raw.get("dash", raw.get("dash_array", "")) or "")
    dash = dash if re.fullmatch(r"[0-9 .,]*", dash) else ""
    return ZoneStyle(
        kind=kind,
        label=str(raw.get("label") or kind.replace("_", " ").capitalize()),
        label_ar=str(raw.get("label_ar") or ""),
        colour=colour,
        fill_colour=fill,
        fill_opacity=opacity,
        weight=weight,
        dash=dash.strip(),
        marker=str(raw.get("marker") or ""),
    )


def styles_or_rules(styles: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    """``styles`` when given, else the zone styles of the rules file (``data/zone_rules.toml``)."""
    if styles is not None:
        return styles
    from geo.zones.frames import zone_styles

    return zone_styles()


def text_direction(text: str, lang: str | None = None) -> str:
    """``"rtl"`` for right-to-left languages (or mostly Arabic-script text), else ``"ltr"``."""
    if lang in RTL_LANGS:
        return "rtl"
    sample = text[:5000]
    arabic = sum("\u0590" <= ch <= "\u08ff" for ch in sample)
    latin = sum(ch.isascii() and ch.isalpha() for ch in sample)
    return "rtl" if arabic > latin else "ltr"


def place_ref(index: int) -> str:
    """The ref of ``analysis.places[index]``."""
    return f"P{index}"


def zone_ref(index: int) -> str:
    """The ref of ``analysis.zones[index]``."""
    return f"Z{index}"


def parse_ref(text: str | None) -> str | None:
    """The ref at the start of a popup's or tooltip's text (``"P3 ..."`` -> ``"P3"``), or None."""
    if not text:
        return None
    match = _REF.match(text)
    return f"{match.group(1)}{int(match.group(2))}" if match else None


def resolve_ref(analysis: Analysis, ref: str | None) -> Place | Zone | None:
    """The place or zone a ref names in ``analysis``, or None when it names nothing there."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    index = int(parsed[1:])
    items: list[Any] = analysis.places if parsed[0] == "P" else analysis.zones
    return items[index] if index < len(items) else None


def sentence_id(span: Span | int) -> str:
    """The element id of the sentence starting at ``span`` (an int offset or a span)."""
    start = span if isinstance(span, int) else span.start
    return f"{ID_PREFIX}-s-{int(start)}"


def mark_id(start: int) -> str:
    """The element id of a selected mention or trigger starting at offset ``start``."""
    return f"{ID_PREFIX}-m-{int(start)}"


def focus_id(analysis: Analysis, ref: str | None) -> str | None:
    """The element id to scroll to for a selection: the zone's trigger or the place's first mention.

    Ids are built from integers only, never from article text.
    """
    spans = spans_for_ref(analysis, ref) if ref else []
    return mark_id(spans[0][0]) if spans else None


def zone_places_marks(analysis: Analysis, zone: Zone) -> list[tuple[int, int]]:
    """Mentions, inside the zone's sentence, of the places the zone was built from."""
    keys = set(zone.places)
    out = []
    for place in analysis.places:
        if (place.pcode or place.id) in keys or place.id in keys:
            out += [
                (m.start, m.end)
                for m in place.mentions
                if zone.sentence.start <= m.start and m.end <= zone.sentence.end
            ]
    return out


def spans_for_ref(analysis: Analysis, ref: str) -> list[tuple[int, int]]:
    """The text spans a ref stands for: a place's mentions, or a zone's trigger and its places."""
    target = resolve_ref(analysis, ref)
    if isinstance(target, Place):
        return [(m.start, m.end) for m in target.mentions]
    if isinstance(target, Zone):
        return [(target.trigger.start, target.trigger.end), *zone_places_marks(analysis, target)]
    return []


# --------------------------------------------------------------------------------------------
# Review flags and covered units (popups and tables)


def needs_review(place: Place, threshold: float = REVIEW_BELOW) -> bool:
    """True when a place was resolved with less confidence than ``threshold``."""
    return not math.isfinite(place.confidence) or place.confidence < threshold


def unit_list(pcodes: Iterable[str], unit_names: Mapping[str, str] | None, limit: int = 12) -> str:
    """The units ``pcodes`` names, by name when ``unit_names`` knows them, at most ``limit`` of them."""
    codes = list(pcodes)
    names = [unit_names.get(c, c) if unit_names else c for c in codes]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
