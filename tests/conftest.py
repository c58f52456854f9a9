"""Shared fixtures: the data mirror, a temporary cache, a live dashboard and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import ExportError
from geo.render._browser import CHROMIUM_ARGS, chromium_path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Point the project at the offline mirror when nothing else is configured (CI sets it explicitly).
if not os.environ.get("ZONE_ATLAS_MIRROR") and (SHARED / "data").is_dir():
    os.environ["ZONE_ATLAS_MIRROR"] = str(SHARED / "data")

# The tests never see the analyst's own workspace (accounts, store): a fresh home per test run,
# inherited by every server and subprocess the tests start.
os.environ["ZONE_ATLAS_HOME"] = tempfile.mkdtemp(prefix="zone-atlas-test-home-")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (REPO / "data" / "samples" / "article-000.txt").read_text(encoding="utf-8")


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache folder for tests that fetch."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ZONE_ATLAS_CACHE", str(cache))
    return cache


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live dashboard on a free localhost port (same settings as ``./atlas dashboard``)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/server.py",  # what ./atlas dashboard runs: caches filled at start-up
                "--server.port",
                str(port),
                "--server.headless",
                "true",
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            # its own home, so its store (one writer per DuckDB file) is not the one the
            # in-process AppTests open
            env={**os.environ, "ZONE_ATLAS_HOME": str(tmp_path_factory.mktemp("server-home"))},
        )
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
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    try:
        chromium = chromium_path()
    except ExportError as exc:
        pytest.skip(f"{exc} (./atlas installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), headless=True, args=list(CHROMIUM_ARGS))
        yield b
        b.close()


@pytest.fixture
def offline_page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page whose network is cut off: any request not to localhost is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.external_requests = []  # type: ignore[attr-defined]

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        host = url.split("/")[2] if "://" in url else ""
        if url.startswith(("data:", "blob:", "about:")) or host.split(":")[0] in ("localhost", "127.0.0.1"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            page.external_requests.append(url)  # type: ignore[attr-defined]
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    yield page
    context.close()
