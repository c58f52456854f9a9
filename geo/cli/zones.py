"""``python -m geo zones``: the zones an article describes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run_zones(args: argparse.Namespace) -> int:
    import json

    from geo.errors import ExportError
    from geo.pipeline import Settings, analyze
    from geo.text.reading import read_article
    from geo.zones.derivation import check_belt, zones_geojson

    check_belt(args.belt_km, args.belt_side)
    article = read_article(args.file)
    analysis = analyze(article.text, source=str(args.file),
                       settings=Settings(belt_km=args.belt_km, belt_side=args.belt_side))
    if args.format == "geojson":
        body = json.dumps(zones_geojson(analysis.zones), ensure_ascii=False) + "\n"
    else:
        body = "".join(json.dumps(z.to_dict(), ensure_ascii=False) + "\n" for z in analysis.zones)
    if args.output:
        try:
            Path(args.output).write_text(body, encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"{args.output}: cannot write the zones ({exc.strerror or exc})") from exc
    else:
        sys.stdout.write(body)
    for note in analysis.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the parsers of ``zones``."""
    p = sub.add_parser("zones", help="derive the zones an article describes (operations rooms, vacuum "
                       "belt, disputed territories, attack areas)")
    p.add_argument("file", help="article file (text or HTML)")
    p.add_argument("--format", choices=["geojson", "jsonl"], default="geojson",
                   help="a GeoJSON FeatureCollection (default) or one JSON zone per line")
    p.add_argument("--belt-km", type=float, default=20.0, metavar="KM",
                   help="width of the security-vacuum belt in km (default 20)")
    p.add_argument("--belt-side", choices=["federal", "both"], default="federal",
                   help="side of the Kurdistan Region line the belt covers (default federal)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here instead of standard output")
    p.set_defaults(func=run_zones)
