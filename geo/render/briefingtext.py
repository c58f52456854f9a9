"""The words of a briefing: the bottom line up front, dates, the datasets used, notes for a reader.

:func:`bottom_line` says in 3-5 sentences what the article reports (the zones it describes), where
(its main places, weighted by where the body text puts them), when (the article's date when known)
and what to check. :func:`article_date` finds the article's date when the caller gives none (its
dateline, else the date its events agree on). :func:`used_datasets` lists the datasets an analysis
actually drew on (a place read from GeoNames means GeoNames is used, and its CC BY 4.0 attribution
is owed);
:func:`reader_note` drops the character offsets the analysis notes carry for developers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from geo.data import boundaries
from geo.model import Analysis

#: Gazetteer tags that are not manifest ids, and the dataset each stands for.
DATASET_TAGS = {"geonames": "geonames_cities", "cod_ab": "cod_ab_iraq"}
#: Places named in the "where" sentence at most.
WHERE_PLACES = 4
_OFFSETS = re.compile(r"\s*\((?:at|offsets?|chars?)\s+\d[^)]*\)", re.IGNORECASE)
_MENTION_AT = re.compile(r"(\bmentions?)\s+at\s+\d[\d,\s]*(?:and\s+\d+\s+more)?", re.IGNORECASE)


def as_date(value: str | dt.date | dt.datetime | None) -> str:
    """``value`` as ``YYYY-MM-DD`` (text is kept as given when it is not an ISO date); "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def article_date(analysis: Analysis, published: str | dt.date | dt.datetime | None = None) -> str:
    """The article's date as ``YYYY-MM-DD``: ``published`` when given, else the dateline or the
    first full date of the text, else the date of its events when they all agree; "" when unknown.

    >>> article_date(Analysis("a.txt", "Kirkuk, 6 March 2021 - Attacks rose.", "en", []))
    '2021-03-06'
    """
    given = as_date(published)
    if given:
        return given
    from geo.text.dates import choose_date

    chosen = choose_date(analysis.text)
    if chosen.date is not None and chosen.flag is None:
        return chosen.date.isoformat()
    days = {e.date for e in analysis.events if e.date and not e.historical}
    return days.pop() if len(days) == 1 else ""


def dataset_ids(tag: str, known: Iterable[str]) -> set[str]:
    """The manifest datasets a provenance tag names (``cod_ab_iraq@2019-06-03; cod_ab_syria@...``)."""
    ids = set(known)
    out = set()
    for part in re.split(r"[;,]", tag or ""):
        name = part.split("@")[0].strip()
        if not name:
            continue
        if name in ids:
            out.add(name)
        elif DATASET_TAGS.get(name) in ids:
            out.add(DATASET_TAGS[name])
        else:
            out |= {i for i in ids if i.startswith(name + "_")}
    return out


def used_datasets(analysis: Analysis, known: Iterable[str], *, countries_drawn: bool = False) -> set[str]:
    """Ids of the datasets ``analysis`` drew on: boundaries, each place's and zone's, the basemap's."""
    ids = set(known)
    used = {boundaries.BOUNDARY_DATASET} & ids
    for tag in [p.dataset for p in analysis.places] + [z.dataset for z in analysis.zones]:
        used |= dataset_ids(tag, ids)
    if countries_drawn and boundaries.COUNTRY_DATASET in ids:
        used.add(boundaries.COUNTRY_DATASET)
    return used


def reader_note(note: str) -> str:
    """An analysis note without the character offsets it gives for developers."""
    return _MENTION_AT.sub(r"\1", _OFFSETS.sub("", note)).strip()


def _names(items: list[str], limit: int = 5) -> str:
    """``A, B and C``; past ``limit`` items, ``A, B, C, D, E and 2 more``."""
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else ""


