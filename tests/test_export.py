"""Data exports: schema, provenance, round trips, empty layers and atomic writes."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import export_samples
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from export_samples import STYLES, empty_analysis, hand_analysis

from geo.errors import ExportError
from geo.render import export, kml

seed_analysis = export_samples.seed_analysis  # the seed article through the pipeline (fixture)


def _same_features(original: gpd.GeoDataFrame, back: gpd.GeoDataFrame, columns: list[str]) -> None:
    """``back`` (read from a file) holds the features of ``original``: attributes and geometry."""
    assert len(back) == len(original)
    for column in columns:
        left = original[column].astype(object).where(original[column].notna(), None).tolist()
        right = back[column].astype(object).where(back[column].notna(), None).tolist()
        if column in ("lat", "lon", "confidence", "area_km2", "seat_lat", "seat_lon"):
            assert right == pytest.approx(left, nan_ok=True), column
        else:
            assert [None if v in ("", None) else str(v) for v in right] == [
                None if v in ("", None) else str(v) for v in left
            ], column
    for a, b in zip(original.geometry, back.geometry, strict=True):
        # the same shape and vertices (GeoPackage may store a Polygon as a one-part MultiPolygon)
        assert a.equals(b)
        assert shapely.get_num_coordinates(a) == shapely.get_num_coordinates(b)


# --- layers --------------------------------------------------------------------------------------


def test_places_layer_has_schema_and_provenance() -> None:
    analysis = hand_analysis()
    places = export.places_layer(analysis)
    assert list(places.columns) == [*export.PLACE_COLUMNS, "geometry"]
    assert places.crs.to_epsg() == 4326
    assert set(export.PROVENANCE_COLUMNS) <= set(places.columns)
    diyala = places.set_index("name").loc["Diyala"]
    # offsets point at the mention and the sentence in the article text
    assert analysis.text[diyala["mention_start"] : diyala["mention_end"]] == "ديالى"
    assert analysis.text[diyala["sentence_start"] : diyala["sentence_end"]] == diyala["sentence"]
    assert diyala["mention_count"] == 2
    assert diyala["mentions"] == ", ".join(f"{m.start}-{m.end}" for m in analysis.places[0].mentions)
    assert diyala["article"] == "samples/hand-made.txt"
    assert diyala["dataset_version"] == "cod_ab_iraq@2019-06-03"
    assert diyala["boundaries_version"] == "cod_ab_iraq@2019-06-03"
    assert diyala["pcode"] == "IQG10" and diyala["confidence"] == pytest.approx(0.93)
    assert (diyala.geometry.x, diyala.geometry.y) == (45.0, 33.95)


def test_zones_layer_adds_article_confidence_and_version() -> None:
    analysis = hand_analysis()
    zones = export.zones_layer(analysis)
    assert list(zones.columns) == [*export.ZONE_COLUMNS, "geometry"]
    room, belt = zones.to_dict("records")
    assert (
        analysis.text[room["trigger_start"] : room["trigger_end"]] == room["trigger_text"] == "غرف العمليات"
    )
    assert room["confidence"] == pytest.approx(0.93)
    assert belt["confidence"] == pytest.approx(0.81)  # the weakest of Diyala and Kirkuk
    assert {room["article"], belt["article"]} == {"samples/hand-made.txt"}
    assert belt["dataset_version"] == "cod_ab_iraq@2019-06-03"
    assert belt["geometry"].geom_type == "MultiPolygon"


# --- formats and round trips ---------------------------------------------------------------------


def test_geojson_round_trip(tmp_path: Path) -> None:
    analysis = hand_analysis()
    places_path, zones_path = export.write_geojson(analysis, tmp_path)
    assert (places_path.name, zones_path.name) == ("hand-made-places.geojson", "hand-made-zones.geojson")
    _same_features(export.places_layer(analysis), export.read_layer(places_path), list(export.PLACE_COLUMNS))
    _same_features(export.zones_layer(analysis), export.read_layer(zones_path), list(export.ZONE_COLUMNS))
    assert sorted(p.name for p in tmp_path.iterdir()) == [places_path.name, zones_path.name]


def test_geopackage_has_two_layers_and_round_trips(tmp_path: Path) -> None:
    analysis = hand_analysis()
    path = export.write_gpkg(analysis, tmp_path)
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["places", "zones"]
    _same_features(
        export.places_layer(analysis), export.read_layer(path, "places"), list(export.PLACE_COLUMNS)
    )
    _same_features(export.zones_layer(analysis), export.read_layer(path, "zones"), list(export.ZONE_COLUMNS))


def test_csv_has_lat_lon_wkt_and_provenance(tmp_path: Path) -> None:
    analysis = hand_analysis()
    places_path, zones_path = export.write_csv(analysis, tmp_path)
    assert places_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets show Arabic right
    places = pd.read_csv(places_path, encoding="utf-8-sig")
    zones = pd.read_csv(zones_path, encoding="utf-8-sig")
    assert list(places.columns) == [*export.PLACE_COLUMNS, "wkt"]
    assert list(zones.columns) == [*export.ZONE_COLUMNS, "wkt"]
    assert places.loc[0, "name_ar"] == "ديالى"
    assert shapely.from_wkt(places.loc[0, "wkt"]).equals(
        shapely.Point(places.loc[0, "lon"], places.loc[0, "lat"])
    )
    assert shapely.from_wkt(zones.loc[1, "wkt"]).equals(analysis.zones[1].geometry)
    assert zones.loc[0, "sentence"] == analysis.zones[0].sentence.text


def test_kml_folders_styles_and_extended_data(tmp_path: Path) -> None:
    analysis = hand_analysis()
    path = export.write_kml(analysis, tmp_path, styles=STYLES)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(path).getroot()
    folders = {
        f.findtext("k:name", namespaces=ns): f for f in root.iter("{http://www.opengis.net/kml/2.2}Folder")
    }
    assert set(folders) == {"Places", "Zones"}
    names = [p.findtext("k:name", namespaces=ns) for p in folders["Places"].iter(f"{{{ns['k']}}}Placemark")]
    assert names == ["Diyala", "Kirkuk"]
    data = {d.get("name") for d in folders["Zones"].iter(f"{{{ns['k']}}}Data")}
    assert {"article", "sentence", "trigger_start", "confidence", "dataset_version"} <= data
    colours = {c.text for c in root.iter(f"{{{ns['k']}}}color")}
    assert kml.kml_color("#1f4e9c") in colours and kml.kml_color("#c0392b") in colours
    # GIS tools read it back: the zones keep their outlines and provenance
    zones = gpd.read_file(path, layer="Zones")
    assert len(zones) == 2
    assert zones.geometry.iloc[1].geom_type == "MultiPolygon"
    assert zones["article"].tolist() == ["samples/hand-made.txt"] * 2


def test_kml_colour_conversion() -> None:
    assert kml.kml_color("#1f4e9c") == "ff9c4e1f"
    assert kml.kml_color("#1f4e9c", 0.5) == "809c4e1f"
    with pytest.raises(ExportError):
        kml.kml_color("blue")


def test_article_without_places_exports_empty_valid_layers(tmp_path: Path) -> None:
    analysis = empty_analysis()
    geojson = export.write_geojson(analysis, tmp_path)
    gpkg = export.write_gpkg(analysis, tmp_path)
    csvs = export.write_csv(analysis, tmp_path)
    kml_path = export.write_kml(analysis, tmp_path, styles=STYLES)
    for path in geojson:
        assert len(export.read_layer(path)) == 0
    assert sorted(pyogrio.list_layers(gpkg)[:, 0]) == ["places", "zones"]
    places = export.read_layer(gpkg, "places")
    assert len(places) == 0 and {"article", "sentence", "confidence"} <= set(places.columns)
    assert list(pd.read_csv(csvs[0]).columns) == [*export.PLACE_COLUMNS, "wkt"]
    ET.parse(kml_path)  # well-formed


# --- bad output folders and atomic writes --------------------------------------------------------


def test_missing_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export.write_gpkg(hand_analysis(), tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        export.write_geojson(hand_analysis(), target)


def test_read_only_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("this user can write into read-only folders (root)")
        with pytest.raises(ExportError, match="not writable"):
            export.write_csv(hand_analysis(), folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_failure_half_way_leaves_no_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "hand-made.gpkg"
    old.write_bytes(b"previous export")
    real = export._to_file

    def fail_on_zones(frame: gpd.GeoDataFrame, path: Path, *, driver: str, layer: str | None = None) -> None:
        if layer == "zones":
            msg = "disk full"
            raise ExportError(msg)
        real(frame, path, driver=driver, layer=layer)

    monkeypatch.setattr(export, "_to_file", fail_on_zones)
    with pytest.raises(ExportError, match="disk full"):
        export.write_gpkg(hand_analysis(), tmp_path)
    assert old.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hand-made.gpkg"]  # no temporary left


def test_staging_refuses_folder_names(tmp_path: Path) -> None:
    with pytest.raises(ExportError), export.staging(tmp_path) as stage:
        stage("../escape.txt")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("source", "stem"),
    [
        ("news/a 1.txt", "a-1"),
        ("article-000.txt", "article-000"),
        ("pasted text", "pasted-text"),
        ("", "article"),
        ("مقال.html", "مقال"),
    ],
)
def test_file_stem(source: str, stem: str) -> None:
    assert export.file_stem(source) == stem


def test_export_analysis_checks_formats(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        export.export_analysis(hand_analysis(), tmp_path, formats=("shp",))
    with pytest.raises(ExportError, match="briefing format"):
        export.export_analysis(hand_analysis(), tmp_path, formats=("briefing",), briefing_format="docx")


def test_export_analysis_writes_every_data_format(tmp_path: Path) -> None:
    results = export.export_analysis(hand_analysis(), tmp_path, formats=export.DATA_FORMATS, stem="x")
    assert [r.format for r in results] == list(export.DATA_FORMATS)
    names = sorted(p.name for r in results for p in r.paths)
    assert names == ["x-places.csv", "x-places.geojson", "x-zones.csv", "x-zones.geojson", "x.gpkg", "x.kml"]
    assert sorted(os.listdir(tmp_path)) == names
    assert all(r.bytes > 0 and r.seconds >= 0 for r in results)


# --- the seed article through the real pipeline --------------------------------------------------


def test_seed_article_data_exports_round_trip(seed_analysis: object, tmp_path: Path) -> None:
    analysis = seed_analysis
    results = export.export_analysis(analysis, tmp_path, formats=export.DATA_FORMATS)  # type: ignore[arg-type]
    paths = {p.name: p for r in results for p in r.paths}
    stem = export.file_stem(analysis.source)  # type: ignore[attr-defined]
    places = export.places_layer(analysis)  # type: ignore[arg-type]
    zones = export.zones_layer(analysis)  # type: ignore[arg-type]
    assert len(places) > 0 and len(zones) > 0
    _same_features(places, export.read_layer(paths[f"{stem}-places.geojson"]), list(export.PLACE_COLUMNS))
    _same_features(zones, export.read_layer(paths[f"{stem}.gpkg"], "zones"), list(export.ZONE_COLUMNS))
    for row in places.to_dict("records"):
        assert analysis.text[row["mention_start"] : row["mention_end"]] == row["mention"]  # type: ignore[attr-defined]


# --- command line --------------------------------------------------------------------------------

SEED = Path(__file__).resolve().parent.parent / "data" / "samples" / "article-000.txt"


def test_cli_exports_the_chosen_data_formats(
    seed_analysis: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    assert main(["export", str(SEED), "--out", str(tmp_path), "--geojson", "--gpkg", "--belt-km", "30"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "article-000-places.geojson",
        "article-000-zones.geojson",
        "article-000.gpkg",
    ]
    zones = export.read_layer(tmp_path / "article-000.gpkg", "zones")
    belt = zones[zones["kind"] == "security_vacuum"]
    assert len(belt) == 1 and '"width_km": 30' in belt["params"].iloc[0]
    assert "article-000.gpkg" in capsys.readouterr().out


def test_cli_missing_output_folder_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    assert main(["export", str(SEED), "--out", str(tmp_path / "missing"), "--csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: output folder") and "does not exist" in err
    assert "Traceback" not in err


def test_cli_several_articles_keeps_going_past_a_bad_one(
    seed_analysis: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", str(empty), str(SEED), "--out", str(out), "--csv"]) == 2
    err = capsys.readouterr().err
    assert f"error: {empty}" in err and "1 of 2 article(s) could not be exported" in err
    assert sorted(p.name for p in out.iterdir()) == ["article-000-places.csv", "article-000-zones.csv"]
