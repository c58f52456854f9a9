"""Locators and offsets: the places of a run that only place their neighbour, and distances.

:func:`attached_run` turns a run of mentions into :class:`Attached` places and marks, from the
text alone, what step 5 of ``data/zone_rules.toml`` needs: a direction right after another place
("الشعلة شمال غربي بغداد", "the village of X, northeast of Baqubah"), a possessive ("Kirkuk's
Daquq"), a place with no "and" before it (which :mod:`geo.zones.derivation` checks for containment
against the boundaries: "Tikrit in Salah al-Din province"), a facility next to a place ("Makhmour
refugee camp": near the town), and a distance before a direction ("75 km south of Kirkuk"), which
makes the place an offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from geo.model import Mention, Place
from geo.text.normalize import fold_token
from geo.zones.article_text import ArticleText, read_modifier_before

#: Directions a mention may carry (a locator when it follows another place).
DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})

#: The compass point of each direction (offsets are written "60 km SW of ...").
COMPASS = {
    "north": "N",
    "northeast": "NE",
    "east": "E",
    "southeast": "SE",
    "south": "S",
    "southwest": "SW",
    "west": "W",
    "northwest": "NW",
}

#: A distance just before a direction: "60 كيلومترا", "75 km", "٣٠ کیلۆمەتر", "some 40 kilometres".
_DISTANCE = re.compile(
    r"(?P<n>[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,][0-9]+)?)\s*-?\s*"
    r"(?:km|kms|kilomet(?:er|re)s?|كم|كيلو\s*متر\w*|كيلومتر\w*|کیلۆمەتر\w*)\b",
    re.IGNORECASE,
)

#: A mention that ends so is the possessor of the next place ("Kirkuk's Daquq district").
_POSSESSIVE_ENDS = ("'s", "’s")

#: How far before a direction word a distance may stand (characters).
_DISTANCE_REACH = 40

#: Gaps with these words join places of one list; without them a unit after a place may locate it.
_AND = frozenset({"و", "and", "or", "from", "او", "ثم", "then", "as", "well", "اضافة", "فضلا", "جانب"})

_COMMAS = frozenset({",", "،"})

_POINT_KINDS = frozenset({"town", "village", "other"})

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True, slots=True)
class Attached:
    """One place a trigger names, as the text names it.

    ``start``/``end`` cover the mention and its modifier; ``modifier`` is the mention's modifier,
    or ``"offset"`` (with ``offset_km`` and ``offset_dir``, a compass point) for "75 km south of";
    ``locator_of`` is the number (in the run) of the place this one may only locate, and
    ``locator`` says how ("direction", "possessive"); ``linked`` says that no "and" stands between
    this place and the one before it, so either may be a unit that only locates the other.
    """

    start: int
    end: int
    place: Place
    mention: Mention
    modifier: str | None
    offset_km: float | None = None
    offset_dir: str | None = None
    locator_of: int | None = None
    locator: str | None = None
    linked: bool = False


def attached_run(tx: ArticleText, run: list[int]) -> list[Attached]:
    """The run's places with their locators and offsets marked."""
    out: list[Attached] = []
    seen_and = False
    for n, i in enumerate(run):
        m = tx.mentions[i]
        before = tx.modifier_before(i)
        modifier = m.modifier or (before[0] if before else None) or _facility(tx, i)
        lead = tx.lead_start(i)
        hit = Attached(tx.starts[i], tx.ends[i], tx.places[i], m, modifier)
        if modifier in DIRECTIONS:
            if m.modifier_span is not None:
                lead = min(lead, m.modifier_span.start)
            elif lead == tx.starts[i]:  # a modifier without its span: find the direction words
                lead = (read_modifier_before(tx.text, lead) or (None, lead))[1]
            dist = _distance_before(tx.text, lead)
            if dist is not None:
                hit = replace(hit, modifier="offset", offset_km=dist, offset_dir=COMPASS[modifier])
        if not n and hit.modifier in DIRECTIONS and i and tx.ends[i - 1] <= tx.starts[i]:
            # a direction right after a place the kind does not draw ("ناحیەی ڕیاز لە باشووری
            # ڕۆژئاوای کەرکووک", with ڕیاز read as a town abroad): still only a locator
            gap = tx.gap_tokens(tx.ends[i - 1], max(tx.ends[i - 1], lead), 4)
            point = tx.places[i - 1].kind in _POINT_KINDS
            if (
                gap is not None
                and not _and_glued(tx, i)
                and all(t in tx.links and (point or t not in _COMMAS) for t in gap)
            ):
                hit = replace(hit, locator="direction")
        if n:
            gap = tx.gap_tokens(tx.ends[run[n - 1]], max(tx.ends[run[n - 1]], lead), 8) or []
            anded = _anded(tx, i, gap)
            # after a comma a direction locates a town ("the village of X, northeast of Baqubah"),
            # a unit from a city, and a unit when it closes a list that had its "and" ("between
            # al-Alam and al-Dour district, east of Tikrit"); else it is the list's next item
            # ("Diyala, north of Babil and south of Kirkuk")
            prev_kind = tx.places[run[n - 1]].kind
            point = (
                prev_kind in _POINT_KINDS
                or (seen_and and not _anded_after(tx, run, n))
                # "the Multaqa sub-district, west of Kirkuk city": a unit placed from a city
                or (prev_kind in ("district", "subdistrict") and tx.places[i].kind in ("city", "town"))
            )
            if (
                hit.modifier in DIRECTIONS
                and not anded
                and all(t in tx.links and (point or t not in _COMMAS) for t in gap)
            ):
                hit = replace(hit, locator_of=n - 1, locator="direction")
            elif len(gap) <= 5 and not anded:
                hit = replace(hit, linked=True)
            seen_and = seen_and or anded
            prev_text = tx.mentions[run[n - 1]].text
            if (gap and gap[0] in tx.possessives and len(gap) <= 2) or prev_text.endswith(_POSSESSIVE_ENDS):
                prev = out[n - 1]
                out[n - 1] = replace(prev, locator_of=n, locator="possessive")
        out.append(hit)
    return out