#: How the bottom line speaks of one zone and of several, by kind.
NOUNS = {
    "operations_room": ("a joint operations room", "joint operations rooms"),
    "attack_area": ("an attack area", "attack areas"),
    "security_vacuum": ("a security-vacuum belt", "security-vacuum belts"),
    "disputed_territories": ("the disputed territories", "disputed territories"),
}


def _plain(label: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", label).strip()


def short_zone(label: str, kind_label: str) -> str:
    """ "Joint operations room: Diyala" -> "Diyala"; a label that only names its kind -> ""."""
    text, kind = _plain(label), _plain(kind_label)
    if text.lower().startswith(kind.lower()):
        text = text[len(kind) :].lstrip(" :")
    return text


def _what(analysis: Analysis, styles: Mapping[str, Mapping[str, Any]]) -> str:
    if not analysis.zones:
        n = len(analysis.places)
        return (
            f"The article names {n} place{'s' if n != 1 else ''} but describes no zone: no operations "
            "room, security-vacuum belt, disputed area or attack area could be tied to a place."
        )
    parts = []
    for kind, count in Counter(z.kind for z in analysis.zones).items():
        label = str(styles.get(kind, {}).get("label") or kind.replace("_", " ").capitalize())
        one, many = NOUNS.get(kind, (f"a {_plain(label).lower()}", f"{_plain(label).lower()}s"))
        where = [w for w in (short_zone(z.label, label) for z in analysis.zones if z.kind == kind) if w]
        counted = f"{count} {many}" if count > 1 else one
        parts.append(f"{counted} ({_names(where)})" if where else counted)
    return f"The article describes {_names(parts, limit=6)}."


def _governorate_names() -> dict[str, str]:
    try:
        layer = boundaries.load_level(1, web=True)
    except Exception:  # the boundaries are required elsewhere; here a name is only a nicety
        return {}
    return dict(zip(layer["pcode"], layer["name_en"], strict=True))


def _where(analysis: Analysis) -> str:
    from geo.render.mapframing import mention_weights

    weights = mention_weights(analysis)
    ranked = sorted(
        (i for i, p in enumerate(analysis.places) if p.country == "IQ" and p.kind != "country"),
        key=lambda i: (-weights[i], i),
    )
    if not ranked:
        return "It names no place inside Iraq." if analysis.places else "It names no place."
    top = [analysis.places[i] for i in ranked[:WHERE_PLACES]]
    govs = list(dict.fromkeys(p.governorate for p in top if p.governorate))
    tail = f" ({_names(govs)} governorate{'s' if len(govs) > 1 else ''})" if govs else ""
    return f"It is mainly about {_names([_plain(p.name) for p in top])}{tail}."


def _reach(analysis: Analysis) -> str:
    """The governorates the zones cover, by name."""
    names = _governorate_names()
    codes = list(dict.fromkeys(c[:5] for z in analysis.zones for c in z.covers if c.startswith("IQG")))
    govs = [names.get(c, c) for c in codes]
    if not govs:
        return ""
    plural = "s" if len(govs) > 1 else ""
    return f"The zones reach into {len(govs)} governorate{plural}: {_names(govs, limit=8)}."


def _when(published: str) -> str:
    if published:
        return f"The article is dated {published}."
    return "The article gives no full date (day, month and year)."


def _check(analysis: Analysis) -> str:
    from geo.render.highlight import needs_review

    review = [p.name for p in analysis.places if needs_review(p)]
    if review:
        return f"Check {_names(review)}: read with low confidence."
    return "Every place was read with good confidence." if analysis.places else ""


def bottom_line(
    analysis: Analysis, styles: Mapping[str, Mapping[str, Any]], *, published: str = ""
) -> list[str]:
    """The briefing's bottom line: what happened, where, when, what zones and what to check."""
    if not analysis.places:
        return [
            "No places were found in this article; no zones could be drawn.",
            _when(published),
        ]
    sentences = [
        _what(analysis, styles),
        _where(analysis),
        _reach(analysis),
        _when(published),
        _check(analysis),
    ]
    return [s.strip() for s in sentences if s.strip()]
