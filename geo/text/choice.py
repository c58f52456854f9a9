"""Step 4 of the resolver: one entry per mention, grouped into places with a confidence.

One reading per name per article (the entry with the best total over the name's mentions) unless a
cue word says otherwise; the confidence is the softmax share of the chosen entry (:data:`TEMPERATURE`),
counting entries of the same place (a city and the district it is the seat of) as agreeing; the
runner-up candidates are kept on each place. The place's confidence is then calibrated
(:mod:`geo.text.calibration`: the chance that it is the right place, fitted on the dev split).
"""

from __future__ import annotations

import math
from operator import itemgetter

import numpy as np

from geo.data.gazetteer import Gazetteer
from geo.model import Mention, Place
from geo.text.calibration import calibrated, choice_features, isolated_inputs, record
from geo.text.candidates import Scored
from geo.text.context import RawMention
from geo.text.features import Features, features, km_grid

#: Softmax temperature turning score gaps into confidence.
TEMPERATURE = 0.12
#: Confidence factor for names that needed evidence (ambiguous words, small foreign towns).
WEAK_FACTOR = 0.85
#: Alternatives kept on each place.
MAX_ALTERNATIVES = 3
#: A town or village in Iraq this far (km) from every other one the article names is ``isolated``.
ISOLATED_KM = 150.0
#: Kinds that are ``isolated`` when far from the others (and that count as the others).
_LOCAL_KINDS = frozenset({"district", "subdistrict", "city", "town", "village"})


def choose(mentions: list[RawMention], cands: list[list[Scored]], gaz: Gazetteer) -> list[Place]:
    """One entry per mention (one reading per name per article unless a cue says otherwise),
    grouped into places ordered by first mention."""
    feats = features(gaz)
    by_key: dict[str, dict[int, float]] = {}
    for m, cs in zip(mentions, cands, strict=True):
        # every mention of a name counts, a sole-candidate one too ("ناحيتي الرشاد والرياض" in
        # the body decides "الرشاد والرياض" in the headline)
        if cs:
            totals = by_key.get(m.key)
            if totals is None:
                totals = by_key[m.key] = {}
            for c in cs:
                totals[c.entry] = totals.get(c.entry, 0.0) + c.score
    places: dict[int, Place] = {}
    runners: dict[int, dict[int, float]] = {}
    inputs: dict[int, list[float]] = {}
    for m, cs in zip(mentions, cands, strict=True):
        if not cs:
            continue
        if len(cs) == 1:
            pick = cs[0]
            conf = WEAK_FACTOR if pick.weak else 0.99
        else:
            totals = by_key[m.key]
            pick = cs[0]  # the first of the best by (total over the name's mentions, own score)
            pick_total = totals[pick.entry]
            for c in cs:
                total = totals[c.entry]
                if total > pick_total or total == pick_total and c.score > pick.score:
                    pick, pick_total = c, total
            if m.cue_kind is not None and cs[0].entry != pick.entry:
                pick = cs[0]
            conf = _confidence(pick, cs, feats)
            others = runners.get(pick.entry)
            if others is None:
                others = runners[pick.entry] = {}
            for c in cs:
                if c.entry != pick.entry and others.get(c.entry, -1e9) < c.score:
                    others[c.entry] = c.score
        mention = Mention(m.start, m.end, m.text, m.sentence, m.modifier, m.modifier_span, m.cue)
        word = gaz.ambiguous.get(m.key.removeprefix("adj:")) in ("word", "person", "strict")
        ckey = (conf, pick.weak, pick.entry, len(cs), m.cue_kind is not None, m.arabic, word)
        cal = _CALIBRATED.get(ckey)
        if cal is None:
            cal = _calibrate(ckey, gaz, m.text)
        conf = cal[0]
        place = places.get(pick.entry)
        if place is not None:
            place.mentions.append(mention)
            if conf > place.confidence:
                place.confidence = conf
                inputs[pick.entry] = cal[1]
            continue
        inputs[pick.entry] = cal[1]
        e = gaz.entries[pick.entry]
        # positional (keywords cost twice as much): id, name, name_ar, kind, country, lat, lon,
        # confidence, mentions, pcode, governorate, governorate_pcode, dataset
        places[pick.entry] = Place(
            e.id,
            e.name,
            e.name_ar,
            e.kind,
            e.country,
            e.lat,
            e.lon,
            conf,
            [mention],
            e.pcode,
            e.governorate,
            e.governorate_pcode,
            e.dataset,
        )
    for entry_idx, others in runners.items():  # runner-up candidates, best first
        if len(others) == 1:
            best = list(others.items())
        else:
            best = sorted(others.items(), key=itemgetter(1), reverse=True)[:MAX_ALTERNATIVES]
        places[entry_idx].alternatives = [feats.candidate(i, sc) for i, sc in best]
    _mark_isolated(places, inputs)
    record({id(places[e]): x for e, x in inputs.items()})
    return sorted(places.values(), key=lambda p: p.mentions[0].start)


