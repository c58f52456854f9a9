"""Who may use this dashboard: the server-settings check at start, the log-in, and the user's role.

:func:`gate` runs first on every page run. It refuses to run (and shows how to start the dashboard
properly) when the server's effective settings are unsafe: Streamlit reads
``.streamlit/config.toml`` only from the folder it starts in, so ``streamlit run`` from elsewhere
would send usage statistics, show tracebacks, accept 200 MB uploads and serve no map libraries.
``./atlas dashboard`` passes the settings as flags, which hold wherever it starts.

Who is there: with no accounts (see :mod:`geo.accounts`) and the server on localhost, the person at
this machine uses it without logging in, as an analyst named after their OS account. Once an account
exists everyone logs in, on localhost too. A server bound beyond localhost with no accounts is
refused. What a role may do is :func:`geo.accounts.can`.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st
from streamlit import config

from dashboard import inputs
from geo.accounts import AccountStore, can
from geo.errors import ZoneAtlasError

log = logging.getLogger("dashboard.auth")
REPO = Path(__file__).resolve().parent.parent
APP = REPO / "dashboard" / "app.py"

# Session-state keys of the log-in
USER = "za_user"  # the User logged in (absent: nobody yet)
LOGIN_FORM = "za_login_form"
LOGIN_NAME = "za_login_name"
LOGIN_PASSWORD = "za_login_password"
LOGIN_MESSAGE = "za_login_message"  # why the last attempt failed, shown once
LOGOUT = "za_logout"

#: The smallest upload limit (MB) that still takes every article the page accepts.
MIN_UPLOAD_MB = math.ceil(inputs.MAX_UPLOAD_BYTES / 2**20)
#: Server settings the dashboard needs, wherever it starts: option, safe value, what goes wrong otherwise.
REQUIRED: tuple[tuple[str, object, str], ...] = (
    (
        "browser.gatherUsageStats",
        False,
        "every visitor's browser would send usage statistics to Streamlit over the internet",
    ),
    (
        "client.showErrorDetails",
        "none",
        "an error would show its traceback (code, file paths, data) to whoever is looking",
    ),
    (
        "server.enableStaticServing",
        True,
        "the map's libraries (dashboard/static) would not be served, so the map would never paint",
    ),
    (
        "server.enableXsrfProtection",
        True,
        "another web site could send uploads into a visitor's session",
    ),
    (
        "server.maxUploadSize",
        inputs.WIDGET_MAX_MB,
        f"the page takes articles of up to {inputs.MAX_UPLOAD_BYTES / 1e6:g} MB each (its upload box stops "
        f"at {inputs.UPLOAD_BOX_MB} MB, the server at {inputs.WIDGET_MAX_MB} MB); a larger limit lets anyone "
        "fill the server's memory",
    ),
)
#: The flags ``./atlas dashboard`` passes (besides port, headless and look), as shown in the refusal.
START_FLAGS = ("--server.address", "localhost") + tuple(
    part for option, value, _ in REQUIRED for part in (f"--{option}", str(value).lower())
)


@dataclass(frozen=True)
class User:
    """Who is using this session: an account, or the local analyst (no accounts, localhost only)."""

    name: str
    role: str
    local: bool = False


def is_local_address(address: str | None) -> bool:
    """Whether the server address ``address`` is reachable from this machine only.

    Unset or empty means every network interface (Streamlit's default), so it is not local.

    Examples
    --------
    >>> [is_local_address(a) for a in ("localhost", "127.0.0.1", "::1", "0.0.0.0", "", None)]
    [True, True, True, False, False, False]
    """
    if not address:
        return False
    if address == "localhost" or address.startswith("unix://"):
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def _acceptable(option: str, value: object, found: object) -> bool:
    if option == "server.maxUploadSize":
        return isinstance(found, int) and MIN_UPLOAD_MB <= found <= inputs.WIDGET_MAX_MB
    return found == value


def server_problems(*, has_accounts: bool, option: Callable[[str], object] = config.get_option) -> list[str]:
    """What is unsafe in the server's effective settings (``option`` reads one); empty when all is well."""
    problems = []
    for name, value, why in REQUIRED:
        found = option(name)
        if not _acceptable(name, value, found):
            shown = str(found).lower() if isinstance(found, bool) else found
            problems.append(f"`{name}` is `{shown}`: {why}. Needs `--{name} {str(value).lower()}`.")
    address = option("server.address")
    if not has_accounts and not is_local_address(str(address) if address is not None else None):
        where = f"`{address}`" if address else "unset, so the server listens on every network interface"
        problems.append(
            f"`server.address` is {where}: anyone on the network could use the dashboard, and there are no "
            "accounts to log in with. Create accounts first (`python -m geo users add NAME --role admin`), "
            "or listen on this machine only (`--server.address localhost`)."
        )
    return problems


def start_command() -> str:
    """The command that starts the dashboard with safe settings without ``./atlas``."""
    return f"{sys.executable} -m streamlit run {APP} " + " ".join(START_FLAGS)


def _refuse(problems: list[str]) -> None:
    log.error("refusing to run with unsafe server settings:\n  %s", "\n  ".join(problems).replace("`", ""))
    st.error(
        "**Zone Atlas will not run with these server settings.**\n\n" + "\n".join(f"- {p}" for p in problems)
    )
    st.markdown(
        f"Start it with `./atlas dashboard` (from any folder: `{REPO / 'atlas'} dashboard`), which passes "
        "the safe settings, or give Streamlit the same settings yourself:"
    )
    st.code(start_command(), language="bash", wrap_lines=True)


def _markdown_text(text: str) -> str:
    """``text`` with markdown's special characters escaped, to show it as it is."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)


def local_user() -> User:
    """The person at this machine when there are no accounts (named after their OS account)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        name = "local analyst"
    return User(name=name, role="analyst", local=True)


def log_to_server() -> None:
    """Send the dashboard's and the accounts' log records (log-ins, failures) to the server's log."""
    for name in ("dashboard", "geo.accounts"):
        logger = logging.getLogger(name)
        if not any(getattr(h, "zone_atlas", False) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            handler.zone_atlas = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


def _try_login() -> None:
    name = str(st.session_state.get(LOGIN_NAME) or "")
    password = str(st.session_state.get(LOGIN_PASSWORD) or "")
    st.session_state[LOGIN_PASSWORD] = ""  # the password is not kept in the session
    if not name.strip() or not password:
        st.session_state[LOGIN_MESSAGE] = "Enter your user name and password."
        return
    try:
        result = AccountStore().authenticate(name, password)
    except ZoneAtlasError as exc:
        log.error("log-in failed: %s", exc)
        st.session_state[LOGIN_MESSAGE] = "The accounts cannot be read; the details are in the server log."
        return
    if result.ok and result.account is not None:
        st.session_state[USER] = User(name=result.account.name, role=result.account.role)
        st.session_state.pop(LOGIN_NAME, None)
    else:
        st.session_state[LOGIN_MESSAGE] = result.message


def _login_form() -> None:
    st.markdown("#### Zone Atlas")
    st.caption("Log in with the account your administrator created for you.")
    column, _ = st.columns([1, 2])
    with column, st.form(LOGIN_FORM, border=True):
        st.text_input("User name", key=LOGIN_NAME, autocomplete="username", max_chars=64)
        st.text_input(
            "Password", key=LOGIN_PASSWORD, type="password", autocomplete="current-password", max_chars=1024
        )
        st.form_submit_button("Log in", on_click=_try_login, type="primary")
    message = st.session_state.pop(LOGIN_MESSAGE, None)
    if message:
        column.error(message)


def _logout() -> None:
    user = st.session_state.get(USER)
    if isinstance(user, User):
        log.info("log-out: %r", user.name)
    for key in list(st.session_state):  # nothing of this session (its articles too) outlives it
        del st.session_state[key]


def _account_user(store: AccountStore) -> User | None:
    """The user logged in to this session, checked against the users file on every run."""
    user = st.session_state.get(USER)
    if not isinstance(user, User):
        return None
    account = store.get(user.name)
    if account is None:
        log.info("session of %r ended: the account was removed", user.name)
        del st.session_state[USER]
        st.session_state[LOGIN_MESSAGE] = "Your account was removed; log in with another one."
        return None
    if account.role != user.role:
        user = replace(user, role=account.role)
        st.session_state[USER] = user
    return user


def gate() -> User | None:
    """Check the server settings and who is there; None when the page must show nothing else.

    Shows the refusal (unsafe settings, unreadable accounts) or the log-in form itself.
    """
    log_to_server()
    store = AccountStore()
    try:
        has_accounts = store.has_accounts()
    except ZoneAtlasError as exc:
        log.error("%s", exc)
        local = is_local_address(str(config.get_option("server.address") or ""))
        st.error(
            f"Zone Atlas cannot read its accounts: {exc}"
            if local
            else "Zone Atlas cannot read its accounts; the details are in the server log."
        )
        return None
    problems = server_problems(has_accounts=has_accounts)
    if problems:
        _refuse(problems)
        return None
    if not has_accounts:
        return local_user()
    user = _account_user(store)
    if user is None:
        _login_form()
    return user


def allowed(user: User, action: str) -> bool:
    """Whether ``user`` may do ``action`` (an action of :data:`geo.accounts.ACTIONS`)."""
    return can(user.role, action)


def sidebar(user: User) -> None:
    """Who is logged in, and the log-out button (none for the local analyst: there is no log-in)."""
    name = _markdown_text(user.name)
    if user.local:
        st.sidebar.caption(f"**{name}** · analyst · this machine only (no accounts, no log-in)")
        return
    st.sidebar.caption(f"Logged in as **{name}** · {user.role}")
    st.sidebar.button("Log out", key=LOGOUT, on_click=_logout, icon=":material/logout:")
