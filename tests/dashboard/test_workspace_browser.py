"""The workspace in a real browser: uploads and corrections survive a reload and a server restart.

One dashboard server with a home folder of its own (so its store holds only what these tests put
in it), started with the flags ``./atlas dashboard`` passes, stopped and started again on the same
folder. Headless Chromium with the network cut off (the ``offline_page`` fixture of conftest).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard import inputs

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/N-shots")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
WAIT_MS = 90_000
TITLE = "Workspace check: clashes near Tuz Khurmatu"
ARTICLE = f"""{TITLE}

Clashes were reported in Kirkuk and near Tuz Khurmatu on Monday, and a joint operations room was formed
in Kirkuk to coordinate the army and the Peshmerga. Residents of Daquq said the road to Baghdad was closed.
"""


class Server:
    """A dashboard process on ``home``; :meth:`start` and :meth:`stop` may be called again."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = home / "server.log"

    def start(self) -> None:
        flags = subprocess.run(
            [str(REPO / "atlas"), "flags"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.split()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        env = {**os.environ, "ZONE_ATLAS_HOME": str(self.home)}
        env.pop("ZONE_ATLAS_STORE", None)
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            *flags,
            "--server.port",
            str(port),
        ]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.url = f"http://localhost:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"the dashboard did not start within 60 s; log:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("workspace-home"))
    running.start()
    yield running
    running.stop()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open(page: Any, url: str) -> None:
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    page.frame_locator(MAP_FRAME).locator("path.za-place").first.wait_for(timeout=WAIT_MS)


def _picker_options(page: Any) -> list[str]:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    box.click()
    page.locator('[role="option"]').first.wait_for()
    options = page.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    return options


def _pick(page: Any, text: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    box.click()
    page.locator('[role="option"]').filter(has_text=text).first.click()
    page.locator("h4").filter(has_text=text).first.wait_for()


def _settled_markers(page: Any, timeout_s: float = 30.0) -> int:
    """The number of place markers once it has stayed the same for two seconds (the map repaints)."""
    markers = page.frame_locator(MAP_FRAME).locator("path.za-place")
    deadline = time.monotonic() + timeout_s
    last, since = markers.count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = markers.count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 2.0:
            break
    return last


def test_an_upload_survives_reload_and_restart(offline_page: Any, server: Server, tmp_path: Path) -> None:
    page = offline_page
    _open(page, server.url)
    seed = inputs.seed().title[:30]
    assert any(seed in o for o in _picker_options(page)), "the seed is not in the store"  # put there at start
    article = tmp_path / "workspace-check.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Articles").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(article))
    page.locator(".za-article").filter(has_text="Tuz Khurmatu").first.wait_for()

    page.reload()  # a new session on the Articles page: only the store remembers the upload
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached")
    assert any(TITLE in o for o in _picker_options(page)), "the upload is gone after a reload"

    server.stop()
    server.start()
    _open(page, server.url)
    assert any(TITLE in o for o in _picker_options(page)), "the upload is gone after a restart"
    _pick(page, TITLE)
    _shot(page, "workspace-after-restart")
    assert page.external_requests == []


def test_a_correction_survives_a_restart(offline_page: Any, server: Server) -> None:
    page = offline_page
    _open(page, server.url)
    _pick(page, TITLE)
    before = _settled_markers(page)
    page.get_by_text("Correct the places").click()
    page.get_by_text("Drop a false place").click()
    page.get_by_role("button", name="Drop this place").click()
    page.get_by_text(re.compile(r"^Dropped ")).wait_for()
    page.get_by_text(re.compile("corrected by")).first.wait_for()

    server.stop()
    server.start()
    _open(page, server.url)
    _pick(page, TITLE)
    page.get_by_text(re.compile("corrected by")).first.wait_for()
    page.get_by_text(re.compile(r"Corrections \(1\)")).wait_for()
    assert _settled_markers(page) == before - 1
    _shot(page, "workspace-correction-after-restart")
    assert page.external_requests == []


def test_screenshot_of_the_corpus_page(offline_page: Any, server: Server) -> None:
    """The Corpus page over about twenty articles of the development set (looked at by a person)."""
    from geo.store import Store, ingest

    folder = server.home / "store"
    server.stop()  # the server holds the store: ingest while it is down
    articles = sorted((REPO / "tests" / "devsets" / "places" / "dev" / "articles").glob("*.txt"))[:20]
    with Store(folder) as store:
        report = ingest(store, articles)
    assert report.new + report.known == len(articles)
    server.start()
    page = offline_page
    _open(page, server.url)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Corpus").click()
    page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for()
    page.get_by_text(re.compile(r"\d+ of \d+ articles in the workspace match")).wait_for()
    page.set_viewport_size({"width": 1400, "height": 1500})  # the filters, the map and the table
    page.wait_for_timeout(2500)
    _shot(page, "corpus-page")
    assert page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").count() > 5
    assert page.external_requests == []
