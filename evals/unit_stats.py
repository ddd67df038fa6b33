"""Run-level statistics as functions of a set of interviews, so checks and `compare` compute them one way.

Each takes a list of InterviewUnits and returns a value or None when it is undefined; `compare`
bootstraps the paired change of the headline ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evals import pair_tables
from evals.flag_metrics import red_flag_scores
from evals.units import InterviewUnit, conformant

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
    """A score-pair metric of `evals.agreement` pooled over the interviews."""
    return PooledPairs(pair_tables.FOR_PAIR_METRIC[metric], competency)


abs_smd = PooledPairs(pair_tables.abs_smd)


def rate(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def flag_recall(units: Sequence[InterviewUnit]) -> float | None:
    done = [u for u in units if u.completed]
    flag_ids = sorted({f for u in done for f in u.intended_flags | u.found_flags})
    return red_flag_scores([u.intended_flags for u in done], [u.found_flags for u in done], flag_ids)["micro"]["recall"]


def grounding(units: Sequence[InterviewUnit]) -> float | None:
    total = sum(u.quotes_total for u in units)
    return sum(u.quotes_grounded for u in units) / total if total else None


def conformance_rate(units: Sequence[InterviewUnit]) -> float | None:
    return rate([conformant(u) for u in units if u.conformance])


def hire_rate(units: Sequence[InterviewUnit]) -> float | None:
    return rate([u.hire_graded == u.hire_intended for u in units if u.labelled])


def fidelity_rate(units: Sequence[InterviewUnit]) -> float | None:
    return rate([u.fidelity_ok for u in units if u.fidelity_ok is not None])
