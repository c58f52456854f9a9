"""``python -m geo zones``: the zones an article describes."""

from __future__ import annotations

import argparse
import sys

from geo.cli.options import add_belt_options


def run_zones(args: argparse.Namespace) -> int:
    import json

    from geo.cli.places import print_warnings
    from geo.errors import ExportError
    from geo.files import atomic_write_text
    from geo.pipeline import Settings, analyze
    from geo.text.reading import read_article
    from geo.zones.belt import check_belt
    from geo.zones.frames import zones_geojson

    check_belt(args.belt_km, args.belt_side)
    article = read_article(args.file)
    print_warnings(article)
    analysis = analyze(
        article.text, source=str(args.file), settings=Settings(belt_km=args.belt_km, belt_side=args.belt_side)
    )
    if args.format == "geojson":
        body = json.dumps(zones_geojson(analysis.zones), ensure_ascii=False) + "\n"
    else:
        body = "".join(json.dumps(z.to_dict(), ensure_ascii=False) + "\n" for z in analysis.zones)
    if args.output:  # all or nothing: a failed write (disk full) leaves the previous file as it was
        atomic_write_text(args.output, body, error=ExportError)
    else:
        sys.stdout.write(body)
    for note in analysis.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def run_evaluate_zones(args: argparse.Namespace) -> int:
    """Score the zones derived from a gold folder's articles (see :mod:`geo.zones.evaluate`)."""
    import json

    from geo.files import atomic_write_text
    from geo.zones.evaluate import evaluate_zones

    result = evaluate_zones(args.gold_dir, lang=args.lang)
    if args.json:
        body = json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n"
        if args.json == "-":
            sys.stdout.write(body)
            return 0
        atomic_write_text(args.json, body)
    sys.stdout.write(result.report(details=args.details) + "\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parsers of ``zones`` and ``evaluate-zones``."""
    p = sub.add_parser(
        "zones",
        help="derive the zones an article describes (operations rooms, vacuum "
        "belt, disputed territories, attack areas)",
    )
    p.add_argument("file", help="article file (text or HTML)")
    p.add_argument(
        "--format",
        choices=["geojson", "jsonl"],
        default="geojson",
        help="a GeoJSON FeatureCollection (default) or one JSON zone per line",
    )
    add_belt_options(p)
    p.add_argument("-o", "--output", metavar="PATH", help="write here instead of standard output")
    p.set_defaults(func=run_zones)

    e = sub.add_parser(
        "evaluate-zones",
        help="score zone derivation against a gold folder (precision, "
        "recall and F1 overall, per kind, language and category)",
    )
    e.add_argument("gold_dir", help="folder of <id>.json gold files (e.g. tests/devsets/zones/dev)")
    e.add_argument("--lang", choices=["ar", "en", "ckb"], help="only the articles of this language")
    e.add_argument(
        "--json",
        metavar="PATH",
        nargs="?",
        const="-",
        help="the figures as JSON (to PATH, or standard output without one)",
    )
    e.add_argument(
        "--details", action="store_true", help="each article's matches, misses and false positives"
    )
    e.set_defaults(func=run_evaluate_zones)
