"""Scoring the geoparser against hand-checked gold files.

A gold file (``<dir>/*.json``, the format of ``shared/eval/article-000.json``) lists the places
of one article: ``surfaces`` (every form used in the text), ``name_en``, ``type``,
``governorate``, ``lat``/``lon`` and optional ``alt`` readings. The article is ``article``,
relative to the gold folder's parent (``seeds/article-000.txt`` for ``shared/eval``).

Scoring (see ``shared/eval/README.md``):

* detection: a predicted place is detected when one of its mentions overlaps an occurrence of
  a gold surface (or one of the place's optional ``spans``, ``[[start, end], ...]`` offsets that
  tell apart two gold places written alike); a gold place is found when some predicted place overlaps one of its surfaces;
* end to end: a detected place is also correct when it lies within 25 km (towns, districts,
  sub-districts, cities, villages), 100 km (governorates, regions) or 400 km (countries) of the
  gold point or of an ``alt`` point;
* acc@161km: the share of detected (predicted, gold) pairs within 161 km.

Precision, recall and F1 are micro-averaged per language (the gold ``lang``) and overall.
By category (the gold places' ``category``: admin, small_place, feature, region, abroad,
translit, ambiguous) the report counts the gold places found and found at the right place, and
the predicted places that hit a gold place of that category; ``lang`` keeps one language only.
The calibration table (:func:`geo.text.calibration.reliability`) pairs every predicted place's
confidence with whether it is right (a false positive is wrong).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.model import Place
from geo.text.calibration import Reliability, reliability

log = logging.getLogger(__name__)

#: Distance (km) within which a place counts as correct, by gold type.
TOLERANCE_KM = {
    "country": 400.0,
    "region": 100.0,
    "governorate": 100.0,
    "district": 25.0,
    "subdistrict": 25.0,
    "city": 25.0,
    "town": 25.0,
    "village": 25.0,
    "river": 25.0,
    "other": 25.0,
}
ACC_KM = 161.0
_CATEGORY_COUNTS = ("gold", "found", "right", "predicted", "pred_right")


@dataclass
class Counts:
    """Tallies for one language (or all)."""

    articles: int = 0
    predicted: int = 0
    gold: int = 0
    detected_pred: int = 0
    detected_gold: int = 0
    correct_pred: int = 0
    correct_gold: int = 0
    pairs: int = 0
    pairs_within_161: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def metrics(self) -> dict[str, float]:
        def prf(tp_p: int, tp_g: int) -> tuple[float, float, float]:
            p = tp_p / self.predicted if self.predicted else 1.0
            r = tp_g / self.gold if self.gold else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            return p, r, f

        dp, dr, df = prf(self.detected_pred, self.detected_gold)
        ep, er, ef = prf(self.correct_pred, self.correct_gold)
        return {
            "detection_precision": round(dp, 4),
            "detection_recall": round(dr, 4),
            "detection_f1": round(df, 4),
            "e2e_precision": round(ep, 4),
            "e2e_recall": round(er, 4),
            "e2e_f1": round(ef, 4),
            "acc_at_161km": round(self.pairs_within_161 / self.pairs, 4) if self.pairs else 1.0,
        }


@dataclass
class ArticleResult:
    """What happened on one gold article."""

    gold_file: str
    article: str
    lang: str
    counts: Counts
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong_place: list[str] = field(default_factory=list)
    #: per gold place: (category, found, right)
    gold_outcomes: list[tuple[str, bool, bool]] = field(default_factory=list)
    #: per predicted place: (confidence, right, category of the gold place it hit or "")
    predictions: list[tuple[float, bool, str]] = field(default_factory=list)


@dataclass
class Report:
    """Per-language and overall metrics plus per-article details."""

    by_lang: dict[str, dict[str, Any]]
    overall: dict[str, Any]
    articles: list[ArticleResult]

    def to_dict(self) -> dict[str, Any]:
        rel = self.calibration()
        return {
            "overall": self.overall,
            "by_lang": self.by_lang,
            "by_category": self.by_category(),
            "calibration": {
                "bins": rel.bins,
                "ece": rel.ece,
                "flagged": rel.flagged,
                "flagged_wrong_recall": rel.flagged_wrong_recall,
            },
            "articles": [asdict(a) for a in self.articles],
        }

    def by_category(self) -> dict[str, dict[str, float]]:
        """Per gold category: gold places, found, right, their rates, and predicted places that hit it."""
        out: dict[str, dict[str, float]] = {}
        for a in self.articles:
            for cat, found, right in a.gold_outcomes:
                row = out.setdefault(cat, dict.fromkeys(_CATEGORY_COUNTS, 0))
                row["gold"] += 1
                row["found"] += found
                row["right"] += right
            for _conf, right, cat in a.predictions:
                if cat:
                    row = out.setdefault(cat, dict.fromkeys(_CATEGORY_COUNTS, 0))
                    row["predicted"] += 1
                    row["pred_right"] += right
        for row in out.values():
            rec = row["right"] / row["gold"] if row["gold"] else 1.0
            prec = row["pred_right"] / row["predicted"] if row["predicted"] else 1.0
            row["found_rate"] = round(row["found"] / row["gold"], 4) if row["gold"] else 1.0
            row["right_rate"] = round(rec, 4)
            row["e2e_f1"] = round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0
        return dict(sorted(out.items()))

    def calibration(self) -> Reliability:
        """The reliability table of every predicted place's confidence (ten bins) and its ECE."""
        return reliability([(c, r) for a in self.articles for c, r, _ in a.predictions])

    def category_table(self) -> str:
        """Gold places found and found at the right place, per category."""
        lines = [f"{'category':<13}{'gold':>6}{'found':>8}{'right':>8}{'e2e F1':>8}"]
        for cat, row in self.by_category().items():
            lines.append(
                f"{cat:<13}{int(row['gold']):>6}{row['found_rate']:>8.3f}{row['right_rate']:>8.3f}"
                f"{row['e2e_f1']:>8.3f}"
            )
        return "\n".join(lines)

    def table(self) -> str:
        """A plain-text summary table."""
        cols = (
            "detection_precision",
            "detection_recall",
            "detection_f1",
            "e2e_precision",
            "e2e_recall",
            "e2e_f1",
            "acc_at_161km",
        )
        head = f"{'lang':<8}{'articles':>9}{'gold':>6}{'pred':>6}" + "".join(f"{c:>21}" for c in cols)
        lines = [head]
        for lang, row in [*sorted(self.by_lang.items()), ("all", self.overall)]:
            lines.append(
                f"{lang:<8}{row['articles']:>9}{row['gold']:>6}{row['predicted']:>6}"
                + "".join(f"{row[c]:>21.3f}" for c in cols)
            )
        return "\n".join(lines)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def load_gold(path: Path) -> dict[str, Any]:
    """One gold file; raises :class:`InputError` when it is not the expected JSON shape."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the gold file ({exc}).") from exc
    if not isinstance(gold, dict) or not isinstance(gold.get("places"), list) or "article" not in gold:
        raise InputError(f"{path}: expected a JSON object with 'article' and a 'places' list.")
    for n, p in enumerate(gold["places"]):
        if not (p.get("surfaces") or p.get("surface")) or "lat" not in p or "lon" not in p:
            raise InputError(f"{path}: place {n} needs 'surfaces' (or 'surface'), 'lat' and 'lon'; got {p}")
    return gold


def article_path(gold_dir: Path, gold: dict[str, Any]) -> Path:
    """The article a gold file describes: relative to the gold folder's parent (or the folder)."""
    rel = Path(gold["article"])
    for base in (gold_dir.parent, gold_dir):
        if (base / rel).is_file():
            return base / rel
    return rel if rel.is_absolute() else gold_dir.parent / rel


