"""Interviewer conformance checks on hand-built transcripts, plus two interviews run on the scripted graph."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from agents.interview.batch import run_interview
from agents.records import InterviewResult, TopicViolation, Turn
from evals.metrics.conformance import (
    CONFORMANCE_CHECKS,
    check_interview,
    disagreements,
    has_metric,
    passes_all,
    probe_opportunities,
)
from evals.metrics.topic_screen import merge_violations, screen_interviewer_text
from tests.conftest_helpers import LIBRARY, SCENARIO, scripted_gateway
from tests.scripted_agents import InterviewScript

INTRO = (
    "Hi, I'm Sam, an engineering manager on the Azure AI team, and this interview is for the AI Engineer role. "
    "Everything we discuss stays confidential. For each story, take 1-2 minutes for the setup, 3-5 minutes for the "
    "deep dive and 1-2 minutes for results and learning. Could you briefly introduce yourself?"
)
# A candidate's answer long enough that the interviewer does not do most of the talking.
ANSWER = (
    "We had a ranking model that worked offline but nobody trusted it in production, so I set up a shadow launch, "
    "agreed the success metric with the PM up front, wrote down the assumptions we were making about the traffic, "
    "and we shipped it behind a flag to a tenth of users first. It went well overall and the team kept the process."
)
SIX = ["q_collaboration", "q_ambiguity", "q_customer_impact", "q_responsible_ai", "q_ownership", "q_growth_mindset"]


@dataclass
class Line:
    speaker: str
    text: str
    minutes: float
    action: str | None = None
    question_id: str | None = None
    asks_question: bool = False


@dataclass
class Interview:
    """A compliant interview as segment blocks; tests edit one thing, then `turns()` lays out index and clock."""

    questions: list[str] = field(default_factory=lambda: list(SIX))
    answer_minutes: float = 3.0
    intro_text: str = INTRO
    probe_text: str = "What metrics moved, before and after?"
    transition_text: str = "Thanks, those are all my questions. What questions do you have for me about the team?"
    start_minute: float = 0.0

    def blocks(self) -> dict[str, list[Line]]:
        deep: list[Line] = []
        for q in self.questions:
            deep += [
                Line("interviewer", SCENARIO.question(q).text, 0.5, "ask", q),
                Line("candidate", ANSWER, self.answer_minutes),
                Line("interviewer", self.probe_text, 0.5, "probe", q),
                Line("candidate", "Latency dropped from 900 ms to 300 ms.", 2.0),
            ]
        return {
            "intro": [
                Line("interviewer", self.intro_text, 1.0, "ask"),
                Line("candidate", "I'm Alex, I build search ranking models.", 2.0),
            ],
            "deep_dives": deep,
            "candidate_questions": [
                Line("interviewer", self.transition_text, 0.5, "transition"),
                Line("candidate", "What does success look like in the first six months?", 1.0, asks_question=True),
                Line("interviewer", "Owning one shipped feature end to end, with its metrics.", 3.0, "answer_candidate"),
                Line("candidate", "No more questions, thanks.", 1.0),
            ],
            "wrap_up": [
                Line("interviewer", "Thank you for your time; the recruiter will share next steps within a week.", 1.0, "close")
            ],
        }

    def turns(
        self, order: tuple[str, ...] = ("intro", "deep_dives", "candidate_questions", "wrap_up"), blocks=None
    ) -> list[Turn]:
        blocks = blocks or self.blocks()
        minute, out = self.start_minute, []
        for segment in order:
            for line in blocks[segment]:
                out.append(
                    Turn(
                        index=len(out),
                        speaker=line.speaker,
                        text=line.text,
                        segment=segment,
                        action=line.action,
                        question_id=line.question_id,
                        competency=SCENARIO.question(line.question_id).competencies[0] if line.question_id else None,
                        probe_category="evidence" if line.action == "probe" else None,
                        asks_question=line.asks_question,
                        minute=round(minute, 3),
                        duration_minutes=line.minutes,
                    )
                )
                minute += line.minutes
        return out


def result_of(turns: list[Turn], violations: list[TopicViolation] | None = None) -> InterviewResult:
    return InterviewResult(
        scenario_id=SCENARIO.id, persona_id="alex", seed=1, status="completed", transcript=turns, violations=violations
    )


def checks(turns: list[Turn], violations: list[TopicViolation] | None = None) -> dict[str, bool | None]:
    return check_interview(result_of(turns, violations), SCENARIO)


def failing(turns: list[Turn], violations: list[TopicViolation] | None = None) -> set[str]:
    return {name for name, ok in checks(turns, violations).items() if ok is False}


def interviewer_says(*texts: str) -> list[Turn]:
    return [
        Turn(index=i, speaker="interviewer", text=t, segment="deep_dives", action="probe", minute=float(i), duration_minutes=0.5)
        for i, t in enumerate(texts)
    ]


# -- the compliant interview ---------------------------------------------------------------------


def test_compliant_interview_passes_every_check():
    result = checks(Interview().turns())
    assert tuple(result) == CONFORMANCE_CHECKS
    assert all(result.values()), result
    assert passes_all(result)


def test_passes_all_fails_on_a_failed_check_and_not_on_an_unsure_one():
    good: dict[str, bool | None] = dict.fromkeys(CONFORMANCE_CHECKS, True)
    assert passes_all(good)
    assert not passes_all({**good, "segment_budget": False})
    assert passes_all({**good, "no_rubric_leak": None})
    assert not passes_all({})


# -- questions and competencies ------------------------------------------------------------------


@pytest.mark.parametrize(
    "questions, count_ok, coverage_ok",
    [
        (SIX[:3], False, False),
        (SIX[:5], True, True),
        (SIX + ["q_incident_learning"], True, True),
        (SIX + ["q_incident_learning", "q_collaboration"], False, True),
        # five questions over three competencies: ownership, growth_mindset, collaboration
        (["q_ownership", "q_incident_learning", "q_growth_mindset", "q_collaboration", "q_incident_learning"], True, False),
        # q_incident_learning covers ownership and growth_mindset: four competencies in all
        (["q_collaboration", "q_ambiguity", "q_incident_learning", "q_collaboration", "q_ambiguity"], True, True),
    ],
)
def test_question_count_and_competency_coverage(questions, count_ok, coverage_ok):
    result = checks(Interview(questions=questions, answer_minutes=1.5).turns())
    assert (result["question_count"], result["competency_coverage"]) == (count_ok, coverage_ok)
    assert result["segment_budget"] and result["total_time"]  # the break is targeted


def test_probes_and_asks_outside_deep_dives_do_not_count_as_questions():
    interview = Interview(questions=SIX[:4])
    blocks = interview.blocks()
    blocks["intro"].append(Line("interviewer", SCENARIO.question("q_ownership").text, 0.5, "ask", "q_ownership"))
    result = checks(interview.turns(blocks=blocks))
    assert not result["question_count"]
    assert result["competency_coverage"]


# -- segments and time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        ("intro", "candidate_questions", "deep_dives", "wrap_up"),
        ("intro", "deep_dives", "intro", "candidate_questions", "wrap_up"),
        ("intro", "deep_dives", "wrap_up", "candidate_questions"),
    ],
)
def test_segment_order_fails_when_out_of_order_or_split(order):
    assert "segment_order" in failing(Interview().turns(order))


def test_a_missing_segment_fails_its_own_checks_not_the_order():
    no_wrap_up = failing(Interview().turns(("intro", "deep_dives", "candidate_questions")))
    assert "segment_order" not in no_wrap_up and "next_steps_stated" in no_wrap_up
    no_intro = failing(Interview().turns(("deep_dives", "candidate_questions", "wrap_up")))
    assert "segment_order" not in no_intro and {"intro_confidentiality", "intro_guidance"} <= no_intro


def test_deep_dives_over_budget_fails_only_the_budget():
    # seven questions of 6.5 minutes: 45.5 minutes of deep dives, total 56
    turns = Interview(questions=SIX + ["q_incident_learning"], answer_minutes=3.5).turns()
    deep = [t for t in turns if t.segment == "deep_dives"]
    assert deep[-1].minute + deep[-1].duration_minutes - deep[0].minute > 40
    assert failing(turns) == {"segment_budget"}


def test_intro_over_budget_fails():
    interview = Interview()
    blocks = interview.blocks()
    blocks["intro"][1].minutes = 4.5  # 1 + 4.5 = 5.5 > 5
    assert failing(interview.turns(blocks=blocks)) == {"segment_budget"}


def test_a_split_segment_is_budgeted_over_all_its_runs():
    # two intro runs of 3 minutes each: both under 5 alone, 6 together
    turns = Interview().turns(("intro", "deep_dives", "intro", "candidate_questions", "wrap_up"))
    assert failing(turns) == {"segment_order", "segment_budget"}


def test_last_segment_runs_to_the_end_of_its_last_turn():
    interview = Interview()
    blocks = interview.blocks()
    blocks["wrap_up"][0].minutes = 5.5
    assert failing(interview.turns(blocks=blocks)) == {"segment_budget"}
    blocks["wrap_up"][0].minutes = 5.0
    assert not failing(interview.turns(blocks=blocks))


def test_total_time_over_sixty_minutes_fails():
    interview = Interview(start_minute=16.0)  # 45.5 minutes of turns starting late end at 61.5
    assert "total_time" in failing(interview.turns())
    assert not failing(Interview(start_minute=14.0).turns())  # ends at 59.5


def test_empty_transcript_fails_the_format_checks():
    result = checks([])
    assert not passes_all(result)
    assert {k for k, ok in result.items() if ok} == {"no_prohibited_topics", "no_rubric_leak", "no_leading_questions"}


# -- intro and candidate questions ---------------------------------------------------------------


def test_intro_without_confidentiality_fails():
    text = "Hi, I'm Sam. Take 1-2 minutes for the setup of each story. Tell me about yourself."
    assert failing(Interview(intro_text=text).turns()) == {"intro_confidentiality"}


def test_intro_without_guidance_fails():
    text = "Hi, I'm Sam. Everything here is confidential. Tell me about yourself."
    assert failing(Interview(intro_text=text).turns()) == {"intro_guidance"}


@pytest.mark.parametrize(
    "text",
    [
        "This stays between us. Please use the STAR format for your stories.",
        "Nothing you say will be shared outside the loop. Spend a couple of minutes on the setup, then go deep.",
    ],
)
def test_other_wordings_of_the_intro_pass(text):
    assert not failing(Interview(intro_text=text).turns())


def test_confidentiality_said_outside_the_intro_does_not_count():
    interview = Interview(
        intro_text="Hi, I'm Sam. Use 1-2 minutes for the setup. Tell me about yourself.",
        probe_text="This is confidential, so what metrics moved?",
    )
    assert "intro_confidentiality" in failing(interview.turns())


def test_no_invitation_for_candidate_questions_fails():
    interview = Interview(transition_text="Thanks, that covers the deep dives.")
    blocks = interview.blocks()
    blocks["candidate_questions"][0].action = "answer_candidate"
    assert failing(interview.turns(blocks=blocks)) == {"candidate_questions_offered"}


def test_transition_outside_the_candidate_questions_segment_does_not_count():
    interview = Interview(transition_text="Let's wrap up the deep dives.")
    blocks = interview.blocks()
    blocks["deep_dives"].append(blocks["candidate_questions"].pop(0))
    assert "candidate_questions_offered" in failing(interview.turns(blocks=blocks))


def test_spoken_invitation_counts_without_a_transition_action():
    interview = Interview(transition_text="That's all from me. Is there anything you'd like to ask?")
    blocks = interview.blocks()
    blocks["candidate_questions"][0].action = "answer_candidate"
    assert not failing(interview.turns(blocks=blocks))


# -- prohibited topics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, topic",
    [
        ("Before we go on, how old are you?", "age"),
        ("What year were you born?", "age"),
        ("Are you married?", "marital status"),
        ("Will your wife be moving with you?", "marital status"),
        ("Do you have kids?", "family status or plans for children"),
        ("Are you planning a family soon?", "family status or plans for children"),
        ("Tell me about your family.", "family status or plans for children"),
        ("Are you pregnant?", "pregnancy"),
        ("What religion do you practice?", "religion"),
        ("Do you go to church on Sundays?", "religion"),
        ("Where are you originally from?", "national origin or citizenship beyond work authorization"),
        ("What is your nationality?", "national origin or citizenship beyond work authorization"),
        ("Is English your native language?", "national origin or citizenship beyond work authorization"),
        ("Are you a US citizen?", "national origin or citizenship beyond work authorization"),
        ("What is your ethnicity?", "race or ethnicity"),
        ("Are you Hispanic?", "race or ethnicity"),
        ("I'm curious where your parents are from.", "national origin or citizenship beyond work authorization"),
        ("Do you have a disability we should know about?", "disability or health conditions"),
        ("Do you have any health conditions?", "disability or health conditions"),
        ("Are you gay?", "sexual orientation"),
        ("What is your gender identity?", "gender identity"),
        ("What are your political views?", "political affiliation"),
        ("Does heart disease run in your family?", "genetic information"),
        ("Was your military discharge honorable?", "military or veteran discharge status"),
    ],
)
def test_prohibited_question_in_text_only_fails(question, topic):
    interview = Interview(probe_text=f"Interesting. {question}")
    turns = interview.turns()
    probe = next(t for t in turns if t.action == "probe")
    assert probe.question_id and probe.probe_category == "evidence"  # the structured fields look fine
    found = screen_interviewer_text(turns, SCENARIO)
    assert {(v.kind, v.topic) for v in found} >= {("prohibited_topic", topic)}
    assert all(v.source == "screen" for v in found)
    assert probe.index in {v.turn_index for v in found}
    assert failing(turns) == {"no_prohibited_topics"}


@pytest.mark.parametrize(
    "text",
    [
        "How long ago was this project?",
        "What is the age of the model?",
        "We are one family at Microsoft.",
        "Did you evaluate the model for bias across race, gender and age groups?",
        "How did you navigate office politics with the partner team?",
        "Are you legally authorized to work in the US, or will you need visa sponsorship?",
        "How did you fix the race condition in the pipeline?",
        "Have you used genetic algorithms for hyperparameter search?",
        "What was the health of the service during the launch?",
        "Where are you based, and are you open to hybrid work?",
        "Did you check accessibility for users with disabilities?",
        "When will you retire the legacy pipeline?",
        "We offer twenty weeks of parental leave and good childcare benefits.",
        "What was your role on the team and how big was it?",
        "How did you discharge the backlog before the deadline?",
        "What was your sense of the political dynamics between the orgs?",
        "Were you conservative with the rollout?",
    ],
)
def test_screen_leaves_ordinary_interview_talk_alone(text):
    assert screen_interviewer_text(interviewer_says(text), SCENARIO) == []


def test_the_scenarios_own_questions_and_probes_are_clean():
    texts = [q.text for q in SCENARIO.question_bank] + [e for p in SCENARIO.probe_categories for e in p.examples] + [INTRO]
    assert screen_interviewer_text(interviewer_says(*texts), SCENARIO) == []


def test_candidate_turns_are_not_screened():
    turns = Interview().turns()
    answer = next(t for t in turns if t.speaker == "candidate" and t.segment == "deep_dives")
    turns[answer.index] = answer.model_copy(update={"text": "How old are you? That's a level 4 on the rubric."})
    assert screen_interviewer_text(turns, SCENARIO) == []


def test_unknown_topic_falls_back_to_its_words():
    scenario = SCENARIO.model_copy(update={"prohibited_topics": ["salary history"]})
    found = screen_interviewer_text(
        interviewer_says("What was your salary at your last job?", "What did the model cost?"), scenario
    )
    assert [(v.turn_index, v.topic) for v in found] == [(0, "salary history")]


def test_judge_reported_violation_fails_the_check():
    turns = Interview().turns()
    judged = [TopicViolation(turn_index=6, kind="prohibited_topic", topic="religion", quote="...", source="judge")]
    assert failing(turns, judged) == {"no_prohibited_topics"}
    assert not failing(turns, [])


def test_judge_reported_rubric_leak_fails_only_the_leak_check():
    judged = [TopicViolation(turn_index=2, kind="rubric_leak", topic="rubric", quote="...", source="judge")]
    assert failing(Interview().turns(), judged) == {"no_rubric_leak"}


# -- rubric leaks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("You'd get a 5 for that one.", False),
        ("I'd give that a score of 4.", False),
        ("You're above the hire bar so far.", False),
        ("That's a solid 3.", False),
        ("Right now these are landing around a two on my sheet.", False),
        ("We score each of these areas from one to five, and a prompt line alone lands at about a two.", False),
        ("For a four on this one, we'd want the harm measured and a check added to your release process.", False),
        ("Honestly, you're sort of sitting in the threes on most of this.", False),
        ("The bar for a hire is roughly strong fours with no twos.", False),
        # Words that may be score talk or not: only a reader can tell, so the rules are unsure.
        ("Great, that's a level 4 answer.", None),
        ("By our rubric that story is strong.", None),
        ("That would be a red flag for me.", None),
        ("Honestly, you clear the bar on this one.", None),
    ],
)
def test_rubric_leak_fails_or_is_unsure(text, verdict):
    turns = Interview(probe_text=text).turns()
    found = screen_interviewer_text(turns, SCENARIO)
    assert [v.kind for v in found] and {v.kind for v in found} == {"rubric_leak"}
    assert {v.topic for v in found} == {"rubric"}
    assert checks(turns)["no_rubric_leak"] is verdict
    assert failing(turns) == ({"no_rubric_leak"} if verdict is False else set())


@pytest.mark.parametrize(
    "text",
    [
        "What F1 score did the model reach?",
        "The F1 score of 0.92 sounds strong; what was the baseline?",
        "What level of detail went into the design doc?",
        "That was a 5-minute outage?",
        "Were there any red flags in the telemetry before launch?",
        "Okay, I'm going to put you on the spot with a harder one.",
        "Did it clear the bar you had set for the launch?",
        "If a language doesn't meet the bar, it isn't released for that language.",
        "So it lands at a five percent lift in the end?",
        "What do you make of that now?",
        "What could a user whose browsing suggested a health condition have seen before the privacy review?",
    ],
)
def test_rubric_screen_leaves_metric_talk_alone(text):
    assert screen_interviewer_text(interviewer_says(text), SCENARIO) == []


# -- merging ---------------------------------------------------------------------------------------


def test_merge_violations_deduplicates_by_turn_and_kind():
    screened = [TopicViolation(turn_index=4, kind="prohibited_topic", topic="age", quote="how old", source="screen")]
    judged = [
        TopicViolation(turn_index=4, kind="prohibited_topic", topic="age", quote="how old are you", source="judge"),
        TopicViolation(turn_index=4, kind="rubric_leak", topic="rubric", quote="level 4", source="judge"),
        TopicViolation(turn_index=2, kind="prohibited_topic", topic="religion", quote="church", source="judge"),
    ]
    merged = merge_violations(screened, judged)
    assert [(v.turn_index, v.kind, v.source) for v in merged] == [
        (2, "prohibited_topic", "judge"),
        (4, "prohibited_topic", "screen"),
        (4, "rubric_leak", "judge"),
    ]


# -- probes after answers without a metric -------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We cut latency by 40%.", True),
        ("Adoption roughly doubled after the change.", True),
        ("About half of the users came back.", True),
        ("It took three sprints.", True),
        ("Costs went down by several percent.", True),
        ("It went fine, and no one complained.", False),
        ("We worked on it together and the customer was happy.", False),
    ],
)
def test_has_metric(text, expected):
    assert has_metric(text) is expected


def test_probe_opportunities_counts_unquantified_answers_and_probes():
    turns = Interview(questions=SIX[:5]).turns()
    # each question: vague answer, probe, answer with numbers -> five vague answers, all probed
    assert probe_opportunities(result_of(turns)) == (5, 5)
    # the first vague answer is followed by the next question instead of a probe
    interview = Interview(questions=SIX[:5])
    blocks = interview.blocks()
    del blocks["deep_dives"][2:4]
    # an answer after the last question that has no number and is followed by the transition
    blocks["deep_dives"][-1].text = "It went well in the end."
    assert probe_opportunities(result_of(interview.turns(blocks=blocks))) == (4, 6)


def test_probe_opportunities_ignores_answers_outside_the_deep_dives():
    turns = Interview(questions=SIX[:5]).turns()
    assert not has_metric(turns[1].text) and turns[1].segment == "intro"
    assert probe_opportunities(result_of(turns))[1] == 5
    assert probe_opportunities(result_of([])) == (0, 0)


# -- on the scripted interview graph -------------------------------------------------------------

COMPLIANT_WORDS = "This is confidential. Take 1-2 minutes of setup per story. Any questions for me later?"


def run(script: InterviewScript) -> InterviewResult:
    gateway, _ = scripted_gateway(script)
    return asyncio.run(run_interview(SCENARIO, LIBRARY.persona("jordan-inference"), gateway, seed=3))


def test_graph_interview_with_compliant_words_passes_the_words_checks():
    result = run(InterviewScript(interviewer="minimal", extra_interviewer_text=COMPLIANT_WORDS))
    assert result.status == "completed", result.error
    verdicts = check_interview(result, SCENARIO)
    # The minimal script never follows up, and its scripted answers are one line each: those two checks fail, as they
    # should; everything the interviewer's words decide passes.
    assert {name for name, ok in verdicts.items() if ok is not True} == {"probing", "interviewer_talk_share"}


def test_graph_interview_asking_a_prohibited_question_fails():
    result = run(InterviewScript(interviewer="minimal", extra_interviewer_text=COMPLIANT_WORDS + " Are you married?"))
    assert result.status == "completed", result.error
    verdict = check_interview(result, SCENARIO)
    assert not verdict["no_prohibited_topics"] and not passes_all(verdict)


def test_wrap_up_must_state_next_steps_and_when():
    blocks = Interview().blocks()
    assert checks(Interview().turns(blocks=blocks))["next_steps_stated"]
    blocks["wrap_up"] = [Line("interviewer", "Thanks, that is all. Have a good day, we will talk within a week.", 1.0, "close")]
    assert checks(Interview().turns(blocks=blocks))["next_steps_stated"] is True  # what happens, and when, in other words
    blocks["wrap_up"] = [Line("interviewer", "Thank you for your time; the recruiter will share next steps.", 1.0, "close")]
    assert checks(Interview().turns(blocks=blocks))["next_steps_stated"] is None  # no timeline the rules know: unsure
    blocks["wrap_up"] = [Line("interviewer", "Thanks, that is all. Have a good day.", 1.0, "close")]
    assert checks(Interview().turns(blocks=blocks))["next_steps_stated"] is False  # nothing about what comes next


def test_every_candidate_question_gets_an_answer():
    blocks = Interview().blocks()
    assert checks(Interview().turns(blocks=blocks))["candidate_questions_answered"]
    blocks["candidate_questions"] = blocks["candidate_questions"][:2]  # the question, then straight to the close
    assert not checks(Interview().turns(blocks=blocks))["candidate_questions_answered"]


def test_lower_case_patterns_match_where_case_insensitive_ones_do():
    import re

    from evals.metrics.topic_screen import lower_case_pattern

    pattern = r"\b(are you|do you) (plan(ning)? to )?retire\b(?!\s+(the|that)\b)|\bfianc[eé]e?\b|\b[1-5] out of (5|five)\b"
    texts = [
        "Are you PLANNING to retire soon?",
        "When do you retire the old model?",
        "My FIANCÉE works there.",
        "That is 4 OUT OF FIVE.",
        "Nothing here (really).",
    ]
    original, lowered = re.compile(pattern, re.IGNORECASE), lower_case_pattern(pattern)
    assert (
        [bool(original.search(t)) for t in texts]
        == [bool(lowered.search(t.lower())) for t in texts]
        == [
            True,
            False,
            True,
            True,
            False,
        ]
    )
    assert lowered.groups == 0


def test_arranged_alternatives_match_where_the_listed_ones_do():
    import re

    from evals.metrics.topic_screen import alternatives_pattern

    listed = (
        r"\b(are|do) you plan(ning)? (on |to )?(start(ing)? |hav(e|ing) )?(a family|kids)\b",
        r"\b(?:dishonorabl[ey]|general) discharged?\b",
        r"\b(a )?b[(|]c\b",  # a class holding a bracket and a bar is not a group or a split
        r"\b(?!x)\w+fold\b|\bhalf",
        r"\b(ab)+c",
        r"\b[1-5] out of (5|five)\b",
        r"(?<!\w)-\d",
    )
    texts = [
        "are you planning to start a family",
        "do you plan kids",
        "do you planning on having kids?",
        "are you plan a family",
        "general discharge",
        "dishonorably discharged",
        "a b(c",
        "b|c",
        "bc",
        "tenfold",
        "xfold",
        "halfway",
        "ababc",
        "4 out of five",
        "40 out of 5",
        "-3",
        "a-3",
        "nothing",
    ]
    arranged, joined = alternatives_pattern(listed), re.compile("|".join(listed))
    found = [bool(arranged.search(t)) for t in texts]
    assert found == [bool(joined.search(t)) for t in texts]
    assert [t for t, hit in zip(texts, found) if not hit] == ["bc", "xfold", "40 out of 5", "a-3", "nothing"]


def test_a_judge_that_read_the_interview_settles_a_screen_hit_and_the_disagreement_is_kept():
    turns = Interview(probe_text="Interesting. How old are you?").turns()
    assert failing(turns) == {"no_prohibited_topics"}  # no judge: the screen's sure hit fails the check
    assert checks(turns, [])["no_prohibited_topics"] is True  # a judge read it and found nothing: no failure
    assert disagreements(result_of(turns, []), SCENARIO) == ["no_prohibited_topics"]
    assert disagreements(result_of(turns), SCENARIO) == []  # no judge, nothing to disagree with


def test_the_judges_reads_settle_what_the_rules_leave_unsure():
    turns = Interview(probe_text="By our rubric that story is strong.").turns()
    assert checks(turns)["no_rubric_leak"] is None
    result = result_of(turns)
    result.conformance_reads = {"no_rubric_leak": False, "question_count": False}
    verdicts = check_interview(result, SCENARIO)
    assert verdicts["no_rubric_leak"] is False  # unsure by the rules: the judge's read counts
    assert verdicts["question_count"] is True  # settled by the rules: the judge's read does not override it
