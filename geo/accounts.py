"""The dashboard's local accounts: roles, what each role may do, password hashes and lockout.

Accounts live in one users file, ``users.json`` in :func:`geo.config.home_dir` (mode 0600, written
atomically with :func:`geo.files.atomic_write_text` under a lock file, so the CLI and a running
dashboard can both change it). Passwords are kept only as Argon2id hashes (argon2-cffi's
:class:`~argon2.PasswordHasher`). A users file that cannot be read or parsed is an
:class:`~geo.errors.AccountError` and is never overwritten.

After :data:`MAX_FAILURES` wrong passwords in a row an account is locked for :data:`LOCKOUT_S`
seconds; the count and the lock are kept in the users file, so a restart does not reset them. A
name with no account costs the same hash check as a real one and is "locked" the same way (in
memory), so neither the time taken nor the message tells which names exist.

What each role may do is the one table :data:`PERMISSIONS`; ask it with :func:`can`. Log-ins,
failures and lockouts are logged (``geo.accounts``); passwords never are.

Examples
--------
>>> from geo.accounts import AccountStore, can
>>> store = AccountStore()  # the users file in geo.config.home_dir()
>>> store.add("ana", "a long passphrase", role="analyst")  # doctest: +SKIP
>>> store.authenticate("ana", "a long passphrase").ok  # doctest: +SKIP
True
>>> can("viewer", "add_articles")
False
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.config import home_dir
from geo.errors import AccountError, InputError
from geo.files import atomic_write_text, describe_os_error

log = logging.getLogger(__name__)

# What a person can do in the dashboard ------------------------------------------------------------
VIEW_MAPS = "view_maps"
DOWNLOAD_EXPORTS = "download_exports"
ADD_ARTICLES = "add_articles"
CORRECT_PLACES = "correct_places"
MANAGE_USERS = "manage_users"

#: Every action, with what it allows.
ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        VIEW_MAPS: "see the maps, the articles loaded and their tables",
        DOWNLOAD_EXPORTS: "download the data files, map snapshots and briefings",
        ADD_ARTICLES: "upload article files and paste article text",
        CORRECT_PLACES: "correct the places the geoparser chose",
        MANAGE_USERS: "add, change, unlock and remove accounts",
    }
)
#: The roles, from the least to the most allowed.
ROLES = ("viewer", "analyst", "admin")
#: The permission table: what each role may do.
PERMISSIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "viewer": frozenset({VIEW_MAPS, DOWNLOAD_EXPORTS}),
        "analyst": frozenset({VIEW_MAPS, DOWNLOAD_EXPORTS, ADD_ARTICLES, CORRECT_PLACES}),
        "admin": frozenset(ACTIONS),
    }
)

#: Wrong passwords in a row that lock an account.
MAX_FAILURES = 5
#: How long a lock lasts, in seconds (15 minutes).
LOCKOUT_S = 15 * 60
#: Shortest and longest password accepted, in characters.
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
#: Account names: a letter or digit, then letters, digits and ``. _ @ -`` (64 at most); kept lower-case.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")

USERS_FILE = "users.json"
FILE_FORMAT = "zone-atlas-users"
FILE_VERSION = 1
_KEPT = (
    "Zone Atlas does not overwrite it: restore it from a backup, or move it aside and add the "
    "accounts again (python -m geo users add NAME --role ROLE)."
)
WRONG_MESSAGE = "Wrong user name or password."
LOCKED_MESSAGE = (
    "Too many failed log-ins: this account is locked for {minutes} more minute{s}. Try again later, or "
    "ask an administrator to unlock it (python -m geo users unlock NAME)."
)


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (see :data:`PERMISSIONS`).

    Raises :class:`~geo.errors.InputError` for a role or action that does not exist, so a typo
    never silently allows or forbids something.

    Examples
    --------
    >>> can("analyst", "add_articles"), can("viewer", "download_exports"), can("analyst", "manage_users")
    (True, True, False)
    """
    check_role(role)
    if action not in ACTIONS:
        msg = f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}"
        raise InputError(msg)
    return action in PERMISSIONS[role]


def users_path() -> Path:
    """The users file: ``users.json`` in :func:`geo.config.home_dir`."""
    return home_dir() / USERS_FILE


