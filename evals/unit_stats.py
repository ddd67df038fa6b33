"""Run-level statistics as functions of a set of interviews, so checks and `compare` compute them one way.

Each takes a list of InterviewUnits and returns a value or None when it is undefined; `compare`
bootstraps the paired change of the headline ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from evals.agreement import standardized_mean_difference
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


def pooled(metric: PairMetric, competency: str | None = None) -> Statistic:
    """A score-pair metric pooled over the interviews."""
    return lambda units: metric(*score_pairs(units, competency))


def abs_smd(units: Sequence[InterviewUnit]) -> float | None:
    smd = standardized_mean_difference(*score_pairs(units))
    return None if smd is None else abs(smd)


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
