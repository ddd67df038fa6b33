"""Wilson intervals and unit-level bootstraps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from evals.metrics.agreement import quadratic_weighted_kappa, signed_bias, spearman_rho
from evals.metrics.intervals import bootstrap_interval, paired_bootstrap_delta, pooled_pairs, wilson_interval


def test_wilson_by_hand():
    # 8/10, z = 1.959964, z^2/n = 0.384146:
    # centre = (0.8 + 0.192073) / 1.384146 = 0.716744
    # half = 1.959964 / 1.384146 * sqrt(0.8*0.2/10 + 3.841459/400) = 1.415999 * 0.160011 = 0.226575
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.716744 - 0.226575, abs=1e-5)
    assert high == pytest.approx(0.716744 + 0.226575, abs=1e-5)
    # 0/10: centre 0.192073/1.384146 = 0.138766 equals half-width -> (0, 0.277532)
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.277532, abs=1e-5)


def test_wilson_edges_and_errors():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and 0.6 < low < 0.8
    # a narrower confidence gives a narrower interval
    assert wilson_interval(5, 10, 0.80)[1] < wilson_interval(5, 10, 0.95)[1]
    for args in [(11, 10), (-1, 10), (1, 10, 1.5)]:
        with pytest.raises(ValueError):
            wilson_interval(*args)


@pytest.mark.parametrize(("k", "n"), [(1, 3), (7, 9), (12, 40), (50, 51), (3, 200)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(ci.low, abs=1e-9)
    assert high == pytest.approx(ci.high, abs=1e-9)


def _persona_units(seed: int, personas: int = 12, per_persona: int = 6) -> list[list[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    units = []
    for _ in range(personas):
        level = int(rng.integers(1, 6))
        units.append([(level, int(np.clip(level + rng.integers(-1, 2), 1, 5))) for _ in range(per_persona)])
    return units


def test_bootstrap_interval_contains_point_estimate_and_is_seeded():
    units = _persona_units(3)
    kappa = pooled_pairs(quadratic_weighted_kappa)
    point = kappa(units)
    low, high = bootstrap_interval(units, kappa, n_resamples=500, seed=7)
    assert low is not None and high is not None
    assert low <= point <= high
    assert low < high
    assert bootstrap_interval(units, kappa, n_resamples=500, seed=7) == (low, high)
    assert bootstrap_interval(units, kappa, n_resamples=500, seed=8) != (low, high)


def test_bootstrap_percentiles_by_hand():
    # two units 0 and 1, statistic mean: a resample's mean is 0, 0.5 or 1 with probability
    # 1/4, 1/2, 1/4, so the 2.5th percentile is 0 and the 97.5th is 1
    low, high = bootstrap_interval([0.0, 1.0], lambda us: sum(us) / len(us), n_resamples=1000)
    assert (low, high) == (0.0, 1.0)
    # identical units leave no spread
    assert bootstrap_interval([2.0, 2.0, 2.0], lambda us: sum(us) / len(us)) == (2.0, 2.0)


def test_bootstrap_resamples_whole_units():
    # each unit's pairs travel together: a statistic that checks unit integrity never fails
    units = [[(1, 1), (1, 2)], [(5, 5), (5, 4)]]

    def intact(drawn):
        assert all(unit in units for unit in drawn)
        return float(len(drawn))

    assert bootstrap_interval(units, intact, n_resamples=50) == (2.0, 2.0)


def test_bootstrap_skips_undefined_resamples():
    # spearman is None when a resample draws only one persona's (constant) level
    units = [[(1, 1)], [(3, 3)], [(5, 4)]]
    rho = pooled_pairs(spearman_rho)
    low, high = bootstrap_interval(units, rho, n_resamples=300)
    assert low is not None and -1.0 <= low <= high <= 1.0
    nan_sometimes = bootstrap_interval([1.0, 2.0], lambda us: math.nan if us[0] == 1.0 else us[0], n_resamples=200)
    assert nan_sometimes == (2.0, 2.0)


def test_bootstrap_degenerate():
    assert bootstrap_interval([], lambda us: 1.0) == (None, None)
    assert bootstrap_interval([[(1, None)]], lambda us: None) == (None, None)
    with pytest.raises(ValueError):
        bootstrap_interval([1.0], lambda us: 1.0, confidence=0)
    with pytest.raises(ValueError):
        bootstrap_interval([1.0], lambda us: 1.0, n_resamples=0)


def test_paired_delta_identical_runs_is_zero():
    units = _persona_units(5)
    kappa = pooled_pairs(quadratic_weighted_kappa)
    assert paired_bootstrap_delta(units, units, kappa, n_resamples=200) == (0.0, 0.0, 0.0)


def test_paired_delta_uses_the_same_indices_on_both_sides():
    # new = base graded one level higher on every pair: the bias rises by exactly 1 on every
    # paired resample, so the interval collapses to (1, 1); an unpaired bootstrap would be wide
    base = [[(i, g) for i, g in unit] for unit in _persona_units(9)]
    new = [[(i, g + 1) for i, g in unit] for unit in base]
    bias = pooled_pairs(signed_bias)
    delta, low, high = paired_bootstrap_delta(base, new, bias, n_resamples=300, seed=1)
    assert delta == pytest.approx(1.0)
    assert low == pytest.approx(1.0) and high == pytest.approx(1.0)


def test_paired_delta_detects_a_lenient_grader_and_is_seeded():
    base = _persona_units(11)
    oracle = [[(i, i) for i, _ in unit] for unit in base]
    lenient = [[(i, min(5, i + 1)) for i, _ in unit] for unit in base]
    exact = pooled_pairs(lambda a, b: sum(x == y for x, y in zip(a, b)) / len(a))
    result = paired_bootstrap_delta(oracle, lenient, exact, n_resamples=400, seed=2)
    delta, low, high = result
    assert delta < 0 and high < 0 and low <= delta <= high
    assert paired_bootstrap_delta(oracle, lenient, exact, n_resamples=400, seed=2) == result


def test_paired_delta_degenerate():
    with pytest.raises(ValueError, match="length"):
        paired_bootstrap_delta([1.0], [1.0, 2.0], lambda us: 0.0)
    assert paired_bootstrap_delta([], [], lambda us: 0.0) == (None, None, None)
    # undefined on the full new run: no delta, and every resample is skipped too
    assert paired_bootstrap_delta([1.0, 2.0], [3.0, 4.0], lambda us: None if 3.0 in us or 4.0 in us else 1.0) == (
        None,
        None,
        None,
    )
