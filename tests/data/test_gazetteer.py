"""The gazetteer: sources, aliases, regions, caching."""

from __future__ import annotations

import ast
import errno
import json
import os
import re
from pathlib import Path

import pytest

from geo.data import gazetteer
from geo.data.gazetteer import ALIASES_FILE, Gazetteer, load_gazetteer
from geo.data.gazetteer_build import build_gazetteer
from geo.data.gazetteer_names import read_aliases
from geo.errors import DataSourceError, RulesError


@pytest.fixture(scope="module")
def gaz():  # type: ignore[no-untyped-def]
    return load_gazetteer()


def kinds(gaz, name: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(e.kind, e.country) for e in gaz.search(name)]


def test_admin_units_points_and_kurdish_forms(gaz) -> None:  # type: ignore[no-untyped-def]
    assert ("governorate", "IQ") in kinds(gaz, "كركوك")
    assert ("city", "IQ") in kinds(gaz, "كركوك")
    assert kinds(gaz, "کەرکووک") == kinds(gaz, "كركوك")
    assert {"IQG11", "IQG11Q02"} <= {e.id for e in gaz.search("هەولێر")}
    assert {e.id for e in gaz.search("هەولێر")} <= {e.id for e in gaz.search("أربيل")}
    assert {e.id for e in gaz.search("هەولێر")} <= {e.id for e in gaz.search("Hawler")}
    assert kinds(gaz, "سلێمانی") == kinds(gaz, "السليمانية")
    assert kinds(gaz, "دهۆک") == kinds(gaz, "دهوك")
    gov = gaz.entry("IQG13")
    assert gov.name == "Kirkuk" and gov.pcode == "IQG13" and 35 < gov.lat < 36


@pytest.mark.parametrize(
    ("variant", "pcode"),
    [
        ("Salahuddin", "IQG16"),
        ("Saladin", "IQG16"),
        ("Salah ad-Din", "IQG16"),
        ("Nineveh", "IQG15"),
        ("Ninawa", "IQG15"),
        ("Ninewa", "IQG15"),
        ("Makhmour", "IQG11Q04"),
        ("Makhmur", "IQG11Q04"),
        ("Mexmur", "IQG11Q04"),
        ("Tooz", "IQG16Q07"),
        ("Touz", "IQG16Q07"),
        ("Tuz Khurmatu", "IQG16Q07"),
        ("Slemani", "IQG06"),
        ("Erbil", "IQG11"),
        ("Arbil", "IQG11"),
        ("Hawler", "IQG11"),
        ("Duhok", "IQG09"),
        ("Dahuk", "IQG09"),
        ("Sinjar", "IQG15Q07"),
        ("Shingal", "IQG15Q07"),
        ("Tal Afar", "IQG15Q08"),
        ("Telafar", "IQG15Q08"),
        ("التأميم", "IQG13"),
        ("Ta'mim", "IQG13"),
        ("بلدروز", "IQG10Q03N02"),
    ],
)
def test_transliteration_variants_reach_the_unit(gaz, variant: str, pcode: str) -> None:  # type: ignore[no-untyped-def]
    assert pcode in {e.pcode for e in gaz.search(variant)}


def test_every_alias_row_resolves(gaz) -> None:  # type: ignore[no-untyped-def]
    skipped = [n for n in gaz.notes if "aliases.tsv" in n]
    assert skipped == []


def test_kurdistan_region_is_the_union_of_three_governorates(gaz) -> None:  # type: ignore[no-untyped-def]
    region = gaz.entry("region:kurdistan")
    assert region.kind == "region" and set(region.members) == {"IQG09", "IQG11", "IQG06"}
    geom = gaz.geometry("region:kurdistan")
    parts = sum(gaz.geometry(p).area for p in region.members)
    assert geom.area == pytest.approx(parts, rel=1e-6)
    halabja = next(e for e in gaz.search("Halabcha") if e.kind == "district")
    assert region.contains(halabja)
    assert not region.contains(gaz.entry("IQG13"))


def test_neighbours_and_weak_sources(gaz) -> None:  # type: ignore[no-untyped-def]
    for code in ("SY", "IR", "TR", "JO", "SA", "KW", "IQ"):
        assert gaz.entry(f"country:{code}").kind == "country"
    assert gaz.lookup("adj:السوريه") and gaz.lookup("adj:syrian")
    assert any(e.country == "SY" and e.kind == "city" for e in gaz.search("دمشق"))
    assert {e.strength for e in gaz.entries if e.dataset == "iom_dtm"} == {"cue"}
    assert gaz.ambiguous["بلد"] == "word"
    assert gaz.ambiguous["الرياض"] == "namesake"
    assert gaz.ambiguous["sadr"] == "person"


