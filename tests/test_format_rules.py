"""The format's guardrails as pure rules: what the interviewer may do next, by state and clock."""

from __future__ import annotations

from agents.interview.format_rules import FormatState, apply_turn, candidate_may_ask, next_options, spoken_minutes
from agents.records import Turn
from tests.conftest_helpers import SCENARIO


def turn(state: FormatState, speaker: str, segment: str, text: str = "words", **fields) -> None:
    apply_turn(
        SCENARIO,
        state,
        Turn(
            index=len(state.transcript),
            speaker=speaker,
            text=text,
            segment=segment,
            minute=state.minute,
            duration_minutes=spoken_minutes(text),
            **fields,
        ),
    )


def deep_dive_state(asked: list[str]) -> FormatState:
    state = FormatState()
    turn(state, "interviewer", "intro", action="ask")
    turn(state, "candidate", "intro")
    for qid in asked:
        turn(state, "interviewer", "deep_dives", action="ask", question_id=qid)
        turn(state, "candidate", "deep_dives", "an answer")
    return state


def test_opening_turn_is_the_intro_and_the_next_opens_the_deep_dives():
    state = FormatState()
    assert next_options(SCENARIO, state).segment_id == "intro"
    turn(state, "interviewer", "intro", action="ask")
    turn(state, "candidate", "intro")
    options = next_options(SCENARIO, state)
    assert (options.segment_id, options.actions) == ("deep_dives", ("ask",))
    assert len(options.question_ids) == len(SCENARIO.question_bank)


def test_deep_dives_cannot_close_before_five_questions():
    options = next_options(SCENARIO, deep_dive_state(["q_collaboration", "q_ambiguity", "q_customer_impact", "q_ownership"]))
    assert "transition" not in options.actions
    assert set(options.actions) == {"ask", "probe"}
    assert "q_collaboration" not in options.question_ids


def test_fifth_question_must_add_a_competency_when_coverage_is_short():
    # q_ownership and q_incident_learning share ownership; after four questions covering three competencies
    # the fifth must bring a new one, so question ids that add nothing are withheld.
    state = deep_dive_state(["q_ownership", "q_incident_learning", "q_growth_mindset", "q_collaboration"])
    covered = {"ownership", "growth_mindset", "collaboration"}
    options = next_options(SCENARIO, state)
    for qid in options.question_ids:
        assert set(SCENARIO.question(qid).competencies) - covered


def test_after_seven_questions_and_probes_only_transition_remains():
    state = deep_dive_state([q.id for q in SCENARIO.question_bank])
    assert SCENARIO.question_rule.max_probes_per_question == 3  # the seed: "probe deeply for specifics and mechanisms"
    for category in ("evidence", "scope", "reflection"):
        assert "probe" in next_options(SCENARIO, state).actions
        turn(state, "interviewer", "deep_dives", action="probe", probe_category=category)
        turn(state, "candidate", "deep_dives")
    assert next_options(SCENARIO, state).actions == ("transition",)


def test_deep_dive_clock_forces_the_transition():
    state = deep_dive_state(["q_collaboration"])
    state.minute = state.segment_start["deep_dives"] + 40
    assert next_options(SCENARIO, state).actions == ("transition",)


def test_candidate_questions_are_answered_then_closed_by_count_or_clock():
    state = deep_dive_state(["q_collaboration"])
    turn(state, "interviewer", "candidate_questions", action="transition")
    turn(state, "candidate", "candidate_questions", "What is the team like?", asks_question=True)
    assert next_options(SCENARIO, state).actions == ("answer_candidate",)
    assert candidate_may_ask(SCENARIO, state)
    state.minute = state.segment_start["candidate_questions"] + 10
    assert not candidate_may_ask(SCENARIO, state)
    assert next_options(SCENARIO, state).actions == ("close",)


def test_candidate_without_a_question_moves_to_wrap_up():
    state = deep_dive_state(["q_collaboration"])
    turn(state, "interviewer", "candidate_questions", action="transition")
    turn(state, "candidate", "candidate_questions", "No questions.", asks_question=False)
    options = next_options(SCENARIO, state)
    assert (options.segment_id, options.actions) == ("wrap_up", ("close",))


def test_spoken_minutes_is_150_words_per_minute():
    assert spoken_minutes(" ".join(["word"] * 300)) == 2.0
