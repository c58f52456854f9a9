"""``python -m geo corpus events|trends``: the CLI contracts (formats, filters, surge, errors)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyogrio
import pytest

from geo.cli import main
from geo.store import Store

MONDAY = dt.date(2021, 1, 4)
SURGE = MONDAY + dt.timedelta(weeks=10)


def _lines() -> list[dict[str, str]]:
    """Ten quiet weeks of one IED in Kirkuk, a week of four, an Arabic report and an undated one."""
    rows = [
        {
            "text": f"An IED exploded in Kirkuk, killing two people (report {w}).",
            "date": str(MONDAY + dt.timedelta(weeks=w)),
            "source": f"w{w}",
            "title": f"week {w}",
        }
        for w in range(10)
    ]
    rows += [
        {
            "text": f"An IED exploded in Kirkuk, killing {n + 3} people.",
            "date": str(SURGE),
            "source": f"s{n}",
            "title": f"surge {n}",
        }
        for n in range(4)
    ]
    rows.append(
        {
            "text": "قتل ثلاثة جنود وأصيب خمسة آخرون بهجوم لداعش على قرية في قضاء مخمور.",
            "date": str(SURGE),
            "source": "ar",
            "title": '=HYPERLINK("http://x")',
        }
    )
    rows.append(
        {
            "text": "A drone strike hit a PKK position in Sinjar, killing four fighters.",
            "source": "undated",
            "title": "undated",
        }
    )
    return rows


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("events")
    feed = root / "news.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _lines()), encoding="utf-8")
    assert main(["ingest", str(feed), "--store", str(root / "s"), "--quiet", "--belt-km", "15"]) == 0
    return root / "s"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_events_jsonl_one_row_per_event(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "corpus", "events", "--store", str(store_dir))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 16
    assert "1 undated event(s)" in err
    wanted = {
        "article_id",
        "date",
        "date_source",
        "place_name",
        "place_pcode",
        "precision",
        "lat",
        "lon",
        "type",
        "actors",
        "killed",
        "wounded",
        "sentence_start",
        "sentence_end",
        "confidence",
    }
    assert wanted <= set(rows[0])
    arabic = next(r for r in rows if r["actors"] == ["isis"])
    assert (arabic["type"], arabic["killed"], arabic["wounded"], arabic["district_pcode"]) == (
        "armed_assault",
        3,
        5,
        "IQG11Q04",
    )
    assert arabic["date"] == str(SURGE) and arabic["date_source"] == "article"
    assert (
        rows[-1]["date"] is None and rows[-1]["type"] == "air_drone_strike" and rows[-1]["actors"] == ["pkk"]
    )
    assert all(r["governorate_pcode"] == "IQG13" and r["killed"] >= 2 for r in rows if r["type"] == "ied")


def test_events_filters_by_date_and_type(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "corpus",
        "events",
        "--store",
        str(store_dir),
        "--from",
        str(SURGE),
        "--to",
        str(SURGE),
        "--type",
        "ied",
        "--no-undated",
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 4 and {r["date"] for r in rows} == {str(SURGE)}
    code, out, _ = run(
        capsys, "corpus", "events", "--store", str(store_dir), "--type", "armed_assault", "air_drone_strike"
    )
    assert code == 0 and sorted(json.loads(line)["type"] for line in out.splitlines()) == [
        "air_drone_strike",
        "armed_assault",
    ]
    code, out, _ = run(capsys, "corpus", "events", "--store", str(store_dir), "--lang", "ar")
    assert code == 0 and len(out.splitlines()) == 1


def test_events_csv_cells_are_neutralised(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "events", "--store", str(store_dir), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(table) == 16
    arabic = next(r for r in table if r["actors"] == "isis")
    assert arabic["title"] == '\'=HYPERLINK("http://x")' and arabic["killed"] == "3"
    assert float(arabic["lon"]) > 40 and table[-1]["date"] == ""


def test_events_geojson_points(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corpus", "events", "--store", str(store_dir), "--format", "geojson")
    collection = json.loads(out)
    assert code == 0 and collection["type"] == "FeatureCollection" and len(collection["features"]) == 16
    feature = next(f for f in collection["features"] if f["properties"]["actors"] == ["isis"])
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["geometry"]["type"] == "Point" and 43 < lon < 44 and 35 < lat < 36.5
    assert feature["properties"]["quote"].startswith("قتل ثلاثة جنود")


def test_trends_csv_flags_the_planted_surge(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "corpus",
        "trends",
        "--store",
        str(store_dir),
        "--by",
        "governorate",
        "--every",
        "week",
        "--type",
        "ied",
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert (
        code == 0 and "note: 1 undated event left out of the counts" not in err
    )  # the undated one is no IED
    surges = [r for r in table if r["surge"] == "True"]
    assert [(r["unit"], r["unit_name"], r["type"], r["start"], r["count"]) for r in surges] == [
        ("IQG13", "Kirkuk", "ied", str(SURGE), "4")
    ]
    assert "1 surge(s)" in err
    code, out, err = run(capsys, "corpus", "trends", "--store", str(store_dir), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["undated"] == 1 and "note: 1 undated event left out of the counts" in err
    assert [(s["unit"], s["count"]) for s in data["surges"]] == [("IQG13", 4)]


def test_trends_by_district_and_month(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "corpus", "trends", "--store", str(store_dir), "--by", "district", "--every", "month"
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {"IQG13Q04", "IQG11Q04"} <= {r["unit"] for r in table}
    assert {r["period"] for r in table} == {"2021-01", "2021-02", "2021-03"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["events", "--from", "2021-02-30"], "--from expects a date as YYYY-MM-DD, got '2021-02-30'"),
        (["trends", "--to", "March"], "--to expects a date as YYYY-MM-DD"),
        (["events", "--type", "bombing"], "unknown event type 'bombing': expected one of suicide_bombing"),
        (["trends", "--from", "2021-03-01", "--to", "2021-01-01"], "the date range is empty"),
    ],
)
def test_bad_input_is_refused_clearly(
    store_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "corpus", *argv, "--store", str(store_dir))
    assert code == 2 and out == "" and message in err


def test_an_empty_store_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store(tmp_path / "empty").close()
    for command in ("events", "trends"):
        code, out, err = run(capsys, "corpus", command, "--store", str(tmp_path / "empty"))
        assert code == 2 and out == "" and "holds no articles" in err and "python -m geo ingest" in err
    code, _, err = run(capsys, "corpus", "events", "--store", str(tmp_path / "none"))
    assert code == 2 and "no store at" in err


def test_export_has_an_events_layer(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "corpus", "export", "--store", str(store_dir), "--out", str(tmp_path))
    assert code == 0 and "events" in out
    layers = dict(pyogrio.list_layers(tmp_path / "corpus.gpkg"))
    assert layers["events"] == "Point"
    events = pyogrio.read_dataframe(tmp_path / "corpus.gpkg", layer="events")
    assert len(events) == 16 and {
        "article_id",
        "date_source",
        "sentence_start",
        "quote",
        "confidence",
    } <= set(events.columns)
    assert "isis" in set(events["actors"]) and events.geometry.isna().sum() == 0
