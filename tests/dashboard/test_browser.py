"""The real dashboard in headless Chromium with the network cut off (Debian's /usr/bin/chromium).

The map paints from local assets with the seed article's boundaries, places and zones; a click on
a place shows its sentence in the article panel; choosing a place in the article's list centres the
map on it; an uploaded HTML article full of script payloads runs none of them. Screenshots are
saved in each test's tmp dir and in ``artifacts/screenshots/`` (git-ignored, kept by CI).
A second server with a users file covers the accounts: log-in and log-out, five wrong passwords
locking an account, and a viewer without upload or paste controls.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from geo.accounts import AccountStore
from geo.data import boundaries
from geo.model import Analysis
from geo.pipeline import analyze

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "screenshots"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
WAIT_MS = 90_000
XSS_HTML = """<!doctype html><html><head><meta charset="utf-8">
<title>&lt;img src=x onerror=window.__pwned=1&gt; تقرير</title></head>
<body><article>
<h1>&lt;script&gt;window.__pwned=1&lt;/script&gt; هجمات في كركوك</h1>
<p>وتصاعدت هجمات داعش في كركوك وديالى &lt;img src=x onerror="window.__pwned=1"&gt; ${window.__pwned=1} `x`.</p>
<p><img src="x" onerror="window.__pwned=1"> <a href="javascript:window.__pwned=1">رابط</a>
&lt;a href="javascript:window.__pwned=1"&gt;link&lt;/a&gt; '"--&gt;&lt;/script&gt;&lt;svg onload=window.__pwned=1&gt;</p>
<script>window.__pwned=1; alert(1)</script>
</article></body></html>
"""


@cache
def _seed() -> Analysis:
    text = (REPO / "data" / "samples" / "article-000.txt").read_text(encoding="utf-8")
    return analyze(text, "article-000.txt")


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / path.name)
    return path


def _map_frame(page: Any) -> Any:
    page.frame_locator(MAP_FRAME).locator("path.za-place").first.wait_for(timeout=WAIT_MS)
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _open(page: Any, url: str) -> Any:
    page.set_default_timeout(WAIT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(url)
    frame = _map_frame(page)
    _still(frame)
    return frame


def _still(frame: Any, timeout_s: float = 20.0) -> None:
    """Wait until the map has stopped moving (the view is fitted to the article after it paints)."""
    where = "JSON.stringify([window.map.getCenter(), window.map.getZoom()])"
    deadline = time.monotonic() + timeout_s
    last = frame.evaluate(where)
    while time.monotonic() < deadline:
        time.sleep(0.4)
        now = frame.evaluate(where)
        if now == last:
            return
        last = now


def _until(check: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_the_page_around_the_map_comes_even_when_the_map_never_draws(
    offline_page: Any, dashboard_url: str
) -> None:
    # a session's first run draws the map alone, and the map's first report brings the rest; a map
    # that never reports (here its component cannot load) must not leave the analyst without them
    page = offline_page
    page.set_default_timeout(WAIT_MS)
    page.route("**/component/streamlit_folium.st_folium/**", lambda route: route.abort())
    page.goto(dashboard_url)
    page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first.wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # the places table
    assert page.get_by_text("Click a highlighted word").count() == 1  # the article panel
    assert page.external_requests == []


def test_map_paints_offline_with_the_seed(offline_page: Any, dashboard_url: str, tmp_path: Path) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    seed = _seed()
    places = sum(math.isfinite(p.lat) and math.isfinite(p.lon) for p in seed.places)
    zones = sum(z.geometry is not None and not z.geometry.is_empty for z in seed.zones)
    seats = sum(z.kind == "operations_room" and z.seat is not None for z in seed.zones)
    assert _until(lambda: frame.locator("path.za-place").count() == places), frame.locator(
        "path.za-place"
    ).count()
    assert frame.locator("path.za-zone").count() == zones
    assert frame.locator(".za-seat-icon").count() == seats > 0
    assert frame.locator("path.za-adm1").count() == len(boundaries.load_level(1))  # every governorate
    assert frame.locator("path.za-adm2").count() == len(boundaries.load_level(2))  # and district
    assert frame.locator("path.za-adm3").count() == 0  # sub-districts are off by default
    for control in (
        ".leaflet-control-layers",
        ".leaflet-control-scale",
        ".leaflet-control-measure",
        "[class*=fullscreen]",
    ):
        assert frame.locator(control).count() >= 1, control
    # the legend is outside the map and the mini-map is off: see test_legend_and_minimap_leave_the_map_clear
    assert page.locator(".za-legend-strip").count() == 1
    assert frame.locator("img.leaflet-tile").count() == 0  # no basemap tiles by default
    assert page.locator(".za-article .za-mention").count() >= sum(len(p.mentions) for p in seed.places) // 2
    assert page.locator('.za-article[dir="rtl"]').count() == 1
    _shot(page, tmp_path, "map-seed")
    assert page.external_requests == []
    assert page.dialogs == []


def test_clicking_a_place_shows_its_sentence(offline_page: Any, dashboard_url: str, tmp_path: Path) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    index = frame.evaluate(
        """() => {
            const markers = [...document.querySelectorAll('path.za-place')];
            return markers.findIndex(m => {
                const r = m.getBoundingClientRect();
                return r.width > 0 && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === m;
            });
        }"""
    )
    assert index >= 0, "every place marker is covered by another"
    frame.locator("path.za-place").nth(index).click()
    ref = frame.locator(".leaflet-popup-content .za-ref").inner_text().split()[0]
    place = _seed().places[int(ref[1:])]
    page.locator(".za-quote mark").first.wait_for()
    marked = set(page.locator(".za-quote mark").all_inner_texts())
    assert marked and marked <= {m.text for m in place.mentions}, (marked, place.name)
    selected = page.locator(".za-article .za-selected")
    assert selected.count() >= 1
    assert all(ref in (s.get_attribute("data-ref") or "").split() for s in selected.all())
    first = page.locator(".za-article .za-selected").first
    assert first.is_visible()
    visible = page.evaluate(
        """(el) => {
            let box = el.parentElement;
            while (box && !(box.scrollHeight > box.clientHeight && getComputedStyle(box).overflowY !== 'visible'))
                box = box.parentElement;
            const a = el.getBoundingClientRect(), b = (box || document.documentElement).getBoundingClientRect();
            return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
        }""",
        first.element_handle(),
    )
    assert visible, "the article panel did not scroll to the place's mention"
    assert frame.locator(".leaflet-popup-content").count() == 1  # the rerun kept the map and its popup
    _shot(page, tmp_path, "place-clicked")

    # choose something else in the list, come back and click the same place: it is selected again
    view = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Go to place or zone").click()
    page.keyboard.type("Z0 ")
    page.keyboard.press("Enter")
    assert _until(lambda: page.locator('.za-article .za-selected[data-ref~="Z0"]').count() > 0)
    _still(frame)
    frame.evaluate(
        f"window.map.closePopup(); window.map.setView([{view[0]}, {view[1]}], {view[2]}, {{animate: false}})"
    )
    frame.locator("path.za-place").nth(index).click()
    assert _until(lambda: page.locator(f'.za-article .za-selected[data-ref~="{ref}"]').count() > 0)


def test_clicking_a_zone_shows_its_trigger_sentence(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    spot = frame.evaluate(
        """() => {
            const zones = [...document.querySelectorAll('path.za-zone')];
            const hits = (x, y, el) => [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(
                ([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === el);
            for (const zone of zones) {
                const r = zone.getBoundingClientRect();
                for (let fx = 0.1; fx < 1; fx += 0.1) for (let fy = 0.1; fy < 1; fy += 0.1) {
                    const x = r.x + r.width * fx, y = r.y + r.height * fy;
                    if (x > 5 && y > 5 && x < innerWidth - 5 && y < innerHeight - 5 && hits(x, y, zone)) return [x, y];
                }
            }
            return null;
        }"""
    )
    assert spot is not None, "no zone outline can be clicked"
    box = page.locator(MAP_FRAME).bounding_box()
    popup_ref = frame.locator(".leaflet-popup-content .za-ref").first
    for _ in range(3):  # a click that lands while the page is still rerunning is lost: click again
        page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
        try:
            popup_ref.wait_for(timeout=5_000)
            break
        except Exception:  # playwright's TimeoutError
            page.wait_for_timeout(500)
    ref = popup_ref.inner_text().split()[0]
    assert ref.startswith("Z")
    zone = _seed().zones[int(ref[1:])]
    page.locator(".za-quote mark").first.wait_for()
    assert zone.trigger.text in page.locator(".za-quote mark").all_inner_texts()
    selected = page.locator(".za-article .za-selected")
    assert any(ref in (s.get_attribute("data-ref") or "").split() for s in selected.all())
    _shot(page, tmp_path, "zone-clicked")


def test_choosing_a_place_in_the_list_centres_the_map(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    seed = _seed()
    index = next(i for i, p in enumerate(seed.places) if p.kind in ("city", "district", "town"))
    place = seed.places[index]
    before = frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Go to place or zone")
    box.click()
    page.keyboard.type(f"P{index} ")
    page.keyboard.press("Enter")

    def moved() -> bool:
        lat, lon, _zoom = frame.evaluate(
            "[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
        )
        return abs(lat - place.lat) < 0.01 and abs(lon - place.lon) < 0.01

    assert _until(moved), (before, place.lat, place.lon)
    assert frame.evaluate("window.map.getZoom()") > before[2]
    page.locator(".za-quote mark").first.wait_for()
    _shot(page, tmp_path, "place-chosen")


def test_uploaded_html_article_runs_nothing(offline_page: Any, dashboard_url: str, tmp_path: Path) -> None:
    page = offline_page
    _open(page, dashboard_url)
    article = tmp_path / "payloads.html"
    article.write_text(XSS_HTML, encoding="utf-8")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Articles").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(article))
    page.locator(".za-article").filter(has_text="window.__pwned=1").first.wait_for()
    _shot(page, tmp_path, "xss-articles-page")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Map").click()
    frame = _map_frame(page)
    _until(lambda: frame.locator("path.za-place").count() >= 1)
    opened = frame.evaluate(
        """() => { let n = 0; window.map.eachLayer(l => {
               if (l.getPopup && l.getPopup() && !l.getLayers) { l.openPopup(); n++; }
               if (l.getTooltip && l.getTooltip()) l.openTooltip(); });
             return n; }"""
    )
    assert opened >= 1
    frame.locator("path.za-place").first.dispatch_event("click")  # the click goes back to the page too
    page.locator(".za-quote").first.wait_for()
    page.wait_for_timeout(500)
    shown = page.locator(".za-article").inner_text()
    assert "<script>window.__pwned=1</script>" in shown  # the payload is shown as text
    for doc in (page, frame):
        assert doc.evaluate("window.__pwned") is None
        assert (
            doc.evaluate(
                "[...document.querySelectorAll('script')].filter(s => s.textContent.includes('__pwned=1;')).length"
            )
            == 0
        )
        assert doc.locator('a[href^="javascript:"], img[src="x"], svg[onload]').count() == 0
    assert page.dialogs == []
    assert page.external_requests == []
    _shot(page, tmp_path, "xss-map")


# --- Names, legend, overlapping zones, text to map, the offline basemap -------------------------

LABEL_BOXES = """() => [...document.querySelectorAll('.za-label:not(.za-label-off) .za-lt')].map(e => {
    const r = e.getBoundingClientRect();
    return [e.textContent, r.left, r.top, r.right, r.bottom, e.getAttribute('dir') || ''];
})"""


def _overlaps(boxes: list[list[Any]]) -> list[tuple[str, str]]:
    return [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5
    ]


CONTROL_BOXES = """() => [...document.querySelectorAll('.leaflet-control')].map(e => {
    const r = e.getBoundingClientRect();
    return [e.className, r.left, r.top, r.right, r.bottom];
}).filter(b => b[3] > b[1])"""


def _under_controls(frame: Any, boxes: list[list[Any]]) -> list[tuple[str, str]]:
    """Labels that a map control (zoom, layers, scale bar, attribution) covers."""
    return [(a[0], b[0]) for a in boxes for b in frame.evaluate(CONTROL_BOXES) if _overlaps([a, b])]


def _view(frame: Any) -> list[float]:
    return frame.evaluate("[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")


def test_first_screen_names_the_product_and_the_map_is_labelled_without_overlaps(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    brand = page.locator(".za-brand")
    assert brand.locator(".za-name").inner_text() == "Zone Atlas"
    assert "news about Iraq" in brand.inner_text()
    assert page.get_by_text("The sample article").count() >= 1
    assert page.get_by_text("Preparing the map").count() == 0  # gone once the map is there
    assert _until(lambda: len(frame.evaluate(LABEL_BOXES)) >= 8)
    boxes = frame.evaluate(LABEL_BOXES)
    names = {b[0] for b in boxes}
    assert {"Kirkuk", "Diyala", "Baghdad"} <= names, names  # the article's places are named
    assert names & {"DIYALA", "Diyala"} and any(b[0].startswith("Ops room") for b in boxes), names
    assert not _overlaps(boxes)
    assert not _under_controls(frame, boxes)
    frame.evaluate("window.map.setZoom(window.map.getZoom() + 1.5, {animate: false})")
    _still(frame)
    page.wait_for_timeout(300)
    zoomed = frame.evaluate(LABEL_BOXES)
    assert len(zoomed) >= 5 and not _overlaps(zoomed)
    _shot(page, tmp_path, "labels-en")
    page.locator('[data-testid="stSidebar"]').get_by_text("العربية").click()
    assert _until(lambda: "كركوك" in {b[0] for b in _labels_in(page)})
    arabic = _labels_in(page)
    assert all(b[5] == "rtl" for b in arabic if b[0] in {"كركوك", "ديالى", "بغداد"})
    assert not _overlaps(arabic)
    _shot(page, tmp_path, "labels-ar")
    assert page.external_requests == []


def frame_of(page: Any) -> Any:
    """The map's frame once a rebuilt map has replaced the old one (both are there for a moment)."""

    def one() -> Any:
        frames = [f for f in page.frames if "streamlit_folium" in f.url]
        if page.locator(MAP_FRAME).count() != 1 or len(frames) != 1:
            return None
        try:
            ready = frames[0].evaluate(
                "!!window.map && document.querySelectorAll('path.za-place').length > 0"
            )
        except Exception:  # the frame went away while we looked
            return None
        return frames[0] if ready else None

    frame = _until(one)
    assert frame is not None, "the map was not rebuilt"
    return frame


def _count(page: Any, selector: str) -> int:
    try:
        return int(frame_of(page).locator(selector).count())
    except Exception:  # rebuilt while we looked: look again
        return 0


def _labels_in(page: Any) -> list[list[Any]]:
    try:
        return frame_of(page).evaluate(LABEL_BOXES)
    except Exception:  # rebuilt while we looked: look again
        return []


def test_legend_and_minimap_leave_the_map_clear(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    assert frame.locator(".za-legend").count() == 0  # no legend box on the map itself
    assert frame.locator(".leaflet-control-minimap").count() == 0  # the mini-map is off by default
    strip = page.locator(".za-legend-strip")
    m, lg = page.locator(MAP_FRAME).bounding_box(), strip.bounding_box()
    centre = (
        m["x"] + 0.2 * m["width"],
        m["y"] + 0.2 * m["height"],
        m["x"] + 0.8 * m["width"],
        m["y"] + 0.8 * m["height"],
    )
    outside = (
        lg["x"] + lg["width"] <= centre[0]
        or lg["x"] >= centre[2]
        or lg["y"] + lg["height"] <= centre[1]
        or lg["y"] >= centre[3]
    )
    assert outside, (lg, centre)
    items = [t.strip() for t in strip.locator(".za-li").all_inner_texts()]
    seed = _seed()
    assert any(t.startswith("Joint operations room") for t in items) and "governorate" in items
    assert "village" not in items and "town" not in items  # only the kinds on the map
    assert {p.kind for p in seed.places} <= set(items)
    page.locator('[data-testid="stSidebar"]').get_by_text("Mini-map").click()  # asked for, it paints offline
    assert _until(lambda: _count(page, ".leaflet-control-minimap") >= 1)
    assert _until(lambda: _count(page, ".leaflet-control-minimap path") > 0)
    _shot(page, tmp_path, "minimap-on")


def _overlap_spot(seed: Analysis) -> tuple[float, float, set[str], set[str]]:
    """A point deep inside two or more zones: (lat, lon, refs surely there, refs perhaps there)."""

    zones = [(j, z.geometry) for j, z in enumerate(seed.zones) if z.geometry is not None]
    for a, ga in zones:
        for b, gb in zones:
            if b <= a:
                continue
            core = ga.intersection(gb).buffer(-0.1)
            if core.is_empty:
                continue
            p = core.representative_point()
            sure = {f"Z{j}" for j, g in zones if g.contains(p.buffer(0.05))}
            maybe = {f"Z{j}" for j, g in zones if g.intersects(p.buffer(0.05))}
            if len(sure) >= 2:
                return p.y, p.x, sure, maybe
    raise AssertionError("the seed has no overlapping zones")


def test_a_click_where_zones_overlap_offers_each_of_them(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    frame = _open(page, dashboard_url)
    lat, lon, sure, maybe = _overlap_spot(_seed())
    frame.evaluate(f"window.map.setView([{lat}, {lon}], 8, {{animate: false}})")
    _still(frame)
    xy = frame.evaluate(
        f"""() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]);
            const r = window.map.getContainer().getBoundingClientRect();
            for (const [dx, dy] of [[0, 0], [12, 0], [-12, 0], [0, 12], [0, -12], [18, 18], [-18, -18]]) {{
                const el = document.elementFromPoint(r.left + p.x + dx, r.top + p.y + dy);
                if (el && el.classList.contains('za-zone')) return [r.left + p.x + dx, r.top + p.y + dy];
            }}
            return null; }}"""
    )
    assert xy is not None, "the overlap is covered by markers"
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    picks = frame.locator(".za-chooser .za-pick")
    picks.first.wait_for()
    offered = {p.get_attribute("data-ref") for p in picks.all()}
    assert sure <= offered <= maybe, (sure, offered, maybe)
    clicked = frame.locator(".za-chooser .za-ref").inner_text().split()[0]  # the zone on top, selected
    assert clicked in offered
    assert _until(lambda: page.locator(f'.za-article .za-selected[data-ref~="{clicked}"]').count() > 0)
    assert "overlap here" in frame.locator(".za-chooser").inner_text()
    _shot(page, tmp_path, "zone-chooser")
    second = picks.nth(1)
    ref = second.get_attribute("data-ref")
    second.click()
    assert _until(lambda: frame.locator(".leaflet-popup-content .za-ref").count() == 1)
    assert frame.locator(".leaflet-popup-content .za-ref").inner_text().split()[0] == ref
    assert _until(lambda: page.locator(f'.za-article .za-selected[data-ref~="{ref}"]').count() > 0)


def test_clicking_a_highlighted_word_moves_the_map(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    from geo.render import mapframing

    page = offline_page
    frame = _open(page, dashboard_url)
    seed = _seed()
    index = next(i for i, p in enumerate(seed.places) if p.name == "Mosul")
    (lat, lon), zoom = mapframing.focus_view(seed, f"P{index}")
    before = _view(frame)
    word = page.locator(f'.za-article .za-mention[data-ref~="P{index}"]').first
    word.scroll_into_view_if_needed()
    word.click()

    def moved() -> bool:
        now = _view(frame)
        return abs(now[0] - lat) < 0.01 and abs(now[1] - lon) < 0.01

    assert _until(moved), (before, lat, lon)
    assert _view(frame)[2] == zoom != before[2]
    popup = frame.locator(".leaflet-popup-content .za-ref")
    assert _until(lambda: popup.count() == 1) and popup.inner_text().split()[0] == f"P{index}"
    _shot(page, tmp_path, "word-clicked")


def test_openstreetmap_offline_shows_its_warning(
    offline_page: Any, dashboard_url: str, tmp_path: Path
) -> None:
    page = offline_page
    _open(page, dashboard_url)
    page.locator('[data-testid="stSidebar"]').get_by_text("OpenStreetMap (needs internet)").click()
    assert _until(lambda: frame_of(page).locator(".za-offline-notice").count() == 1)
    notice = frame_of(page).locator(".za-offline-notice")
    assert "needs the internet" in notice.inner_text() and "offline basemap" in notice.inner_text()
    frame = frame_of(page)
    assert frame.locator(".leaflet-zaBase-pane path").count() > 0  # the offline basemap is still drawn
    assert any("tile.openstreetmap.org" in url for url in page.external_requests)  # tried, and refused
    _shot(page, tmp_path, "osm-offline")


# --- Accounts: log-in, lockout and roles, on a server started with ./atlas's flags ---------------

ACCOUNT_PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A dashboard whose users file holds an analyst, a viewer and one account to lock out.

    Started with the flags ``./atlas dashboard`` passes (``./atlas flags``) on a free localhost
    port; yields its URL and its log file.
    """
    home = tmp_path_factory.mktemp("accounts-home")
    store = AccountStore(home / "users.json")
    for name, role in (("ana", "analyst"), ("vic", "viewer"), ("lou", "analyst")):
        store.add(name, ACCOUNT_PASSWORD, role=role)
    flags = subprocess.run(
        [str(REPO / "atlas"), "flags"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.split()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log = home / "server.log"
    env = {**os.environ, "ZONE_ATLAS_HOME": str(home)}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", *flags, "--server.port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"the dashboard did not start within 60 s; log:\n{log.read_text()[-3000:]}")
    yield url, log
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _log_in(page: Any, name: str, password: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def _nav_titles(page: Any) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [t.strip().splitlines()[-1] for t in links]  # the text after the icon


def test_log_in_opens_the_map_and_log_out_closes_it(
    offline_page: Any, accounts_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, log = accounts_server
    page = offline_page
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_role("button", name="Log in").wait_for()
    assert page.locator(MAP_FRAME).count() == 0 and page.locator('[data-testid="stSidebarNav"]').count() == 0
    _shot(page, tmp_path, "login-form")
    _log_in(page, "ana", ACCOUNT_PASSWORD)
    frame = _map_frame(page)
    assert frame.locator("path.za-place").count() > 0
    assert page.locator('[data-testid="stSidebar"]').filter(has_text="Logged in as ana").count() == 1
    assert "Articles" in _nav_titles(page)
    _shot(page, tmp_path, "logged-in-analyst")
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    assert page.locator(MAP_FRAME).count() == 0
    text = log.read_text()
    assert "log-in: 'ana' (analyst)" in text and "log-out: 'ana'" in text
    assert ACCOUNT_PASSWORD not in text
    assert page.external_requests == []


def test_five_wrong_passwords_lock_the_account(
    offline_page: Any, accounts_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, log = accounts_server
    page = offline_page
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_role("button", name="Log in").wait_for()
    alert = page.locator('[data-testid="stAlert"]')
    for attempt in range(1, 6):
        _log_in(page, "lou", f"wrong guess {attempt}")
        assert _until(lambda n=attempt: log.read_text().count("failed log-in for 'lou'") == n), attempt
        if attempt < 5:
            alert.filter(has_text="Wrong user name or password.").wait_for()
    alert.filter(has_text="locked for 15 more minutes").wait_for()
    _shot(page, tmp_path, "locked-out")
    _log_in(page, "lou", ACCOUNT_PASSWORD)  # the right password is refused too while the lock lasts
    assert _until(lambda: "log-in refused for 'lou': locked" in log.read_text())
    alert.filter(has_text="this account is locked").wait_for()
    page.wait_for_timeout(500)
    assert page.locator(MAP_FRAME).count() == 0
    text = log.read_text()
    assert "account locked until" in text
    assert "wrong guess" not in text and ACCOUNT_PASSWORD not in text


def test_a_viewer_sees_no_upload_or_paste_controls(
    offline_page: Any, accounts_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, _log = accounts_server
    page = offline_page
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.get_by_role("button", name="Log in").wait_for()
    _log_in(page, "vic", ACCOUNT_PASSWORD)
    frame = _map_frame(page)
    assert frame.locator("path.za-place").count() > 0
    assert page.locator('[data-testid="stSidebar"]').filter(has_text="Logged in as vic").count() == 1
    assert _nav_titles(page) == ["Map", "About and data sources"]
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="About").click()
    page.get_by_text("About Zone Atlas").wait_for()
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    assert page.locator("textarea").count() == 0
    assert page.get_by_role("button", name="Add pasted text").count() == 0
    _shot(page, tmp_path, "viewer-about")
    assert page.external_requests == []
