"""Analyst corrections: re-resolve a place, drop a false one, add a missed one, set the date.

Each correction is one transaction: the article's places are changed, its zones derived again from
the corrected places (:func:`geo.zones.derivation.derive`, with the settings the article was
analysed with), and a row added to the ``corrections`` audit trail with who, when, and the state
before and after (JSON). Two analysts correcting the same article are serialised by the database:
the last write wins and both corrections stay in the audit. :func:`replay` applies an article's
corrections, in order, to a fresh analysis, so they survive re-analysis with a newer geoparser
(:meth:`geo.store.Store.reanalyse`).

:func:`search_gazetteer` finds the entries an analyst can pick, by Arabic or English name.

Examples
--------
>>> [c.id for c in search_gazetteer("Mosul")][:2]  # doctest: +SKIP
['IQG15Q05', 'gn:99072']
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import InputError, ParameterError
from geo.model import Candidate, Mention, Place, Span
from geo.store.records import delete_results, load_places, write_results
from geo.text.normalize import fold

if TYPE_CHECKING:
    import duckdb

    from geo.model import Zone
    from geo.pipeline import Settings

log = logging.getLogger(__name__)

#: What a correction does (``corrections.action``).
ACTIONS = ("re-resolve", "drop", "add", "date")


@dataclass(frozen=True)
class Correction:
    """One row of the audit trail (``at``: when, in UTC)."""

    id: int
    article_id: str
    action: str
    who: str
    at: dt.datetime
    before: Any
    after: Any


def utc_now() -> dt.datetime:
    """The time now in UTC, without a zone (how every timestamp of the store is kept)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def default_who() -> str:
    """The login name of the person running this process (``"unknown"`` when the OS cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# --- the gazetteer ----------------------------------------------------------------------------------


def search_gazetteer(query: str, *, limit: int = 20) -> list[Candidate]:
    """Gazetteer entries named like ``query`` (Arabic or English, folded as the geoparser folds):
    exact names first, then names starting with it, then names containing it; larger units and
    more populous places first within each group."""
    from geo.data.gazetteer import KIND_ORDER, load_gazetteer

    key = fold(query)
    if not key:
        return []
    gaz = load_gazetteer()
    ranked: dict[int, tuple[int, int, int]] = {}
    for name, positions in gaz.index.items():
        bare = name.removeprefix("adj:")
        if bare == key:
            group = 0
        elif bare.startswith(key):
            group = 1
        elif key in bare:
            group = 2
        else:
            continue
        for i in positions:
            entry = gaz.entries[i]
            rank = (
                group,
                KIND_ORDER.index(entry.kind) if entry.kind in KIND_ORDER else 99,
                -entry.population,
            )
            ranked[i] = min(ranked.get(i, rank), rank)
    order = sorted(ranked, key=lambda i: ranked[i])[:limit]
    return [gaz.entries[i].to_candidate() for i in order]


def _entry(entry_id: str) -> Candidate:
    from geo.data.gazetteer import load_gazetteer

    try:
        return load_gazetteer().entry(entry_id).to_candidate()
    except KeyError:
        msg = f"no gazetteer entry {entry_id!r}; find one with search_gazetteer(name) (Arabic or English)"
        raise ParameterError(msg) from None


# --- corrections on a list of places (pure) --------------------------------------------------------


def place_from(
    candidate: Candidate, mentions: list[Mention], *, alternatives: Iterable[Candidate] = ()
) -> Place:
    """A place the analyst chose: ``candidate`` with ``mentions``, confidence 1."""
    return Place(
        id=candidate.id,
        name=candidate.name,
        name_ar=candidate.name_ar,
        kind=candidate.kind,
        country=candidate.country,
        lat=candidate.lat,
        lon=candidate.lon,
        confidence=1.0,
        mentions=mentions,
        pcode=candidate.pcode,
        governorate=candidate.governorate,
        governorate_pcode=candidate.governorate_pcode,
        dataset=candidate.dataset,
        alternatives=[a for a in alternatives if a.id != candidate.id],
    )


def snapshot(place: Place) -> dict[str, Any]:
    """What the audit keeps of a place: its key, names, kind, P-code and mention offsets."""
    return {
        "place_key": place.id,
        "name": place.name,
        "name_ar": place.name_ar,
        "kind": place.kind,
        "pcode": place.pcode,
        "mentions": [[m.start, m.end] for m in place.mentions],
    }


def find_target(places: Sequence[Place], key: str, spans: Iterable[Sequence[int]] = ()) -> Place | None:
    """The place ``key``, else the one whose mentions overlap ``spans`` (a re-analysis may rename it)."""
    for p in places:
        if p.id == key:
            return p
    wanted = [(int(s), int(e)) for s, e in spans]
    for p in places:
        if any(m.start < e and s < m.end for m in p.mentions for s, e in wanted):
            return p
    return None


def apply_re_resolve(places: list[Place], target: Place, candidate: Candidate) -> list[Place]:
    """``target``'s mentions now mean ``candidate`` (merged into that place if the article has it)."""
    old = Candidate(
        id=target.id,
        name=target.name,
        name_ar=target.name_ar,
        kind=target.kind,
        country=target.country,
        lat=target.lat,
        lon=target.lon,
        pcode=target.pcode,
        governorate=target.governorate,
        governorate_pcode=target.governorate_pcode,
        dataset=target.dataset,
        score=target.confidence,
    )
    rest = [p for p in places if p is not target]
    same = next((p for p in rest if p.id == candidate.id), None)
    mentions = sorted([*target.mentions, *(same.mentions if same else [])], key=lambda m: m.start)
    chosen = place_from(candidate, mentions, alternatives=[old, *target.alternatives])
    at = places.index(target)
    out = [p for p in rest if p is not same]
    out.insert(min(at, len(out)), chosen)
    return out


