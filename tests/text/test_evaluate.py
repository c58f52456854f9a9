"""Evaluation: scoring rules on literal input, and the two gold folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.model import Mention, Place, Span
from geo.text.evaluate import evaluate, load_gold, score_article

REPO = Path(__file__).resolve().parents[2]
SHARED_EVAL = REPO.parent / "shared" / "eval"


def place(name: str, start: int, end: int, lat: float, lon: float, kind: str = "city") -> Place:
    m = Mention(start, end, "x" * (end - start), Span(0, 100, ""))
    return Place(
        id=name,
        name=name,
        name_ar="",
        kind=kind,
        country="IQ",
        lat=lat,
        lon=lon,
        confidence=0.9,
        mentions=[m],
    )


GOLD = {
    "article": "a.txt",
    "places": [
        {
            "surfaces": ["Kirkuk"],
            "name_en": "Kirkuk",
            "type": "governorate",
            "lat": 35.35,
            "lon": 44.1,
            "alt": [{"type": "city", "lat": 35.47, "lon": 44.39}],
        },
        {"surfaces": ["Hit"], "name_en": "Hit", "type": "town", "lat": 33.64, "lon": 42.83},
    ],
}
TEXT = "Attack in Kirkuk and in Hit; Baghdad calm."


def test_detection_and_distance_tolerances() -> None:
    k = TEXT.index("Kirkuk")
    h = TEXT.index("Hit")
    b = TEXT.index("Baghdad")
    predicted = [
        place("Kirkuk", k, k + 6, 35.47, 44.39),  # the alt (city) reading: correct
        place("Hit", h, h + 3, 34.5, 42.83),  # ~96 km off for a town: detected, wrong place
        place("Baghdad", b, b + 7, 33.31, 44.37),  # not in the gold: false positive
    ]
    c, fps, missed, wrong = score_article(TEXT, GOLD, predicted)
    assert (c.predicted, c.gold, c.detected_pred, c.detected_gold, c.correct_pred, c.correct_gold) == (
        3,
        2,
        2,
        2,
        1,
        1,
    )
    assert c.pairs == 2 and c.pairs_within_161 == 2
    assert len(fps) == 1 and "Baghdad" in fps[0] and missed == [] and len(wrong) == 1
    m = c.metrics()
    assert m["detection_precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["detection_recall"] == 1.0
    assert m["e2e_f1"] == pytest.approx(0.4, abs=1e-3)


def test_spans_tell_apart_two_gold_places_written_alike() -> None:
    text = "Riyadh talks; Riyadh subdistrict raid."
    second = text.index("Riyadh", 1)
    gold = {
        "article": "x",
        "places": [
            {
                "surfaces": ["Riyadh"],
                "spans": [[0, 6]],
                "name_en": "Riyadh",
                "type": "city",
                "lat": 24.69,
                "lon": 46.72,
            },
            {
                "surfaces": ["Riyadh"],
                "spans": [[second, second + 6]],
                "name_en": "Al-Riyadh",
                "type": "subdistrict",
                "lat": 35.21,
                "lon": 43.88,
            },
        ],
    }
    predicted = [place("Riyadh", 0, 6, 24.69, 46.72), place("Al-Riyadh", second, second + 6, 35.27, 43.91)]
    c, *_ = score_article(text, gold, predicted)
    assert c.correct_pred == 2 and c.correct_gold == 2
    swapped = [place("Riyadh", 0, 6, 35.27, 43.91), place("Al-Riyadh", second, second + 6, 24.69, 46.72)]
    c, *_ = score_article(text, gold, swapped)
    assert c.correct_pred == 0 and c.detected_pred == 2


def test_malformed_gold_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "g.json"
    f.write_text(json.dumps({"places": []}), encoding="utf-8")
    with pytest.raises(InputError, match="article"):
        load_gold(f)
    f.write_text(json.dumps({"article": "a", "places": [{"name_en": "x"}]}), encoding="utf-8")
    with pytest.raises(InputError, match="surfaces"):
        load_gold(f)
    with pytest.raises(InputError, match="gold"):
        evaluate(tmp_path / "empty")


def test_own_gold_set_meets_the_target() -> None:
    report = evaluate(REPO / "tests" / "gold")
    assert set(report.by_lang) == {"ar", "en", "ckb"}
    for row in [*report.by_lang.values(), report.overall]:
        assert row["detection_f1"] >= 0.95
        assert row["e2e_f1"] >= 0.95
    assert report.overall["articles"] == 8


@pytest.mark.skipif(not (SHARED_EVAL / "article-000.json").is_file(), reason="shared eval folder not present")
def test_seed_gold_meets_the_target() -> None:
    report = evaluate(SHARED_EVAL)
    assert report.overall["e2e_f1"] >= 0.95 and report.overall["detection_f1"] >= 0.95
    assert "Kirkuk" not in report.table() or "all" in report.table()


def test_report_by_category_language_and_calibration() -> None:
    dev = REPO / "tests" / "devsets" / "places" / "dev"
    report = evaluate(dev, lang="ckb")
    assert set(report.by_lang) == {"ckb"}
    cats = report.by_category()
    assert {"admin", "feature", "small_place"} <= set(cats)
    assert all(0.0 <= row["right_rate"] <= row["found_rate"] <= 1.0 for row in cats.values())
    rel = report.calibration()
    assert sum(int(b["n"]) for b in rel.bins) == report.overall["predicted"]
    assert "ECE" in rel.table() and "small_place" in report.category_table()