def _anded_after(tx: ArticleText, run: list[int], n: int) -> bool:
    """Whether a later place of the run is joined to the one before it by "and"."""
    for k in range(n + 1, len(run)):
        gap = tx.gap_tokens(tx.ends[run[k - 1]], max(tx.ends[run[k - 1]], tx.lead_start(run[k])), 8) or []
        if _anded(tx, run[k], gap):
            return True
    return False


def _anded(tx: ArticleText, i: int, gap: list[str]) -> bool:
    """Whether mention ``i`` is joined to the place before it by "and" (in ``gap``, the tokens
    between them, or glued to it: "وكركوك")."""
    return _and_glued(tx, i) or any(t in _AND or t[:1] == "و" for t in gap)


def _facility(tx: ArticleText, i: int) -> str | None:
    """``"near"`` when a facility word stands right next to the mention ("Makhmour refugee camp",
    "قاعدة حرير"): the zone is the place's town and its surroundings, not its whole unit."""
    if not tx.facilities:
        return None
    before = tx.gap_tokens(max(0, tx.starts[i] - 24), tx.starts[i], 12) or []
    after = tx.gap_tokens(tx.ends[i], min(len(tx.text), tx.ends[i] + 24), 12) or []
    near = [*before[-1:], *after[:2]]
    return "near" if any(w in tx.facilities for w in near) else None


def _and_glued(tx: ArticleText, i: int) -> bool:
    """Whether the mention (or its modifier) starts with the proclitic "و" ("وكركوك", "وشمال بابل")
    rather than a name that begins with the letter (واسط)."""
    if tx.text[tx.starts[i] : tx.starts[i] + 1] != "و":
        return False
    name = fold_token(tx.places[i].name_ar or "")
    m = tx.mentions[i]
    return not (name.startswith("و") and tx.starts[i] == m.start)


def _distance_before(text: str, pos: int) -> float | None:
    """The distance (km) written just before ``pos`` ("60 كيلومترا جنوب"), if any."""
    window = text[max(0, pos - _DISTANCE_REACH) : pos]
    found = None
    for match in _DISTANCE.finditer(window):
        found = match
    if found is None or window[found.end() :].strip(" \u00a0,،-"):
        return None
    digits = found.group("n").translate(_DIGITS).replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value if 0 < value <= 500 else None
