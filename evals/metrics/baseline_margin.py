"""The grader's margin over the counting baseline, on the very transcripts it graded.

A grader worth trusting must beat a shortcut that only counts words and figures. The counting
baseline needs no model, so every run gets this comparison for free: the baseline grades each
transcript from the packaged grader prompt as the interview is saved (`evals.metrics.digest`), and each
calibration metric is compared with a paired bootstrap over interviews.
"""

from __future__ import annotations

import dataclasses

from evals.metrics import unit_stats
from evals.metrics.agreement import (
    adjacent_agreement,
    exact_agreement,
    mean_absolute_error,
    quadratic_weighted_kappa,
    spearman_rho,
)
from evals.metrics.intervals import paired_bootstrap_delta
from evals.metrics.registry import metric
from evals.metrics.units import InterviewUnit

# The calibration metrics compared, each as a statistic over interviews.
COMPARED: dict[str, unit_stats.Statistic] = {
    "qwk": unit_stats.pooled(quadratic_weighted_kappa),
    "exact": unit_stats.pooled(exact_agreement),
    "adjacent": unit_stats.pooled(adjacent_agreement),
    "spearman": unit_stats.pooled(spearman_rho),
    "mae": unit_stats.pooled(mean_absolute_error),
    "abs_smd": unit_stats.abs_smd,
}
N_RESAMPLES = 1000


@dataclasses.dataclass(frozen=True)
class Margin:
    """One metric: the grader's value, the baseline's, and how much better the grader is (positive = better)."""

    name: str
    grader: float | None
    counting: float | None
    margin: float | None
    low: float | None
    high: float | None


def margins(units: list[InterviewUnit], baseline: list[InterviewUnit]) -> list[Margin]:
    """The grader's margin over the counting baseline on every compared calibration metric, with a paired 95% interval.

    `baseline` holds each interview's unit as the counting baseline graded it (`InterviewDigest.baseline_unit`)."""
    out = []
    for name, statistic in COMPARED.items():
        delta, low, high = paired_bootstrap_delta(baseline, units, statistic, n_resamples=N_RESAMPLES)
        if metric(name).direction == "lower" and delta is not None:
            # Lower is better here, so the grader's margin is how much lower it is.
            delta, low, high = -delta, None if high is None else -high, None if low is None else -low
        out.append(Margin(name, statistic(units), statistic(baseline), delta, low, high))
    return out
