"""A grading panel: several models (or samples of one) grade the same interview; the panel's grade is their median
per competency and their majority per red flag, as structured-interview panels pool their raters."""

from __future__ import annotations

import statistics

from agents.records import Grade, MemberVerdict
from scenarios.model import Scenario


def aggregate(grades: list[Grade | None], models: list[str], errors: list[str | None], scenario: Scenario) -> Grade:
    """The panel's grade from its members' (None for a member whose call failed, with its error).

    A competency is not assessed when at least half the members who answered left it unassessed, else it takes the
    lower median of their scores (a tie between two middles leans strict), with the rationale and evidence of the
    first member who gave that score. A red flag stands when more than half of them reported it. Hire follows from
    the scores by the hire bar, as for one grader; the feedback is the first answering member's."""
    answered = [g for g in grades if g is not None]
    if not answered:
        raise ValueError("a panel grade needs at least one member's verdict")
    competencies = {}
    for cid in scenario.competency_ids:
        given_by = [g.competencies[cid].score for g in answered]
        given = [s for s in given_by if s is not None]
        median = statistics.median_low(given) if 2 * len(given) > len(given_by) else None
        chosen = next(g for g in answered if g.competencies[cid].score == median)
        competencies[cid] = chosen.competencies[cid]
    flags = []
    for fid in scenario.red_flag_ids:
        reporting = [f for g in answered for f in g.red_flags if f.id == fid]
        if 2 * len(reporting) > len(answered):
            flags.append(reporting[0])
    scores = {cid: grade.score for cid, grade in competencies.items()}
    members = [
        MemberVerdict(model=model, error=error)
        if grade is None
        else MemberVerdict(
            model=model, scores={c: x.score for c, x in grade.competencies.items()}, red_flags=[f.id for f in grade.red_flags]
        )
        for model, grade, error in zip(models, grades, errors)
    ]
    return Grade(
        competencies=competencies,
        red_flags=flags,
        hire=scenario.hire_bar.decide(scores, [f.id for f in flags]),
        feedback=answered[0].feedback,
        panel=members,
    )
