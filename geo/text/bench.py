"""Geoparser benchmark: articles per second, peak memory, gazetteer cold and warm load times.

The corpus is made from the articles at hand (the bundled sample article and the hand-checked
articles under ``tests/gold/articles``): their sentences are shuffled into a few thousand
articles of 1-3k characters with a seeded random generator, so runs are repeatable. The geoparser
runs in this process on one core with a warm gazetteer; gazetteer load times are measured in
fresh subprocesses (cold: an empty cache folder, so every source file is copied and parsed; warm:
the cache that run left behind).
"""

from __future__ import annotations

import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from geo.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CORPUS_SOURCES = (REPO / "data" / "samples", REPO / "tests" / "gold" / "articles")
_SENTENCE = re.compile(r"[^\n.!?؟]+[.!?؟]?")


@dataclass
class BenchResult:
    """Benchmark figures (times in seconds, memory in MB)."""

    articles: int
    mean_chars: int
    seconds: float
    cpu_seconds: float
    articles_per_second: float
    articles_per_cpu_second: float
    places_found: int
    peak_rss_mb: float
    gazetteer_cold_s: float | None
    gazetteer_warm_s: float | None
    gazetteer_warm_in_process_s: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"articles            {self.articles} (mean {self.mean_chars} chars)",
            f"throughput          {self.articles_per_second:,.0f} articles/s wall, "
            f"{self.articles_per_cpu_second:,.0f} articles/s CPU ({self.seconds:.2f} s)",
            f"places found        {self.places_found}",
            f"peak RSS            {self.peak_rss_mb:.0f} MB",
            f"gazetteer warm load {self.gazetteer_warm_in_process_s * 1000:.0f} ms in process",
        ]
        if self.gazetteer_cold_s is not None:
            lines.append(f"gazetteer cold      {self.gazetteer_cold_s:.2f} s (fresh process, empty cache)")
        if self.gazetteer_warm_s is not None:
            lines.append(f"gazetteer warm      {self.gazetteer_warm_s:.2f} s (fresh process incl. imports)")
        return "\n".join(lines)


def sentences(paths: tuple[Path, ...] = CORPUS_SOURCES) -> list[str]:
    """Sentences of every ``*.txt`` article under ``paths``."""
    out: list[str] = []
    for base in paths:
        for f in sorted(base.glob("*.txt")) if base.is_dir() else []:
            text = f.read_text(encoding="utf-8")
            out.extend(s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 20)
    if not out:
        raise InputError(f"no article text found under {[str(p) for p in paths]} to build a corpus from.")
    return out


def make_corpus(n: int, *, seed: int = 0, min_chars: int = 1000, max_chars: int = 3000) -> list[str]:
    """``n`` articles of ``min_chars``-``max_chars`` characters made of shuffled sentences."""
    pool = sentences()
    rng = random.Random(seed)
    corpus: list[str] = []
    for _ in range(n):
        target = rng.randint(min_chars, max_chars)
        parts: list[str] = []
        size = 0
        while size < target:
            s = rng.choice(pool)
            parts.append(s)
            size += len(s) + 1
        corpus.append("\n".join(parts)[:max_chars])
    return corpus


def _load_time_subprocess(cache: Path) -> float:
    code = (
        "import time; t = time.perf_counter(); from geo.data.gazetteer import load_gazetteer; "
        "load_gazetteer(); print(time.perf_counter() - t)"
    )
    env = dict(os.environ, ZONE_ATLAS_CACHE=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise InputError(f"gazetteer load in a subprocess failed: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def run(n: int = 3000, *, seed: int = 0, load_times: bool = True) -> BenchResult:
    """Run the benchmark on ``n`` generated articles."""
    from geo.data.gazetteer import load_gazetteer
    from geo.text.resolve import geoparse

    cold = warm = None
    if load_times:
        with tempfile.TemporaryDirectory(prefix="zone-atlas-bench-") as tmp:
            cold = _load_time_subprocess(Path(tmp))
            warm = _load_time_subprocess(Path(tmp))
    load_gazetteer.cache_clear()
    load_gazetteer()  # make sure the cache exists
    load_gazetteer.cache_clear()
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    warm_in_process = time.perf_counter() - t0
    corpus = make_corpus(n, seed=seed)
    for text in corpus[:50]:  # warm the token caches
        geoparse(text, gazetteer=gaz)
    found = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for text in corpus:
        found += len(geoparse(text, gazetteer=gaz))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BenchResult(
        articles=n,
        mean_chars=sum(map(len, corpus)) // max(1, n),
        seconds=round(wall, 3),
        cpu_seconds=round(cpu, 3),
        articles_per_second=round(n / wall, 1) if wall else 0.0,
        articles_per_cpu_second=round(n / cpu, 1) if cpu else 0.0,
        places_found=found,
        peak_rss_mb=round(peak, 1),
        gazetteer_cold_s=None if cold is None else round(cold, 3),
        gazetteer_warm_s=None if warm is None else round(warm, 3),
        gazetteer_warm_in_process_s=round(warm_in_process, 4),
    )
