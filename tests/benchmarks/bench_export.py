"""Benchmark: export time per format and file sizes for the seed article.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_export.py [--runs 3]
The article is analysed once (warm caches); each format is then exported ``runs`` times into a
fresh folder and the median time is reported with the size of the files it wrote. PNG and the
briefing start headless Chromium, so their times include the browser's start-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from geo.pipeline import Settings, analyze
from geo.render import export
from geo.text.reading import read_article

SEED = REPO / "data" / "samples" / "article-000.txt"


def main(runs: int = 3) -> None:
    article = read_article(SEED)
    settings = Settings()
    t0 = time.perf_counter()
    analysis = analyze(article.text, source=str(SEED.relative_to(REPO)), settings=settings)
    analyse_s = time.perf_counter() - t0
    print(f"seed: {len(analysis.places)} places, {len(analysis.zones)} zones (analysis {analyse_s:.2f} s)")
    jobs = [(fmt, "pdf") for fmt in export.ALL_FORMATS if fmt != "briefing"]
    jobs += [("briefing", "pdf"), ("briefing", "html")]
    print(f"{'format':<14}{'median s':>10}{'min s':>8}  files (bytes)")
    for fmt, briefing_format in jobs:
        times = []
        sizes: dict[str, int] = {}
        notes = set()
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                (result,) = export.export_analysis(
                    analysis,
                    tmp,
                    formats=(fmt,),
                    briefing_format=briefing_format,
                    title=article.title,
                    settings=settings,
                )
                times.append(time.perf_counter() - t)
                sizes = {p.name: p.stat().st_size for p in result.paths}
                if result.note:
                    notes.add(result.note)
        label = fmt if fmt != "briefing" else f"briefing-{briefing_format}"
        files = ", ".join(f"{name} {size:,}" for name, size in sizes.items())
        print(f"{label:<14}{statistics.median(times):>10.2f}{min(times):>8.2f}  {files}")
        for note in notes:
            print(f"{'':<14}note: {note}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
