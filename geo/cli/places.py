"""``python -m geo extract|evaluate|bench``: places in articles, their evaluation and throughput.

``extract FILE...`` analyses the files in ``--workers N`` local processes (default: every core)
or on a Dask cluster (``--dask ADDRESS``) and prints them in the order given, the same bytes as
in one process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.cli.ingest import add_parallel_options
from geo.errors import DataSourceError, ParameterError, ZoneAtlasError

if TYPE_CHECKING:
    from geo.text.reading import Article


def print_warnings(article: Article) -> None:
    """``warning: FILE: ...`` on stderr for each repair the reader made (see ``Article.warnings``)."""
    for warning in article.warnings:
        print(f"warning: {article.source}: {warning}", file=sys.stderr)


@dataclass
class Extracted:
    """What ``extract`` prints for one file, made wherever the file is analysed (plain data: it pickles)."""

    name: str
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    line: str = ""  # jsonl
    features: list[dict[str, object]] = field(default_factory=list)  # geojson
    rows: list[list[object]] = field(default_factory=list)  # csv


CSV_HEADER = [
    "source",
    "lang",
    "name",
    "name_ar",
    "kind",
    "pcode",
    "governorate",
    "country",
    "lat",
    "lon",
    "confidence",
    "mentions",
    "offsets",
    "modifiers",
]


def _json(value: object) -> bytes:
    """``value`` as compact UTF-8 JSON (orjson; the standard encoder for what orjson refuses, such
    as a lone surrogate, which stays one as in the text)."""
    import json

    import orjson

    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def extract_file(name: str, *, fmt: str) -> Extracted:
    """Read, geoparse (and, for jsonl, derive the zones of) one file: its output as :class:`Extracted`."""

    from geo.text.reading import detect_language, read_article
    from geo.text.resolve import geoparse
    from geo.text.tokens import tokenize

    result = Extracted(name)
    try:
        article = read_article(name)
        result.warnings = [f"warning: {article.source}: {w}" for w in article.warnings]
        tokens = tokenize(article.text)  # read once: places and zone triggers share the words
        places = geoparse(article.text, tokens=tokens)
    except DataSourceError:
        raise  # missing data is no fault of this file and stops every other one too
    except ZoneAtlasError as exc:
        result.error = str(exc)
        return result
    lang = detect_language(article.text)
    record: dict[str, object] = {"source": name, "lang": lang}
    if lang == "und":
        record["note"] = "language not recognised; names were matched on a best-effort basis"
    if fmt == "jsonl":
        import gc

        from geo.zones.derivation import derive

        # The places (hundreds of thousands of mentions for a 20 MB text) live until they are
        # written: keep the collector's full passes, which the zones and the JSON below set
        # off, from walking them again and again.
        gc.freeze()
        try:
            zones = [z.to_dict() for z in derive(article.text, places, tokens=tokens).zones]
            # written place by place, so a huge input never builds one big dict of its places
            parts = [_json(record)[:-1], b', "places": [']
            for n, p in enumerate(places):
                if n:
                    parts.append(b", ")
                parts.append(_json(p.to_dict()))
            parts += [b'], "zones": ', _json(zones), b"}\n"]
            result.line = b"".join(parts).decode("utf-8", "surrogatepass")
        finally:
            gc.unfreeze()
    elif fmt == "geojson":
        for p in places:
            props = {k: v for k, v in p.to_dict().items() if k not in ("lat", "lon")}
            result.features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                    "properties": {"source": name, "lang": lang, **props},
                }
            )
    else:
        from geo.render.export import neutralise_formula  # cells a spreadsheet would run

        for p in places:
            result.rows.append(
                [
                    neutralise_formula(v)
                    for v in [
                        name,
                        lang,
                        p.name,
                        p.name_ar,
                        p.kind,
                        p.pcode or "",
                        p.governorate or "",
                        p.country,
                        round(p.lat, 6),
                        round(p.lon, 6),
                        round(p.confidence, 3),
                        len(p.mentions),
                        ";".join(f"{m.start}-{m.end}" for m in p.mentions),
                        ";".join(m.modifier or "" for m in p.mentions),
                    ]
                ]
            )
    return result


def _extracted(args: argparse.Namespace) -> Iterator[Extracted]:
    """Every file's output, in the order of the files: here, in worker processes or on Dask."""
    from functools import partial

    work = partial(extract_file, fmt=args.format)
    if args.dask:
        from geo.store.distributed import connect, ordered_on_cluster

        client = connect(args.dask)
        try:
            yield from ordered_on_cluster(client, work, args.files)
        finally:
            client.close()
        return
    from geo.store.parallel import ordered_map

    if args.workers < 1:
        raise ParameterError(f"--workers expects a number of processes of at least 1, got {args.workers}")
    for _name, result in ordered_map(work, args.files, workers=args.workers):
        assert result is not None
        yield result


