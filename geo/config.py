"""Zone Atlas settings: typed, with documented defaults, each overridable by an environment variable.

Every setting the library reads lives here; modules take their defaults from these functions and
constants instead of keeping their own. The functions read the environment when they are called;
a module that keeps a setting as a constant (the belt width default, the article size limit)
reads it once, at import.

Paths
-----
``home_dir()``  (``ZONE_ATLAS_HOME``)
    Default: ``zone-atlas`` in the per-user data folder (``$XDG_DATA_HOME``, or ``~/.local/share``).
    What belongs to the people using this installation: the dashboard's accounts (``users.json``,
    see :mod:`geo.accounts`) and, by default, the workspace store.
``store_dir()``  (``ZONE_ATLAS_STORE``)
    Default: ``home_dir() / "store"``: the folder of the workspace database (``zone-atlas.duckdb``,
    see :mod:`geo.store`).
``cache_path()``  (``ZONE_ATLAS_CACHE``)
    Default: ``.cache`` in the repository: downloaded datasets, parsed layers, the gazetteer, the
    map libraries. Checked and created by :mod:`geo.data.cache`.
``mirror_path()``  (``ZONE_ATLAS_MIRROR``)
    Default: none. A local folder holding the public datasets (air-gapped sites); when set, fetch
    copies from it instead of downloading.

Parallel work
-------------
``dask_address()``  (``ZONE_ATLAS_DASK``)
    Default: none. The address of a Dask distributed scheduler (``tcp://host:8786``) that
    ``ingest`` and ``extract`` run on instead of local worker processes.

Analysis
--------
``METRIC_CRS`` (not overridable: the constructions are written for it)
    ``"EPSG:32638"``, UTM zone 38N, the metric CRS every buffer and measurement is made in.
``belt_km()``  (``ZONE_ATLAS_BELT_KM``)
    Default 20.0: width of the security-vacuum belt when the text does not give one.
``review_below()``  (``ZONE_ATLAS_REVIEW_BELOW``)
    Default 0.5: places with a lower confidence are flagged for the analyst's review.

Limits
------
``max_article_bytes()``  (``ZONE_ATLAS_MAX_ARTICLE_BYTES``)
    Default 64 MiB: the largest article file read.
``ZIP_MAX_BYTES`` / ``ZIP_MAX_RATIO``  (``ZONE_ATLAS_ZIP_MAX_BYTES`` / ``ZONE_ATLAS_ZIP_MAX_RATIO``)
    Defaults 2 GiB and 200: caps on inflating a dataset's zip archive (total size; per-member
    ratio), read by :func:`geo.data.archives.zip_limits`.

A value that cannot be read (``ZONE_ATLAS_BELT_KM=wide``) raises :class:`geo.errors.ParameterError`
naming the variable, what it expected and what it found.

Examples
--------
>>> from geo import config
>>> config.home_dir()  # doctest: +SKIP
PosixPath('/home/analyst/.local/share/zone-atlas')
>>> config.belt_km()  # doctest: +SKIP
20.0
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import ParameterError

__all__ = [
    "BELT_KM",
    "CACHE_ENV",
    "DASK_ENV",
    "HOME_ENV",
    "MAX_ARTICLE_BYTES",
    "METRIC_CRS",
    "MIRROR_ENV",
    "REPO_ROOT",
    "REVIEW_BELOW",
    "STORE_ENV",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_RATIO",
    "belt_km",
    "cache_path",
    "dask_address",
    "home_dir",
    "max_article_bytes",
    "mirror_path",
    "review_below",
    "store_dir",
]

#: The repository (or installed source tree) this package lives in.
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable that names the home folder (accounts and other per-installation files).
HOME_ENV = "ZONE_ATLAS_HOME"
#: Environment variable that names the workspace store folder (the corpus database).
STORE_ENV = "ZONE_ATLAS_STORE"
#: Environment variable that names the cache folder (datasets, parsed layers, gazetteer).
CACHE_ENV = "ZONE_ATLAS_CACHE"
#: Environment variable that names a local mirror of the public datasets.
MIRROR_ENV = "ZONE_ATLAS_MIRROR"
#: Environment variable that names a Dask scheduler to run ingest and extract on.
DASK_ENV = "ZONE_ATLAS_DASK"

#: UTM zone 38N: every buffer, band and area is computed in it.
METRIC_CRS = "EPSG:32638"
#: Default width of the security-vacuum belt (km).
BELT_KM = 20.0
#: Places below this confidence are flagged for review.
REVIEW_BELOW = 0.5
#: Largest article file read (bytes).
MAX_ARTICLE_BYTES = 64 * 1024 * 1024
#: Caps on inflating a zip archive: total uncompressed bytes, and the ratio of one member.
ZIP_MAX_BYTES = 2 << 30
ZIP_MAX_RATIO = 200.0


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _env_number(name: str, default: float, *, low: float, high: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        msg = f"{name} must be a number between {low:g} and {high:g}; it is {raw!r}"
        raise ParameterError(msg) from None
    if not low <= value <= high:
        msg = f"{name} must be between {low:g} and {high:g}; it is {value:g}"
        raise ParameterError(msg)
    return value


def home_dir() -> Path:
    """The folder for per-installation files: ``$ZONE_ATLAS_HOME``, else ``$XDG_DATA_HOME/zone-atlas``.

    ``$XDG_DATA_HOME`` counts only when it is an absolute path; otherwise ``~/.local/share`` is used
    (the XDG base directory rule). The folder is not created here; whoever writes into it creates it.
    """
    explicit = _env_path(HOME_ENV)
    if explicit is not None:
        return explicit
    data_home = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "zone-atlas"


def store_dir() -> Path:
    """The folder of the workspace store: ``$ZONE_ATLAS_STORE``, else ``home_dir() / "store"``.

    Not created here; :class:`geo.store.Store` creates it when it opens the store for writing.
    """
    explicit = _env_path(STORE_ENV)
    if explicit is not None:
        return explicit
    return home_dir() / "store"


def cache_path() -> Path:
    """The cache folder as configured (``$ZONE_ATLAS_CACHE``, else ``<repo>/.cache``); not checked."""
    explicit = _env_path(CACHE_ENV)
    return explicit if explicit is not None else REPO_ROOT / ".cache"


def mirror_path() -> Path | None:
    """The local dataset mirror (``$ZONE_ATLAS_MIRROR``), or None when downloads are used."""
    return _env_path(MIRROR_ENV)


def dask_address() -> str | None:
    """The Dask scheduler address (``$ZONE_ATLAS_DASK``, e.g. ``tcp://10.0.0.5:8786``), or None."""
    value = os.environ.get(DASK_ENV, "").strip()
    return value or None


def belt_km() -> float:
    """Default belt width in km (``$ZONE_ATLAS_BELT_KM``, 0.5-100, default 20)."""
    return _env_number("ZONE_ATLAS_BELT_KM", BELT_KM, low=0.5, high=100.0)


def review_below() -> float:
    """Confidence under which a place is flagged for review (``$ZONE_ATLAS_REVIEW_BELOW``, default 0.5)."""
    return _env_number("ZONE_ATLAS_REVIEW_BELOW", REVIEW_BELOW, low=0.0, high=1.0)


def max_article_bytes() -> int:
    """Largest article file read, in bytes (``$ZONE_ATLAS_MAX_ARTICLE_BYTES``, default 64 MiB)."""
    return int(_env_number("ZONE_ATLAS_MAX_ARTICLE_BYTES", MAX_ARTICLE_BYTES, low=1024, high=2**40))
