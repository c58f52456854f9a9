"""Canonical administrative boundaries: the only module that reads boundary files.

``load_level(level)`` returns Iraq's COD-AB layer for level 0 (country), 1 (governorates),
2 (districts) or 3 (sub-districts) as a GeoDataFrame in EPSG:4326 with the canonical columns
``level, pcode, name_en, name_ar, parent_pcode, adm1_*, adm2_*`` (as applicable) and ``geometry``.
Parsed layers are cached as GeoParquet keyed on the source file's SHA-256, so a warm load is fast;
each cached layer is stamped with its own SHA-256 and rebuilt when its content no longer matches.
``web=True`` gives the web-weight version: simplified as a coverage, so neighbouring polygons keep
sharing their edges (no slivers, no gaps).

A layer is refused (:class:`~geo.errors.BoundaryError`, naming the offending features) rather than
loaded wrong: coordinates that are not degrees although labelled so (projected coordinates with no
CRS), absurd or non-finite coordinates, latitude and longitude swapped, a layer outside Iraq and
its neighbours (:data:`EXPECTED_BBOX`), features that are not polygons, null or empty geometries,
null P-codes or names, duplicate P-codes, and a polygon that collapses when repaired.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.data import sources
from geo.data.archives import check_zip
from geo.data.cache import cache_subdir, file_sha256, read_verified, write_cached
from geo.errors import BoundaryError, DataSourceError

log = logging.getLogger(__name__)

#: Bump when the canonical form changes, so stale caches are ignored.
SCHEMA_VERSION = 2
#: Simplification tolerance of the web-weight layers, in degrees (~500 m).
WEB_TOLERANCE_DEG = 0.005
#: Decimal places kept in web-weight coordinates (~1 m).
WEB_PRECISION_DEG = 1e-5
LEVELS = (0, 1, 2, 3)
BOUNDARY_DATASET = "cod_ab_iraq"
NEIGHBOUR_DATASET = "cod_ab_syria"
_IRAQ_FILES = {
    0: "irq_admbnda_adm0_cso_itos_20190603.geojson",
    1: "irq_admbnda_adm1_cso_20190603.geojson",
    2: "irq_admbnda_adm2_cso_20190603.geojson",
    3: "irq_admbnda_adm3_cso_20190603.geojson",
}
_SYRIA_FILES = {0: "syr_admbnda_adm0_uncs_unocha.json", 1: "syr_admbnda_adm1_uncs_unocha.json"}
SUPPORTED_SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg")
#: Where the layers we read may lie (lon min, lat min, lon max, lat max), in degrees: COD-AB Iraq
#: spans 38.8-48.6 E, 29.1-37.4 N and Syria 35.6-42.4 E, 32.3-37.3 N; the margin is generous, yet
#: either country with latitude and longitude swapped falls outside.
EXPECTED_BBOX = (33.0, 27.0, 51.0, 40.0)
#: How many offending features an error message lists.
SHOWN_ROWS = 5
#: shapely type ids of Polygon and MultiPolygon, the only geometries an admin layer may hold
_POLYGON_TYPES = (3, 6)


def canonical_columns(level: int) -> list[str]:
    """The canonical attribute columns of ``level`` (geometry comes last)."""
    cols = ["level", "pcode", "name_en", "name_ar"]
    if level >= 1:
        cols += ["parent_pcode", "adm1_pcode", "adm1_en", "adm1_ar"]
    if level >= 2:
        cols += ["adm2_pcode", "adm2_en", "adm2_ar"]
    return cols


def _check_level(level: int) -> None:
    if level not in LEVELS:
        raise BoundaryError(f"admin level must be one of {LEVELS}, got {level!r}")


def _open_path(path: Path) -> str:
    """The path string pyogrio reads; zips are checked for unsafe or corrupt members first."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BoundaryError(
            f"{path}: unsupported boundary format {suffix!r}; expected one of "
            f"{', '.join(SUPPORTED_SUFFIXES)} (GeoJSON, shapefile, zipped shapefile, GeoPackage)."
        )
    if not path.is_file():
        raise BoundaryError(f"{path}: file not found.")
    if suffix == ".zip":
        names = check_zip(path, str(path), BoundaryError)
        shps = [n for n in names if n.lower().endswith(".shp")]
        if not shps:
            raise BoundaryError(f"{path}: the zip holds no .shp file; it has {names[:10]}")
        stem = shps[0][:-4]
        if not any(n.lower() == (stem + ".prj").lower() for n in names):
            raise BoundaryError(
                f"{path}: shapefile {shps[0]} has no .prj, so its CRS is unknown. Fix: add the "
                ".prj file that came with it (COD-AB layers are EPSG:4326)."
            )
        return f"/vsizip/{path}/{shps[0]}"
    if suffix == ".shp" and not path.with_suffix(".prj").is_file() and not path.with_suffix(".PRJ").is_file():
        raise BoundaryError(
            f"{path}: shapefile has no .prj beside it, so its CRS is unknown. Fix: add the .prj "
            "file that came with it (COD-AB layers are EPSG:4326)."
        )
    return str(path)