def run_extract(args: argparse.Namespace) -> int:
    import csv
    import json

    failed = 0
    features: list[dict[str, object]] = []
    writer = None
    for result in _extracted(args):
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        if result.error is not None:
            print(f"error: {result.error}", file=sys.stderr)
            failed += 1
            continue
        if args.format == "jsonl":
            sys.stdout.write(result.line)
            sys.stdout.flush()
        elif args.format == "geojson":
            features.extend(result.features)
        else:
            if writer is None:
                writer = csv.writer(sys.stdout)
                writer.writerow(CSV_HEADER)
            writer.writerows(result.rows)
    if args.format == "geojson":
        print(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    if failed:
        print(
            f"{failed} of {len(args.files)} file(s) could not be read; the others were processed.",
            file=sys.stderr,
        )
    return 1 if failed else 0


def run_evaluate(args: argparse.Namespace) -> int:
    import json

    from geo.text.evaluate import evaluate, fit_calibration

    if args.fit_calibration:
        weights, report = fit_calibration(args.gold_dir)
        print(f"WEIGHTS: tuple[float, ...] = {weights}")
    else:
        report = evaluate(args.gold_dir, lang=args.lang)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(report.table())
    if args.by_category:
        print()
        print(report.category_table())
    if args.calibration:
        print()
        print(report.calibration().table())
    if args.details:
        for a in report.articles:
            if a.false_positives or a.missed or a.wrong_place:
                print(f"\n{a.gold_file} ({a.lang})")
                for label, items in (
                    ("false positive", a.false_positives),
                    ("missed", a.missed),
                    ("wrong place", a.wrong_place),
                ):
                    for item in items:
                        print(f"  {label}: {item}")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    import json

    from geo.text import bench

    result = bench.run(args.articles, seed=args.seed, load_times=not args.no_load_times)
    print(json.dumps(result.to_dict(), indent=1) if args.json else result.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the parsers of ``extract``, ``evaluate``, ``bench``."""
    p = sub.add_parser("extract", help="find the places an article mentions (geoparser)")
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="article files (UTF-8/UTF-16/Windows-1256 text or HTML)"
    )
    p.add_argument(
        "--format",
        choices=["jsonl", "geojson", "csv"],
        default="jsonl",
        help="one JSON object per file (default), a GeoJSON FeatureCollection, or CSV rows",
    )
    add_parallel_options(p)
    p.set_defaults(func=run_extract)

    p = sub.add_parser("evaluate", help="score the geoparser against a folder of gold JSON files")
    p.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of gold *.json files (e.g. ../shared/eval)")
    p.add_argument("--json", action="store_true", help="the full report as JSON")
    p.add_argument("--details", action="store_true", help="list false positives, misses and wrong places")
    p.add_argument(
        "--by-category", action="store_true", help="gold places found and right, per gold category"
    )
    p.add_argument(
        "--lang", choices=["ar", "en", "ckb"], default=None, help="score the articles of one language"
    )
    p.add_argument(
        "--calibration",
        action="store_true",
        help="the reliability table of the confidences (ten bins), ECE and review-flag recall",
    )
    p.add_argument(
        "--fit-calibration",
        action="store_true",
        help="fit the confidence model on GOLD_DIR and print its weights (dev split only)",
    )
    p.set_defaults(func=run_evaluate)

    p = sub.add_parser("bench", help="geoparser throughput, peak memory and gazetteer load times")
    p.add_argument("--articles", type=int, default=3000, metavar="N", help="articles to parse (default 3000)")
    p.add_argument("--seed", type=int, default=0, help="corpus random seed (default 0)")
    p.add_argument(
        "--no-load-times", action="store_true", help="skip the gazetteer cold/warm subprocess runs"
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=run_bench)
