"""Score zone derivation against a gold set of articles (``python -m geo evaluate-zones GOLD_DIR``).

A gold directory holds one ``<id>.json`` per article (format: ``tests/devsets/zones/README.md``)
whose ``source`` names the article text. :func:`evaluate_zones` derives the zones of every article
in this process (places by :func:`geo.text.resolve.geoparse`, zones by
:func:`geo.zones.derivation.derive`, default belt 20 km on the federal side) and scores them.

Matching, a predicted zone against a gold zone of the same kind, on the COD-AB polygons with every
measure taken in UTM 38N (EPSG:32638):

* a gold **P-code anchor** is hit when the prediction covers at least half of the unit's area;
  with a direction modifier the area to cover is the unit's half or quadrant on that side of its
  centroid; with ``around``, ``belt`` or ``near``, half of the smaller of unit and prediction must
  lie in the unit grown by 15 km; with ``outskirts`` or ``centre``, half of the smaller must lie in
  the unit itself; a **security vacuum** anchor only needs the belt to cross it (>= 1 km2);
* a gold **point anchor** (an offset point too) is hit when the prediction contains it or lies
  within 15 km of it; with a direction modifier, a prediction that does not contain the point must
  lie on that side (bearing of its centroid within 67.5 degrees of the direction);
* a zone matches when one anchor is hit; a ``corridor``, or any ``between`` zone, needs every
  anchor within 15 km; a disputed-territories gold zone with no anchors (the standard list)
  matches any predicted disputed-territories zone.

Pairs are one to one (maximum matching, rival pairs ranked by share of anchors hit, then modifier
agreement, then distance). Unpaired predictions are false positives, unpaired gold zones false
negatives. The report gives precision, recall and F1 overall, per kind and per language, recall per
gold category, anchor recall and modifier agreement over the matched pairs, and the false
positives on the articles without zones.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.model import Zone
from geo.zones import geometry as geom

log = logging.getLogger(__name__)

KINDS = ("operations_room", "security_vacuum", "disputed_territories", "attack_area", "corridor")
#: Short names of the kinds a gold file may use.
KIND_ALIASES = {
    "ops_room": "operations_room",
    "vacuum_belt": "security_vacuum",
    "disputed": "disputed_territories",
}
LANGS = ("ar", "en", "ckb")
POINT_KM = 15.0
GROW_KM = 15.0
VACUUM_MIN_KM2 = 1.0
BEARING_TOL = 67.5
BEARINGS = {
    "north": 0,
    "northeast": 45,
    "east": 90,
    "southeast": 135,
    "south": 180,
    "southwest": 225,
    "west": 270,
    "northwest": 315,
}
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

#: A predictor: article text -> zones.
Predictor = Callable[[str], list[Zone]]


# --- geometry ------------------------------------------------------------------------------------


def side_part(unit: BaseGeometry, direction: str) -> BaseGeometry:
    """The part of ``unit`` (metric) on one side of its centroid: half, or quadrant for diagonals."""
    c = unit.centroid
    minx, miny, maxx, maxy = unit.bounds
    big = max(maxx - minx, maxy - miny) * 2 + 1
    parts = {
        "north": box(c.x - big, c.y, c.x + big, c.y + big),
        "south": box(c.x - big, c.y - big, c.x + big, c.y),
        "east": box(c.x, c.y - big, c.x + big, c.y + big),
        "west": box(c.x - big, c.y - big, c.x, c.y + big),
    }
    if direction in parts:
        return unit.intersection(parts[direction])
    ns = "north" if direction.startswith("north") else "south"
    ew = "east" if direction.endswith("east") else "west"
    return unit.intersection(parts[ns]).intersection(parts[ew])


def bearing(p: Point, q: Point) -> float:
    """Bearing from ``p`` to ``q`` in degrees (0 = north), planar in the metric CRS."""
    return math.degrees(math.atan2(q.x - p.x, q.y - p.y)) % 360


def _unit_metric(pcode: str) -> BaseGeometry:
    from geo.zones.atlas import load_atlas

    atlas = load_atlas()
    level = atlas.level_of(pcode)
    if level is None:
        msg = (
            f"gold anchor P-code {pcode!r} is not in the boundaries ({atlas.version}); "
            "expected a COD-AB P-code"
        )
        raise InputError(msg)
    return atlas.metric_geom(level, pcode)


def _point_metric(lat: float, lon: float) -> BaseGeometry:
    return geom.to_metric(Point(lon, lat))


# --- matching ------------------------------------------------------------------------------------


@dataclass
class Predicted:
    """A predicted zone as the matcher reads it."""

    kind: str
    geom: BaseGeometry | None
    modifier: str | None
    label: str


def predicted(zone: Zone) -> Predicted:
    """The matcher's view of ``zone`` (its geometry in the metric CRS, or its seat point)."""
    shape = zone.geometry
    g: BaseGeometry | None
    if shape is not None and not shape.is_empty:
        g = shapely.make_valid(geom.to_metric(shape))
    elif zone.seat:
        g = _point_metric(*zone.seat)
    else:
        g = None
    mod = (zone.params or {}).get("modifier")
    return Predicted(KIND_ALIASES.get(zone.kind, zone.kind), g, mod, zone.label or zone.id)


