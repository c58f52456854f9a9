"""Zones are the same whether they come from the caches kept across calls or are built afresh."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from geo.model import Place
from geo.text.resolve import geoparse
from geo.zones import build, memo
from geo.zones.derivation import ZoneDerivation, clear_caches, derive
from geo.zones.frames import zones_geojson

REPO = Path(__file__).resolve().parents[2]
ARTICLES = sorted((REPO / "tests" / "devsets" / "zones" / "dev" / "articles").glob("*.txt"))
SEED = REPO / "data" / "samples" / "article-000.txt"


def _dump(result: ZoneDerivation) -> str:
    """Everything a derivation gives, as one JSON string (zones in full, with their geometry)."""
    out: dict[str, Any] = {
        "zones": zones_geojson(result.zones),
        "unanchored": [(s.start, s.end, s.text) for s in result.unanchored],
        "skipped": [(s.kind, s.trigger.start, s.place_id, s.reason) for s in result.skipped],
        "triggers": [(t.kind, t.span.start, t.span.end) for t in result.triggers],
        "excluded": [(t.kind, t.span.start, why) for t, why in result.excluded],
    }
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def articles() -> list[tuple[str, str, list[Place]]]:
    assert len(ARTICLES) >= 30, "the zone dev set is missing"
    found = []
    for path in [*ARTICLES, SEED]:
        text = path.read_text(encoding="utf-8")
        found.append((path.name, text, geoparse(text)))
    return found


def test_cached_and_fresh_derivations_are_identical(articles: list[tuple[str, str, list[Place]]]) -> None:
    fresh = {}
    for name, text, places in articles:
        clear_caches()
        fresh[name] = _dump(derive(text, places))
    # warm: every article again, twice, in another order, so each one meets the others' entries
    for _ in range(2):
        for name, text, places in reversed(articles):
            assert _dump(derive(text, places)) == fresh[name], name
    assert sum(json.loads(d)["zones"]["features"] != [] for d in fresh.values()) >= 25


def test_a_changed_setting_never_returns_the_zone_of_another(
    articles: list[tuple[str, str, list[Place]]],
) -> None:
    (_, text, places) = next(a for a in articles if a[0] == SEED.name)
    widths = (10.0, 20.0, 30.0)
    for side in ("federal", "both"):
        clear_caches()
        fresh = {w: _dump(derive(text, places, belt_km=w, belt_side=side)) for w in widths}
        assert len(set(fresh.values())) == len(widths)
        for w in (*widths, *widths):
            assert _dump(derive(text, places, belt_km=w, belt_side=side)) == fresh[w]


def test_zones_handed_out_are_not_shared_between_calls(
    articles: list[tuple[str, str, list[Place]]],
) -> None:
    (_, text, places) = next(a for a in articles if a[0] == SEED.name)
    first = derive(text, places)
    expected = _dump(derive(text, places))
    for zone in first.zones:  # what a caller may do to the zones it was given
        zone.occurrences.append(zone.trigger)
        zone.places.append("changed")
        zone.params["changed"] = True
        zone.covers.clear()
    assert _dump(derive(text, places)) == expected


def test_the_caches_are_bounded(
    monkeypatch: pytest.MonkeyPatch, articles: list[tuple[str, str, list[Place]]]
) -> None:
    small = memo.BoundedCache(3)
    monkeypatch.setattr(build, "_SHARED", small)
    monkeypatch.setattr(memo, "_READINGS", memo.BoundedCache(2))
    for _, text, places in articles[:6]:
        derive(text, places)
        assert len(small) <= 3 and len(memo._READINGS) <= 2
    assert build.SHARED_SIZE == 1024 and memo.READINGS_SIZE == 256


def test_an_edited_place_is_read_again(articles: list[tuple[str, str, list[Place]]]) -> None:
    (_, text, places) = next(a for a in articles if a[0] == SEED.name)
    before = derive(text, places)
    moved = [p for p in places if p.kind == "governorate"][0]
    others = [p for p in places if p is not moved]
    after = derive(text, others)
    assert _dump(after) != _dump(before)
    clear_caches()
    assert _dump(derive(text, others)) == _dump(after)