@dataclass(frozen=True)
class Account:
    """One account as kept in the users file (times are POSIX seconds)."""

    name: str
    role: str
    created: float
    password_hash: str = field(repr=False)
    failures: int = 0
    locked_until: float | None = None
    last_login: float | None = None

    def is_locked(self, now: float) -> bool:
        """Whether the account is locked at ``now``."""
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class LoginResult:
    """The outcome of :meth:`AccountStore.authenticate`.

    ``account`` is set only when ``ok``; ``locked_until`` only when the attempt was refused because
    of a lock; ``message`` is what to tell the person (it never says whether the name exists).
    """

    ok: bool
    account: Account | None = None
    locked_until: float | None = None
    message: str = ""


def normal_name(name: str) -> str:
    """``name`` as accounts are keyed: stripped and lower-case."""
    return name.strip().lower()


def check_name(name: str) -> str:
    """The normalised account name, or :class:`~geo.errors.InputError` if it is not allowed."""
    key = normal_name(name)
    if not NAME_PATTERN.fullmatch(key):
        msg = (
            f"account name {name!r} is not allowed; expected 1-64 letters, digits or . _ @ -, "
            "starting with a letter or digit"
        )
        raise InputError(msg)
    return key


def check_password(password: str) -> str:
    """``password`` if it is long enough and not too long, else :class:`~geo.errors.InputError`."""
    if len(password) < MIN_PASSWORD_CHARS or not password.strip():
        msg = f"the password has {len(password)} characters; use at least {MIN_PASSWORD_CHARS}"
        raise InputError(msg)
    if len(password) > MAX_PASSWORD_CHARS:
        msg = f"the password has {len(password)} characters; the limit is {MAX_PASSWORD_CHARS}"
        raise InputError(msg)
    return password


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else :class:`~geo.errors.InputError`."""
    if role not in ROLES:
        msg = f"unknown role {role!r}; expected one of {', '.join(ROLES)}"
        raise InputError(msg)
    return role


def _refused(locked_until: float | None, now: float) -> LoginResult:
    """A refused log-in: wrong name or password, or (with ``locked_until``) a locked account."""
    if locked_until is None:
        return LoginResult(ok=False, message=WRONG_MESSAGE)
    minutes = max(1, math.ceil((locked_until - now) / 60))
    message = LOCKED_MESSAGE.format(minutes=minutes, s="" if minutes == 1 else "s")
    return LoginResult(ok=False, locked_until=locked_until, message=message)


# The users file ----------------------------------------------------------------------------------


def _stamp(seconds: float | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def _seconds(value: object, *, what: str, path: Path) -> float | None:
    if value is None:
        return None
    msg = f"users file {path}: {what} is {value!r}; expected an ISO 8601 time or null. {_KEPT}"
    if not isinstance(value, str):
        raise AccountError(msg)
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError as exc:
        raise AccountError(msg) from exc


def _record(name: str, raw: object, path: Path) -> Account:
    def bad(problem: str) -> AccountError:
        return AccountError(f"users file {path}: account {name!r} {problem}. {_KEPT}")

    if not NAME_PATTERN.fullmatch(name):
        raise bad("has a name that is not allowed (expected lower-case letters, digits, . _ @ -)")
    if not isinstance(raw, dict):
        raise bad(f"is {type(raw).__name__}; expected an object")
    role, hashed, failures = raw.get("role"), raw.get("password_hash"), raw.get("failures", 0)
    if role not in ROLES:
        raise bad(f"has role {role!r}; expected one of {', '.join(ROLES)}")
    if not isinstance(hashed, str) or not hashed.startswith("$argon2"):
        raise bad("has no Argon2 password hash (password_hash)")
    if not isinstance(failures, int) or isinstance(failures, bool) or failures < 0:
        raise bad(f"has failures {failures!r}; expected a count >= 0")
    created = _seconds(raw.get("created"), what=f"{name}.created", path=path)
    return Account(
        name=name,
        role=role,
        created=0.0 if created is None else created,
        password_hash=hashed,
        failures=failures,
        locked_until=_seconds(raw.get("locked_until"), what=f"{name}.locked_until", path=path),
        last_login=_seconds(raw.get("last_login"), what=f"{name}.last_login", path=path),
    )


def parse_users(text: str, path: Path) -> dict[str, Account]:
    """The accounts in the users file's ``text``; :class:`~geo.errors.AccountError` if it is malformed."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = (
            f"users file {path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). "
            f"{_KEPT}"
        )
        raise AccountError(msg) from exc
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        msg = (
            f'users file {path} is not a Zone Atlas users file (expected "format": "{FILE_FORMAT}"). {_KEPT}'
        )
        raise AccountError(msg)
    if data.get("version") != FILE_VERSION:
        msg = (
            f"users file {path} has version {data.get('version')!r}; this Zone Atlas reads version "
            f"{FILE_VERSION}. {_KEPT}"
        )
        raise AccountError(msg)
    users = data.get("users")
    if not isinstance(users, dict):
        msg = f'users file {path} has no "users" object. {_KEPT}'
        raise AccountError(msg)
    return {name: _record(name, raw, path) for name, raw in users.items()}


