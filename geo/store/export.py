"""The corpus as files: a GeoPackage of four layers (articles, places, zones, events), GeoJSON and CSV tables.

:func:`write_corpus_gpkg` writes ``<stem>.gpkg`` with pyogrio (GDAL): ``articles`` (a table, no
geometry), ``places`` (points), ``zones`` (polygons) and ``events`` (points at the event's place,
none for an event without one; :func:`events_geoframe`), EPSG:4326, the layers QGIS lists when the
file is opened. Events carry their provenance as places and zones do: the article id and date,
``date_source``, the sentence offsets and its text (``quote``), and the confidence. The file is written in a private folder inside the output folder and renamed into
place only once complete (:func:`geo.files.staging`), so a failure never leaves half a file.
:func:`feature_collection` and :func:`table_rows` give the same frames as GeoJSON and CSV rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import files
from geo.errors import ExportError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: The GeoPackage's layers, in the order they are written, and their geometry types (zones are
#: written as MultiPolygon when every zone is a polygon, as they all are with the current rules).
GPKG_LAYERS = {"articles": None, "places": "Point", "zones": "Unknown", "events": "Point"}
#: How a list (an event's actors) is written in a GeoPackage or CSV cell.
LIST_SEPARATOR = "; "


def _missing(value: Any) -> bool:
    """``None``, NaN or pandas' ``NA`` (a missing nullable integer)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ == "NAType"


def _plain(frame: pd.DataFrame, *, lists: bool = False) -> pd.DataFrame:
    """Dates and other objects as text, so every column has a type GeoPackage and CSV know; lists
    are joined with :data:`LIST_SEPARATOR` (kept as lists with ``lists=True``, for JSON)."""
    out = frame.copy()
    for column in out.columns:
        if column == "geometry":
            continue
        kind = out[column].dtype.kind
        if kind == "M":
            out[column] = [None if v != v else v.date().isoformat() for v in out[column]]
        elif kind == "O":
            out[column] = [_cell(v, lists=lists) for v in out[column]]
    return out


def _cell(value: Any, *, lists: bool) -> Any:
    if _missing(value):
        return None
    if isinstance(value, (list, tuple)):
        return list(value) if lists else LIST_SEPARATOR.join(map(str, value))
    return value.isoformat() if hasattr(value, "isoformat") else value


def write_corpus_gpkg(
    articles: pd.DataFrame,
    places: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    stem: str = "corpus",
    events: gpd.GeoDataFrame | None = None,
) -> Path:
    """``out_dir/<stem>.gpkg`` with the layers articles, places, zones and events; returns its path.

    Raises
    ------
    ExportError
        The folder does not exist or cannot be written, or GDAL failed (disk full, ...): no file is left.
    """
    import pyogrio

    name = f"{stem}.gpkg"
    frames = {"articles": articles, "places": places, "zones": zones, "events": events}
    with files.staging(out_dir, error=ExportError) as stage:
        path = stage(name)
        for layer, geometry_type in GPKG_LAYERS.items():
            if frames[layer] is None:
                continue
            frame = _plain(frames[layer])
            options: dict[str, Any] = {"geometry_type": geometry_type} if geometry_type else {}
            if layer == "zones" and frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all():
                options = {"geometry_type": "MultiPolygon", "promote_to_multi": True}
            try:
                pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", **options)
            except Exception as exc:  # pyogrio/GDAL raise their own error types
                folder = Path(out_dir)
                why = "disk full" if files.is_disk_full(exc, folder) else str(exc)
                msg = f"cannot write the {layer} layer of {folder / name} ({why}); no file was left"
                raise ExportError(msg) from exc
    return Path(out_dir) / name


def feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``frame`` (coordinates to 6 decimals, about 0.1 m)."""
    import shapely
    from shapely.geometry import mapping

    table = _plain(frame.drop(columns="geometry"), lists=True)
    features = []
    for props, geom in zip(table.to_dict(orient="records"), frame.geometry, strict=True):
        shape = mapping(shapely.set_precision(geom, 1e-6)) if geom is not None else None
        features.append({"type": "Feature", "geometry": shape, "properties": _jsonable(props)})
    return {"type": "FeatureCollection", "features": features}


def json_rows(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per row (dates ISO, lists kept, missing values ``None``; no geometry)."""
    table = _plain(frame.drop(columns="geometry") if "geometry" in frame.columns else frame, lists=True)
    for props in table.to_dict(orient="records"):
        yield _jsonable(props)


def events_geoframe(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """The events frame of :meth:`geo.store.Store.events` with a point at each event's place
    (no geometry for an event without a place), EPSG:4326."""
    import geopandas as gpd
    import shapely

    has_point = events["lat"].notna() & events["lon"].notna()
    points = [
        shapely.Point(float(lon), float(lat)) if ok else None
        for lat, lon, ok in zip(events["lat"], events["lon"], has_point, strict=True)
    ]
    return gpd.GeoDataFrame(events.copy(), geometry=gpd.GeoSeries(points, crs="EPSG:4326"), crs="EPSG:4326")


def _jsonable(props: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in props.items():
        if _missing(value):
            value = None
        elif hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if key in ("params", "settings") and isinstance(value, str):
            value = json.loads(value)
        out[key] = value
    return out


def table_rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    """The header, then one list per row; a geometry column is given as WKT (``wkt``)."""
    import shapely

    has_geometry = "geometry" in frame.columns
    table = _plain(frame.drop(columns="geometry") if has_geometry else frame)
    yield [*table.columns, *(["wkt"] if has_geometry else [])]
    geoms = list(frame.geometry) if has_geometry else [None] * len(table)
    for values, geom in zip(table.itertuples(index=False, name=None), geoms, strict=True):
        row = ["" if _missing(v) else v for v in values]
        if has_geometry:
            row.append(shapely.to_wkt(geom, rounding_precision=6) if geom is not None else "")
        yield row
