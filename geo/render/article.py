"""The article as escaped HTML with its places and zones marked, and quotes of its sentences.

:func:`marks_of` lists what is highlighted where (place mentions and their modifiers, zone
triggers, triggers that named no place); :func:`article_html` turns the text and its marks into
the dashboard's article panel; :func:`quote_html` and :func:`selection_html` quote the sentences
behind one place or zone (the map's popups and the panel's selection). All text is escaped with
:func:`geo.render.highlight.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from geo.model import Analysis, Place, Span, Zone
from geo.render.highlight import (
    ID_PREFIX,
    escape,
    mark_id,
    place_colour,
    place_ref,
    resolve_ref,
    sentence_id,
    spans_for_ref,
    text_direction,
    zone_places_marks,
    zone_ref,
    zone_style,
)

#: Longest quote shown in a popup; longer sentences are cut around the marked words.
QUOTE_MAX_CHARS = 320

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
    chosen = set(spans_for_ref(analysis, selected)) if selected else set()

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
        for span in zone_places_marks(analysis, zone):
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
    spans = spans_for_ref(analysis, ref)
    sentences = sentences_of(analysis, ref)
    shown = sentences[:limit] if limit else sentences
    direction = text_direction(analysis.text, analysis.lang)
    quotes = [quote_html(analysis.text, s, spans, direction=direction, max_chars=max_chars) for s in shown]
    if limit and len(sentences) > limit:
        quotes.append(f"<div><small>+{len(sentences) - limit} more sentence(s)</small></div>")
    return "".join(quotes)
