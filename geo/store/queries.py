"""Corpus queries: articles, their places and zones, full-text search and the corpus map, in SQL.

Every query takes the same :class:`Filters` (date range, language, search text). The search is
over a folded copy of each article (``articles.text_folded``): the query is folded the way the
geoparser folds names (:func:`geo.text.normalize.fold`: hamza and alef forms, teh marbuta,
diacritics, case, Latin articles), and every folded word of the query must occur in the folded
text (a substring test, so ``الموصل`` finds ``والموصل`` and ``Anbar`` finds ``al-Anbar``). DuckDB's
``fts`` extension is published for 1.5.5 (``duckdb-extension-fts``) but is not used: its index is
not updated by inserts (it must be rebuilt over the whole corpus after each ingest) and it matches
whole stemmed words, which misses Arabic words written with their clitics.

The corpus map (:func:`corpus_map`) is computed in the database (``GROUP BY``): mention counts
per governorate and district P-code, and zones per kind and per zone with the number of articles
that describe them. Places and zones come with their article's id, date and provenance, and say
whether an analyst corrected them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo.errors import ParameterError
from geo.text.normalize import fold

if TYPE_CHECKING:
    import duckdb
    import geopandas as gpd
    import pandas as pd

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Filters:
    """Which articles a query covers: ``date_from``/``date_to`` (inclusive), ``lang``, ``search``
    (folded full-text), ``ids`` (article ids). Articles without a date are left out by a date range."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    lang: str | None = None
    search: str | None = None
    ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            msg = f"the date range is empty: --from {self.date_from} is after --to {self.date_to}"
            raise ParameterError(msg)


