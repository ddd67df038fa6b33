"""The rules annotator reads a turn by what the candidate did next, where the words alone mislead it."""

from __future__ import annotations

import asyncio

from agents.interview.annotation import RulesAnnotator, annotate
from agents.records import Turn
from tests.conftest_helpers import SCENARIO

STORY = " ".join(["We had a latency target of two hundred milliseconds and I planned the rollout in stages."] * 8)
INTRO = "Hi, I'm Sam. Please keep anything confidential out of it, and take a minute of setup per story."


def transcript(*lines: tuple[str, str]) -> list[Turn]:
    return [
        Turn(index=k, speaker=speaker, text=text, segment="?", minute=float(k), duration_minutes=1.0)  # type: ignore[arg-type]
        for k, (speaker, text) in enumerate(lines)
    ]


def labels(turns: list[Turn]) -> list[tuple[str, str, bool]]:
    found = asyncio.run(annotate(turns, SCENARIO))
    return [(found[k].segment, found[k].action, found[k].sure) for k in sorted(found)]


def test_a_cv_tailored_first_question_is_read_as_one_when_the_candidate_tells_a_story():
    tailored = "You're at Bidstream, real-time bidding. Your launch with the tight budget, how did that go?"
    turns = transcript(("interviewer", INTRO), ("candidate", "Sounds good."), ("interviewer", tailored), ("candidate", STORY))
    assert labels(turns)[1] == ("deep_dives", "ask", False)  # unsure: a reader confirms it
    # The same words answered in a line are small talk in the opening.
    short = transcript(("interviewer", INTRO), ("candidate", "Sounds good."), ("interviewer", tailored), ("candidate", "Fine."))
    assert labels(short)[1][:2] == ("intro", "other")


def test_a_background_request_answered_at_length_is_not_a_main_question():
    turns = transcript(
        ("interviewer", INTRO),
        ("candidate", "Sure."),
        ("interviewer", "Could you tell me about your background?"),
        ("candidate", STORY),
    )
    assert labels(turns)[1][:2] == ("intro", "other")


def test_small_talk_misread_as_a_question_is_set_aside_when_it_draws_a_word():
    turns = transcript(
        ("interviewer", "Hello, can you hear me?"),
        ("candidate", "A bit quiet."),
        ("interviewer", "Let me move closer to the router. Is that better?"),
        ("candidate", "Yes, much better."),
        ("interviewer", INTRO),
    )
    assert [action for _, action, _ in labels(turns)] == ["other", "other", "other"]


def test_an_invitation_before_the_first_question_is_the_format_unless_the_candidate_starts_asking():
    format_said = "And in the end we have ten minutes for your questions. Okay?"
    described = transcript(
        ("interviewer", INTRO), ("candidate", "Great."), ("interviewer", format_said), ("candidate", "Sounds good.")
    )
    assert labels(described)[1] == ("intro", "other", True)
    invitation = "So, what would you like to know about the team?"
    taken_up = transcript(("interviewer", invitation), ("candidate", "Actually, what does the on-call rotation look like?"))
    assert labels(taken_up)[0] == ("candidate_questions", "transition", True)
    let_go = transcript(("interviewer", invitation), ("candidate", "Nothing yet, thanks."), ("interviewer", INTRO))
    assert labels(let_go)[0] == ("intro", "other", True)
    # Live, with no reply yet, only a reader can tell.
    live = RulesAnnotator(SCENARIO).interviewer_said(invitation)
    assert (live.action, live.sure) == ("transition", False)


def test_an_answer_to_the_candidates_question_is_no_main_question_whatever_its_topic_words():
    ask = "Tell me about a time you and a PM disagreed on an AI approach."
    answer = "We work closely with customers and telemetry: engineers join feedback calls and the PMs bring the roadmap."
    turns = transcript(
        ("interviewer", ask),
        ("candidate", STORY),
        ("interviewer", "Great, that's all from me. What would you like to know?"),
        ("candidate", "How much contact do engineers have with customers?"),
        ("interviewer", answer),
    )
    assert labels(turns)[2][:2] == ("candidate_questions", "answer_candidate")


