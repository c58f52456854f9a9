"""Where an event happened: the incident's place among the places of its sentence, and its precision.

:func:`pick_place` scores each place of the sentence (specificity of its kind, whether it is only a
reference point, reading order); origins ("a bomber from Fallujah") and, for displacement,
destinations ("displaced to Soran", "camps in Duhok") are left out, and the dateline is never a
sentence's place (it is the fallback when the sentence names none). :func:`precision_of` gives the
ACLED-style geo-precision.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from geo.model import Analysis, Mention, Place, Span
from geo.text.normalize import fold
from geo.text.tokens import Tokens, readings

__all__ = ["KIND_RANK", "Site", "dateline_site", "pick_place", "precision_of", "sites_for"]

#: Specificity of a place kind: the lower, the more specific.
KIND_RANK = {
    "village": 0,
    "town": 1,
    "city": 1,
    "other": 1,
    "subdistrict": 2,
    "district": 3,
    "governorate": 4,
    "region": 5,
    "country": 6,
}
#: Modifiers that make a place a reference point ("west of Kirkuk"), not the incident's place.
DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})


#: Words before a place that make it someone's origin, not the event's place.
def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split(","))


ORIGIN_WORDS = _folded(
    "native,hails,originally,resident,residents,ينحدر,اهالي,سكنة,سكان,يسكن,القادم,اهل,خەڵکی"
)
#: Words before a place that make it where the displaced went, not where they fled from.
DESTINATION_WORDS = _folded("to,into,towards,camps,camp,الى,إلى,نحو,باتجاه,مخيم,مخيمات,بۆ,کەمپ,کەمپەکانی")
_FROM = frozenset({"from", "من", "له"})
_ORIGIN_PERSONS = _folded("bomber,man,attacker,militant,انتحاري,شخص,مسلح")
#: A list of places after a security arrangement: the first within LIST_LEAD tokens of the trigger,
#: each next one within LIST_GAP tokens of the one before.
LIST_LEAD, LIST_GAP = 12, 4


@dataclass(frozen=True)
class Site:
    """One mention of a resolved place."""

    place: Place
    mention: Mention


def rank_of(place: Place) -> int:
    """:data:`KIND_RANK` of the place; a region inside a governorate (Mutaibijah) ranks as a subdistrict."""
    if place.kind == "region" and place.governorate_pcode:
        return KIND_RANK["subdistrict"]
    return KIND_RANK.get(place.kind, 1)


def precision_of(place: Place, mention: Mention | None = None) -> int:
    """ACLED-style geo-precision: 1 town or village, 2 district/subdistrict or near a town, 3 wider.

    >>> from geo.model import Place
    >>> precision_of(Place("g", "Kirkuk", "", "governorate", "IQ", 35.0, 44.0, 1.0, []))
    3
    """
    rank = rank_of(place)
    if rank <= 1:
        near = mention is not None and mention.modifier not in (None, "centre", "center")
        return 2 if near else 1
    return 2 if rank <= 3 else 3


def _before(tokens: Tokens, m: Mention, n: int = 3) -> list[tuple[str, ...]]:
    k = bisect_left(tokens.starts, m.start)
    return [readings(tokens.keys[j]) for j in range(max(0, k - n), k)]


def _is_origin(tokens: Tokens, m: Mention) -> bool:
    before = _before(tokens, m)
    if any(r in ORIGIN_WORDS for rs in before for r in rs):
        return True
    if len(before) >= 2 and any(r in _FROM for r in before[-1]):
        return any(r in _ORIGIN_PERSONS for rs in before[:-1] for r in rs)
    return False


def _is_destination(tokens: Tokens, m: Mention) -> bool:
    return any(r in DESTINATION_WORDS for rs in _before(tokens, m, 2) for r in rs)


def pick_place(
    sites: list[Site], trigger: Span, tokens: Tokens, *, family: str = "attack", displaced: bool = False
) -> Site | None:
    """The incident's place among the places of its sentence (``None`` when it names none).

    The score is the kind's specificity (:data:`KIND_RANK`), plus 2 for a reference point
    (``west of Kirkuk``), plus 0.5 per place before it in reading order (the places after the
    trigger first, then those before it); the lowest wins. Origins are left out, destinations too
    in a sentence that reports a displacement (``displaced``), and a country is taken only when
    nothing else is named.
    """
    usable = [s for s in sites if not _is_origin(tokens, s.mention)]
    if displaced or family == "displacement":
        usable = [s for s in usable if not _is_destination(tokens, s.mention)]
    inner = [s for s in usable if s.place.kind != "country"] or usable
    if not inner:
        return None
    order = sorted(inner, key=lambda s: (s.mention.start < trigger.start, s.mention.start))
    scored = [
        (rank_of(s.place) + (2.0 if s.mention.modifier in DIRECTIONS else 0.0) + 0.5 * i, i, s)
        for i, s in enumerate(order)
    ]
    return min(scored, key=lambda t: (t[0], t[1]))[2]


def sites_for(
    family: str, sites: list[Site], trigger: Span, tokens: Tokens, *, displaced: bool = False
) -> list[Site | None]:
    """The places of the events one trigger gives: one for an incident; for a security arrangement,
    one per place of the list that follows it ("operations rooms in Diyala, Kirkuk and Mosul")."""
    if family == "security_arrangement":
        chain: list[Site] = []
        last = bisect_left(tokens.starts, trigger.end)
        for s in sites:
            if s.mention.start < trigger.end or s.place.kind in ("country", "region"):
                continue
            k = bisect_left(tokens.starts, s.mention.start)
            if k - last > (LIST_LEAD if not chain else LIST_GAP) or _is_origin(tokens, s.mention):
                break
            if all(c.place.id != s.place.id for c in chain):
                chain.append(s)
            last = bisect_left(tokens.starts, s.mention.end)
        if len(chain) > 1:
            return list(chain)
    return [pick_place(sites, trigger, tokens, family=family, displaced=displaced)]


def dateline_site(analysis: Analysis) -> Site | None:
    """The place of the dateline (``KIRKUK, March 6 -``, ``كركوك/ ...``), if the article opens with one."""
    best: Site | None = None
    for p in analysis.places:
        for m in p.mentions:
            follow = analysis.text[m.end : m.end + 3]
            opens = m.start < 40 and any(ch in follow for ch in ",،/-(:")
            if opens and (best is None or m.start < best.mention.start):
                best = Site(p, m)
    return best