def where(filters: Filters | None, alias: str = "a") -> tuple[str, list[Any]]:
    """The SQL condition on the articles table (``alias``) for ``filters``, and its parameters."""
    f = filters or Filters()
    parts: list[str] = ["true"]
    params: list[Any] = []
    if f.date_from:
        parts.append(f"{alias}.published >= ?")
        params.append(f.date_from)
    if f.date_to:
        parts.append(f"{alias}.published <= ?")
        params.append(f.date_to)
    if f.lang:
        parts.append(f"{alias}.language = ?")
        params.append(f.lang)
    if f.ids is not None:
        parts.append(f"{alias}.id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(f.ids))
    for word in search_words(f.search):
        parts.append(f"contains({alias}.text_folded, ?)")
        params.append(word)
    return " AND ".join(parts), params


def search_words(query: str | None) -> list[str]:
    """The folded words of a search query (each must occur in the folded text).

    >>> search_words("محافظة صلاح الدّين")
    ['محافظه', 'صلاح', 'الدين']
    >>> search_words("Al-Anbar")
    ['anbar']
    """
    if not query or not query.strip():
        return []
    return [w for w in fold(query).split(" ") if w]


def list_articles(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """One row per article: id, source, title, date, date_source, date_flag, lang, places, zones, corrected."""
    cond, params = where(filters)
    sql = f"""
        WITH sel AS (SELECT * FROM articles a WHERE {cond}),
        p AS (SELECT article_id, count(*) AS n, bool_or(corrected) AS c FROM places
              WHERE article_id IN (SELECT id FROM sel) GROUP BY article_id),
        z AS (SELECT article_id, count(*) AS n FROM zones
              WHERE article_id IN (SELECT id FROM sel) GROUP BY article_id),
        k AS (SELECT article_id, count(*) AS n FROM corrections
              WHERE article_id IN (SELECT id FROM sel) GROUP BY article_id)
        SELECT sel.id, sel.source, sel.title, sel.published AS date, sel.date_source, sel.date_flag,
               sel.language AS lang, coalesce(p.n, 0) AS places, coalesce(z.n, 0) AS zones,
               coalesce(k.n, 0) > 0 AS corrected
        FROM sel LEFT JOIN p ON p.article_id = sel.id LEFT JOIN z ON z.article_id = sel.id
             LEFT JOIN k ON k.article_id = sel.id
        ORDER BY sel.published NULLS LAST, sel.source, sel.id"""
    return con.execute(sql, params).df()


def places_frame(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Every place of the matching articles (a point each), with its article, date and provenance.

    Provenance: the first mention's offsets and sentence offsets, every mention's offsets
    (``mentions``: ``"start-end, ..."``), the dataset and whether an analyst corrected it.
    """
    cond, params = where(filters)
    sql = f"""
        WITH sel AS (SELECT id, source, published, language FROM articles a WHERE {cond}),
        m AS (SELECT article_id, place_key, count(*) AS n,
                     string_agg(start_char || '-' || end_char, ', ' ORDER BY start_char) AS spans,
                     arg_min(start_char, start_char) AS s, arg_min(end_char, start_char) AS e,
                     arg_min(text, start_char) AS t, arg_min(sentence_start, start_char) AS ss,
                     arg_min(sentence_end, start_char) AS se
              FROM mentions WHERE article_id IN (SELECT id FROM sel) GROUP BY article_id, place_key)
        SELECT p.article_id, sel.published AS date, sel.source, sel.language AS lang, p.place_key,
               p.name, p.name_ar, p.kind, p.pcode, p.governorate, p.governorate_pcode, p.district_pcode,
               p.country, p.lat, p.lon, p.confidence, p.dataset, p.corrected,
               coalesce(m.n, 0) AS mention_count, m.t AS mention, m.s AS mention_start, m.e AS mention_end,
               m.spans AS mentions, m.ss AS sentence_start, m.se AS sentence_end,
               ST_AsWKB(p.geometry::GEOMETRY) AS wkb
        FROM places p JOIN sel ON sel.id = p.article_id
             LEFT JOIN m ON m.article_id = p.article_id AND m.place_key = p.place_key
        ORDER BY sel.published NULLS LAST, p.article_id, p.rowid"""
    return _geoframe(con.execute(sql, params).df())


def zones_frame(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Every zone of the matching articles (its polygon), with its article, date and provenance
    (trigger and sentence offsets, construction, parameters, settings, dataset, corrected)."""
    cond, params = where(filters)
    sql = f"""
        WITH sel AS (SELECT id, source, published, language FROM articles a WHERE {cond})
        SELECT z.article_id, sel.published AS date, sel.source, sel.language AS lang, z.zone_id,
               z.kind, z.label, z.label_ar, array_to_string(CAST(z.places AS VARCHAR[]), ', ') AS places,
               z.trigger_start, z.trigger_end, z.trigger_text, z.sentence_start, z.sentence_end,
               json_array_length(z.occurrences) AS occurrences, z.construction,
               CAST(z.params AS VARCHAR) AS params, CAST(z.settings AS VARCHAR) AS settings, z.dataset,
               z.area_km2, array_to_string(CAST(z.covers AS VARCHAR[]), ', ') AS covers,
               array_to_string(CAST(z.touches AS VARCHAR[]), ', ') AS touches, z.seat_lat, z.seat_lon,
               z.corrected, ST_AsWKB(s.geometry) AS wkb
        FROM zones z JOIN sel ON sel.id = z.article_id LEFT JOIN shapes s ON s.shape_id = z.shape_id
        ORDER BY sel.published NULLS LAST, z.article_id, z.rowid"""
    return _geoframe(con.execute(sql, params).df())


def _geoframe(table: pd.DataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    wkb = table.pop("wkb")
    geoms = [shapely.from_wkb(bytes(b)) if b is not None else None for b in wkb]
    if "date" in table:
        table["date"] = [
            d.date().isoformat() if hasattr(d, "date") and d == d else None for d in table["date"]
        ]
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


@dataclass(frozen=True)
class CorpusMap:
    """The corpus map's counts, each a frame: ``governorates`` and ``districts`` (P-code, name,
    mentions, places, articles), ``zone_kinds`` (kind, zones, articles) and ``zones`` (kind, zone id,
    label, articles, first and last date)."""

    governorates: pd.DataFrame
    districts: pd.DataFrame
    zone_kinds: pd.DataFrame
    zones: pd.DataFrame


def corpus_map(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> CorpusMap:
    """Mentions per governorate and district, zones per kind and per zone: all ``GROUP BY`` in DuckDB."""
    cond, params = where(filters)
    sel = f"SELECT id, published FROM articles a WHERE {cond}"
    per_place = f"""
        SELECT p.article_id, p.{{col}} AS pcode, any_value({{name}}) AS name, count(m.start_char) AS mentions
        FROM places p JOIN ({sel}) sel ON sel.id = p.article_id
             LEFT JOIN mentions m ON m.article_id = p.article_id AND m.place_key = p.place_key
        WHERE p.{{col}} IS NOT NULL GROUP BY p.article_id, p.place_key, p.{{col}}"""
    units = {}
    levels = (
        ("governorates", "governorate_pcode", "p.governorate"),
        ("districts", "district_pcode", "CASE WHEN p.kind = 'district' THEN p.name END"),
    )
    for level, col, name in levels:
        inner = per_place.format(col=col, name=name)
        units[level] = con.execute(
            f"""SELECT pcode, any_value(name) AS name, sum(mentions)::BIGINT AS mentions, count(*) AS places,
                       count(DISTINCT article_id) AS articles
                FROM ({inner}) GROUP BY pcode ORDER BY mentions DESC, pcode""",
            params,
        ).df()
    kinds = con.execute(
        f"""SELECT z.kind, count(*) AS zones, count(DISTINCT z.zone_id) AS distinct_zones,
                   count(DISTINCT z.article_id) AS articles
            FROM zones z JOIN ({sel}) sel ON sel.id = z.article_id GROUP BY z.kind ORDER BY articles DESC, z.kind""",
        params,
    ).df()
    zones = con.execute(
        f"""SELECT z.kind, z.zone_id, any_value(z.label) AS label, count(DISTINCT z.article_id) AS articles,
                   min(sel.published) AS first_date, max(sel.published) AS last_date
            FROM zones z JOIN ({sel}) sel ON sel.id = z.article_id
            GROUP BY z.kind, z.zone_id ORDER BY articles DESC, z.zone_id""",
        params,
    ).df()
    _name_units(units["districts"])
    return CorpusMap(units["governorates"], units["districts"], kinds, zones)


def _name_units(table: pd.DataFrame) -> None:
    """Fill the names the places did not give (a district known only through its towns) from the gazetteer."""
    missing = table["name"].isna()
    if not missing.any():
        return
    from geo.data.gazetteer import load_gazetteer

    gaz = load_gazetteer()

    def name_of(code: str) -> str | None:
        try:
            return gaz.entry(code).name
        except KeyError:
            return None

    table.loc[missing, "name"] = [name_of(c) for c in table.loc[missing, "pcode"]]