def modifier_agrees(gold_mod: str | None, pred_mod: str | None) -> bool:
    """Gold ``offset`` (a point at a distance) has no counterpart modifier: any prediction agrees."""
    return gold_mod == "offset" or gold_mod == pred_mod


def anchor_hit(pred: BaseGeometry, anchor: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Whether ``pred`` (metric) hits one anchor of a gold zone (the rules in the module doc)."""
    kind, mod = gold["kind"], gold.get("modifier")
    between = kind == "corridor" or mod == "between"
    if "pcode" in anchor:
        unit = _unit_metric(anchor["pcode"])
        if between:
            return pred.distance(unit) <= POINT_KM * 1000
        if kind == "security_vacuum":
            return pred.intersection(unit).area >= VACUUM_MIN_KM2 * 1e6
        if mod in BEARINGS:
            part = side_part(unit, mod)
            return part.area > 0 and pred.intersection(part).area >= 0.5 * part.area
        if mod in ("around", "belt", "near"):
            grown = unit.buffer(GROW_KM * 1000)
            return pred.intersection(grown).area >= 0.5 * min(unit.area, pred.area)
        if mod in ("outskirts", "centre"):
            return pred.intersection(unit).area >= 0.5 * min(unit.area, pred.area)
        return pred.intersection(unit).area >= 0.5 * unit.area
    p = _point_metric(anchor["lat"], anchor["lon"])
    if pred.distance(p) > POINT_KM * 1000:
        return False
    if mod in BEARINGS and not between and not pred.covers(p):
        diff = abs((bearing(p, pred.centroid) - BEARINGS[mod] + 180) % 360 - 180)
        return diff <= BEARING_TOL
    return True


def pair_score(pred: Predicted, gold: dict[str, Any]) -> tuple[float, int, float] | None:
    """``(share of anchors hit, modifiers agree, -km to the nearest point anchor)``, or None when
    ``pred`` does not match ``gold``; the last two only rank rival pairs."""
    if pred.kind != gold["kind"] or pred.geom is None:
        return None
    agree = int(modifier_agrees(gold.get("modifier"), pred.modifier))
    anchors = gold["anchors"]
    if not anchors:
        return (1.0, agree, 0.0) if gold["kind"] == "disputed_territories" else None
    hits = [anchor_hit(pred.geom, a, gold) for a in anchors]
    share = sum(hits) / len(hits)
    dists = [pred.geom.distance(_point_metric(a["lat"], a["lon"])) / 1000 for a in anchors if "lat" in a]
    key = (share, agree, -min(dists) if dists else 0.0)
    if gold["kind"] == "corridor" or gold.get("modifier") == "between":
        return key if all(hits) else None
    return key if any(hits) else None


def max_matching(cands: dict[int, list[tuple[tuple[float, int, float], int]]]) -> dict[int, int]:
    """Maximum bipartite matching gold -> prediction (Kuhn), best-scoring predictions tried first."""
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


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """True positives, false positives and false negatives, with precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def as_dict(self) -> dict[str, Any]:
        p, r, f = self.prf()
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
        }


@dataclass
class ArticleResult:
    """One article's pairs, misses and false positives."""

    id: str
    lang: str
    gold: list[dict[str, Any]]
    predicted: list[Predicted]
    pairs: dict[int, int]
    scores: dict[int, tuple[float, int, float]]
    seconds: float

    @property
    def false_positives(self) -> list[int]:
        matched = set(self.pairs.values())
        return [i for i in range(len(self.predicted)) if i not in matched]


