"""``python -m geo ingest`` and ``python -m geo corpus list|places|zones|map|export``: the CLI contracts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyogrio
import pytest

from geo.cli import main
from geo.store import STORE_FILE, Store

ARTICLES = {
    "en-kirkuk.txt": "Baghdad, Saturday 6 March 2021 - An attack in Kirkuk and Mosul killed two soldiers.",
    "ar-diyala.txt": "بغداد - الجمعة 3 من مايو/أيار 2024 - هجمات لداعش في ديالى وقضاء مخمور.",
    "ar-nodate.txt": "تشكيل غرفة عمليات مشتركة في كركوك.",
}
PROVENANCE = {"article_id", "date", "source", "corrected"}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "in").mkdir()
    for name, text in ARTICLES.items():
        (root / "in" / name).write_text(text, encoding="utf-8")
    assert main(["ingest", str(root / "in"), "--store", str(root / "s"), "--quiet"]) == 0
    return root / "s"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_reports_new_and_known(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = store_dir.parent / "in"
    code, out, err = run(capsys, "ingest", str(folder), "--store", str(store_dir), "--quiet")
    assert code == 0 and out.startswith("0 new, 3 already in the store (") and err == ""
    bad = store_dir.parent / "bad.jsonl"
    bad.write_text('{"text": "Attack in Basra."}\n{oops\n', encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(bad), "--store", str(store_dir / ".." / "s2"), "--quiet")
    assert code == 1 and out.startswith("1 new, 0 already in the store; 1 could not be read")
    assert f"error: {bad}:2: not JSON" in err and "the others were ingested" in err


def test_ingest_shows_progress_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("An attack in Basra.", encoding="utf-8")
    code, out, err = run(capsys, "ingest", str(tmp_path / "a.txt"), "--store", str(tmp_path / "s"))
    assert code == 0 and "ingest: 1 article" in err and "ingest" not in out.split("(")[0]


def test_list_jsonl_with_filters(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "list", "--store", str(store_dir))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 3
    assert list(rows[0]) == [
        "id",
        "source",
        "title",
        "date",
        "date_source",
        "date_flag",
        "lang",
        "places",
        "zones",
        "corrected",
    ]
    by_name = {Path(r["source"]).name: r for r in rows}
    assert (
        by_name["en-kirkuk.txt"]["date"] == "2021-03-06" and by_name["en-kirkuk.txt"]["date_source"] == "text"
    )
    assert by_name["ar-nodate.txt"]["date"] is None and by_name["ar-nodate.txt"]["date_source"] == "none"
    assert (
        by_name["en-kirkuk.txt"]["places"] == 3 and by_name["en-kirkuk.txt"]["zones"] == 2
    )  # Baghdad: no zone
    assert len(by_name["ar-diyala.txt"]["id"]) == 64

    def names(*flags: str) -> list[str]:
        _, text, _ = run(capsys, "corpus", "list", "--store", str(store_dir), *flags)
        return [Path(json.loads(line)["source"]).name for line in text.splitlines()]

    assert names("--lang", "ar") == ["ar-diyala.txt", "ar-nodate.txt"]
    assert names("--from", "2022-01-01") == ["ar-diyala.txt"]
    assert names("--from", "2021-03-06", "--to", "2021-03-06") == ["en-kirkuk.txt"]
    assert names("--search", "كركوك") == ["ar-nodate.txt"]
    assert names("--search", "ديالي مخمور") == ["ar-diyala.txt"]  # folded alef maqsura, every word
    assert names("--search", "KIRKUK") == ["en-kirkuk.txt"]
    assert names("--lang", "ckb") == []


def test_list_csv(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "list", "--store", str(store_dir), "--format", "csv", "--lang", "en")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1 and rows[0]["date"] == "2021-03-06" and rows[0]["places"] == "3"


def test_places_geojson_carries_article_date_and_provenance(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "corpus", "places", "--store", str(store_dir), "--lang", "en")
    collection = json.loads(out)
    assert code == 0 and collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["properties"]["name"] for f in features] == ["Baghdad", "Kirkuk", "Mosul"]
    props = features[1]["properties"]
    assert set(props) >= PROVENANCE and props["date"] == "2021-03-06" and props["corrected"] is False
    assert props["dataset"] == "geonames" and props["mention_start"] == 46 and props["sentence_start"] == 0
    assert props["mentions"] == "46-52" and props["district_pcode"] == "IQG13Q04"
    assert features[0]["geometry"]["type"] == "Point"


def test_zones_geojson_and_csv(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "zones", "--store", str(store_dir), "--from", "2024-01-01")
    features = json.loads(out)["features"]
    assert code == 0 and features
    assert {f["properties"]["kind"] for f in features} == {"attack_area"}
    props = features[0]["properties"]
    assert set(props) >= PROVENANCE and props["date"] == "2024-05-03"
    assert isinstance(props["params"], dict) and props["settings"]["belt_km"] == 20.0
    assert props["trigger_text"] and props["sentence_end"] > props["sentence_start"]
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    code, out, _ = run(capsys, "corpus", "zones", "--store", str(store_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (
        code == 0 and len(rows) >= 3 and all(r["wkt"].startswith(("POLYGON", "MULTIPOLYGON")) for r in rows)
    )
    assert {"zone_id", "article_id", "date", "construction", "corrected"} <= set(rows[0])


def test_map_counts(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "map", "--store", str(store_dir))
    counts = json.loads(out)
    assert code == 0
    kirkuk = next(g for g in counts["governorates"] if g["pcode"] == "IQG13")
    assert (kirkuk["name"], kirkuk["mentions"], kirkuk["articles"]) == ("Kirkuk", 2, 2)
    kinds = {k["kind"]: k for k in counts["zone_kinds"]}
    assert kinds["attack_area"]["articles"] == 2 and kinds["operations_room"]["articles"] == 1
    district = next(d for d in counts["districts"] if d["pcode"] == "IQG13Q04")
    assert district["name"] == "Kirkuk" and district["mentions"] == 2


def test_export_writes_a_geopackage_of_four_layers(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "corpus", "export", "--store", str(store_dir), "--lang", "ar", "--out", str(tmp_path)
    )
    path = tmp_path / "corpus.gpkg"
    assert code == 0 and out.strip() == f"wrote {path} (layers: articles, places, zones, events)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.gpkg"]
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"articles": None, "places": "Point", "zones": "MultiPolygon", "events": "Point"}
    articles = pyogrio.read_dataframe(path, layer="articles")
    places = pyogrio.read_dataframe(path, layer="places")
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert len(articles) == 2 and set(articles["lang"]) == {"ar"}
    assert set(places["article_id"]) <= set(articles["id"]) and places.crs.to_epsg() == 4326
    assert len(zones) >= 2 and {"zone_id", "date", "corrected", "params"} <= set(zones.columns)


def test_errors_are_one_line_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "corpus", "list", "--store", str(tmp_path / "none"))
    assert code == 2 and "no store at" in err and "geo ingest" in err
    code, _, err = run(capsys, "corpus", "list", "--store", str(tmp_path), "--from", "March")
    assert code == 2 and err.strip() == "error: --from expects a date as YYYY-MM-DD, got 'March'"
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / STORE_FILE).write_bytes(b"\x00garbage" * 100)
    code, _, err = run(capsys, "ingest", str(tmp_path), "--store", str(tmp_path / "bad"), "--quiet")
    assert code == 2 and "not a DuckDB database" in err and "left as it is" in err
    code, _, err = run(
        capsys, "corpus", "export", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "no")
    )
    assert code == 2


def test_corrected_rows_are_marked(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "s"
    shutil.copytree(store_dir, copy)
    with Store(copy) as store:
        key = (
            store.articles(None).set_index("source").loc[str(store_dir.parent / "in" / "en-kirkuk.txt"), "id"]
        )
        store.re_resolve(key, "gn:99072", "IQG15Q05", who="ana")
    _, out, _ = run(capsys, "corpus", "places", "--store", str(copy), "--lang", "en", "--format", "csv")
    rows = {r["name"]: r["corrected"] for r in csv.DictReader(io.StringIO(out))}
    assert rows == {"Baghdad": "False", "Kirkuk": "False", "Al-Mosul": "True"}
    _, out, _ = run(capsys, "corpus", "list", "--store", str(copy), "--lang", "en")
    assert json.loads(out)["corrected"] is True
