"""Places and zones as data files (GeoJSON, GeoPackage, CSV, KML) and the one call behind every export.

Each layer is one flat table with fixed columns (:data:`PLACE_COLUMNS`, :data:`ZONE_COLUMNS`) and
every row carries its provenance: the article, the sentence and character offsets it came from,
the confidence, the P-codes and the version of the dataset behind it. Lists (mention offsets,
P-codes) are joined with ``", "`` and parameters are JSON, so that the same columns fit every format.

Files are written into a private temporary folder inside the output folder and renamed into place
only once complete, so a failed export never leaves a half-written file under the final name; a
full disk says "disk full while writing <path>" even when GDAL hides the OS error. Article text
never runs: CSV text cells that start like a formula are quoted (:func:`neutralise_formula`),
GeoJSON/GeoPackage values are typed data, KML is an element tree (:mod:`geo.render.kml`).

Examples
--------
>>> from geo.pipeline import analyze
>>> from geo import export
>>> analysis = analyze(open("data/samples/article-000.txt").read(), "article-000.txt")
>>> results = export.export_analysis(analysis, "out", formats=("geojson", "gpkg"))
>>> [str(p) for r in results for p in r.paths]
['out/article-000-places.geojson', 'out/article-000-zones.geojson', 'out/article-000.gpkg']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from geo import files
from geo.data import boundaries, sources
from geo.errors import DataSourceError, ExportError
from geo.model import Analysis, Place, Zone
from geo.zones.frames import FRAME_COLUMNS

if TYPE_CHECKING:
    from geo.pipeline import Settings
    from geo.render.mapview import MapView

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
#: Data formats, in the order the CLI and the dashboard offer them.
DATA_FORMATS = ("geojson", "gpkg", "csv", "kml")
#: Every export format; ``briefing`` takes ``briefing_format`` ("pdf" or "html").
ALL_FORMATS = ("png", "html", *DATA_FORMATS, "briefing")
#: Layer names of the GeoPackage (and the file suffixes of GeoJSON/CSV).
LAYERS = ("places", "zones")

#: Columns of the places layer (plus ``geometry``, a point at lon/lat), with their pandas dtypes.
PLACE_SCHEMA: dict[str, str] = {
    "id": "object",
    "name": "object",
    "name_ar": "object",
    "kind": "object",
    "country": "object",
    "lat": "float64",
    "lon": "float64",
    "pcode": "object",
    "governorate": "object",
    "governorate_pcode": "object",
    "confidence": "float64",
    "mention_count": "Int64",
    "mention": "object",
    "mention_start": "Int64",
    "mention_end": "Int64",
    "mentions": "object",
    "sentence": "object",
    "sentence_start": "Int64",
    "sentence_end": "Int64",
    "article": "object",
    "dataset": "object",
    "dataset_version": "object",
    "boundaries_version": "object",
}
#: Columns the export adds to :func:`geo.zones.derivation.zones_frame` (the zones' own conversion), with dtypes.
ZONE_EXTRA_SCHEMA: dict[str, str] = {
    "confidence": "float64",
    "article": "object",
    "dataset_version": "object",
}
#: Columns of the zones layer (plus ``geometry``, EPSG:4326): the zone frame's, then the export's.
ZONE_COLUMNS = (*FRAME_COLUMNS, *ZONE_EXTRA_SCHEMA)
_ZONE_DTYPES = {
    "trigger_start": "Int64",
    "trigger_end": "Int64",
    "occurrences": "Int64",
    "sentence_start": "Int64",
    "sentence_end": "Int64",
    "area_km2": "float64",
    "seat_lat": "float64",
    "seat_lon": "float64",
    **ZONE_EXTRA_SCHEMA,
}
PLACE_COLUMNS = tuple(PLACE_SCHEMA)
#: Columns every row of both layers carries to say where it came from.
PROVENANCE_COLUMNS = (
    "article",
    "sentence",
    "sentence_start",
    "sentence_end",
    "confidence",
    "dataset_version",
)


@dataclass(frozen=True)
class ExportResult:
    """The files one format produced, how long it took, and anything the reader should know."""

    format: str
    paths: tuple[Path, ...]
    seconds: float
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        """Total size of the files written."""
        return sum(p.stat().st_size for p in self.paths if p.exists())


# --- layers ------------------------------------------------------------------------------------


def _version_of(dataset: str) -> str:
    """``dataset`` as a ``<id>@<version>`` string when the manifest knows it, else unchanged."""
    if not dataset or "@" in dataset:
        return dataset
    try:
        return sources.dataset_version(dataset)
    except DataSourceError:
        return dataset


def _place_row(place: Place, analysis: Analysis, boundaries_version: str) -> dict[str, Any]:
    mentions = sorted(place.mentions, key=lambda m: m.start)
    first = mentions[0] if mentions else None
    return {
        "id": place.id,
        "name": place.name,
        "name_ar": place.name_ar,
        "kind": place.kind,
        "country": place.country,
        "lat": float(place.lat),
        "lon": float(place.lon),
        "pcode": place.pcode,
        "governorate": place.governorate,
        "governorate_pcode": place.governorate_pcode,
        "confidence": float(place.confidence),
        "mention_count": len(mentions),
        "mention": first.text if first else None,
        "mention_start": first.start if first else None,
        "mention_end": first.end if first else None,
        "mentions": ", ".join(f"{m.start}-{m.end}" for m in mentions),
        "sentence": first.sentence.text if first else None,
        "sentence_start": first.sentence.start if first else None,
        "sentence_end": first.sentence.end if first else None,
        "article": analysis.source,
        "dataset": place.dataset,
        "dataset_version": _version_of(place.dataset),
        "boundaries_version": boundaries_version,
    }


def _zone_confidence(zone: Zone, places: Sequence[Place]) -> float | None:
    """The lowest confidence among the places the zone was built from (None if none is known)."""
    keys = set(zone.places)
    found = [p.confidence for p in places if p.pcode in keys or p.id in keys]
    return float(min(found)) if found else None


def _frame(rows: list[dict[str, Any]], schema: dict[str, str], geoms: list[BaseGeometry]) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows, columns=list(schema))
    table = table.astype(schema)
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def places_layer(analysis: Analysis) -> gpd.GeoDataFrame:
    """One row per resolved place (point at lon/lat) with the columns of :data:`PLACE_SCHEMA`."""
    version = boundaries.dataset_version()
    rows = [_place_row(p, analysis, version) for p in analysis.places]
    geoms = [shapely.Point(float(p.lon), float(p.lat)) for p in analysis.places]
    return _frame(rows, PLACE_SCHEMA, geoms)


def zones_layer(analysis: Analysis) -> gpd.GeoDataFrame:
    """One row per zone (EPSG:4326): :func:`geo.zones.derivation.zones_frame` plus the columns of
    :data:`ZONE_EXTRA_SCHEMA` (article, lowest confidence of its places, dataset version)."""
    from geo.zones.frames import zones_frame

    frame = zones_frame(analysis.zones)
    frame["confidence"] = [_zone_confidence(z, analysis.places) for z in analysis.zones]
    frame["article"] = analysis.source
    frame["dataset_version"] = [_version_of(str(d)) for d in frame["dataset"]]
    columns = [*[c for c in frame.columns if c != "geometry"], "geometry"]
    frame = frame[columns]
    dtypes = {c: t for c, t in _ZONE_DTYPES.items() if c in frame.columns}
    frame = frame.astype(dtypes)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


# --- atomic writing ----------------------------------------------------------------------------


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` as a Path once it is known to be an existing folder we can write into."""
    return files.check_out_dir(out_dir, error=ExportError)