def test_a_question_asked_after_the_close_is_answered_in_the_close():
    turns = transcript(
        ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
        ("candidate", STORY),
        ("interviewer", "Thanks, that's all from me. The recruiter will be in touch with next steps within a week."),
        ("candidate", "Great. Is there anything else you need from me, like references?"),
        ("interviewer", "Nope, nothing from me. Take care, and good luck."),
    )
    assert labels(turns)[2][0] == "wrap_up"


def test_the_last_question_before_the_candidates_is_no_invitation():
    turns = transcript(
        ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
        ("candidate", STORY),
        ("interviewer", "Roger. Last item before your questions. Something you learned recently. How'd you apply it?"),
        ("candidate", STORY),
    )
    segment, action, _ = labels(turns)[1]
    assert segment == "deep_dives" and action != "transition"


def test_a_story_asked_for_in_the_imperative_on_another_topic_is_a_main_question():
    turns = transcript(
        ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
        ("candidate", STORY),
        ("interviewer", "Okay. Growth. Tell me about some feedback you got, and what you did with it."),
        ("candidate", STORY),
    )
    assert labels(turns)[1][:2] == ("deep_dives", "ask")


def test_an_invitation_that_ends_the_turn_opens_the_candidates_questions_whatever_came_before():
    early = (
        "I may get pulled into a call at the end, so let's do your questions now, and then we'll come back to a few "
        "more of my questions afterwards. What would you like to ask me?"
    )
    for invitation in (early, "Okay. That's my questions. Yours?", "So to be safe. What all questions do you have for me?"):
        turns = transcript(
            ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
            ("candidate", STORY),
            ("interviewer", invitation),
            ("candidate", "What does on-call look like?"),
        )
        assert labels(turns)[1][:2] == ("candidate_questions", "transition"), invitation


def test_a_terse_request_for_a_new_story_is_a_main_question_and_a_noted_pause_only_acknowledges():
    turns = transcript(
        ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
        ("candidate", STORY),
        ("interviewer", "(pause) Okay."),
        ("interviewer", "Tell me about someone you clashed with."),
        ("candidate", STORY),
        ("interviewer", "Tell me about another time he did that."),
        ("candidate", STORY),
    )
    assert [label[:2] for label in labels(turns)[1:]] == [
        ("deep_dives", "other"),
        ("deep_dives", "ask"),
        ("deep_dives", "probe"),
    ]


def test_one_more_story_is_counted_and_a_moment_of_the_story_being_told_is_not():
    turns = transcript(
        ("interviewer", "Tell me about a time you and a PM disagreed on an AI approach."),
        ("candidate", STORY),
        ("interviewer", "Love that. Was there a moment where it got tense, and what did you do in that moment?"),
        ("candidate", STORY),
        ("interviewer", "Copy. Next item. A failure. What happened, what you learned."),
        ("candidate", STORY),
        ("interviewer", "Good. One more, because I'm curious. What's the thing you've built that you're proudest of?"),
        ("candidate", STORY),
    )
    assert [label[1] for label in labels(turns)] == ["ask", "probe", "ask", "ask"]


def test_small_talk_about_the_days_interviews_asks_no_question():
    turns = transcript(
        ("interviewer", "Hi, can you hear me?"),
        ("candidate", "Yes, fine."),
        ("interviewer", "Oh good. How's your day going so far? Is this your first one today?"),
        ("candidate", "Second one. The first was the coding round."),
    )
    assert labels(turns)[1][1] != "ask"


def test_a_pause_to_take_notes_asks_nothing_and_a_request_for_one_of_what_was_said_follows_up():
    turns = transcript(
        ("interviewer", "Tell me about a time you turned a vague ask into an AI feature."),
        ("candidate", STORY),
        ("interviewer", "Noting: CEO liked the demo. Give me a second, I'm catching up on my typing."),
        ("candidate", STORY),
        ("interviewer", "Mm. Okay. Give me one of the four assumptions. What was the test, who owned it?"),
        ("candidate", STORY),
    )
    assert [label[1] for label in labels(turns)] == ["ask", "other", "probe"]


def test_a_request_for_the_candidates_own_summary_before_the_first_question_is_no_main_question():
    for request in (
        "Before first question, maybe one minute about you, where you are now, what you do day to day.",
        "Before I start firing questions, give me the sixty-second version of you. I've read the CV.",
    ):
        turns = transcript(("interviewer", INTRO), ("candidate", "Sounds good."), ("interviewer", request), ("candidate", STORY))
        assert labels(turns)[1][:2] == ("intro", "other"), request
