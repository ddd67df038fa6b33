"""Score agreement between intended levels and graded scores (grader calibration, persona fidelity).

Conventions shared by every function here:

- Arguments come in the order (intended, graded), or (a, b) where the metric is symmetric.
- "Not assessed" (None) is never a number: `paired_scores` and `confusion_matrix` take raw
  scores and count None apart; every other function takes already-paired ints and raises
  ValueError if it meets None.
- A metric that is undefined for its input (no pairs, a constant side for a correlation)
  returns None, never NaN or a made-up 0, so stores and reports can show "n/a".
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import NamedTuple

DEFAULT_LABELS: tuple[int, ...] = (1, 2, 3, 4, 5)


class Paired(NamedTuple):
    """Score pairs that can be compared, and how many grades said "not assessed"."""

    pairs: list[tuple[int, int]]
    not_assessed: int

    @property
    def intended(self) -> list[int]:
        """The intended side of the pairs."""
        return [i for i, _ in self.pairs]

    @property
    def graded(self) -> list[int]:
        """The graded side of the pairs."""
        return [g for _, g in self.pairs]


class Confusion(NamedTuple):
    """Intended x graded counts, rows and columns in label order, plus "not assessed" per intended level."""

    labels: tuple[int, ...]
    matrix: list[list[int]]
    not_assessed: list[int]


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"score lists differ in length: {len(a)} vs {len(b)}")


def _check_numbers(a: Sequence[int | None], b: Sequence[int | None]) -> None:
    _same_length(a, b)
    if any(x is None for x in a) or any(x is None for x in b):
        raise ValueError("None ('not assessed') is not a score; pair the scores with paired_scores first")


def paired_scores(intended: Sequence[int | None], graded: Sequence[int | None]) -> Paired:
    """Keep the (intended, graded) pairs where a grade exists; count the "not assessed" grades apart.

    Intended levels are ground truth and must all be present.
    """
    _same_length(intended, graded)
    if any(i is None for i in intended):
        raise ValueError("an intended level is None; intended labels must be complete")
    pairs = [(int(i), int(g)) for i, g in zip(intended, graded) if i is not None and g is not None]
    return Paired(pairs=pairs, not_assessed=sum(g is None for g in graded))


def confusion_matrix(
    intended: Sequence[int | None],
    graded: Sequence[int | None],
    labels: Sequence[int] = DEFAULT_LABELS,
) -> Confusion:
    """Counts with rows = intended level and columns = graded score; None grades go to `not_assessed`."""
    labels = tuple(labels)
    index = {label: k for k, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    not_assessed = [0] * len(labels)
    _same_length(intended, graded)
    for i, g in zip(intended, graded):
        if i not in index:
            raise ValueError(f"intended level {i!r} is not one of the labels {labels}")
        if g is None:
            not_assessed[index[i]] += 1
            continue
        if g not in index:
            raise ValueError(f"graded score {g!r} is not one of the labels {labels}")
        matrix[index[i]][index[g]] += 1
    return Confusion(labels=labels, matrix=matrix, not_assessed=not_assessed)


def within(a: Sequence[int], b: Sequence[int], tolerance: int) -> int:
    """How many pairs differ by at most `tolerance` (the success count behind exact/adjacent agreement)."""
    _check_numbers(a, b)
    return sum(abs(x - y) <= tolerance for x, y in zip(a, b))


def exact_agreement(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Share of pairs with identical scores; None for no pairs."""
    return within(a, b, 0) / len(a) if a else None