def _detect_level(columns: list[str]) -> int | None:
    upper = {c.upper() for c in columns}
    for level in (3, 2, 1, 0):
        if f"ADM{level}_PCODE" in upper:
            return level
    return None


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    lookup = {c.upper(): c for c in frame.columns}
    return frame[lookup[name.upper()]]


def _rows(
    frame: pd.DataFrame, positions: np.ndarray | list[int], level: int, extra: list[str] | None = None
) -> str:
    """``feature 3 (IQG05 'Basra')``, ... for the first :data:`SHOWN_ROWS` positions (1-based)."""
    lookup = {c.upper(): c for c in frame.columns}
    pcodes = frame[lookup[f"ADM{level}_PCODE"]] if f"ADM{level}_PCODE" in lookup else None
    names = frame[lookup[f"ADM{level}_EN"]] if f"ADM{level}_EN" in lookup else None
    shown = []
    for n, pos in enumerate(list(positions)[:SHOWN_ROWS]):
        pcode = None if pcodes is None else pcodes.iloc[pos]
        name = None if names is None else names.iloc[pos]
        label = " ".join(
            str(v) if k == "pcode" else repr(v)
            for k, v in (("pcode", pcode), ("name", name))
            if v is not None and not pd.isna(v) and str(v).strip()
        )
        detail = f": {extra[n]}" if extra else ""
        shown.append(f"feature {int(pos) + 1} ({label or 'no P-code, no name'}){detail}")
    more = len(positions) - SHOWN_ROWS
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _check_geometries(frame: gpd.GeoDataFrame, path: Path, level: int) -> None:
    """Refuse null or empty geometries and anything that is not a (multi)polygon."""
    geoms = frame.geometry.values
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(missing):
        raise BoundaryError(
            f"{path}: {len(missing)} feature(s) have a null or empty geometry "
            f"({_rows(frame, missing, level)}); "
            "expected a polygon for every administrative unit. Fix: use a complete copy of the layer."
        )
    types = shapely.get_type_id(geoms)
    wrong = np.flatnonzero(~np.isin(types, _POLYGON_TYPES))
    if len(wrong):
        kinds = [geoms[i].geom_type for i in wrong[:SHOWN_ROWS]]
        raise BoundaryError(
            f"{path}: {len(wrong)} feature(s) are not polygons "
            f"({_rows(frame, wrong, level, kinds)}); expected "
            f"Polygon or MultiPolygon for admin level {level}. Fix: this is not an administrative-"
            "boundary layer (points or lines), or not the COD-AB file."
        )


