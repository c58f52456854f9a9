"""Scoring extracted events against a gold set (format: ``tests/devsets/events/README.md``).

A predicted event **matches** a gold event when both are of the same family (attack, security
arrangement, displacement) and their places lie within :data:`MATCH_KM` (25 km) of each other
(both without a place also match). Each gold event matches at most one prediction: the nearest
pairs are taken first, a same-type pair before another at the same distance. Historical events
(``historical: true`` in the gold, :attr:`geo.model.Event.historical` in the prediction) are left
out on both sides: they are recalled, not reported.

Figures (:class:`EventScore`): precision and recall per family (the matching itself) and per type
(a match counts for a type when both events have that type), the actor accuracy (matched pairs
whose actor sets are equal) and the casualty exact-match rate (matched attack pairs with the same
killed and the same wounded, ``null`` meaning "not said").

Examples
--------
>>> from pathlib import Path
>>> score = evaluate_dir(Path("tests/devsets/events/dev"))  # doctest: +SKIP
>>> print(score.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.events.kinds import EVENT_TYPES, FAMILIES, family_of
from geo.model import Event

__all__ = ["MATCH_KM", "EventScore", "evaluate_dir", "load_gold", "score_events"]

#: Greatest distance between a predicted and a gold event's places for a match.
MATCH_KM = 25.0

Predictor = Callable[[str, "dt.date | None"], list[Event]]


@dataclass
class _PR:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0


@dataclass
class EventScore:
    """Counts and rates of one scoring run; ``misses`` names each unmatched gold event."""

    by_family: dict[str, _PR] = field(default_factory=lambda: {f: _PR() for f in FAMILIES})
    by_type: dict[str, _PR] = field(default_factory=lambda: {t: _PR() for t in EVENT_TYPES})
    matched: int = 0
    actors_equal: int = 0
    attack_matched: int = 0
    casualties_equal: int = 0
    articles: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def actor_accuracy(self) -> float:
        return self.actors_equal / self.matched if self.matched else 1.0

    @property
    def casualty_exact(self) -> float:
        return self.casualties_equal / self.attack_matched if self.attack_matched else 1.0

    def summary(self) -> str:
        """A table an analyst can read: P/R per family and type, actor and casualty accuracy."""
        lines = [f"{self.articles} articles, {self.matched} matched events"]
        for name, pr in [*self.by_family.items(), *self.by_type.items()]:
            if pr.gold or pr.predicted:
                lines.append(
                    f"  {name:22} P {pr.precision:.2f} ({pr.tp}/{pr.predicted})  "
                    f"R {pr.recall:.2f} ({pr.tp}/{pr.gold})"
                )
        lines.append(f"  actor accuracy {self.actor_accuracy:.2f} ({self.actors_equal}/{self.matched})")
        lines.append(
            f"  casualty exact match {self.casualty_exact:.2f} "
            f"({self.casualties_equal}/{self.attack_matched})"
        )
        return "\n".join(lines)


def _km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return None
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _gold_point(g: dict[str, Any]) -> tuple[float, float] | None:
    place = g.get("place") or {}
    if place.get("lat") is None or place.get("lon") is None:
        return None
    return float(place["lat"]), float(place["lon"])


def score_events(pairs: Iterable[tuple[list[Event], list[dict[str, Any]]]]) -> EventScore:
    """Score predicted events against gold events, article by article (module docstring)."""
    score = EventScore()
    for predicted, gold in pairs:
        score.articles += 1
        preds = [e for e in predicted if not e.historical]
        golds = [g for g in gold if not g.get("historical")]
        for e in preds:
            score.by_family[e.family].predicted += 1
            score.by_type[e.type].predicted += 1
        for g in golds:
            score.by_family[family_of(g["type"])].gold += 1
            score.by_type[g["type"]].gold += 1
        candidates = []
        for i, e in enumerate(preds):
            here = (e.lat, e.lon) if e.lat is not None and e.lon is not None else None
            for j, g in enumerate(golds):
                km = _km(here, _gold_point(g))
                if e.family == family_of(g["type"]) and km is not None and km <= MATCH_KM:
                    candidates.append((km, e.type != g["type"], i, j))
        used_p: set[int] = set()
        used_g: set[int] = set()
        for _, _other, i, j in sorted(candidates):
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            _count_match(score, preds[i], golds[j])
        for j, g in enumerate(golds):
            if j not in used_g:
                name = (g.get("place") or {}).get("name")
                score.misses.append(f"{g['type']} at {name} ({g.get('evidence_text', [''])[0]!r})")
    return score


def _count_match(score: EventScore, e: Event, g: dict[str, Any]) -> None:
    score.matched += 1
    score.by_family[e.family].tp += 1
    if e.type == g["type"]:
        score.by_type[e.type].tp += 1
    if set(e.actors) == set(g.get("actors", [])):
        score.actors_equal += 1
    if e.family == "attack":
        score.attack_matched += 1
        if e.killed == g.get("killed") and e.wounded == g.get("wounded"):
            score.casualties_equal += 1


def load_gold(folder: Path) -> list[tuple[dict[str, Any], str]]:
    """``(gold, article text)`` for every ``<id>.json`` of ``folder`` (articles in ``articles/``).

    Raises
    ------
    InputError
        When the folder holds no gold file, or a gold file names an article that is not there.
    """
    files = sorted(folder.glob("*.json"))
    if not files:
        raise InputError(f"expected gold files (<id>.json) in {folder}, found none")
    out = []
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        article = folder / "articles" / f"{gold['id']}.txt"
        if not article.is_file():
            raise InputError(f"gold {path.name} names article {article}, which does not exist")
        out.append((gold, article.read_text(encoding="utf-8")))
    return out


def default_predictor(text: str, article_date: dt.date | None) -> list[Event]:
    """Geoparse ``text`` and extract its events (what the pipeline does, without the zones)."""
    from geo.events.extract import extract_events
    from geo.model import Analysis
    from geo.text.reading import detect_language
    from geo.text.resolve import geoparse
    from geo.text.tokens import tokenize

    tokens = tokenize(text)
    analysis = Analysis("gold", text, detect_language(text), geoparse(text, tokens=tokens))
    return extract_events(analysis, article_date=article_date, tokens=tokens)


def evaluate_dir(folder: Path, *, predictor: Predictor | None = None) -> EventScore:
    """Score ``predictor`` (default: :func:`default_predictor`) on the gold set in ``folder``."""
    predict = predictor or default_predictor
    pairs = []
    for gold, text in load_gold(folder):
        date = dt.date.fromisoformat(gold["article_date"]) if gold.get("article_date") else None
        pairs.append((predict(text, date), gold["events"]))
    return score_events(pairs)