def test_lexicon_words_are_never_names(gaz) -> None:  # type: ignore[no-untyped-def]
    assert gaz.lookup("مدينه") == ()  # GeoNames lists مدينة for Medina
    assert gaz.lookup("محافظه") == ()


def test_a_warm_load_reads_the_cache_and_builds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # its speed is tests/benchmarks/bench_gazetteer.py's to measure
    first = load_gazetteer()
    load_gazetteer.cache_clear()

    def build(_inputs: object) -> None:
        raise AssertionError("the gazetteer was built again although its cache is current")

    monkeypatch.setattr(gazetteer, "build_gazetteer", build)
    try:
        again = load_gazetteer()
    finally:
        load_gazetteer.cache_clear()
    assert again.key == first.key and len(again.entries) == len(first.entries)
    assert again.lookup("كركوك") == first.lookup("كركوك")


def test_alias_table_format_is_checked(tmp_path: Path) -> None:
    assert read_aliases(ALIASES_FILE)
    bad = tmp_path / "aliases.tsv"
    bad.write_text("variant\tcanonical\trestrict\tsource\nKerkuk\tKirkuk\n", encoding="utf-8")
    with pytest.raises(RulesError, match="4 tab-separated columns"):
        read_aliases(bad)
    bad.write_text("name\tplace\n", encoding="utf-8")
    with pytest.raises(RulesError, match="header"):
        read_aliases(bad)


def test_disputed_territories_take_the_core_units_of_the_zones_list(gaz) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    from geo.data.gazetteer import DISPUTED_FILE

    units = tomllib.loads(DISPUTED_FILE.read_text(encoding="utf-8"))["unit"]
    core = {u["pcode"] for u in units if u.get("scope") == "core"}
    region = gaz.entry("region:disputed")
    assert set(region.members) == core and region.vague
    assert region.contains(gaz.entry("IQG11Q04"))  # Makhmour
    assert not region.contains(gaz.entry("IQG11Q02"))  # Erbil district


# --- the cache: plain JSON, stamped, rebuilt when edited, written atomically ------------------------

GEO = Path(__file__).resolve().parents[2] / "geo"
_UNSAFE_CALL = re.compile(
    r"\b(?:pickle|dill|marshal|shelve)\.(?:loads?|dumps?|open|Unpickler)\b|__import__\(.pickle"
)
_UNSAFE_LOADERS = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "shelve", "joblib", "marshal"}


