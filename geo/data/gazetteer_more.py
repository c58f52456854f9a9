"""The larger sources of the gazetteer: physical features, Iraqi villages, places abroad.

Three steps of :func:`geo.data.gazetteer_build.build_gazetteer`, kept apart from the builder's core
(admin units, countries, regions, towns, aliases) because each reads one larger source:

* :func:`add_features`: ``data/physical_features.toml`` (mountains, rivers, lakes, wadis, plains,
  named regions; written by hand, every coordinate with its source). A long feature has several
  points; each point is one entry placed in its COD-AB governorate, so that the resolver's
  governorate coherence picks the stretch of the Tigris the article is about. A feature's
  ``bare`` forms (the names of admin units it shares: "ديالى", "سنجار") are never indexed alone;
* :func:`add_wof`: the Who's On First records of Iraqi populated places (22,900 GeoNames
  P-class rows). A row whose GeoNames id or (name, point within :data:`MERGE_KM`) the gazetteer
  already has lends its names to that entry; the others become ``cue`` entries: villages,
  hamlets and neighbourhoods are taken only with support (see :mod:`geo.text.candidates`);
* :func:`add_world`: GeoNames cities500 (worldwide). Kept: the capitals of
  :data:`CAPITAL_COUNTRIES` (taken on their name), cities of at least
  :data:`WORLD_MIN_POP` in those countries, and the towns of Iraq's neighbours within
  :data:`BORDER_KM` of Iraq or of at least :data:`NEIGHBOUR_TOWN_POP` people (both need their
  country named in the article: strength ``foreign``).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.data.gazetteer_model import Entry
from geo.data.gazetteer_names import (
    DATA_DIR,
    ascii_name,
    clean_name,
    haversine_km,
    read_toml,
    usable_alternate,
)
from geo.errors import RulesError
from geo.text.normalize import fold, has_arabic

if TYPE_CHECKING:
    from geo.data.gazetteer_build import _Builder

log = logging.getLogger(__name__)

FEATURES_FILE = DATA_DIR / "physical_features.toml"
WOF_FILE = ("iraq_places_wof", "wof_admin_iq_places.tsv")
WORLD_FILE = ("geonames_cities500_world", "cities500.zip")

#: Feature types read as named regions (kind ``region``); the others are points (kind ``other``).
REGION_TYPES = frozenset({"plain", "desert", "region"})
#: Other places no dataset has (a camp abroad, a border crossing): points of kind ``other``.
PLACE_TYPES = frozenset({"camp", "crossing"})
_POINT_TYPES = frozenset({"mountain", "range", "hill", "river", "lake", "dam", "wadi", "marsh"})
FEATURE_TYPES = _POINT_TYPES | REGION_TYPES | PLACE_TYPES
#: A WOF row sharing a name with an entry closer than this is that entry (km).
MERGE_KM = 5.0
#: Capitals of these countries are taken on their name alone; their big cities too.
CAPITAL_COUNTRIES = frozenset(
    "SY TR IR JO SA KW QA AE BH OM YE LB IL PS EG US GB FR DE RU CN AZ AM GE AF PK BE AT CH".split()  # noqa: SIM905
)
#: Smallest city of :data:`CAPITAL_COUNTRIES` (other than the neighbours) that is kept.
WORLD_MIN_POP = 300_000
#: Iraq's neighbours, whose border towns are kept.
NEIGHBOURS = frozenset({"SY", "TR", "IR", "JO", "SA", "KW"})
#: Towns of the neighbours this close to Iraq are kept (km from the nearest Iraqi point tested).
BORDER_KM = 120.0
#: Towns of the neighbours at least this large are kept wherever they are.
NEIGHBOUR_TOWN_POP = 20_000
#: Least population of a neighbour's border town that is kept.
BORDER_MIN_POP = 1_000
_KURDISH_LETTERS = "پچژگکیەێۆڕڵ"


# --- physical features ---------------------------------------------------------------------------


def read_features(path: Path = FEATURES_FILE) -> list[dict[str, Any]]:
    """The ``[[feature]]`` tables of ``path``, checked (raises :class:`RulesError`)."""
    features = read_toml(path).get("feature", [])
    seen: set[str] = set()
    for n, f in enumerate(features):
        where = f"{path}: feature {n} ({f.get('id', '?')})"
        missing = [k for k in ("id", "type", "name", "name_ar", "names", "points", "source") if not f.get(k)]
        if missing:
            raise RulesError(f"{where}: expected the fields {missing} to be filled.")
        if f["type"] not in FEATURE_TYPES:
            raise RulesError(f"{where}: type must be one of {sorted(FEATURE_TYPES)}, got {f['type']!r}.")
        if f["id"] in seen:
            raise RulesError(f"{where}: the id {f['id']!r} is used twice.")
        seen.add(f["id"])
        for pt in f["points"]:
            ok = isinstance(pt, list) and len(pt) == 2 and 28.0 <= pt[0] <= 38.5 and 38.0 <= pt[1] <= 49.5
            if not ok:
                raise RulesError(f"{where}: each point must be [lat, lon] in or near Iraq, got {pt!r}.")
    return features


def add_features(builder: _Builder, path: Path = FEATURES_FILE) -> int:
    """Add every point of every feature of ``path``; returns the number of entries added."""
    added = 0
    for f in read_features(path):
        bare = {fold(b) for b in f.get("bare", [])}
        names = [n for n in [*f["names"], f["name"], f["name_ar"]] if fold(n) not in bare]
        region = f["type"] in REGION_TYPES
        points = f["points"]
        for n, (lat, lon) in enumerate(points):
            where = builder._locate(lat, lon) if f.get("country", "IQ") == "IQ" else None
            entry = Entry(
                id=f"feature:{f['id']}" if len(points) == 1 else f"feature:{f['id']}:{n}",
                name=f["name"],
                name_ar=f["name_ar"],
                kind="region" if region else "other",
                country=f.get("country", "IQ"),
                lat=float(lat),
                lon=float(lon),
                level=-1 if region else 6,
                governorate=where[3] if where else None,
                governorate_pcode=where[2] if where else None,
                district_pcode=None if region else (where[1] if where else None),
                subdistrict_pcode=None if region else (where[0] if where else None),
                dataset="physical_features",
                strength="strong" if f.get("country", "IQ") == "IQ" else "foreign",
                vague=region,
            )
            builder._add(entry, names)
            added += 1
    return added


# --- Iraqi villages (Who's On First) --------------------------------------------------------------


def wof_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of the WOF table (no quoting: the file is tab-separated with no quotes)."""
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def wof_names(row: dict[str, str]) -> list[str]:
    """The names of a WOF row worth indexing: its name, GeoNames names, Arabic and Kurdish forms."""
    names = [row.get("wof_name", ""), row.get("gn_name", ""), row.get("gn_asciiname", "")]
    for col in ("names_ara", "names_ckb", "names_kur", "names_eng"):
        names.extend(x for x in (row.get(col) or "").split("|") if x)
    out: list[str] = []
    for n in names:
        n = n.strip()
        if n and (has_arabic(n) or usable_alternate(n)) and n not in out:
            out.append(n)
    return out


