"""Events from an analysed article: one per incident, with date, place, type, actors and casualties.

The recipe, per sentence of the shared tokens: find the event triggers (:mod:`geo.events.kinds`);
per family, the most specific type wins; read the actors (:mod:`geo.events.actors`), the
casualties (:mod:`geo.events.casualties`) and the date (:mod:`geo.events.when`); pick the place
(:mod:`geo.events.places`). Then the sentences that tell one incident are merged and placeless
events take a neighbour's place or the dateline's (:mod:`geo.events.merge`).

A family's generic word (``attacks``, ``هجمات``) makes an event only when the sentence reports
casualties ("ISIS has stepped up its attacks in Diyala" is a trend, not an incident); a weak word
(``explosion``) only with casualties or a place. Insurgents named in a security arrangement's
sentence are the threat, not a party: they are not its actors.

Examples
--------
>>> import datetime as dt
>>> from geo.model import Analysis
>>> text = "Gunmen killed two shepherds on Friday."
>>> [(e.type, e.killed, e.date) for e in extract_events(Analysis("x", text, "en", []),
...                                                     article_date=dt.date(2021, 5, 8))]
[('armed_assault', 2, '2021-05-07')]
"""

from __future__ import annotations

import datetime as dt
import logging
from bisect import bisect_left
from typing import TYPE_CHECKING

from geo.events.actors import ActorTable, load_actors
from geo.events.casualties import Casualties, casualties_in
from geo.events.kinds import EventRules, Trigger, load_event_rules
from geo.events.merge import absorb_placeless, district_of, fill_places, merge
from geo.events.places import Site, dateline_site, precision_of, sites_for
from geo.events.units import locate_districts
from geo.events.when import When, latest_year, when_in
from geo.model import Analysis, Event, Span
from geo.text.tokens import Tokens, tokens_of

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["extract_events"]

log = logging.getLogger(__name__)


def extract_events(
    analysis: Analysis,
    *,
    article_date: dt.date | None = None,
    tokens: Tokens | None = None,
    rules: EventRules | None = None,
    actors: ActorTable | None = None,
    districts: gpd.GeoDataFrame | None = None,
    locate: bool = True,
) -> list[Event]:
    """The incidents ``analysis.text`` reports, in text order, each tied to its sentence.

    Parameters
    ----------
    analysis
        The article with its resolved places (the zones are not needed).
    article_date
        The article's date; default: its dateline or first full date
        (:func:`geo.text.dates.choose_date`); without one, relative dates are not read and a
        past year is measured against the latest year the article names.
    tokens
        The article's tokens, when already made (:func:`geo.text.tokens.tokenize`).
    rules, actors
        Default: ``data/event_rules.toml`` and ``data/actors.toml``.
    districts, locate
        The ADM2 polygons a town-level event's district is read from
        (:func:`geo.events.units.locate_districts`; default: COD-AB); ``locate=False`` skips it.
    """
    from geo.text.dates import choose_date

    text = analysis.text
    tokens = tokens_of(text, tokens)
    rules = rules or load_event_rules()
    actors = actors or load_actors()
    if article_date is None:
        article_date = choose_date(text).date
    reference_year = article_date.year if article_date else latest_year(text)
    dateline = dateline_site(analysis)
    sites = sorted(
        (
            Site(p, m)
            for p in analysis.places
            for m in p.mentions
            if dateline is None or m.start != dateline.mention.start
        ),
        key=lambda s: s.mention.start,
    )
    starts = [s.mention.start for s in sites]
    events: list[Event] = []
    for i in range(len(tokens.sentence_ends) + 1):  # the last is the text after the last end
        sentence = tokens.sentence_at(i)
        if not sentence.text:
            continue
        k0 = bisect_left(tokens.starts, sentence.start)
        k1 = bisect_left(tokens.starts, sentence.end)
        triggers = rules.triggers(tokens, k0, k1)
        if not triggers:
            continue
        here = sites[bisect_left(starts, sentence.start) : bisect_left(starts, sentence.end)]
        found = actors.find(tokens, k0, k1)
        for family in dict.fromkeys(t.family for t in triggers):
            group = [t for t in triggers if t.family == family]
            displaced = any(t.family == "displacement" for t in triggers)
            events += _events(
                tokens,
                sentence,
                group,
                here,
                found,
                (article_date, reference_year),
                rules,
                actors,
                (k0, k1),
                displaced,
            )
    merged = absorb_placeless(merge(events))
    fill_places(merged, dateline)
    if locate:
        locate_districts(merged, districts=districts)
    log.debug("%d events (%d before merging) in %s", len(merged), len(events), analysis.source)
    return merged