def test_no_pickle_anywhere_in_geo() -> None:
    found = []
    for path in sorted(GEO.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [
                f"{path.relative_to(GEO.parent)}:{node.lineno} imports {n}"
                for n in names
                if n.split(".")[0] in _UNSAFE_LOADERS
            ]
        found += [f"{path.relative_to(GEO.parent)}: {m.group(0)}" for m in _UNSAFE_CALL.finditer(source)]
    assert found == [], "code that unpickles (runs code from a file) is back in geo/"


def _copy(gaz: Gazetteer) -> Gazetteer:
    """A fresh Gazetteer holding the same data (the module fixture is never mutated)."""
    return Gazetteer(
        entries=list(gaz.entries),
        index=dict(gaz.index),
        first_tokens=dict(gaz.first_tokens),
        ambiguous=dict(gaz.ambiguous),
        notes=list(gaz.notes),
        lower_first=gaz.lower_first,
    )


@pytest.fixture(scope="module")
def polygons(gaz) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Two polygons as WKB, read once from the project's cache (before any test cache is set)."""
    import shapely

    return {eid: shapely.to_wkb(gaz.geometry(eid)) for eid in ("IQG13", "region:kurdistan")}


def _shape(polygons: dict[str, bytes], eid: str) -> object:
    import shapely

    return shapely.from_wkb(polygons[eid])


def test_cache_round_trip_in_json(gaz, polygons, tmp_cache: Path) -> None:  # type: ignore[no-untyped-def]
    key = "ab" * 32
    gazetteer.write_cache(key, _copy(gaz), polygons)
    names_path, geometry_path = gazetteer.cache_paths(key)
    assert json.loads(names_path.read_text(encoding="utf-8"))["format"] == gazetteer.CACHE_FORMAT
    assert json.loads(geometry_path.read_text(encoding="utf-8"))["key"] == key
    back = gazetteer.read_cache(key)
    assert back is not None and back.key == key
    assert back.entries == gaz.entries and back.index == gaz.index
    assert back.first_tokens == gaz.first_tokens and back.ambiguous == gaz.ambiguous
    assert back.lower_first == gaz.lower_first and back.notes == gaz.notes
    for derived in ("cue_only", "strong_keys", "strong_first", "cue_first"):  # stored, not derived again
        assert getattr(back, derived) == getattr(gaz, derived) and getattr(gaz, derived), derived
    types = [[type(getattr(e, f)) for f in gazetteer._FIELDS] for e in gaz.entries]
    assert [[type(getattr(e, f)) for f in gazetteer._FIELDS] for e in back.entries] == types
    assert back.entry("region:kurdistan").members == gaz.entry("region:kurdistan").members
    assert back.geometry("IQG13").equals(_shape(polygons, "IQG13"))
    assert back.geometry("gn:0") is None and gazetteer.read_cache("cd" * 32) is None


def test_edited_cache_is_rebuilt_not_trusted(
    gaz, polygons, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    builds: list[object] = []

    def build(inputs: object = None) -> tuple[Gazetteer, dict[str, bytes]]:
        builds.append(inputs)
        return _copy(gaz), polygons

    monkeypatch.setattr(gazetteer, "source_files", lambda: {})
    monkeypatch.setattr(gazetteer, "build_gazetteer", build)
    load_gazetteer.cache_clear()
    try:
        first = load_gazetteer()
        assert len(builds) == 1 and first.entries == gaz.entries
        load_gazetteer.cache_clear()
        assert load_gazetteer().entries == gaz.entries and len(builds) == 1  # warm: from the cache
        names_path, _ = gazetteer.cache_paths(first.key)
        st = names_path.stat()
        text = names_path.read_bytes()
        forged = text.replace(b'"Kirkuk"', b'"Kirkuq"', 1)
        assert forged != text and len(forged) == len(text)
        names_path.write_bytes(forged)
        os.utime(names_path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
        assert gazetteer.read_cache(first.key) is None
        load_gazetteer.cache_clear()
        again = load_gazetteer()
        assert len(builds) == 2 and again.entry("IQG13").name == "Kirkuk"
        assert b'"Kirkuq"' not in names_path.read_bytes()
    finally:
        load_gazetteer.cache_clear()


def test_edited_polygons_are_rebuilt(  # type: ignore[no-untyped-def]
    gaz, polygons, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[object] = []

    def build(inputs: object = None) -> tuple[Gazetteer, dict[str, bytes]]:
        builds.append(inputs)
        return _copy(gaz), polygons

    monkeypatch.setattr(gazetteer, "source_files", lambda: {})
    monkeypatch.setattr(gazetteer, "build_gazetteer", build)
    key = gazetteer.cache_key({})
    gazetteer.write_cache(key, _copy(gaz), polygons)
    _, geometry_path = gazetteer.cache_paths(key)
    geometry_path.write_bytes(geometry_path.read_bytes().replace(b"A", b"B", 1))
    loaded = gazetteer.read_cache(key)
    assert loaded is not None and builds == []
    assert loaded.geometry("IQG13").equals(_shape(polygons, "IQG13"))  # rebuilt, not the edited bytes
    assert len(builds) == 1


def test_failed_cache_write_keeps_the_previous_cache(  # type: ignore[no-untyped-def]
    gaz, polygons, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "ef" * 32
    gazetteer.write_cache(key, _copy(gaz), polygons)
    names_path, geometry_path = gazetteer.cache_paths(key)
    before = (names_path.read_bytes(), geometry_path.read_bytes())
    other = _copy(gaz)
    other.notes = ["a different build"]

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail)
        with pytest.raises(DataSourceError, match="cannot write to the cache folder"):
            gazetteer.write_cache(key, other, polygons)
    assert (names_path.read_bytes(), geometry_path.read_bytes()) == before
    assert not [p for p in names_path.parent.iterdir() if p.name.endswith(".tmp")]
    back = gazetteer.read_cache(key)
    assert back is not None and back.notes == gaz.notes


def test_public_names_stay_importable() -> None:
    import geo.data

    assert geo.data.build_gazetteer is build_gazetteer and geo.data.Gazetteer is Gazetteer
    assert geo.data.Entry is gazetteer.Entry and gazetteer.LEXICON_FILE.name == "geoparser_lexicon.toml"
