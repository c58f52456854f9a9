"""``python -m geo corpus``: query the workspace store (``ingest`` fills it: :mod:`geo.cli.ingest`).

``corpus list|places|zones`` print the articles, places or zones of the articles matching the
filters (``--from``, ``--to``, ``--lang``, ``--search``); ``corpus map`` the counts behind the
corpus map; ``corpus export`` writes a GeoPackage with the layers articles, places, zones and
events. ``corpus events`` prints one row per event (the date range applies to the event's date;
``--type`` keeps some types) and ``corpus trends`` the event counts per governorate or district,
type and period with the surge flag; what was left out (undated events) is said on standard error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from geo.errors import InputError, ParameterError

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
    print(f"wrote {path} (layers: articles, places, zones, events)")
    return 0


def _not_empty(store: Store) -> None:
    if not store.counts()["articles"]:
        msg = f"the store {store.path} holds no articles. Fix: python -m geo ingest FILES --store {store.folder}"
        raise InputError(msg)


def run_corpus_events(args: argparse.Namespace) -> int:
    from geo.store.export import events_geoframe, feature_collection, json_rows, table_rows

    filters = _filters(args)
    with _store(args, read_only=True) as store:
        _not_empty(store)
        frame = store.events(
            filters, types=args.types, include_undated=not args.no_undated, include_historical=args.historical
        )
    undated = int(frame["date"].isna().sum())
    if undated:
        print(f"note: {undated} undated event(s) listed with an empty date", file=sys.stderr)
    if args.format == "csv":
        _csv(table_rows(frame))
    elif args.format == "geojson":
        json.dump(
            feature_collection(events_geoframe(frame)), sys.stdout, ensure_ascii=False, default=_json_default
        )
        sys.stdout.write("\n")
    else:
        for row in json_rows(frame):
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
    return 0


def run_corpus_trends(args: argparse.Namespace) -> int:
    from geo.store.export import json_rows, table_rows
    from geo.store.timeline import unit_names

    filters = _filters(args)
    with _store(args, read_only=True) as store:
        _not_empty(store)
        trends = store.trends(filters, by=args.by, every=args.every, types=args.types)
    counts = trends.counts.copy()
    counts.insert(1, "unit_name", counts["unit"].map(unit_names(list(counts["unit"].unique()))))
    for note in trends.notes:
        print(f"note: {note}", file=sys.stderr)
    surges = int(counts["surge"].sum())
    print(f"{surges} surge(s) in {len(counts)} rows ({args.by} x {args.every} x type)", file=sys.stderr)
    if args.format == "csv":
        _csv(table_rows(counts))
        return 0
    out = {
        "by": args.by,
        "every": args.every,
        "notes": trends.notes,
        "undated": trends.undated,
        "surges": list(json_rows(counts[counts["surge"]])),
        "counts": list(json_rows(counts)),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=_json_default)
    sys.stdout.write("\n")
    return 0


def _add_types(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--type",
        dest="types",
        action="extend",
        nargs="+",
        metavar="TYPE",
        default=None,
        help="only these event types (e.g. ied ambush; see data/event_rules.toml)",
    )


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
    """Add the parser of ``corpus``."""
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
    p = csub.add_parser("events", help="one row per event: date, place, type, actors, casualties, sentence")
    _add_filters(p)
    _add_types(p)
    p.add_argument("--no-undated", action="store_true", help="leave out the events with no date")
    p.add_argument("--historical", action="store_true", help="also the past events the articles recall")
    p.add_argument(
        "--format",
        choices=["jsonl", "csv", "geojson"],
        default="jsonl",
        help="JSON lines (default), CSV, GeoJSON",
    )
    p.set_defaults(func=run_corpus_events)
    p = csub.add_parser("trends", help="event counts per unit, type and period, with the surge flag")
    _add_filters(p)
    _add_types(p)
    p.add_argument(
        "--by", choices=["governorate", "district"], default="governorate", help="unit (default governorate)"
    )
    p.add_argument("--every", choices=["day", "week", "month"], default="week", help="period (default week)")
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="CSV (default) or JSON")
    p.set_defaults(func=run_corpus_trends)
