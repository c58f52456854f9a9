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

from dashboard import auth, state, workspace
from geo.store import Store, article_id, ingest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
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


# --- corrections in the article view -----------------------------------------------------------


def _map_page_on(article: dict[str, str], at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.session_state[state.CURRENT] = article_id(article["text"])
    at.run()
    assert not _problems(at), _problems(at)
    return at


def test_a_dropped_place_is_stored_with_who_and_shown_as_corrected(corpus_store: Path) -> None:
    at = _map_page_on(ARTICLES[0])
    at.radio(key="za_fix_action").set_value("drop").run()
    dropped = at.selectbox(key=state.FIX_PLACE).value
    at.button(key="za_fix_drop").click().run()
    assert not _problems(at), _problems(at)
    assert any(s.value.startswith("Dropped ") for s in at.success)
    who = auth.local_user().name
    assert any(f"corrected by {who} on " in i.value for i in at.info)
    history = workspace.store().corrections(article_id(ARTICLES[0]["text"]))
    assert [(c.action, c.who) for c in history] == [("drop", who)]
    assert history[0].before["place_key"] == dropped
    assert dropped not in {p.id for p in workspace.store().analysis(history[0].article_id).places}
    at.switch_page("app_pages/corpus.py").run()
    table = _table(at)
    assert table.loc[table["source"] == "kirkuk.txt", "corrected"].item().startswith(f"corrected by {who}")


def test_a_viewer_sees_who_corrected_but_cannot_correct(
    corpus_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.accounts import AccountStore

    home = tmp_path / "home"
    monkeypatch.setenv("ZONE_ATLAS_HOME", str(home))
    AccountStore(home / "users.json").add("vic", "viewer password", role="viewer")
    with Store(corpus_store) as store:
        key = article_id(ARTICLES[0]["text"])
        store.drop_place(key, store.analysis(key).places[0].id, who="ana")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key=auth.LOGIN_NAME).input("vic")
    at.text_input(key=auth.LOGIN_PASSWORD).input("viewer password")
    at.button[0].click().run()
    at = _map_page_on(ARTICLES[0], at)
    assert any("corrected by ana on " in i.value for i in at.info)
    assert not [b for b in at.button if b.key in ("za_fix_drop", "za_fix_resolve", "za_fix_add")]
    assert not [r for r in at.radio if r.key == "za_fix_action"]
    assert any("Only analysts" in c.value for c in at.caption)


def test_re_resolve_and_add_by_words_go_through_the_gazetteer(corpus_store: Path) -> None:
    key = article_id(ARTICLES[0]["text"])
    at = _map_page_on(ARTICLES[0])
    at.radio(key="za_fix_action").set_value("re-resolve").run()
    at.text_input(key=state.FIX_QUERY).input("الموصل").run()  # Arabic search, English entries
    entries = at.selectbox(key=state.FIX_ENTRY)
    mosul = [i for i, label in enumerate(entries.options) if label.startswith("Mosul ·")]
    assert mosul, entries.options
    entries.select_index(mosul[0]).run()
    at.button(key="za_fix_resolve").click().run()
    assert not _problems(at), _problems(at)
    assert any(" is now " in s.value for s in at.success)
    assert "Mosul" in {p.name for p in workspace.store().analysis(key).places}

    at.radio(key="za_fix_action").set_value("add").run()
    at.text_input(key=state.FIX_WORDS).input("Kirkuk").run()
    occurrence = at.selectbox(key=state.FIX_OCCURRENCE)
    assert occurrence.value == (25, 31)
    at.button(key="za_fix_add").click().run()
    assert not _problems(at), _problems(at)
    history = workspace.store().corrections(key)
    assert [c.action for c in history] == ["re-resolve", "add"]
    assert history[1].after["start"] == 25 and history[1].after["text"] == "Kirkuk"
    assert history[1].after["name"] == "Kirkuk"  # searched by the words, not by the earlier query
