"""``python -m geo brief``: a briefing of a period, from the workspace store, as PDF or HTML.

``brief --from DATE --to DATE --out FILE.pdf|FILE.html`` reads the store (``--store DIR``, default
``$ZONE_ATLAS_STORE`` or ``<home>/store``) and writes what its articles report in those days
(:mod:`geo.render.period`): the bottom line, the map, the weekly trend, the surges, the zones in
force, key quotes and the sources. ``--lang``, ``--type`` (repeatable) and ``--governorate PCODE``
narrow it.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from geo.errors import ParameterError


def _day(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{flag} expects a date as YYYY-MM-DD, got {value!r}"
        raise ParameterError(msg) from None


def run_brief(args: argparse.Namespace) -> int:
    from geo.render.period import Period, write_period_briefing
    from geo.store import Store

    period = Period(
        _day(args.date_from, "--from"),
        _day(args.date_to, "--to"),
        lang=args.lang,
        types=tuple(args.types) if args.types else None,
        governorate=args.governorate,
    )
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".html"):
        msg = f"--out expects a file ending in .pdf or .html, got {args.out!r}"
        raise ParameterError(msg)
    with Store(args.store, read_only=True) as store:
        written = write_period_briefing(store, out, period)
    print(f"{period.title()}: {written}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from geo.events.kinds import EVENT_TYPES

    p = sub.add_parser("brief", help="a briefing of a period from the workspace store (PDF or HTML)")
    p.add_argument(
        "--store", metavar="DIR", help="the store folder (default $ZONE_ATLAS_STORE or <home>/store)"
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="first day")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="last day")
    p.add_argument("--lang", choices=["ar", "en", "ckb"], help="only articles in this language")
    p.add_argument(
        "--type", dest="types", action="append", choices=list(EVENT_TYPES), help="only events of this type"
    )
    p.add_argument("--governorate", metavar="PCODE", help="only events in this governorate (IQG01 .. IQG18)")
    p.add_argument(
        "--out", required=True, metavar="FILE", help="the briefing to write: FILE.pdf or FILE.html"
    )
    p.set_defaults(func=run_brief)
