"""Benchmark: cold and warm load of the four canonical admin levels, and web-weight layer sizes.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_boundaries.py
Cold = empty cache (copy from the mirror, parse, repair, write GeoParquet); warm = a new process
reading the GeoParquet cache. Each figure is the median of several fresh processes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, time
t0 = time.perf_counter()
from geo.data import boundaries
t1 = time.perf_counter()
for level in range(4):
    boundaries.load_level(level)
t2 = time.perf_counter()
for level in range(4):
    boundaries.load_level(level, web=True)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "levels": t2 - t1, "web": t3 - t2}))
"""


def _probe(env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(runs: int = 5) -> None:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "ZONE_ATLAS_CACHE": cache}
            cold.append(_probe(env))
            warm.append(_probe(env))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"cold load, 4 levels (fetch from mirror + parse + cache): {med(cold, 'levels'):.3f} s")
    print(f"cold build of the 4 web-weight levels:                   {med(cold, 'web'):.3f} s")
    print(f"warm load, 4 levels (GeoParquet cache, new process):     {med(warm, 'levels'):.3f} s")
    print(f"warm load, 4 web-weight levels:                          {med(warm, 'web'):.3f} s")
    print(f"import geo.data.boundaries:                                   {med(warm, 'import'):.3f} s")

    sys.path.insert(0, str(REPO))
    from geo.data import boundaries

    for level in range(4):
        full = boundaries.load_level(level)
        web = boundaries.load_level(level, web=True)
        size_full = len(full.to_json(drop_id=True).encode())
        size_web = len(web.to_json(drop_id=True).encode())
        print(f"ADM{level}: GeoJSON {size_full / 1024:7.0f} KiB full, {size_web / 1024:6.0f} KiB web-weight")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
