"""Canonical administrative boundaries: the only module that reads boundary files.

``load_level(level)`` returns Iraq's COD-AB layer for level 0 (country), 1 (governorates),
2 (districts) or 3 (sub-districts) as a GeoDataFrame in EPSG:4326 with the canonical columns
``level, pcode, name_en, name_ar, parent_pcode, adm1_*, adm2_*`` (as applicable) and ``geometry``.
Parsed layers are cached as GeoParquet keyed on the source file's checksum, so a warm load is fast.
``web=True`` gives the web-weight version: simplified as a coverage, so neighbouring polygons keep
sharing their edges (no slivers, no gaps).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.data import sources
from geo.errors import BoundaryError, DataSourceError

#: Bump when the canonical form changes, so stale caches are ignored.
SCHEMA_VERSION = 1
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
        names = sources.check_zip(path, str(path), BoundaryError)
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


def read_boundary_file(path: str | Path, level: int | None = None) -> gpd.GeoDataFrame:
    """Read one COD-AB style boundary file into the canonical form (no caching).

    Accepts GeoJSON, shapefiles (plain or zipped) and GeoPackage. Reprojects to EPSG:4326,
    repairs invalid geometries, and refuses layers with no CRS, no features or no name columns.
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

    out = pd.DataFrame(index=frame.index)
    out["level"] = level
    out["pcode"] = _col(frame, f"ADM{level}_PCODE").astype(str)
    out["name_en"] = _col(frame, f"ADM{level}_EN").astype(str)
    out["name_ar"] = _col(frame, f"ADM{level}_AR").fillna("").astype(str)
    if level >= 1:
        out["parent_pcode"] = _col(frame, f"ADM{level - 1}_PCODE").astype(str)
        for up in (1, 2):
            if level >= up:
                for suffix in ("pcode", "en", "ar"):
                    column = f"ADM{up}_{suffix.upper()}"
                    if column.upper() not in lookup:
                        raise BoundaryError(f"{path}: missing column {column} for the canonical form.")
                    out[f"adm{up}_{suffix}"] = _col(frame, column).fillna("").astype(str)
    gdf = gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    gdf = gdf.set_geometry(geoms)
    gdf = gdf[~gdf.geometry.is_empty].sort_values("pcode").reset_index(drop=True)
    return gdf[canonical_columns(level) + ["geometry"]]


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage so that shared edges stay shared (no slivers or gaps)."""
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    geoms = shapely.set_precision(geoms, WEB_PRECISION_DEG, mode="pointwise")
    geoms = shapely.make_valid(geoms)
    return gdf.set_geometry(geoms)


def _cache_file(digest: str, level: int, web: bool) -> Path:
    name = f"{digest[:16]}-L{level}-s{SCHEMA_VERSION}{'-web' if web else ''}.parquet"
    return sources.cache_dir() / "boundaries" / name


def _file_digest(path: Path) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()


def load_file_cached(path: Path, level: int, web: bool = False) -> gpd.GeoDataFrame:
    """Canonical layer of ``path`` through the GeoParquet cache."""
    cache = _cache_file(_file_digest(path), level, web)
    if cache.is_file():
        try:
            return gpd.read_parquet(cache)
        except Exception:  # a damaged cache entry is rebuilt, never trusted
            cache.unlink(missing_ok=True)
    gdf = read_boundary_file(path, level)
    if web:
        gdf = simplify_coverage(gdf)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.part")
    gdf.to_parquet(tmp)
    os.replace(tmp, cache)
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
