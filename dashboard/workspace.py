"""The workspace store for the dashboard: one open store per server process, cached reads.

Opening the store costs 0.2-0.6 s (the DuckDB file, the spatial extension, the schema check), and a
page run reads it several times, so the store is not opened per operation: :func:`store` holds one
:class:`geo.store.Store` per store folder and server process (``st.cache_resource``). Every read
uses a cursor of its own (the store's design for threads), so sessions read side by side; writes
go through :func:`write`, which takes one lock, so two sessions of this server never race on a
write (the store would also retry a conflicting transaction, but the lock keeps the order plain).
The price: while the dashboard runs, another process (``python -m geo ingest``) waits for the file.

Reads that build frames are ``st.cache_data``, keyed on the store folder and its *revision* (the
row counts of its tables, one cheap query), so any ingest or correction, from any session, gives
fresh results without clearing caches by hand. No cached function draws a widget.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard import inputs
from geo.pipeline import Settings

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.model import Analysis
    from geo.store import CorpusMap, Correction, Filters, Store

log = logging.getLogger("dashboard")
T = TypeVar("T")
#: Longest title shown in the article picker (Arabic titles are kept whole up to this length).
PICKER_TITLE_CHARS = 160


def folder() -> str:
    """The store folder of this server (``$ZONE_ATLAS_STORE``, else ``<home>/store``), as text."""
    from geo.config import store_dir

    return str(store_dir())


@st.cache_resource(show_spinner=False)
def _open(where: str) -> tuple[Store, threading.Lock]:
    from geo.store import Store

    log.info("workspace store opened: %s", where)
    return Store(where), threading.Lock()


def store() -> Store:
    """The open store of this server process (opened on first use)."""
    return _open(folder())[0]


def write(action: Callable[[Store], T]) -> T:
    """Run ``action`` on the store under this process' write lock."""
    opened, lock = _open(folder())
    with lock:
        return action(opened)


def revision() -> tuple[int, ...]:
    """The store's row counts per table: changes with every ingest and correction."""
    return tuple(store().counts().values())


# --- writing articles ------------------------------------------------------------------------------


def save(record: inputs.ArticleRecord, *, settings: Settings | None = None) -> bool:
    """Store ``record`` (analysed, dated from its text) unless its text is stored; True if added."""
    from geo.pipeline import analyze
    from geo.text.dates import choose_date

    opened = store()
    if opened.has_article(record.key):
        return False
    chosen = settings or Settings()
    analysis = analyze(record.text, source=record.source, settings=chosen)
    date = choose_date(analysis.text, None)
    return write(
        lambda s: s.add_article(record.key, analysis, title=record.title, date=date, settings=chosen)
    )


@st.cache_resource(show_spinner=False)
def _seeded(where: str) -> str:
    record = inputs.seed()
    save(record)
    return record.key


def ensure_seed() -> str:
    """Put the shipped sample article in the store once per process (cheap when it is there)."""
    return _seeded(folder())


def record(article_id: str) -> inputs.ArticleRecord:
    """The stored article as the dashboard's :class:`~dashboard.inputs.ArticleRecord`."""
    row = store().article(article_id)
    return inputs.ArticleRecord(
        key=row["id"],
        source=row["source"],
        title=row["title"] or row["source"],
        text=row["text"],
        lang=row["language"],
        format="stored",
        encoding="utf-8",
    )


# --- reading ---------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _articles(where: str, rev: tuple[int, ...], filters: Filters | None) -> pd.DataFrame:
    return _open(where)[0].articles(filters)


def articles(filters: Filters | None = None) -> pd.DataFrame:
    """One row per stored article matching ``filters`` (see :meth:`geo.store.Store.articles`)."""
    return _articles(folder(), revision(), filters)


def newest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Dated articles newest first, then the undated ones."""
    return frame.sort_values(["date", "source"], ascending=[False, True], na_position="last", kind="stable")


def picker_label(row: Any) -> str:
    """``title · date · language`` for the article picker; the title is cut only past
    :data:`PICKER_TITLE_CHARS` characters (Arabic titles are long)."""
    title = str(row.title or row.source).strip() or str(row.source)
    if len(title) > PICKER_TITLE_CHARS:
        title = title[:PICKER_TITLE_CHARS] + "…"
    day = _day(row.date)
    mark = " · corrected" if bool(row.corrected) else ""
    return f"{title} · {day or 'undated'} · {row.lang}{mark}"


def _day(value: Any) -> str | None:
    if value is None or value != value:  # NaT / NaN
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@st.cache_data(show_spinner=False, max_entries=32)
def _corpus_map(where: str, rev: tuple[int, ...], filters: Filters) -> CorpusMap:
    return _open(where)[0].corpus_map(filters)


def corpus_map(filters: Filters) -> CorpusMap:
    """The store's aggregation (mentions per unit, zones per kind), computed in DuckDB."""
    return _corpus_map(folder(), revision(), filters)


