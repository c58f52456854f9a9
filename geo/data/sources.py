"""Public datasets: where they come from, how they are fetched, and how they are verified.

The manifest is ``data/sources.toml``. Files are downloaded from their publisher, or copied from a
local mirror folder (``--mirror DIR`` or the ``ZONE_ATLAS_MIRROR`` environment variable, for
air-gapped sites), into a git-ignored cache (``ZONE_ATLAS_CACHE``, default ``<repo>/.cache``).
A file larger than the manifest's ``size`` is refused before it is copied, and a download stops as
soon as more bytes arrive than expected. Every file is written to a temporary name, verified, and
only then renamed into place (fsync'ed: :mod:`geo.data.cache`), so an interrupted fetch never
leaves a half-written file behind. A verified file gets a stamp holding its SHA-256; the stamp is
checked against the file's content when the file is used (hashed once per process), so a cached
file edited afterwards is fetched again, never trusted. Fetching again does nothing.
"""

from __future__ import annotations

import csv
import logging
import shutil
import tomllib
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from geo import config
from geo.data.archives import check_zip
from geo.data.cache import (
    CACHE_ENV,
    REPO_ROOT,
    STAMP_SUFFIX,
    cache_dir,
    cache_writer,
    file_sha256,
    read_verified,
    sha256_of,
    write_stamp,
)
from geo.errors import DataSourceError

__all__ = [
    "CACHE_ENV",
    "MIRROR_ENV",
    "STAMP_SUFFIX",
    "Dataset",
    "FetchResult",
    "FileSpec",
    "cache_dir",
    "check_zip",
    "open_table",
    "dataset_available",
    "dataset_path",
    "dataset_version",
    "describe",
    "fetch",
    "fetch_file",
    "file_sha256",
    "get_dataset",
    "load_manifest",
    "mirror_dir",
    "sha256_of",
    "verify_file",
]

log = logging.getLogger(__name__)

MANIFEST = REPO_ROOT / "data" / "sources.toml"
MIRROR_ENV = "ZONE_ATLAS_MIRROR"
DOWNLOAD_TIMEOUT_S = 60
#: Largest file fetched when the manifest gives no ``size`` (bytes).
MAX_FILE_BYTES = 2 << 30


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset and the checks it must pass."""

    name: str
    url: str
    kind: str  # "vector" or "table"
    sha256: str | None = None
    size: int | None = None  # bytes of the reference copy (checked before copying, during download)
    features: int | None = None
    rows: int | None = None
    columns: tuple[str, ...] = ()
    min_columns: int | None = None
    separator: str = ","
    header: bool = True
    member: str | None = None  # for a zipped table: the member read (the zip holds it unchanged)


@dataclass(frozen=True)
class Dataset:
    """A public dataset as described in the manifest."""

    id: str
    title: str
    publisher: str
    landing: str
    license: str
    attribution: str
    version: str
    required: bool
    mirror_dir: str
    files: tuple[FileSpec, ...]


def mirror_dir() -> Path | None:
    """The mirror folder named by ``ZONE_ATLAS_MIRROR``, if any."""
    return config.mirror_path()


def load_manifest(path: Path = MANIFEST) -> dict[str, Dataset]:
    """Read the dataset manifest."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataSourceError(f"cannot read the dataset manifest {path}: {exc}") from exc
    datasets: dict[str, Dataset] = {}
    for ds_id, d in raw.get("datasets", {}).items():
        files = tuple(
            FileSpec(
                name=f["name"],
                url=f["url"],
                kind=f["kind"],
                sha256=f.get("sha256"),
                size=f.get("size"),
                features=f.get("features"),
                rows=f.get("rows"),
                columns=tuple(f.get("columns", ())),
                min_columns=f.get("min_columns"),
                separator=f.get("separator", ","),
                header=f.get("header", True),
                member=f.get("member"),
            )
            for f in d["files"]
        )
        datasets[ds_id] = Dataset(
            id=ds_id,
            title=d["title"],
            publisher=d["publisher"],
            landing=d["landing"],
            license=d["license"],
            attribution=d["attribution"],
            version=d["version"],
            required=bool(d.get("required", False)),
            mirror_dir=d.get("mirror_dir", ds_id),
            files=files,
        )
    return datasets


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Dataset]:
    return load_manifest()


