"""The Corpus page under AppTest, on a store of its own: filters change the table, the map renders.

Three tiny articles (English with a date, Arabic with a date, English without one) are ingested
through the library into a fresh store folder; the page reads them through dashboard.workspace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from geo.store import Store, article_id, ingest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
TIMEOUT = 180
ARTICLES = [
    {
        "text": "Clashes were reported in Kirkuk and near Tuz Khurmatu on Monday.",
        "date": "2024-03-04",
        "source": "kirkuk.txt",
        "title": "Clashes in Kirkuk",
    },
    {
        "text": "هجوم لداعش في قضاء مخمور جنوب اربيل",
        "date": "2024-05-10",
        "source": "makhmour.txt",
        "title": "هجوم في مخمور",
    },
    {
        "text": "An attack on a checkpoint in Mosul killed two soldiers.",
        "source": "mosul.txt",
        "title": "Attack in Mosul",
    },
]


@pytest.fixture
def corpus_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("ZONE_ATLAS_STORE", str(folder))
    feed = tmp_path / "articles.jsonl"
    feed.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES), encoding="utf-8")
    with Store(folder) as store:
        report = ingest(store, [feed])
    assert report.new == 3, report.problems
    return folder


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _corpus(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/corpus.py").run()
    assert not _problems(at), _problems(at)
    return at


def _table(at: AppTest) -> Any:
    tables = [t for t in at.dataframe if "source" in t.value.columns]
    assert len(tables) == 1
    return tables[0].value


def _map_args(at: AppTest) -> dict[str, Any]:
    found = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "component_instance":
                found.append(json.loads(child.proto.json_args))
            walk(child)

    walk(at.main)
    assert len(found) == 1, "expected exactly one map on the page"
    return found[0]


def test_the_table_lists_every_article_and_says_which_are_undated(corpus_store: Path) -> None:
    at = _corpus()
    table = _table(at)
    assert set(table["source"]) == {"kirkuk.txt", "makhmour.txt", "mosul.txt", "article-000.txt"}
    assert table.loc[table["source"] == "mosul.txt", "date"].item() == "undated"
    assert table.iloc[0]["source"] == "makhmour.txt"  # newest first
    assert any("undated" in c.value for c in at.caption)


def test_filters_change_the_table(corpus_store: Path) -> None:
    at = _corpus()
    at.multiselect(key=state.CORPUS_LANGS).set_value(["ar"]).run()
    assert not _problems(at)
    assert "kirkuk.txt" not in set(_table(at)["source"]) and "makhmour.txt" in set(_table(at)["source"])
    at.multiselect(key=state.CORPUS_LANGS).set_value([]).run()
    at.text_input(key=state.CORPUS_SEARCH).input("kirkuk").run()
    assert list(_table(at)["source"]) == ["kirkuk.txt"]
    at.text_input(key=state.CORPUS_SEARCH).input("").run()
    at.checkbox(key=state.CORPUS_UNDATED).uncheck().run()
    assert "mosul.txt" not in set(_table(at)["source"])
    at.slider(key=state.CORPUS_DATES).set_value(at.slider(key=state.CORPUS_DATES).value[:1] * 2).run()
    assert not _problems(at)
    assert len(_table(at)) == 1  # only the articles of the first day


def test_the_map_sends_polygons_with_counts_and_popups_with_articles(corpus_store: Path) -> None:
    at = _corpus()
    args = _map_args(at)
    layers = args["feature_group"]
    assert re.search(r"IQG\d\dQ\d\d · [^:]+: \d+ mentions in \d+ articles", layers)  # district tooltips
    assert "Clashes in Kirkuk" in layers  # a popup lists the article behind the district
    assert "?article=" in layers
    assert layers.count('"type": "Polygon"') + layers.count('"type": "MultiPolygon"') > 0
    assert '"type": "Point"' not in layers  # counts travel on polygons, not as points
    at.radio(key=state.CORPUS_LEVEL).set_value("governorate").run()
    assert not _problems(at)
    layers = _map_args(at)["feature_group"]
    assert re.search(r"IQG\d\d · [^:]+: \d+ mentions in", layers)
    assert not re.search(r"IQG\d\dQ\d\d · [^:]+: \d+ mentions in", layers)


def test_opening_an_article_switches_to_the_map_page(corpus_store: Path) -> None:
    at = _corpus()
    # what choosing a table row (or a popup's button) does: the callback asks for the article
    at.session_state[state.CURRENT] = article_id(ARTICLES[0]["text"])
    at.session_state["za_corpus_open"] = True
    at.run()
    assert not _problems(at)
    current = at.session_state[state.ARTICLES][at.session_state[state.CURRENT]]
    assert current.source == "kirkuk.txt" and current.format == "stored"
    assert any("Clashes in Kirkuk" in h.proto.body for h in at.get("html"))  # the map page's title
