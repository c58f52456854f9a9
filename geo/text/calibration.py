"""Calibrated confidence: the chance that a resolved place is the right place.

The choice step's raw confidence (the softmax share of the chosen entry) says how the
candidates of one name compare, not how often the geoparser is right: wrong places sat at
0.85-0.99. :func:`calibrated` maps a few facts about a choice (:func:`choice_features`) through a
logistic model fitted on the dev split of ``tests/devsets/places`` (:data:`WEIGHTS`, refitted with
``python -m geo evaluate tests/devsets/places/dev --fit-calibration``), so that of the places
given 0.8, about eight in ten are right. :func:`reliability` is the ten-bin table and the expected
calibration error that ``geo evaluate`` prints.

The model is a plain logistic regression (L2-regularised, fitted by Newton's method with numpy:
:func:`fit`); its inputs are listed in :data:`FEATURES`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

#: The inputs of the model, in order (each documented in :func:`choice_features`).
FEATURES = (
    "bias",
    "raw_logit",
    "weak",
    "small_place",
    "abroad",
    "feature",
    "candidates",
    "cue",
    "region",
    "short_latin",
    "isolated",
    "common_word",
)

#: Fitted on tests/devsets/places/dev (see the module docstring); order of :data:`FEATURES`.
WEIGHTS: tuple[float, ...] = (
    2.08,
    0.466,
    0.321,
    -0.718,
    0.18,
    0.277,
    -0.292,
    0.681,
    0.396,
    0.285,
    -2.058,
    -1.191,
)

#: Position of the ``isolated`` input, set after the choice (:func:`isolated_inputs`).
ISOLATED = FEATURES.index("isolated")

#: Places below this confidence are flagged for review (the dashboard draws them dashed).
REVIEW_BELOW = 0.5


def choice_features(
    *,
    raw: float,
    weak: bool,
    kind: str,
    dataset: str,
    country: str,
    n_candidates: int,
    cued: bool,
    latin_letters: int,
    common_word: bool = False,
) -> list[float]:
    """The model inputs of one choice.

    Parameters
    ----------
    raw
        The raw confidence of the choice step (softmax share, in [0, 0.99]).
    weak
        Whether the candidate needed evidence (a common word, a small foreign town, a village).
    kind, dataset, country
        Of the chosen entry: villages, neighbourhoods and camps (``small_place``), places abroad,
        physical features and named regions are right at different rates.
    n_candidates
        How many entries the name may mean (``log(1 + n - 1)``).
    cued
        Whether a cue word stands before or after the name.
    latin_letters
        Letters of the name when written in Latin script (short Latin names are often words).
    common_word
        Whether the name is also a common word or a personal name (the gazetteer's
        ``ambiguous`` keys: المدينة "the city", على "on", Jordan).

    The last input, ``isolated``, is 0 here: it depends on the article's other places and is set
    by :func:`isolated_inputs` (a town or village in Iraq far from every other one the article
    names: the reading of a same-named place in another province).
    """
    p = min(max(raw, 0.01), 0.99)
    small = dataset in ("iom_dtm", "whosonfirst") or kind == "village"
    return [
        1.0,
        math.log(p / (1 - p)),
        1.0 if weak else 0.0,
        1.0 if small else 0.0,
        1.0 if country != "IQ" and kind != "country" else 0.0,
        1.0 if dataset == "physical_features" else 0.0,
        math.log(max(1, n_candidates)),
        1.0 if cued else 0.0,
        1.0 if kind == "region" else 0.0,
        1.0 if 0 < latin_letters <= 4 else 0.0,
        0.0,
        1.0 if common_word else 0.0,
    ]


def isolated_inputs(x: Sequence[float]) -> list[float]:
    """``x`` (the inputs of one choice) with ``isolated`` set."""
    out = list(x)
    out[ISOLATED] = 1.0
    return out


def calibrated(x: Sequence[float], weights: Sequence[float] = WEIGHTS) -> float:
    """The calibrated confidence of a choice with inputs ``x``, in [0.01, 0.99]."""
    z = sum(w * v for w, v in zip(weights, x, strict=True))
    p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return min(0.99, max(0.01, p))


def fit(rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = 1.0) -> tuple[float, ...]:
    """Logistic-regression weights for ``rows`` (inputs) and ``labels`` (1 right, 0 wrong).

    Raises
    ------
    ValueError
        With fewer than ten rows, or rows and labels of different lengths.
    """
    import numpy as np

    if len(rows) != len(labels) or len(rows) < 10:
        raise ValueError(f"expected at least 10 rows with one label each, got {len(rows)} and {len(labels)}")
    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    w = np.zeros(x.shape[1])
    reg = np.eye(x.shape[1]) * l2
    reg[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x + reg + np.eye(x.shape[1]) * 1e-9
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return tuple(round(float(v), 3) for v in w)


@dataclass(frozen=True)
class Reliability:
    """The reliability table: per confidence bin, how many places, their mean confidence and the
    share that were right; ``ece`` is the expected calibration error (bins weighted by size);
    ``flagged_wrong_recall`` the share of wrong places that fall below :data:`REVIEW_BELOW`."""

    bins: list[dict[str, float]]
    ece: float
    flagged: int
    flagged_wrong_recall: float
    flagged_precision: float

    def table(self) -> str:
        lines = [f"{'confidence':<12}{'places':>7}{'mean conf':>11}{'right':>8}"]
        for b in self.bins:
            label = f"{b['low']:.1f}-{b['high']:.1f}"
            lines.append(f"{label:<12}{int(b['n']):>7}{b['mean']:>11.3f}{b['right']:>8.3f}")
        lines.append(
            f"ECE {self.ece:.3f}; flagged (< {REVIEW_BELOW}) {self.flagged}, catching "
            f"{self.flagged_wrong_recall:.0%} of the wrong places "
            f"({self.flagged_precision:.0%} of the flagged are wrong)"
        )
        return "\n".join(lines)


def reliability(pairs: Sequence[tuple[float, bool]], *, n_bins: int = 10) -> Reliability:
    """The reliability table of (confidence, right) pairs in ``n_bins`` equal-width bins."""
    bins: list[dict[str, float]] = []
    total = len(pairs)
    ece = 0.0
    for b in range(n_bins):
        low, high = b / n_bins, (b + 1) / n_bins
        inside = [(c, r) for c, r in pairs if low <= c < high or (b == n_bins - 1 and c >= high)]
        if not inside:
            bins.append({"low": low, "high": high, "n": 0, "mean": 0.0, "right": 0.0})
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        right = sum(1 for _, r in inside if r) / len(inside)
        ece += len(inside) / total * abs(mean - right)
        bins.append({"low": low, "high": high, "n": len(inside), "mean": mean, "right": right})
    wrong = [c for c, r in pairs if not r]
    flagged = [(c, r) for c, r in pairs if c < REVIEW_BELOW]
    return Reliability(
        bins=bins,
        ece=round(ece, 4),
        flagged=len(flagged),
        flagged_wrong_recall=(sum(1 for c in wrong if c < REVIEW_BELOW) / len(wrong)) if wrong else 1.0,
        flagged_precision=(sum(1 for _, r in flagged if not r) / len(flagged)) if flagged else 1.0,
    )


# --- recording the inputs, for fitting ------------------------------------------------------------

_RECORDS: list[dict[int, list[float]]] = []


@contextmanager
def recording() -> Iterator[list[dict[int, list[float]]]]:
    """While active, :func:`record` keeps the inputs of every place chosen (one dict per
    resolved text: place id -> inputs of its most confident mention)."""
    _RECORDS.clear()
    _ACTIVE[0] = True
    try:
        yield _RECORDS
    finally:
        _ACTIVE[0] = False


_ACTIVE = [False]


def record(inputs: dict[int, list[float]]) -> None:
    """Keep the inputs of one text's places (a no-op unless :func:`recording` is active)."""
    if _ACTIVE[0]:
        _RECORDS.append(inputs)


__all__ = [
    "FEATURES",
    "ISOLATED",
    "REVIEW_BELOW",
    "WEIGHTS",
    "Reliability",
    "calibrated",
    "choice_features",
    "fit",
    "isolated_inputs",
    "record",
    "recording",
    "reliability",
]
