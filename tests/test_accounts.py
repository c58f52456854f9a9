"""Accounts (geo.accounts): hashes, log-in, lockout with an injected clock, the users file, roles, CLI.

Every store lives in the test's tmp dir; hashes use cheap Argon2 parameters except where the real
defaults are the point (the CLI, the rehash on log-in).
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from geo import accounts
from geo.accounts import AccountStore, can
from geo.config import home_dir
from geo.errors import AccountError, InputError

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingHasher(PasswordHasher):
    """Cheap Argon2 parameters, and a count of the hash checks made."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def store(tmp_path: Path, clock: Clock, hasher: CountingHasher) -> AccountStore:
    return AccountStore(tmp_path / "home" / "users.json", clock=clock, hasher=hasher)


def _users(store: AccountStore) -> dict[str, dict[str, object]]:
    return json.loads(store.path.read_text(encoding="utf-8"))["users"]


# --- home folder and users file ---------------------------------------------------------------


def test_home_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONE_ATLAS_HOME", str(tmp_path / "atlas-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert home_dir() == tmp_path / "atlas-home"
    assert accounts.users_path() == tmp_path / "atlas-home" / "users.json"
    monkeypatch.delenv("ZONE_ATLAS_HOME")
    assert home_dir() == tmp_path / "xdg" / "zone-atlas"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # not absolute: ignored, as the XDG rule says
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert home_dir() == tmp_path / "me" / ".local" / "share" / "zone-atlas"


