"""``python -m geo fetch|assets|boundaries``: the public datasets and the map's libraries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run_fetch(args: argparse.Namespace) -> int:
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


def run_assets(args: argparse.Namespace) -> int:
    from geo.render import webassets

    root = webassets.install(force=args.force)
    print(f"map libraries ready in {root}")
    return 0


def run_boundaries(args: argparse.Namespace) -> int:
    from geo.data import boundaries

    for level in args.level or list(boundaries.LEVELS):
        gdf = boundaries.load_level(level, web=args.web)
        print(f"ADM{level}: {len(gdf)} features, CRS {gdf.crs.to_string()}, columns {list(gdf.columns)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parsers of ``fetch``, ``assets``, ``boundaries``."""
    p = sub.add_parser("fetch", help="download (or copy from a mirror) and verify the public datasets")
    p.add_argument(
        "--mirror",
        metavar="DIR",
        help="copy from this local folder instead of downloading (default: $ZONE_ATLAS_MIRROR)",
    )
    p.add_argument(
        "--dataset",
        action="append",
        metavar="ID",
        help="only this dataset (repeatable); default: all in data/sources.toml",
    )
    p.set_defaults(func=run_fetch)

    p = sub.add_parser("assets", help="install the map's JavaScript/CSS libraries locally (npm, once)")
    p.add_argument("--force", action="store_true", help="reinstall even if present")
    p.set_defaults(func=run_assets)

    p = sub.add_parser("boundaries", help="load the canonical admin layers and summarise them")
    p.add_argument("--level", type=int, action="append", choices=[0, 1, 2, 3])
    p.add_argument("--web", action="store_true", help="the simplified web-weight layers")
    p.set_defaults(func=run_boundaries)
