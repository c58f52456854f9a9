"""``python -m geo``: fetch data, extract places, derive zones, export.

One module per group of subcommands, each with ``register(sub)`` (its parsers) and ``run_<name>(args)``
functions. Project errors are printed as one clear line on stderr (exit 2); they never show a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from geo.cli import data, export, places, zones
from geo.errors import ZoneAtlasError

#: The subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = (data, zones, export, places)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Zone Atlas: places and security-coordination zones from news articles.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ZoneAtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
