"""Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) in a child process.

The browser runs in its own process group so that a hung browser can be killed after a deadline
without touching the caller (a Streamlit script thread, a CLI, a test that already drives a
browser). The page may load ``file://``, ``data:``, ``blob:`` and localhost URLs only; every other
request is aborted, so a render never depends on the internet.

:func:`screenshot` is the public entry; ``python -m geo.render._browser`` is the child's side and reads
one JSON job from stdin.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from geo.errors import ExportError

log = logging.getLogger(__name__)

CHROMIUM_ENV = "ZONE_ATLAS_CHROMIUM"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
)
#: JavaScript that is true once a Leaflet map has been built and drawn (and its names placed).
LEAFLET_READY = (
    "() => { const c = document.querySelector('.leaflet-container');"
    " return !!c && c.clientWidth > 0 && document.readyState === 'complete'"
    " && !document.querySelector('.leaflet-zoom-anim') && !window.zaLabelsPending; }"
)
_ALLOWED_SCHEMES = ("file:", "data:", "blob:", "about:")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def chromium_path() -> Path:
    """The Chromium executable: ``$ZONE_ATLAS_CHROMIUM``, else ``chromium`` on PATH, else Debian's."""
    value = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or "/usr/bin/chromium"
    path = Path(value)
    if not path.exists():
        msg = (
            f"Chromium was not found at {path}. Fix: install Debian's chromium (the README's set-up "
            f"does it), or set {CHROMIUM_ENV} to a Chromium executable."
        )
        raise ExportError(msg)
    return path


def screenshot(
    html_path: Path,
    png_path: Path,
    *,
    width: int,
    height: int,
    scale: int = 1,
    timeout_s: float = 45.0,
    executable: Path | None = None,
) -> None:
    """Open ``html_path`` offline at ``width`` x ``height`` CSS pixels and save a PNG of the page.

    Raises :class:`ExportError` when Chromium is missing, fails, or has not finished within
    ``timeout_s`` seconds (it is then killed).
    """
    job = {
        "url": html_path.resolve().as_uri(),
        "out": str(png_path),
        "width": int(width),
        "height": int(height),
        "scale": int(scale),
        "executable": str(executable or chromium_path()),
        "timeout_ms": int(timeout_s * 1000),
        "ready": LEAFLET_READY,
    }
    _run(job, timeout_s=timeout_s)
    if not png_path.is_file() or png_path.stat().st_size == 0:
        msg = "Chromium finished without writing the screenshot"
        raise ExportError(msg)


def _run(job: dict[str, Any], *, timeout_s: float) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo.render._browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    try:
        _, err = proc.communicate(json.dumps(job), timeout=timeout_s + 5)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        msg = f"Chromium did not finish within {timeout_s:.0f} s and was stopped"
        raise ExportError(msg) from None
    finally:
        _kill_group(proc)
    if proc.returncode != 0:
        detail = (err or "").strip().splitlines()
        msg = f"Chromium failed: {detail[-1] if detail else f'exit code {proc.returncode}'}"
        raise ExportError(msg)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Stop the child's process group (the worker, Playwright's driver, Chromium) if still alive."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    proc.wait()


def _allowed(url: str) -> bool:
    if url.startswith(_ALLOWED_SCHEMES):
        return True
    host = url.split("/")[2] if "://" in url else ""
    return host.rsplit(":", 1)[0] in _LOCAL_HOSTS or host in _LOCAL_HOSTS


def _work(job: dict[str, Any]) -> None:
    """The child's side: run one job with Playwright (raises on any failure)."""
    from playwright.sync_api import sync_playwright

    timeout = int(job["timeout_ms"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=job["executable"],
            headless=True,
            args=list(CHROMIUM_ARGS),
            timeout=timeout,
        )
        try:
            context = browser.new_context(
                viewport={"width": job["width"], "height": job["height"]},
                device_scale_factor=job["scale"],
                offline=False,
            )
            blocked: list[str] = []

            def guard(route: Any) -> None:
                url = route.request.url
                if _allowed(url):
                    route.continue_()
                else:
                    blocked.append(url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(timeout)
            page.goto(job["url"], wait_until="load", timeout=timeout)
            page.wait_for_function(job["ready"], timeout=timeout)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            # the fonts may change the names' sizes: place them again with the final fonts
            page.evaluate("() => { if (window.zaLabelEngine) window.zaLabelEngine.run(); }")
            # two animation frames: Leaflet's last redraw has been painted
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.screenshot(path=job["out"], full_page=False, timeout=timeout)
            if blocked:
                print(f"blocked {len(blocked)} external request(s): {blocked[:5]}", file=sys.stderr)
        finally:
            browser.close()


def main() -> int:
    from playwright.sync_api import Error as PlaywrightError

    try:
        job = json.loads(sys.stdin.read())
        _work(job)
    except (PlaywrightError, OSError, KeyError, ValueError) as exc:  # one line for the parent to show
        print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
