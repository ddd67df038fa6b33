"""Expectations follow what the interview asked: an unasked competency is expected 'not assessed', an unsurfaced flag is no miss."""

from __future__ import annotations

from agents.records import CompetencyGrade, Feedback, Grade, InterviewResult, Turn
from evals.metrics.checks import compute_checks
from evals.metrics.digest import digest_of
from evals.metrics.gates import load_gates
from evals.metrics.units import build_unit
from tests.conftest_helpers import LIBRARY, SCENARIO

GRACE = LIBRARY.persona("grace-copilot")  # carries skips_safety_review, which shows on responsible_ai


def interview(question_ids: list[str], scores: dict[str, int | None], flags: list[str] = ()) -> InterviewResult:
    transcript = []
    for qid in question_ids:
        transcript.append(
            Turn(
                index=len(transcript),
                speaker="interviewer",
                text=SCENARIO.question(qid).text,
                segment="deep_dives",
                action="ask",
                question_id=qid,
                minute=0,
                duration_minutes=0.1,
            )
        )
        transcript.append(
            Turn(
                index=len(transcript),
                speaker="candidate",
                text="An answer.",
                segment="deep_dives",
                minute=0,
                duration_minutes=0.1,
            )
        )
    grade = Grade(
        competencies={c: CompetencyGrade(score=scores.get(c), rationale="r", evidence=[]) for c in SCENARIO.competency_ids},
        red_flags=[{"id": f, "evidence": ["An answer."]} for f in flags],
        hire=False,
        feedback=Feedback(strengths=["s"], growth_areas=["g"], better_story="b"),
    )
    return InterviewResult(
        scenario_id=SCENARIO.id, persona_id=GRACE.id, seed=1, status="completed", transcript=transcript, grade=grade
    )


def test_unasked_competencies_and_flags_leave_the_expectations():
    levels = GRACE.intended.competency_levels
    result = interview(
        ["q_collaboration", "q_ambiguity"], {"collaboration": levels["collaboration"], "ambiguity": levels["ambiguity"]}
    )
    unit = build_unit(result, GRACE.intended, SCENARIO)
    assert unit.competencies == ["collaboration", "ambiguity"]
    assert unit.not_asked == ["customer_impact", "responsible_ai", "ownership", "growth_mindset"]
    assert unit.within_tolerance  # the four unscored competencies were never asked: no miss
    assert unit.intended_flags == set() and unit.flags_not_surfaced == {"skips_safety_review"}
    rows = {
        (r.metric, r.scope): r
        for r in compute_checks([digest_of(result, GRACE.intended, SCENARIO)], SCENARIO, LIBRARY.personas, load_gates())
    }
    assert rows[("not_asked", "overall")].value == 4 and rows[("not_assessed", "overall")].value == 0
    assert rows[("flags_not_surfaced", "overall")].value == 1
    assert rows[("red_flag_recall", "micro")].n == 0 and rows[("red_flag_recall", "micro")].passed is None


def test_a_flag_whose_question_was_asked_must_be_found():
    result = interview(["q_collaboration", "q_responsible_ai"], {"collaboration": 4, "responsible_ai": 1})
    unit = build_unit(result, GRACE.intended, SCENARIO)
    assert unit.intended_flags == {"skips_safety_review"} and not unit.flags_not_surfaced
    rows = {
        (r.metric, r.scope): r
        for r in compute_checks([digest_of(result, GRACE.intended, SCENARIO)], SCENARIO, LIBRARY.personas, load_gates())
    }
    assert rows[("red_flag_recall", "micro")].value == 0 and rows[("red_flag_recall", "micro")].passed is False


def test_a_missing_score_on_an_asked_competency_is_still_a_miss():
    result = interview(["q_collaboration", "q_ambiguity"], {"collaboration": GRACE.intended.competency_levels["collaboration"]})
    unit = build_unit(result, GRACE.intended, SCENARIO)
    assert not unit.within_tolerance
    rows = {
        (r.metric, r.scope): r
        for r in compute_checks([digest_of(result, GRACE.intended, SCENARIO)], SCENARIO, LIBRARY.personas, load_gates())
    }
    assert rows[("not_assessed", "overall")].value == 1