@dataclass
class Evaluation:
    """Scores of a gold set (:func:`evaluate_zones`)."""

    articles: list[ArticleResult] = field(default_factory=list)
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    category_total: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    category_found: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    anchor_shares: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    modifier_pairs: int = 0
    modifier_agree: int = 0
    no_zone_articles: int = 0
    no_zone_false_positives: int = 0

    def add(self, res: ArticleResult) -> None:
        """Count one article's result in."""
        self.articles.append(res)
        for gi, g in enumerate(res.gold):
            ok = gi in res.pairs
            for tally in (self.overall, self.by_kind[g["kind"]], self.by_lang[res.lang]):
                tally.tp += ok
                tally.fn += not ok
            for c in g.get("categories", []):
                self.category_total[c] += 1
                self.category_found[c] += ok
            if ok:
                p = res.predicted[res.pairs[gi]]
                self.anchor_shares[g["kind"]].append(res.scores[gi][0])
                if g.get("modifier") not in (None, "offset") or p.modifier:
                    self.modifier_pairs += 1
                    self.modifier_agree += modifier_agrees(g.get("modifier"), p.modifier)
        if not res.gold:
            self.no_zone_articles += 1
        for pi in res.false_positives:
            p = res.predicted[pi]
            for tally in (self.overall, self.by_kind[p.kind], self.by_lang[res.lang]):
                tally.fp += 1
            if not res.gold:
                self.no_zone_false_positives += 1

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON data."""
        return {
            "articles": len(self.articles),
            "gold_zones": self.overall.tp + self.overall.fn,
            "predicted_zones": self.overall.tp + self.overall.fp,
            "overall": self.overall.as_dict(),
            "by_kind": {k: self.by_kind[k].as_dict() for k in KINDS if k in self.by_kind}
            | {k: v.as_dict() for k, v in self.by_kind.items() if k not in KINDS},
            "by_lang": {k: self.by_lang[k].as_dict() for k in LANGS if k in self.by_lang},
            "category_recall": {
                str(c): {
                    "name": CATEGORY_NAMES.get(c, ""),
                    "zones": self.category_total[c],
                    "found": self.category_found[c],
                    "recall": round(self.category_found[c] / self.category_total[c], 4),
                }
                for c in sorted(self.category_total)
            },
            "anchor_recall_matched": {
                k: round(sum(v) / len(v), 4) for k, v in self.anchor_shares.items() if v
            },
            "modifier_agreement": {"pairs": self.modifier_pairs, "agree": self.modifier_agree},
            "no_zone_articles": self.no_zone_articles,
            "false_positives_on_no_zone_articles": self.no_zone_false_positives,
            "seconds": round(sum(a.seconds for a in self.articles), 2),
        }

    def report(self, *, details: bool = False) -> str:
        """The figures as Markdown tables (and, with ``details``, each article's pairs and misses)."""

        def row(label: str, t: Tally) -> str:
            p, r, f = t.prf()
            return f"| {label} | {t.tp} | {t.fp} | {t.fn} | {p:.2f} | {r:.2f} | {f:.2f} |"

        d = self.as_dict()
        lines = [
            f"{d['articles']} articles, {d['gold_zones']} gold zones, {d['predicted_zones']} predicted",
            "",
            "| | TP | FP | FN | P | R | F1 |",
            "|---|---:|---:|---:|---:|---:|---:|",
            row("**overall**", self.overall),
        ]
        lines += [
            row(k, self.by_kind[k])
            for k in (*KINDS, *sorted(set(self.by_kind) - set(KINDS)))
            if k in self.by_kind
        ]
        lines += [row(k, self.by_lang[k]) for k in LANGS if k in self.by_lang]
        lines += ["", "| # | category | gold zones | found | recall |", "|---:|---|---:|---:|---:|"]
        for c, v in d["category_recall"].items():
            lines.append(f"| {c} | {v['name']} | {v['zones']} | {v['found']} | {v['recall']:.2f} |")
        m = d["modifier_agreement"]
        lines += [
            "",
            "- anchor recall over matched pairs: "
            + (", ".join(f"{k} {v:.2f}" for k, v in d["anchor_recall_matched"].items()) or "-"),
            f"- modifier agreement over matched pairs with a modifier: {m['agree']}/{m['pairs']}",
            f"- false positives on the {d['no_zone_articles']} no-zone articles: "
            f"{d['false_positives_on_no_zone_articles']}",
            f"- derivation time: {d['seconds']:.1f} s",
        ]
        if details:
            for a in self.articles:
                lines.append(
                    f"\n### {a.id} ({a.lang}): {len(a.pairs)}/{len(a.gold)} gold found, "
                    f"{len(a.false_positives)} false positive(s)"
                )
                for gi, g in enumerate(a.gold):
                    names = (
                        ", ".join(x.get("name") or x.get("pcode", "") for x in g["anchors"])
                        or "standard list"
                    )
                    mod = f" [{g['modifier']}]" if g.get("modifier") else ""
                    got = (
                        f"-> {a.predicted[a.pairs[gi]].label} [{a.predicted[a.pairs[gi]].modifier or '-'}]"
                        if gi in a.pairs
                        else "MISSED"
                    )
                    lines.append(f"- gold {g['kind']}: {names}{mod} {got}")
                for pi in a.false_positives:
                    lines.append(f"- FALSE POSITIVE {a.predicted[pi].kind}: {a.predicted[pi].label}")
        return "\n".join(lines)


# --- running -------------------------------------------------------------------------------------


def default_predictor(text: str) -> list[Zone]:
    """The zones the project derives from ``text`` (places resolved, belt 20 km, federal side)."""
    from geo.text.resolve import geoparse
    from geo.text.tokens import tokenize
    from geo.zones.derivation import derive

    tokens = tokenize(text)
    places = geoparse(text, tokens=tokens)
    return derive(text, places, tokens=tokens).zones


def load_gold(gold_dir: str | Path, *, lang: str | None = None) -> list[tuple[dict[str, Any], str]]:
    """``(gold, article text)`` of every ``*.json`` in ``gold_dir`` (of one language if given).

    Raises
    ------
    InputError
        When the folder holds no gold file, or a gold file or its article cannot be read.
    """
    folder = Path(gold_dir)
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        msg = (
            f"expected a folder of gold <id>.json files, got {str(folder)!r} "
            "(no such folder or no gold files)"
        )
        raise InputError(msg)
    out = []
    for f in files:
        try:
            gold = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"{f}: expected a gold JSON object, could not read it ({exc})"
            raise InputError(msg) from exc
        if not isinstance(gold, dict) or "zones" not in gold or "source" not in gold:
            msg = f"{f}: expected a gold object with 'source' and 'zones', got keys {sorted(gold)[:6]}"
            raise InputError(msg)
        if lang and gold.get("lang") != lang:
            continue
        article = _article_path(folder, f, gold)
        out.append((gold, article.read_text(encoding="utf-8")))
    return out


def _article_path(folder: Path, gold_file: Path, gold: dict[str, Any]) -> Path:
    """The article of a gold file: ``source`` from the repository root, else ``articles/<id>.txt``."""
    src = Path(gold["source"])
    tries = [src] if src.is_absolute() else [Path.cwd() / src, *(p / src for p in folder.resolve().parents)]
    tries.append(folder / "articles" / f"{gold.get('id', gold_file.stem)}.txt")
    for p in tries:
        if p.is_file():
            return p
    tried = ", ".join(str(t) for t in tries[:3])
    msg = f"{gold_file}: article {gold['source']!r} not found (tried {tried}, ...)"
    raise InputError(msg)


def score_article(gold: dict[str, Any], zones: Iterable[Zone], *, seconds: float = 0.0) -> ArticleResult:
    """Pair ``zones`` with the gold zones of one article."""
    preds = [predicted(z) for z in zones]
    gz = [g | {"kind": KIND_ALIASES.get(g["kind"], g["kind"])} for g in gold["zones"]]
    cands: dict[int, list[tuple[tuple[float, int, float], int]]] = {}
    for gi, g in enumerate(gz):
        for pi, p in enumerate(preds):
            s = pair_score(p, g)
            if s is not None:
                cands.setdefault(gi, []).append((s, pi))
    pairs = max_matching(cands)
    scores = {gi: next(s for s, pi in cands[gi] if pi == pairs[gi]) for gi in pairs}
    return ArticleResult(gold.get("id", "?"), gold.get("lang", "?"), gz, preds, pairs, scores, seconds)


def evaluate_zones(
    gold_dir: str | Path, *, lang: str | None = None, predictor: Predictor | None = None
) -> Evaluation:
    """Derive and score the zones of every article of a gold folder (see the module doc).

    Parameters
    ----------
    gold_dir
        Folder of ``<id>.json`` gold files (``tests/devsets/zones/dev``).
    lang
        Only the articles of this language (``ar``, ``en`` or ``ckb``).
    predictor
        Article text -> zones; default :func:`default_predictor`.
    """
    predictor = predictor or default_predictor
    out = Evaluation()
    for gold, text in load_gold(gold_dir, lang=lang):
        t0 = time.perf_counter()
        zones = predictor(text)
        res = score_article(gold, zones, seconds=time.perf_counter() - t0)
        log.debug("%s: %d/%d gold zones found", res.id, len(res.pairs), len(res.gold))
        out.add(res)
    return out
