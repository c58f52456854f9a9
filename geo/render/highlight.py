"""An analysis as escaped HTML and table rows: the article with its places and zones marked.

Pure functions from an :class:`~geo.model.Analysis` to strings and plain rows, shared by the
dashboard's article panel, the map's popups and the exports. Every piece of article text, place
name and label goes through :func:`escape` before it reaches HTML, so nothing in an article can
run in a browser: the output is safe in element content, in quoted attributes and inside the
JavaScript template literals folium wraps popups and tooltips in.

Places and zones are named by *refs*: ``P<i>`` is ``analysis.places[i]`` and ``Z<j>`` is
``analysis.zones[j]``. A ref starts every popup and tooltip, so a click on the map can be traced
back to its place or zone (:func:`parse_ref`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
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
#: Longest quote shown in a popup; longer sentences are cut around the marked words.
QUOTE_MAX_CHARS = 320
#: Sentences quoted in one popup at most.
QUOTES_PER_POPUP = 3
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
    spans = _spans_for_ref(analysis, ref) if ref else []
    return mark_id(spans[0][0]) if spans else None


# --------------------------------------------------------------------------------------------
# Marks: what is highlighted where


@dataclass(frozen=True)
class Mark:
    """A stretch of the text to highlight: a place mention, its modifier, or a zone trigger."""

    start: int
    end: int
    role: str  # "mention", "modifier", "trigger" or "unanchored"
    refs: tuple[str, ...]
    colour: str
    title: str
    sentence: Span | None = None


def _valid(span_start: int, span_end: int, text: str) -> bool:
    return 0 <= span_start < span_end <= len(text)


def marks_of(analysis: Analysis, styles: Mapping[str, Mapping[str, Any]] | None = None) -> list[Mark]:
    """Every highlight of ``analysis`` in text order. Spans outside the text are skipped."""
    text = analysis.text
    marks: list[Mark] = []
    for i, place in enumerate(analysis.places):
        colour = place_colour(place.kind)
        title = f"{place.name} ({place.kind})"
        for m in place.mentions:
            if _valid(m.start, m.end, text):
                marks.append(Mark(m.start, m.end, "mention", (place_ref(i),), colour, title, m.sentence))
            ms = m.modifier_span
            if ms is not None and _valid(ms.start, ms.end, text):
                marks.append(
                    Mark(
                        ms.start,
                        ms.end,
                        "modifier",
                        (place_ref(i),),
                        colour,
                        f"{m.modifier or 'modifier'} of {place.name}",
                        m.sentence,
                    )
                )
    # every occurrence of a zone's trigger phrase is marked; the first one carries the sentence
    triggers: dict[tuple[int, int], list[int]] = {}
    for j, zone in enumerate(analysis.zones):
        for span in zone.occurrences or [zone.trigger]:
            if _valid(span.start, span.end, text):
                triggers.setdefault((span.start, span.end), []).append(j)
    for (start, end), indices in triggers.items():
        first = analysis.zones[indices[0]]
        style = zone_style(first.kind, styles)
        labels = list(dict.fromkeys(analysis.zones[j].label for j in indices))
        is_first = (first.trigger.start, first.trigger.end) == (start, end)
        marks.append(
            Mark(
                start,
                end,
                "trigger",
                tuple(zone_ref(j) for j in indices),
                style.colour,
                f"{style.label}: {'; '.join(labels)}",
                first.sentence if is_first else None,
            )
        )
    for span in analysis.unanchored_triggers:
        if _valid(span.start, span.end, text):
            marks.append(
                Mark(
                    span.start,
                    span.end,
                    "unanchored",
                    (),
                    "#7f7f7f",
                    "zone trigger that names no place: no zone drawn",
                )
            )
    marks.sort(key=lambda k: (k.start, -k.end, k.role))
    return marks


def sentences_of(analysis: Analysis, ref: str) -> list[Span]:
    """The sentences behind a place (each of its mentions) or a zone (its trigger's), in order."""
    target = resolve_ref(analysis, ref)
    spans: list[Span] = []
    if isinstance(target, Place):
        spans = [m.sentence for m in target.mentions]
    elif isinstance(target, Zone):
        spans = [target.sentence]
    text = analysis.text
    unique = {(s.start, s.end): s for s in spans if _valid(s.start, s.end, text)}
    return [unique[k] for k in sorted(unique)]


def _zone_places_marks(analysis: Analysis, zone: Zone) -> list[tuple[int, int]]:
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


def _spans_for_ref(analysis: Analysis, ref: str) -> list[tuple[int, int]]:
    target = resolve_ref(analysis, ref)
    if isinstance(target, Place):
        return [(m.start, m.end) for m in target.mentions]
    if isinstance(target, Zone):
        return [(target.trigger.start, target.trigger.end), *_zone_places_marks(analysis, target)]
    return []


# --------------------------------------------------------------------------------------------
# The article panel

ARTICLE_CSS = f"""
.{ID_PREFIX}-article {{ white-space: pre-wrap; line-height: 1.9; font-size: 1.02rem;
  unicode-bidi: plaintext; text-align: start;
  font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", sans-serif; }}
.{ID_PREFIX}-mention {{ background: color-mix(in srgb, var(--za-c) 22%, transparent);
  border-bottom: 2px solid var(--za-c); border-radius: 2px; padding: 0 1px; }}
.{ID_PREFIX}-zoneplace {{ box-shadow: inset 0 -4px 0 var(--za-z); }}
.{ID_PREFIX}-modifier {{ border-bottom: 2px dotted var(--za-c); }}
.{ID_PREFIX}-trigger {{ outline: 2px dashed var(--za-t); outline-offset: 1px; border-radius: 3px;
  font-weight: 600; }}
.{ID_PREFIX}-unanchored {{ outline: 1px dotted #7f7f7f; color: #555; }}
.{ID_PREFIX}-focus:not(.{ID_PREFIX}-mention) {{ background-color: #fff3b0; }}
.{ID_PREFIX}-selected {{ outline: 3px solid #111 !important; outline-offset: 1px; }}
.{ID_PREFIX}-anchor {{ scroll-margin-top: 4rem; }}
.{ID_PREFIX}-quote {{ margin: 0.2rem 0 0.6rem; padding: 0.3rem 0.6rem; border-inline-start: 3px solid #999;
  background: #f7f7f7; white-space: pre-wrap; }}
.{ID_PREFIX}-quote mark {{ background: #ffe066; padding: 0 1px; }}
"""


def article_html(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    selected: str | None = None,
    with_css: bool = True,
) -> str:
    """The article text as escaped HTML with every mention and zone trigger highlighted.

    Mentions get their place kind's colour (and an underline in a zone's colour when the place
    builds a zone in that sentence); zone triggers a dashed outline in the zone's colour;
    triggers that named no place a dotted grey outline. Every highlighted sentence starts with an
    anchor ``<span id="za-s-<offset>">`` (see :func:`sentence_id`). ``selected`` (a ref) puts the
    sentences of that place or zone on a yellow ground and outlines its mentions or trigger.
    """
    text = analysis.text
    marks = marks_of(analysis, styles)
    zone_colour_at = _zone_place_colours(analysis, styles)
    focus = sentences_of(analysis, selected) if selected else []
    chosen = set(_spans_for_ref(analysis, selected)) if selected else set()

    anchors = sorted(
        {m.sentence.start for m in marks if m.sentence is not None and 0 <= m.sentence.start <= len(text)}
        | {s.start for s in focus}
    )
    cuts = {0, len(text), *anchors}
    for mark in marks:
        cuts.update((mark.start, mark.end))
    for span in focus:
        cuts.update((span.start, span.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    anchor_set = set(anchors)
    chosen_starts = {a for a, _b in chosen}
    cuts.update(c for c in chosen_starts if 0 <= c <= len(text))
    points = sorted(c for c in cuts if 0 <= c <= len(text))

    out: list[str] = []
    for a, b in pairwise(points):
        if a in anchor_set:
            out.append(f'<span class="{ID_PREFIX}-anchor" id="{sentence_id(a)}"></span>')
        if a in chosen_starts:
            out.append(f'<span class="{ID_PREFIX}-anchor" id="{mark_id(a)}"></span>')
        if a == b:
            continue
        active = [m for m in marks if m.start <= a and b <= m.end]
        in_focus = any(s.start <= a and b <= s.end for s in focus)
        piece = escape(text[a:b])
        if not active and not in_focus:
            out.append(piece)
            continue
        classes: list[str] = []
        style: list[str] = []
        refs: list[str] = []
        titles: list[str] = []
        for m in active:
            classes.append(f"{ID_PREFIX}-{m.role}")
            refs.extend(m.refs)
            titles.append(m.title)
            if m.role in ("mention", "modifier"):
                style.append(f"--za-c:{m.colour}")
            elif m.role == "trigger":
                style.append(f"--za-t:{m.colour}")
            if (m.start, m.end) in chosen:
                classes.append(f"{ID_PREFIX}-selected")
            if m.role == "mention" and (m.start, m.end) in zone_colour_at:
                classes.append(f"{ID_PREFIX}-zoneplace")
                style.append(f"--za-z:{zone_colour_at[(m.start, m.end)]}")
        if in_focus:
            classes.append(f"{ID_PREFIX}-focus")
        attrs = f' class="{" ".join(dict.fromkeys(classes))}"'
        if style:
            attrs += f' style="{";".join(dict.fromkeys(style))}"'
        if refs:
            attrs += f' data-ref="{escape(" ".join(dict.fromkeys(refs)))}"'
        if titles:
            attrs += f' title="{escape(" | ".join(dict.fromkeys(titles)))}"'
        out.append(f"<span{attrs}>{piece}</span>")

    direction = text_direction(text, analysis.lang)
    lang = escape(analysis.lang) if analysis.lang and analysis.lang != "und" else ""
    lang_attr = f' lang="{lang}"' if lang else ""
    body = f'<div class="{ID_PREFIX}-article" dir="{direction}"{lang_attr}>{"".join(out)}</div>'
    return (f"<style>{ARTICLE_CSS}</style>" + body) if with_css else body


def _zone_place_colours(
    analysis: Analysis, styles: Mapping[str, Mapping[str, Any]] | None
) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for zone in analysis.zones:
        colour = zone_style(zone.kind, styles).colour
        for span in _zone_places_marks(analysis, zone):
            out.setdefault(span, colour)
    return out


def quote_html(
    text: str,
    sentence: Span,
    marks: Iterable[tuple[int, int]],
    *,
    max_chars: int = QUOTE_MAX_CHARS,
    direction: str | None = None,
) -> str:
    """One sentence as an escaped ``<blockquote>`` with ``marks`` (char spans) in ``<mark>``.

    Sentences longer than ``max_chars`` are cut, with ellipses, around the first of ``marks`` (in
    the order given) that lies in the sentence: pass the words that matter most first.
    """
    start, end = max(0, sentence.start), min(len(text), sentence.end)
    given = [(max(a, start), min(b, end)) for a, b in marks if a < end and b > start and a < b]
    inside = sorted(given)
    if end - start > max_chars:
        centre = (given[0][0] + given[0][1]) // 2 if given else start
        start2 = max(start, centre - max_chars // 2)
        end2 = min(end, start2 + max_chars)
        start2 = max(start, end2 - max_chars)
        lead, tail = ("… " if start2 > start else ""), (" …" if end2 < end else "")
        start, end = start2, end2
    else:
        lead = tail = ""
    parts: list[str] = [lead]
    pos = start
    for a, b in inside:
        a, b = max(a, pos, start), min(b, end)
        if a >= b:
            continue
        parts.append(escape(text[pos:a]))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    parts.append(escape(text[pos:end]))
    parts.append(tail)
    d = direction or text_direction(text[start:end])
    return f'<blockquote class="{ID_PREFIX}-quote" dir="{d}">{"".join(parts).strip()}</blockquote>'


def selection_html(
    analysis: Analysis, ref: str, *, limit: int | None = None, max_chars: int = QUOTE_MAX_CHARS
) -> str:
    """The sentences behind a place or zone, quoted, with its mentions or trigger marked.

    Long sentences are cut around the place's mention or the zone's trigger.
    """
    spans = _spans_for_ref(analysis, ref)
    sentences = sentences_of(analysis, ref)
    shown = sentences[:limit] if limit else sentences
    direction = text_direction(analysis.text, analysis.lang)
    quotes = [quote_html(analysis.text, s, spans, direction=direction, max_chars=max_chars) for s in shown]
    if limit and len(sentences) > limit:
        quotes.append(f"<div><small>+{len(sentences) - limit} more sentence(s)</small></div>")
    return "".join(quotes)


# --------------------------------------------------------------------------------------------
# Popups and tooltips (HTML strings; webmap wraps them in folium objects)


def _fmt_conf(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else "?"


def needs_review(place: Place, threshold: float = REVIEW_BELOW) -> bool:
    """True when a place was resolved with less confidence than ``threshold``."""
    return not math.isfinite(place.confidence) or place.confidence < threshold


def place_tooltip(analysis: Analysis, index: int) -> str:
    """Escaped one-line tooltip of a place: ref, English and Arabic name, kind."""
    p = analysis.places[index]
    ar = f" · {escape(p.name_ar)}" if p.name_ar else ""
    flag = " ⚠" if needs_review(p) else ""
    return f"{place_ref(index)} · {escape(p.name)}{ar} ({escape(p.kind)}){flag}"


def place_popup_html(analysis: Analysis, index: int) -> str:
    """Escaped popup of a place: names, kind, governorate, P-code, confidence, quoted sentences."""
    p = analysis.places[index]
    rows = [
        ("Kind", escape(p.kind)),
        ("Governorate", escape(p.governorate or "-")),
        ("P-code", escape(p.pcode or "-")),
        ("Confidence", _fmt_conf(p.confidence) + (" <b>(review)</b>" if needs_review(p) else "")),
        ("Mentions", str(len(p.mentions))),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    ar = f'<div dir="rtl" lang="ar">{escape(p.name_ar)}</div>' if p.name_ar else ""
    return (
        f'<div class="{ID_PREFIX}-popup"><div class="{ID_PREFIX}-ref">{place_ref(index)} · place</div>'
        f"<div><b>{escape(p.name)}</b></div>{ar}"
        f'<table class="{ID_PREFIX}-facts">{table}</table>'
        f"{selection_html(analysis, place_ref(index), limit=QUOTES_PER_POPUP)}</div>"
    )


def zone_tooltip(
    analysis: Analysis, index: int, styles: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """Escaped one-line tooltip of a zone: ref, kind label, zone label."""
    z = analysis.zones[index]
    kind_label = zone_style(z.kind, styles).label
    label = z.label if kind_label.lower() in z.label.lower() else f"{kind_label}: {z.label}"
    return f"{zone_ref(index)} · {escape(label)}"


def zone_popup_html(
    analysis: Analysis,
    index: int,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> str:
    """Escaped popup of a zone: label, kind, area, construction, covered units, trigger sentence."""
    z = analysis.zones[index]
    style = zone_style(z.kind, styles)
    params = ", ".join(
        f"{escape(k)}={escape(v)}"
        for k, v in z.params.items()
        if isinstance(v, (int, float, str)) and not isinstance(v, bool)
    )
    covered = _unit_list(z.covers, unit_names)
    rows = [
        ("Kind", escape(style.label)),
        ("Area", f"{z.area_km2:,.0f} km²"),
        ("Built as", escape(z.construction) + (f" ({params})" if params else "")),
        ("Covers", escape(covered) if covered else "-"),
        ("Boundaries", escape(z.dataset or "-")),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    ar = f'<div dir="rtl" lang="ar">{escape(z.label_ar)}</div>' if z.label_ar else ""
    return (
        f'<div class="{ID_PREFIX}-popup"><div class="{ID_PREFIX}-ref">{zone_ref(index)} · zone</div>'
        f"<div><b>{escape(z.label)}</b></div>{ar}"
        f'<table class="{ID_PREFIX}-facts">{table}</table>'
        f"{selection_html(analysis, zone_ref(index), limit=1)}</div>"
    )


def _unit_list(pcodes: Iterable[str], unit_names: Mapping[str, str] | None, limit: int = 12) -> str:
    codes = list(pcodes)
    names = [unit_names.get(c, c) if unit_names else c for c in codes]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


# --------------------------------------------------------------------------------------------
# Table rows


def place_rows(analysis: Analysis, *, review_below: float = REVIEW_BELOW) -> list[dict[str, Any]]:
    """One row per place: ref, names, kind, governorate, P-code, mentions, confidence, review."""
    return [
        {
            "ref": place_ref(i),
            "name": p.name,
            "name_ar": p.name_ar,
            "kind": p.kind,
            "governorate": p.governorate or "",
            "pcode": p.pcode or "",
            "mentions": len(p.mentions),
            "confidence": round(float(p.confidence), 3) if math.isfinite(p.confidence) else None,
            "review": needs_review(p, review_below),
            "lat": p.lat,
            "lon": p.lon,
        }
        for i, p in enumerate(analysis.places)
    ]


def zone_rows(
    analysis: Analysis,
    *,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per zone: ref, kind label, label, area in km2, covered districts, trigger."""
    rows = []
    for j, z in enumerate(analysis.zones):
        districts = [c for c in z.covers if _is_district(c)] or list(z.covers)
        rows.append(
            {
                "ref": zone_ref(j),
                "kind": zone_style(z.kind, styles).label,
                "label": z.label,
                "label_ar": z.label_ar,
                "area_km2": round(float(z.area_km2), 1),
                "covered_districts": _unit_list(districts, unit_names, limit=1000),
                "districts": len(districts),
                "trigger": z.trigger.text,
            }
        )
    return rows


def _is_district(pcode: str) -> bool:
    return bool(re.fullmatch(r"IQG\d{2}Q\d{2}", pcode))
