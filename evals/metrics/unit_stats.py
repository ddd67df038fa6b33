"""Run-level statistics as functions of a set of interviews, so checks and `compare` compute them one way.

Each takes a list of InterviewUnits and returns a value or None when it is undefined; `compare`
bootstraps the paired change of the headline ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evals.metrics import pair_tables
from evals.metrics.units import InterviewUnit, conformant

Statistic = Callable[[Sequence[InterviewUnit]], float | None]
PairMetric = Callable[[list[int], list[int]], float | None]


def score_pairs(units: Sequence[InterviewUnit], competency: str | None = None) -> tuple[list[int], list[int]]:
    """(intended, graded) over every assessed competency of the completed interviews (or one competency)."""
    intended, graded = [], []
    for u in units:
        if not u.completed:
            continue
        for cid, i, g in zip(u.competencies, u.intended, u.graded):
            if g is not None and (competency is None or cid == competency):
                intended.append(i)
                graded.append(g)
    return intended, graded


def unit_table(unit: InterviewUnit, competency: str | None = None) -> np.ndarray:
    """A completed interview's assessed score pairs as a 5x5 intended x graded count table (do not change it)."""
    # Every statistic of a run asks again for the same tables: kept on the unit, outside its fields, so
    # `dataclasses.replace` (the counting baseline's units) starts afresh.
    cached: dict[str | None, np.ndarray] = unit.__dict__.setdefault("_tables", {})
    if competency not in cached:
        if not unit.completed:
            cached[competency] = np.zeros((len(pair_tables.LEVELS), len(pair_tables.LEVELS)))
        else:
            chosen = [(i, g) for cid, i, g in zip(unit.competencies, unit.intended, unit.graded) if competency in (None, cid)]
            cached[competency] = pair_tables.table([i for i, _ in chosen], [g for _, g in chosen])
    return cached[competency]


@dataclass(frozen=True)
class PooledPairs:
    """A score-pair statistic pooled over interviews (or over groups of interviews, e.g. a persona's trials).

    Called on the items it gives the value; `resampled` gives it for many bootstrap draws at once.
    """

    on_tables: pair_tables.TableStatistic
    competency: str | None = None

    def tables(self, items: Sequence[InterviewUnit | Sequence[InterviewUnit]]) -> np.ndarray:
        out = np.zeros((len(items), 5, 5))
        for k, item in enumerate(items):
            if isinstance(item, InterviewUnit):
                out[k] = unit_table(item, self.competency)
            else:
                for unit in item:
                    out[k] += unit_table(unit, self.competency)
        return out

    def __call__(self, items: Sequence[InterviewUnit | Sequence[InterviewUnit]]) -> float | None:
        value = float(self.on_tables(self.tables(items).sum(axis=0)))
        return None if math.isnan(value) else value

    def resampled(self, items: Sequence[InterviewUnit | Sequence[InterviewUnit]], counts: np.ndarray) -> np.ndarray:
        return pair_tables.resampled(self.tables(items), counts, self.on_tables)


def pooled(metric: PairMetric, competency: str | None = None) -> PooledPairs:
    """A score-pair metric of `evals.metrics.agreement` pooled over the interviews."""
    return PooledPairs(pair_tables.FOR_PAIR_METRIC[metric], competency)


abs_smd = PooledPairs(pair_tables.abs_smd)


@dataclass(frozen=True)
class SummedRatio:
    """A statistic that is one sum over the interviews divided by another (None when the second is 0): a rate, a recall.

    `parts(unit)` gives one interview's (numerator, denominator); `resampled` gives the statistic for many bootstrap
    draws at once, each a weighted sum of the same parts."""

    parts: Callable[[InterviewUnit], tuple[int, int]]

    def __call__(self, units: Sequence[InterviewUnit]) -> float | None:
        parts = [self.parts(u) for u in units]
        denominator = sum(d for _, d in parts)
        return sum(n for n, _ in parts) / denominator if denominator else None

    def resampled(self, units: Sequence[InterviewUnit], counts: np.ndarray) -> np.ndarray:
        parts = np.array([self.parts(u) for u in units], dtype=float).reshape(-1, 2)
        numerator, denominator = counts @ parts[:, 0], counts @ parts[:, 1]
        return np.divide(numerator, denominator, out=np.full(len(counts), np.nan), where=denominator > 0)


def _flags_recalled(u: InterviewUnit) -> tuple[int, int]:
    # Micro recall: planted flags reported, over planted flags, of the completed interviews.
    return (len(u.intended_flags & u.found_flags), len(u.intended_flags)) if u.completed else (0, 0)


flag_recall = SummedRatio(_flags_recalled)
grounding = SummedRatio(lambda u: (u.quotes_grounded, u.quotes_total))
conformance_rate = SummedRatio(lambda u: (int(conformant(u)), 1) if u.conformance else (0, 0))
hire_rate = SummedRatio(lambda u: (int(u.hire_graded == u.hire_intended), 1) if u.labelled else (0, 0))
fidelity_rate = SummedRatio(lambda u: (int(bool(u.fidelity_ok)), 1) if u.fidelity_ok is not None else (0, 0))