def staging(out_dir: str | Path) -> contextlib.AbstractContextManager[Callable[[str], Path]]:
    """:func:`geo.files.staging` raising :class:`~geo.errors.ExportError`."""
    return files.staging(out_dir, error=ExportError)


def file_stem(source: str) -> str:
    """A safe file-name stem for an article source (``"news/a 1.txt"`` -> ``"a-1"``)."""
    stem = Path(source).stem if source else ""
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip("-.")
    return stem or "article"


# --- failures while writing --------------------------------------------------------------------


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
    """A failed write of ``target`` as an :class:`ExportError` naming it ("disk full while writing ...",
    :func:`geo.files.describe_os_error` for other OS errors); other export errors pass unchanged."""
    try:
        yield
    except (OSError, ExportError) as exc:
        if files.is_disk_full(exc, target.parent):
            full = files.describe_os_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), target)
            raise ExportError(
                f"{full}. Fix: free some space on that disk or export to another folder."
            ) from exc
        if isinstance(exc, OSError):
            raise ExportError(files.describe_os_error(exc, target)) from exc
        raise


# --- writers -----------------------------------------------------------------------------------


def _written_features(path: Path, *, driver: str, layer: str | None) -> int:
    """How many features the file GDAL just wrote really holds (raises if it cannot be read)."""
    if driver == "GeoJSON":
        # GDAL's GeoJSON writer does not report failed writes (a full disk leaves a short file)
        with path.open("rb") as handle:
            return len(json.load(handle)["features"])
    return int(pyogrio.read_info(path, layer=layer)["features"])


