"""Benchmark: zone derivation for the seed article, and the zones it produces.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_zones.py
First call = boundary layers loaded from the warm GeoParquet cache, projected to UTM 38N and
indexed (once per process); warm = every later call, as the dashboard makes it when the belt width
changes. Figures are medians of repeated calls in one process.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main(repeats: int = 15) -> None:
    sys.path.insert(0, str(REPO))
    from geo.text.resolve import geoparse
    from geo.zones.derivation import derive
    from geo.zones.frames import zones_frame

    text = (REPO / "data" / "samples" / "article-000.txt").read_text(encoding="utf-8")
    places = geoparse(text)

    t0 = time.perf_counter()
    derive(text, places)
    first = time.perf_counter() - t0

    same, widths = [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        derive(text, places)
        same.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        derive(text, places, belt_km=10.0 + i)  # a width not seen before
        widths.append(time.perf_counter() - t0)

    print(f"first derivation in a process (atlas build included): {first * 1000:7.1f} ms")
    print(f"warm derivation, same settings:                        {statistics.median(same) * 1000:7.1f} ms")
    print(
        f"warm derivation, new belt width:                       {statistics.median(widths) * 1000:7.1f} ms"
    )

    result = derive(text, places)
    frame = zones_frame(result.zones)
    counts = f"{len(result.unanchored)} unanchored triggers, {len(result.skipped)} places skipped"
    print(f"\n{len(frame)} zones, {counts}")
    for row in frame.itertuples():
        print(
            f"  {row.kind:21} {row.label:45} {row.area_km2:>9,.0f} km2  "
            f"covers {len(row.covers.split(', ')) if row.covers else 0:>2}, "
            f"touches {len(row.touches.split(', ')) if row.touches else 0:>2}"
        )
    for width in (10, 20, 40):
        (belt,) = [z for z in derive(text, places, belt_km=width).zones if z.kind == "security_vacuum"]
        zones = derive(text, places, belt_km=width, belt_side="both").zones
        both = next(z for z in zones if z.kind == "security_vacuum")
        print(
            f"  belt {width:>2} km: federal side {belt.area_km2:>9,.0f} km2, "
            f"both sides {both.area_km2:>9,.0f} km2, Syria contact {belt.params['syria_contact_km']} km, "
            f"Iran contact {belt.params['iran_contact_km']} km"
        )


if __name__ == "__main__":
    main()