def get_dataset(dataset_id: str) -> Dataset:
    """The manifest entry of ``dataset_id``."""
    datasets = _manifest()
    if dataset_id not in datasets:
        raise DataSourceError(
            f"unknown dataset {dataset_id!r}; the manifest {MANIFEST} lists {sorted(datasets)}"
        )
    return datasets[dataset_id]


def dataset_version(dataset_id: str) -> str:
    """``"<dataset id>@<version>"``, the string recorded in every output's provenance."""
    return f"{dataset_id}@{get_dataset(dataset_id).version}"


def _target(dataset: Dataset, spec: FileSpec, root: Path | None = None) -> Path:
    return (root or cache_dir()) / "datasets" / dataset.id / spec.name


# --- verification ------------------------------------------------------------------------------


def _check_vector(path: Path, spec: FileSpec, label: str) -> None:
    import pyogrio

    zipped = path.suffix.lower() == ".zip" or spec.name.lower().endswith(".zip")
    if zipped:
        check_zip(path, label)
    try:  # a zip is checked under its temporary name, so GDAL is told where the archive ends
        info = pyogrio.read_info(f"/vsizip/{{{path}}}" if zipped else path)
    except Exception as exc:  # GDAL raises several error types for unreadable files
        raise DataSourceError(
            f"{label}: not a readable vector layer ({exc}). Fix: fetch the file again."
        ) from exc
    count = int(info["features"])
    if spec.features is not None and count != spec.features:
        raise DataSourceError(
            f"{label}: expected {spec.features} features, found {count}. "
            "Fix: fetch the file again, or check that the mirror holds the right version."
        )
    fields = set(info["fields"])
    missing = [c for c in spec.columns if c not in fields]
    if missing:
        raise DataSourceError(
            f"{label}: expected columns {list(spec.columns)}, missing {missing}; found "
            f"{sorted(fields)}. Fix: the file is not the expected dataset version."
        )
    if not info.get("crs"):
        raise DataSourceError(f"{label}: the layer declares no CRS; expected EPSG:4326.")


def open_table(path: Path, spec: FileSpec, label: str | None = None) -> IO[str]:
    """The text of a table file: the file itself, or ``spec.member`` of a zipped table (whose
    members are checked against the archive caps first). Raises :class:`DataSourceError`."""
    if spec.member is None:
        return path.open(encoding="utf-8", newline="")
    import io
    import zipfile

    names = check_zip(path, label or str(path))
    if spec.member not in names:
        raise DataSourceError(
            f"{label or path}: expected the member {spec.member!r} in the zip, found {names[:10]}."
        )
    try:
        archive = zipfile.ZipFile(path)
        return io.TextIOWrapper(archive.open(spec.member), encoding="utf-8", newline="")
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataSourceError(f"{label or path}: cannot read {spec.member} in the zip ({exc}).") from exc


def _check_table(path: Path, spec: FileSpec, label: str) -> None:
    try:
        with open_table(path, spec, label) as fh:
            if spec.separator == "\t":
                reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            else:
                reader = csv.reader(fh, delimiter=spec.separator, quoting=csv.QUOTE_MINIMAL)
            header = next(reader, None) if spec.header else None
            rows = 0
            for row in reader:
                if not row:
                    continue
                if spec.min_columns and len(row) < spec.min_columns:
                    raise DataSourceError(
                        f"{label}: row {rows + 1} has {len(row)} columns, expected at least "
                        f"{spec.min_columns}. Fix: fetch the file again."
                    )
                rows += 1
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"{label}: expected UTF-8 text, got undecodable bytes ({exc}).") from exc
    if spec.columns:
        missing = [c for c in spec.columns if c not in (header or [])]
        if missing:
            raise DataSourceError(f"{label}: expected columns {list(spec.columns)}, missing {missing}.")
    if spec.rows is not None and rows != spec.rows:
        raise DataSourceError(f"{label}: expected {spec.rows} rows, found {rows}. Fix: fetch again.")


