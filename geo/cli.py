"""``python -m geo``: fetch data, extract places, derive zones, export.

Each subcommand is one ``_cmd_<name>(args) -> int`` function and one parser block in
:func:`build_parser`. Project errors are printed as one clear line on stderr (exit 2); they never
show a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import ZoneAtlasError


def _cmd_fetch(args: argparse.Namespace) -> int:
    from geo.data import sources

    def report(result: sources.FetchResult) -> None:
        line = f"{result.action:>10}  {result.dataset}/{result.file}"
        if result.action == "failed":
            line += f"\n            {result.detail}"
        print(line, file=sys.stderr if result.action == "failed" else sys.stdout)

    mirror = Path(args.mirror) if args.mirror else None
    results = sources.fetch(args.dataset or None, mirror=mirror, on_result=report)
    failed = [r for r in results if r.action == "failed"]
    if failed:
        print(f"{len(failed)} optional file(s) not fetched; features that use them are off.", file=sys.stderr)
    return 0


def _cmd_assets(args: argparse.Namespace) -> int:
    from geo.render import webassets

    root = webassets.install(force=args.force)
    print(f"map libraries ready in {root}")
    return 0


def _cmd_boundaries(args: argparse.Namespace) -> int:
    from geo.data import boundaries

    for level in args.level or list(boundaries.LEVELS):
        gdf = boundaries.load_level(level, web=args.web)
        print(f"ADM{level}: {len(gdf)} features, CRS {gdf.crs.to_string()}, columns {list(gdf.columns)}")
    return 0


def _cmd_zones(args: argparse.Namespace) -> int:
    import json

    from geo.pipeline import Settings, analyze
    from geo.errors import ExportError
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


def _size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, e.g. 1600x1000, got {value!r}") from None
    return width, height


def _cmd_export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from geo.pipeline import Settings, analyze
    from geo.render.export import ALL_FORMATS, check_out_dir, export_analysis, file_stem
    from geo.text.reading import read_article
    from geo.zones.derivation import check_belt

    check_belt(args.belt_km, args.belt_side)
    out = check_out_dir(args.out)
    chosen = [f for f in ("png", "html", "geojson", "gpkg", "csv", "kml") if getattr(args, f)]
    if args.briefing:
        chosen.append("briefing")
    formats = chosen or list(ALL_FORMATS)
    settings = Settings(belt_km=args.belt_km, belt_side=args.belt_side, min_confidence=args.min_confidence)
    stems: set[str] = set()
    failed = 0
    bar = tqdm(args.articles, unit="article", disable=len(args.articles) < 2, file=sys.stderr)
    for name in bar:
        bar.set_postfix_str(Path(name).name)
        stem = file_stem(name)
        base, n = stem, 2
        while stem in stems:  # two articles with one file name: keep both
            stem, n = f"{base}-{n}", n + 1
        stems.add(stem)
        try:
            article = read_article(name)
            analysis = analyze(article.text, source=str(name), settings=settings)
            results = export_analysis(
                analysis, out, formats=formats, briefing_format=args.briefing or "pdf", stem=stem,
                title=article.title, settings=settings, size=args.size, scale=args.scale,
                timeout_s=args.timeout,
            )
        except ZoneAtlasError as exc:
            if len(args.articles) == 1:
                raise
            failed += 1
            tqdm.write(f"error: {name}: {exc}", file=sys.stderr)
            continue
        for result in results:
            for path in result.paths:
                tqdm.write(f"{result.format:>9}  {path}  {path.stat().st_size:,} B  {result.seconds:.2f} s")
            if result.note:
                tqdm.write(f"     note  {result.note}", file=sys.stderr)
        for note in analysis.notes:
            tqdm.write(f"     note  {name}: {note}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.articles)} article(s) could not be exported", file=sys.stderr)
        return 2
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    import csv
    import json

    from geo.text.resolve import geoparse
    from geo.text.reading import detect_language, read_article

    failed = 0
    features: list[dict[str, object]] = []
    writer = None
    for name in args.files:
        try:
            article = read_article(name)
            places = geoparse(article.text)
        except ZoneAtlasError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        lang = detect_language(article.text)
        record: dict[str, object] = {"source": name, "lang": lang}
        if lang == "und":
            record["note"] = "language not recognised; names were matched on a best-effort basis"
        if args.format == "jsonl":
            import gc

            from geo.zones.derivation import derive_zones

            # The places (hundreds of thousands of mentions for a 20 MB text) live until they are
            # written: keep the collector's full passes, which the zones and the JSON below set
            # off, from walking them again and again.
            gc.freeze()
            try:
                zones = [z.to_dict() for z in derive_zones(article.text, places)[0]]
                # written place by place, so a huge input never builds one big dict of its places
                out = sys.stdout
                out.write(json.dumps(record, ensure_ascii=False)[:-1] + ', "places": [')
                for n, p in enumerate(places):
                    out.write((", " if n else "") + json.dumps(p.to_dict(), ensure_ascii=False))
                out.write('], "zones": ' + json.dumps(zones, ensure_ascii=False) + "}\n")
                out.flush()
            finally:
                gc.unfreeze()
        elif args.format == "geojson":
            for p in places:
                props = {k: v for k, v in p.to_dict().items() if k not in ("lat", "lon")}
                features.append({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                    "properties": {"source": name, "lang": lang, **props},
                })
        else:
            if writer is None:
                writer = csv.writer(sys.stdout)
                writer.writerow(["source", "lang", "name", "name_ar", "kind", "pcode", "governorate", "country",
                                 "lat", "lon", "confidence", "mentions", "offsets", "modifiers"])
            for p in places:
                writer.writerow([
                    name, lang, p.name, p.name_ar, p.kind, p.pcode or "", p.governorate or "", p.country,
                    round(p.lat, 6), round(p.lon, 6), round(p.confidence, 3), len(p.mentions),
                    ";".join(f"{m.start}-{m.end}" for m in p.mentions),
                    ";".join(m.modifier or "" for m in p.mentions),
                ])
    if args.format == "geojson":
        print(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    if failed:
        print(f"{failed} of {len(args.files)} file(s) could not be read; the others were processed.",
              file=sys.stderr)
    return 1 if failed else 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from geo.text.evaluate import evaluate

    report = evaluate(args.gold_dir)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(report.table())
    if args.details:
        for a in report.articles:
            if a.false_positives or a.missed or a.wrong_place:
                print(f"\n{a.gold_file} ({a.lang})")
                for label, items in (("false positive", a.false_positives), ("missed", a.missed),
                                     ("wrong place", a.wrong_place)):
                    for item in items:
                        print(f"  {label}: {item}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    import json

    from geo.text import bench

    result = bench.run(args.articles, seed=args.seed, load_times=not args.no_load_times)
    print(json.dumps(result.to_dict(), indent=1) if args.json else result.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Zone Atlas: places and security-coordination zones from news articles.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("fetch", help="download (or copy from a mirror) and verify the public datasets")
    p.add_argument("--mirror", metavar="DIR", help="copy from this local folder instead of downloading "
                   "(default: $ZONE_ATLAS_MIRROR)")
    p.add_argument("--dataset", action="append", metavar="ID",
                   help="only this dataset (repeatable); default: all in data/sources.toml")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("assets", help="install the map's JavaScript/CSS libraries locally (npm, once)")
    p.add_argument("--force", action="store_true", help="reinstall even if present")
    p.set_defaults(func=_cmd_assets)

    p = sub.add_parser("boundaries", help="load the canonical admin layers and summarise them")
    p.add_argument("--level", type=int, action="append", choices=[0, 1, 2, 3])
    p.add_argument("--web", action="store_true", help="the simplified web-weight layers")
    p.set_defaults(func=_cmd_boundaries)

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
    p.set_defaults(func=_cmd_zones)

    p = sub.add_parser("export", help="export articles' maps (PNG, HTML), data (GeoJSON, GeoPackage, CSV, "
                       "KML) and briefings (PDF, HTML); no format flag = all of them")
    p.add_argument("articles", nargs="+", metavar="ARTICLE", help="article files (text or HTML)")
    p.add_argument("--out", required=True, metavar="DIR", help="existing folder to write into")
    p.add_argument("--png", action="store_true", help="map snapshot (headless Chromium, else a static fallback)")
    p.add_argument("--html", action="store_true", help="interactive map as one offline HTML file")
    p.add_argument("--geojson", action="store_true", help="places and zones as two GeoJSON files")
    p.add_argument("--gpkg", action="store_true", help="one GeoPackage with layers places and zones")
    p.add_argument("--csv", action="store_true", help="places (lat/lon, WKT) and zones (WKT) as CSV")
    p.add_argument("--kml", action="store_true", help="places and zones as one KML file")
    p.add_argument("--briefing", choices=["pdf", "html"], help="analyst briefing in this format")
    p.add_argument("--belt-km", type=float, default=20.0, metavar="KM",
                   help="width of the security-vacuum belt in km (default 20)")
    p.add_argument("--belt-side", choices=["federal", "both"], default="federal",
                   help="side of the Kurdistan Region line the belt covers (default federal)")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="X",
                   help="drop places below this confidence before zones are drawn (default 0)")
    p.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH",
                   help="map snapshot size in CSS pixels (default 1600x1000)")
    p.add_argument("--scale", type=int, choices=[1, 2], default=1, help="snapshot pixel scale (default 1)")
    p.add_argument("--timeout", type=float, default=45.0, metavar="S",
                   help="seconds to wait for the browser before the static fallback (default 45)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("extract", help="find the places an article mentions (geoparser)")
    p.add_argument("files", nargs="+", metavar="FILE", help="article files (UTF-8/UTF-16/Windows-1256 text or HTML)")
    p.add_argument("--format", choices=["jsonl", "geojson", "csv"], default="jsonl",
                   help="one JSON object per file (default), a GeoJSON FeatureCollection, or CSV rows")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("evaluate", help="score the geoparser against a folder of gold JSON files")
    p.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of gold *.json files (e.g. ../shared/eval)")
    p.add_argument("--json", action="store_true", help="the full report as JSON")
    p.add_argument("--details", action="store_true", help="list false positives, misses and wrong places")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("bench", help="geoparser throughput, peak memory and gazetteer load times")
    p.add_argument("--articles", type=int, default=3000, metavar="N", help="articles to parse (default 3000)")
    p.add_argument("--seed", type=int, default=0, help="corpus random seed (default 0)")
    p.add_argument("--no-load-times", action="store_true", help="skip the gazetteer cold/warm subprocess runs")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=_cmd_bench)

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
