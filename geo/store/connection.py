"""Opening the store's DuckDB file: the spatial extension from its package, locks, and clear refusals.

The spatial extension is the ``.duckdb_extension`` file shipped inside the ``duckdb-extension-spatial``
package, loaded by path (``LOAD '<path>'``); DuckDB never downloads or auto-loads an extension
here (``autoinstall_known_extensions`` and ``autoload_known_extensions`` are off).

Before DuckDB sees an existing file, its header is checked: a file that is not a DuckDB database
(random bytes, an empty file, another program's file under the store's name) is refused and left
as it is, never overwritten. A store folder that cannot be created or written to (read-only,
full disk) is refused with the path and the fix before anything is written. A store another
process is writing to is waited for (``lock_timeout``), then refused with that process's id.

Examples
--------
>>> con = connect(Path("store/zone-atlas.duckdb"), read_only=False)  # doctest: +SKIP
>>> con.execute("SELECT ST_AsText(ST_Point(44.4, 33.3))").fetchone()  # doctest: +SKIP
('POINT (44.4 33.3)',)
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.files import describe_os_error, is_disk_full

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)

#: The store's database file, inside the store folder.
STORE_FILE = "zone-atlas.duckdb"
#: Bytes 8-11 of every DuckDB database file.
DUCKDB_MAGIC = b"DUCK"
#: Settings every connection is opened with: no extension is fetched or loaded behind our back.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
#: Seconds to wait for another process's lock on the store before giving up.
LOCK_TIMEOUT = 10.0
_FIX_FOLDER = "Fix: make the folder writable, free space, or choose another store with --store DIR"
_FIX_FOLDER += " (or $ZONE_ATLAS_STORE)."


@lru_cache(maxsize=1)
def spatial_extension_path() -> Path:
    """The spatial extension file of the installed ``duckdb-extension-spatial`` package.

    Raises
    ------
    StoreError
        The package is missing, holds no extension file, or was built for another DuckDB.
    """
    import duckdb

    wanted = f"pip install duckdb-extension-spatial=={duckdb.__version__}"
    try:
        import duckdb_extension_spatial as package
    except ImportError as exc:
        msg = f"the DuckDB spatial extension is not installed. Fix: {wanted}"
        raise StoreError(msg) from exc
    folder = Path(package.__file__).parent
    found = sorted(folder.rglob("spatial.duckdb_extension"))
    if not found:
        msg = f"no spatial.duckdb_extension file in {folder}. Fix: {wanted} --force-reinstall"
        raise StoreError(msg)
    mine = [p for p in found if p.parent.name == f"v{duckdb.__version__}"]
    if not mine:
        built_for = ", ".join(p.parent.name for p in found)
        msg = f"the spatial extension in {folder} is for DuckDB {built_for}, not v{duckdb.__version__}. Fix: {wanted}"
        raise StoreError(msg)
    return mine[0]


def check_folder(folder: Path) -> None:
    """Create ``folder`` if needed and check that a file can be written in it.

    Raises :class:`StoreError` naming the folder, the reason and the fix; nothing is left behind.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"cannot create the store folder {folder}: {describe_os_error(exc, folder)}. {_FIX_FOLDER}"
        raise StoreError(msg) from exc
    if not folder.is_dir():
        msg = f"the store path {folder} is a file, expected a folder. {_FIX_FOLDER}"
        raise StoreError(msg)
    try:
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        why = "disk full" if is_disk_full(exc, folder) else describe_os_error(exc, folder)
        msg = f"the store folder {folder} cannot be written ({why}); nothing was written. {_FIX_FOLDER}"
        raise StoreError(msg) from exc