@st.cache_data(show_spinner=False, max_entries=32)
def _places(where: str, rev: tuple[int, ...], filters: Filters | None) -> gpd.GeoDataFrame:
    return _open(where)[0].places(filters)


def places(filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Every stored place of the matching articles."""
    return _places(folder(), revision(), filters)


@st.cache_data(show_spinner=False, max_entries=32)
def _zones(where: str, rev: tuple[int, ...], filters: Filters | None) -> gpd.GeoDataFrame:
    return _open(where)[0].zones(filters)


def zones(filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Every stored zone of the matching articles (with its polygon)."""
    return _zones(folder(), revision(), filters)


def corrections(article_id: str) -> list[Correction]:
    """The article's audit trail, oldest first (empty when the article is not stored)."""
    if not store().has_article(article_id):
        return []
    return store().corrections(article_id)


def stored_analysis(article_id: str) -> Analysis:
    """The stored analysis (corrected places and zones) of the article."""
    return store().analysis(article_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _corrected(
    text: str, source: str, belt_km: float, belt_side: str, min_confidence: float, history: tuple[Any, ...]
) -> Analysis:
    from geo.model import Analysis
    from geo.pipeline import analyze
    from geo.store import corrections as fix

    settings = Settings(belt_km=belt_km, belt_side=belt_side, min_confidence=min_confidence)
    fresh = analyze(text, source, settings)
    places, _, notes = fix.replay(list(fresh.places), fresh.text, list(history))
    zones = fix.derive_for(fresh.text, places, settings)
    return Analysis(
        source=fresh.source,
        text=fresh.text,
        lang=fresh.lang,
        places=places,
        zones=zones,
        notes=[*fresh.notes, *notes],
    )


def analysis_for(record: inputs.ArticleRecord, settings: Settings) -> Analysis:
    """The analysis the map shows: the text analysed with ``settings`` and the article's stored
    corrections applied in order, zones derived again (the same recipe as
    :meth:`geo.store.Store.reanalyse`, without writing); plain analysis when there are none."""
    from dashboard import loaders

    history = tuple(c for c in corrections(record.key) if c.action != "date")
    if not history:
        return loaders.analysis_for(record.text, record.source, settings)
    return _corrected(
        record.text,
        record.source,
        float(settings.belt_km),
        settings.belt_side,
        float(settings.min_confidence),
        history,
    )


def corrected_note(history: list[Correction]) -> str | None:
    """``"corrected by X on DATE"`` (the last correction; how many in all), or None."""
    if not history:
        return None
    last = history[-1]
    more = f" ({len(history)} corrections)" if len(history) > 1 else ""
    return f"corrected by {last.who} on {last.at:%Y-%m-%d %H:%M} UTC{more}"


def path() -> Path:
    """The store file (for messages)."""
    return store().path


# --- the article picker (a widget: never cached) ------------------------------------------------


def article_picker() -> None:
    """The sidebar's article picker: every stored article, newest first, searchable by typing.

    The articles of this session that are not stored (the store refused them) come last. An
    ``?article=ID`` in the address (the Corpus map's popups link to it) opens that article.
    """
    from dashboard import state
    from geo.errors import ZoneAtlasError

    session: dict[str, inputs.ArticleRecord] = st.session_state[state.ARTICLES]
    labels: dict[str, str] = {}
    try:
        ensure_seed()
        for row in newest_first(articles()).itertuples():
            labels[str(row.id)] = picker_label(row)
    except ZoneAtlasError as exc:
        log.error("workspace store unavailable: %s", exc)
        st.sidebar.warning(
            f"The workspace store cannot be read, so only this session's articles are listed: {exc}"
        )
    for key, rec in session.items():
        labels.setdefault(key, f"{rec.label} · not stored")
    wanted = st.query_params.get("article")
    if wanted:
        if wanted in labels:
            st.session_state[state.CURRENT] = wanted
        del st.query_params["article"]
    if st.session_state.get(state.CURRENT) not in labels:
        st.session_state[state.CURRENT] = next(iter(session)) if session else next(iter(labels))
    st.sidebar.selectbox(
        "Article",
        list(labels),
        format_func=labels.__getitem__,
        key=state.CURRENT,
        help="Every article in the workspace, newest first; type to search titles.",
    )
    current = st.session_state[state.CURRENT]
    if current not in session:
        session[current] = record(current)
    shown = session[current]
    st.sidebar.caption(
        f"Language: **{inputs.language_name(shown.lang)}** · {len(shown.text):,} characters · {shown.format}"
    )


# --- the Corpus map's layers (data only: the page draws them) ------------------------------------

#: The boundary level of each aggregation, and the places' column holding its P-code.
LEVELS = {"district": (2, "district_pcode"), "governorate": (1, "governorate_pcode")}


def _article_list(frame: pd.DataFrame, by: str) -> dict[str, list[tuple[str, str, str | None]]]:
    """``{key: [(article id, title or source, date), ...]}`` newest first, one entry per article."""
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    if frame.empty:
        return out
    seen = frame.drop_duplicates([by, "article_id"])
    for key, group in seen.groupby(by, sort=False):
        rows = sorted(
            (
                (str(r.article_id), str(r.source), r.date if isinstance(r.date, str) else None)
                for r in group.itertuples()
            ),
            key=lambda t: (t[2] is None, "" if t[2] is None else t[2]),
        )
        dated = [t for t in rows if t[2] is not None][::-1]
        out[str(key)] = dated + [t for t in rows if t[2] is None]
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def _unit_layer(where: str, rev: tuple[int, ...], filters: Filters, level: str) -> gpd.GeoDataFrame:
    from geo.data import boundaries

    admin, column = LEVELS[level]
    counts = _corpus_map(where, rev, filters)
    table = counts.districts if level == "district" else counts.governorates
    shapes = boundaries.load_level(admin, web=True)[["pcode", "name_en", "name_ar", "geometry"]]
    layer = shapes.merge(table[["pcode", "mentions", "places", "articles"]], on="pcode", how="inner")
    found = _places(where, rev, filters)
    titles = _titles(where, rev)
    lists = (
        _article_list(
            found.assign(
                source=[titles.get(a, s) for a, s in zip(found["article_id"], found["source"], strict=True)]
            ),
            column,
        )
        if len(found)
        else {}
    )
    layer["behind"] = [lists.get(code, []) for code in layer["pcode"]]
    return layer.sort_values("mentions", ascending=False).reset_index(drop=True)


def unit_layer(filters: Filters, level: str) -> gpd.GeoDataFrame:
    """The polygons of every district (or governorate) the matching articles mention, with their
    mention, place and article counts (from :meth:`~geo.store.Store.corpus_map`, in DuckDB) and
    the articles behind each (``behind``: id, title, date), newest first."""
    return _unit_layer(folder(), revision(), filters, level)


@st.cache_data(show_spinner=False, max_entries=16)
def _zone_layer(where: str, rev: tuple[int, ...], filters: Filters) -> gpd.GeoDataFrame:
    import geopandas as gpd

    found = _zones(where, rev, filters)
    counts = _corpus_map(where, rev, filters).zones
    columns = ["kind", "zone_id", "label", "articles", "first_date", "last_date", "behind", "geometry"]
    if found.empty:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs="EPSG:4326")
    titles = _titles(where, rev)
    named = found.assign(
        source=[titles.get(a, s) for a, s in zip(found["article_id"], found["source"], strict=True)]
    )
    named = named.assign(key=named["kind"] + "|" + named["zone_id"])
    lists = _article_list(named, "key")
    shapes = named[named.geometry.notna()].drop_duplicates("key")[["key", "geometry"]]
    layer = counts.assign(key=counts["kind"] + "|" + counts["zone_id"]).merge(shapes, on="key", how="inner")
    layer["behind"] = [lists.get(k, []) for k in layer["key"]]
    for col in ("first_date", "last_date"):
        layer[col] = [_day(v) for v in layer[col]]
    return gpd.GeoDataFrame(layer[columns], geometry="geometry", crs="EPSG:4326")


def zone_layer(filters: Filters) -> gpd.GeoDataFrame:
    """One polygon per zone the matching articles describe, with the number of articles behind it."""
    return _zone_layer(folder(), revision(), filters)


@st.cache_data(show_spinner=False, max_entries=8)
def _titles(where: str, rev: tuple[int, ...]) -> dict[str, str]:
    frame = _open(where)[0].articles(None)
    return {str(i): str(t or s) for i, t, s in zip(frame["id"], frame["title"], frame["source"], strict=True)}


@st.cache_data(show_spinner=False, max_entries=8)
def _notes(where: str, rev: tuple[int, ...]) -> dict[str, str]:
    by_article: dict[str, list[Correction]] = {}
    for c in _open(where)[0].corrections(None):
        by_article.setdefault(c.article_id, []).append(c)
    return {a: corrected_note(h) or "" for a, h in by_article.items()}


def corrected_notes() -> dict[str, str]:
    """``{article id: "corrected by X on DATE"}`` for every corrected article of the store."""
    return _notes(folder(), revision())


# --- events over time (data only: dashboard/timeline.py draws them) -------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _events(where: str, rev: tuple[int, ...], filters: Filters | None) -> pd.DataFrame:
    return _open(where)[0].events(filters)


def events(filters: Filters | None = None) -> pd.DataFrame:
    """Every event of the matching articles, dated and undated (see :meth:`geo.store.Store.events`)."""
    return _events(folder(), revision(), filters)


def period_briefing(period: Any) -> bytes:
    """The PDF period briefing of the store (:func:`geo.render.period.write_period_briefing`)."""
    import tempfile

    from geo.render.period import write_period_briefing

    with tempfile.TemporaryDirectory(prefix="zone-atlas-period-") as tmp:
        target = Path(tmp) / "period-briefing.pdf"
        write_period_briefing(store(), target, period)
        return target.read_bytes()