def _check_attributes(frame: pd.DataFrame, path: Path, level: int) -> None:
    """Refuse null or blank P-codes and names, and duplicate P-codes."""
    lookup = {c.upper(): c for c in frame.columns}
    required = [f"ADM{level}_PCODE", f"ADM{level}_EN", f"ADM{level}_AR"]
    if level >= 1:
        required.append(f"ADM{level - 1}_PCODE")
    for column in required:
        values = frame[lookup[column]]
        blank = np.flatnonzero((values.isna() | values.astype(str).str.strip().eq("")).to_numpy())
        if len(blank):
            raise BoundaryError(
                f"{path}: {len(blank)} feature(s) have no {column} ({_rows(frame, blank, level)}); expected "
                "a P-code and English and Arabic names for every unit. Fix: use a complete copy of the layer."
            )
    pcodes = frame[lookup[f"ADM{level}_PCODE"]].astype(str).str.strip()
    dup = pcodes[pcodes.duplicated(keep=False)]
    if len(dup):
        groups = [
            f"{code} in features {', '.join(str(int(i) + 1) for i in np.flatnonzero(pcodes.eq(code)))}"
            for code in list(dict.fromkeys(dup))[:SHOWN_ROWS]
        ]
        raise BoundaryError(
            f"{path}: duplicate P-codes ({'; '.join(groups)}); expected one feature per unit. Fix: the "
            "layer is damaged or merged from two versions; use the publisher's file."
        )


def _check_degrees(gdf: gpd.GeoDataFrame, path: Path, level: int, frame: pd.DataFrame, where: str) -> None:
    """Refuse coordinates that are not finite degrees (longitude within +-180, latitude within +-90)."""
    bounds = shapely.bounds(gdf.geometry.values)
    finite = np.isfinite(bounds).all(axis=1)
    inside = (
        finite & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
    )
    bad = np.flatnonzero(~inside)
    if len(bad):
        reach = [
            f"x {bounds[i, 0]:.6g} to {bounds[i, 2]:.6g}, y {bounds[i, 1]:.6g} to {bounds[i, 3]:.6g}"
            for i in bad
        ]
        raise BoundaryError(
            f"{path}: coordinates are not degrees {where} ({_rows(frame, bad, level, reach)}); expected "
            "longitude within +-180 and latitude within +-90. These look like projected coordinates "
            "(metres) labelled as degrees, or corrupt values. Fix: give the file its real CRS (a .prj, "
            "or a crs member) or use the publisher's file (COD-AB layers are EPSG:4326)."
        )


def _check_extent(
    gdf: gpd.GeoDataFrame,
    path: Path,
    level: int,
    frame: pd.DataFrame,
    bbox: tuple[float, float, float, float],
) -> None:
    """Refuse features outside ``bbox``, saying so when they fit once latitude and longitude are swapped."""
    b = shapely.bounds(gdf.geometry.values)
    x0, y0, x1, y1 = bbox

    def fits(
        lon_min: np.ndarray, lat_min: np.ndarray, lon_max: np.ndarray, lat_max: np.ndarray
    ) -> np.ndarray:
        return (lon_min >= x0) & (lon_max <= x1) & (lat_min >= y0) & (lat_max <= y1)

    outside = np.flatnonzero(~fits(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))
    if not len(outside):
        return
    reach = [f"lon {b[i, 0]:.4f} to {b[i, 2]:.4f}, lat {b[i, 1]:.4f} to {b[i, 3]:.4f}" for i in outside]
    expected = (
        f"expected features within lon {x0:g} to {x1:g}, lat {y0:g} to {y1:g} (Iraq and its neighbours)"
    )
    swapped = fits(b[outside, 1], b[outside, 0], b[outside, 3], b[outside, 2])
    if swapped.all():
        raise BoundaryError(
            f"{path}: latitude and longitude appear swapped "
            f"({_rows(frame, outside, level, reach)}); {expected}, "
            "and the features fit there only with the axes exchanged. Fix: write the coordinates as "
            "longitude, latitude (x, y), or declare the axis order of the CRS."
        )
    raise BoundaryError(
        f"{path}: {len(outside)} feature(s) lie outside the expected area "
        f"({_rows(frame, outside, level, reach)}); "
        f"{expected}. Fix: check the file's CRS and that it is the Iraq (or Syria) COD-AB layer."
    )


