"""The dashboard server's settings wherever it starts, the app's refusal of unsafe ones, and the log-in.

Streamlit reads ``.streamlit/config.toml`` only from the folder it starts in. ``./atlas dashboard``
passes the settings as flags, and the app (``dashboard/auth.py``) checks the effective settings at
start and refuses to run on unsafe ones. In-process tests set Streamlit's options for an
``AppTest``; the others start real servers from ``/tmp`` and look at them from outside: the
listening sockets in ``/proc/net``, a connection to another loopback address (127.0.0.2, which only
a server bound to every interface accepts), and the page in headless Chromium.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from streamlit import config
from streamlit.testing.v1 import AppTest

from dashboard import auth
from geo.accounts import AccountStore

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
ATLAS = REPO / "atlas"
ELSEWHERE = Path("/tmp")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
WAIT_MS = 90_000
PASSWORD = "correct horse battery"
UNSAFE = [
    ("browser.gatherUsageStats", True),
    ("client.showErrorDetails", "full"),
    ("server.enableStaticServing", False),
    ("server.enableXsrfProtection", False),
    ("server.maxUploadSize", 200),
    ("server.address", "0.0.0.0"),
]
LOOPBACK = {"127.0.0.1", "::1"}
SAFE: dict[str, object] = {
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
    "server.enableStaticServing": True,
    "server.address": "localhost",
}


# --- helpers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _flag_options(flags: list[str]) -> dict[str, object]:
    """``--name value`` pairs as Streamlit options, with its string-to-type conversions."""
    values: dict[str, object] = {}
    for name, value in zip(flags[::2], flags[1::2], strict=True):
        assert name.startswith("--"), flags
        values[name[2:]] = {"true": True, "false": False}.get(value, int(value) if value.isdigit() else value)
    return values


def _with_defaults(values: dict[str, object]) -> Callable[[str], object]:
    defaults = config.get_config_options()
    return lambda key: values[key] if key in values else defaults[key].default_val


def _listening(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if fields[3] != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                    continue
                raw = bytes.fromhex(address)
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # host-order words
                found.add(socket.inet_ntop(family, raw))
    return found


def _connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _serve(cmd: list[str], *, env: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    """Start a dashboard server from /tmp and wait until it answers on ``port``."""
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ELSEWHERE, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited ({proc.returncode}); log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"the server did not start within 180 s; log:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home folder for accounts (never the real one)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("ZONE_ATLAS_HOME", str(folder))
    return folder


@pytest.fixture
def option() -> Iterator[Callable[[str, object], None]]:
    """Set a Streamlit option for in-process AppTests; every change is undone afterwards."""
    saved: list[tuple[str, object, str]] = []

    def set_option(key: str, value: object) -> None:
        saved.append((key, config.get_option(key), config.get_where_defined(key)))
        config.set_option(key, value)

    yield set_option
    for key, value, where in reversed(saved):
        config.set_option(key, value, where)


def _add(home: Path, name: str, role: str) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    AccountStore(home / "users.json", hasher=cheap).add(name, PASSWORD, role=role)


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    return at


def _has_map(at: AppTest) -> bool:
    found = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            found.append(getattr(child, "type", "") == "component_instance")
            walk(child)

    walk(at.main)
    return any(found)


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key=auth.LOGIN_NAME).input(name)
    at.text_input(key=auth.LOGIN_PASSWORD).input(password)
    next(b for b in at.button if b.label == "Log in").click()
    at.run()
    return at


# --- the settings -------------------------------------------------------------------------------


def test_the_atlas_flags_and_config_toml_pass_the_check() -> None:
    flags = subprocess.run(
        [str(ATLAS), "flags"], cwd=ELSEWHERE, capture_output=True, text=True, check=True, timeout=30
    ).stdout.split()
    from_flags = _flag_options(flags)
    assert from_flags["server.address"] == "localhost" and from_flags["server.port"] == 8501
    assert auth.server_problems(has_accounts=False, option=_with_defaults(from_flags)) == []
    # the check's own start command names the same settings
    assert _flag_options(list(auth.START_FLAGS)).items() <= from_flags.items()

    toml = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    from_toml = {f"{section}.{key}": value for section, table in toml.items() for key, value in table.items()}
    assert auth.server_problems(has_accounts=False, option=_with_defaults(from_toml)) == []


def test_streamlit_defaults_are_unsafe_on_every_count() -> None:
    problems = auth.server_problems(has_accounts=False, option=_with_defaults({}))
    text = "\n".join(problems)
    for key, _ in UNSAFE:
        if key != "server.enableXsrfProtection":  # the one default that is safe already
            assert f"`{key}`" in text, key
    assert "every network interface" in text
    assert len(problems) == len(UNSAFE) - 1


@pytest.mark.parametrize(("value", "accepted"), [(1, False), (2, True), (5, True), (6, False), (200, False)])
def test_the_upload_limit_must_take_an_article_and_no_more_than_the_upload_box(
    value: int, accepted: bool
) -> None:
    safe = {**SAFE, "server.maxUploadSize": value}
    problems = auth.server_problems(has_accounts=False, option=_with_defaults(safe))
    assert (problems == []) is accepted, problems


def test_local_addresses() -> None:
    assert all(
        map(auth.is_local_address, ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]", "unix:///x"])
    )
    assert not any(map(auth.is_local_address, ["0.0.0.0", "::", "", None, "192.168.1.4", "my-host"]))


# --- the app's check at start (AppTest) -----------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), UNSAFE)
def test_the_app_refuses_unsafe_settings_and_renders_nothing_else(
    key: str, value: object, home: Path, option: Callable[[str, object], None]
) -> None:
    option(key, value)
    at = _app()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "will not run with these server settings" in message and f"`{key}`" in message
    assert "./atlas dashboard" in at.markdown[0].value
    command = at.code[0].value
    assert f"streamlit run {APP}" in command and "--server.address localhost" in command
    assert "--browser.gatherUsageStats false" in command and "--server.maxUploadSize 5" in command
    assert not _has_map(at)
    assert len(at.sidebar.children) == 0  # no pages, no article selector, no controls
    assert not at.text_input  # no log-in form either


def test_beyond_localhost_with_accounts_everyone_logs_in(
    home: Path, option: Callable[[str, object], None]
) -> None:
    _add(home, "ana", "analyst")
    option("server.address", "0.0.0.0")
    at = _app()
    assert not at.exception and not at.error
    assert (
        at.text_input(key=auth.LOGIN_PASSWORD).proto.type
        == at.text_input(key=auth.LOGIN_PASSWORD).proto.PASSWORD
    )
    assert not _has_map(at) and len(at.sidebar.children) == 0


def test_a_corrupt_users_file_stops_the_app(home: Path) -> None:
    home.mkdir()
    (home / "users.json").write_text("{not json", encoding="utf-8")
    at = _app()
    assert len(at.error) == 1 and "cannot read its accounts" in at.error[0].value
    assert "not valid JSON" in at.error[0].value  # on localhost the reason is shown
    assert not _has_map(at) and not at.text_input
    assert (home / "users.json").read_text(encoding="utf-8") == "{not json"


def test_without_accounts_on_localhost_the_os_user_needs_no_log_in(home: Path) -> None:
    at = _app()
    assert not at.exception and not at.error
    assert _has_map(at)
    assert any(getpass.getuser() in c.value and "analyst" in c.value for c in at.sidebar.caption)
    assert not [b for b in at.button if b.label in ("Log in", "Log out")]


def test_log_in_wrong_then_right_then_log_out(home: Path) -> None:
    _add(home, "ana", "analyst")
    at = _app()
    assert not _has_map(at) and at.text_input(key=auth.LOGIN_NAME) is not None
    _log_in(at, "ana", "not the password")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert at.text_input(key=auth.LOGIN_PASSWORD).value == ""  # the typed password is not kept
    assert not _has_map(at)
    _log_in(at, "ana", PASSWORD)
    assert not at.exception and not at.error
    assert _has_map(at)
    assert any("Logged in as **ana** · analyst" in c.value for c in at.sidebar.caption)
    assert json.loads((home / "users.json").read_text())["users"]["ana"]["last_login"] is not None
    next(b for b in at.button if b.label == "Log out").click()
    at.run()
    assert not _has_map(at) and at.text_input(key=auth.LOGIN_PASSWORD) is not None
    assert "za_articles" not in at.session_state  # nothing of the session is left for the next person


def test_a_viewer_has_no_articles_page_and_an_analyst_has(home: Path) -> None:
    _add(home, "vic", "viewer")
    _add(home, "ana", "analyst")
    viewer = _log_in(_app(), "vic", PASSWORD)
    assert _has_map(viewer) and not viewer.get("file_uploader") and not viewer.text_area
    with pytest.raises(ValueError, match="articles.py"):  # the page is not registered for a viewer
        viewer.switch_page("app_pages/articles.py")
    analyst = _log_in(_app(), "ana", PASSWORD)
    analyst.switch_page("app_pages/articles.py")
    analyst.run()
    assert not analyst.exception
    assert analyst.get("file_uploader") and analyst.text_area


def test_a_removed_account_is_logged_out(home: Path) -> None:
    _add(home, "ana", "analyst")
    _add(home, "bob", "admin")
    at = _log_in(_app(), "ana", PASSWORD)
    assert _has_map(at)
    AccountStore(home / "users.json").remove("ana")
    at.run()
    assert not _has_map(at)
    assert any("account was removed" in e.value for e in at.error)


# --- real servers started from another folder -------------------------------------------------------


@pytest.mark.browser
def test_atlas_started_elsewhere_listens_on_localhost_only_and_paints_the_map(
    offline_page: Any, tmp_path: Path
) -> None:
    # the probe first: a socket bound to every interface is seen as such, and accepts on 127.0.0.2
    with socket.socket() as wide:
        wide.bind(("0.0.0.0", 0))
        wide.listen(1)
        wide_port = wide.getsockname()[1]
        assert _listening(wide_port) == {"0.0.0.0"} and _connects("127.0.0.2", wide_port)

    port = _free_port()
    env = {**os.environ, "ZONE_ATLAS_HOME": str(tmp_path / "home")}
    log = tmp_path / "atlas.log"
    proc = _serve([str(ATLAS), "dashboard", "--server.port", str(port)], env=env, log=log, port=port)
    try:
        listening = _listening(port)
        assert listening and listening <= LOOPBACK, listening
        assert not _connects("127.0.0.2", port)  # what a server bound beyond localhost would accept
        assert _connects("127.0.0.1", port)
        output = log.read_text()
        assert f"URL: http://localhost:{port}" in output and "Network URL" not in output
        assert "(caches warm)" in output  # filled while the server started, before it answered

        page = offline_page
        page.set_default_timeout(WAIT_MS)
        page.goto(f"http://localhost:{port}")
        page.frame_locator(MAP_FRAME).locator("path.za-place").first.wait_for(timeout=WAIT_MS)
        # the boundaries come from their own published file, which may land after the places
        page.frame_locator(MAP_FRAME).locator("path.za-adm1").first.wait_for(timeout=WAIT_MS)
        assert page.locator("text=will not run").count() == 0
        assert page.external_requests == []
    finally:
        _stop(proc)


@pytest.mark.browser
def test_streamlit_run_from_elsewhere_without_the_flags_is_refused(offline_page: Any, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ZONE_ATLAS_HOME": str(tmp_path / "home")}
    log = tmp_path / "streamlit.log"
    # only the address is given (a test never listens beyond localhost); the rest is Streamlit's default
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "localhost",
           "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
    proc = _serve(cmd, env=env, log=log, port=port)
    try:
        page = offline_page
        page.set_default_timeout(WAIT_MS)
        page.goto(f"http://localhost:{port}")
        refusal = page.locator('[data-testid="stAlert"]').filter(has_text="will not run")
        refusal.wait_for(timeout=WAIT_MS)
        text = refusal.inner_text()
        for key in ("browser.gatherUsageStats", "client.showErrorDetails", "server.enableStaticServing"):
            assert key in text, key
        page.locator('[data-testid="stCode"]').filter(has_text="--browser.gatherUsageStats false").wait_for()
        assert "./atlas dashboard" in page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
        assert page.locator(MAP_FRAME).count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert "refusing to run with unsafe server settings" in log.read_text()
    finally:
        _stop(proc)
