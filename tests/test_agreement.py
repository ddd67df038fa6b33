"""Score agreement metrics: hand-computed cases, degenerate inputs, and scikit-learn / scipy parity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from evals.metrics.agreement import (
    adjacent_agreement,
    cohen_kappa,
    confusion_matrix,
    exact_agreement,
    mean_absolute_error,
    paired_scores,
    quadratic_weighted_kappa,
    signed_bias,
    spearman_rho,
    standardized_mean_difference,
    within,
)


def test_paired_scores_drops_not_assessed_and_counts_them():
    paired = paired_scores([3, 4, 2, 5], [3, None, 1, None])
    assert paired.pairs == [(3, 3), (2, 1)]
    assert paired.not_assessed == 2
    assert paired.intended == [3, 2]
    assert paired.graded == [3, 1]


def test_paired_scores_all_none_and_empty():
    assert paired_scores([1, 2, 3], [None, None, None]) == ([], 3)
    assert paired_scores([], []) == ([], 0)


def test_paired_scores_rejects_missing_intended_and_length_mismatch():
    with pytest.raises(ValueError, match="intended"):
        paired_scores([3, None], [3, 3])
    with pytest.raises(ValueError, match="length"):
        paired_scores([3, 4], [3])


@pytest.mark.parametrize(
    "metric",
    [
        exact_agreement,
        adjacent_agreement,
        mean_absolute_error,
        signed_bias,
        standardized_mean_difference,
        quadratic_weighted_kappa,
        spearman_rho,
    ],
)
def test_metrics_refuse_none_as_a_number(metric):
    with pytest.raises(ValueError, match="None"):
        metric([3, 4, 2], [3, None, 2])


@pytest.mark.parametrize(
    "metric",
    [
        exact_agreement,
        adjacent_agreement,
        mean_absolute_error,
        signed_bias,
        standardized_mean_difference,
        quadratic_weighted_kappa,
        spearman_rho,
    ],
)
def test_metrics_are_undefined_without_pairs(metric):
    assert metric([], []) is None


def test_exact_and_adjacent_agreement_by_hand():
    # differences graded - intended: 0, 1, 2, 0, -3 -> exact 2/5, within one level 3/5
    intended, graded = [1, 2, 3, 4, 5], [1, 3, 5, 4, 2]
    assert within(intended, graded, 0) == 2
    assert within(intended, graded, 1) == 3
    assert exact_agreement(intended, graded) == pytest.approx(0.4)
    assert adjacent_agreement(intended, graded) == pytest.approx(0.6)


def test_mae_and_signed_bias_by_hand():
    # differences graded - intended: 1, 0, 2, -1 -> MAE (1+0+2+1)/4 = 1.0, bias (1+0+2-1)/4 = 0.5
    intended, graded = [1, 2, 3, 4], [2, 2, 5, 3]
    assert mean_absolute_error(intended, graded) == pytest.approx(1.0)
    assert signed_bias(intended, graded) == pytest.approx(0.5)
    # a harsh grader has a negative bias
    assert signed_bias([4, 4], [3, 2]) == pytest.approx(-1.5)


def test_standardized_mean_difference_by_hand():
    # means 2.5 and 3.5; both sample variances (2.25+0.25+0.25+2.25)/3 = 5/3;
    # pooled SD sqrt((5/3 + 5/3)/2) = sqrt(5/3); SMD = 1 / sqrt(5/3) = sqrt(3/5)
    assert standardized_mean_difference([1, 2, 3, 4], [2, 3, 4, 5]) == pytest.approx(math.sqrt(3 / 5))
    # graded [1, 1, 3, 3]: mean 2, var 4/3; intended [2, 2, 2, 3]: mean 2.25, var 0.25
    # -> (2 - 2.25) / sqrt((0.25 + 4/3) / 2) = -0.25 / sqrt(19/24)
    assert standardized_mean_difference([2, 2, 2, 3], [1, 1, 3, 3]) == pytest.approx(-0.25 / math.sqrt(19 / 24))


def test_standardized_mean_difference_degenerate():
    assert standardized_mean_difference([3, 3, 3], [3, 3, 3]) == 0.0
    assert standardized_mean_difference([3, 3, 3], [4, 4, 4]) is None
    assert standardized_mean_difference([3], [4]) is None


def test_qwk_by_hand():
    # a=[1,2,3], b=[1,2,2] on labels 1..5 (indices 0..4); weights (i-j)^2.
    # observed disagreement: only the (3,2) pair, weight 1 -> 1.
    # row totals {1:1, 2:1, 3:1}, column totals {1:1, 2:2}; expected = sum w*r*c / n
    # = (1*1*2 [1 vs 2] + 1*1*1 [2 vs 1] + 4*1*1 [3 vs 1] + 1*1*2 [3 vs 2]) / 3 = 9/3 = 3
    # kappa = 1 - 1/3 = 2/3
    assert quadratic_weighted_kappa([1, 2, 3], [1, 2, 2]) == pytest.approx(2 / 3)
    # fully reversed: observed 16+16 = 32, expected (16+16)/2 = 16 -> 1 - 2 = -1
    assert quadratic_weighted_kappa([1, 5], [5, 1]) == pytest.approx(-1.0)
    assert quadratic_weighted_kappa([1, 2, 4, 5], [1, 2, 4, 5]) == pytest.approx(1.0)


def test_qwk_rejects_ratings_outside_the_labels():
    with pytest.raises(ValueError, match="labels"):
        quadratic_weighted_kappa([1, 6], [1, 2])
    with pytest.raises(ValueError, match="labels"):
        quadratic_weighted_kappa([1, 2], [1, 2], labels=(2, 3, 4))


@pytest.mark.parametrize("seed", range(6))
def test_qwk_matches_sklearn_with_custom_labels(seed):
    # the weights use positions in `labels`, not the rating values themselves
    rng = np.random.default_rng(200 + seed)
    for labels in [(2, 3, 4), (1, 3, 5)]:
        a = rng.choice(labels, size=20).tolist()
        b = rng.choice(labels, size=20).tolist()
        expected = cohen_kappa_score(a, b, weights="quadratic", labels=list(labels))
        assert quadratic_weighted_kappa(a, b, labels=labels) == pytest.approx(expected, abs=1e-12)


def test_qwk_degenerate_constant_ratings():
    # both raters always give 3: expected disagreement 0 -> defined as 1.0 (they agree)
    assert quadratic_weighted_kappa([3, 3, 3], [3, 3, 3]) == 1.0
    # constant but different: observed 2*1 = 2, expected 1*2*2/2 = 2 -> 0
    assert quadratic_weighted_kappa([3, 3], [4, 4]) == pytest.approx(0.0)
    # a grader giving 3 to everyone has no skill above chance
    assert quadratic_weighted_kappa([1, 2, 4, 5], [3, 3, 3, 3]) == pytest.approx(0.0)


def _random_ratings(seed: int, n: int, low: int, high: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    a = rng.integers(low, high + 1, size=n).tolist()
    # b correlated with a plus noise, clipped to the scale, so kappa is not always near 0
    b = np.clip(np.array(a) + rng.integers(-1, 2, size=n) * rng.integers(0, 2, size=n), 1, 5).tolist()
    return a, b


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("n", "low", "high"), [(6, 1, 5), (25, 1, 5), (60, 2, 4), (15, 3, 5)])
def test_qwk_matches_sklearn(seed, n, low, high):
    a, b = _random_ratings(seed, n, low, high)
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])
    if math.isnan(expected):
        pytest.skip("sklearn leaves the constant case undefined")
    assert quadratic_weighted_kappa(a, b) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_qwk_matches_sklearn_on_independent_ratings(seed):
    rng = np.random.default_rng(100 + seed)
    a, b = rng.integers(1, 6, size=30).tolist(), rng.integers(1, 6, size=30).tolist()
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])
    assert quadratic_weighted_kappa(a, b) == pytest.approx(expected, abs=1e-12)


def test_spearman_by_hand():
    # no ties: d = 0,1,1,0 -> 1 - 6*2 / (4*(16-1)) = 0.8
    assert spearman_rho([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    # ties: ranks a = 1, 2.5, 2.5, 4 and b = 1, 2, 3.5, 3.5 (both mean 2.5)
    # deviations a: -1.5, 0, 0, 1.5; b: -1.5, -0.5, 1, 1
    # sxy = 2.25 + 1.5 = 3.75, sxx = 4.5, syy = 2.25+0.25+1+1 = 4.5 -> 3.75/4.5
    assert spearman_rho([1, 2, 2, 3], [1, 2, 3, 3]) == pytest.approx(3.75 / 4.5)
    assert spearman_rho([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_degenerate():
    assert spearman_rho([3, 3, 3], [1, 2, 3]) is None
    assert spearman_rho([1, 2, 3], [4, 4, 4]) is None
    assert spearman_rho([2], [2]) is None


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("n", "low", "high"), [(5, 1, 5), (30, 1, 5), (40, 2, 4)])
def test_spearman_matches_scipy(seed, n, low, high):
    a, b = _random_ratings(seed, n, low, high)
    if len(set(a)) < 2 or len(set(b)) < 2:
        pytest.skip("scipy returns NaN for a constant side")
    assert spearman_rho(a, b) == pytest.approx(spearmanr(a, b).statistic, abs=1e-12)


def test_confusion_matrix_by_hand():
    # rows intended 1,2,3; columns graded 1,2,3; None grades counted per intended level
    result = confusion_matrix([1, 1, 2, 3, 3, 3], [1, 2, None, 3, 3, None], labels=(1, 2, 3))
    assert result.labels == (1, 2, 3)
    assert result.matrix == [[1, 1, 0], [0, 0, 0], [0, 0, 2]]
    assert result.not_assessed == [0, 1, 1]


def test_confusion_matrix_default_labels_and_degenerate():
    result = confusion_matrix([5, 4], [4, 4])
    assert result.matrix[4][3] == 1 and result.matrix[3][3] == 1
    assert sum(map(sum, result.matrix)) == 2
    empty = confusion_matrix([], [])
    assert empty.matrix == [[0] * 5 for _ in range(5)] and empty.not_assessed == [0] * 5
    all_none = confusion_matrix([2, 2, 5], [None, None, None])
    assert sum(map(sum, all_none.matrix)) == 0 and all_none.not_assessed == [0, 2, 0, 0, 1]


def test_confusion_matrix_rejects_unknown_levels():
    with pytest.raises(ValueError, match="graded"):
        confusion_matrix([1], [7])
    with pytest.raises(ValueError, match="intended"):
        confusion_matrix([None], [1])
    with pytest.raises(ValueError, match="length"):
        confusion_matrix([1, 2], [1])


@pytest.mark.parametrize("seed", range(5))
def test_cohen_kappa_matches_sklearn_on_nominal_labels(seed):
    rng = np.random.default_rng(seed)
    labels = ["ask", "probe", "close", "other"]
    a = [labels[i] for i in rng.integers(0, 4, 60)]
    b = [x if rng.random() < 0.7 else labels[i] for x, i in zip(a, rng.integers(0, 4, 60))]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_edges():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([True, True], [True, True]) == 1.0
    assert cohen_kappa([True, True], [True, False]) == 0.0
    assert cohen_kappa([True, False, True, False], [False, True, False, True]) == -1.0
