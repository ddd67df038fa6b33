"""A perturbed grade beside its original, and the paired bootstrap every probe statistic is resampled with.

Every interval resamples interviews (an interview carries all its perturbed copies with it), so the spread
reflects which interviews were drawn, never a copy drawn without its original. The resampling is vectorised:
one matrix of draw counts, and every statistic is a ratio of weighted sums.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from agents.records import Grade
from evals.probes.settings import ProbeGrade

N_RESAMPLES = 2000
Key = tuple[str, int]


@dataclass(frozen=True)
class Pair:
    """A perturbed grade beside its original, both completed."""

    key: Key
    probe: ProbeGrade
    original: Grade
    perturbed: Grade

    def diffs(self, absolute: bool = False) -> dict[str, int]:
        """Perturbed - original score per competency both scored."""
        out = {}
        for cid, before in self.original.competencies.items():
            after = self.perturbed.competencies.get(cid)
            if before.score is not None and after is not None and after.score is not None:
                out[cid] = abs(after.score - before.score) if absolute else after.score - before.score
        return out


class Resampler:
    """Draw counts of interviews for every bootstrap resample, shared by all of a probe run's statistics."""

    def __init__(self, keys: list[Key], n_resamples: int = N_RESAMPLES, seed: int = 0):
        self.index = {key: k for k, key in enumerate(keys)}
        n = len(keys)
        self.weights = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=n_resamples) if n else np.zeros((0, 0))

    def column(self, values: Mapping[Key, float]) -> np.ndarray:
        out = np.zeros(len(self.index))
        for key, value in values.items():
            out[self.index[key]] += value
        return out

    def ratios(self, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        """sum(num)/sum(den) on every resample; NaN where a resample drew no denominator."""
        return divide_draws(self.weights @ numerator, self.weights @ denominator)


def divide_draws(num: np.ndarray, den: np.ndarray, when_zero: float = np.nan) -> np.ndarray:
    """num / den per resample: `when_zero` where den is 0, NaN where den is NaN (nothing drawn)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.where(np.isnan(den), np.nan, when_zero))


def percentile_interval(draws: np.ndarray) -> tuple[float | None, float | None]:
    """95% percentile interval of the defined draws; (None, None) when none is defined."""
    defined = draws[~np.isnan(draws)]
    if not defined.size:
        return None, None
    low, high = np.percentile(defined, [2.5, 97.5])
    return float(low), float(high)


def tally(pairs: list[Pair], hit: Callable[[Pair], float]) -> dict[Key, float]:
    """`hit` summed per interview."""
    out: dict[Key, float] = defaultdict(float)
    for p in pairs:
        out[p.key] += hit(p)
    return dict(out)


def mean_score(grade: Grade) -> float | None:
    """The mean of a grade's assessed scores; None when it assessed none."""
    scores = [g.score for g in grade.competencies.values() if g.score is not None]
    return sum(scores) / len(scores) if scores else None
