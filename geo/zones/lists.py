"""The fixed lists in ``data/`` that constructions read: governorate seats and unit lists.

:func:`load_seats` reads ``data/governorate_seats.toml`` (the capital of each governorate, the seat
of its operations room) and :func:`load_unit_list` a list of ADM2/ADM3 units with their sources,
such as ``data/disputed_districts.toml`` (the disputed territories). Both are checked on reading and
cached until the file changes; every problem raises :class:`geo.errors.RulesError` naming the file
and, where it can be found, the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.zones.tomlfile import DATA_DIR, read_toml, stat_key

SEATS_PATH = DATA_DIR / "governorate_seats.toml"
_PCODE_RE = re.compile(r"^IQG\d{2}(Q\d{2}(N\d{2})?)?$")


@dataclass(frozen=True)
class Seat:
    """The capital of a governorate."""

    adm1_pcode: str
    name: str
    name_ar: str
    lat: float
    lon: float
    geonameid: int


@dataclass(frozen=True)
class ListedUnit:
    """One unit of a fixed unit list (the disputed territories)."""

    pcode: str
    name: str
    name_ar: str
    scope: str
    sources: tuple[str, ...]


def load_seats(path: str | Path | None = None) -> dict[str, Seat]:
    """Governorate seats by ADM1 P-code (``data/governorate_seats.toml`` by default)."""
    return _load_seats_cached(*stat_key(Path(path) if path else SEATS_PATH))


@lru_cache(maxsize=4)
def _load_seats_cached(path_str: str, _mtime: int, _size: int) -> dict[str, Seat]:
    doc, where = read_toml(Path(path_str))
    seats = doc.get("seats")
    if not isinstance(seats, dict) or not seats:
        raise where.error("expected [seats.<ADM1 P-code>] tables", "seats")
    out: dict[str, Seat] = {}
    for pcode, body in seats.items():
        table = f"seats.{pcode}"
        if not re.fullmatch(r"IQG\d{2}", pcode):
            raise where.error(f"{pcode!r} is not an ADM1 P-code (IQGnn)", table)
        try:
            seat = Seat(
                pcode,
                str(body["name"]),
                str(body["name_ar"]),
                float(body["lat"]),
                float(body["lon"]),
                int(body["geonameid"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise where.error(
                f"seat {pcode} needs name, name_ar, lat, lon and geonameid ({exc})", table
            ) from exc
        if not (29 <= seat.lat <= 38 and 38 <= seat.lon <= 49):
            raise where.error(f"seat {pcode} at ({seat.lat}, {seat.lon}) is not in Iraq", table, "lat")
        out[pcode] = seat
    return out


def load_unit_list(name: str, *, data_dir: Path | None = None) -> tuple[dict[str, str], list[ListedUnit]]:
    """``(sources, units)`` of a unit list in ``data/`` such as ``disputed_districts.toml``."""
    path = (data_dir or DATA_DIR) / name
    return _load_unit_list_cached(*stat_key(path))


@lru_cache(maxsize=4)
def _load_unit_list_cached(path_str: str, _mtime: int, _size: int) -> tuple[dict[str, str], list[ListedUnit]]:
    doc, where = read_toml(Path(path_str))
    sources_doc = doc.get("sources")
    if not isinstance(sources_doc, dict) or not sources_doc:
        raise where.error("expected [sources.<key>] tables naming the sources of the list", "sources")
    sources: dict[str, str] = {}
    for key, body in sources_doc.items():
        if not isinstance(body, dict) or not isinstance(body.get("title"), str):
            raise where.error(f"source {key!r} needs a title", f"sources.{key}")
        sources[key] = body["title"]
    entries = doc.get("unit")
    if not isinstance(entries, list) or not entries:
        raise where.error("expected [[unit]] entries", "unit")
    units: list[ListedUnit] = []
    seen: set[str] = set()
    for n, body in enumerate(entries):
        try:
            unit = ListedUnit(
                pcode=str(body["pcode"]),
                name=str(body["name"]),
                name_ar=str(body.get("name_ar", "")),
                scope=str(body["scope"]),
                sources=tuple(body["sources"]),
            )
        except (KeyError, TypeError) as exc:
            raise where.error(
                f"unit entry {n + 1} needs pcode, name, scope and sources ({exc})", "unit", nth=n
            ) from exc
        if not _PCODE_RE.match(unit.pcode) or len(unit.pcode) < 8:
            raise where.error(
                f"{unit.pcode!r} is not an ADM2 or ADM3 P-code (IQGnnQnn[Nnn])", "unit", "pcode", nth=n
            )
        if unit.pcode in seen:
            raise where.error(f"{unit.pcode} is listed twice", "unit", "pcode", nth=n)
        seen.add(unit.pcode)
        if not unit.sources or any(s not in sources for s in unit.sources):
            raise where.error(
                f"{unit.pcode}: every source must be one of {sorted(sources)}; got {list(unit.sources)}",
                "unit",
                "sources",
                nth=n,
            )
        units.append(unit)
    return sources, units
