"""The store's tables and their migrations: version 1 -> 2 -> 3 -> 4, as ordered functions.

:data:`MIGRATIONS` lists one function per schema version; version ``n`` is reached by running
``MIGRATIONS[n - 1]`` on a store at version ``n - 1``. :func:`migrate` runs the missing ones,
each in its own transaction together with the new version number in ``schema_version``, so a
failure leaves the store at the last version completed. A store from a newer Zone Atlas (a version
above :data:`SCHEMA_VERSION`) is refused with both numbers. Never edit a released migration: add
the next one.

The tables (version 4)
----------------------
``articles``
    ``id`` (SHA-256 of the normalised text), ``source``, ``title``, ``published`` (DATE),
    ``date_source`` (feed, jsonl, html-meta, text, analyst, none), ``date_flag`` (future,
    before-1900, conflict or NULL), ``date_how``, ``language``, ``text``, ``text_folded`` (the text
    folded like the geoparser's names, for search), ``ingested_at``, ``analysed_with`` (geoparser
    version and settings hash), ``settings`` (JSON), ``notes`` (JSON).
``mentions``
    ``article_id``, ``place_key``, ``start_char``, ``end_char``, ``text``, ``modifier`` (and its
    span), ``cue``, ``sentence_start``, ``sentence_end``.
``places``
    ``article_id``, ``place_key``, names, ``kind``, P-codes (the place's, its governorate's and
    district's), ``country``, ``lat``, ``lon``, ``confidence``, ``dataset``, ``alternatives`` (JSON),
    ``corrected``, ``geometry`` (spatial POINT_2D).
``zones``
    ``article_id``, ``zone_id``, ``kind``, labels, ``places`` (JSON), trigger and sentence offsets,
    ``occurrences``, ``construction``, ``params`` and ``settings`` (JSON), ``dataset``, ``area_km2``,
    ``covers``/``touches`` (JSON), the seat, ``corrected``, ``shape_id``.
``shapes``
    ``shape_id`` (hash of the WKB) and ``geometry`` (spatial GEOMETRY, EPSG:4326): a zone's polygon
    is stored once however many articles describe it (version 3 moved it out of ``zones``).
``corrections``
    the audit trail: ``id``, ``article_id``, ``action`` (re-resolve, drop, add, date), ``who``,
    ``made_at``, ``before`` and ``after`` (JSON).
``events``
    one row per incident an article reports (version 4): ``article_id``, ``event_id``, ``type``,
    ``family``, ``date`` (DATE, NULL when undated), ``date_source`` (text, relative, article, none)
    and the date phrase (``date_start``, ``date_end``, ``date_text``), the place (``place_id``,
    ``place_name``, ``place_kind``, ``place_pcode``, ``governorate_pcode``, ``district_pcode``,
    ``lat``, ``lon``, ``precision``: 1 town, 2 district, 3 governorate), ``actors`` (VARCHAR[],
    ids of ``data/actors.toml``) and ``actor_spans``, ``killed``, ``wounded`` and
    ``casualty_spans`` (JSON ``[[start, end], ...]``), the sentence and trigger offsets,
    ``historical``, ``confidence``, ``reason``. Written with the article's other results, in the
    same transaction; version 4 extracts the events of the articles already stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.store.connection import transaction
from geo.store.records import folded_text
from geo.store.shapes import shape_key

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The first schema: articles, mentions, places, zones (geometry inline), corrections."""
    con.execute("""
        CREATE TABLE articles (
            id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, title VARCHAR, published DATE,
            date_source VARCHAR NOT NULL DEFAULT 'none', language VARCHAR, text VARCHAR NOT NULL,
            ingested_at TIMESTAMP NOT NULL, analysed_with VARCHAR NOT NULL, notes JSON
        )""")
    con.execute("""
        CREATE TABLE mentions (
            article_id VARCHAR NOT NULL, place_key VARCHAR NOT NULL, start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL, text VARCHAR, modifier VARCHAR, modifier_start INTEGER,
            modifier_end INTEGER, cue VARCHAR, sentence_start INTEGER, sentence_end INTEGER
        )""")
    con.execute("""
        CREATE TABLE places (
            article_id VARCHAR NOT NULL, place_key VARCHAR NOT NULL, name VARCHAR, name_ar VARCHAR,
            kind VARCHAR, pcode VARCHAR, governorate VARCHAR, governorate_pcode VARCHAR,
            district_pcode VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE, confidence DOUBLE,
            dataset VARCHAR, alternatives JSON, corrected BOOLEAN NOT NULL DEFAULT false,
            geometry POINT_2D
        )""")
    con.execute("""
        CREATE TABLE zones (
            article_id VARCHAR NOT NULL, zone_id VARCHAR NOT NULL, kind VARCHAR, label VARCHAR,
            label_ar VARCHAR, places JSON, trigger_start INTEGER, trigger_end INTEGER,
            trigger_text VARCHAR, sentence_start INTEGER, sentence_end INTEGER, occurrences JSON,
            construction VARCHAR, params JSON, settings JSON, dataset VARCHAR, area_km2 DOUBLE,
            covers JSON, touches JSON, seat_lat DOUBLE, seat_lon DOUBLE,
            corrected BOOLEAN NOT NULL DEFAULT false, geometry GEOMETRY
        )""")
    con.execute("CREATE SEQUENCE corrections_id START 1")
    con.execute("""
        CREATE TABLE corrections (
            id BIGINT PRIMARY KEY DEFAULT nextval('corrections_id'), article_id VARCHAR NOT NULL,
            action VARCHAR NOT NULL, who VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL,
            before JSON, after JSON
        )""")


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Dates get a flag and the way they were found; the text a folded copy for search (backfilled)."""
    from geo.text.normalize import fold

    for column in ("date_flag VARCHAR", "date_how VARCHAR", "text_folded VARCHAR", "settings JSON"):
        con.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    rows = con.execute("SELECT id, text FROM articles").fetchall()
    for article_id, text in rows:
        con.execute("UPDATE articles SET text_folded = ? WHERE id = ?", [folded_text(text, fold), article_id])


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """Zone polygons move to ``shapes``, stored once each (content-addressed by their WKB).

    ``zones`` is rebuilt (DuckDB does not alter and update a table in one transaction).
    """
    import shapely

    con.execute("CREATE TABLE shapes (shape_id VARCHAR PRIMARY KEY, geometry GEOMETRY NOT NULL)")
    con.execute("CREATE TEMP TABLE zone_shapes (zone_row BIGINT, shape_id VARCHAR)")
    rows = con.execute("SELECT rowid, ST_AsWKB(geometry) FROM zones WHERE geometry IS NOT NULL").fetchall()
    shapes: dict[str, bytes] = {}
    links = []
    for rowid, wkb in rows:
        key, blob = shape_key(shapely.from_wkb(bytes(wkb)))
        shapes[key] = blob
        links.append((rowid, key))
    if shapes:
        con.executemany("INSERT INTO shapes VALUES (?, ST_GeomFromWKB(?))", list(shapes.items()))
        con.executemany("INSERT INTO zone_shapes VALUES (?, ?)", links)
    con.execute(f"CREATE TABLE zones_v3 ({ZONE_COLUMNS_V3})")
    con.execute(
        "INSERT INTO zones_v3 SELECT z.* EXCLUDE (geometry), s.shape_id FROM zones z "
        "LEFT JOIN zone_shapes s ON s.zone_row = z.rowid ORDER BY z.rowid"
    )
    con.execute("DROP TABLE zones")
    con.execute("ALTER TABLE zones_v3 RENAME TO zones")
    con.execute("DROP TABLE zone_shapes")


#: The zones table from version 3 on (version 1's, with ``shape_id`` in place of ``geometry``).
ZONE_COLUMNS_V3 = """
    article_id VARCHAR NOT NULL, zone_id VARCHAR NOT NULL, kind VARCHAR, label VARCHAR,
    label_ar VARCHAR, places JSON, trigger_start INTEGER, trigger_end INTEGER,
    trigger_text VARCHAR, sentence_start INTEGER, sentence_end INTEGER, occurrences JSON,
    construction VARCHAR, params JSON, settings JSON, dataset VARCHAR, area_km2 DOUBLE,
    covers JSON, touches JSON, seat_lat DOUBLE, seat_lon DOUBLE,
    corrected BOOLEAN NOT NULL DEFAULT false, shape_id VARCHAR"""


#: The events table from version 4 on.
EVENT_COLUMNS_V4 = """
    article_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, type VARCHAR NOT NULL,
    family VARCHAR NOT NULL, date DATE, date_source VARCHAR NOT NULL DEFAULT 'none',
    date_start INTEGER, date_end INTEGER, date_text VARCHAR, place_id VARCHAR, place_name VARCHAR,
    place_kind VARCHAR, place_pcode VARCHAR, governorate_pcode VARCHAR, district_pcode VARCHAR,
    lat DOUBLE, lon DOUBLE, precision INTEGER, actors VARCHAR[], actor_spans JSON, killed INTEGER,
    wounded INTEGER, casualty_spans JSON, sentence_start INTEGER NOT NULL, sentence_end INTEGER NOT NULL,
    trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL, trigger_text VARCHAR,
    historical BOOLEAN NOT NULL DEFAULT false, confidence DOUBLE, reason VARCHAR"""


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """The ``events`` table, filled for the articles already stored: their events are extracted from
    the stored text and (corrected) places, dated against the stored article date."""
    from geo.store.eventrows import derive_events, insert_events
    from geo.store.records import load_places

    con.execute(f"CREATE TABLE events ({EVENT_COLUMNS_V4})")
    rows = con.execute("SELECT id, text, published, language FROM articles ORDER BY id").fetchall()
    for n, (article, text, published, lang) in enumerate(rows, 1):
        places = load_places(con, article, text)
        insert_events(con, article, derive_events(text, places, article_date=published, lang=lang or "und"))
        if n % 1000 == 0:
            log.info("schema version 4: events of %d of %d articles extracted", n, len(rows))


#: One function per schema version, in order: ``MIGRATIONS[n - 1]`` makes version ``n``.
MIGRATIONS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (_v1, _v2, _v3, _v4)
#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0 for a new, empty database)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not found or not found[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection, path: Path, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the store at ``path`` to schema version ``target`` (default: the latest); returns it.

    Raises
    ------
    StoreError
        The store's version is newer than this code knows (both numbers are named), or a
        migration failed (the store stays at the last version completed).
    """
    version = current_version(con)
    if version > SCHEMA_VERSION:
        msg = (
            f"the store {path} has schema version {version}, newer than this Zone Atlas knows "
            f"(version {SCHEMA_VERSION}); it was not changed. Fix: upgrade Zone Atlas, or choose "
            "another store with --store DIR."
        )
        raise StoreError(msg)
    if version == 0:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)"
        )
    for number in range(version + 1, target + 1):
        with transaction(con, path, doing=f"migrate to schema version {number}"):
            MIGRATIONS[number - 1](con)
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [number, now])
        log.info("store %s: migrated to schema version %d", path, number)
    return max(version, target)
