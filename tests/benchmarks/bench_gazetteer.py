"""Benchmark: the gazetteer's warm load in a fresh process, and its memory.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_gazetteer.py [--runs 5]
Each run is a new Python process that imports :mod:`geo.data.gazetteer` and calls
:func:`load_gazetteer` on a warm cache (the cache is built first if it is missing). Printed: the
median over the runs of the wall and CPU time of import plus load (budget 0.2 s), of the load
alone, and the RSS the loaded gazetteer adds to the process (polygons not loaded; they are read
on first use of ``Gazetteer.geometry``). CPU time is the figure to trust on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUDGET_S = 0.2

_CHILD = r"""
import json, resource, time
def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024
w0, c0 = time.perf_counter(), time.process_time()
from geo.data.gazetteer import load_gazetteer
w1, c1, r1 = time.perf_counter(), time.process_time(), rss_kb()
gaz = load_gazetteer()
w2, c2, r2 = time.perf_counter(), time.process_time(), rss_kb()
print(json.dumps({"wall": w2 - w0, "cpu": c2 - c0, "load_wall": w2 - w1, "load_cpu": c2 - c1,
                  "rss_mb": (r2 - r1) / 1024, "entries": len(gaz.entries), "names": len(gaz.index)}))
"""


def _run() -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _run()  # builds the cache when it is missing; not counted
    runs = [_run() for _ in range(args.runs)]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    verdict = "within" if med("cpu") <= BUDGET_S else "OVER"
    print(f"gazetteer: {runs[0]['entries']:,.0f} entries, {runs[0]['names']:,.0f} names")
    print(f"warm load, fresh process, import + load (median of {args.runs}):")
    print(f"  wall {med('wall'):.3f} s, CPU {med('cpu'):.3f} s  (budget {BUDGET_S:g} s: {verdict})")
    print(f"  load alone: wall {med('load_wall'):.3f} s, CPU {med('load_cpu'):.3f} s")
    print(f"memory of the loaded gazetteer (RSS delta): {med('rss_mb'):.0f} MB")


if __name__ == "__main__":
    main()
