"""geo.data.boundaries: the canonical admin layers and every way a boundary file can be wrong."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.data import boundaries
from geo.errors import BoundaryError

EXPECTED_COUNTS = {0: 1, 1: 18, 2: 101, 3: 294}


def _synthetic(level: int = 1, crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    """Two tiny adjacent governorates in COD-AB's schema."""
    return gpd.GeoDataFrame(
        {
            "ADM1_EN": ["West", "East"],
            "ADM1_AR": ["غرب", "شرق"],
            "ADM1_PCODE": ["XXG01", "XXG02"],
            "ADM0_PCODE": ["XX", "XX"],
        },
        geometry=[box(44.0, 33.0, 44.5, 33.5), box(44.5, 33.0, 45.0, 33.5)],
        crs=crs,
    )


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_levels_are_canonical(level: int) -> None:
    gdf = boundaries.load_level(level)
    assert len(gdf) == EXPECTED_COUNTS[level]
    assert list(gdf.columns) == boundaries.canonical_columns(level) + ["geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert gdf["pcode"].is_unique
    assert (gdf["name_ar"].str.len() > 0).all()
    if level >= 1:
        assert gdf["adm1_pcode"].str.match(r"^IQG\d\d$").all()


def test_hierarchy_is_consistent() -> None:
    adm2 = boundaries.load_level(2)
    adm3 = boundaries.load_level(3)
    assert set(adm3["parent_pcode"]) == set(adm2["pcode"])
    assert (adm3.apply(lambda r: r["pcode"].startswith(r["adm2_pcode"]), axis=1)).all()
    makhmour = adm2[adm2["name_en"] == "Makhmour"].iloc[0]
    assert makhmour["adm1_en"] == "Erbil" and makhmour["name_ar"] == "مخمور"


def test_load_level_returns_independent_copies() -> None:
    first = boundaries.load_level(1)
    first.loc[0, "name_en"] = "changed"
    assert boundaries.load_level(1).loc[0, "name_en"] != "changed"


def test_invalid_level_is_refused() -> None:
    with pytest.raises(BoundaryError, match="must be one of"):
        boundaries.load_level(4)


def test_reprojected_layer_is_brought_back_to_wgs84(tmp_path: Path) -> None:
    src = _synthetic().to_crs("EPSG:32638")
    path = tmp_path / "utm.gpkg"
    src.to_file(path, driver="GPKG")
    gdf = boundaries.read_boundary_file(path)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["pcode"]) == ["XXG01", "XXG02"]
    west = gdf.geometry.iloc[0]
    assert west.bounds == pytest.approx((44.0, 33.0, 44.5, 33.5), abs=1e-6)


def test_invalid_geometry_is_repaired(tmp_path: Path) -> None:
    bowtie = Polygon([(44, 33), (45, 34), (45, 33), (44, 34), (44, 33)])
    src = _synthetic()
    src.loc[0, "geometry"] = bowtie
    path = tmp_path / "bowtie.geojson"
    src.to_file(path, driver="GeoJSON")
    gdf = boundaries.read_boundary_file(path)
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry.iloc[0].area == pytest.approx(0.5, rel=1e-6)


def test_zipped_and_plain_shapefiles_are_read(tmp_path: Path) -> None:
    shp = tmp_path / "gov.shp"
    _synthetic().to_file(shp)
    assert len(boundaries.read_boundary_file(shp)) == 2
    archive = tmp_path / "gov_shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("gov.*"):
            zf.write(part, part.name)
    assert len(boundaries.read_boundary_file(archive)) == 2


def test_shapefile_without_prj_is_refused(tmp_path: Path) -> None:
    shp = tmp_path / "gov.shp"
    _synthetic().to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryError, match="no .prj"):
        boundaries.read_boundary_file(shp)
    archive = tmp_path / "noprj.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("gov.*"):
            zf.write(part, part.name)
    with pytest.raises(BoundaryError, match="no .prj"):
        boundaries.read_boundary_file(archive)


def test_layer_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="crs"):
        _synthetic(crs=None).to_file(path, driver="GPKG")
    with pytest.raises(BoundaryError, match="declares no CRS"):
        boundaries.read_boundary_file(path)


def test_empty_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.gpkg"
    _synthetic().iloc[:0].to_file(path, driver="GPKG")
    with pytest.raises(BoundaryError, match="empty"):
        boundaries.read_boundary_file(path)


def test_layer_without_name_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "unnamed.geojson"
    _synthetic().rename(columns={"ADM1_EN": "NAME", "ADM1_PCODE": "CODE"}).to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryError, match="expected COD-AB name columns"):
        boundaries.read_boundary_file(path)


def test_corrupt_and_unsafe_zips_are_refused(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(BoundaryError, match="truncated or corrupt"):
        boundaries.read_boundary_file(truncated)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.shp", b"x")
    with pytest.raises(BoundaryError, match="unsafe member path"):
        boundaries.read_boundary_file(evil)


def test_unsupported_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gov.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(BoundaryError, match="unsupported boundary format"):
        boundaries.read_boundary_file(path)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_web_layers_keep_shared_edges(level: int) -> None:
    full = boundaries.load_level(level)
    web = boundaries.load_level(level, web=True)
    assert list(web["pcode"]) == list(full["pcode"])
    assert web.geometry.is_valid.all()
    n_full = shapely.get_num_coordinates(full.geometry.values).sum()
    n_web = shapely.get_num_coordinates(web.geometry.values).sum()
    assert n_web < 0.6 * n_full
    union = shapely.union_all(web.geometry.values)
    parts = getattr(union, "geoms", [union])
    assert sum(len(p.interiors) for p in parts) == 0, "gaps between simplified neighbours"
    overlap = shapely.area(web.geometry.values).sum() - union.area
    assert overlap < 1e-6, "simplified neighbours overlap"


def test_cache_is_keyed_on_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "gov.geojson"
    _synthetic().to_file(path, driver="GeoJSON")
    first = boundaries.load_file_cached(path, 1)
    calls: list[Path] = []
    real = boundaries.read_boundary_file
    monkeypatch.setattr(boundaries, "read_boundary_file", lambda p, lvl=None: calls.append(p) or real(p, lvl))
    second = boundaries.load_file_cached(path, 1)
    assert calls == [] and second.equals(first)
    changed = _synthetic()
    changed.loc[0, "ADM1_EN"] = "Renamed"
    changed.to_file(path, driver="GeoJSON")
    third = boundaries.load_file_cached(path, 1)
    assert calls == [path] and "Renamed" in set(third["name_en"])


def test_neighbours_layer_when_present() -> None:
    syria = boundaries.load_neighbours(0)
    assert syria is not None and len(syria) == 1 and syria["country"].iloc[0] == "SY"
    assert syria.crs.to_epsg() == 4326


def test_import_geo_does_not_import_streamlit() -> None:
    code = (
        "import sys, geo, geo.data.sources, geo.data.boundaries, geo.render.webmap, geo.render.webassets, geo.pipeline\n"
        "assert 'streamlit' not in sys.modules, 'geo imported streamlit'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
