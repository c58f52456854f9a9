"""Score the zone derivation on the zone dev set's splits with :mod:`geo.zones.evaluate`.

    .venv/bin/python tests/devsets/zones/score.py                    # dev, then frozen: figures only
    .venv/bin/python tests/devsets/zones/score.py --split dev --details
    .venv/bin/python tests/devsets/zones/score.py --json out.json    # the figures as JSON too
    .venv/bin/python tests/devsets/zones/score.py --seed-check       # matcher sanity check

The matching is :mod:`geo.zones.evaluate`'s, the one ``python -m geo evaluate-zones`` uses, so the
figures here and there are the same. Per-article results (``--details``) are printed for ``dev``
only: the frozen split is scored for its aggregate figures and never read for its misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEED = REPO / "data" / "samples" / "article-000.txt"  # the seed article


def seed_check(article: Path) -> int:
    """Score the original seed article against ``seed-en``'s gold (12 zones, same events)."""
    from geo.zones.evaluate import default_predictor, score_article

    gold = json.loads((HERE / "dev" / "seed-en.json").read_text(encoding="utf-8"))
    res = score_article(gold, default_predictor(article.read_text(encoding="utf-8")))
    print(f"seed {article.name} against seed-en gold: {len(res.pairs)}/{len(res.gold)} zones matched")
    return 0 if len(res.pairs) == len(res.gold) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "frozen", "both"), default="both")
    ap.add_argument("--details", action="store_true", help="per-article results (dev only)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    ap.add_argument("--seed-check", action="store_true", help="score the seed against seed-en's gold")
    ap.add_argument("--seed", type=Path, default=SEED, help="the seed article (for --seed-check)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    if args.seed_check:
        return seed_check(args.seed)
    from geo.zones.evaluate import evaluate_zones

    splits = ("dev", "frozen") if args.split == "both" else (args.split,)
    figures = {}
    for split in splits:
        ev = evaluate_zones(HERE / split)
        print(f"## {split}\n")
        print(ev.report(details=args.details and split == "dev"))
        figures[split] = ev.as_dict()
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
