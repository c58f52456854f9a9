"""Benchmark: the dashboard in real headless Chromium, with the network cut off.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_dashboard.py [--runs N]

Starts the dashboard on a free localhost port, opens it once to warm the server (analysis,
boundaries and gazetteer cached), then measures:

* first paint: from navigation start to the moment the map iframe holds its final set of
  interactive paths (boundaries, zones, places), for fresh browser profiles (empty browser cache)
  and for a returning browser (its cache warm);
* control change: from the key press that moves the belt-width slider to the moment the new belt
  outline is in the map's DOM, for a width seen before (analysis cached) and a new one;
* HTML size: the bytes the server sends for the seed map (the map component's arguments:
  boundaries, zones, places, popups, controls), and all WebSocket bytes of the first page load.

Budgets (issue 5): first paint <= 2 s with a warm cache, control change <= 0.5 s, seed map <= 1.5 MB.
Times are medians (and maxima) of ``--runs`` repetitions. Timestamps come from the browser's own
clock (``performance.timeOrigin + performance.now()`` in the page and in the map's iframe).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from geo.render._browser import CHROMIUM_ARGS, chromium_path

CHROMIUM = str(chromium_path())
#: The network is cut off in the browser itself: every host name but localhost fails to resolve.
#: (Intercepting each request from Python instead would add its own delay to every request.)
ARGS = [
    *(a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")),
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
BELT = "path.za-zone-security_vacuum"
#: Runs in the page: watches the map's iframe document (replaced when the map is rebuilt) and
#: records when the number of interactive map paths changes, and when the belt outline changes.
OBSERVER = """
(() => {
  if (window.top !== window) return;
  const now = () => performance.timeOrigin + performance.now();
  window.__za = {counts: [], belts: []};
  let doc = null;
  const look = () => {
    const n = doc.querySelectorAll("path.leaflet-interactive").length;
    const c = window.__za.counts;
    if (!c.length || c[c.length - 1][1] !== n) c.push([now(), n]);
    const belt = doc.querySelector("BELT");
    const d = belt ? belt.getAttribute("d") : null;
    const b = window.__za.belts;
    if (d && (!b.length || b[b.length - 1][1] !== d)) b.push([now(), d]);
  };
  const tick = () => {
    const frame = document.querySelector('MAP_FRAME');
    const d = frame && frame.contentDocument;
    if (d && d !== doc && String(d.location).includes("streamlit_folium")) {
      doc = d;
      new MutationObserver(look).observe(d, {subtree: true, childList: true, attributes: true,
                                             attributeFilter: ["d"]});
      look();
    }
    requestAnimationFrame(tick);
  };
  tick();
})();
""".replace("BELT", BELT).replace("MAP_FRAME", MAP_FRAME.replace('"', '\\"'))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard() -> Any:
    """A dashboard server on a free port, stopped on exit."""
    port = _free_port()
    env = dict(os.environ)
    env.setdefault("ZONE_ATLAS_MIRROR", str(REPO.parent / "shared" / "data"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the dashboard did not start within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


EXTERNAL: list[str] = []


def _offline(context: Any) -> None:
    """Watch the map, and note every request that tried to leave the machine."""

    def note(request: Any) -> None:
        host = request.url.split("/")[2].split(":")[0] if "://" in request.url else ""
        if host not in ("localhost", "127.0.0.1") and not request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            EXTERNAL.append(request.url)

    context.on("request", note)
    context.add_init_script(OBSERVER)


def _wait_for_map(page: Any) -> None:
    page.frame_locator(MAP_FRAME).locator("path.za-place").first.wait_for(timeout=60_000)


def _settled(page: Any, quiet_ms: int = 800, timeout_s: float = 30) -> dict[str, Any]:
    """The observer's log once the map has not changed for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        log = page.evaluate("window.__za")
        last = max([c[0] for c in log["counts"]] + [b[0] for b in log["belts"]] + [0])
        if page.evaluate("performance.timeOrigin + performance.now()") - last > quiet_ms:
            return log
        time.sleep(0.1)
    raise RuntimeError("the map did not settle")


