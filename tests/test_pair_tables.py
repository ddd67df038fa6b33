"""The table forms of the score-pair statistics give the pairwise functions' values, resample by resample."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from evals.metrics import pair_tables
from evals.metrics.agreement import standardized_mean_difference
from evals.metrics.intervals import bootstrap_interval, paired_bootstrap_delta
from evals.metrics.unit_stats import abs_smd, pooled, score_pairs
from evals.metrics.units import InterviewUnit

CASES = [
    ([], []),
    ([3], [4]),
    ([2, 2, 2], [2, 2, 2]),
    ([2, 2, 2], [3, 3, 3]),
    ([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]),
    ([1, 1, 2, 5, 5, 4], [1, 2, 2, 5, 4, 4]),
]
draw = random.Random(11)
CASES += [([draw.randint(1, 5) for _ in range(n)], [draw.randint(1, 5) for _ in range(n)]) for n in (2, 7, 40, 300)]


def same(table_value, pairwise_value) -> bool:
    if pairwise_value is None:
        return math.isnan(table_value)
    return table_value == pytest.approx(pairwise_value, abs=1e-12)


@pytest.mark.parametrize(("intended", "graded"), CASES)
def test_every_table_statistic_matches_its_pairwise_function(intended, graded):
    t = pair_tables.table(intended, graded)
    for metric, on_table in pair_tables.FOR_PAIR_METRIC.items():
        assert same(float(on_table(t)), metric(intended, graded) if intended else None), metric.__name__
    assert same(float(pair_tables.smd(t)), standardized_mean_difference(intended, graded))


def unit(k: int, rng: random.Random) -> InterviewUnit:
    comps = ["a", "b", "c", "d", "e"]
    return InterviewUnit(
        persona_id=f"p{k % 7}",
        trial=k,
        completed=rng.random() > 0.1,
        competencies=comps,
        intended=[rng.randint(1, 5) for _ in comps],
        graded=[rng.choice([None, 1, 2, 3, 4, 5]) for _ in comps],
        intended_flags=set(),
        found_flags=set(),
        hire_intended=False,
        hire_graded=None,
    )


def test_vectorised_bootstraps_give_the_intervals_of_the_pure_python_ones():
    rng = random.Random(5)
    units = [unit(k, rng) for k in range(60)]
    others = [unit(k, rng) for k in range(60)]
    for metric, competency in [(m, c) for m in pair_tables.FOR_PAIR_METRIC for c in (None, "b")]:
        fast = pooled(metric, competency)

        def slow(us, metric=metric, competency=competency):
            return metric(*score_pairs(us, competency))

        assert bootstrap_interval(units, fast, n_resamples=300) == pytest.approx(bootstrap_interval(units, slow, n_resamples=300))
        assert paired_bootstrap_delta(units, others, fast, n_resamples=300) == pytest.approx(
            paired_bootstrap_delta(units, others, slow, n_resamples=300)
        )
    groups = [[u for u in units if u.persona_id == p] for p in sorted({u.persona_id for u in units})]

    def slow_smd(gs):
        value = standardized_mean_difference(*score_pairs([u for g in gs for u in g]))
        return None if value is None else abs(value)

    assert bootstrap_interval(groups, abs_smd, n_resamples=300) == pytest.approx(
        bootstrap_interval(groups, slow_smd, n_resamples=300)
    )


def test_resample_counts_count_each_draw():
    indices = np.array([[0, 0, 2], [1, 2, 2]])
    assert pair_tables.resample_counts(indices, 3).tolist() == [[2, 0, 1], [0, 1, 2]]


def test_summed_ratios_bootstrap_all_draws_at_once_as_the_pure_python_loop_does():
    from evals.metrics import unit_stats
    from evals.metrics.flags import red_flag_scores
    from personas.model import Intended

    rng = random.Random(7)
    flags = ["f1", "f2", "f3"]

    def varied(k: int) -> InterviewUnit:
        u = unit(k, rng)
        u.intended_flags = {f for f in flags if rng.random() < 0.3}
        u.found_flags = {f for f in flags if rng.random() < 0.3}
        u.quotes_total = rng.randint(0, 3)
        u.quotes_grounded = rng.randint(0, u.quotes_total)
        u.conformance = {"a": rng.random() < 0.8} if rng.random() < 0.9 else {}
        u.hire_intended, u.hire_graded = rng.random() < 0.5, rng.choice([None, True, False])
        u.labels = None if rng.random() < 0.1 else Intended(overall_level=3, competency_levels={}, red_flags=[], hire=True)
        u.fidelity_ok = rng.choice([None, True, False])
        return u

    units, others = [varied(k) for k in range(50)], [varied(k) for k in range(50)]
    done = [u for u in units if u.completed]
    recall = red_flag_scores([u.intended_flags for u in done], [u.found_flags for u in done], flags)["micro"]["recall"]
    assert unit_stats.flag_recall(units) == recall
    assert unit_stats.flag_recall([]) is None and unit_stats.grounding([]) is None
    labelled = [u for u in units if u.labelled]
    assert unit_stats.hire_rate(units) == sum(u.hire_graded == u.hire_intended for u in labelled) / len(labelled)
    for fast in (
        unit_stats.flag_recall,
        unit_stats.grounding,
        unit_stats.conformance_rate,
        unit_stats.hire_rate,
        unit_stats.fidelity_rate,
    ):

        def slow(us, fast=fast):
            return fast(us)  # the same statistic, without `resampled`: one call per draw

        assert bootstrap_interval(units, fast, n_resamples=300) == bootstrap_interval(units, slow, n_resamples=300)
        assert paired_bootstrap_delta(units, others, fast, n_resamples=300) == paired_bootstrap_delta(
            units, others, slow, n_resamples=300
        )
