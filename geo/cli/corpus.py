"""``python -m geo ingest|corpus``: fill the workspace store and query it.

``ingest PATH...`` adds files, folders, feeds and JSONL to the store (``--store DIR``, default
``$ZONE_ATLAS_STORE`` or ``<home>/store``), one transaction per article, and ends with "N new, M
already in the store" and the files or lines that could not be read. ``corpus list|places|zones``
print the articles, places or zones of the articles matching the filters (``--from``, ``--to``,
``--lang``, ``--search``); ``corpus map`` the counts behind the corpus map; ``corpus export``
writes a GeoPackage with the layers articles, places and zones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from geo import config
from geo.errors import ParameterError

if TYPE_CHECKING:
    from geo.store import Filters, Store


def _store(args: argparse.Namespace, *, read_only: bool) -> Store:
    from geo.store import Store

    return Store(args.store, read_only=read_only)


def _day(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{flag} expects a date as YYYY-MM-DD, got {value!r}"
        raise ParameterError(msg) from None


def _filters(args: argparse.Namespace) -> Filters:
    from geo.store import Filters

    return Filters(
        date_from=_day(args.date_from, "--from"),
        date_to=_day(args.date_to, "--to"),
        lang=args.lang,
        search=args.search,
    )


def run_ingest(args: argparse.Namespace) -> int:
    from geo.pipeline import Settings
    from geo.store import ingest

    settings = Settings(belt_km=args.belt_km, belt_side=args.belt_side, min_confidence=args.min_confidence)
    with _store(args, read_only=False) as store:
        report = ingest(store, args.paths, settings=settings, progress=not args.quiet)
        path = store.path
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{report.summary()} ({path}, {report.seconds:.1f} s)")
    if report.problems:
        print(
            f"{len(report.problems)} file(s), entries or lines could not be read (listed above); "
            "the others were ingested.",
            file=sys.stderr,
        )
    return 1 if report.problems else 0


def _csv(rows: Any) -> None:
    import csv

    from geo.render.export import neutralise_formula  # cells a spreadsheet would run

    writer = csv.writer(sys.stdout, lineterminator="\n")
    for n, row in enumerate(rows):
        writer.writerow(row if n == 0 else [neutralise_formula(v) for v in row])


def run_corpus_list(args: argparse.Namespace) -> int:
    from geo.store.export import table_rows

    filters = _filters(args)
    with _store(args, read_only=True) as store:
        table = store.articles(filters)
    if args.format == "csv":
        _csv(table_rows(table))
        return 0
    rows = table_rows(table)
    header = next(rows)
    for row in rows:
        record = {k: (None if v == "" else v) for k, v in zip(header, row, strict=True)}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
    return 0


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def run_corpus_features(args: argparse.Namespace) -> int:
    from geo.store.export import feature_collection, table_rows

    filters = _filters(args)
    with _store(args, read_only=True) as store:
        frame = store.places(filters) if args.layer == "places" else store.zones(filters)
    if args.format == "csv":
        _csv(table_rows(frame))
    else:
        json.dump(feature_collection(frame), sys.stdout, ensure_ascii=False, default=_json_default)
        sys.stdout.write("\n")
    return 0


def run_corpus_map(args: argparse.Namespace) -> int:
    from geo.store.export import table_rows

    filters = _filters(args)
    with _store(args, read_only=True) as store:
        counts = store.corpus_map(filters)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in ("governorates", "districts", "zone_kinds", "zones"):
        rows = table_rows(getattr(counts, name))
        header = next(rows)
        out[name] = [dict(zip(header, row, strict=True)) for row in rows]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=_json_default)
    sys.stdout.write("\n")
    return 0


def run_corpus_export(args: argparse.Namespace) -> int:
    filters = _filters(args)
    with _store(args, read_only=True) as store:
        path = store.export(args.out, filters, stem=args.name)
    print(f"wrote {path} (layers: articles, places, zones)")
    return 0


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        metavar="DIR",
        default=None,
        help="the store folder (default: $ZONE_ATLAS_STORE, else <home>/store)",
    )


def _add_filters(p: argparse.ArgumentParser) -> None:
    _add_store(p)
    p.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", help="articles dated on or after this day"
    )
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="articles dated on or before this day")
    p.add_argument(
        "--lang", choices=["ar", "en", "ckb", "kmr", "fa", "tr", "und"], help="articles in this language"
    )
    p.add_argument(
        "--search",
        metavar="TEXT",
        help="articles holding every word of TEXT (Arabic or English; hamza, alef, teh marbuta, "
        "diacritics and case folded)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parsers of ``ingest`` and ``corpus``."""
    p = sub.add_parser("ingest", help="add articles (files, folders, RSS/Atom feeds, JSONL) to the store")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt/.md/.html files, folders (searched recursively), .xml/.rss/.atom feeds, .jsonl",
    )
    _add_store(p)
    p.add_argument(
        "--belt-km",
        type=float,
        default=config.belt_km(),
        metavar="KM",
        help="security-vacuum belt width (default 20, or $ZONE_ATLAS_BELT_KM)",
    )
    p.add_argument(
        "--belt-side", choices=["federal", "both"], default="federal", help="belt side (default federal)"
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="drop places below this confidence (0-1, default 0)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_ingest)

    corpus = sub.add_parser("corpus", help="query the store: articles, places, zones, the corpus map, export")
    csub = corpus.add_subparsers(dest="corpus_command", required=True, metavar="QUERY")
    p = csub.add_parser("list", help="one row per article: id, source, title, date, lang, places, zones")
    _add_filters(p)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="JSON lines (default) or CSV")
    p.set_defaults(func=run_corpus_list)
    for layer in ("places", "zones"):
        p = csub.add_parser(
            layer, help=f"every {layer[:-1]} of the matching articles, with article, date, provenance"
        )
        _add_filters(p)
        p.add_argument(
            "--format",
            choices=["geojson", "csv"],
            default="geojson",
            help="a GeoJSON FeatureCollection (default) or CSV with a wkt column",
        )
        p.set_defaults(func=run_corpus_features, layer=layer)
    p = csub.add_parser("map", help="mentions per governorate and district, zones per kind (JSON)")
    _add_filters(p)
    p.set_defaults(func=run_corpus_map)
    p = csub.add_parser("export", help="a GeoPackage with the layers articles, places and zones")
    _add_filters(p)
    p.add_argument("--out", required=True, metavar="DIR", help="existing folder to write <name>.gpkg into")
    p.add_argument("--name", default="corpus", help="file name stem (default corpus)")
    p.set_defaults(func=run_corpus_export)
