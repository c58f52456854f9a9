"""The gazetteer: sources, aliases, regions, caching."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo.data.gazetteer import ALIASES_FILE, _read_aliases, load_gazetteer
from geo.errors import RulesError


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
        ("Salahuddin", "IQG16"), ("Saladin", "IQG16"), ("Salah ad-Din", "IQG16"),
        ("Nineveh", "IQG15"), ("Ninawa", "IQG15"), ("Ninewa", "IQG15"),
        ("Makhmour", "IQG11Q04"), ("Makhmur", "IQG11Q04"), ("Mexmur", "IQG11Q04"),
        ("Tooz", "IQG16Q07"), ("Touz", "IQG16Q07"), ("Tuz Khurmatu", "IQG16Q07"),
        ("Slemani", "IQG06"), ("Erbil", "IQG11"), ("Arbil", "IQG11"), ("Hawler", "IQG11"),
        ("Duhok", "IQG09"), ("Dahuk", "IQG09"), ("Sinjar", "IQG15Q07"), ("Shingal", "IQG15Q07"),
        ("Tal Afar", "IQG15Q08"), ("Telafar", "IQG15Q08"), ("التأميم", "IQG13"), ("Ta'mim", "IQG13"),
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


def test_warm_load_is_fast() -> None:
    load_gazetteer.cache_clear()
    t0 = time.perf_counter()
    load_gazetteer()
    assert time.perf_counter() - t0 < 1.0


def test_alias_table_format_is_checked(tmp_path: Path) -> None:
    assert _read_aliases(ALIASES_FILE)
    bad = tmp_path / "aliases.tsv"
    bad.write_text("variant\tcanonical\trestrict\tsource\nKerkuk\tKirkuk\n", encoding="utf-8")
    with pytest.raises(RulesError, match="4 tab-separated columns"):
        _read_aliases(bad)
    bad.write_text("name\tplace\n", encoding="utf-8")
    with pytest.raises(RulesError, match="header"):
        _read_aliases(bad)


def test_disputed_territories_take_the_core_units_of_the_zones_list(gaz) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    from geo.data.gazetteer import DISPUTED_FILE

    units = tomllib.loads(DISPUTED_FILE.read_text(encoding="utf-8"))["unit"]
    core = {u["pcode"] for u in units if u.get("scope") == "core"}
    region = gaz.entry("region:disputed")
    assert set(region.members) == core and region.vague
    assert region.contains(gaz.entry("IQG11Q04"))  # Makhmour
    assert not region.contains(gaz.entry("IQG11Q02"))  # Erbil district
