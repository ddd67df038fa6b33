"""The checks on an interview read from its words (an imported recording): what the rules settle, and what they leave
unsure because the annotator's reading of a turn could be wrong in a way that would make the verdict wrong."""

from __future__ import annotations

import pytest

from agents.records import InterviewResult, Turn, TurnAnnotation
from evals.metrics.conformance import check_interview
from evals.metrics.format_cues import LEADING
from tests.conftest_helpers import SCENARIO
from tests.test_conformance import ANSWER, Interview, Line

STORY = f"{ANSWER} {ANSWER}"  # over a hundred words: a story, as a main question draws


def read_from_words(turns: list[Turn]) -> dict[str, bool | None]:
    """The checks of `turns` as an imported recording whose annotator read every turn as labelled, sure of each."""
    annotated = [
        t.model_copy(
            update={
                "annotation": TurnAnnotation(
                    segment=t.segment, action=t.action or "other", question_id=t.question_id, tier="rules"
                )
                if t.speaker == "interviewer"
                else None,
            }
        )
        for t in turns
    ]
    result = InterviewResult(
        scenario_id=SCENARIO.id, persona_id="alex", seed=1, status="completed", transcript=annotated, source="imported"
    )
    return check_interview(result, SCENARIO)


def test_a_confidentiality_reminder_given_just_before_the_first_story_is_given_at_the_start():
    # The reminder came with the role context, which the annotator read as the first main question.
    interview = Interview(intro_text="Hi, I'm Sam. Could you briefly introduce yourself?")
    blocks = interview.blocks()
    first = blocks["deep_dives"][0]
    reminder = "Please keep anything confidential out of it and anonymise where you need to. Take a minute or two for setup."
    blocks["deep_dives"][0] = Line("interviewer", f"{reminder} {first.text}", 1.0, "ask", first.question_id)
    checks = read_from_words(interview.turns(blocks=blocks))
    assert checks["intro_confidentiality"] is True
    assert (
        read_from_words(Interview(intro_text="Hi, I'm Sam. Could you introduce yourself?").turns())["intro_confidentiality"]
        is False
    )  # never said: the rules settle it


def _misread_after_the_candidates_questions(story: bool) -> list[Turn]:
    """The candidate's questions, then a turn the annotator read as a deep dive: an answer misread as a follow-up,
    or a main question asked after the candidate's questions that drew a story."""
    interview = Interview()
    blocks = interview.blocks()
    if story:
        blocks["candidate_questions"] += [
            Line("interviewer", "One more, actually: tell me about a launch that went wrong.", 0.5, "ask", "q_ownership"),
            Line("candidate", STORY, 3.0),
        ]
    turns = interview.turns(blocks=blocks)
    misread = [t for t in turns if t.segment == "candidate_questions" and t.action == ("ask" if story else "answer_candidate")]
    turns[misread[0].index] = misread[0].model_copy(update={"segment": "deep_dives", "action": "ask" if story else "probe"})
    return turns


def test_segment_order_read_from_words_fails_only_when_the_turns_that_anchor_a_segment_are_out_of_order():
    assert read_from_words(Interview().turns())["segment_order"] is True
    # An answer read as a follow-up moves a boundary; a main question after the answers breaks the order.
    assert read_from_words(_misread_after_the_candidates_questions(story=False))["segment_order"] is None
    assert read_from_words(_misread_after_the_candidates_questions(story=True))["segment_order"] is False


@pytest.mark.parametrize(
    ("intro_minutes", "answer_minutes", "verdict"),
    [
        (12.0, 3.0, False),  # seven minutes over; the deep dives, nearly full, could not have held them
        (12.0, 2.0, None),  # the same overrun, but the deep dives left ten minutes: the edge may sit elsewhere
        (2.0, 3.0, True),
    ],
)
def test_a_budget_overrun_read_from_words_is_settled_only_when_its_neighbours_could_not_absorb_it(
    intro_minutes, answer_minutes, verdict
):
    interview = Interview(answer_minutes=answer_minutes)
    blocks = interview.blocks()
    blocks["intro"][1] = Line("candidate", "I'm Alex, I build search ranking models.", intro_minutes)
    assert read_from_words(interview.turns(blocks=blocks))["segment_budget"] is verdict


def test_a_budget_overrun_is_unsure_when_a_segment_went_unread():
    interview = Interview()
    blocks = interview.blocks()
    blocks["intro"][1] = Line("candidate", "I'm Alex, I build search ranking models.", 12.0)
    turns = interview.turns(("intro", "deep_dives", "wrap_up"), blocks=blocks)
    assert read_from_words(turns)["segment_budget"] is None


@pytest.mark.parametrize(("reply", "verdict"), [(STORY, False), ("Latency dropped from 900 ms to 300 ms.", None)])
def test_too_many_questions_read_from_words_needs_questions_that_drew_stories(reply, verdict):
    questions = [*SIX_AND_TWO]
    interview = Interview(questions=questions, answer_minutes=1.0)
    blocks = interview.blocks()
    for k, line in enumerate(blocks["deep_dives"]):
        if line.speaker == "candidate" and blocks["deep_dives"][k - 1].action == "ask":
            blocks["deep_dives"][k] = Line("candidate", reply, 1.0)
    assert read_from_words(interview.turns(blocks=blocks))["question_count"] is verdict


SIX_AND_TWO = (
    "q_collaboration",
    "q_ambiguity",
    "q_customer_impact",
    "q_responsible_ai",
    "q_ownership",
    "q_growth_mindset",
    "q_incident_learning",
    "q_collaboration",
)