def test_the_password_is_kept_only_as_an_argon2_hash(store: AccountStore) -> None:
    account = store.add("Ana", PASSWORD, role="analyst")
    assert account.name == "ana" and account.role == "analyst"
    text = store.path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "horse" not in text
    record = _users(store)["ana"]
    assert str(record["password_hash"]).startswith("$argon2id$")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert PASSWORD not in repr(account) and "argon2" not in repr(account)
    assert [p.name for p in store.path.parent.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_no_users_file_means_no_accounts(store: AccountStore) -> None:
    assert not store.path.exists()
    assert store.has_accounts() is False
    assert store.accounts() == []
    assert store.get("ana") is None


# --- logging in -------------------------------------------------------------------------------


def test_the_right_password_logs_in_and_a_wrong_one_does_not(store: AccountStore, clock: Clock) -> None:
    store.add("ana", PASSWORD, role="analyst")
    wrong = store.authenticate("ana", PASSWORD + "!")
    assert not wrong.ok and wrong.account is None and wrong.message == accounts.WRONG_MESSAGE
    assert _users(store)["ana"]["failures"] == 1
    clock.now += 60
    right = store.authenticate("  ANA ", PASSWORD)  # names are not case-sensitive
    assert right.ok and right.account is not None and right.account.role == "analyst"
    assert right.account.last_login == clock.now and right.account.failures == 0
    assert _users(store)["ana"]["failures"] == 0


def test_an_unknown_name_gets_the_same_answer_and_the_same_hash_check(
    store: AccountStore, hasher: CountingHasher
) -> None:
    store.add("ana", PASSWORD, role="analyst")
    before = hasher.verified
    unknown = store.authenticate("nobody", PASSWORD)
    assert hasher.verified == before + 1  # a hash was checked although there is no account
    wrong = store.authenticate("ana", "not the password")
    assert unknown.message == wrong.message == accounts.WRONG_MESSAGE
    assert "nobody" not in store.path.read_text(encoding="utf-8")


def test_five_failures_lock_the_account_until_the_lock_expires(store: AccountStore, clock: Clock) -> None:
    store.add("ana", PASSWORD, role="analyst")
    for _ in range(accounts.MAX_FAILURES - 1):
        assert store.authenticate("ana", "wrong password").locked_until is None
        clock.now += 1
    fifth = store.authenticate("ana", "wrong password")
    assert not fifth.ok and fifth.locked_until == clock.now + accounts.LOCKOUT_S
    assert "locked for 15 more minutes" in fifth.message
    clock.now += accounts.LOCKOUT_S - 61
    refused = store.authenticate("ana", PASSWORD)  # even the right password, while locked
    assert not refused.ok and "locked for 2 more minutes" in refused.message
    clock.now += 60
    assert "locked for 1 more minute." in store.authenticate("ana", PASSWORD).message
    clock.now += 1  # the lock has expired
    after = store.authenticate("ana", PASSWORD)
    assert after.ok and after.account is not None and after.account.failures == 0
    assert after.account.locked_until is None


def test_the_lock_survives_a_restart_and_unlock_lifts_it(
    store: AccountStore, clock: Clock, hasher: CountingHasher
) -> None:
    store.add("ana", PASSWORD, role="analyst")
    for _ in range(accounts.MAX_FAILURES):
        store.authenticate("ana", "wrong password")
    restarted = AccountStore(store.path, clock=clock, hasher=hasher)  # a new process reads the file
    account = restarted.get("ana")
    assert account is not None and account.is_locked(clock.now)
    assert restarted.authenticate("ana", PASSWORD).locked_until is not None
    restarted.unlock("ana")
    assert AccountStore(store.path, clock=clock, hasher=hasher).authenticate("ana", PASSWORD).ok


def test_unknown_names_lock_like_real_ones(store: AccountStore, clock: Clock) -> None:
    store.add("ana", PASSWORD, role="analyst")
    real = [store.authenticate("ana", "wrong password").message for _ in range(accounts.MAX_FAILURES + 1)]
    ghost = [store.authenticate("ghost", "wrong password").message for _ in range(accounts.MAX_FAILURES + 1)]
    assert real == ghost
    assert real[-1].startswith("Too many failed log-ins")
    clock.now += accounts.LOCKOUT_S
    assert store.authenticate("ghost", "wrong password").message == accounts.WRONG_MESSAGE


def test_log_in_events_are_logged_without_the_password(
    store: AccountStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.add("ana", PASSWORD, role="analyst")
    with caplog.at_level(logging.INFO, logger="geo.accounts"):
        store.authenticate("ana", PASSWORD)
        for _ in range(accounts.MAX_FAILURES):
            store.authenticate("ana", "secret-typo-123")
        store.authenticate("ana", PASSWORD)
        store.authenticate("ghost", "secret-typo-123")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("log-in: 'ana'") for m in messages)
    assert any("failed log-in for 'ana' (1 of 5)" in m for m in messages)
    assert any("account locked until" in m for m in messages)
    assert any("log-in refused for 'ana': locked" in m for m in messages)
    assert any("unknown user 'ghost'" in m for m in messages)
    assert not any("secret-typo" in m or PASSWORD in m for m in messages)


def test_a_log_in_upgrades_a_hash_made_with_weaker_parameters(store: AccountStore, tmp_path: Path) -> None:
    store.add("ana", PASSWORD, role="analyst")
    weak = str(_users(store)["ana"]["password_hash"])
    assert "m=1024,t=1,p=1" in weak
    strong = AccountStore(store.path)  # argon2-cffi's default parameters
    assert strong.authenticate("ana", PASSWORD).ok
    upgraded = str(_users(store)["ana"]["password_hash"])
    assert upgraded != weak and "m=1024,t=1" not in upgraded
    assert strong.authenticate("ana", PASSWORD).ok


# --- managing accounts ------------------------------------------------------------------------


def test_reset_role_and_remove(store: AccountStore, clock: Clock) -> None:
    store.add("ana", PASSWORD, role="analyst")
    store.add("vic", PASSWORD, role="viewer")
    for _ in range(accounts.MAX_FAILURES):
        store.authenticate("ana", "wrong password")
    store.reset_password("ana", "a brand new passphrase")
    assert not store.authenticate("ana", PASSWORD).ok
    assert store.authenticate("ana", "a brand new passphrase").ok  # the reset lifted the lock too
    assert store.set_role("vic", "admin").role == "admin"
    assert [(a.name, a.role) for a in store.accounts()] == [("ana", "analyst"), ("vic", "admin")]
    store.remove("VIC")
    assert [a.name for a in store.accounts()] == ["ana"]
    with pytest.raises(AccountError, match="no account named 'vic'.*the accounts are: ana"):
        store.unlock("vic")


def test_names_passwords_and_roles_are_checked(store: AccountStore) -> None:
    with pytest.raises(InputError, match="account name 'a b' is not allowed"):
        store.add("a b", PASSWORD, role="viewer")
    with pytest.raises(InputError, match="at least 8"):
        store.add("ana", "short", role="viewer")
    with pytest.raises(InputError, match="unknown role 'root'"):
        store.add("ana", PASSWORD, role="root")
    store.add("ana", PASSWORD, role="viewer")
    with pytest.raises(AccountError, match="exists already"):
        store.add("ANA", PASSWORD, role="admin")
    assert [a.role for a in store.accounts()] == ["viewer"]


def test_the_role_table() -> None:
    expected = {
        "viewer": {"view_maps", "download_exports"},
        "analyst": {"view_maps", "download_exports", "add_articles", "correct_places"},
        "admin": set(accounts.ACTIONS),
    }
    for role in accounts.ROLES:
        assert {action for action in accounts.ACTIONS if can(role, action)} == expected[role]
    assert "manage_users" in accounts.ACTIONS and not can("analyst", "manage_users")
    with pytest.raises(InputError, match="unknown role"):
        can("guest", "view_maps")
    with pytest.raises(InputError, match="unknown action 'upload'"):
        can("admin", "upload")


# --- a users file that cannot be used -------------------------------------------------------------

GOOD_RECORD = {"role": "analyst", "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not valid JSON"),
        ('{"format": "zone-atlas-users", "version": 1, "users": {', "not valid JSON"),
        ("[1, 2]", "not a Zone Atlas users file"),
        (json.dumps({"format": "zone-atlas-users", "version": 2, "users": {}}), "has version 2"),
        (json.dumps({"format": "zone-atlas-users", "version": 1}), 'no "users" object'),
        (
            json.dumps(
                {
                    "format": "zone-atlas-users",
                    "version": 1,
                    "users": {"ana": {**GOOD_RECORD, "role": "root"}},
                }
            ),
            "has role 'root'",
        ),
        (
            json.dumps(
                {
                    "format": "zone-atlas-users",
                    "version": 1,
                    "users": {"ana": {"role": "viewer", "password_hash": "x"}},
                }
            ),
            "no Argon2 password hash",
        ),
        (
            json.dumps(
                {
                    "format": "zone-atlas-users",
                    "version": 1,
                    "users": {"ana": {**GOOD_RECORD, "failures": -1}},
                }
            ),
            "failures -1",
        ),
        (
            json.dumps(
                {
                    "format": "zone-atlas-users",
                    "version": 1,
                    "users": {"ana": {**GOOD_RECORD, "locked_until": "soon"}},
                }
            ),
            "ana.locked_until is 'soon'",
        ),
    ],
)
def test_a_corrupt_users_file_is_refused_and_never_overwritten(
    store: AccountStore, text: str, reason: str
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(text, encoding="utf-8")
    calls = [
        store.has_accounts,
        store.accounts,
        lambda: store.authenticate("ana", PASSWORD),
        lambda: store.add("bob", PASSWORD, role="viewer"),
        lambda: store.unlock("ana"),
        lambda: store.remove("ana"),
    ]
    for call in calls:
        with pytest.raises(AccountError, match=reason) as caught:
            call()
        assert str(store.path) in str(caught.value) and "does not overwrite it" in str(caught.value)
    assert store.path.read_text(encoding="utf-8") == text


def test_an_unreadable_users_file_is_an_error(store: AccountStore) -> None:
    store.path.mkdir(parents=True)  # a folder where the file should be: reading fails whoever we are
    with pytest.raises(AccountError, match="cannot be read"):
        store.has_accounts()
    with pytest.raises(AccountError, match="cannot be read"):
        store.add("bob", PASSWORD, role="viewer")
    assert store.path.is_dir()


# --- python -m geo users ------------------------------------------------------------------------


def _cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZONE_ATLAS_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "geo", "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_add_list_reset_unlock_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = _cli(home, "add", "ana", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "added analyst 'ana'" in added.stdout
    assert _cli(home, "add", "vic", "--password-stdin", stdin="viewer passphrase\n").returncode == 0
    users = home / "users.json"
    assert PASSWORD not in users.read_text(encoding="utf-8")
    assert stat.S_IMODE(users.stat().st_mode) == 0o600

    listed = _cli(home, "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[2:]]
    assert [row[:3] for row in rows] == [["ana", "analyst", "active"], ["vic", "viewer", "active"]]
    assert "argon2" not in listed.stdout
    assert _cli(home, "count").stdout.strip() == "2"

    store = AccountStore(users)
    for _ in range(accounts.MAX_FAILURES):
        store.authenticate("ana", "wrong password")
    assert "locked until" in _cli(home, "list").stdout
    reset = _cli(home, "reset", "ana", "--password-stdin", stdin="another passphrase\r\n")
    assert reset.returncode == 0, reset.stderr
    assert not store.authenticate("ana", PASSWORD).ok
    assert store.authenticate("ana", "another passphrase").ok  # the line ending is not part of it

    for _ in range(accounts.MAX_FAILURES):
        store.authenticate("vic", "wrong password")
    assert _cli(home, "unlock", "vic").returncode == 0
    assert store.authenticate("vic", "viewer passphrase").ok
    assert _cli(home, "role", "vic", "admin").returncode == 0
    assert _cli(home, "remove", "ana").returncode == 0
    assert [(a.name, a.role) for a in store.accounts()] == [("vic", "admin")]


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _cli(home, "count").stdout.strip() == "0"
    assert "no accounts" in _cli(home, "list").stdout
    no_tty = _cli(home, "add", "ana")  # no terminal to ask on, and no --password-stdin
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr
    short = _cli(home, "add", "ana", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8" in short.stderr
    assert not (home / "users.json").exists()
    missing = _cli(home, "reset", "nobody", "--password-stdin", stdin=PASSWORD + "\n")
    assert missing.returncode == 2 and "no account named 'nobody'" in missing.stderr
    home.mkdir(exist_ok=True)
    (home / "users.json").write_text("{oops", encoding="utf-8")
    broken = _cli(home, "list")
    assert broken.returncode == 2 and "not valid JSON" in broken.stderr and "Traceback" not in broken.stderr
    assert (home / "users.json").read_text(encoding="utf-8") == "{oops"
