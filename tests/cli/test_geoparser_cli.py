"""``python -m geo extract | evaluate | bench``: the command-line contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "samples" / "article-000.txt"


def test_extract_jsonl_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    en = tmp_path / "en.txt"
    en.write_text("Two soldiers were killed north of Baghdad.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    none = tmp_path / "none.txt"
    none.write_text("Nothing here at all.", encoding="utf-8")
    code = main(["extract", str(SEED), str(empty), str(en), str(binary), str(none), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "empty" in err and "binary" in err and "2 of 5" in err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in records] == [str(SEED), str(en), str(none)]
    seed, english, nothing = records
    assert seed["lang"] == "ar" and english["lang"] == "en" and nothing["places"] == []
    text = SEED.read_text(encoding="utf-8")
    for p in seed["places"]:
        assert {
            "name",
            "name_ar",
            "kind",
            "pcode",
            "governorate",
            "country",
            "lat",
            "lon",
            "confidence",
            "mentions",
        } <= set(p)
        assert 0 <= p["confidence"] <= 1
        for m in p["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
            assert "modifier" in m
    baghdad = english["places"][0]
    assert baghdad["name"] == "Baghdad" and baghdad["mentions"][0]["modifier"] == "north"


def test_extract_geojson_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SEED), "--format", "geojson"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 12
    assert all(f["geometry"]["type"] == "Point" for f in fc["features"])
    assert main(["extract", str(SEED), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(fc["features"])
    assert {r["name"] for r in rows} >= {"Diyala", "Kirkuk", "Iran"}


def test_extract_reads_html_and_legacy_encodings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "p.html"
    body = "<p>" + "هجوم لداعش في قضاء مخمور جنوب غرب أربيل أسفر عن مقتل جنديين. " * 5 + "</p>"
    page.write_text(
        f"<html><head><title>t</title></head><body><article>{body}</article></body></html>", encoding="utf-8"
    )
    legacy = tmp_path / "w.txt"
    legacy.write_bytes("اشتباكات في قضاء سنجار".encode("cp1256"))
    assert main(["extract", str(page), str(legacy)]) == 0
    a, b = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert {"Makhmour", "Erbil"} <= {p["name"] for p in a["places"]}
    assert [p["name"] for p in b["places"]] == ["Sinjar"]


def test_unknown_language_is_flagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.txt"
    f.write_text("12345 67890 ...", encoding="utf-8")
    assert main(["extract", str(f)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["lang"] == "und" and "best-effort" in record["note"]


def test_large_input_completes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "big.txt"
    line = "تقرير طويل بلا أسماء أماكن يتكرر مرات عديدة لاختبار الحجم.\n"
    f.write_text(line * 20_000 + "هجوم في كركوك.\n", encoding="utf-8")
    assert f.stat().st_size > 2_000_000
    assert main(["extract", str(f)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in record["places"]] == ["Kirkuk"]


def test_evaluate_and_bench_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(REPO / "tests" / "gold")]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].startswith("lang") and "all" in table
    assert main(["bench", "--articles", "40", "--no-load-times", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["articles"] == 40 and result["articles_per_second"] > 0 and result["peak_rss_mb"] > 0


def test_extract_repairs_a_few_bad_bytes_and_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "stray.txt"
    text = SEED.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    cut = data.index("كركوك".encode())  # a bad byte before a place name, between characters
    f.write_bytes(data[:cut] + b"\xff" + data[cut:] + b"\x80\x80\xfe")
    assert main(["extract", str(f)]) == 0
    out, err = capsys.readouterr()
    end = len(data) + 1  # the three bytes appended at the end
    assert (
        f"warning: {f}: 4 invalid UTF-8 bytes (of {len(data) + 4:,}) replaced by U+FFFD, "
        f"at byte offsets {cut}, {end}, {end + 1}, {end + 2}"
    ) in err
    record = json.loads(out)
    assert "Kirkuk" in {p["name"] for p in record["places"]}
    repaired = text[: len(data[:cut].decode())] + "\ufffd" + text[len(data[:cut].decode()) :] + "\ufffd" * 3
    for p in record["places"]:
        for m in p["mentions"]:
            assert repaired[m["start"] : m["end"]] == m["text"]


def test_extract_refuses_a_badly_damaged_file_by_its_first_bad_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(SEED.read_bytes())
    spaces = [i for i, b in enumerate(data) if b == 0x20][::4]
    for i in spaces:
        data[i] = 0xFF
    f = tmp_path / "damaged.txt"
    f.write_bytes(bytes(data))
    assert main(["extract", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"error: {f}: expected UTF-8 text, but {len(spaces):,} of {len(data):,} bytes" in err
    assert f"the first at byte offset {spaces[0]};" in err and "1 of 1 file(s) could not be read" in err
