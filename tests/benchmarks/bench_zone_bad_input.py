"""Benchmark: zone derivation on bad input, against stated time bounds.

Run: ZONE_ATLAS_MIRROR=../shared/data .venv/bin/python tests/benchmarks/bench_zone_bad_input.py

Bounds (seconds, median of a few calls with the reading and zone caches cleared before each,
boundaries warm, one core; the reading looks at a bounded
window around each trigger, so time grows with the text plus the triggers times that window):

* 400 sentences, each with two triggers and four places (800 triggers, 1,600 mentions): 5 s;
* one sentence of 100,000 characters (6,250 triggers, no sentence break): 20 s;
* 1,000 triggers that name no place, then one that does: 5 s;
* nested quotes and brackets around every name (2,000 pairs), a trigger as the very last word: 5 s.

Each case also checks what it must give (zones drawn, the notes of what was not drawn). The exit
status is 1 when a bound or a check fails.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _median_s(fn: Callable[[], object], repeats: int, clear: Callable[[], None]) -> float:
    """Median seconds of ``fn()``, each call after ``clear()`` (the reading and zone caches)."""
    times = []
    for _ in range(repeats):
        clear()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(repeats: int = 3) -> int:
    sys.path.insert(0, str(REPO))
    from geo.pipeline import unanchored_notes
    from geo.zones.derivation import clear_caches, derive
    from geo.zones.rules import load_rules
    from tests.zones.test_zone_triggers import gov, ids, mention_places

    labels = {k: r.label for k, r in load_rules().kinds.items()}
    govs = [("ديالى", gov("Diyala")), ("كركوك", gov("Kirkuk")), ("نينوى", gov("Ninewa"))]
    cases = []

    text = "ووقعت هجمات «داعش» في ديالى وكركوك ونينوى، وافتتحت غرف العمليات المشتركة في ديالى. " * 400
    places = mention_places(text, govs)
    cases.append(
        ("400 sentences, 800 triggers", 5.0, lambda: derive(text, places), lambda r: len(ids(r.zones)) == 4)
    )

    piece = "هجمات في ديالى و"
    long_text = piece * (100_000 // len(piece)) + " كركوك"
    long_places = mention_places(long_text, govs[:2])
    cases.append(
        (
            "one sentence of 100k characters",
            20.0,
            lambda: derive(long_text, long_places),
            lambda r: "attack_area:IQG10" in ids(r.zones),
        )
    )

    flood = "Officials warned of attacks. " * 1000 + "Rockets hit Kirkuk."
    flood_places = mention_places(flood, [("Kirkuk", gov("Kirkuk"))])
    cases.append(
        (
            "1,000 placeless triggers",
            5.0,
            lambda: derive(flood, flood_places),
            lambda r: (
                ids(r.zones) == {"attack_area:IQG13"}
                and "no zone drawn" in unanchored_notes(r.unanchored_triggers, labels)[0]
            ),
        )
    )

    nested = "«“(«داعش»)”» في ديالى، " * 2000 + "هجمات"
    nested_places = mention_places(nested, govs[:1])
    cases.append(
        (
            "nested quotes and brackets, trigger last",
            5.0,
            lambda: derive(nested, nested_places),
            lambda r: bool(r.zones) or bool(r.unanchored_triggers),
        )
    )

    failed = 0
    for name, bound, run, check in cases:
        result = run()  # warms the boundaries and checks the result
        ok = check(result)
        seconds = _median_s(run, repeats, clear_caches)
        verdict = "ok" if ok and seconds <= bound else "FAIL"
        failed += verdict != "ok"
        print(f"{name:45} {seconds:7.2f} s  (bound {bound:g} s, result {'ok' if ok else 'wrong'}): {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
