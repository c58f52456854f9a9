"""``python -m geo export``: maps, data files and briefings for articles."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.options import add_belt_options
from geo.errors import DataSourceError, ZoneAtlasError


def _size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in pixels, e.g. 1600x1000, got {value!r}"
        ) from None
    return width, height


def run_export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from geo.pipeline import Settings, analyze
    from geo.render.export import ALL_FORMATS, check_out_dir, export_analysis, file_stem
    from geo.text.reading import read_article
    from geo.zones.belt import check_belt

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
            for warning in article.warnings:
                tqdm.write(f"warning: {name}: {warning}", file=sys.stderr)
            analysis = analyze(article.text, source=str(name), settings=settings)
            results = export_analysis(
                analysis,
                out,
                formats=formats,
                briefing_format=args.briefing or "pdf",
                stem=stem,
                title=article.title,
                settings=settings,
                size=args.size,
                scale=args.scale,
                timeout_s=args.timeout,
            )
        except DataSourceError:
            raise  # missing data is no fault of this article and stops the others too
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parsers of ``export``."""
    p = sub.add_parser(
        "export",
        help="export articles' maps (PNG, HTML), data (GeoJSON, GeoPackage, CSV, "
        "KML) and briefings (PDF, HTML); no format flag = all of them",
    )
    p.add_argument("articles", nargs="+", metavar="ARTICLE", help="article files (text or HTML)")
    p.add_argument("--out", required=True, metavar="DIR", help="existing folder to write into")
    p.add_argument(
        "--png", action="store_true", help="map snapshot (headless Chromium, else a static fallback)"
    )
    p.add_argument("--html", action="store_true", help="interactive map as one offline HTML file")
    p.add_argument("--geojson", action="store_true", help="places and zones as two GeoJSON files")
    p.add_argument("--gpkg", action="store_true", help="one GeoPackage with layers places and zones")
    p.add_argument("--csv", action="store_true", help="places (lat/lon, WKT) and zones (WKT) as CSV")
    p.add_argument("--kml", action="store_true", help="places and zones as one KML file")
    p.add_argument("--briefing", choices=["pdf", "html"], help="analyst briefing in this format")
    add_belt_options(p)
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="drop places below this confidence before zones are drawn (default 0)",
    )
    p.add_argument(
        "--size",
        type=_size,
        default=(1600, 1000),
        metavar="WxH",
        help="map snapshot size in CSS pixels (default 1600x1000)",
    )
    p.add_argument("--scale", type=int, choices=[1, 2], default=1, help="snapshot pixel scale (default 1)")
    p.add_argument(
        "--timeout",
        type=float,
        default=45.0,
        metavar="S",
        help="seconds to wait for the browser before the static fallback (default 45)",
    )
    p.set_defaults(func=run_export)