def adjacent_agreement(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Share of pairs within one level of each other; None for no pairs."""
    return within(a, b, 1) / len(a) if a else None


def mean_absolute_error(intended: Sequence[int], graded: Sequence[int]) -> float | None:
    """Mean of |graded - intended|; None for no pairs."""
    _check_numbers(intended, graded)
    if not intended:
        return None
    return sum(abs(g - i) for i, g in zip(intended, graded)) / len(intended)


def signed_bias(intended: Sequence[int], graded: Sequence[int]) -> float | None:
    """Mean of graded - intended: positive means a lenient grader; None for no pairs."""
    _check_numbers(intended, graded)
    if not intended:
        return None
    return sum(g - i for i, g in zip(intended, graded)) / len(intended)


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _sample_variance(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def standardized_mean_difference(intended: Sequence[int], graded: Sequence[int]) -> float | None:
    """(mean graded - mean intended) / sqrt((var_intended + var_graded) / 2), sample variances.

    0.0 when both sides are constant with equal means. None when undefined: fewer than two
    pairs (no sample variance), or both sides constant with different means (the gap has no
    spread to be measured in; signed_bias still shows it).
    """
    _check_numbers(intended, graded)
    if len(intended) < 2:
        return None
    diff = _mean(graded) - _mean(intended)
    pooled = math.sqrt((_sample_variance(intended) + _sample_variance(graded)) / 2)
    if pooled == 0:
        return 0.0 if diff == 0 else None
    return diff / pooled


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], labels: Sequence[int] = DEFAULT_LABELS) -> float | None:
    """Cohen's kappa with quadratic weights over `labels` (same value as scikit-learn's).

    Weights are (index distance)^2 between label positions. When the expected weighted
    disagreement is 0 (both raters always use one and the same label) kappa is 0/0; we define
    it as 1.0 when the ratings agree perfectly and 0.0 otherwise. None for no pairs. A rating
    outside `labels` raises ValueError rather than being silently dropped.
    """
    _check_numbers(a, b)
    if not a:
        return None
    labels = tuple(labels)
    index = {label: k for k, label in enumerate(labels)}
    for x in (*a, *b):
        if x not in index:
            raise ValueError(f"rating {x!r} is not one of the labels {labels}")
    k = len(labels)
    n = len(a)
    observed = [[0] * k for _ in range(k)]
    for x, y in zip(a, b):
        observed[index[x]][index[y]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    observed_dis = 0.0
    expected_dis = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2
            observed_dis += w * observed[i][j]
            expected_dis += w * rows[i] * cols[j] / n
    if expected_dis == 0:
        return 1.0 if observed_dis == 0 else 0.0
    return 1.0 - observed_dis / expected_dis


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two raters' nominal labels (any comparable values; None is a label too).

    Like the weighted kappa above: None for no pairs, and when chance agreement is 1 (both raters always use one
    and the same label) 1.0 for perfect agreement, else 0.0.
    """
    _same_length(a, b)
    if not a:
        return None
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a: dict[Hashable, int] = {}
    count_b: dict[Hashable, int] = {}
    for x, y in zip(a, b):
        count_a[x] = count_a.get(x, 0) + 1
        count_b[y] = count_b.get(y, 0) + 1
    expected = sum(count_a[label] * count_b.get(label, 0) for label in count_a) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)


def _average_ranks(xs: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(xs)), key=lambda k: xs[k])
    ranks = [0.0] * len(xs)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and xs[order[end + 1]] == xs[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for pos in range(start, end + 1):
            ranks[order[pos]] = shared
        start = end + 1
    return ranks


def _pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    mx, my = _mean(x), _mean(y)
    sxy = sum((p - mx) * (q - my) for p, q in zip(x, y))
    sxx = sum((p - mx) ** 2 for p in x)
    syy = sum((q - my) ** 2 for q in y)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman_rho(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Spearman's rank correlation (Pearson on average ranks, as scipy's spearmanr).

    None with fewer than two pairs or when either side is constant (no ranking to correlate).
    """
    _check_numbers(a, b)
    if len(a) < 2:
        return None
    return _pearson(_average_ranks(a), _average_ranks(b))


def krippendorff_alpha_ordinal(units: Sequence[Sequence[int | None]]) -> float | None:
    """Krippendorff's alpha for ordinal ratings: each unit (an interview's competency) lists its raters' scores, None
    where a rater gave none. 1 is perfect agreement, 0 what chance gives; None when no unit has two ratings or every
    rating is the same value (nothing to disagree about)."""
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [values for values in pairable if len(values) >= 2]
    labels = sorted({v for values in pairable for v in values})
    if not pairable or len(labels) < 2:
        return None
    index = {label: k for k, label in enumerate(labels)}
    size = len(labels)
    # Coincidences: every ordered pair of values within a unit, weighted 1/(m-1) so each unit counts its m values once.
    coincide = [[0.0] * size for _ in range(size)]
    for values in pairable:
        weight = 1.0 / (len(values) - 1)
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincide[index[a]][index[b]] += weight
    marginal = [sum(row) for row in coincide]
    total = sum(marginal)

    def distance(c: int, k: int) -> float:
        low, high = min(c, k), max(c, k)
        return (sum(marginal[low : high + 1]) - (marginal[low] + marginal[high]) / 2) ** 2

    observed = sum(coincide[c][k] * distance(c, k) for c in range(size) for k in range(size))
    expected = sum(marginal[c] * marginal[k] * distance(c, k) for c in range(size) for k in range(size)) / (total - 1)
    return None if expected == 0 else 1 - observed / expected