def first_paint(page: Any, url: str) -> tuple[float, int, int]:
    """(ms from navigation start to the final set of map paths, paths, WebSocket bytes received)."""
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    page.goto(url)
    _wait_for_map(page)
    log = _settled(page)
    final = log["counts"][-1][1]
    painted = next(t for t, n in log["counts"] if n == final)
    return painted - page.evaluate("performance.timeOrigin"), final, sum(received)


def control_change(page: Any, key: str) -> float:
    """ms from pressing ``key`` on the belt slider to the new belt outline in the map's DOM."""
    before = len(page.evaluate("window.__za.belts"))
    thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    start = page.evaluate("performance.timeOrigin + performance.now()")
    page.keyboard.press(key)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        belts = page.evaluate("window.__za.belts")
        if len(belts) > before:
            return belts[before][0] - start
        time.sleep(0.02)
    raise RuntimeError("the belt did not change")


def seed_payload_bytes() -> int:
    """Bytes of the map component's arguments for the seed article (what st_folium sends)."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("ZONE_ATLAS_MIRROR", str(REPO.parent / "shared" / "data"))
    import folium
    import streamlit_folium as sf

    from geo.pipeline import analyze
    from geo.render import webassets, webmap
    from geo.zones.frames import zone_styles

    analysis = analyze((REPO / "data" / "samples" / "article-000.txt").read_text(encoding="utf-8"))
    m = webmap.analysis_base_map(
        bounds=webmap.analysis_bounds(analysis), styles=zone_styles(), layer_control=False
    )
    webassets.localize(m, webmap.DASHBOARD_ASSET_URL)
    m.render()
    parts = [sf._get_html(m), sf._get_header(m), sf._get_map_string(m)]
    groups = webmap.analysis_layers(analysis, styles=zone_styles())
    parts += [sf._get_feature_group_string(g, m, i) for i, g in enumerate(groups)]
    parts.append(sf._get_layer_control_string(folium.LayerControl(collapsed=True), m))
    return sum(len(p.encode("utf-8")) for p in parts)


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values)), "max": round(max(values)), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"seed_map_payload_bytes": seed_payload_bytes()}
    with dashboard() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        warm = browser.new_context(viewport={"width": 1500, "height": 1000})
        _offline(warm)
        page = warm.new_page()
        cold_ms = first_paint(page, url)[0]  # warms the server: analysis, boundaries, gazetteer
        page.close()

        fresh, returning, paths, ws_bytes = [], [], 0, 0
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            _offline(context)
            ms, paths, ws_bytes = first_paint(context.new_page(), url)
            fresh.append(ms)
            context.close()
            page = warm.new_page()
            returning.append(first_paint(page, url)[0])
            page.close()

        page = warm.new_page()
        first_paint(page, url)
        new_width, seen_width = [], []
        for _ in range(args.runs):
            new_width.append(control_change(page, "ArrowRight"))  # a width not analysed yet
            _settled(page)
            seen_width.append(control_change(page, "ArrowLeft"))  # back: analysis cached
            _settled(page)
            control_change(page, "ArrowRight")  # forward again: the next press is a new width
            _settled(page)
        browser.close()

    results.update(
        {
            "first_paint_ms_cold_server_once": round(cold_ms),
            "first_paint_ms_fresh_browser": _stats(fresh),
            "first_paint_ms_returning_browser": _stats(returning),
            "map_paths": paths,
            "first_load_websocket_bytes": ws_bytes,
            "control_change_ms_new_width": _stats(new_width),
            "control_change_ms_cached_width": _stats(seen_width),
            "external_requests": EXTERNAL,
        }
    )
    print(json.dumps(results, indent=2))
    budgets = {
        "first paint (returning browser, median) <= 2000 ms": results["first_paint_ms_returning_browser"][
            "median"
        ]
        <= 2000,
        "first paint (fresh browser, median) <= 2000 ms": results["first_paint_ms_fresh_browser"]["median"]
        <= 2000,
        "control change (median) <= 500 ms": max(
            results["control_change_ms_new_width"]["median"],
            results["control_change_ms_cached_width"]["median"],
        )
        <= 500,
        "seed map <= 1.5 MB": results["seed_map_payload_bytes"] <= 1_500_000,
        "no request left the machine": not EXTERNAL,
    }
    for name, ok in budgets.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")


if __name__ == "__main__":
    main()