def _repair(geoms: np.ndarray, path: Path, level: int, frame: pd.DataFrame, step: str) -> np.ndarray:
    """``geoms`` with invalid polygons repaired; a polygon that collapses is an error, never dropped."""
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if not len(invalid):
        return geoms
    geoms = geoms.copy()
    geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    repaired = geoms[invalid]
    collapsed = invalid[shapely.is_empty(repaired) | ~np.isin(shapely.get_type_id(repaired), _POLYGON_TYPES)]
    if len(collapsed):
        what = [
            "nothing is left" if g.is_empty else f"only a {g.geom_type} is left"
            for g in geoms[collapsed[:SHOWN_ROWS]]
        ]
        raise BoundaryError(
            f"{path}: {len(collapsed)} polygon(s) collapse when repaired {step} "
            f"({_rows(frame, collapsed, level, what)}); "
            "expected every unit to keep an area. Fix: correct the unit's polygon in the source file "
            "(it has no area: its points are collinear or repeated)."
        )
    return geoms


def read_boundary_file(
    path: str | Path,
    level: int | None = None,
    *,
    expected_bbox: tuple[float, float, float, float] | None = EXPECTED_BBOX,
) -> gpd.GeoDataFrame:
    """Read one COD-AB style boundary file into the canonical form (no caching).

    Accepts GeoJSON, shapefiles (plain or zipped) and GeoPackage. Reprojects to EPSG:4326 and
    repairs invalid geometries. Refuses (:class:`~geo.errors.BoundaryError`, naming the first
    offending features) layers with no CRS, no features or no name columns; null or empty
    geometries and features that are not polygons; null P-codes or names and duplicate P-codes;
    coordinates that are not degrees although labelled so, or non-finite; features outside
    ``expected_bbox`` (``None`` skips that check), with lat/lon swaps named as such; and polygons
    that collapse when repaired.

    Examples
    --------
    >>> gdf = read_boundary_file("irq_admbnda_adm1_cso_20190603.geojson")  # doctest: +SKIP
    >>> len(gdf), gdf.crs.to_epsg()  # doctest: +SKIP
    (18, 4326)
    """
    import pyogrio

    path = Path(path)
    source = _open_path(path)
    try:
        frame = pyogrio.read_dataframe(source)
    except Exception as exc:  # GDAL raises several error types for unreadable files
        raise BoundaryError(f"{path}: cannot read the layer ({exc}).") from exc
    if len(frame) == 0:
        raise BoundaryError(f"{path}: the layer is empty; expected administrative polygons.")
    if frame.crs is None:
        raise BoundaryError(
            f"{path}: the layer declares no CRS; refusing to guess. Fix: use a file with its CRS "
            "(a .prj for shapefiles, or a crs member) - COD-AB layers are EPSG:4326."
        )
    found = _detect_level(list(frame.columns))
    if level is None:
        level = found
    if level is None or found is None or found < level:
        raise BoundaryError(
            f"{path}: expected COD-AB name columns (ADM{level if level is not None else 'n'}_PCODE, "
            f"_EN, _AR); found {[c for c in frame.columns if c != 'geometry']}."
        )
    _check_level(level)
    wanted = [f"ADM{level}_PCODE", f"ADM{level}_EN", f"ADM{level}_AR"]
    if level >= 1:
        wanted += [f"ADM{level - 1}_PCODE"]
    lookup = {c.upper() for c in frame.columns}
    missing = [w for w in wanted if w not in lookup]
    if missing:
        raise BoundaryError(
            f"{path}: expected COD-AB name columns {wanted}; missing {missing}; found "
            f"{sorted(c for c in lookup if c != 'GEOMETRY')}."
        )
    frame = frame.reset_index(drop=True)
    _check_geometries(frame, path, level)
    _check_attributes(frame, path, level)

    out = pd.DataFrame(index=frame.index)
    out["level"] = level
    out["pcode"] = _col(frame, f"ADM{level}_PCODE").astype(str).str.strip()
    out["name_en"] = _col(frame, f"ADM{level}_EN").astype(str)
    out["name_ar"] = _col(frame, f"ADM{level}_AR").astype(str)
    if level >= 1:
        out["parent_pcode"] = _col(frame, f"ADM{level - 1}_PCODE").astype(str).str.strip()
        for up in (1, 2):
            if level >= up:
                for suffix in ("pcode", "en", "ar"):
                    column = f"ADM{up}_{suffix.upper()}"
                    if column.upper() not in lookup:
                        raise BoundaryError(f"{path}: missing column {column} for the canonical form.")
                    out[f"adm{up}_{suffix}"] = _col(frame, column).fillna("").astype(str)
    gdf = gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)
    declared = gdf.crs
    if declared.is_geographic:
        _check_degrees(gdf, path, level, frame, f"although the layer is labelled {declared.to_string()}")
    if not declared.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
        _check_degrees(gdf, path, level, frame, f"after reprojection from {declared.to_string()}")
    if expected_bbox is not None:
        _check_extent(gdf, path, level, frame, expected_bbox)
    gdf = gdf.set_geometry(_repair(gdf.geometry.values, path, level, frame, "(make_valid)"))
    gdf = gdf.sort_values("pcode").reset_index(drop=True)
    return gdf[canonical_columns(level) + ["geometry"]]


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage so that shared edges stay shared (no slivers or gaps).

    A unit that would lose its area is an error naming it (:class:`~geo.errors.BoundaryError`).
    """
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    geoms = shapely.set_precision(geoms, WEB_PRECISION_DEG, mode="pointwise")
    level = int(gdf["level"].iloc[0]) if len(gdf) else 0
    names = {f"ADM{level}_PCODE": gdf["pcode"].to_numpy(), f"ADM{level}_EN": gdf["name_en"].to_numpy()}
    frame = pd.DataFrame(names)
    label = Path(f"web-weight layer (level {level})")
    gone = np.flatnonzero(shapely.is_empty(geoms))
    if len(gone):
        raise BoundaryError(
            f"{label}: {len(gone)} unit(s) vanish when simplified at {tolerance} degrees "
            f"({_rows(frame, gone, level)}); expected every unit to keep an area."
        )
    return gdf.set_geometry(_repair(np.asarray(geoms), label, level, frame, "after simplification"))


def _cache_file(digest: str, level: int, web: bool) -> Path:
    name = f"{digest[:16]}-L{level}-s{SCHEMA_VERSION}{'-web' if web else ''}.parquet"
    return cache_subdir("boundaries") / name


def load_file_cached(path: Path, level: int, web: bool = False) -> gpd.GeoDataFrame:
    """Canonical layer of ``path`` through the GeoParquet cache.

    The cache entry is named after the SHA-256 of ``path``'s content and stamped with its own; an
    entry whose content no longer matches its stamp (edited, damaged) is rebuilt, never trusted.
    The web-weight layer is simplified from the canonical one (itself cached).
    """
    if not path.is_file():
        raise BoundaryError(f"{path}: file not found.")
    cache = _cache_file(file_sha256(path), level, web)
    if read_verified(cache):
        try:
            return gpd.read_parquet(cache)
        except Exception as exc:  # pyarrow raises several error types; the entry is rebuilt below
            log.warning("boundary cache %s is unreadable (%s); rebuilding it", cache, exc)
    gdf = simplify_coverage(load_file_cached(path, level)) if web else read_boundary_file(path, level)
    write_cached(cache, lambda tmp: gdf.to_parquet(tmp))
    return gdf


@lru_cache(maxsize=16)
def _load_level_cached(level: int, web: bool) -> gpd.GeoDataFrame:
    path = sources.dataset_path(BOUNDARY_DATASET, _IRAQ_FILES[level])
    return load_file_cached(path, level, web)


def load_level(level: int, web: bool = False) -> gpd.GeoDataFrame:
    """Iraq's canonical COD-AB layer for ``level`` (0-3); ``web=True`` for the simplified version.

    The returned frame is a copy: callers may modify it freely.
    """
    _check_level(level)
    return _load_level_cached(level, bool(web)).copy()


def dataset_version() -> str:
    """Provenance string of the boundary dataset, e.g. ``cod_ab_iraq@2019-06-03``."""
    return sources.dataset_version(BOUNDARY_DATASET)


@lru_cache(maxsize=4)
def _load_neighbour(level: int) -> gpd.GeoDataFrame | None:
    try:
        path = sources.dataset_path(NEIGHBOUR_DATASET, _SYRIA_FILES[level])
    except DataSourceError:
        return None
    gdf = load_file_cached(path, level)
    gdf["country"] = "SY"
    return gdf


def load_neighbours(level: int = 0) -> gpd.GeoDataFrame | None:
    """Syria's COD-AB layer (level 0 or 1) in canonical form, or None if the optional data is absent."""
    if level not in _SYRIA_FILES:
        raise BoundaryError(f"neighbour layers exist for levels {sorted(_SYRIA_FILES)}, got {level!r}")
    gdf = _load_neighbour(level)
    return None if gdf is None else gdf.copy()


