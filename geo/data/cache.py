"""The cache folder and what is kept in it: folders, content hashes, stamps, atomic writes.

The cache (``ZONE_ATLAS_CACHE``, default ``<repo>/.cache``) holds verified dataset files, the
GeoParquet boundary layers, the web-weight layers and the gazetteer. Nothing in it is trusted on
its name alone: every file has a stamp beside it (``<name>.verified.json``) holding the SHA-256 of
its content, and a file whose content no longer hashes to its stamp is treated as absent (fetched
or rebuilt again). Hashes are computed once per process and file version (path, size, mtime,
ctime, inode), so a warm load pays for each file once.

Every write goes through :func:`cache_writer` / :func:`write_cached`: a temporary file in the same
folder, fsync'ed and renamed into place (:mod:`geo.files`), then the stamp. A folder that cannot be
created or written is a :class:`~geo.errors.DataSourceError` naming the folder and the fix.

Examples
--------
>>> from geo.data.cache import cache_subdir, read_verified, write_cached
>>> target = cache_subdir("boundaries") / "layer.parquet"  # doctest: +SKIP
>>> write_cached(target, lambda tmp: frame.to_parquet(tmp))  # doctest: +SKIP
>>> read_verified(target)  # doctest: +SKIP
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from geo import config
from geo.errors import DataSourceError
from geo.files import atomic_path, atomic_write_text

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_ENV = "ZONE_ATLAS_CACHE"
STAMP_SUFFIX = ".verified.json"

_FIX = f"Fix: set {CACHE_ENV} to a writable folder (for example {CACHE_ENV}=$HOME/.cache/zone-atlas)."
#: (path, size, mtime_ns, ctime_ns, inode, device) -> SHA-256, for the life of the process
_HASHES: dict[tuple[str, int, int, int, int, int], str] = {}


class _CacheWriteError(DataSourceError):
    """A write into the cache failed (re-raised by :func:`cache_writer` with the fix)."""


def _where() -> str:
    value = os.environ.get(CACHE_ENV)
    if value:
        return f"{CACHE_ENV}={value}"
    return f"{CACHE_ENV} is unset, so the cache is {REPO_ROOT / '.cache'}"


def _blocking_file(folder: Path) -> Path | None:
    """The first part of ``folder``'s path that exists and is not a folder, if any."""
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def ensure_folder(folder: Path) -> Path:
    """``folder``, created when missing, once it is known to be a folder we may write into.

    Raises
    ------
    DataSourceError
        The folder cannot be created (a part of its path is a file, no permission) or is not
        writable; the message names the folder and how to fix it.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = _blocking_file(folder)
        reason = f"{blocker} is a file, not a folder" if blocker else (exc.strerror or str(exc))
        msg = f"the cache folder {folder} cannot be created: {reason} ({_where()}). {_FIX}"
        raise DataSourceError(msg) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        msg = f"the cache folder {folder} is not writable (no write permission; {_where()}). {_FIX}"
        raise DataSourceError(msg)
    return folder


def cache_dir() -> Path:
    """The root of the git-ignored cache (created on demand; see :func:`ensure_folder`)."""
    return ensure_folder(config.cache_path())


def cache_subdir(*parts: str) -> Path:
    """A folder inside the cache (created on demand)."""
    return ensure_folder(cache_dir().joinpath(*parts))


# --- hashing and stamps --------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's content, read in 1 MiB blocks (no memo; see :func:`file_sha256`)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of ``path``, computed once per process for each version of the file.

    The memo is keyed on the path, size, mtime, ctime, inode and device: an edit that keeps the
    size and restores the mtime still changes the ctime (which no program can set back), so it is
    hashed again.
    """
    st = path.stat()
    key = (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
    known = _HASHES.get(key)
    if known is None:
        known = _HASHES[key] = sha256_of(path)
    return known


def stamp_path(path: Path) -> Path:
    """Where the stamp of ``path`` is kept (beside it)."""
    return path.with_name(path.name + STAMP_SUFFIX)


def read_stamp(path: Path) -> dict[str, Any] | None:
    """The stamp of ``path`` (``None`` when missing or unreadable)."""
    try:
        meta = json.loads(stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def write_stamp(path: Path, digest: str, **extra: Any) -> None:
    """Record ``digest`` (the SHA-256 of ``path``'s content) in ``path``'s stamp, atomically."""
    st = path.stat()
    meta = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns, **extra}
    with _cache_errors(path):
        atomic_write_text(stamp_path(path), json.dumps(meta, ensure_ascii=False), error=_CacheWriteError)


def read_verified(path: Path, expected_sha256: str | None = None) -> bool:
    """Whether ``path`` exists and its content still hashes to its stamp (and to ``expected_sha256``).

    A file that was edited after it was stamped (even keeping its size and mtime) is reported and
    answers ``False``, so the caller fetches or rebuilds it.
    """
    if not path.is_file():
        return False
    meta = read_stamp(path)
    if meta is None:
        return False
    recorded = meta.get("sha256")
    if not isinstance(recorded, str) or (expected_sha256 is not None and recorded != expected_sha256):
        return False
    try:
        if meta.get("size") != path.stat().st_size or file_sha256(path) != recorded:
            log.warning("%s changed since it was verified (sha256 differs from its stamp); not trusted", path)
            return False
    except OSError:
        return False
    return True


# --- atomic writes -------------------------------------------------------------------------------


@contextlib.contextmanager
def _cache_errors(target: Path) -> Iterator[None]:
    try:
        yield
    except _CacheWriteError as exc:
        msg = f"cannot write to the cache folder {target.parent}: {exc} ({_where()}). {_FIX}"
        raise DataSourceError(msg) from exc


@contextlib.contextmanager
def cache_writer(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block succeeds it replaces ``target``.

    The temporary file is fsync'ed and renamed (see :func:`geo.files.atomic_path`); on any error
    ``target`` is as it was and no temporary file is left. An operating-system error while writing
    (disk full, no permission) is a :class:`~geo.errors.DataSourceError` with the fix; errors of
    other kinds raised in the block pass through unchanged. No stamp is written (see
    :func:`write_cached`).
    """
    ensure_folder(target.parent)
    with _cache_errors(target), atomic_path(target, error=_CacheWriteError) as tmp:
        yield tmp


def write_cached(target: Path, write: Callable[[Path], None]) -> str:
    """Write a cache file atomically with ``write(tmp_path)``, then stamp it; returns its SHA-256.

    The stamp is written after the rename: a crash between the two leaves a file without a
    matching stamp, which :func:`read_verified` refuses, so it is rebuilt rather than trusted.
    """
    with cache_writer(target) as tmp:
        write(tmp)
        digest = sha256_of(tmp)
    write_stamp(target, digest)
    return digest
