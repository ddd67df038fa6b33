"""95% intervals for small n: Wilson for proportions, unit-level bootstraps for everything else.

The bootstraps resample whole units (a persona with all its score pairs, or a persona x trial),
because scores within one persona are not independent draws. A statistic may be undefined on
a resample (a constant side for Spearman, no pairs); such resamples are skipped, and an
interval with no defined resample at all is (None, None).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from statistics import NormalDist
from typing import Any, TypeGuard, TypeVar

import numpy as np

from evals.metrics.pair_tables import resample_counts

U = TypeVar("U")
Statistic = Callable[[Sequence[U]], float | None]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _defined(value: float | None) -> TypeGuard[float]:
    return value is not None and not math.isnan(value)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion successes / n; (0.0, 1.0) when n is 0."""
    z = _z(confidence)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def _percentiles(values: list[float], confidence: float) -> tuple[float | None, float | None]:
    if not values:
        return (None, None)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return (float(low), float(high))


@lru_cache(maxsize=16)
def _draws(n: int, n_resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The drawn indices (resamples, n) and how often each item is drawn per resample.

    Cached, so every statistic of a run shares one set of draws and counts them once; read-only, because shared."""
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    indices = np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))
    counts = resample_counts(indices, n)
    for array in (indices, counts):
        array.setflags(write=False)
    return indices, counts


def bootstrap_interval(
    units: Sequence[U],
    statistic: Statistic[U],
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of `statistic(units)`, resampling whole units with replacement.

    Deterministic for a given seed. Resamples where the statistic is None or NaN are skipped. A
    statistic with a `resampled(units, counts)` method (counts: how often each unit is drawn, per
    resample) computes all resamples at once.
    """
    _z(confidence)
    if not units:
        return (None, None)
    indices, counts = _draws(len(units), n_resamples, seed)
    if (vectorised := getattr(statistic, "resampled", None)) is not None:
        drawn = vectorised(units, counts)
        return _percentiles([float(v) for v in drawn[~np.isnan(drawn)]], confidence)
    values = []
    for idx in indices:
        value = statistic([units[k] for k in idx])
        if _defined(value):
            values.append(float(value))
    return _percentiles(values, confidence)


def paired_bootstrap_delta(
    base_units: Sequence[U],
    new_units: Sequence[U],
    statistic: Statistic[U],
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float | None, float | None, float | None]:
    """Delta = statistic(new) - statistic(base) with a paired percentile bootstrap interval.

    base_units[k] and new_units[k] must be the same persona and trial in the two runs; each
    resample draws one set of indices and applies it to both sides, so the spread of the delta
    reflects only how the runs differ, not which personas happened to be drawn. The delta is
    None when the statistic is undefined on either full side.
    """
    _z(confidence)
    if len(base_units) != len(new_units):
        raise ValueError(f"paired runs differ in length: {len(base_units)} vs {len(new_units)}")
    if not base_units:
        return (None, None, None)
    base, new = statistic(base_units), statistic(new_units)
    delta = float(new) - float(base) if _defined(base) and _defined(new) else None
    indices, counts = _draws(len(base_units), n_resamples, seed)
    if (vectorised := getattr(statistic, "resampled", None)) is not None:
        drawn = vectorised(new_units, counts) - vectorised(base_units, counts)
        low, high = _percentiles([float(v) for v in drawn[~np.isnan(drawn)]], confidence)
        return (delta, low, high)
    deltas = []
    for idx in indices:
        drawn_base = statistic([base_units[k] for k in idx])
        drawn_new = statistic([new_units[k] for k in idx])
        if _defined(drawn_base) and _defined(drawn_new):
            deltas.append(float(drawn_new) - float(drawn_base))
    low, high = _percentiles(deltas, confidence)
    return (delta, low, high)


def pooled_pairs(metric: Callable[[list[int], list[int]], float | None]) -> Statistic[Any]:
    """Turn a pairwise metric (e.g. quadratic_weighted_kappa) into a statistic over units.

    Each unit is a sequence of (intended, graded) pairs; the statistic pools the pairs of all
    units drawn (a unit drawn twice contributes its pairs twice) and applies the metric.
    """

    def statistic(units: Sequence[Sequence[tuple[int, int]]]) -> float | None:
        a = [i for unit in units for i, _ in unit]
        b = [g for unit in units for _, g in unit]
        return metric(a, b)

    return statistic