def _occurrences(text: str, surfaces: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for s in surfaces:
        if not s:
            continue
        i = text.find(s)
        while i >= 0:
            spans.append((i, i + len(s)))
            i = text.find(s, i + 1)
    return spans


def _points(gp: dict[str, Any]) -> list[tuple[float, float, float]]:
    """(lat, lon, tolerance km) of the gold reading and its alternatives."""
    pts = [(float(gp["lat"]), float(gp["lon"]), TOLERANCE_KM.get(gp.get("type", "other"), 25.0))]
    for alt in gp.get("alt", []) or []:
        if "lat" in alt and "lon" in alt:
            kind = alt.get("type", gp.get("type", "other"))
            pts.append((float(alt["lat"]), float(alt["lon"]), TOLERANCE_KM.get(kind, 25.0)))
    return pts


def score_article(
    text: str, gold: dict[str, Any], places: list[Place]
) -> tuple[Counts, list[str], list[str], list[str]]:
    """Counts for one article, plus the false positives, missed gold places and wrong places."""
    c, fps, missed, wrong, _, _ = score_article_full(text, gold, places)
    return c, fps, missed, wrong


def score_article_full(
    text: str, gold: dict[str, Any], places: list[Place]
) -> tuple[
    Counts, list[str], list[str], list[str], list[tuple[str, bool, bool]], list[tuple[float, bool, str]]
]:
    """:func:`score_article` plus the per-gold outcomes (category, found, right) and the
    per-prediction (confidence, right, category hit)."""
    c = Counts(articles=1, predicted=len(places), gold=len(gold["places"]))
    gold_spans = [
        [(int(a), int(b)) for a, b in gp["spans"]]
        if gp.get("spans")
        else _occurrences(text, gp.get("surfaces") or [gp["surface"]])
        for gp in gold["places"]
    ]
    found = [False] * len(gold_spans)
    right = [False] * len(gold_spans)
    false_pos: list[str] = []
    wrong: list[str] = []
    predictions: list[tuple[float, bool, str]] = []
    for p in places:
        hits = [
            g
            for g, spans in enumerate(gold_spans)
            if any(m.start < e and s < m.end for m in p.mentions for s, e in spans)
        ]
        if not hits:
            false_pos.append(f"{p.name} ({p.kind}) at {p.mentions[0].start}: {p.mentions[0].text!r}")
            predictions.append((p.confidence, False, ""))
            continue
        c.detected_pred += 1
        ok = False
        for g in hits:
            found[g] = True
            gp = gold["places"][g]
            dists = [(haversine_km(p.lat, p.lon, la, lo), tol) for la, lo, tol in _points(gp)]
            best = min(d for d, _ in dists)
            c.pairs += 1
            c.pairs_within_161 += best <= ACC_KM
            if any(d <= tol for d, tol in dists):
                ok = True
                right[g] = True
        predictions.append((p.confidence, ok, str(gold["places"][hits[0]].get("category", ""))))
        if ok:
            c.correct_pred += 1
        else:
            names = ", ".join(gold["places"][g]["name_en"] for g in hits)
            wrong.append(f"{p.name} ({p.kind}, {p.lat:.2f},{p.lon:.2f}) for gold {names}")
    c.detected_gold = sum(found)
    c.correct_gold = sum(right)
    missed = [gold["places"][g]["name_en"] for g in range(len(found)) if not found[g]]
    outcomes = [
        (str(gp.get("category") or "uncategorised"), found[g], right[g])
        for g, gp in enumerate(gold["places"])
    ]
    return c, false_pos, missed, wrong, outcomes, predictions


def evaluate(
    gold_dir: str | Path,
    *,
    parse: Callable[[str], list[Place]] | None = None,
    lang: str | None = None,
) -> Report:
    """Score ``parse`` (default :func:`geo.text.resolve.geoparse`) on every gold file in ``gold_dir``
    (only those of language ``lang`` when given)."""
    from geo.text.reading import read_article

    gold_dir = Path(gold_dir)
    files = sorted(gold_dir.glob("*.json"))
    if not gold_dir.is_dir() or not files:
        raise InputError(f"{gold_dir}: expected a folder of gold *.json files; found none.")
    if parse is None:
        from geo.text.resolve import geoparse

        parse = geoparse
    results: list[ArticleResult] = []
    per_lang: dict[str, Counts] = {}
    total = Counts()
    for f in files:
        gold = load_gold(f)
        gold_lang = str(gold.get("lang") or "und")
        if lang is not None and gold_lang != lang:
            continue
        path = article_path(gold_dir, gold)
        text = read_article(path).text
        counts, fps, missed, wrong, outcomes, preds = score_article_full(text, gold, parse(text))
        per_lang.setdefault(gold_lang, Counts()).add(counts)
        total.add(counts)
        results.append(
            ArticleResult(f.name, str(path), gold_lang, counts, fps, missed, wrong, outcomes, preds)
        )
    by_lang = {lang: {**asdict(c), **c.metrics()} for lang, c in per_lang.items()}
    return Report(by_lang=by_lang, overall={**asdict(total), **total.metrics()}, articles=results)


def fit_calibration(gold_dir: str | Path) -> tuple[tuple[float, ...], Report]:
    """Fit the confidence model (:func:`geo.text.calibration.fit`) on the gold files of ``gold_dir``:
    every predicted place's model inputs against whether it is right. Returns the weights and the
    report scored with the current weights."""
    from geo.text import calibration
    from geo.text.resolve import geoparse

    inputs: list[list[float]] = []
    seen: list[list[Place]] = []

    def parse(text: str) -> list[Place]:
        with calibration.recording() as records:
            places = geoparse(text)
        by_place: dict[int, list[float]] = {}
        for rec in records:
            by_place.update(rec)
        seen.append(places)
        inputs.extend(by_place.get(id(p), [0.0] * len(calibration.FEATURES)) for p in places)
        return places

    report = evaluate(gold_dir, parse=parse)
    labels = [int(r) for a in report.articles for _, r, _ in a.predictions]
    return calibration.fit(inputs, labels), report
