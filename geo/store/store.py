"""The workspace store: one DuckDB file of articles, their places, zones and events, and the analysts' corrections.

:class:`Store` is the one object the CLI and the dashboard hold. It opens (or creates) the store
file, migrates it to the current schema, and offers the operations: add an article, query the
corpus, correct an article, re-analyse it. The SQL lives in the modules it calls
(:mod:`~geo.store.records`, :mod:`~geo.store.queries`, :mod:`~geo.store.timeline`,
:mod:`~geo.store.corrections`), so another
database behind the same methods would not change their callers.

Every write is one transaction. Two writers on the same article (two dashboard sessions, two
threads) are serialised: DuckDB refuses the second of two conflicting transactions, and the store
runs it again on the new state, so the last write wins and the audit keeps both. Another process
holding the file is waited for (``lock_timeout``), then reported with its PID.

Examples
--------
>>> from geo.store import Filters, Store
>>> with Store("corpus") as store:  # doctest: +SKIP
...     store.articles(Filters(lang="ar", search="الموصل"))[["id", "title", "places"]]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from geo.errors import InputError, StoreError
from geo.store import corrections as fix
from geo.store import queries, timeline
from geo.store.connection import LOCK_TIMEOUT, STORE_FILE, connect, is_conflict, transaction, translate
from geo.store.eventrows import derive_events, events_dated, insert_events, load_events
from geo.store.records import (
    NewArticle,
    add_new_articles,
    analysed_with,
    delete_results,
    folded_text,
    load_places,
    load_zones,
    settings_dict,
    write_results,
)
from geo.store.schema import SCHEMA_VERSION, current_version, migrate

if TYPE_CHECKING:
    import duckdb
    import geopandas as gpd
    import pandas as pd

    from geo.events.trends import Trends
    from geo.model import Analysis
    from geo.pipeline import Settings
    from geo.text.dates import DateChoice

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Times a transaction that lost a write-write conflict is run again.
CONFLICT_RETRIES = 50


@dataclass(frozen=True)
class Reanalysis:
    """What :meth:`Store.reanalyse` did: the new fingerprint, corrections re-applied, and notes."""

    article_id: str
    analysed_with: str
    replayed: int
    notes: list[str] = field(default_factory=list)


class Store:
    """The store in ``folder`` (default :func:`geo.config.store_dir`), file ``zone-atlas.duckdb``.

    Parameters
    ----------
    folder
        The store folder; created when opened for writing.
    read_only
        Open without writing (several readers may share the file; no writer meanwhile).
    lock_timeout
        Seconds to wait while another process holds the store.

    Raises
    ------
    StoreError
        The folder cannot be written, the file is not a store (left untouched), the store's schema
        is newer than this code, or another process holds it for longer than ``lock_timeout``.
    """

    def __init__(
        self, folder: str | Path | None = None, *, read_only: bool = False, lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        from geo.config import store_dir

        self.folder = Path(folder) if folder is not None else store_dir()
        self.path = self.folder / STORE_FILE
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = connect(
            self.path, read_only=read_only, lock_timeout=lock_timeout
        )
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        version = current_version(self.con)
        if self.read_only and version != SCHEMA_VERSION:
            if version > SCHEMA_VERSION:
                migrate(self.con, self.path)  # raises with both version numbers
            msg = (
                f"the store {self.path} has schema version {version}; this Zone Atlas needs "
                f"{SCHEMA_VERSION}. Fix: open it once for writing (e.g. python -m geo ingest) to migrate it."
            )
            raise StoreError(msg)
        if not self.read_only:
            migrate(self.con, self.path)

    # --- the connection -----------------------------------------------------------------------------

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise StoreError(f"the store {self.path} is closed")
        return self._con

    def close(self) -> None:
        """Close the store (the file is released for other processes)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own for this call (one per thread, sharing the database)."""
        cursor = self.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def _read(self, fn: Callable[[duckdb.DuckDBPyConnection], T], doing: str) -> T:
        import duckdb

        with self._cursor() as con:
            try:
                return fn(con)
            except duckdb.Error as exc:
                raise translate(exc, self.path, doing=doing) from exc

    def _write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], doing: str) -> T:
        """Run ``fn`` in one transaction; again on a write-write conflict (the other writer won)."""
        if self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only; cannot {doing}")
        for attempt in range(CONFLICT_RETRIES):
            with self._cursor() as con:
                try:
                    with transaction(con, self.path, doing=doing):
                        return fn(con)
                except Exception as exc:
                    if not is_conflict(exc) or attempt == CONFLICT_RETRIES - 1:
                        if is_conflict(exc):
                            raise translate(exc, self.path, doing=doing) from exc
                        raise
                    log.debug("store: %s met a conflicting write; again (%d)", doing, attempt + 1)
            time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- articles -----------------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id (hash of its normalised text) is stored."""
        row = self._read(
            lambda c: c.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone(), "read"
        )
        return row is not None

    def add_article(
        self, article_id: str, analysis: Analysis, *, title: str, date: DateChoice, settings: Settings
    ) -> bool:
        """Store one analysed article with its mentions, places, zones and events, in one transaction.

        The events are dated against ``date`` (the store's date of the article): when it is not
        the date the text gives (feed or JSONL metadata), they are extracted again with it.
        Returns ``False`` (and changes nothing) when the article is already stored.
        """
        return self.add_articles([NewArticle(article_id, analysis, title, date)], settings=settings)[0]

    def add_articles(self, batch: Sequence[NewArticle], *, settings: Settings) -> list[bool]:
        """Store many analysed articles in one transaction (few statements for the whole batch).

        Returns, per article, whether it was added (``False``: already stored, or earlier in the
        batch). All or none of the batch is written.
        """
        if not batch:
            return []
        now = fix.utc_now()
        doing = (
            f"store article {batch[0].analysis.source}" if len(batch) == 1 else f"store {len(batch)} articles"
        )
        return self._write(lambda con: add_new_articles(con, batch, settings, now), doing)

    def article(self, article_id: str) -> dict[str, Any]:
        """The article's row (id, source, title, published, date_source, date_flag, date_how, language,
        text, ingested_at, analysed_with, settings, notes)."""

        def read(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
            cur = con.execute(
                "SELECT id, source, title, published, date_source, date_flag, date_how, language, text, "
                "ingested_at, analysed_with, settings, notes FROM articles WHERE id = ?",
                [article_id],
            )
            names = [d[0] for d in cur.description or []]
            got = cur.fetchone()
            return dict(zip(names, got, strict=True)) if got else None

        found = self._read(read, "read")
        if found is None:
            raise InputError(
                f"no article {article_id!r} in the store {self.path}; see `python -m geo corpus list`"
            )
        found["settings"] = json.loads(found["settings"] or "{}")
        found["notes"] = json.loads(found["notes"] or "[]")
        return found

    def analysis(self, article_id: str) -> Analysis:
        """The article as an :class:`~geo.model.Analysis` (corrected places, zones and their events), for
        the map and exports."""
        from geo.model import Analysis

        row = self.article(article_id)
        text = row["text"]
        places = self._read(lambda c: load_places(c, article_id, text), "read")
        zones = self._read(lambda c: load_zones(c, article_id, text), "read")
        events = self._read(lambda c: load_events(c, article_id, text), "read")
        return Analysis(
            source=row["source"],
            text=text,
            lang=row["language"],
            places=places,
            zones=zones,
            notes=row["notes"],
            events=events,
        )

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        tables = ("articles", "mentions", "places", "zones", "shapes", "corrections", "events")
        sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
        return {t: int(n) for t, n in self._read(lambda c: c.execute(sql).fetchall(), "read")}

    # --- queries ------------------------------------------------------------------------------------

    def articles(self, filters: queries.Filters | None = None) -> pd.DataFrame:
        """One row per matching article (see :func:`geo.store.queries.list_articles`)."""
        return self._read(lambda c: queries.list_articles(c, filters), "query")

    def places(self, filters: queries.Filters | None = None) -> gpd.GeoDataFrame:
        """Every place of the matching articles (see :func:`geo.store.queries.places_frame`)."""
        return self._read(lambda c: queries.places_frame(c, filters), "query")

    def zones(self, filters: queries.Filters | None = None) -> gpd.GeoDataFrame:
        """Every zone of the matching articles (see :func:`geo.store.queries.zones_frame`)."""
        return self._read(lambda c: queries.zones_frame(c, filters), "query")

    def corpus_map(self, filters: queries.Filters | None = None) -> queries.CorpusMap:
        """Mention counts per governorate/district and zones per kind (see :func:`geo.store.queries.corpus_map`)."""
        return self._read(lambda c: queries.corpus_map(c, filters), "query")

    def events(
        self,
        filters: queries.Filters | None = None,
        *,
        types: Sequence[str] | None = None,
        include_undated: bool = True,
        include_historical: bool = False,
    ) -> pd.DataFrame:
        """One row per event of the matching articles (see :func:`geo.store.timeline.events_frame`):
        the date range applies to the event's date (else its article's); undated events are kept
        only with ``include_undated``, historical ones only with ``include_historical``.

        Raises
        ------
        ParameterError
            For a type that is not an event type.
        """
        return self._read(
            lambda c: timeline.events_frame(
                c,
                filters,
                types=types,
                include_undated=include_undated,
                include_historical=include_historical,
            ),
            "query events",
        )

    def trends(
        self,
        filters: queries.Filters | None = None,
        *,
        by: str = "governorate",
        every: str = "week",
        types: Sequence[str] | None = None,
    ) -> Trends:
        """Event counts per unit (``by``: governorate or district), type and period (``every``: day,
        week, month) with surge flags, of the dated events (see :func:`geo.store.timeline.event_trends_of`);
        the notes say how many undated events were left out."""
        return self._read(
            lambda c: timeline.event_trends_of(c, filters, by=by, every=every, types=types), "query trends"
        )

    def export(
        self, out_dir: str | Path, filters: queries.Filters | None = None, *, stem: str = "corpus"
    ) -> Path:
        """A GeoPackage ``<stem>.gpkg`` in ``out_dir`` with layers articles, places, zones, events."""
        from geo.store.export import events_geoframe, write_corpus_gpkg

        return write_corpus_gpkg(
            self.articles(filters),
            self.places(filters),
            self.zones(filters),
            out_dir,
            stem=stem,
            events=events_geoframe(self.events(filters)),
        )

    # --- corrections --------------------------------------------------------------------------------

    def re_resolve(self, article_id: str, place_key: str, entry_id: str, *, who: str | None = None) -> int:
        """Resolve place ``place_key`` of the article to gazetteer entry ``entry_id``; the audit row id."""
        return self._write(
            lambda c: fix.correct_places(
                c,
                self.path,
                article_id,
                "re-resolve",
                who=who or fix.default_who(),
                place_key=place_key,
                entry_id=entry_id,
            ),
            "correct a place",
        )

    def drop_place(self, article_id: str, place_key: str, *, who: str | None = None) -> int:
        """Drop a false place (and the zones built from it); the audit row id."""
        return self._write(
            lambda c: fix.correct_places(
                c, self.path, article_id, "drop", who=who or fix.default_who(), place_key=place_key
            ),
            "drop a place",
        )

    def add_place(
        self, article_id: str, start: int, end: int, entry_id: str, *, who: str | None = None
    ) -> int:
        """Add a missed mention ``text[start:end]`` of gazetteer entry ``entry_id``; the audit row id."""
        return self._write(
            lambda c: fix.correct_places(
                c,
                self.path,
                article_id,
                "add",
                who=who or fix.default_who(),
                start=start,
                end=end,
                entry_id=entry_id,
            ),
            "add a place",
        )

    def set_date(self, article_id: str, date: dt.date | str | None, *, who: str | None = None) -> int:
        """Set (or clear, with ``None``) the article's date; recorded in the audit trail. The article's
        events are dated again against the new date (relative dates such as "yesterday" move with it)."""
        from geo.text.dates import date_flag

        day = dt.date.fromisoformat(date) if isinstance(date, str) else date

        def change(con: duckdb.DuckDBPyConnection) -> int:
            got = con.execute(
                "SELECT published, date_source, date_flag FROM articles WHERE id = ?", [article_id]
            ).fetchone()
            if got is None:
                raise InputError(f"no article {article_id!r} in the store {self.path}")
            before = {
                "date": got[0].isoformat() if got[0] else None,
                "date_source": got[1],
                "date_flag": got[2],
            }
            flag = date_flag(day)
            name = who or fix.default_who()
            con.execute(
                "UPDATE articles SET published = ?, date_source = ?, date_flag = ?, date_how = ? WHERE id = ?",
                [day, "analyst" if day else "none", flag, f"set by {name}", article_id],
            )
            after = {"date": day.isoformat() if day else None, "date_source": "analyst", "date_flag": flag}
            text, lang = con.execute(
                "SELECT text, language FROM articles WHERE id = ?", [article_id]
            ).fetchall()[0]
            places = load_places(con, article_id, text)
            con.execute("DELETE FROM events WHERE article_id = ?", [article_id])
            insert_events(con, article_id, derive_events(text, places, article_date=day, lang=lang or "und"))
            return fix.record(con, article_id, "date", who=name, before=before, after=after)

        return self._write(change, "set the date")

    def corrections(self, article_id: str | None = None) -> list[fix.Correction]:
        """The audit trail, oldest first (of one article, or of the whole store)."""
        return self._read(lambda c: fix.load_corrections(c, article_id), "read")

    def reanalyse(self, article_id: str, *, settings: Settings | None = None) -> Reanalysis:
        """Analyse the article again (current geoparser; its own settings unless given) and re-apply
        its corrections in order; one transaction. Its events are replaced: extracted from the
        corrected places, dated against the stored date."""
        from geo.pipeline import Settings, analyze
        from geo.text.normalize import fold

        row = self.article(article_id)
        settings = settings or Settings(**row["settings"])
        fresh = analyze(row["text"], source=row["source"], settings=settings)
        fingerprint = analysed_with(settings)

        def redo(con: duckdb.DuckDBPyConnection) -> Reanalysis:
            history = fix.load_corrections(con, article_id)
            places, corrected, notes = fix.replay(list(fresh.places), fresh.text, history)
            zones = fresh.zones
            fixed: set[str] = set()
            if any(c.action != "date" for c in history):
                zones = fix.derive_for(fresh.text, places, settings)
                fixed = fix.corrected_zone_ids(zones, places, corrected, {z.id for z in fresh.zones}, set())
            con.execute(
                "UPDATE articles SET language = ?, analysed_with = ?, settings = ?, notes = ?, text_folded = ? "
                "WHERE id = ?",
                [
                    fresh.lang,
                    fingerprint,
                    json.dumps(settings_dict(settings)),
                    json.dumps(fresh.notes + notes, ensure_ascii=False),
                    folded_text(fresh.text, fold),
                    article_id,
                ],
            )
            # None: extracted again, from the corrected places (zones derived again) or the stored date
            events = None if zones is not fresh.zones else events_dated(fresh, row["published"])
            delete_results(con, article_id)
            write_results(
                con,
                article_id,
                places,
                zones,
                settings,
                corrected_places=corrected,
                corrected_zones=fixed,
                events=events,
            )
            return Reanalysis(article_id, fingerprint, sum(c.action != "date" for c in history), notes)

        return self._write(redo, "re-analyse an article")

    def stale(self, *, settings: Settings | None = None) -> list[str]:
        """Ids of the articles analysed with another geoparser, rules or settings than ``settings``'s."""
        from geo.pipeline import Settings

        current = analysed_with(settings or Settings())
        rows = self._read(
            lambda c: c.execute(
                "SELECT id FROM articles WHERE analysed_with <> ? ORDER BY id", [current]
            ).fetchall(),
            "read",
        )
        return [r[0] for r in rows]