def _float(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:
        return 0.0


def add_wof(builder: _Builder, path: Path) -> int:
    """Merge the WOF places into the gazetteer; returns the number of new (cue) entries."""
    by_id = {e.id: i for i, e in enumerate(builder.entries)}
    by_name: dict[str, list[int]] = {}
    for i, known in enumerate(builder.names):
        if builder.entries[i].level >= 4 and builder.entries[i].country == "IQ":
            for n in known:
                by_name.setdefault(fold(n), []).append(i)
    added = 0
    for row in wof_rows(path):
        if row.get("wof_placetype") not in ("locality", "neighbourhood") or row.get("edtf_deprecated"):
            continue
        lat, lon = _float(row.get("latitude")), _float(row.get("longitude"))
        names = wof_names(row)
        if not names or not (29.0 <= lat <= 37.5 and 38.7 <= lon <= 48.7):
            continue
        gid = row.get("gn_geonameid", "").split(".")[0]
        twin = by_id.get(f"gn:{gid}") if gid else None
        if twin is None:
            keys = {fold(n) for n in names}
            twin = next(
                (
                    i
                    for k in keys
                    for i in by_name.get(k, ())
                    if haversine_km(builder.entries[i].lat, builder.entries[i].lon, lat, lon) < MERGE_KM
                ),
                None,
            )
        if twin is not None:
            builder.names[twin].update(n for n in (clean_name(x) for x in names) if n)
            continue
        where = builder._locate(lat, lon)
        pop = int(_float(row.get("gn_population")))
        arabic = [n for n in names if has_arabic(n) and not any(ch in n for ch in _KURDISH_LETTERS)]
        neighbourhood = row.get("wof_placetype") == "neighbourhood"
        entry = Entry(
            id=f"wof:{row['wof_id']}",
            name=ascii_name(row.get("gn_name") or row.get("wof_name") or names[0]),
            name_ar=clean_name(arabic[0]) if arabic else "",
            kind="other" if neighbourhood else ("town" if pop >= 2_000 else "village"),
            country="IQ",
            lat=lat,
            lon=lon,
            level=5,
            governorate=where[3] if where else None,
            governorate_pcode=where[2] if where else None,
            district_pcode=where[1] if where else None,
            subdistrict_pcode=where[0] if where else None,
            population=pop,
            dataset="whosonfirst",
            strength="cue",
        )
        i = builder._add(entry, names)
        for n in builder.names[i]:
            by_name.setdefault(fold(n), []).append(i)
        added += 1
    return added


# --- places abroad (GeoNames cities500) -----------------------------------------------------------


def world_rows(path: Path) -> Iterator[list[str]]:
    """The rows of the zipped cities500 table (headerless GeoNames TSV, 19 columns)."""
    from geo.data import sources

    spec = next(f for f in sources.get_dataset(WORLD_FILE[0]).files if f.name == WORLD_FILE[1])
    with sources.open_table(path, spec) as fh:
        for cols in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(cols) >= 15:
                yield cols


def keep_abroad(country: str, code: str, pop: int, border_km: float) -> str | None:
    """The strength a place abroad is kept with (``None``: not kept). Pure, for tests."""
    if country == "IQ" or country not in CAPITAL_COUNTRIES:
        return None
    if code == "PPLC":
        return "strong"
    if country in NEIGHBOURS:
        seat = code.startswith("PPLA")  # GeoNames gives many district seats no population
        if pop >= NEIGHBOUR_TOWN_POP or (border_km <= BORDER_KM and (pop >= BORDER_MIN_POP or seat)):
            return "strong" if pop >= 1_000_000 else "foreign"
        return None
    if pop >= WORLD_MIN_POP:
        return "strong" if pop >= 1_000_000 else "foreign"
    return None


def _world_kind(code: str, pop: int) -> str:
    if code in ("PPLC", "PPLA") or pop >= 100_000:
        return "city"
    return "town" if pop >= 2_000 else "village"


def add_world(builder: _Builder, path: Path) -> int:
    """Add the places abroad of cities500 that :func:`keep_abroad` keeps; returns how many."""
    import shapely

    iraq = builder._adm_geoms.get("IQ")
    have = {e.id for e in builder.entries}
    added = 0
    for cols in world_rows(path):
        country, code = cols[8], cols[7]
        if country not in CAPITAL_COUNTRIES or f"gn:{cols[0]}" in have:
            continue
        try:
            lat, lon, pop = float(cols[4]), float(cols[5]), int(cols[14] or 0)
        except ValueError:
            continue
        border = 1e9
        if (
            country in NEIGHBOURS
            and iraq is not None
            and pop < NEIGHBOUR_TOWN_POP
            and (pop >= BORDER_MIN_POP or code.startswith("PPLA"))
        ):
            border = float(iraq.distance(shapely.Point(lon, lat))) * 100.0  # degrees -> ~km
        strength = keep_abroad(country, code, pop, border)
        if strength is None:
            continue
        alternates = [a for a in cols[3].split(",") if a]
        # Arabic-script names of places beyond the neighbours are often Persian, Urdu or Kurdish
        # words (بکەن, وهو): kept only for the neighbours and capitals, never with Kurdish letters
        arabic_ok = country in NEIGHBOURS or code == "PPLC" or pop >= 1_000_000
        names = [cols[1], cols[2]] + [
            a
            for a in alternates
            if arabic_ok and has_arabic(a) and not any(ch in a for ch in _KURDISH_LETTERS)
        ]
        arabic = [n for n in names if has_arabic(n) and not any(ch in n for ch in _KURDISH_LETTERS)]
        entry = Entry(
            id=f"gn:{cols[0]}",
            name=ascii_name(cols[2] or cols[1]),
            name_ar=clean_name(arabic[0]) if arabic else "",
            kind=_world_kind(code, pop),
            country=country,
            lat=lat,
            lon=lon,
            level=4,
            population=pop,
            dataset="geonames_cities500",
            strength=strength,
        )
        builder._add(entry, names)
        have.add(entry.id)
        added += 1
    return added


def describe_counts(counts: dict[str, int]) -> str:
    """One line naming what each larger source added (for the build log)."""
    return json.dumps(counts, sort_keys=True)
