"""Data exports: schema, provenance, round trips, empty layers and atomic writes."""

from __future__ import annotations

import csv
import dataclasses
import errno
import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

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


# --- exported text cannot run: CSV formulas, typed GeoJSON/GeoPackage values ---------------------

#: A sentence that starts with a spreadsheet formula (and carries markup), then the belt's sentence.
FORMULA_TEXT = (
    '=HYPERLINK("http://203.0.113.9/x","open") غرف العمليات الأربعة هذه ستكون في ديالى & كركوك <b>.\n'
    "وتمتد الفراغات من محافظة نينوى وصولا إلى ديالى على حدود إيران."
)


def _raw_csv(path: Path) -> list[dict[str, str]]:
    """The cells of a CSV export exactly as a spreadsheet receives them (strings, BOM removed)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_prefixes_are_neutralised(prefix: str) -> None:
    assert export.neutralise_formula(f"{prefix}1+1") == f"'{prefix}1+1"


@pytest.mark.parametrize(
    "value",
    [-44.1, -3, 0.0, " =1+1", "Diyala", "34-39, 89-94", "a=b", "", None, "'=already quoted"],
)
def test_numbers_and_harmless_text_are_left_as_they_are(value: object) -> None:
    assert export.neutralise_formula(value) == value


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_sentence_starting_like_a_formula_is_neutralised(tmp_path: Path, prefix: str) -> None:
    text = f"{prefix}cmd|' /C calc'!A0 " + export_samples.TEXT
    places_path, zones_path = export.write_csv(hand_analysis(text=text), tmp_path)
    sentence = text.split("\n")[0]
    places, zones = _raw_csv(places_path), _raw_csv(zones_path)
    assert [row["sentence"] for row in places] == [f"'{sentence}", f"'{sentence}"]
    assert zones[0]["sentence"] == f"'{sentence}"
    assert zones[1]["sentence"] == text.split("\n")[1]  # the belt's sentence starts with a letter


def test_csv_neutralises_every_text_cell_and_keeps_numbers(tmp_path: Path) -> None:
    analysis = hand_analysis(text=FORMULA_TEXT)
    diyala, kirkuk = analysis.places
    hostile = dataclasses.replace(
        analysis,
        places=[
            dataclasses.replace(diyala, name="@SUM(1+1)*cmd|' /C calc'!A0", lon=-44.25),
            dataclasses.replace(kirkuk, name_ar="+ديالى", lat=-0.5),
        ],
        zones=[dataclasses.replace(analysis.zones[0], label="-2+3"), analysis.zones[1]],
    )
    places_path, zones_path = export.write_csv(hostile, tmp_path)
    places, zones = _raw_csv(places_path), _raw_csv(zones_path)
    assert places[0]["name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert places[0]["sentence"] == "'" + FORMULA_TEXT.split("\n")[0]
    assert places[1]["name_ar"] == "'+ديالى"
    assert zones[0]["label"] == "'-2+3"  # text that looks like arithmetic is text
    # numbers stay numbers: a negative longitude or latitude is not a formula
    assert places[0]["lon"] == "-44.25" and places[1]["lat"] == "-0.5"
    assert places[0]["wkt"] == "POINT (-44.25 33.95)"
    back = pd.read_csv(places_path, encoding="utf-8-sig")
    assert back["lon"].tolist() == [-44.25, 44.1] and back["lat"].dtype == "float64"
    assert back["mention_start"].dtype == "int64"
    # and every text cell of both files is safe
    for row in [*places, *zones]:
        for column, cell in row.items():
            if column not in ("lat", "lon"):
                assert not cell.startswith(export.FORMULA_PREFIXES), (column, cell)


def test_csv_leading_space_is_not_a_formula(tmp_path: Path) -> None:
    text = " =1+1 " + export_samples.TEXT
    places_path, _ = export.write_csv(hand_analysis(text=text), tmp_path)
    assert _raw_csv(places_path)[0]["sentence"] == text.split("\n")[0]


def test_geojson_and_geopackage_store_hostile_text_verbatim_as_data(tmp_path: Path) -> None:
    """GeoJSON and GeoPackage need no neutralising, and must not have it.

    Their properties are typed values (JSON strings, SQLite TEXT columns) that GIS software reads
    as data; neither format has formulas, macros or markup that a reader would evaluate. Adding a
    quote would only corrupt the data, so the text must arrive exactly as the article had it.
    """
    analysis = hand_analysis(text=FORMULA_TEXT)
    sentence = FORMULA_TEXT.split("\n")[0]
    places_path, _ = export.write_geojson(analysis, tmp_path)
    collection = json.loads(places_path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    properties = [f["properties"] for f in collection["features"]]
    assert [p["sentence"] for p in properties] == [sentence, sentence]
    assert all(isinstance(p["lon"], float) and isinstance(p["mention_start"], int) for p in properties)
    gpkg = export.write_gpkg(analysis, tmp_path)
    with sqlite3.connect(gpkg) as db:
        rows = db.execute(
            "SELECT typeof(sentence), sentence, typeof(lon) FROM places ORDER BY fid"
        ).fetchall()
    assert rows == [("text", sentence, "real"), ("text", sentence, "real")]
    assert export.read_layer(gpkg, "places")["sentence"].tolist() == [sentence, sentence]


def test_extract_csv_neutralises_its_cells(
    seed_analysis: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    (tmp_path / "=evil.txt").write_text("An attack in Kirkuk & Mosul.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["extract", "=evil.txt", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {row["name"] for row in rows} == {"Kirkuk", "Mosul"}
    assert {row["source"] for row in rows} == {"'=evil.txt"}
    assert all(float(row["lon"]) > 0 for row in rows)


# --- disk full -----------------------------------------------------------------------------------


def _enospc(*_: Any, **__: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _full_disk(_: Any) -> SimpleNamespace:
    return SimpleNamespace(f_bavail=0, f_bfree=0, f_frsize=4096, f_files=1000, f_favail=10)


def _roomy_disk(_: Any) -> SimpleNamespace:
    return SimpleNamespace(f_bavail=1 << 20, f_bfree=1 << 20, f_frsize=4096, f_files=1000, f_favail=900)


def _only_previous(folder: Path, name: str, before: bytes) -> None:
    """``folder`` holds ``name`` with its old bytes and nothing else (no half file, no temporary)."""
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert (folder / name).read_bytes() == before


def test_kml_on_a_full_disk_says_so_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hand-made.kml").write_bytes(b"previous export")
    real = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:
        real(self, data[: len(data) // 2])
        _enospc()
        return 0

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    with pytest.raises(ExportError) as caught:
        export.write_kml(hand_analysis(), tmp_path, styles=STYLES)
    monkeypatch.undo()
    assert str(caught.value).startswith(f"disk full while writing {tmp_path / 'hand-made.kml'}")
    assert "free some space" in str(caught.value)
    _only_previous(tmp_path, "hand-made.kml", b"previous export")


def test_csv_on_a_full_disk_says_so_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hand-made-places.csv").write_bytes(b"previous export")
    real = pd.DataFrame.to_csv

    def half_then_full(self: pd.DataFrame, path: Path, **options: Any) -> None:
        real(self.head(1), path, **options)
        _enospc()

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full)
    with pytest.raises(ExportError, match="disk full while writing .*hand-made-places.csv"):
        export.write_csv(hand_analysis(), tmp_path)
    _only_previous(tmp_path, "hand-made-places.csv", b"previous export")


def test_gdal_error_naming_enospc_is_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hand-made.gpkg").write_bytes(b"previous export")
    real = gpd.GeoDataFrame.to_file

    def half_then_full(self: gpd.GeoDataFrame, path: Path, **options: Any) -> None:
        if options.get("layer") == "zones":
            msg = "sqlite3_exec(COMMIT) failed: disk I/O error: No space left on device"
            raise pyogrio.errors.DataSourceError(msg)
        real(self, path, **options)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", half_then_full)
    monkeypatch.setattr(os, "statvfs", _roomy_disk)  # the message alone must be enough
    with pytest.raises(ExportError, match=f"^disk full while writing {tmp_path / 'hand-made.gpkg'}"):
        export.write_gpkg(hand_analysis(), tmp_path)
    _only_previous(tmp_path, "hand-made.gpkg", b"previous export")


@pytest.mark.parametrize(("disk", "says_full"), [(_full_disk, True), (_roomy_disk, False)])
def test_gdal_error_that_hides_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk: Any, says_full: bool
) -> None:
    # GDAL often reports a full disk as a failed feature, without the OS error
    def cannot_write(self: gpd.GeoDataFrame, path: Path, **options: Any) -> None:
        Path(path).write_bytes(b'{"type": "FeatureCollection", "features": [')
        msg = "Cannot write feature"
        raise pyogrio.errors.FeatureError(msg)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", cannot_write)
    monkeypatch.setattr(os, "statvfs", disk)
    with pytest.raises(ExportError) as caught:
        export.write_geojson(hand_analysis(), tmp_path)
    message = str(caught.value)
    assert message.startswith("disk full while writing") == says_full, message
    assert "hand-made-places.geojson" in message
    if not says_full:
        assert "Cannot write feature" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("written", [b"", b'{"type": "FeatureCollection", "features": [{"type": "Feat'])
def test_geojson_cut_short_without_an_error_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: bytes
) -> None:
    # on a full disk GDAL's GeoJSON writer leaves a short or empty file and reports nothing
    (tmp_path / "hand-made-zones.geojson").write_bytes(b"previous export")

    def silently_short(self: gpd.GeoDataFrame, path: Path, **options: Any) -> None:
        Path(path).write_bytes(written)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", silently_short)
    monkeypatch.setattr(os, "statvfs", _full_disk)
    with pytest.raises(ExportError, match="^disk full while writing .*hand-made-places.geojson"):
        export.write_geojson(hand_analysis(), tmp_path)
    _only_previous(tmp_path, "hand-made-zones.geojson", b"previous export")


def test_gdal_file_missing_features_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = gpd.GeoDataFrame.to_file

    def first_row_only(self: gpd.GeoDataFrame, path: Path, **options: Any) -> None:
        real(self.head(1), path, **options)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", first_row_only)
    monkeypatch.setattr(os, "statvfs", _roomy_disk)
    with pytest.raises(ExportError, match="1 of 2 features reached the file"):
        export.write_gpkg(hand_analysis(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_other_os_errors_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(self: Path, data: bytes) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(Path, "write_bytes", denied)
    monkeypatch.setattr(os, "statvfs", _roomy_disk)
    with pytest.raises(ExportError, match=f"no permission to write {tmp_path / 'hand-made.kml'}"):
        export.write_kml(hand_analysis(), tmp_path, styles=STYLES)


def test_cli_reports_a_full_disk_in_one_line(
    seed_analysis: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    monkeypatch.setattr(pd.DataFrame, "to_csv", _enospc)
    assert main(["export", str(SEED), "--out", str(tmp_path), "--csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: disk full while writing {tmp_path / 'article-000-places.csv'}")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


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

SEED = Path(__file__).resolve().parents[2] / "data" / "samples" / "article-000.txt"


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
