"""How people's blind ratings agree with the labels, with the grader and with each other, and where grader and people
disagree most (the interviews to read first)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from agents.records import InterviewResult
from evals.metrics.agreement import krippendorff_alpha_ordinal, quadratic_weighted_kappa
from evals.raters.rating import HumanRating
from personas.model import Intended

QUEUE = 10  # interviews listed where grader and people differ most


@dataclass(frozen=True)
class RaterAgreement:
    rater: str
    interviews: int
    with_labels: float | None  # QWK over the cells both scored
    with_grader: float | None
    flags_with_grader: float | None  # share of (interview, flag) calls the rater and the grader made alike


@dataclass(frozen=True)
class HumanAgreement:
    raters: list[RaterAgreement]
    alpha: float | None  # Krippendorff's alpha (ordinal) among raters, over cells two or more rated
    cells: int
    queue: list[tuple[str, float]]  # (persona#trial, mean |grader - people's median| over competencies), worst first


def _qwk(pairs: list[tuple[int | None, int | None]]) -> float | None:
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    return quadratic_weighted_kappa([a for a, _ in both], [b for _, b in both]) if both else None


def human_agreement(
    ratings: list[HumanRating],
    results: list[InterviewResult],
    labels: dict[tuple[str, int], Intended | None],
    flag_ids: list[str],
) -> HumanAgreement | None:
    """Agreement of every rater; None when nobody rated an interview of these results."""
    by_key = {(r.persona_id, r.trial): r for r in results}
    ratings = [r for r in ratings if (r.persona_id, r.trial) in by_key]
    if not ratings:
        return None
    raters = sorted({r.rater for r in ratings})
    rows = []
    for rater in raters:
        mine = [r for r in ratings if r.rater == rater]
        with_labels, with_grader, flags = [], [], []
        for rating in mine:
            key = (rating.persona_id, rating.trial)
            grade, label = by_key[key].grade, labels.get(key)
            for c, level in rating.competency_levels.items():
                if label is not None:
                    with_labels.append((label.competency_levels.get(c), level))
                if grade is not None and c in grade.competencies:
                    with_grader.append((grade.competencies[c].score, level))
            if grade is not None:
                found = {f.id for f in grade.red_flags}
                flags += [(f in found) == (f in rating.red_flags) for f in flag_ids]
        rows.append(
            RaterAgreement(rater, len(mine), _qwk(with_labels), _qwk(with_grader), sum(flags) / len(flags) if flags else None)
        )
    keys = sorted({(r.persona_id, r.trial) for r in ratings})
    competencies = sorted({c for r in ratings for c in r.competency_levels})
    by_rater = {(r.rater, r.persona_id, r.trial): r for r in ratings}
    units = [
        [by_rater[(rater, *key)].competency_levels.get(c) if (rater, *key) in by_rater else None for rater in raters]
        for key in keys
        for c in competencies
    ]
    queue = []
    for key in keys:
        grade = by_key[key].grade
        if grade is None:
            continue
        gaps = []
        for c in competencies:
            given = [r.competency_levels.get(c) for r in ratings if (r.persona_id, r.trial) == key]
            people = [v for v in given if v is not None]
            score = grade.competencies[c].score if c in grade.competencies else None
            if people and score is not None:
                gaps.append(abs(score - statistics.median(people)))
        if gaps:
            queue.append((f"{key[0]}#{key[1]}", sum(gaps) / len(gaps)))
    queue.sort(key=lambda item: -item[1])
    rated_twice = sum(1 for unit in units if sum(v is not None for v in unit) >= 2)
    return HumanAgreement(rows, krippendorff_alpha_ordinal(units), rated_twice, queue[:QUEUE])