def format_users(accounts: Mapping[str, Account]) -> str:
    """The users file's text for ``accounts`` (sorted by name)."""
    users = {
        a.name: {
            "role": a.role,
            "password_hash": a.password_hash,
            "created": _stamp(a.created),
            "failures": a.failures,
            "locked_until": _stamp(a.locked_until),
            "last_login": _stamp(a.last_login),
        }
        for a in sorted(accounts.values(), key=lambda a: a.name)
    }
    body = {"format": FILE_FORMAT, "version": FILE_VERSION, "users": users}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# Failures of names with no account, kept in memory: (users file, name) -> (failures, locked until)
_UNKNOWN: dict[tuple[str, str], tuple[int, float | None]] = {}
_UNKNOWN_LOCK = threading.Lock()
_UNKNOWN_LIMIT = 10_000


class AccountStore:
    """The accounts of one users file.

    Parameters
    ----------
    path
        The users file; default :func:`users_path`.
    clock
        Returns the time in POSIX seconds (injected in tests).
    hasher
        The Argon2 hasher (default parameters of argon2-cffi: Argon2id, RFC 9106 low-memory profile).
    max_failures, lockout_s
        Wrong passwords in a row that lock an account, and how long the lock lasts.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        hasher: PasswordHasher | None = None,
        max_failures: int = MAX_FAILURES,
        lockout_s: float = LOCKOUT_S,
    ) -> None:
        self.path = Path(path) if path is not None else users_path()
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._max_failures = max_failures
        self._lockout_s = lockout_s
        self._dummy_hash: str | None = None

    # reading and writing -----------------------------------------------------------------------

    def _load(self) -> dict[str, Account]:
        try:
            text = self.path.read_text(encoding="utf-8")
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            msg = f"users file {self.path} cannot be read ({reason}). {_KEPT}"
            raise AccountError(msg) from exc
        if mode & 0o077:
            log.warning(
                "users file %s can be read by others (mode %o); fix: chmod 600 it", self.path, mode & 0o777
            )
        return parse_users(text, self.path)

    def _save(self, accounts: Mapping[str, Account]) -> None:
        atomic_write_text(
            self.path, format_users(accounts), error=AccountError, mode=stat.S_IRUSR | stat.S_IWUSR
        )

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the users file's lock file (``users.json.lock``) for a read-change-write."""
        folder = self.path.parent
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise AccountError(describe_os_error(exc, lock_path)) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # reading accounts --------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """Every account, sorted by name (empty when there is no users file)."""
        return sorted(self._load().values(), key=lambda a: a.name)

    def get(self, name: str) -> Account | None:
        """The account called ``name`` (any case), or None."""
        return self._load().get(normal_name(name))

    def has_accounts(self) -> bool:
        """Whether at least one account exists. A broken users file raises, it never means "none"."""
        return bool(self._load())

    def _existing(self, accounts: Mapping[str, Account], name: str) -> Account:
        found = accounts.get(normal_name(name))
        if found is None:
            known = ", ".join(sorted(accounts)) or "none"
            msg = f"no account named {name!r} in {self.path}; the accounts are: {known}"
            raise AccountError(msg)
        return found

    # changing accounts -------------------------------------------------------------------------

    def add(self, name: str, password: str, *, role: str) -> Account:
        """Create an account; :class:`~geo.errors.AccountError` if the name is taken."""
        key, role = check_name(name), check_role(role)
        hashed = self._hasher.hash(check_password(password))
        with self._exclusive():
            accounts = self._load()
            if key in accounts:
                msg = f"an account named {key!r} exists already; change its password with `users reset {key}`"
                raise AccountError(msg)
            accounts[key] = Account(name=key, role=role, created=self._clock(), password_hash=hashed)
            self._save(accounts)
        log.info("account %r added (%s)", key, role)
        return accounts[key]

    def _change(self, name: str, change: Callable[[Account], Account], event: str) -> Account:
        with self._exclusive():
            accounts = self._load()
            account = change(self._existing(accounts, name))
            accounts[account.name] = account
            self._save(accounts)
        log.info("account %r %s", account.name, event)
        return account

    def reset_password(self, name: str, password: str) -> Account:
        """Give ``name`` a new password (and lift any lock)."""
        hashed = self._hasher.hash(check_password(password))
        return self._change(
            name, lambda a: replace(a, password_hash=hashed, failures=0, locked_until=None), "password reset"
        )

    def set_role(self, name: str, role: str) -> Account:
        """Give ``name`` another role."""
        role = check_role(role)
        return self._change(name, lambda a: replace(a, role=role), f"role set to {role}")

    def unlock(self, name: str) -> Account:
        """Lift the lock of ``name`` and forget its failed log-ins."""
        return self._change(name, lambda a: replace(a, failures=0, locked_until=None), "unlocked")

    def remove(self, name: str) -> None:
        """Delete the account ``name``."""
        with self._exclusive():
            accounts = self._load()
            account = self._existing(accounts, name)
            del accounts[account.name]
            self._save(accounts)
        log.info("account %r removed", account.name)

    # logging in --------------------------------------------------------------------------------

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(hashed, password))
        except VerificationError:
            return False
        except InvalidHashError:
            log.error("a password hash in %s cannot be read; reset that account's password", self.path)
            return False

    def _spend_verify(self, password: str) -> None:
        """The same work as checking a real password, for names with no account and locked ones."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(24))
        self._verify(self._dummy_hash, password)

    def authenticate(self, name: str, password: str) -> LoginResult:
        """Check ``name`` and ``password``, counting failures and locking the account after too many.

        A locked account is refused even with the right password until its lock expires. The users
        file is updated (failure count, lock, last log-in) under its lock file.
        """
        key = normal_name(name)
        with self._exclusive():
            accounts = self._load()
            now = self._clock()
            account = accounts.get(key)
            if account is None:
                self._spend_verify(password)
                return self._unknown_failure(key, now)
            if account.locked_until is not None and not account.is_locked(now):
                account = replace(account, failures=0, locked_until=None)  # the lock has expired
            if account.locked_until is not None:
                self._spend_verify(password)
                log.warning("log-in refused for %r: locked until %s", key, _stamp(account.locked_until))
                return _refused(account.locked_until, now)
            ok = self._verify(account.password_hash, password)
            if ok:
                hashed = account.password_hash
                if self._hasher.check_needs_rehash(hashed):
                    hashed = self._hasher.hash(password)
                account = replace(account, password_hash=hashed, failures=0, last_login=now)
            else:
                failures = account.failures + 1
                until = now + self._lockout_s if failures >= self._max_failures else None
                account = replace(account, failures=failures, locked_until=until)
            accounts[key] = account
            self._save(accounts)
        if ok:
            log.info("log-in: %r (%s)", key, account.role)
            return LoginResult(ok=True, account=account)
        locked = f": account locked until {_stamp(account.locked_until)}" if account.locked_until else ""
        log.warning("failed log-in for %r (%d of %d)%s", key, account.failures, self._max_failures, locked)
        return _refused(account.locked_until, now)

    def _unknown_failure(self, key: str, now: float) -> LoginResult:
        """A failed log-in for a name with no account: counted and "locked" like a real one."""
        slot = (str(self.path), key)
        with _UNKNOWN_LOCK:
            failures, until = _UNKNOWN.get(slot, (0, None))
            if until is not None and now >= until:
                failures, until = 0, None
            if until is None:
                failures += 1
                until = now + self._lockout_s if failures >= self._max_failures else None
            if len(_UNKNOWN) >= _UNKNOWN_LIMIT:
                _UNKNOWN.clear()
            _UNKNOWN[slot] = (failures, until)
        log.warning("failed log-in for unknown user %r", key[:80])
        return _refused(until, now)