def test_next_steps_said_in_the_last_turns_count_whatever_they_were_read_as():
    interview = Interview()
    blocks = interview.blocks()
    blocks["wrap_up"] = [Line("interviewer", "Great, thanks so much. Take care!", 0.5, "close")]
    next_steps = "Good question. So from here, I'll write my notes up today and recruiting will be in touch next week."
    blocks["candidate_questions"][2] = Line("interviewer", next_steps, 1.0)  # read as neither answer nor close
    assert read_from_words(interview.turns(blocks=blocks))["next_steps_stated"] is True
    blocks["candidate_questions"][2] = Line("interviewer", next_steps, 1.0, "answer_candidate")
    # An answer to the candidate's question tells no next step of the interview: the closing said none.
    assert read_from_words(interview.turns(blocks=blocks))["next_steps_stated"] is False


@pytest.mark.parametrize(
    ("question", "leads"),
    [
        ("But you'd agree that the review should have come first, wouldn't you?", True),
        ("So in the end it was the numbers that convinced her, I imagine?", True),
        ("And I suppose you passed it by the compliance team first, no?", True),
        ("I am assuming you stopped the rollout straight away, correct?", True),
        ("Did you and the PM agree on what smarter meant?", False),
        ("What would have happened if you'd shipped it anyway?", False),
        ("Looking back, what do you think you'd have done?", False),
        # The presumption said after the conduct, and the question in the next sentence.
        ("And before it went live you'd have put it through a proper safety review, I assume. That's standard, right?", True),
        ("So you'd have done it differently now, I assume.", False),
        ("And you'd obviously have broken that test set out by accent group before the next release, right?", True),
    ],
)
def test_leading_questions(question, leads):
    assert bool(LEADING.search(question.lower())) is leads


@pytest.mark.parametrize(
    "aside",
    [
        "You're not expecting, or planning to be in the next year?",
        "Carvalho, so that's Portuguese, not Brazilian? I caught a bit of an accent.",
        "Sorry, your partner's a guy?",
    ],
)
def test_personal_talk_no_pattern_settles_leaves_the_prohibited_topic_check_unsure(aside):
    checks = read_from_words(Interview(probe_text=f"Okay. {aside}").turns())
    assert checks["no_prohibited_topics"] is None


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("Eh, I'm not really going to get into that. Anything else?", False),
        ("That you'll come to know at a later stage, let's not get into that now. Next question?", False),
        ("That's not really something I'm going to get into today. Anything else?", False),
        ("Roadmap? Long story, not important now. Next question?", False),
        ("Weekly rotation, primary and secondary, so you're on call about once a quarter, and Sev2s wait for morning.", True),
    ],
)
def test_a_brush_off_in_words_no_pattern_knew_fails_the_answer_check(reply, verdict):
    interview = Interview()
    blocks = interview.blocks()
    blocks["candidate_questions"][2] = Line("interviewer", reply, 0.5, "answer_candidate")
    assert read_from_words(interview.turns(blocks=blocks))["candidate_questions_answered"] is verdict


def test_a_main_question_read_from_words_that_drew_no_story_and_asked_for_none_may_not_count():
    interview = Interview(questions=SIX_AND_TWO[:5])
    blocks = interview.blocks()
    assert read_from_words(interview.turns(blocks=blocks))["question_count"] is True  # five, each a bank question
    asks = [k for k, line in enumerate(blocks["deep_dives"]) if line.action == "ask"]
    small_talk = "Oh good. How's the weather over there?"
    blocks["deep_dives"][asks[-1]] = Line("interviewer", small_talk, 0.5, "ask")
    blocks["deep_dives"][asks[-1] + 1] = Line("candidate", "Sunny, thanks.", 0.2)
    verdicts = read_from_words(interview.turns(blocks=blocks))
    # Read as a main question, it drew no story and asks for none: four or five, the count is in doubt.
    assert verdicts["question_count"] is None


def test_a_summary_handed_back_to_confirm_may_lead_so_the_rules_are_unsure():
    from evals.metrics.format_cues import LEADING_HINT

    reflection = (
        "okay. what i'm hearing is that, looking back, you would have wanted a proper fairness evaluation before "
        "carrying on. that's where you land on it now, right?"
    )
    assert not LEADING.search(reflection) and LEADING_HINT.search(reflection)


@pytest.mark.parametrize(
    ("aside", "verdict"),
    [
        ("I could go on about that all day, and my wife will tell you I do.", True),  # the interviewer's own life
        ("Passed overall, or passed for the accent groups in the test set specifically?", True),  # the work's subject
        ("I think Brazilian people are very warm with customers, so consulting is natural for you.", None),
        ("And your wife, does she mind the travel?", False),
        # Work words name the work, not any word near a health one ("the clinical lead" is work, "clinical" is not).
        ("You mentioned the clinical lead and the medication reconciliation project; how did she take it?", True),
        ("Are you on medication for it at the moment?", None),
    ],
)
def test_life_and_origin_words_pass_only_when_said_of_the_interviewer_or_as_the_works_subject(aside, verdict):
    interview = Interview()
    blocks = interview.blocks()
    blocks["deep_dives"][2] = Line("interviewer", aside, 0.5, "probe", "q_collaboration")
    assert read_from_words(interview.turns(blocks=blocks))["no_prohibited_topics"] is verdict
