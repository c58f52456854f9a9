"""geo.data.boundaries: the canonical admin layers and every way a boundary file can be wrong."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.data import boundaries
from geo.errors import BoundaryError, DataSourceError

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
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


# --- bad data is refused, never loaded wrong --------------------------------------------------------


def _unit(pcode: str, name: str | None, geometry: dict | None) -> dict:
    props = {"ADM1_EN": name, "ADM1_AR": "محافظة", "ADM1_PCODE": pcode, "ADM0_PCODE": "XX"}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _ring(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _geojson(tmp_path: Path, features: list[dict], name: str = "layer.geojson") -> Path:
    """A GeoJSON file written by hand (no CRS member: GeoJSON means EPSG:4326 degrees)."""
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _good_units() -> list[dict]:
    return [
        _unit("XXG01", "West", _ring(44.0, 33.0, 44.5, 33.5)),
        _unit("XXG02", "East", _ring(44.5, 33.0, 45.0, 33.5)),
    ]


def test_hand_written_fixture_is_accepted(tmp_path: Path) -> None:
    gdf = boundaries.read_boundary_file(_geojson(tmp_path, _good_units()))
    assert list(gdf["pcode"]) == ["XXG01", "XXG02"] and list(gdf["name_en"]) == ["West", "East"]


def test_projected_coordinates_labelled_as_degrees_are_refused(tmp_path: Path) -> None:
    # UTM 38N metres around Baghdad, in a GeoJSON with no crs member (so read as EPSG:4326)
    utm = [_unit("XXG01", "West", _ring(440000, 3690000, 450000, 3700000)), _good_units()[1]]
    with pytest.raises(BoundaryError) as err:
        boundaries.read_boundary_file(_geojson(tmp_path, utm))
    message = str(err.value)
    assert "not degrees" in message and "projected coordinates" in message
    assert "feature 1 (XXG01 'West')" in message and "440000" in message
    assert "feature 2" not in message  # only the offending unit is named


def test_swapped_latitude_and_longitude_are_refused(tmp_path: Path) -> None:
    swapped = [
        _unit("XXG01", "West", _ring(33.0, 44.0, 33.5, 44.5)),
        _unit("XXG02", "East", _ring(33.0, 44.5, 33.5, 45.0)),
    ]
    with pytest.raises(BoundaryError, match="latitude and longitude appear swapped") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, swapped))
    assert "XXG01" in str(err.value) and "XXG02" in str(err.value)


def test_real_layer_with_swapped_axes_is_refused(tmp_path: Path) -> None:
    real = boundaries.load_level(1)
    swapped = real.set_geometry(shapely.transform(real.geometry.values, lambda xy: xy[:, ::-1]))
    cols = {"pcode": "ADM1_PCODE", "name_en": "ADM1_EN", "name_ar": "ADM1_AR", "parent_pcode": "ADM0_PCODE"}
    path = tmp_path / "swapped.gpkg"
    swapped.rename(columns=cols)[[*cols.values(), "geometry"]].to_file(path, driver="GPKG")
    with pytest.raises(BoundaryError, match="appear swapped"):
        boundaries.read_boundary_file(path)


def test_absurd_coordinates_are_refused(tmp_path: Path) -> None:
    units = [_good_units()[0], _unit("XXG02", "East", _ring(44.5, 33.0, 1e9, 33.5))]
    with pytest.raises(BoundaryError, match="not degrees") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "feature 2 (XXG02 'East')" in str(err.value) and "1e+09" in str(err.value)


def test_layer_far_from_iraq_is_refused_unless_asked(tmp_path: Path) -> None:
    paris = [
        _unit("XXG01", "West", _ring(2.0, 48.0, 2.5, 48.5)),
        _unit("XXG02", "East", _ring(2.5, 48.0, 3.0, 48.5)),
    ]
    path = _geojson(tmp_path, paris)
    with pytest.raises(BoundaryError, match="outside the expected area") as err:
        boundaries.read_boundary_file(path)
    assert "Iraq and its neighbours" in str(err.value)
    assert len(boundaries.read_boundary_file(path, expected_bbox=None)) == 2


def test_points_where_polygons_are_expected_are_refused(tmp_path: Path) -> None:
    points = [_unit("XXG01", "West", {"type": "Point", "coordinates": [44.2, 33.2]}), _good_units()[1]]
    with pytest.raises(BoundaryError, match="not polygons") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, points))
    assert "feature 1 (XXG01 'West'): Point" in str(err.value)
    assert "expected Polygon or MultiPolygon" in str(err.value)


def test_null_geometries_are_refused(tmp_path: Path) -> None:
    units = [*_good_units(), _unit("XXG03", "North", None)]
    with pytest.raises(BoundaryError, match="null or empty geometry") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "feature 3 (XXG03 'North')" in str(err.value)


def test_null_names_are_refused(tmp_path: Path) -> None:
    units = [_good_units()[0], _unit("XXG02", None, _ring(44.5, 33.0, 45.0, 33.5))]
    with pytest.raises(BoundaryError, match="have no ADM1_EN") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "feature 2 (XXG02)" in str(err.value)


def test_duplicate_pcodes_are_refused(tmp_path: Path) -> None:
    units = [*_good_units(), _unit("XXG01", "West again", _ring(45.0, 33.0, 45.5, 33.5))]
    with pytest.raises(BoundaryError, match="duplicate P-codes") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "XXG01 in features 1, 3" in str(err.value)


def test_null_names_with_duplicate_pcodes_are_refused(tmp_path: Path) -> None:
    units = [
        _unit("XXG01", None, _ring(44.0, 33.0, 44.5, 33.5)),
        _unit("XXG01", None, _ring(44.5, 33.0, 45.0, 33.5)),
    ]
    with pytest.raises(BoundaryError, match="have no ADM1_EN") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "feature 1 (XXG01)" in str(err.value) and "feature 2 (XXG01)" in str(err.value)


def test_polygon_collapsing_on_repair_is_an_error_naming_the_unit(tmp_path: Path) -> None:
    flat = {"type": "Polygon", "coordinates": [[[44.5, 33.0], [45.0, 33.5], [44.75, 33.25], [44.5, 33.0]]]}
    units = [_good_units()[0], _unit("XXG02", "East", flat)]
    with pytest.raises(BoundaryError, match="collapse when repaired") as err:
        boundaries.read_boundary_file(_geojson(tmp_path, units))
    assert "feature 2 (XXG02 'East')" in str(err.value)


def test_zip_bomb_posing_as_a_shapefile_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb_shp.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("gov.shp", b"\0" * (4 << 20))
        zf.writestr("gov.prj", b"GEOGCS[]")
    with pytest.raises(BoundaryError, match="zip member 'gov.shp'.*ratio"):
        boundaries.read_boundary_file(archive)


# --- the GeoParquet cache: stamped, rebuilt when edited, written atomically --------------------------


def test_edited_cached_layer_is_rebuilt_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "gov.geojson"
    _synthetic().to_file(path, driver="GeoJSON")
    boundaries.load_file_cached(path, 1)
    (cache,) = (tmp_path / "cache" / "boundaries").glob("*.parquet")
    forged = gpd.read_parquet(cache)
    forged.loc[0, "name_en"] = "Forged"
    forged.to_parquet(cache)
    assert "Forged" in set(gpd.read_parquet(cache)["name_en"])
    again = boundaries.load_file_cached(path, 1)
    assert "Forged" not in set(again["name_en"]) and list(again["name_en"]) == ["West", "East"]
    assert "Forged" not in set(gpd.read_parquet(cache)["name_en"])  # the entry was rebuilt


def test_failed_cache_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "gov.geojson"
    _synthetic().to_file(path, driver="GeoJSON")

    def half_then_disk_full(self: gpd.GeoDataFrame, target: Path, **_: object) -> None:
        Path(target).write_bytes(b"PAR1 half a parquet file")
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(gpd.GeoDataFrame, "to_parquet", half_then_disk_full)
        with pytest.raises(DataSourceError, match="disk full") as err:
            boundaries.load_file_cached(path, 1)
    assert "cache folder" in str(err.value) and "ZONE_ATLAS_CACHE" in str(err.value)
    assert list((tmp_path / "cache" / "boundaries").iterdir()) == []  # no temp file, no half entry
    assert list(boundaries.load_file_cached(path, 1)["pcode"]) == ["XXG01", "XXG02"]
