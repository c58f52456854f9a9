"""Zip archives checked before anything reads them: safe member paths, bounded inflation, intact data.

One check serves both the fetch (:mod:`geo.data.sources`) and the boundary reader
(:mod:`geo.data.boundaries`). Nothing is extracted to disk. Inflation is capped twice: from the
central directory (declared sizes: the total and each member's compression ratio) and again while
every member is read through, counting the bytes that really come out, so an archive whose headers
lie about its sizes is stopped too.

Caps (defaults, or the environment variables, or the keyword arguments of :func:`check_zip`):

* :data:`ZIP_MAX_BYTES` (``ZONE_ATLAS_ZIP_MAX_BYTES``): total uncompressed size, 2 GiB;
* :data:`ZIP_MAX_RATIO` (``ZONE_ATLAS_ZIP_MAX_RATIO``): uncompressed / compressed size of a member
  larger than :data:`RATIO_MIN_BYTES`, 200 (real shapefile archives stay below 20).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

from geo import config
from geo.errors import DataSourceError, ZoneAtlasError

ZIP_MAX_BYTES_ENV = "ZONE_ATLAS_ZIP_MAX_BYTES"
ZIP_MAX_RATIO_ENV = "ZONE_ATLAS_ZIP_MAX_RATIO"
#: Largest total uncompressed size of an archive (bytes).
ZIP_MAX_BYTES = config.ZIP_MAX_BYTES
#: Largest compression ratio of one member.
ZIP_MAX_RATIO = config.ZIP_MAX_RATIO
#: Members smaller than this are never refused for their ratio (a small file cannot be a bomb).
RATIO_MIN_BYTES = 1 << 20
_BLOCK = 1 << 20


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        msg = f"{name} must be a positive number, got {value!r}."
        raise DataSourceError(msg)
    return number


def zip_limits(*, max_bytes: int | None = None, max_ratio: float | None = None) -> tuple[int, float]:
    """The caps in force: the arguments when given, else the environment, else the defaults."""
    total = max_bytes if max_bytes is not None else int(_env_number(ZIP_MAX_BYTES_ENV, ZIP_MAX_BYTES))
    ratio = max_ratio if max_ratio is not None else _env_number(ZIP_MAX_RATIO_ENV, ZIP_MAX_RATIO)
    return total, ratio


def _bomb(label: str, member: str, what: str, error: type[ZoneAtlasError]) -> ZoneAtlasError:
    return error(
        f"{label}: zip member {member!r} {what}; refusing the archive (a zip bomb, or not the "
        f"expected file). Fix: get a clean copy from its publisher; if the file is genuine, raise the "
        f"cap with {ZIP_MAX_BYTES_ENV} / {ZIP_MAX_RATIO_ENV}."
    )


def _check_declared(
    infos: list[zipfile.ZipInfo], label: str, total_cap: int, ratio_cap: float, error: type[ZoneAtlasError]
) -> None:
    """Refuse what the central directory already tells: unsafe paths, too large, too compressed."""
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise error(
                f"{label}: the zip holds an unsafe member path {name!r} (absolute or with "
                "'..'); refusing it. Fix: get a clean copy of the file from its publisher."
            )
        total += info.file_size
        if total > total_cap:
            raise _bomb(
                label,
                name,
                f"brings the declared uncompressed size to {total} bytes, over the cap of {total_cap}",
                error,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > ratio_cap:
            raise _bomb(
                label,
                name,
                f"declares {info.file_size} bytes from {info.compress_size} "
                f"compressed (ratio {ratio:.0f}, cap {ratio_cap:g})",
                error,
            )


def _read_through(
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    label: str,
    total_cap: int,
    ratio_cap: float,
    error: type[ZoneAtlasError],
) -> None:
    """Inflate every member into nothing, counting bytes: the caps hold whatever the headers say."""
    total = 0
    for info in infos:
        name, out = info.filename, 0
        try:
            with zf.open(info) as fh:
                while block := fh.read(_BLOCK):
                    out += len(block)
                    total += len(block)
                    if out > info.file_size:
                        raise _bomb(
                            label,
                            name,
                            f"inflates past the {info.file_size} bytes its header declares",
                            error,
                        )
                    if total > total_cap:
                        raise _bomb(
                            label, name, f"inflates the archive past the cap of {total_cap} bytes", error
                        )
                    if out > RATIO_MIN_BYTES and out / max(info.compress_size, 1) > ratio_cap:
                        raise _bomb(
                            label,
                            name,
                            f"inflates {info.compress_size} compressed bytes past "
                            f"{out} (ratio over {ratio_cap:g})",
                            error,
                        )
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise error(
                f"{label}: zip member {name!r} is corrupt (truncated or damaged), or its content does not "
                f"match its header ({exc}). Fix: fetch the file again."
            ) from exc
        except (RuntimeError, NotImplementedError) as exc:  # encrypted, or an unknown compression
            msg = f"{label}: zip member {name!r} cannot be read ({exc}); expected a plain zip."
            raise error(msg) from exc


def check_zip(
    path: Path,
    label: str,
    error: type[ZoneAtlasError] = DataSourceError,
    *,
    max_bytes: int | None = None,
    max_ratio: float | None = None,
) -> list[str]:
    """The member names of a zip, once it is known to be safe to read. Nothing is extracted.

    Refused with ``error``: unsafe member paths (absolute, ``..``, drive letters); corrupt or
    truncated archives; a total uncompressed size over ``max_bytes`` or a member compressed more
    than ``max_ratio`` (see :func:`zip_limits`), checked from the central directory and again
    while every member is inflated (and its CRC checked), so lying headers are caught.

    Examples
    --------
    >>> check_zip(Path("adm1_shp.zip"), "adm1_shp.zip", max_bytes=100 << 20)  # doctest: +SKIP
    ['adm1.shp', 'adm1.shx', 'adm1.dbf', 'adm1.prj']
    """
    total_cap, ratio_cap = zip_limits(max_bytes=max_bytes, max_ratio=max_ratio)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_declared(infos, label, total_cap, ratio_cap, error)
            _read_through(zf, infos, label, total_cap, ratio_cap, error)
    except zipfile.BadZipFile as exc:
        raise error(
            f"{label}: not a readable zip ({exc}); the file is truncated or corrupt. "
            "Fix: delete it and fetch or copy it again."
        ) from exc
    return [info.filename for info in infos]
