"""The Corpus page's events over time under AppTest, on a store of dated articles with a planted surge:
the timeline, the undated count, the heat table, the surge list and its "show on map", the
time-lapse and the events on the map."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state, workspace
from dashboard import timeline as events_over_time
from geo.store import Store, ingest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import events_corpus  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 180
SHOTS = Path("/tmp/shots/events")


@pytest.fixture
def events_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZONE_ATLAS_HOME", str(tmp_path / "home"))
    folder = tmp_path / "store"
    monkeypatch.setenv("ZONE_ATLAS_STORE", str(folder))
    with Store(folder) as store:
        report = ingest(store, [events_corpus.write_feed(tmp_path)], progress=False)
    assert report.new == len(events_corpus.articles()), report.problems
    return folder


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _corpus() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/corpus.py").run()
    assert not _problems(at), _problems(at)
    return at


def _map_args(at: AppTest) -> dict[str, Any]:
    found = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "component_instance":
                found.append(json.loads(child.proto.json_args))
            walk(child)

    walk(at.main)
    assert len(found) == 1
    return found[0]


def _undated() -> int:
    """Undated events of the store (the corpus' one and the seed article's, stored by the app)."""
    return int(workspace.store().events()["date"].isna().sum())


def _events_on_map(at: AppTest) -> int:
    return str(_map_args(at)["feature_group"]).count('"className": "za-event"')


def test_the_timeline_heat_table_and_surge_list_show_the_planted_surge(events_store: Path) -> None:
    at = _corpus()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["params"][0]["name"] == "brush"  # the interval that sets the date range
    captions = " ".join(c.value for c in at.caption)
    undated = _undated()
    assert undated >= 1
    assert f"{undated} undated event{'s are' if undated > 1 else ' is'} not on the timeline" in captions
    assert "15 dated events" in captions
    heat = [d for d in at.dataframe if "2024-03-04" in list(d.value.columns)]
    assert heat, "no governorate x week table"
    surges = " ".join(m.value for m in at.markdown)
    assert "**Diyala** · 2024-03-04 to 2024-03-10 · 5 events" in surges
    assert _events_on_map(at) == len(workspace.store().events().dropna(subset=["lat"]))  # undated too
    layers = str(_map_args(at)["feature_group"])
    assert "Armed assault" in layers and "3 killed, 2 wounded" in layers  # popups in plain words


def test_the_date_range_and_the_time_lapse_filter_the_events_on_the_map(events_store: Path) -> None:
    at = _corpus()
    at.slider(key=state.CORPUS_DATES).set_value((events_corpus.SURGE_WEEK, dt.date(2024, 3, 8))).run()
    assert not _problems(at), _problems(at)
    assert _events_on_map(at) == 5 + _undated()  # the five of the surge week and the undated ones
    at.checkbox(key=state.CORPUS_UNDATED).uncheck().run()
    assert _events_on_map(at) == 5
    at.slider(key=state.CORPUS_DATES).set_value((dt.date(2024, 1, 3), dt.date(2024, 3, 8))).run()
    at.toggle(key=events_over_time.LAPSE).set_value(True).run()
    assert not _problems(at), _problems(at)
    assert _events_on_map(at) == 1  # the first week: one attack in Kirkuk
    at.session_state[events_over_time.ADVANCE] = True  # what the playing ticker asks for
    at.run()
    assert at.session_state[events_over_time.LAPSE_WEEK] == dt.date(2024, 1, 8)
    assert any("week of 2024-01-08" in c.value for c in at.caption)


def test_show_on_map_frames_the_surge_governorate(events_store: Path) -> None:
    at = _corpus()
    before = _map_args(at).get("center")
    buttons = [b for b in at.button if b.key and b.key.startswith("za_corpus_surge_")]
    assert len(buttons) == 1
    buttons[0].click().run()
    assert not _problems(at), _problems(at)
    args = _map_args(at)
    assert args.get("center") != before and args.get("zoom")
    lat, lon = args["center"]
    assert 33.0 < lat < 35.2 and 44.2 < lon < 46.2  # Diyala


def test_the_period_briefing_button_offers_the_pdf_of_the_date_range(events_store: Path) -> None:
    at = _corpus()
    at.slider(key=state.CORPUS_DATES).set_value((dt.date(2024, 2, 5), dt.date(2024, 3, 8))).run()
    at.button(key="za_corpus_brief").click().run()
    assert not _problems(at), _problems(at)
    period, pdf = at.session_state[events_over_time.BRIEFING]
    assert (period.date_from, period.date_to) == (dt.date(2024, 2, 5), dt.date(2024, 3, 8))
    assert pdf.startswith(b"%PDF")
    assert at.get("download_button"), "no download button for the prepared briefing"


def test_the_article_view_lists_the_articles_events(events_store: Path) -> None:
    from geo.store import article_id

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    record = events_corpus.articles()[10]  # the first Arabic article of the surge
    at.session_state[state.CURRENT] = article_id(record["text"])
    at.run()
    assert not _problems(at), _problems(at)
    tables = [d.value for d in at.dataframe if "quote" in d.value.columns]
    assert len(tables) == 1
    row = tables[0].iloc[0]
    assert row["type"] == "Armed assault" and row["date"] == "2024-03-04"
    assert row["place"] == "Al-Muqdadiya" and row["killed"] == 3 and row["wounded"] == 2
    assert row["actors"] == "ISIS" and row["quote"].startswith("هاجم مسلحون")


# --- in a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_brushing_the_timeline_sets_the_date_range_and_the_map(
    offline_page: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import re
    import time

    from test_workspace_browser import MAP_FRAME, WAIT_MS, Server

    home = tmp_path_factory.mktemp("timeline-home")
    with Store(home / "store") as store:
        ingest(store, [events_corpus.write_feed(home)], progress=False)
    server = Server(home)
    server.start()
    try:
        page = offline_page
        page.set_default_timeout(WAIT_MS)
        page.goto(server.url)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Corpus").click()
        markers = page.frame_locator(MAP_FRAME).locator("path.za-event")
        markers.first.wait_for()
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        dates = page.locator('[data-testid="stSlider"]').filter(has_text="Dates").first
        thumbs = dates.locator('[data-testid="stSliderThumbValue"]')
        before = thumbs.all_inner_texts()
        events_before = markers.count()
        box = chart.locator("canvas, svg").first.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] * 0.45
        page.mouse.move(box["x"] + box["width"] * 0.55, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=8)
        page.mouse.move(box["x"] + box["width"] * 0.86, y, steps=8)
        page.mouse.up()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and thumbs.all_inner_texts() == before:
            time.sleep(0.3)
        after = thumbs.all_inner_texts()
        assert after != before, "brushing the timeline did not change the date range"
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", t) for t in after), after
        assert after[0] > before[0] or after[1] < before[1]  # a narrower range
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and markers.count() == events_before:
            time.sleep(0.3)
        assert markers.count() < events_before, "the map still shows every event"
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": 2200})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "corpus-timeline-brushed.png"), full_page=True)
        assert page.external_requests == []
    finally:
        server.stop()