def _to_file(frame: gpd.GeoDataFrame, path: Path, *, driver: str, layer: str | None = None) -> None:
    """Write ``frame`` with GDAL, then check that the file holds every feature."""
    # GeoJSON: keep JSON-looking text (``params``) a string, as in every other format
    options = {"layer_options": {"AUTODETECT_JSON_STRINGS": "NO"}} if driver == "GeoJSON" else {}
    try:
        frame.to_file(path, driver=driver, layer=layer, engine="pyogrio", **options)
    except Exception as exc:  # pyogrio/GDAL raise their own error types
        msg = f"could not write {path.name} ({driver}): {exc}"
        raise ExportError(msg) from exc
    try:
        written = _written_features(path, driver=driver, layer=layer)
    except Exception as exc:  # OSError, JSON or GDAL errors: the file is not what was written
        msg = f"could not write {path.name} ({driver}): the file came out unreadable ({exc})"
        raise ExportError(msg) from exc
    if written != len(frame):
        raise ExportError(
            f"could not write {path.name} ({driver}): {written} of {len(frame)} features reached the file"
        )


def write_geojson(analysis: Analysis, out_dir: str | Path, *, stem: str | None = None) -> list[Path]:
    """``<stem>-places.geojson`` and ``<stem>-zones.geojson`` (RFC 7946 feature collections)."""
    stem = stem or file_stem(analysis.source)
    names = {layer: f"{stem}-{layer}.geojson" for layer in LAYERS}
    frames = {"places": places_layer(analysis), "zones": zones_layer(analysis)}
    with staging(out_dir) as stage:
        for layer in LAYERS:
            with _writing(Path(out_dir) / names[layer]):
                _to_file(frames[layer], stage(names[layer]), driver="GeoJSON")
    return [Path(out_dir) / names[layer] for layer in LAYERS]


def write_gpkg(analysis: Analysis, out_dir: str | Path, *, stem: str | None = None) -> Path:
    """``<stem>.gpkg`` with two layers, ``places`` and ``zones``."""
    name = f"{stem or file_stem(analysis.source)}.gpkg"
    places, zones = places_layer(analysis), zones_layer(analysis)
    with staging(out_dir) as stage, _writing(Path(out_dir) / name):
        path = stage(name)
        _to_file(places, path, driver="GPKG", layer="places")
        _to_file(zones, path, driver="GPKG", layer="zones")
    return Path(out_dir) / name


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """``value`` safe for a spreadsheet cell: text starting like a formula gets a leading ``'``.

    Only text changes: numbers (a negative longitude) are written and read as numbers, and a quote
    would make them text. Text starting with a space is not a formula and stays as it is.

    Examples
    --------
    >>> print(neutralise_formula("=SUM(A1:A9)"))
    '=SUM(A1:A9)
    >>> neutralise_formula(-44.25), neutralise_formula(" =1+1")
    (-44.25, ' =1+1')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The layer as a CSV table: its columns (text cells neutralised) and the geometry as ``wkt``."""
    table = pd.DataFrame(frame.drop(columns="geometry"))
    for column in table.columns:
        if not (pd.api.types.is_numeric_dtype(table[column]) or pd.api.types.is_bool_dtype(table[column])):
            table[column] = table[column].astype(object).map(neutralise_formula)
    table["wkt"] = frame.geometry.to_wkt()
    return table


