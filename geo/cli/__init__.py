"""``python -m geo``: fetch data, extract places, derive zones, export.

One module per group of subcommands, each with ``register(sub)`` (its parsers) and ``run_<name>(args)``
functions. Project errors are printed as one clear line on stderr (exit 2); they never show a
traceback. Data that is missing (the boundaries, the gazetteer's sources) is reported as such, with
the fix, never as a fault of the article files. Output cut short by its reader (``... | head``)
ends the command quietly with the status of a closed pipe (141).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from geo.cli import brief, corpus, data, export, ingest, places, users, zones
from geo.errors import DataSourceError, ZoneAtlasError

#: The subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = (data, zones, export, places, ingest, corpus, brief, users)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Zone Atlas: places and security-coordination zones from news articles.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


#: Exit status of a command whose reader closed the pipe (128 + SIGPIPE, as the shell reports it).
EXIT_BROKEN_PIPE = 141
#: What the required datasets are, for the "... missing" line (dataset id -> what it holds).
DATA_LABELS = {
    "cod_ab_iraq": "boundary data",
    "cod_ab_syria": "Syria boundary data",
    "geonames_cities": "gazetteer data (GeoNames cities)",
    "iom_dtm": "gazetteer data (IOM DTM locations)",
}


def data_error_message(exc: DataSourceError) -> str:
    """The line for a dataset that is missing or unusable: what is missing, the fix, then the detail.

    A message that names no dataset (an unusable cache or mirror folder) already carries its fix
    and is returned as it is.

    >>> msg = data_error_message(DataSourceError("cod_ab_iraq: could not download x.geojson (offline)"))
    >>> msg.split(". ")[0]
    'boundary data missing (cod_ab_iraq): run `python -m geo fetch` (offline: add --mirror DIR)'
    >>> msg.endswith("Detail: cod_ab_iraq: could not download x.geojson (offline)")
    True
    """
    text = str(exc)
    from geo.data import sources

    try:
        ids = [d["id"] for d in sources.describe()]
    except DataSourceError:  # the manifest itself is unreadable: its message says so
        return text
    named = [ds for ds in ids if text.startswith(f"{ds}:") or f"- {ds}:" in text]
    if not named:
        return text
    what = DATA_LABELS.get(named[0], f"dataset {named[0]}")
    return (
        f"{what} missing ({', '.join(named)}): run `python -m geo fetch` (offline: add --mirror DIR). "
        f"The article files were not at fault. Detail: {text}"
    )


def _stdout_closed() -> bool:
    """Whether the reader of standard output has gone (a pipe whose other end is closed)."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # no file descriptor behind sys.stdout: nothing to tell
        return True
    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(event & (select.POLLERR | select.POLLHUP) for _fd, event in poller.poll(0))


def _quiet_stdout() -> None:
    """Point standard output at the null device, so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (embedded, tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError as exc:
        if not _stdout_closed():  # another pipe (a helper process) broke: that is an error
            print(f"error: a pipe closed while writing ({exc})", file=sys.stderr)
            return 2
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except DataSourceError as exc:
        # fetch itself says what it could not fetch; every other command needs the data it names
        message = str(exc) if args.command == "fetch" else data_error_message(exc)
        print(f"error: {message}", file=sys.stderr)
        return 2
    except ZoneAtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
