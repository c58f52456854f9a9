"""``python -m geo ingest``: add files, folders, feeds and JSONL to the workspace store.

``ingest PATH...`` analyses the new articles in ``--workers N`` local processes (default: every
core; ``--workers 1`` analyses in this process) or on a Dask cluster (``--dask ADDRESS``, or
``$ZONE_ATLAS_DASK``), and writes the articles, whole, in batched transactions to the store (``--store DIR``,
default ``$ZONE_ATLAS_STORE`` or ``<home>/store``). It ends with "N new, M already in the store"
and the files or lines that could not be read. Ctrl-C stops it with what was committed kept; the
same command again finishes the job.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from geo import config
from geo.cli.options import add_belt_options
from geo.errors import ParameterError

if TYPE_CHECKING:
    from distributed import Client

    from geo.store import IngestReport


def run_ingest(args: argparse.Namespace) -> int:
    from geo.pipeline import Settings
    from geo.store import IngestReport, Store, ingest

    if args.workers < 1:
        raise ParameterError(f"--workers expects a number of processes of at least 1, got {args.workers}")
    settings = Settings(belt_km=args.belt_km, belt_side=args.belt_side, min_confidence=args.min_confidence)
    client: Client | None = None
    if args.dask:
        from geo.store.distributed import connect

        client = connect(args.dask)  # before the store is opened: an unreachable cluster writes nothing
    so_far = IngestReport()

    def keep(report: IngestReport) -> None:
        nonlocal so_far
        so_far = report

    try:
        with Store(args.store) as store:
            path = store.path
            try:
                report = ingest(
                    store,
                    args.paths,
                    settings=settings,
                    progress=not args.quiet,
                    on_article=keep,
                    workers=args.workers,
                    dask=client,
                )
            except KeyboardInterrupt:
                print(
                    f"interrupted: {so_far.new} new article(s) were committed to {path} and are kept; "
                    "run the same command again to finish (what is stored is skipped)",
                    file=sys.stderr,
                )
                return 130
    finally:
        if client is not None:
            client.close()
    _print_report(report, str(path))
    return 1 if report.failed else 0


def _print_report(report: IngestReport, path: str) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.more_warnings:
        print(f"warning: ... and {report.more_warnings} more warnings", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.more_problems:
        print(f"error: ... and {report.more_problems} more that could not be read", file=sys.stderr)
    print(f"{report.summary()} ({path}, {report.seconds:.1f} s)")
    if report.failed:
        print(
            f"{report.failed} file(s), entries or lines could not be read (listed above); "
            "the others were ingested.",
            file=sys.stderr,
        )


def add_parallel_options(p: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--dask ADDRESS`` (shared by ``ingest`` and ``extract``)."""
    from geo.store.parallel import default_workers

    p.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        metavar="N",
        help="local worker processes analysing the articles (default: every core; 1: in this process)",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=config.dask_address(),
        help="run on the Dask cluster whose scheduler is at ADDRESS, e.g. tcp://10.0.0.5:8786 "
        "(default $ZONE_ATLAS_DASK)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parser of ``ingest``."""
    p = sub.add_parser("ingest", help="add articles (files, folders, RSS/Atom feeds, JSONL) to the store")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt/.md/.html files, folders (searched recursively), .xml/.rss/.atom feeds, .jsonl",
    )
    p.add_argument(
        "--store",
        metavar="DIR",
        default=None,
        help="the store folder (default: $ZONE_ATLAS_STORE, else <home>/store)",
    )
    add_belt_options(p)
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="drop places below this confidence (0-1, default 0)",
    )
    add_parallel_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_ingest)