def write_csv(analysis: Analysis, out_dir: str | Path, *, stem: str | None = None) -> list[Path]:
    """``<stem>-places.csv`` (lat/lon and WKT) and ``<stem>-zones.csv`` (WKT), UTF-8 with a BOM.

    The BOM lets spreadsheet programs show the Arabic columns correctly; pandas and GIS tools
    ignore it. Rows end in CRLF (RFC 4180), so a cell holding a CR or LF is quoted and never splits
    its row; text cells that start like a formula are neutralised (:func:`neutralise_formula`).
    """
    stem = stem or file_stem(analysis.source)
    names = {layer: f"{stem}-{layer}.csv" for layer in LAYERS}
    frames = {"places": places_layer(analysis), "zones": zones_layer(analysis)}
    with staging(out_dir) as stage:
        for layer in LAYERS:
            table = _csv_table(frames[layer])
            with _writing(Path(out_dir) / names[layer]):
                table.to_csv(stage(names[layer]), index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return [Path(out_dir) / names[layer] for layer in LAYERS]


def write_kml(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    stem: str | None = None,
    styles: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """``<stem>.kml`` (valid OGC KML 2.2, see :mod:`geo.render.kml`): a ``Places`` and a ``Zones``
    folder, every column as ExtendedData.

    ``styles`` maps zone kinds to their style (default: :func:`geo.zones.derivation.zone_styles`).
    """
    from geo.render import kml

    name = f"{stem or file_stem(analysis.source)}.kml"
    if styles is None:
        from geo.zones.frames import zone_styles

        styles = zone_styles()
    document = kml.build(
        title=f"Zone Atlas: {analysis.source}",
        places=places_layer(analysis),
        zones=zones_layer(analysis),
        styles=styles,
        attribution=sources.get_dataset(boundaries.BOUNDARY_DATASET).attribution,
    )
    with staging(out_dir) as stage, _writing(Path(out_dir) / name):
        stage(name).write_bytes(document.encode("utf-8"))
    return Path(out_dir) / name


def read_layer(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read back a GeoJSON/GeoPackage/KML export (``layer`` for GeoPackage: places or zones)."""
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio/GDAL raise their own error types
        msg = f"could not read {path}: {exc}"
        raise ExportError(msg) from exc


# --- everything at once ------------------------------------------------------------------------


def export_analysis(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ALL_FORMATS,
    briefing_format: str = "pdf",
    stem: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
    size: tuple[int, int] = (1600, 1000),
    scale: int = 1,
    basemap: str | None = None,
    timeout_s: float | None = None,
    view: MapView | None = None,
    published: str | dt.date | None = None,
) -> list[ExportResult]:
    """Write ``analysis`` in each of ``formats`` (see :data:`ALL_FORMATS`) to ``out_dir``.

    ``title`` is the article's headline (used by the map snapshot and the briefing); ``view`` is
    what the dashboard's map shows (basemap, levels, zone kinds, extent) and overrides
    ``basemap``; ``published`` is the article's date, when known (the briefing prints it). The
    briefing draws its own, page-sized snapshot of the same map. Returns one :class:`ExportResult` per
    format, in the order of :data:`ALL_FORMATS`.
    """
    unknown = sorted(set(formats) - set(ALL_FORMATS))
    if unknown:
        msg = f"unknown export format(s) {unknown}; choose from {list(ALL_FORMATS)}"
        raise ExportError(msg)
    if briefing_format not in ("pdf", "html"):
        msg = f"briefing format must be 'pdf' or 'html', got {briefing_format!r}"
        raise ExportError(msg)
    folder = check_out_dir(out_dir)
    stem = stem or file_stem(analysis.source)
    results: list[ExportResult] = []
    width, height = size
    # the browser's own default timeout unless one is given
    wait: dict[str, Any] = {"timeout_s": timeout_s} if timeout_s else {}
    for fmt in ALL_FORMATS:
        if fmt not in formats:
            continue
        t0 = time.perf_counter()
        note = ""
        details: dict[str, Any] = {}
        if fmt == "png":
            from geo.render import snapshot

            snap = snapshot.render_png(
                analysis,
                folder / f"{stem}-map.png",
                width=width,
                height=height,
                scale=scale,
                title=title,
                basemap=basemap,
                settings=settings,
                view=view,
                **wait,
            )
            paths = [snap.path]
            note = snap.note
            details = {"renderer": snap.renderer}
        elif fmt == "html":
            from geo.render import snapshot

            paths = [
                snapshot.write_html(
                    analysis,
                    folder / f"{stem}-map.html",
                    basemap=basemap,
                    title=title,
                    settings=settings,
                    view=view,
                )
            ]
        elif fmt == "geojson":
            paths = write_geojson(analysis, folder, stem=stem)
        elif fmt == "gpkg":
            paths = [write_gpkg(analysis, folder, stem=stem)]
        elif fmt == "csv":
            paths = write_csv(analysis, folder, stem=stem)
        elif fmt == "kml":
            paths = [write_kml(analysis, folder, stem=stem)]
        else:
            from geo.render import briefing

            out = briefing.write_briefing(
                analysis,
                folder / f"{stem}-briefing.{briefing_format}",
                fmt=briefing_format,
                title=title,
                settings=settings,
                basemap=basemap,
                view=view,
                published=published,
                **wait,
            )
            paths = [out.path]
            note = out.note
            details = {"map_renderer": out.map_renderer}
        seconds = time.perf_counter() - t0
        log.info("exported %s in %.2f s: %s", fmt, seconds, ", ".join(p.name for p in paths))
        results.append(ExportResult(fmt, tuple(paths), seconds, note, details))
    return results
