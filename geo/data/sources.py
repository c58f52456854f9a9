"""Public datasets: where they come from, how they are fetched, and how they are verified.

The manifest is ``data/sources.toml``. Files are downloaded from their publisher, or copied from a
local mirror folder (``--mirror DIR`` or the ``ZONE_ATLAS_MIRROR`` environment variable, for
air-gapped sites), into a git-ignored cache (``ZONE_ATLAS_CACHE``, default ``<repo>/.cache``).
Every file is written to a temporary name, verified, and only then renamed into place, so an
interrupted fetch never leaves a half-written file behind. A verified file gets a stamp; fetching
again does nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.errors import DataSourceError, ZoneAtlasError

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "data" / "sources.toml"
MIRROR_ENV = "ZONE_ATLAS_MIRROR"
CACHE_ENV = "ZONE_ATLAS_CACHE"
STAMP_SUFFIX = ".verified.json"
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset and the checks it must pass."""

    name: str
    url: str
    kind: str  # "vector" or "table"
    sha256: str | None = None
    features: int | None = None
    rows: int | None = None
    columns: tuple[str, ...] = ()
    min_columns: int | None = None
    separator: str = ","
    header: bool = True


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


def cache_dir() -> Path:
    """The root of the git-ignored cache (created on demand)."""
    root = Path(os.environ.get(CACHE_ENV) or REPO_ROOT / ".cache")
    root.mkdir(parents=True, exist_ok=True)
    return root


def mirror_dir() -> Path | None:
    """The mirror folder named by ``ZONE_ATLAS_MIRROR``, if any."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value) if value else None


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
                features=f.get("features"),
                rows=f.get("rows"),
                columns=tuple(f.get("columns", ())),
                min_columns=f.get("min_columns"),
                separator=f.get("separator", ","),
                header=f.get("header", True),
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_zip(path: Path, label: str, error: type[ZoneAtlasError] = DataSourceError) -> list[str]:
    """The member names of a zip, after refusing unsafe paths (absolute, ``..``, drive letters) and
    corrupt or truncated archives with ``error``. Nothing is extracted."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            for name in names:
                if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                    raise error(
                        f"{label}: the zip holds an unsafe member path {name!r} (absolute or with "
                        "'..'); refusing it. Fix: get a clean copy of the file from its publisher."
                    )
            bad = zf.testzip()
    except zipfile.BadZipFile as exc:
        raise error(
            f"{label}: not a readable zip ({exc}); the file is truncated or corrupt. "
            "Fix: delete it and fetch or copy it again."
        ) from exc
    if bad is not None:
        raise error(
            f"{label}: zip member {bad!r} is corrupt (truncated or damaged). Fix: fetch the file again."
        )
    return names


def _check_vector(path: Path, spec: FileSpec, label: str) -> None:
    import pyogrio

    if path.suffix.lower() == ".zip":
        check_zip(path, label)
    try:
        info = pyogrio.read_info(path)
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


def _check_table(path: Path, spec: FileSpec, label: str) -> None:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            quoting = csv.QUOTE_NONE if spec.separator == "\t" else csv.QUOTE_MINIMAL
            reader = csv.reader(fh, delimiter=spec.separator, quoting=quoting)
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


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def _is_verified(path: Path, spec: FileSpec) -> bool:
    stamp = _stamp_path(path)
    if not (path.is_file() and stamp.is_file()):
        return False
    try:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    st = path.stat()
    return (
        meta.get("size") == st.st_size
        and meta.get("mtime_ns") == st.st_mtime_ns
        and (spec.sha256 is None or meta.get("sha256") == spec.sha256)
    )


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


def _download(url: str, dest: Path) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "zone-atlas-fetch"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response, dest.open("wb") as out:
        shutil.copyfileobj(response, out, length=1 << 20)


def _install(produce: Callable[[Path], None], target: Path, spec: FileSpec, label: str) -> None:
    """Write via ``produce`` into a temp file beside ``target``, verify, then rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        produce(tmp)
        digest = verify_file(tmp, spec, label)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    stamp = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "source": label}
    _stamp_path(target).write_text(json.dumps(stamp), encoding="utf-8")


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
        _install(lambda tmp: shutil.copyfile(source, tmp), target, spec, f"{source}")
        return FetchResult(dataset.id, spec.name, "copied", str(source))
    try:
        _install(lambda tmp: _download(spec.url, tmp), target, spec, spec.url)
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
    failing optional one is reported as ``action="failed"``.
    """
    mirror = mirror if mirror is not None else mirror_dir()
    manifest = _manifest()
    ids = list(dataset_ids) if dataset_ids else list(manifest)
    results: list[FetchResult] = []
    errors: list[str] = []
    for ds_id in ids:
        dataset = get_dataset(ds_id)
        for spec in dataset.files:
            try:
                result = fetch_file(dataset, spec, mirror)
            except DataSourceError as exc:
                result = FetchResult(ds_id, spec.name, "failed", str(exc))
                if dataset.required:
                    errors.append(str(exc))
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
