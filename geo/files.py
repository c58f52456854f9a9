"""Writing files so that a failure never leaves half a file: atomic writes and export staging.

Every file Zone Atlas writes (exports, caches, ``zones -o``, the store's side files) goes through
this module: the bytes go to a temporary file in the destination's own folder, are flushed and
fsync'ed, and the temporary file is renamed over the destination (atomic on one file system). A
failure (disk full, folder read-only, process killed) leaves the previous file as it was and no
temporary file behind.

Errors are :class:`geo.errors.WriteError` (or the subclass a caller names with ``error=``), with a
message that names the path and says "disk full" when that is the cause.

Examples
--------
>>> from geo.files import atomic_write_text
>>> atomic_write_text("zones.geojson", body)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.errors import WriteError, ZoneAtlasError

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_out_dir",
    "describe_os_error",
    "is_disk_full",
    "staging",
]


#: How GDAL, SQLite and the OS word a full disk (or quota) inside their own error messages.
DISK_FULL_WORDS = ("no space left on device", "disk is full", "disk full", "quota exceeded")
#: Below this many free bytes (or with no free inode) a failed write is put down to a full disk.
NEARLY_FULL_BYTES = 1 << 20


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (or an error it wraps) means the disk under ``folder`` is full.

    GDAL does not always pass the OS error on (a GeoPackage on a full disk can fail with "no such
    table: gpkg_contents"), so a failure on a file system with (almost) no space left counts too.
    """
    current: BaseException | None = exc
    for _ in range(8):  # the chain of causes, however it was raised
        if current is None:
            break
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return True
        if any(words in str(current).lower() for words in DISK_FULL_WORDS):
            return True
        current = current.__cause__ or current.__context__
    try:
        stat = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs on this platform
        return False
    # root may fill the blocks reserved for it, everyone else stops at f_bavail
    blocks = stat.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else stat.f_bavail
    return blocks * stat.f_frsize < NEARLY_FULL_BYTES or bool(stat.f_files and stat.f_favail == 0)


def describe_os_error(exc: OSError, path: str | Path) -> str:
    """A one-line reason for ``exc`` on ``path``: "disk full" for ENOSPC/EDQUOT, else the OS text."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"disk full while writing {path}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write {path} ({exc.strerror or exc})"
    return f"cannot write {path} ({exc.strerror or exc})"


def _fsync_dir(folder: Path) -> None:
    # the rename itself is made durable by syncing the folder (not possible on every platform)
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(
    path: str | Path, *, error: type[ZoneAtlasError] = WriteError, mode: int | None = None
) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block succeeds it replaces ``path``.

    Whatever the block writes to the yielded path is fsync'ed and renamed over ``path``. On an
    error (raised inside the block, or while syncing/renaming) ``path`` is untouched and the
    temporary file is removed. ``mode`` sets the permission bits of the result (default: those of
    a new file under the process umask).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error(describe_os_error(exc, target)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        _fsync_dir(folder)
    except OSError as exc:
        raise error(describe_os_error(exc, target)) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_bytes(
    path: str | Path, data: bytes, *, error: type[ZoneAtlasError] = WriteError, mode: int | None = None
) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); returns ``path``."""
    target = Path(path)
    with atomic_path(target, error=error, mode=mode) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise error(describe_os_error(exc, target)) from exc
    return target


def atomic_write_text(
    path: str | Path,
    text: str,
    *,
    encoding: str = "utf-8",
    error: type[ZoneAtlasError] = WriteError,
    mode: int | None = None,
) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`); returns ``path``."""
    return atomic_write_bytes(path, text.encode(encoding), error=error, mode=mode)


def check_out_dir(out_dir: str | Path, *, error: type[ZoneAtlasError] = WriteError) -> Path:
    """``out_dir`` as a Path once it is known to be an existing folder we can write into."""
    folder = Path(out_dir)
    if not folder.exists():
        msg = f"output folder {folder} does not exist. Fix: create it first (mkdir -p {folder})."
        raise error(msg)
    if not folder.is_dir():
        msg = f"output path {folder} is not a folder."
        raise error(msg)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        msg = f"output folder {folder} is not writable ({exc.strerror or exc}). Fix: choose another folder."
        raise error(msg) from exc
    return folder


@contextlib.contextmanager
def staging(
    out_dir: str | Path, *, error: type[ZoneAtlasError] = WriteError
) -> Iterator[Callable[[str], Path]]:
    """Write files under their final names in a private folder, then rename them all into place.

    Yields ``stage(name) -> Path``, the temporary path to write ``name`` to. When the block ends
    without an error, every staged file that exists is fsync'ed and moved to ``out_dir/name`` (an
    atomic rename on the same file system); on an error nothing is moved and the temporary folder
    is removed.
    """
    folder = check_out_dir(out_dir, error=error)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".zone-atlas-export-", dir=folder))
    except OSError as exc:
        raise error(describe_os_error(exc, folder)) from exc
    names: list[str] = []

    def stage(name: str) -> Path:
        if Path(name).name != name:
            msg = f"export file name must not contain a folder: {name!r}"
            raise error(msg)
        names.append(name)
        return tmp / name

    try:
        yield stage
        staged = [name for name in names if (tmp / name).exists()]
        for name in staged:
            with open(tmp / name, "rb+") as handle:
                os.fsync(handle.fileno())
        for name in staged:
            os.replace(tmp / name, folder / name)
        _fsync_dir(folder)
    except OSError as exc:
        raise error(describe_os_error(exc, folder)) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