#: (raw confidence, weak, entry, candidates, cued, Arabic script, common word) -> (calibrated,
#: model inputs)
_CalKey = tuple[float, bool, int, int, bool, bool, bool]
_CALIBRATED: dict[_CalKey, tuple[float, list[float]]] = {}


def _calibrate(key: _CalKey, gaz: Gazetteer, text: str) -> tuple[float, list[float]]:
    raw, weak, entry, n, cued, arabic, word = key
    e = gaz.entries[entry]
    letters = 0 if arabic else sum(ch.isalpha() for ch in text)
    x = choice_features(
        raw=raw,
        weak=weak,
        kind=e.kind,
        dataset=e.dataset,
        country=e.country,
        n_candidates=n,
        cued=cued,
        latin_letters=letters,
        common_word=word,
    )
    out = (calibrated(x), x)
    if letters == 0 or letters > 4:  # the name's length is part of the key only through ``arabic``
        if len(_CALIBRATED) > 100_000:
            _CALIBRATED.clear()
        _CALIBRATED[key] = out
    return out


def _mark_isolated(places: dict[int, Place], inputs: dict[int, list[float]]) -> None:
    """Lower the confidence of every Iraqi town or village lying more than :data:`ISOLATED_KM`
    from all the other ones the article names (at least two others): a village read in another
    province, a word read as a far town. Features, regions and countries are not judged."""
    local = [e for e, p in places.items() if p.country == "IQ" and p.kind in _LOCAL_KINDS]
    if len(local) < 3:
        return
    lat = np.radians(np.fromiter((places[e].lat for e in local), float, len(local)))
    lon = np.radians(np.fromiter((places[e].lon for e in local), float, len(local)))
    step = max(1, 1_000_000 // len(local))  # rows at a time: memory stays bounded
    for lo in range(0, len(local), step):
        la, lg = lat[lo : lo + step, None], lon[lo : lo + step, None]
        d = km_grid(la, lg, lat[None, :], lon[None, :])
        rows = np.arange(d.shape[0])
        d[rows, rows + lo] = np.inf  # not from itself
        for r in np.flatnonzero(d.min(axis=1) > ISOLATED_KM).tolist():
            e = local[lo + r]
            x = isolated_inputs(inputs[e])
            inputs[e] = x
            places[e].confidence = calibrated(x)


def _confidence(pick: Scored, cs: list[Scored], feats: Features) -> float:
    """Softmax share of the chosen entry, counting entries of the same place (a city and the
    district it is the seat of, a governorate and its capital) as agreeing."""
    if len(cs) == 1:
        return WEAK_FACTOR if pick.weak else 0.99
    same_place, exp = feats.same_place, math.exp
    best, entry = pick.score, pick.entry
    total = agree = 0.0
    for c in cs:
        w = exp((c.score - best) / TEMPERATURE)
        total += w
        if c.entry == entry:
            agree += w
            continue
        same = same_place.get((entry, c.entry))
        if same is None:
            same = feats.same(entry, c.entry)
        if same:
            agree += w
    conf = agree / total if total else 0.0
    if pick.weak:
        conf *= WEAK_FACTOR
    conf = conf if conf < 0.99 else 0.99  # max(0.0, min(0.99, conf)) without two builtin calls
    return conf if conf > 0.0 else 0.0


__all__ = ["ISOLATED_KM", "MAX_ALTERNATIVES", "TEMPERATURE", "WEAK_FACTOR", "choose"]