def check_file(path: Path) -> None:
    """Refuse an existing ``path`` that is not a DuckDB database (it is left untouched)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except FileNotFoundError:
        return
    except OSError as exc:
        msg = f"cannot read the store file {path} ({exc.strerror or exc})."
        raise StoreError(msg) from exc
    if head[8:12] != DUCKDB_MAGIC:
        what = "an empty file" if not head else f"not a DuckDB database (it starts with {head[:12]!r})"
        msg = (
            f"the store file {path} is {what}; it was left as it is. Fix: move it away (it may be "
            "another program's file or a damaged copy) or choose another store with --store DIR."
        )
        raise StoreError(msg)


_LOCK_HOLDER = re.compile(r"PID (\d+)")


def connect(path: Path, *, read_only: bool, lock_timeout: float = LOCK_TIMEOUT) -> duckdb.DuckDBPyConnection:
    """A connection to the database file ``path`` with the spatial extension loaded.

    Raises
    ------
    StoreError
        The file is not a DuckDB database, was written by a newer DuckDB, is locked by another
        process for longer than ``lock_timeout`` seconds, or its folder cannot be written.
    """
    import duckdb

    if read_only and not path.exists():
        msg = f"no store at {path}. Fix: ingest articles first (python -m geo ingest FILES --store DIR)."
        raise StoreError(msg)
    if not read_only:
        check_folder(path.parent)
    check_file(path)
    extension = spatial_extension_path()
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=dict(CONFIG))
            break
        except duckdb.IOException as exc:
            text = str(exc)
            if "Could not set lock" in text and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            raise translate(exc, path, doing="open") from exc
        except duckdb.Error as exc:
            raise translate(exc, path, doing="open") from exc
    try:
        con.execute(f"LOAD '{_sql_string(str(extension))}'")
    except duckdb.Error as exc:
        con.close()
        msg = f"cannot load the spatial extension {extension} ({exc}). Fix: pip install --force-reinstall duckdb-extension-spatial"
        raise StoreError(msg) from exc
    return con


def _sql_string(value: str) -> str:
    return value.replace("'", "''")


def translate(exc: BaseException, path: Path, *, doing: str) -> StoreError:
    """A :class:`StoreError` for a DuckDB or OS error met while ``doing`` something with ``path``."""
    text = str(exc)
    lowered = text.lower()
    if "could not set lock" in lowered:
        holder = _LOCK_HOLDER.search(text)
        who = f" (PID {holder.group(1)})" if holder else ""
        return StoreError(
            f"the store {path} is in use by another process{who}. Fix: wait for it to finish, or close "
            "the dashboard or command that holds it."
        )
    if "not a valid duckdb database" in lowered:
        return StoreError(
            f"the store file {path} is not a DuckDB database; it was left as it is. "
            "Fix: move it away or choose another store with --store DIR."
        )
    if "newer version" in lowered or "older version" in lowered or "storage version" in lowered:
        return StoreError(
            f"the store file {path} was written by another version of DuckDB ({text}). "
            "Fix: use the Zone Atlas version that wrote it, or choose another store."
        )
    folder = path.parent
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(f"cannot {doing} the store {path}: {describe_os_error(exc, path)}. {_FIX_FOLDER}")
    if is_disk_full(exc, folder):
        return StoreError(
            f"disk full while writing the store {path}; what was being written was rolled back and "
            f"nothing half-written is kept. {_FIX_FOLDER}"
        )
    if "permission denied" in lowered or "read-only file system" in lowered:
        return StoreError(f"cannot {doing} the store {path} ({text}). {_FIX_FOLDER}")
    return StoreError(f"cannot {doing} the store {path} ({text}).")


@contextlib.contextmanager
def transaction(
    con: duckdb.DuckDBPyConnection, path: Path, *, doing: str
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` ... ``COMMIT`` around the block; rolled back on any error.

    DuckDB and OS errors become :class:`StoreError` (see :func:`translate`), except a clash with
    another transaction, which is raised as it is for the caller to retry (:func:`is_conflict`).
    """
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if is_conflict(exc):
            raise
        if isinstance(exc, duckdb.Error | OSError):
            raise translate(exc, path, doing=doing) from exc
        raise


def is_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is a clash with another transaction, to be run again on the new state.

    DuckDB's write-write conflict, or a duplicate key (two writers adding the same article or
    zone polygon at once: the retry sees the other's row and skips it).
    """
    import duckdb

    text = str(exc).lower()
    if isinstance(exc, duckdb.TransactionException):
        return any(w in text for w in ("conflict", "another transaction", "duplicate key"))
    return isinstance(exc, duckdb.ConstraintException) and "duplicate key" in text
