"""Scoring zones against gold (geo.zones.evaluate, ``python -m geo evaluate-zones``).

The matching rules are checked on hand-made predictions and gold zones over the real COD-AB
units; the seed paraphrases of the dev set (seed-en, seed-ckb) must give their 12 zones, 12 of 12.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo import cli
from geo.errors import InputError
from geo.model import Span, Zone
from geo.zones import geometry as g
from geo.zones.atlas import load_atlas
from geo.zones.evaluate import Predicted, evaluate_zones, pair_score, score_article, side_part

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "tests" / "devsets" / "zones" / "dev"
KIRKUK_CITY = (35.46806, 44.39222)


def gold_dir(tmp_path: Path, *ids: str) -> Path:
    """A gold folder holding only the given dev articles (sources made absolute)."""
    folder = tmp_path / "gold"
    folder.mkdir()
    for i in ids:
        gold = json.loads((DEV / f"{i}.json").read_text(encoding="utf-8"))
        gold["source"] = str(REPO / gold["source"])
        (folder / f"{i}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return folder


def unit_pred(kind: str, level: int, pcode: str, modifier: str | None = None) -> Predicted:
    return Predicted(kind, load_atlas().metric_geom(level, pcode), modifier, pcode)


def point_pred(kind: str, lat: float, lon: float, km: float, modifier: str | None = None) -> Predicted:
    return Predicted(kind, g.to_metric(Point(lon, lat)).buffer(km * 1000), modifier, f"{lat},{lon}")


# --- matching rules --------------------------------------------------------------------------------


def test_a_unit_anchor_needs_half_of_the_unit_covered() -> None:
    gold = {"kind": "attack_area", "modifier": None, "anchors": [{"pcode": "IQG10"}]}
    assert pair_score(unit_pred("attack_area", 1, "IQG10"), gold) is not None
    assert pair_score(unit_pred("attack_area", 2, "IQG10Q05"), gold) is None  # Khanaqin: a small part
    assert pair_score(unit_pred("operations_room", 1, "IQG10"), gold) is None  # another kind


def test_a_direction_asks_for_that_side_of_the_unit() -> None:
    gold = {"kind": "attack_area", "modifier": "north", "anchors": [{"pcode": "IQG07"}]}
    north = side_part(load_atlas().metric_geom(1, "IQG07"), "north")
    south = side_part(load_atlas().metric_geom(1, "IQG07"), "south")
    assert pair_score(Predicted("attack_area", north, "north", "n"), gold) is not None
    assert pair_score(Predicted("attack_area", south, "south", "s"), gold) is None


def test_a_point_anchor_is_hit_within_15_km_and_on_the_right_side() -> None:
    lat, lon = KIRKUK_CITY
    gold = {"kind": "attack_area", "modifier": None, "anchors": [{"lat": lat, "lon": lon}]}
    assert pair_score(point_pred("attack_area", lat, lon, 5), gold) is not None
    assert pair_score(point_pred("attack_area", lat + 0.3, lon, 5), gold) is None  # ~33 km north
    west = {"kind": "attack_area", "modifier": "west", "anchors": [{"lat": lat, "lon": lon}]}
    assert pair_score(point_pred("attack_area", lat, lon - 0.12, 3, "west"), west) is not None
    assert pair_score(point_pred("attack_area", lat, lon + 0.12, 3, "west"), west) is None


def test_a_corridor_needs_every_anchor() -> None:
    gold = {"kind": "corridor", "modifier": "between", "anchors": [{"pcode": "IQG10"}, {"pcode": "IQG16"}]}
    both = Predicted(
        "corridor",
        load_atlas().metric_geom(1, "IQG10").union(load_atlas().metric_geom(1, "IQG16")),
        "between",
        "both",
    )
    assert pair_score(both, gold) is not None
    assert (
        pair_score(Predicted("corridor", load_atlas().metric_geom(1, "IQG18"), "between", "w"), gold) is None
    )


def test_standard_list_matches_any_disputed_zone_and_pairs_are_one_to_one() -> None:
    gold = {
        "id": "x",
        "lang": "en",
        "zones": [
            {"kind": "disputed_territories", "modifier": None, "anchors": []},
            {"kind": "attack_area", "modifier": None, "anchors": [{"pcode": "IQG10"}], "categories": [5]},
            {"kind": "attack_area", "modifier": None, "anchors": [{"pcode": "IQG10"}], "categories": [8]},
        ],
    }
    atlas = load_atlas()
    zones = [
        Zone(
            "d",
            "disputed_territories",
            "D",
            "",
            [],
            Span(0, 1, "d"),
            Span(0, 1, "d"),
            "unit_list",
            {},
            g.to_wgs84(atlas.metric_geom(1, "IQG13")),
            "cod",
        ),
        Zone(
            "a",
            "attack_area",
            "A",
            "",
            [],
            Span(0, 1, "a"),
            Span(0, 1, "a"),
            "modified_area",
            {},
            atlas.wgs_geom(1, "IQG10"),
            "cod",
        ),
    ]
    res = score_article(gold, zones)
    assert len(res.pairs) == 2 and res.false_positives == []  # one attack zone pairs with one gold zone


# --- whole folders ---------------------------------------------------------------------------------


@pytest.mark.parametrize("article", ["seed-en", "seed-ckb"])
def test_seed_paraphrases_give_their_12_zones(tmp_path: Path, article: str) -> None:
    result = evaluate_zones(gold_dir(tmp_path, article))
    figures = result.as_dict()
    assert figures["gold_zones"] == 12
    assert figures["overall"]["tp"] == 12 and figures["overall"]["fp"] == 0, result.report(details=True)


def test_language_filter_and_report(tmp_path: Path) -> None:
    folder = gold_dir(tmp_path, "seed-en", "seed-ckb", "en-zd08")
    result = evaluate_zones(folder, lang="en")
    d = result.as_dict()
    assert d["articles"] == 2 and set(d["by_lang"]) == {"en"}
    assert d["no_zone_articles"] == 1
    text = result.report(details=True)
    assert "| **overall** |" in text and "### seed-en (en)" in text and "| 11 | Sorani |" not in text


def test_cli_evaluate_zones_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = gold_dir(tmp_path, "seed-en")
    out = tmp_path / "figures.json"
    assert cli.main(["evaluate-zones", str(folder), "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["overall"]["f1"] == 1.0 and "by_kind" in figures and "category_recall" in figures
    assert "| **overall** | 12 | 0 | 0 |" in capsys.readouterr().out


def test_an_empty_or_broken_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="gold"):
        evaluate_zones(tmp_path)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json"):
        evaluate_zones(tmp_path)
    shutil.rmtree(tmp_path)
