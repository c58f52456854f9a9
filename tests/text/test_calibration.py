"""The confidence model: inputs, fitting, the reliability table."""

from __future__ import annotations

import random

import pytest

from geo.text.calibration import FEATURES, calibrated, choice_features, fit, reliability


def _x(raw: float, *, weak: bool = False, dataset: str = "cod_ab") -> list[float]:
    return choice_features(
        raw=raw,
        weak=weak,
        kind="village" if weak else "city",
        dataset=dataset,
        country="IQ",
        n_candidates=2,
        cued=False,
        latin_letters=0,
    )


def test_inputs_have_one_value_per_feature_and_confidence_stays_in_range() -> None:
    x = _x(0.99)
    assert len(x) == len(FEATURES)
    assert 0.01 <= calibrated(x) <= 0.99
    assert calibrated(_x(0.99)) > calibrated(_x(0.99, weak=True, dataset="whosonfirst"))


def test_fit_recovers_a_signal_and_refuses_too_few_rows() -> None:
    rng = random.Random(1)
    rows, labels = [], []
    for _ in range(400):
        weak = rng.random() < 0.3
        rows.append(_x(rng.uniform(0.5, 0.99), weak=weak))
        labels.append(int(rng.random() < (0.4 if weak else 0.95)))
    w = fit(rows, labels)
    assert w[FEATURES.index("weak")] < -1.0
    assert abs(calibrated(_x(0.9, weak=True), w) - 0.4) < 0.15
    with pytest.raises(ValueError, match="at least 10 rows"):
        fit(rows[:5], labels[:5])


def test_reliability_table_and_ece() -> None:
    pairs = [(0.95, True)] * 9 + [(0.95, False)] + [(0.3, False)] * 2
    rel = reliability(pairs)
    assert len(rel.bins) == 10 and rel.bins[9]["n"] == 10 and rel.bins[3]["n"] == 2
    assert rel.ece == pytest.approx((10 * abs(0.95 - 0.9) + 2 * 0.3) / 12, abs=1e-3)
    assert rel.flagged == 2 and rel.flagged_wrong_recall == pytest.approx(2 / 3)
