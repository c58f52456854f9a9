"""An article's analysis as table rows, and back: the one place that knows both shapes.

:func:`write_results` inserts the mentions, places, zones (and their shapes) of one article;
:func:`delete_results` removes them; :func:`load_places` rebuilds the :class:`~geo.model.Place`
objects from the rows (what corrections re-derive the zones from). :func:`article_id` is the
content hash articles are deduplicated by, and :func:`analysed_with` the fingerprint of the
geoparser, rules and settings an article was analysed with.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from geo.model import Candidate, Event, Mention, Place, Span, Zone
from geo.store.eventrows import derive_events, events_dated, insert_many_events, stored_events
from geo.store.shapes import shape_key

if TYPE_CHECKING:
    import duckdb

    from geo.model import Analysis
    from geo.pipeline import Settings
    from geo.text.dates import DateChoice

_TRAILING = re.compile(r"[ \t\u00a0]+\n")


def normalise_text(text: str) -> str:
    """The text as its id is computed from: NFC, ``\\n`` line ends, no trailing blanks, stripped."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING.sub("\n", text).strip()


def article_id(text: str) -> str:
    """The article's id: the SHA-256 (hex) of its normalised text (:func:`normalise_text`).

    >>> article_id("Kirkuk\\r\\n") == article_id("Kirkuk")
    True
    """
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def settings_dict(settings: Settings) -> dict[str, Any]:
    return {
        "belt_km": settings.belt_km,
        "belt_side": settings.belt_side,
        "min_confidence": settings.min_confidence,
    }


def analysed_with(settings: Settings) -> str:
    """``zone-atlas <version>+<hash>``: the hash covers the gazetteer (its sources, aliases, lexicon and
    build version), the zone rules file and ``settings``; it changes when any of them does."""
    import geo
    from geo.data.gazetteer import load_gazetteer
    from geo.zones.rules import RULES_PATH

    digest = hashlib.sha256()
    digest.update(load_gazetteer().key.encode())
    digest.update(RULES_PATH.read_bytes())
    digest.update(json.dumps(settings_dict(settings), sort_keys=True).encode())
    return f"zone-atlas {geo.__version__}+{digest.hexdigest()[:16]}"


def district_of(place: Place) -> str | None:
    """The ADM2 P-code of the district a place lies in (its own for a district), if known."""
    from geo.data.gazetteer import load_gazetteer

    try:
        entry = load_gazetteer().entry(place.id)
    except KeyError:
        entry = None
    if entry is not None and entry.district_pcode:
        return entry.district_pcode
    code = place.pcode or ""
    if re.fullmatch(r"IQG\d\dQ\d\d(?:N\d\d)?", code):
        return code[:8]
    return None


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def mention_rows(article: str, places: Sequence[Place]) -> list[tuple[Any, ...]]:
    rows = []
    for p in places:
        for m in sorted(p.mentions, key=lambda m: m.start):
            ms = m.modifier_span
            rows.append(
                (
                    article,
                    p.id,
                    m.start,
                    m.end,
                    m.text,
                    m.modifier,
                    ms.start if ms else None,
                    ms.end if ms else None,
                    m.cue,
                    m.sentence.start,
                    m.sentence.end,
                )
            )
    return rows


def place_rows(article: str, places: Sequence[Place], corrected: Iterable[str] = ()) -> list[tuple[Any, ...]]:
    fixed = set(corrected)
    return [
        (
            article,
            p.id,
            p.name,
            p.name_ar,
            p.kind,
            p.pcode,
            p.governorate,
            p.governorate_pcode,
            district_of(p),
            p.country,
            float(p.lat),
            float(p.lon),
            float(p.confidence),
            p.dataset,
            _j([c.to_dict() for c in p.alternatives]),
            p.id in fixed,
            float(p.lon),
            float(p.lat),
        )
        for p in places
    ]


def zone_rows(
    article: str, zones: Sequence[Zone], settings: Settings, corrected: Iterable[str] = ()
) -> tuple[list[tuple[Any, ...]], dict[str, bytes]]:
    """The zone rows and the shapes they use (``shape_id -> WKB``)."""
    fixed = set(corrected)
    rows, shapes = [], {}
    for z in zones:
        shape = None
        if z.geometry is not None:
            shape, blob = shape_key(z.geometry)
            shapes[shape] = blob
        occurrences = [asdict(s) for s in z.occurrences]
        rows.append(
            (
                article,
                z.id,
                z.kind,
                z.label,
                z.label_ar,
                _j(list(z.places)),
                z.trigger.start,
                z.trigger.end,
                z.trigger.text,
                z.sentence.start,
                z.sentence.end,
                _j(occurrences),
                z.construction,
                _j(z.params),
                _j(settings_dict(settings)),
                z.dataset,
                float(z.area_km2),
                _j(list(z.covers)),
                _j(list(z.touches)),
                z.seat[0] if z.seat else None,
                z.seat[1] if z.seat else None,
                z.id in fixed,
                shape,
            )
        )
    return rows, shapes