def _events(
    tokens: Tokens,
    sentence: Span,
    triggers: list[Trigger],
    sites: list[Site],
    found: list[tuple[str, Span]],
    dating: tuple[dt.date | None, int | None],
    rules: EventRules,
    actors: ActorTable,
    bounds: tuple[int, int],
    displaced: bool,
) -> list[Event]:
    family = triggers[0].family
    k0, k1 = bounds
    strong = [t for t in triggers if not t.generic and not t.weak]
    weak = [t for t in triggers if t.weak]
    cas = None
    if family == "attack":
        skip = frozenset(k for _, s in found for k in range(k0, k1) if s.start <= tokens.starts[k] < s.end)
        cas = casualties_in(tokens, k0, k1, skip=skip)
    has_toll = cas is not None and (cas.killed is not None or cas.wounded is not None)
    chosen = strong or ([t for t in weak if has_toll or sites])
    if not chosen and not has_toll:
        return []
    trigger = min(chosen, key=lambda t: (rules.rank[t.type], t.span.start)) if chosen else triggers[0]
    if family == "security_arrangement":
        found = [(a, s) for a, s in found if actors.actors[a].kind != "insurgent"]
    focus = (trigger.span.start - sentence.start, trigger.span.end - sentence.start)
    when = when_in(sentence.text, dating[0], offset=sentence.start, focus=focus, reference_year=dating[1])
    return [
        _one(trigger, sentence, site, when, cas, found, specific=bool(strong))
        for site in sites_for(family, sites, trigger.span, tokens, displaced=displaced)
    ]


def _one(
    trigger: Trigger,
    sentence: Span,
    site: Site | None,
    when: When,
    cas: Casualties | None,
    found: list[tuple[str, Span]],
    *,
    specific: bool,
) -> Event:
    has_toll = cas is not None and (cas.killed is not None or cas.wounded is not None)
    ids = list(dict.fromkeys(a for a, _ in found))
    reasons = [f"{trigger.type}: {trigger.span.text!r}"]
    confidence = 0.4 + (0.1 if specific else 0.0) + (0.2 if site else 0.0)
    confidence += (0.1 if ids else 0.0) + (0.15 if has_toll else 0.0)
    if site is not None:
        reasons.append(f"place {site.place.name} named in the sentence")
    if when.historical:
        reasons.append(f"historical: {when.reason}")
    place = site.place if site else None
    return Event(
        id=f"{trigger.type}:{sentence.start}:{place.id if place else '-'}",
        type=trigger.type,
        family=trigger.family,
        sentence=sentence,
        trigger=trigger.span,
        date=when.date.isoformat() if when.date else None,
        date_source=when.source,
        date_phrase=when.phrase,
        place_id=place.id if place else None,
        place_name=place.name if place else None,
        place_kind=place.kind if place else None,
        place_pcode=place.pcode if place else None,
        governorate_pcode=(place.pcode if place.kind == "governorate" else place.governorate_pcode)
        if place
        else None,
        district_pcode=district_of(place.kind, place.pcode) if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        precision=precision_of(place, site.mention if site else None) if place else None,
        actors=ids,
        actor_spans=[s for _, s in found],
        killed=cas.killed if cas else None,
        wounded=cas.wounded if cas else None,
        casualty_spans=list(cas.spans) if cas else [],
        historical=when.historical,
        confidence=min(confidence, 0.95),
        reason="; ".join(reasons),
    )
