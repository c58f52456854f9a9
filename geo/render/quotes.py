"""Key quotes of an article for its briefing: the sentences that name its places, each once.

:func:`key_quotes` picks the sentences that set off zones first, then those naming places, trims
each around its place names (:func:`excerpt`), leaves out the headline, bylines, photo captions and
boilerplate, and keeps each quote once (:func:`distinct_quotes`: overlapping spans or the same
text, the longer kept). Each quote is glossed with the English place names and the zones it sets off.

Examples
--------
>>> from geo.render import quotes
>>> [q.gloss for q in quotes.key_quotes(analysis, title=article.title)][:1]
['Places: Diyala, Kirkuk · Sets off: Joint operations room']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from geo.model import Analysis

#: At most this many quotes; sentences that set off a zone come first.
MAX_QUOTES = 8
#: Quotes longer than this many characters are trimmed around the place names they hold.
QUOTE_MAX_CHARS = 320
_RTL_LANGS = ("ar", "ckb", "fa")
RTL_CHARS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: A byline or dateline near the top ("BAGHDAD — Rudaw English", "أربيل – كوردستان 24").
_BYLINE = re.compile(r"^[^.!?؟:\n]{1,40}\s[–—-]\s[^.!?؟\n]{1,40}$")
#: A photo caption ("صورة أرشيفية ...", "File photo: ...", "وێنەی ئەرشیف").
_CAPTION = re.compile(
    r"^\W*(صورة أرشيفية|صورة من الأرشيف|file photo|archive photo|وێنەی ئەرشیف)", re.IGNORECASE
)
#: Bylines are looked for in this many characters at the top of the article.
_TOP_CHARS = 400
_QUOTE_NOISE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Segment:
    """A run of quote text: plain ``text``, a ``place`` name or a zone ``trigger``."""

    kind: str
    text: str


@dataclass(frozen=True)
class Quote:
    """One excerpt of the article with its marks, where it stands, and the English gloss."""

    start: int
    end: int
    segments: tuple[Segment, ...]
    gloss: str
    dir: str
    lang: str

    @property
    def text(self) -> str:
        """The excerpt as plain text (with the ellipses of a trimmed quote)."""
        return "".join(s.text for s in self.segments)


def _snap_start(text: str, pos: int, floor: int) -> int:
    """Move ``pos`` forward to the start of a word (not before ``floor``)."""
    if pos <= floor:
        return floor
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 30 else pos


def _snap_end(text: str, pos: int, ceiling: int) -> int:
    """Move ``pos`` back to the end of a word (not after ``ceiling``)."""
    if pos >= ceiling:
        return ceiling
    space = text.rfind(" ", 0, pos)
    return space if space > pos - 30 else pos


def excerpt(
    text: str,
    start: int,
    end: int,
    marks: list[tuple[int, int, str]],
    *,
    max_chars: int = QUOTE_MAX_CHARS,
) -> tuple[int, int, list[Segment]]:
    """The stretch ``text[start:end]`` as segments, trimmed to about ``max_chars`` around ``marks``.

    ``marks`` are ``(start, end, kind)`` inside the stretch. A trimmed quote keeps whole words and
    shows "…" where text was left out. Returns the excerpt's start, end and segments.
    """
    marks = sorted(m for m in marks if start <= m[0] < m[1] <= end)
    lo, hi = start, end
    if end - start > max_chars:
        first = marks[0][0] if marks else start
        last = marks[-1][1] if marks else start
        if last - first <= max_chars:
            pad = (max_chars - (last - first)) // 2
            lo, hi = max(start, first - pad), min(end, last + pad)
        else:
            lo, hi = max(start, first - max_chars // 4), min(end, first + max_chars * 3 // 4)
        lo, hi = _snap_start(text, lo, start), _snap_end(text, hi, end)
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    segments: list[Segment] = []
    if lo > start:
        segments.append(Segment("text", "… "))
    pos = lo
    for m_start, m_end, kind in marks:
        if m_start < pos or m_end > hi:
            continue  # overlaps an earlier mark or lies outside the excerpt
        if m_start > pos:
            segments.append(Segment("text", text[pos:m_start]))
        segments.append(Segment(kind, text[m_start:m_end]))
        pos = m_end
    if pos < hi:
        segments.append(Segment("text", text[pos:hi]))
    if hi < end:
        segments.append(Segment("text", " …"))
    return lo, hi, segments


def _direction(analysis: Analysis, sample: str) -> tuple[str, str]:
    lang = analysis.lang if analysis.lang and analysis.lang != "und" else ""
    rtl = lang in _RTL_LANGS or (not lang and bool(RTL_CHARS.search(sample)))
    return ("rtl" if rtl else "ltr"), (lang or ("ar" if rtl else "en"))


def key_quotes(
    analysis: Analysis,
    *,
    styles: dict[str, dict[str, Any]] | None = None,
    max_quotes: int = MAX_QUOTES,
    max_chars: int = QUOTE_MAX_CHARS,
    title: str | None = None,
) -> list[Quote]:
    """The sentences that name the places (zone triggers first), trimmed around the names.

    Each quote marks the place names and zone triggers it contains and is glossed with the
    English names of those places and the zones the sentence sets off. The headline (``title``),
    bylines, photo captions and boilerplate are not quoted, and each quote appears once
    (:func:`distinct_quotes`).
    """
    styles = styles or {}
    sentences: dict[tuple[int, int], dict[str, Any]] = {}

    def entry(start: int, end: int) -> dict[str, Any]:
        return sentences.setdefault((start, end), {"marks": [], "places": [], "zones": []})

    for zone in analysis.zones:
        item = entry(zone.sentence.start, zone.sentence.end)
        item["marks"].append((zone.trigger.start, zone.trigger.end, "trigger"))
        label = str(styles.get(zone.kind, {}).get("label") or zone.kind.replace("_", " "))
        if label not in item["zones"]:
            item["zones"].append(label)
    for place in analysis.places:
        for mention in place.mentions:
            entry(mention.sentence.start, mention.sentence.end)
    sentences = _merge_overlapping(sentences)
    skipped = _not_quoted(analysis.text, title)
    sentences = {k: v for k, v in sentences.items() if not skipped(*k)}
    for (s_start, s_end), item in sentences.items():
        for place in analysis.places:
            for mention in place.mentions:
                if s_start <= mention.start and mention.end <= s_end:
                    item["marks"].append((mention.start, mention.end, "place"))
                    item["places"].append((mention.start, place.name))
    ranked = sorted(sentences, key=lambda k: (not sentences[k]["zones"], k[0]))[:max_quotes]
    quotes = []
    for s_start, s_end in sorted(ranked):
        item = sentences[(s_start, s_end)]
        lo, hi, segments = excerpt(analysis.text, s_start, s_end, item["marks"], max_chars=max_chars)
        shown = [name for pos, name in sorted(item["places"]) if lo <= pos < hi]
        names = list(dict.fromkeys(shown))
        gloss_parts = [f"Places: {', '.join(names)}" if names else "Places: none in this excerpt"]
        if item["zones"]:
            gloss_parts.append(f"Sets off: {', '.join(item['zones'])}")
        direction, lang = _direction(analysis, analysis.text[lo:hi])
        quotes.append(Quote(lo, hi, tuple(segments), " · ".join(gloss_parts), direction, lang))
    return distinct_quotes(quotes)


def _quote_key(text: str) -> str:
    """``text`` folded for comparing quotes: no case, punctuation, ellipses or spacing."""
    return _QUOTE_NOISE.sub(" ", text.replace("…", " ")).casefold().strip()


def distinct_quotes(quotes: list[Quote]) -> list[Quote]:
    """Each quote once: of two whose spans overlap or whose text holds the other's, the longer.

    Quotes ``1112-1318`` and ``1112-1319`` are one quote; so are a lead paragraph and its repetition
    further down. The kept quotes stay in text order.
    """
    kept: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (-(q.end - q.start), q.start)):
        key = _quote_key(quote.text)
        if any(
            quote.start < other.end and other.start < quote.end or (key and key in _quote_key(other.text))
            for other in kept
        ):
            continue
        kept.append(quote)
    return sorted(kept, key=lambda q: q.start)


def _not_quoted(text: str, title: str | None) -> Any:
    """A test of sentence spans that are no quote: the headline, a byline, a caption, boilerplate."""
    from geo.render.mapframing import boilerplate_spans

    boiler = boilerplate_spans(text)
    heading = _quote_key(title or "")

    def skipped(start: int, end: int) -> bool:
        line = text[start:end].strip()
        if any(a < end and start < b for a, b in boiler) or _CAPTION.match(line):
            return True
        if heading and _quote_key(line) == heading:
            return True
        return start < _TOP_CHARS and "\n" not in line and bool(_BYLINE.match(line))

    return skipped


def _merge_overlapping(
    sentences: dict[tuple[int, int], dict[str, Any]],
) -> dict[tuple[int, int], dict[str, Any]]:
    """Sentences whose spans overlap (a zone's sentence and a mention's, one character apart) as one."""
    merged: dict[tuple[int, int], dict[str, Any]] = {}
    current: tuple[int, int] | None = None
    for key in sorted(sentences):
        item = sentences[key]
        if current is not None and key[0] < current[1]:
            kept = merged.pop(current)
            current = (current[0], max(current[1], key[1]))
            for field in ("marks", "places"):
                kept[field] += item[field]
            kept["zones"] += [z for z in item["zones"] if z not in kept["zones"]]
            merged[current] = kept
        else:
            current = key
            merged[key] = {k: list(v) for k, v in item.items()}
    for item in merged.values():
        item["marks"] = sorted(set(item["marks"]))
    return merged