_MENTION_ROW = "(" + ", ".join(["?"] * 11) + ")"
_PLACE_ROW = "(" + ", ".join(["?"] * 16) + ", ST_Point2D(?, ?))"
_ZONE_COLUMNS = (
    "article_id, zone_id, kind, label, label_ar, places, trigger_start, trigger_end, trigger_text, "
    "sentence_start, sentence_end, occurrences, construction, params, settings, dataset, area_km2, "
    "covers, touches, seat_lat, seat_lon, corrected, shape_id"
)
_ZONE_ROW = "(" + ", ".join(["?"] * 23) + ")"
#: Rows sent in one INSERT statement (one statement per table and article, for all but huge articles).
_BATCH = 200


def insert_rows(
    con: duckdb.DuckDBPyConnection, head: str, row_sql: str, rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT ... VALUES (...), (...)``: many rows per statement (far fewer round trips than executemany)."""
    for i in range(0, len(rows), _BATCH):
        part = rows[i : i + _BATCH]
        con.execute(f"{head} VALUES " + ", ".join([row_sql] * len(part)), [v for row in part for v in row])


def write_results(
    con: duckdb.DuckDBPyConnection,
    article: str,
    places: Sequence[Place],
    zones: Sequence[Zone],
    settings: Settings,
    *,
    corrected_places: Iterable[str] = (),
    corrected_zones: Iterable[str] = (),
    events: Sequence[Event] | None = None,
) -> None:
    """Insert the mentions, places, zones, new shapes and events of ``article`` (inside the caller's
    transaction; the article's row must be there). ``events=None`` derives the events again from
    ``places`` and the article's stored text and date (:func:`geo.store.eventrows.stored_events`)."""
    if events is None:
        events = stored_events(con, article, places)
    write_many(
        con,
        [Results(article, places, zones, events)],
        settings,
        corrected_places=corrected_places,
        corrected_zones=corrected_zones,
    )


@dataclass(frozen=True)
class Results:
    """What one article adds to the tables besides its own row."""

    article: str
    places: Sequence[Place]
    zones: Sequence[Zone]
    events: Sequence[Event]


def write_many(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[Results],
    settings: Settings,
    *,
    corrected_places: Iterable[str] = (),
    corrected_zones: Iterable[str] = (),
) -> None:
    """:func:`write_results` for many articles at once: one statement per table for the whole batch
    (a statement costs DuckDB about as much as hundreds of rows), in the caller's transaction."""
    fixed_places, fixed_zones = set(corrected_places), set(corrected_zones)
    mentions: list[tuple[Any, ...]] = []
    place_list: list[tuple[Any, ...]] = []
    zone_list: list[tuple[Any, ...]] = []
    shapes: dict[str, bytes] = {}
    for r in batch:
        mentions += mention_rows(r.article, r.places)
        place_list += place_rows(r.article, r.places, fixed_places)
        zrows, zshapes = zone_rows(r.article, r.zones, settings, fixed_zones)
        zone_list += zrows
        shapes.update(zshapes)
    insert_rows(con, "INSERT INTO mentions", _MENTION_ROW, mentions)
    insert_rows(con, "INSERT INTO places", _PLACE_ROW, place_list)
    if shapes:
        known = {
            r[0]
            for r in con.execute(
                "SELECT shape_id FROM shapes WHERE shape_id IN (SELECT unnest(?::VARCHAR[]))", [list(shapes)]
            ).fetchall()
        }
        new = [(key, blob) for key, blob in shapes.items() if key not in known]
        insert_rows(con, "INSERT OR IGNORE INTO shapes", "(?, ST_GeomFromWKB(?))", new)
    insert_rows(con, f"INSERT INTO zones ({_ZONE_COLUMNS})", _ZONE_ROW, zone_list)
    insert_many_events(con, [(r.article, r.events) for r in batch])


def delete_results(con: duckdb.DuckDBPyConnection, article: str) -> None:
    """Remove the mentions, places, zones and events of ``article`` (its shapes stay: others may use them)."""
    for table in ("mentions", "places", "zones", "events"):
        con.execute(f"DELETE FROM {table} WHERE article_id = ?", [article])


def load_places(con: duckdb.DuckDBPyConnection, article: str, text: str) -> list[Place]:
    """The places of ``article`` (whose text is ``text``) as stored: corrections applied, with mentions."""
    mentions: dict[str, list[Mention]] = {}
    for key, start, end, said, modifier, mstart, mend, cue, sstart, send in con.execute(
        "SELECT place_key, start_char, end_char, m.text, modifier, modifier_start, modifier_end, cue, "
        "sentence_start, sentence_end FROM mentions m WHERE article_id = ? ORDER BY start_char",
        [article],
    ).fetchall():
        sentence = Span(sstart, send, text[sstart:send])
        modifier_span = Span(mstart, mend, text[mstart:mend]) if mstart is not None else None
        mentions.setdefault(key, []).append(
            Mention(start, end, said, sentence, modifier=modifier, modifier_span=modifier_span, cue=cue)
        )
    places = []
    for row in con.execute(
        "SELECT place_key, name, name_ar, kind, country, lat, lon, confidence, pcode, governorate, "
        "governorate_pcode, dataset, alternatives FROM places WHERE article_id = ? ORDER BY rowid",
        [article],
    ).fetchall():
        key, name, name_ar, kind, country, lat, lon, conf, pcode, gov, gov_pcode, dataset, alternatives = row
        places.append(
            Place(
                id=key,
                name=name,
                name_ar=name_ar,
                kind=kind,
                country=country,
                lat=lat,
                lon=lon,
                confidence=conf,
                mentions=mentions.get(key, []),
                pcode=pcode,
                governorate=gov,
                governorate_pcode=gov_pcode,
                dataset=dataset,
                alternatives=[Candidate(**c) for c in json.loads(alternatives or "[]")],
            )
        )
    return places


def load_zones(con: duckdb.DuckDBPyConnection, article: str, text: str) -> list[Zone]:
    """The zones of ``article`` as :class:`~geo.model.Zone` objects (polygons from ``shapes``)."""
    import shapely

    zones = []
    for row in con.execute(
        "SELECT zone_id, kind, label, label_ar, places, trigger_start, trigger_end, trigger_text, "
        "sentence_start, sentence_end, occurrences, construction, params, dataset, area_km2, covers, "
        "touches, seat_lat, seat_lon, ST_AsWKB(s.geometry) FROM zones z "
        "LEFT JOIN shapes s ON s.shape_id = z.shape_id WHERE article_id = ? ORDER BY z.rowid",
        [article],
    ).fetchall():
        (
            zid,
            kind,
            label,
            label_ar,
            places,
            ts,
            te,
            tt,
            ss,
            se,
            occ,
            construction,
            params,
            dataset,
            area,
            covers,
            touches,
            seat_lat,
            seat_lon,
            wkb,
        ) = row
        zones.append(
            Zone(
                id=zid,
                kind=kind,
                label=label,
                label_ar=label_ar,
                places=json.loads(places),
                trigger=Span(ts, te, tt),
                sentence=Span(ss, se, text[ss:se]),
                construction=construction,
                params=json.loads(params),
                geometry=shapely.from_wkb(bytes(wkb)) if wkb is not None else None,
                dataset=dataset,
                area_km2=area,
                covers=json.loads(covers),
                touches=json.loads(touches),
                seat=(seat_lat, seat_lon) if seat_lat is not None else None,
                occurrences=[Span(**o) for o in json.loads(occ)],
            )
        )
    return zones


def folded_text(text: str, fold: Callable[[str], str]) -> str:
    """The text as the search column holds it: folded words joined by spaces, padded with one each side."""
    return f" {fold(text)} "


_ARTICLE_COLUMNS = (
    "id, source, title, published, date_source, date_flag, date_how, language, text, text_folded, "
    "ingested_at, analysed_with, settings, notes"
)
_ARTICLE_ROW = "(" + ", ".join(["?"] * 14) + ")"


@dataclass(frozen=True)
class NewArticle:
    """An analysed article to store: its id (hash of the normalised text), analysis, title and date."""

    id: str
    analysis: Analysis
    title: str
    date: DateChoice


def _dated_events(a: NewArticle) -> list[Event]:
    """The article's events, extracted again when the store's date of it is not the text's own."""
    events = events_dated(a.analysis, a.date.date)
    if events is None:
        lang = a.analysis.lang or "und"
        events = derive_events(a.analysis.text, a.analysis.places, article_date=a.date.date, lang=lang)
    return events


def add_new_articles(
    con: duckdb.DuckDBPyConnection, batch: Sequence[NewArticle], settings: Settings, now: Any
) -> list[bool]:
    """Insert the articles of ``batch`` not stored yet with all their results (inside the caller's
    transaction); per article, whether it was added (``False``: stored, or earlier in the batch)."""
    from geo.text.normalize import fold

    ids = [a.id for a in batch]
    stored = {
        r[0]
        for r in con.execute(
            "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        ).fetchall()
    }
    added = []
    for a in batch:
        added.append(a.id not in stored)
        stored.add(a.id)
    fresh = [a for a, new in zip(batch, added, strict=True) if new]
    fingerprint, settings_json = analysed_with(settings), json.dumps(settings_dict(settings))
    rows = [
        [
            a.id,
            a.analysis.source,
            a.title,
            a.date.date,
            a.date.source,
            a.date.flag,
            a.date.how,
            a.analysis.lang,
            a.analysis.text,
            folded_text(a.analysis.text, fold),
            now,
            fingerprint,
            settings_json,
            json.dumps(a.analysis.notes, ensure_ascii=False),
        ]  # fmt: skip
        for a in fresh
    ]
    insert_rows(con, f"INSERT INTO articles ({_ARTICLE_COLUMNS})", _ARTICLE_ROW, rows)
    write_many(
        con, [Results(a.id, a.analysis.places, a.analysis.zones, _dated_events(a)) for a in fresh], settings
    )
    return added