def apply_drop(places: list[Place], target: Place) -> list[Place]:
    return [p for p in places if p is not target]


def apply_add(places: list[Place], text: str, start: int, end: int, candidate: Candidate) -> list[Place]:
    """A mention of ``candidate`` at ``text[start:end]``; any other place's mention there is removed."""
    check_span(text, start, end)
    mention = Mention(start, end, text[start:end], sentence_of(text, start, end))
    out: list[Place] = []
    for p in places:
        kept = [m for m in p.mentions if not (m.start < end and start < m.end)]
        if kept or p.id == candidate.id:
            out.append(p if len(kept) == len(p.mentions) else replace(p, mentions=kept))
    same = next((p for p in out if p.id == candidate.id), None)
    if same is not None:
        out[out.index(same)] = replace(
            same, mentions=sorted([*same.mentions, mention], key=lambda m: m.start)
        )
    else:
        out.append(place_from(candidate, [mention]))
    return out


def check_span(text: str, start: int, end: int) -> None:
    if not (0 <= start < end <= len(text)) or not text[start:end].strip():
        msg = f"the span {start}-{end} is not a stretch of the article's text (0-{len(text)} characters)"
        raise ParameterError(msg)


def sentence_of(text: str, start: int, end: int) -> Span:
    """The sentence that holds ``text[start:end]`` (:func:`geo.text.tokens.sentence_ends`)."""
    from geo.text.tokens import sentence_ends

    ends = sentence_ends(text)
    i = bisect_right(ends, start)
    a = ends[i - 1] if i else 0
    b = max(ends[i] if i < len(ends) else len(text), end)
    raw = text[a:b]
    body = raw.strip()
    a += len(raw) - len(raw.lstrip())
    return Span(a, a + len(body), body)


def replay(
    places: list[Place], text: str, corrections: Sequence[Correction]
) -> tuple[list[Place], set[str], list[str]]:
    """``places`` with ``corrections`` applied in order; the keys corrected, and notes on those
    that no longer apply (their place is gone from the new analysis)."""
    corrected: set[str] = set()
    notes: list[str] = []
    for c in corrections:
        if c.action == "date":
            continue
        before, after = c.before or {}, c.after or {}
        if c.action == "add":
            places = apply_add(
                places, text, int(after["start"]), int(after["end"]), _entry(after["place_key"])
            )
            corrected.add(after["place_key"])
            continue
        target = find_target(places, before.get("place_key", ""), before.get("mentions", []))
        if target is None:
            notes.append(f"correction {c.id} ({c.action} {before.get('name')}): the place is no longer found")
            continue
        if c.action == "drop":
            places = apply_drop(places, target)
            corrected.discard(target.id)
        else:
            places = apply_re_resolve(places, target, _entry(after["place_key"]))
            corrected.discard(target.id)
            corrected.add(after["place_key"])
    return places, corrected, notes


# --- corrections in the store ------------------------------------------------------------------------


def derive_for(text: str, places: list[Place], settings: Settings) -> list[Zone]:
    from geo.zones.derivation import derive
    from geo.zones.rules import load_rules

    return derive(
        text, places, belt_km=settings.belt_km, belt_side=settings.belt_side, rules=load_rules()
    ).zones


def corrected_zone_ids(
    zones: Sequence[Zone], places: Sequence[Place], corrected: set[str], before: set[str], carried: set[str]
) -> set[str]:
    """Zones built from a corrected place, new since ``before``, or corrected already (``carried``)."""
    codes = {c for p in places if p.id in corrected for c in (p.id, p.pcode) if c}
    return {z.id for z in zones if codes & set(z.places) or z.id not in before or z.id in carried}


