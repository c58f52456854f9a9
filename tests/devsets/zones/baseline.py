"""Score the current zone derivation against the zone dev set (a stop-gap until `geo evaluate-zones`).

    .venv/bin/python tests/devsets/zones/baseline.py                 # both splits
    .venv/bin/python tests/devsets/zones/baseline.py --split dev --details
    .venv/bin/python tests/devsets/zones/baseline.py --json out.json  # the figures as JSON too

Every article is run through the project's own command line, `python -m geo zones FILE --format
jsonl` (default belt: 20 km, federal side), so whatever the current code derives is what is scored.
Nothing of the project is imported.

Matching (a predicted zone and a gold zone of the same kind), with the COD-AB polygons and all
measures in UTM 38N (EPSG:32638):

* a gold **P-code anchor** is hit when the predicted zone covers at least half of the unit's area;
  - with a direction modifier (north, south, ..., northeast, ...), the unit's part on that side of
    its centroid (half or quadrant) is the area to cover;
  - with around / belt / near, half of the smaller of the unit and the predicted zone must fall in
    the unit grown by 15 km; with outskirts / centre, half of the smaller must fall in the unit
    (a ring or band is smaller than its unit and may reach past it);
  - for the security vacuum, the belt only has to cross the unit (>= 1 km2 overlap): a belt some
    20 km wide never covers half of a governorate;
* a gold **point anchor** (also an offset point such as "75 km south of Kirkuk") is hit when the
  predicted zone contains it or lies within 15 km of it; with a direction modifier, a predicted zone
  that does not contain the point must also lie on that side (bearing of its centroid within 67.5
  degrees of the direction);
* a zone matches when **one** anchor is hit; a corridor, or any zone with modifier "between",
  needs **every** anchor within 15 km of the predicted zone; a gold disputed-territories zone with
  no anchors (the standard list) matches any predicted disputed-territories zone.

Predicted and gold zones are paired one to one (maximum matching, the pairs hitting more anchors
first). Unpaired predictions are false positives, unpaired gold zones false negatives. Also
reported: anchor recall over the matched pairs (share of each gold zone's anchors hit), modifier
agreement over the matched pairs, recall per category (over the zones tagged with it), and the
false positives on the no-zone articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import Point, box, shape

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
KINDS = ("operations_room", "security_vacuum", "disputed_territories", "attack_area", "corridor")
#: Other names a later version might give the kinds.
KIND_ALIASES = {
    "ops_room": "operations_room",
    "vacuum_belt": "security_vacuum",
    "disputed": "disputed_territories",
}
UTM = "EPSG:32638"
POINT_KM = 15.0
GROW_KM = 15.0
VACUUM_MIN_KM2 = 1.0
BEARING_TOL = 67.5
DIRECTIONS = {
    "north": 0,
    "northeast": 45,
    "east": 90,
    "southeast": 135,
    "south": 180,
    "southwest": 225,
    "west": 270,
    "northwest": 315,
}
COD_AB_DIRS = (REPO / ".cache/datasets/cod_ab_iraq", Path("/work/shared/data/iraq_admin_cod_ab_2019"))
CATEGORY_NAMES = {
    1: "quoted group name",
    2: "late list",
    3: "enumeration / ordinals",
    4: "cross-sentence / trajectory",
    5: "trigger vocabulary",
    6: "modifiers / between / named regions",
    7: "locators",
    8: "hashtags / far places",
    9: "disputed list",
    10: "outskirts of small units",
    11: "Sorani",
    12: "traps",
}


# --- boundaries and geometry ------------------------------------------------------------------


def load_units() -> dict[str, shapely.Geometry]:
    for folder in COD_AB_DIRS:
        files = [folder / f"irq_admbnda_adm{n}_cso_20190603.geojson" for n in (1, 2, 3)]
        if all(f.exists() for f in files):
            units = {}
            for n, f in zip((1, 2, 3), files):
                gdf = gpd.read_file(f, columns=[f"ADM{n}_PCODE"]).to_crs(UTM)
                for pcode, geom in zip(gdf[f"ADM{n}_PCODE"], gdf.geometry):
                    units[pcode] = shapely.make_valid(geom)
            return units
    sys.exit("COD-AB boundaries not found (run `python -m geo fetch` first)")


def to_utm(geom_wgs84: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom_wgs84], crs="EPSG:4326").to_crs(UTM).iloc[0]


def point_utm(lat: float, lon: float) -> Point:
    return to_utm(Point(lon, lat))


def side_part(unit: shapely.Geometry, direction: str) -> shapely.Geometry:
    """The part of a unit on one side of its centroid (half for N/S/E/W, quadrant for diagonals)."""
    c = unit.centroid
    minx, miny, maxx, maxy = unit.bounds
    big = max(maxx - minx, maxy - miny) * 2 + 1
    x0, x1 = (c.x - big, c.x + big)
    y0, y1 = (c.y - big, c.y + big)
    parts = {
        "north": box(x0, c.y, x1, y1),
        "south": box(x0, y0, x1, c.y),
        "east": box(c.x, y0, x1, y1),
        "west": box(x0, y0, c.x, y1),
    }
    if direction in parts:
        return unit.intersection(parts[direction])
    ns, ew = (
        ("north" if direction.startswith("north") else "south"),
        ("east" if direction.endswith("east") else "west"),
    )
    return unit.intersection(parts[ns]).intersection(parts[ew])


def bearing(p: Point, q: Point) -> float:
    """Bearing from p to q in degrees (0 = north), planar in UTM."""
    return math.degrees(math.atan2(q.x - p.x, q.y - p.y)) % 360


# --- prediction --------------------------------------------------------------------------------


def predict(article: Path, tries: int = 2) -> tuple[list[dict], str]:
    """Zones of `python -m geo zones ARTICLE --format jsonl`, and its stderr (a failed run is tried
    once more: the code may be changing under a long run)."""
    for _ in range(tries):
        proc = subprocess.run(
            [sys.executable, "-m", "geo", "zones", str(article), "--format", "jsonl"],
            cwd=REPO,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
        )
        if proc.returncode == 0:
            break
    if proc.returncode != 0:
        return [], f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"
    zones = [json.loads(line) for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    return zones, proc.stderr


def pred_kind(z: dict) -> str:
    k = z.get("kind", "")
    return KIND_ALIASES.get(k, k)


def pred_modifier(z: dict) -> str | None:
    params = z.get("params") or {}
    return params.get("modifier") or z.get("modifier")


def pred_geometry(z: dict) -> shapely.Geometry | None:
    g = z.get("geometry")
    if isinstance(g, dict) and g.get("type") == "Feature":
        g = g.get("geometry")
    if not g:
        seat = z.get("seat")
        return point_utm(seat[0], seat[1]) if seat else None
    return shapely.make_valid(to_utm(shape(g)))


def code_fingerprint() -> str:
    """sha256 (first 12 hex digits) of the zone code and rules the figures come from: geo/**/*.py and
    data/*.toml, so that two runs can be told apart without version control."""
    h = hashlib.sha256()
    for f in sorted([*(REPO / "geo").rglob("*.py"), *(REPO / "data").glob("*.toml")]):
        h.update(str(f.relative_to(REPO)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


# --- matching ----------------------------------------------------------------------------------


class Matcher:
    def __init__(self, units: dict[str, shapely.Geometry]):
        self.units = units

    def anchor_hit(self, pred: shapely.Geometry, anchor: dict, gold: dict) -> bool:
        kind, mod = gold["kind"], gold.get("modifier")
        between = kind == "corridor" or mod == "between"
        if "pcode" in anchor:
            unit = self.units[anchor["pcode"]]
            if between:
                return pred.distance(unit) <= POINT_KM * 1000
            if kind == "security_vacuum":
                return pred.intersection(unit).area >= VACUUM_MIN_KM2 * 1e6
            if mod in DIRECTIONS:
                part = side_part(unit, mod)
                return part.area > 0 and pred.intersection(part).area >= 0.5 * part.area
            if mod in ("around", "belt", "near"):
                grown = unit.buffer(GROW_KM * 1000)
                return pred.intersection(grown).area >= 0.5 * min(unit.area, pred.area)
            if mod in ("outskirts", "centre"):
                return pred.intersection(unit).area >= 0.5 * min(unit.area, pred.area)
            return pred.intersection(unit).area >= 0.5 * unit.area
        p = point_utm(anchor["lat"], anchor["lon"])
        if pred.distance(p) > POINT_KM * 1000:
            return False
        if mod in DIRECTIONS and not between and not pred.covers(p):
            diff = abs((bearing(p, pred.centroid) - DIRECTIONS[mod] + 180) % 360 - 180)
            return diff <= BEARING_TOL
        return True

    def score(self, pred: dict, gold: dict) -> tuple[float, int, float] | None:
        """(share of the gold anchors hit, modifiers agree, -distance to the nearest point anchor in
        km), or None when the pair does not match. The last two only rank rival pairs."""
        if pred["kind"] != gold["kind"] or pred["geom"] is None:
            return None
        agree = int(modifier_agrees(gold.get("modifier"), pred["mod"]))
        anchors = gold["anchors"]
        if not anchors:
            return (1.0, agree, 0.0) if gold["kind"] == "disputed_territories" else None
        hits = [self.anchor_hit(pred["geom"], a, gold) for a in anchors]
        share = sum(hits) / len(hits)
        dists = [pred["geom"].distance(point_utm(a["lat"], a["lon"])) / 1000 for a in anchors if "lat" in a]
        key = (share, agree, -min(dists) if dists else 0.0)
        if gold["kind"] == "corridor" or gold.get("modifier") == "between":
            return key if all(hits) else None
        return key if any(hits) else None


def modifier_agrees(gold_mod: str | None, pred_mod: str | None) -> bool:
    """Gold "offset" (a point at a distance) has no counterpart modifier: any prediction agrees."""
    return gold_mod == "offset" or gold_mod == pred_mod


def max_matching(cands: dict[int, list[tuple[tuple, int]]], n_pred: int) -> dict[int, int]:
    """Maximum bipartite matching gold -> pred (Kuhn), trying the best-scoring preds first."""
    owner: dict[int, int] = {}

    def augment(g: int, seen: set[int]) -> bool:
        for _, p in sorted(cands.get(g, []), reverse=True):
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = g
                return True
        return False

    for g in sorted(cands, key=lambda g: max(s for s, _ in cands[g]), reverse=True):
        augment(g, set())
    return {g: p for p, g in owner.items()}


# --- scoring -----------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add(self, tp=0, fp=0, fn=0):
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def row(self, label: str) -> str:
        p, r, f = self.prf()
        return f"| {label} | {self.tp} | {self.fp} | {self.fn} | {p:.2f} | {r:.2f} | {f:.2f} |"

    def as_dict(self) -> dict:
        p, r, f = self.prf()
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
        }


def evaluate(split: str, matcher: Matcher, jobs: int, details: bool) -> dict:
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((HERE / split).glob("*.json"))]
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        preds = list(ex.map(lambda g: predict(REPO / g["source"]), golds))
    overall, by_kind, by_lang = Tally(), defaultdict(Tally), defaultdict(Tally)
    cat_total, cat_found = defaultdict(int), defaultdict(int)
    anchor_shares, mod_agree, mod_pairs = defaultdict(list), 0, 0
    nozone_fp, failures, lines = 0, [], []
    for gold, (pzones, stderr) in zip(golds, preds):
        if stderr.startswith("exit"):
            failures.append(f"{gold['id']}: {stderr}")
        pred = [
            {
                "kind": pred_kind(z),
                "geom": pred_geometry(z),
                "mod": pred_modifier(z),
                "label": z.get("label") or z.get("id"),
            }
            for z in pzones
        ]
        gz = gold["zones"]
        cands: dict[int, list[tuple[tuple, int]]] = {}
        for gi, g in enumerate(gz):
            for pi, p in enumerate(pred):
                s = matcher.score(p, g)
                if s is not None:
                    cands.setdefault(gi, []).append((s, pi))
        pairs = max_matching(cands, len(pred))
        matched_pred = set(pairs.values())
        lang = gold["lang"]
        for gi, g in enumerate(gz):
            ok = gi in pairs
            overall.add(tp=ok, fn=not ok)
            by_kind[g["kind"]].add(tp=ok, fn=not ok)
            by_lang[lang].add(tp=ok, fn=not ok)
            for c in g.get("categories", []):
                cat_total[c] += 1
                cat_found[c] += ok
            if ok:
                p = pred[pairs[gi]]
                anchor_shares[g["kind"]].append(next(s[0] for s, pi in cands[gi] if pi == pairs[gi]))
                if g.get("modifier") not in (None, "offset") or p["mod"]:
                    mod_pairs += 1
                    mod_agree += modifier_agrees(g.get("modifier"), p["mod"])
        for pi, p in enumerate(pred):
            if pi not in matched_pred:
                overall.add(fp=1)
                by_kind[p["kind"]].add(fp=1)
                by_lang[lang].add(fp=1)
                if not gz:
                    nozone_fp += 1
        if details:
            lines.append(
                f"\n### {gold['id']} ({lang}): {len(pairs)}/{len(gz)} gold found, "
                f"{len(pred) - len(matched_pred)} false positive(s)"
            )
            for gi, g in enumerate(gz):
                names = ", ".join(a.get("name") or a.get("pcode") for a in g["anchors"]) or "standard list"
                mod = f" [{g['modifier']}]" if g.get("modifier") else ""
                got = (
                    f"-> {pred[pairs[gi]]['label']} [{pred[pairs[gi]]['mod'] or '-'}]"
                    if gi in pairs
                    else "MISSED"
                )
                lines.append(f"- gold {g['kind']}: {names}{mod} {got}")
            for pi, p in enumerate(pred):
                if pi not in matched_pred:
                    lines.append(f"- FALSE POSITIVE {p['kind']}: {p['label']}")
    n_nozone = sum(not g["zones"] for g in golds)
    out = {
        "split": split,
        "articles": len(golds),
        "gold_zones": overall.tp + overall.fn,
        "predicted_zones": overall.tp + overall.fp,
        "overall": overall.as_dict(),
        "by_kind": {k: by_kind[k].as_dict() for k in KINDS if k in by_kind}
        | {k: v.as_dict() for k, v in by_kind.items() if k not in KINDS},
        "by_lang": {k: by_lang[k].as_dict() for k in ("ar", "en", "ckb") if k in by_lang},
        "category_recall": {
            c: {
                "zones": cat_total[c],
                "found": cat_found[c],
                "recall": round(cat_found[c] / cat_total[c], 4) if cat_total[c] else None,
            }
            for c in sorted(cat_total)
        },
        "anchor_recall_matched": {k: round(sum(v) / len(v), 4) for k, v in anchor_shares.items() if v},
        "modifier_agreement": {"pairs": mod_pairs, "agree": mod_agree},
        "no_zone_articles": n_nozone,
        "false_positives_on_no_zone_articles": nozone_fp,
        "failures": failures,
    }
    out["_details"] = lines
    out["_tallies"] = (overall, by_kind, by_lang)
    return out


def report(res: dict) -> str:
    overall, by_kind, by_lang = res["_tallies"]
    lines = [
        f"## {res['split']}: {res['articles']} articles, {res['gold_zones']} gold zones, "
        f"{res['predicted_zones']} predicted",
        "",
        "| | TP | FP | FN | P | R | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
        overall.row("**overall**"),
    ]
    for k in list(KINDS) + [k for k in by_kind if k not in KINDS]:
        if k in by_kind:
            lines.append(by_kind[k].row(k))
    for lang in ("ar", "en", "ckb"):
        if lang in by_lang:
            lines.append(by_lang[lang].row(lang))
    lines += ["", "| # | category | gold zones | found | recall |", "|---:|---|---:|---:|---:|"]
    for c, v in res["category_recall"].items():
        r = f"{v['recall']:.2f}" if v["recall"] is not None else "-"
        lines.append(f"| {c} | {CATEGORY_NAMES.get(c, '')} | {v['zones']} | {v['found']} | {r} |")
    m = res["modifier_agreement"]
    ar = res["anchor_recall_matched"]
    lines += [
        "",
        "- anchor recall over matched pairs: " + (", ".join(f"{k} {v:.2f}" for k, v in ar.items()) or "-"),
        f"- modifier agreement over matched pairs with a modifier: {m['agree']}/{m['pairs']}",
        f"- false positives on the {res['no_zone_articles']} no-zone articles: "
        f"{res['false_positives_on_no_zone_articles']}",
    ]
    for f in res["failures"]:
        lines.append(f"- FAILED: {f}")
    return "\n".join(lines)


def seed_check(article: Path, matcher: Matcher) -> int:
    gold = json.loads((HERE / "dev" / "seed-en.json").read_text(encoding="utf-8"))
    zones, stderr = predict(article)
    pred = [
        {
            "kind": pred_kind(z),
            "geom": pred_geometry(z),
            "mod": pred_modifier(z),
            "label": z.get("label") or z.get("id"),
        }
        for z in zones
    ]
    cands: dict[int, list[tuple[tuple, int]]] = {}
    for gi, g in enumerate(gold["zones"]):
        for pi, p in enumerate(pred):
            sc = matcher.score(p, g)
            if sc is not None:
                cands.setdefault(gi, []).append((sc, pi))
    pairs = max_matching(cands, len(pred))
    print(f"{article}: {len(pairs)}/{len(gold['zones'])} seed zones matched, {len(pred)} predicted")
    for gi, g in enumerate(gold["zones"]):
        names = ", ".join(a.get("name") or a["pcode"] for a in g["anchors"]) or "standard list"
        print(
            f"- {g['kind']}: {names} [{g['modifier'] or '-'}] -> "
            + (pred[pairs[gi]]["label"] if gi in pairs else "MISSED")
        )
    return 0 if len(pairs) == len(gold["zones"]) == len(pred) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "frozen", "all"], default="all")
    ap.add_argument("--jobs", type=int, default=2, help="articles run at once (default 2)")
    ap.add_argument(
        "--details", action="store_true", help="per-article list of matches, misses and false positives"
    )
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    ap.add_argument(
        "--seed-check",
        metavar="ARTICLE",
        nargs="?",
        const="/work/shared/seeds/article-000.txt",
        help="sanity check of the matcher: score the original (Arabic) seed article against the "
        "12 gold zones of seed-en, then stop",
    )
    args = ap.parse_args(argv)
    if args.seed_check:
        return seed_check(Path(args.seed_check), Matcher(load_units()))
    matcher = Matcher(load_units())
    fingerprint = code_fingerprint()
    print(f"code fingerprint {fingerprint} (geo/**/*.py + data/*.toml)\n")
    splits = ["dev", "frozen"] if args.split == "all" else [args.split]
    results = []
    for split in splits:
        res = evaluate(split, matcher, args.jobs, args.details)
        results.append(res)
        print(report(res))
        if args.details:
            print("\n".join(res["_details"]))
        print()
    if args.json:
        clean = [
            {k: v for k, v in r.items() if not k.startswith("_")} | {"code_fingerprint": fingerprint}
            for r in results
        ]
        Path(args.json).write_text(json.dumps(clean, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