# --- neighbouring countries (Natural Earth), for the offline basemap -------------------------------

COUNTRY_DATASET = "natural_earth_admin0_10m"
_COUNTRY_FILE = "ne_10m_admin_0_countries_deu.zip"
#: Iraq and the countries around it (Natural Earth ``ADM0_A3`` codes): what the basemap draws.
NEIGHBOURHOOD = (
    *("IRQ", "IRN", "TUR", "SYR", "JOR", "KWT", "SAU", "ARE", "QAT", "BHR"),
    *("OMN", "ISR", "PSX", "LBN", "CYP", "EGY", "ARM", "AZE", "GEO"),
)


@lru_cache(maxsize=1)
def _load_countries_cached() -> gpd.GeoDataFrame | None:
    import pyogrio

    try:
        path = sources.dataset_path(COUNTRY_DATASET, _COUNTRY_FILE)
    except DataSourceError as exc:
        log.info("no neighbouring countries on the basemap: %s", exc)
        return None
    cache = cache_subdir("boundaries") / f"{file_sha256(path)[:16]}-countries-s1.parquet"
    if read_verified(cache):
        try:
            return gpd.read_parquet(cache)
        except Exception as exc:  # pyarrow raises several error types; the entry is rebuilt below
            log.warning("country cache %s is unreadable (%s); rebuilding it", cache, exc)
    names = check_zip(path, str(path), BoundaryError)
    shp = next((n for n in names if n.lower().endswith(".shp")), None)
    if shp is None:
        raise BoundaryError(f"{path}: the zip holds no .shp file; it has {names[:10]}")
    columns = ["ADM0_A3", "NAME_EN", "NAME_AR"]
    try:  # the dbf has no .cpg, but it is UTF-8 (Arabic names become mojibake otherwise)
        frame = pyogrio.read_dataframe(f"/vsizip/{path}/{shp}", columns=columns, encoding="utf-8")
    except Exception as exc:  # GDAL raises several error types for unreadable files
        raise BoundaryError(f"{path}: cannot read the country outlines ({exc}).") from exc
    gdf = gpd.GeoDataFrame(
        {"iso3": frame["ADM0_A3"].astype(str), "name_en": frame["NAME_EN"], "name_ar": frame["NAME_AR"]},
        geometry=shapely.make_valid(frame.geometry.values),  # one Natural Earth polygon self-intersects
        crs=frame.crs,
    ).to_crs("EPSG:4326")
    write_cached(cache, lambda tmp: gdf.to_parquet(tmp))
    return gdf


def load_countries(iso3: tuple[str, ...] | None = NEIGHBOURHOOD) -> gpd.GeoDataFrame | None:
    """Natural Earth country outlines (``iso3, name_en, name_ar, geometry``; EPSG:4326), or None.

    ``iso3`` keeps those countries (Natural Earth ``ADM0_A3`` codes; None keeps the world). None is
    returned when the optional dataset cannot be had; the outlines are for orientation only, never
    for clipping or replacing COD-AB (their Iraq border lies 1-7 km from it).

    Examples
    --------
    >>> countries = load_countries(("IRN", "TUR"))  # doctest: +SKIP
    >>> sorted(countries["name_en"])  # doctest: +SKIP
    ['Iran', 'Turkey']
    """
    gdf = _load_countries_cached()
    if gdf is None:
        return None
    if iso3 is not None:
        gdf = gdf[gdf["iso3"].isin(iso3)]
    return gdf.reset_index(drop=True).copy()
