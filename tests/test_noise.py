"""Grader and simulation noise: a run against a stored repeat of it, paired in SQL over the stored JSON."""

from __future__ import annotations

from pathlib import Path

from agents.records import CompetencyGrade, InterviewResult
from evals.report.noise import _difference
from evals.store.database import Store
from tests.test_store import error_result, make_run, rich_result


def graded(persona_id: str, trial: int, scores: dict[str, int | None], *, hire: bool) -> InterviewResult:
    result = rich_result(persona_id, trial, hire=hire)
    assert result.grade is not None
    competencies = {cid: CompetencyGrade(score=s, rationale="r", evidence=[]) for cid, s in scores.items()}
    return result.model_copy(update={"grade": result.grade.model_copy(update={"competencies": competencies})})


def reference(mine: list[InterviewResult], theirs: list[InterviewResult]) -> tuple[int, float | None, float | None]:
    """The difference computed from the parsed interviews, as the report once did."""
    a = {(r.persona_id, r.trial): r.grade for r in mine if r.grade is not None}
    b = {(r.persona_id, r.trial): r.grade for r in theirs if r.grade is not None}
    changes, flips = [], []
    for key in sorted(set(a) & set(b)):
        ours, other = a[key], b[key]
        assert ours is not None and other is not None
        for cid, grade in ours.competencies.items():
            repeat = other.competencies[cid].score if cid in other.competencies else None
            if grade.score is not None and repeat is not None:
                changes.append(abs(grade.score - repeat))
        flips.append(ours.hire != other.hire)
    return len(flips), sum(changes) / len(changes) if changes else None, sum(flips) / len(flips) if flips else None


def test_noise_pairs_graded_interviews_and_their_scored_competencies(tmp_path: Path) -> None:
    mine = [
        graded("ada", 0, {"collaboration": 4, "responsible_ai": 2, "impact": None}, hire=True),
        graded("ada", 1, {"collaboration": 1, "responsible_ai": 5, "impact": 3}, hire=False),  # impact: no repeat
        graded("bo", 0, {"collaboration": 3}, hire=True),  # no repeat
        error_result("cy", 0),  # no grade
        graded("di", 0, {"collaboration": 2}, hire=True),  # the repeat has no grade
    ]
    theirs = [
        graded("ada", 0, {"collaboration": 2, "responsible_ai": 3, "impact": 4}, hire=False),
        graded("ada", 1, {"collaboration": 1, "responsible_ai": None, "growth": 3}, hire=False),
        graded("cy", 0, {"collaboration": 3}, hire=True),
        error_result("di", 0),
    ]
    with Store.open(tmp_path / "h.duckdb") as store:
        run, other = make_run(store), make_run(store, label="repeat")
        store.save_interviews(run, [(r, None) for r in mine])
        store.save_interviews(other, [(r, None) for r in theirs])
        noise = _difference(store, store.get_run_exact(run), store.get_run_exact(other), "simulation (rerun)")
    # ada#0: |4-2|, |2-3| (impact unscored in mine); ada#1: |1-1| (responsible_ai unscored, impact absent in theirs); a flip of two.
    assert (noise.paired, noise.mean_abs_change, noise.hire_flips) == (2, 1.0, 0.5)
    assert (noise.paired, noise.mean_abs_change, noise.hire_flips) == reference(mine, theirs)
    assert noise.other == other


def test_noise_with_nothing_paired_is_empty(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.duckdb") as store:
        run, other = make_run(store), make_run(store, label="repeat")
        store.save_interviews(run, [(graded("ada", 0, {"collaboration": 4}, hire=True), None)])
        noise = _difference(store, store.get_run_exact(run), store.get_run_exact(other), "grader (regrade)")
    assert (noise.paired, noise.mean_abs_change, noise.hire_flips) == (0, None, None)