def verify_file(path: Path, spec: FileSpec, label: str | None = None) -> str:
    """Verify ``path`` against ``spec``; returns its SHA-256. Raises :class:`DataSourceError`."""
    label = label or str(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise DataSourceError(f"{label}: the file is missing or empty.")
    _check_size(path.stat().st_size, spec, label)
    digest = sha256_of(path)
    if spec.sha256 and digest != spec.sha256:
        raise DataSourceError(
            f"{label}: checksum mismatch: expected sha256 {spec.sha256}, got {digest}. The file is "
            "corrupt, truncated or a different version. Fix: fetch it again from the publisher or "
            "the mirror; if the publisher re-issued it, check it and update data/sources.toml."
        )
    if spec.kind == "vector":
        _check_vector(path, spec, label)
    elif spec.kind == "table":
        _check_table(path, spec, label)
    return digest


def _check_size(size: int, spec: FileSpec, label: str) -> None:
    """Refuse a file whose size is not the manifest's (or over :data:`MAX_FILE_BYTES` without one)."""
    if spec.size is not None and size != spec.size:
        raise DataSourceError(
            f"{label}: expected {spec.size} bytes (the reference copy of {spec.name}), found {size}. "
            "The file is a different version, truncated or padded; it was not put in the cache. Fix: get the "
            "reference copy from the publisher or the mirror; if the publisher re-issued it, check it "
            "and update size and sha256 in data/sources.toml."
        )
    if spec.size is None and size > MAX_FILE_BYTES:
        raise DataSourceError(
            f"{label}: {size} bytes, over the {MAX_FILE_BYTES} bytes a dataset file may have; it was not "
            "put in the cache. Fix: check the file; record its size in data/sources.toml if it is genuine."
        )


def _is_verified(path: Path, spec: FileSpec) -> bool:
    """Whether the cached ``path`` is stamped and still hashes to its stamp (and the manifest)."""
    return read_verified(path, spec.sha256)


# --- fetching ----------------------------------------------------------------------------------


def _find_in_mirror(mirror: Path, dataset: Dataset, spec: FileSpec) -> Path | None:
    direct = mirror / dataset.mirror_dir / spec.name
    if direct.is_file():
        return direct
    flat = mirror / spec.name
    if flat.is_file():
        return flat
    for found in sorted(mirror.rglob(spec.name)):
        if found.is_file():
            return found
    return None


def _download(url: str, dest: Path, *, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Download ``url`` into ``dest``, stopping as soon as more than ``max_bytes`` arrive."""
    import urllib.request  # only a download needs it (importing it costs a warm load ~15 ms)

    request = urllib.request.Request(url, headers={"User-Agent": "zone-atlas-fetch"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response, dest.open("wb") as out:
        announced = response.headers.get("Content-Length")
        if announced and announced.isdigit() and int(announced) > max_bytes:
            raise DataSourceError(
                f"{url}: the server announces {announced} bytes, more than the {max_bytes} expected; "
                "not downloaded. Fix: check that the publisher's file is still the one in "
                "data/sources.toml."
            )
        received = 0
        while block := response.read(1 << 20):
            received += len(block)
            if received > max_bytes:
                raise DataSourceError(
                    f"{url}: more than the {max_bytes} bytes expected arrived; download stopped. Fix: "
                    "check that the publisher's file is still the one in data/sources.toml."
                )
            out.write(block)


class _ProduceFailed(Exception):
    """Carries an error of the source (mirror read, network) past the cache writer unchanged."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _install(produce: Callable[[Path], None], target: Path, spec: FileSpec, label: str) -> None:
    """Write via ``produce`` into a temp file beside ``target``, verify, then rename into place.

    The temp file is fsync'ed before the rename, and removed on any error. An ``OSError`` of the
    source (a read failing half-way) is re-raised as it came; a failing write into the cache is a
    :class:`DataSourceError` naming the folder and the fix.
    """
    try:
        with cache_writer(target) as tmp:
            try:
                produce(tmp)
            except OSError as exc:  # the source's error, not the cache's: keep it as it is
                raise _ProduceFailed(exc) from exc
            digest = verify_file(tmp, spec, label)
    except _ProduceFailed as carried:  # the temp file is gone by now
        raise carried.error from None
    write_stamp(target, digest, source=label)


@dataclass(frozen=True)
class FetchResult:
    dataset: str
    file: str
    action: str  # "cached", "copied", "downloaded", "failed"
    detail: str = ""


def fetch_file(dataset: Dataset, spec: FileSpec, mirror: Path | None = None) -> FetchResult:
    """Make one file present and verified in the cache."""
    target = _target(dataset, spec)
    if _is_verified(target, spec):
        return FetchResult(dataset.id, spec.name, "cached")
    if mirror is not None:
        if not mirror.is_dir():
            raise DataSourceError(
                f"the mirror folder {mirror} does not exist. Fix: point --mirror / {MIRROR_ENV} "
                "at the folder that holds the dataset files."
            )
        source = _find_in_mirror(mirror, dataset, spec)
        if source is None:
            raise DataSourceError(
                f"{dataset.id}: the mirror {mirror} has no file {spec.name!r} (looked in "
                f"{mirror / dataset.mirror_dir} and below {mirror}). Fix: copy the file there, "
                f"from {dataset.landing}."
            )
        _check_size(source.stat().st_size, spec, str(source))  # before a single byte is copied
        found = source

        def copy(tmp: Path) -> None:
            shutil.copyfile(found, tmp)

        _install(copy, target, spec, str(source))
        return FetchResult(dataset.id, spec.name, "copied", str(source))
    limit = spec.size if spec.size is not None else MAX_FILE_BYTES
    try:
        _install(lambda tmp: _download(spec.url, tmp, max_bytes=limit), target, spec, spec.url)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise DataSourceError(
            f"{dataset.id}: could not download {spec.name} from {spec.url} ({exc}) and no mirror "
            f"is set. Fix: connect to the internet, or copy the files to a folder and pass "
            f"--mirror DIR (or set {MIRROR_ENV}=DIR)."
        ) from exc
    return FetchResult(dataset.id, spec.name, "downloaded", spec.url)


def fetch(
    dataset_ids: Iterable[str] | None = None,
    mirror: Path | None = None,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch and verify datasets (all in the manifest by default).

    A failing required dataset raises :class:`DataSourceError` after the others were tried; a
    failing optional one is reported as ``action="failed"``. A cache folder that cannot be used
    raises at once (the message names the folder and the fix).
    """
    mirror = mirror if mirror is not None else mirror_dir()
    cache_dir()  # an unusable cache folder is one error, before any file is tried
    manifest = _manifest()
    ids = list(dataset_ids) if dataset_ids else list(manifest)
    results: list[FetchResult] = []
    errors: list[str] = []
    for ds_id in ids:
        dataset = get_dataset(ds_id)
        for spec in dataset.files:
            try:
                result = fetch_file(dataset, spec, mirror)
            except (DataSourceError, OSError) as exc:
                detail = str(exc)
                if isinstance(exc, OSError):  # reading the mirror failed half-way
                    detail = (
                        f"{ds_id}: could not copy {spec.name} from the mirror {mirror} ({exc}). "
                        "Fix: check the mirror folder and fetch again."
                    )
                result = FetchResult(ds_id, spec.name, "failed", detail)
                if dataset.required:
                    errors.append(detail)
            results.append(result)
            if on_result:
                on_result(result)
    if errors:
        raise DataSourceError("required data could not be fetched:\n- " + "\n- ".join(errors))
    return results


def dataset_path(dataset_id: str, filename: str) -> Path:
    """The verified cached copy of one dataset file, fetched (from the mirror if set) when missing."""
    dataset = get_dataset(dataset_id)
    spec = next((f for f in dataset.files if f.name == filename), None)
    if spec is None:
        raise DataSourceError(
            f"dataset {dataset_id!r} has no file {filename!r}; it has {[f.name for f in dataset.files]}"
        )
    target = _target(dataset, spec)
    if not _is_verified(target, spec):
        fetch_file(dataset, spec, mirror_dir())
    return target


def dataset_available(dataset_id: str) -> bool:
    """Whether every file of an (optional) dataset is present or can be fetched now."""
    dataset = get_dataset(dataset_id)
    try:
        for spec in dataset.files:
            dataset_path(dataset_id, spec.name)
    except DataSourceError:
        return False
    return True


def describe() -> list[dict[str, Any]]:
    """Title, publisher, licence, attribution and version of every dataset (for About pages)."""
    return [
        {
            "id": d.id,
            "title": d.title,
            "publisher": d.publisher,
            "landing": d.landing,
            "license": d.license,
            "attribution": d.attribution,
            "version": d.version,
            "required": d.required,
        }
        for d in _manifest().values()
    ]