def correct_places(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    article: str,
    action: str,
    *,
    who: str,
    place_key: str | None = None,
    entry_id: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> int:
    """Apply one place correction to ``article`` inside the caller's transaction; the audit row's id."""
    from geo.pipeline import Settings

    row = con.execute("SELECT text, settings FROM articles WHERE id = ?", [article]).fetchone()
    if row is None:
        msg = f"no article {article!r} in the store {path}; see `python -m geo corpus list`"
        raise InputError(msg)
    text, settings_json = row
    settings = Settings(**json.loads(settings_json or "{}"))
    places = load_places(con, article, text)
    flags = dict(
        con.execute("SELECT place_key, corrected FROM places WHERE article_id = ?", [article]).fetchall()
    )
    corrected = {k for k, v in flags.items() if v}
    zone_rows = con.execute("SELECT zone_id, corrected FROM zones WHERE article_id = ?", [article]).fetchall()
    before_zones, carried = {z for z, _ in zone_rows}, {z for z, c in zone_rows if c}
    if action == "add":
        if start is None or end is None or not entry_id:
            raise ParameterError("add needs the span (start, end) and the gazetteer entry id")
        candidate = _entry(entry_id)
        covered = [snapshot(p) for p in places if any(m.start < end and start < m.end for m in p.mentions)]
        places = apply_add(places, text, start, end, candidate)
        corrected.add(candidate.id)
        before: Any = covered or None
        after: Any = {
            "place_key": candidate.id,
            "name": candidate.name,
            "start": start,
            "end": end,
            "text": text[start:end],
        }
    else:
        target = next((p for p in places if p.id == _renamed(con, article, place_key or "")), None)
        if target is None:
            known = ", ".join(p.id for p in places) or "none"
            msg = f"article {article[:12]} has no place {place_key!r} (its places: {known})"
            raise ParameterError(msg)
        before = snapshot(target)
        if action == "drop":
            places = apply_drop(places, target)
            corrected.discard(target.id)
            after = None
        elif action == "re-resolve":
            if not entry_id:
                raise ParameterError("re-resolve needs the gazetteer entry id to resolve the place to")
            places = apply_re_resolve(places, target, _entry(entry_id))
            corrected.discard(target.id)
            corrected.add(entry_id)
            after = snapshot(next(p for p in places if p.id == entry_id))
        else:
            raise ParameterError(f"unknown correction {action!r}; expected one of {', '.join(ACTIONS)}")
    zones = derive_for(text, places, settings)
    fixed_zones = corrected_zone_ids(zones, places, corrected, before_zones, carried)
    delete_results(con, article)
    write_results(
        con, article, places, zones, settings, corrected_places=corrected, corrected_zones=fixed_zones
    )
    return record(con, article, action, who=who, before=before, after=after)


def _renamed(con: duckdb.DuckDBPyConnection, article: str, key: str) -> str:
    """``key`` as it is now: followed through the article's re-resolve corrections, for a writer who
    still sees the place under the key another writer has just changed (the last write then wins)."""
    if con.execute("SELECT 1 FROM places WHERE article_id = ? AND place_key = ?", [article, key]).fetchone():
        return key
    for c in load_corrections(con, article):
        if c.action == "re-resolve" and (c.before or {}).get("place_key") == key:
            key = (c.after or {}).get("place_key", key)
    return key


def record(
    con: duckdb.DuckDBPyConnection, article: str, action: str, *, who: str, before: Any, after: Any
) -> int:
    """Add a row to the audit trail; its id."""
    row = con.execute(
        "INSERT INTO corrections (article_id, action, who, made_at, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [
            article,
            action,
            who,
            utc_now(),
            json.dumps(before, ensure_ascii=False, default=str),
            json.dumps(after, ensure_ascii=False, default=str),
        ],
    ).fetchone()
    return int(row[0]) if row else 0


def load_corrections(con: duckdb.DuckDBPyConnection, article: str | None = None) -> list[Correction]:
    """The audit trail (of one article, or all), oldest first."""
    sql = "SELECT id, article_id, action, who, made_at, before, after FROM corrections"
    params: list[Any] = []
    if article is not None:
        sql += " WHERE article_id = ?"
        params.append(article)
    rows = con.execute(sql + " ORDER BY id", params).fetchall()
    return [
        Correction(int(i), a, act, w, at, json.loads(b) if b else None, json.loads(af) if af else None)
        for i, a, act, w, at, b, af in rows
    ]
