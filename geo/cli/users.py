"""``python -m geo users add|reset|role|list|remove|unlock|count``: the dashboard's accounts.

Passwords are asked twice on the terminal (getpass, never echoed), or read from the first line of
standard input with ``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | python -m geo users
add ana --role analyst --password-stdin``). They never appear on the command line, where other
users of the machine could read them. The users file is ``users.json`` in ``$ZONE_ATLAS_HOME`` (see
:func:`geo.config.home_dir`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from geo.errors import AccountError, InputError


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of stdin with --password-stdin, else asked twice."""
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            msg = "--password-stdin read no password; expected it on the first line of standard input"
            raise InputError(msg)
        return password
    if not sys.stdin.isatty():
        msg = "there is no terminal to ask the password on; pass it on standard input with --password-stdin"
        raise InputError(msg)
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Repeat it: ") != first:
        msg = "the two passwords differ; nothing was changed"
        raise InputError(msg)
    return first


def _when(seconds: float | None) -> str:
    return "never" if seconds is None else datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def run_users_add(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore, check_name, check_role

    check_role(args.role)
    store = AccountStore()
    if store.get(check_name(args.name)) is not None:  # before the password is asked for
        msg = f"an account named {args.name!r} exists already; change its password with `users reset`"
        raise AccountError(msg)
    account = store.add(args.name, _password(args), role=args.role)
    print(f"added {account.role} {account.name!r} to {store.path}")
    return 0


def run_users_reset(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore

    store = AccountStore()
    if store.get(args.name) is None:  # before the password is asked for
        msg = f"no account named {args.name!r} in {store.path}; see `python -m geo users list`"
        raise AccountError(msg)
    account = store.reset_password(args.name, _password(args))
    print(f"new password set for {account.name!r}; any lock is lifted")
    return 0


def run_users_role(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore

    account = AccountStore().set_role(args.name, args.role)
    print(f"{account.name!r} is now {account.role}")
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    import time

    from geo.accounts import AccountStore

    store = AccountStore()
    accounts = store.accounts()
    if not accounts:
        print(f"no accounts in {store.path} (the dashboard runs login-free on localhost only)")
        return 0
    now = time.time()
    print(f"{len(accounts)} account(s) in {store.path}")
    print(f"{'name':<24} {'role':<8} {'state':<28} last log-in")
    for a in accounts:
        if a.is_locked(now):
            state = f"locked until {_when(a.locked_until)}"
        elif a.failures and a.locked_until is None:
            state = f"{a.failures} failed log-in(s)"
        else:
            state = "active"
        print(f"{a.name:<24} {a.role:<8} {state:<28} {_when(a.last_login)}")
    return 0


def run_users_remove(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore

    store = AccountStore()
    store.remove(args.name)
    print(f"removed {args.name!r} from {store.path}")
    return 0


def run_users_unlock(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore

    account = AccountStore().unlock(args.name)
    print(f"{account.name!r} is unlocked")
    return 0


def run_users_count(args: argparse.Namespace) -> int:
    from geo.accounts import AccountStore

    print(len(AccountStore().accounts()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add the parser of ``users`` and its subcommands."""
    from geo.accounts import ROLES

    users = sub.add_parser(
        "users",
        help="manage the dashboard's accounts (users file in $ZONE_ATLAS_HOME)",
        description="Accounts of the dashboard. Once one exists, everyone logs in, on localhost too.",
    )
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    def named(name: str, help_text: str, func: object) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text)
        p.add_argument("name", metavar="NAME", help="account name (letters, digits, . _ @ -)")
        p.set_defaults(func=func)
        return p

    stdin_help = "read the password from the first line of standard input instead of asking for it"
    p = named("add", "create an account (the password is asked for)", run_users_add)
    p.add_argument(
        "--role", choices=ROLES, default="viewer", help="what the account may do (default: viewer)"
    )
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)
    p = named("reset", "set a new password (and lift any lock)", run_users_reset)
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)
    p = named("role", "give an account another role", run_users_role)
    p.add_argument("role", choices=ROLES, metavar="ROLE", help=f"one of {', '.join(ROLES)}")
    named("remove", "delete an account", run_users_remove)
    named("unlock", "lift the lock after too many failed log-ins", run_users_unlock)
    p = actions.add_parser("list", help="the accounts, their roles and states (never their passwords)")
    p.set_defaults(func=run_users_list)
    p = actions.add_parser("count", help="print the number of accounts (0 when there is no users file)")
    p.set_defaults(func=run_users_count)
