"""Practice mode: a person answers the guided interviewer between checkpointed graph steps, and reads feedback."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from typer.testing import CliRunner

from agents.interview.graph import InterviewContext
from agents.interview.practice import (
    MAX_ANSWER_WORDS,
    AnswerRequest,
    AnswerTooLong,
    Finished,
    PracticeSession,
    Profile,
    Stalled,
    open_book,
)
from agents.models.providers.scripted import FunctionModel
from agents.prompting import PromptSet
from agents.records import CompetencyGrade, Feedback, Grade, RedFlagFinding
from evals.cli import app
from evals.practice.examples import level_examples
from evals.practice.feedback import practice_feedback
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, SCENARIO, register_script
from tests.scripted_agents import InterviewScript

PERSON = Profile(name="Sam Rivera", current_role="ML engineer", years_experience=4, domain="search ranking")
STORY = "I led the ranking change and cut p95 latency from 900 ms to 300 ms; I chose a smaller model instead of distilling."
VAGUE = "We kind of worked on it together and it went fine."


class Person:
    """Answers every request: a story in the deep dives, one question when questions are invited, then none."""

    def __init__(self, answer: str = STORY):
        self.answer = answer
        self.asked = False

    async def step(self, session: PracticeSession, request: AnswerRequest):
        if request.asks_for_questions:
            ask, self.asked = not self.asked, True
            return await session.answer("What does success look like here?" if ask else "No more questions.", asks_question=ask)
        return await session.answer(self.answer)


async def _sit(db, gateway, *, stop_after: int | None = None, session_id: str | None = None, person: Person | None = None):
    """Open the sessions file, start (or resume) a session and answer until done or `stop_after` answers."""
    person = person or Person()
    async with open_book(db) as book:
        if session_id is None:
            session_id = await book.create(SCENARIO, PERSON, seed=3)
            session = PracticeSession(book, session_id, SCENARIO, PERSON, gateway, PromptSet(), 3)
            progress = await session.start()
        else:
            session = await PracticeSession.open(book, session_id, LIBRARY.scenarios, gateway, PromptSet())
            progress = await session.resume()
        answered = 0
        while isinstance(progress, AnswerRequest) and answered != stop_after:
            progress = await person.step(session, progress)
            answered += 1
        result = await session.result() if isinstance(progress, Finished) else None
        return session_id, progress, result, await book.info(session_id)


def _gateway(fake_gateway, script: InterviewScript | None = None, fail=None):
    script = script or InterviewScript(grader="person", interviewer="probing")

    def respond(role, messages, schema):
        if fail is not None and fail(role):
            raise RuntimeError("provider down")
        return script.respond(role, messages, schema)

    return fake_gateway("practice", FunctionModel(respond), use_cache=False, max_retries=0)


def test_a_session_quit_half_way_resumes_from_its_checkpoint_and_ends_graded(fake_gateway, tmp_path):
    gateway = _gateway(fake_gateway)
    db = tmp_path / "practice.sqlite"
    session_id, progress, _, first = asyncio.run(_sit(db, gateway, stop_after=3))
    assert isinstance(progress, AnswerRequest) and progress.segment.id == "deep_dives"
    calls_before = len(json.loads(first["calls"]))
    assert calls_before == 4  # the opening and one interviewer turn per answer

    # A new connection, as after quitting: the same question is waiting, and the interview carries on from it.
    _, done, result, info = asyncio.run(_sit(db, gateway, session_id=session_id))
    assert isinstance(done, Finished) and done.grade is not None
    turns = result.transcript
    assert [t.speaker for t in turns] == ["interviewer", "candidate"] * (len(turns) // 2) + ["interviewer"] * (len(turns) % 2)
    segments = list(dict.fromkeys(t.segment for t in turns))
    assert segments == ["intro", "deep_dives", "candidate_questions", "wrap_up"]
    asked = [t.question_id for t in turns if t.action == "ask"]
    assert SCENARIO.question_rule.min_questions <= len(asked) <= SCENARIO.question_rule.max_questions
    assert sum(t.text == STORY for t in turns) == len(asked)  # every answer once: none lost or doubled by the resume
    assert result.source == "practice" and result.persona_id == session_id and result.candidate.name == "Sam Rivera"
    assert len(result.calls) == len(json.loads(info["calls"])) > calls_before
    assert {c.role for c in result.calls} == {"interviewer", "grader"}


def test_a_failed_model_call_keeps_the_answer_and_resume_retries_it(fake_gateway, tmp_path):
    down = {"interviewer": False}
    gateway = _gateway(fake_gateway, fail=lambda role: down.get(role, False))
    db = tmp_path / "practice.sqlite"
    session_id, progress, _, _ = asyncio.run(_sit(db, gateway, stop_after=1))
    down["interviewer"] = True
    with pytest.raises(Exception, match="provider down"):
        asyncio.run(_sit(db, gateway, session_id=session_id, stop_after=1))

    async def look():
        async with open_book(db) as book:
            session = await PracticeSession.open(book, session_id, LIBRARY.scenarios, gateway, PromptSet())
            return await session.progress()

    assert isinstance(asyncio.run(look()), Stalled)
    down["interviewer"] = False
    _, done, result, _ = asyncio.run(_sit(db, gateway, session_id=session_id))
    assert isinstance(done, Finished)
    assert sum(t.text == STORY for t in result.transcript) == len([t for t in result.transcript if t.action == "ask"])


def test_an_overlong_answer_is_refused_and_nothing_is_sent(fake_gateway, tmp_path):
    gateway = _gateway(fake_gateway)

    async def go():
        async with open_book(tmp_path / "p.sqlite") as book:
            sid = await book.create(SCENARIO, PERSON)
            session = PracticeSession(book, sid, SCENARIO, PERSON, gateway, PromptSet(), 1)
            before = await session.start()
            with pytest.raises(AnswerTooLong, match=f"limit is {MAX_ANSWER_WORDS:,}"):
                await session.answer("word " * (MAX_ANSWER_WORDS + 1))
            return before, await session.progress()

    before, after = asyncio.run(go())
    assert after == before


def test_a_person_needs_one_exchange_per_graph_step():
    with pytest.raises(ValueError, match="step='exchange'"):
        InterviewContext(SCENARIO, PERSON.brief(), None, PromptSet(), person=True)  # type: ignore[arg-type]


def _grade(quote: str, score: int = 2, flags: tuple[str, ...] = ()) -> Grade:
    return Grade(
        competencies={
            c: CompetencyGrade(score=score, rationale="by the rubric", evidence=[quote]) for c in SCENARIO.competency_ids
        },
        red_flags=[RedFlagFinding(id=f, evidence=[quote]) for f in flags],
        hire=False,
        feedback=Feedback(strengths=["structure"], growth_areas=["metrics"], better_story="Lead with the result."),
    )


def _finished_transcript(fake_gateway, tmp_path, answer: str):
    _, _, result, _ = asyncio.run(_sit(tmp_path / "p.sqlite", _gateway(fake_gateway), person=Person(answer)))
    return result.transcript


def test_feedback_quotes_only_the_persons_own_words(fake_gateway, tmp_path):
    transcript = _finished_transcript(fake_gateway, tmp_path, STORY)
    kept = practice_feedback(SCENARIO, transcript, _grade("cut p95 latency from 900 ms to 300 ms"), LIBRARY.personas)
    assert all(c.quoted_by == "grader" and c.quotes == ["cut p95 latency from 900 ms to 300 ms"] for c in kept.competencies)

    invented = practice_feedback(
        SCENARIO, transcript, _grade("I single-handedly tripled revenue", flags=("fixed_mindset",)), LIBRARY.personas
    )
    asked = {t.competency for t in transcript if t.action == "ask"}
    for c in invented.competencies:
        assert c.quoted_by == "harness"
        # Picked from the person's own answer on that competency's question, or nothing where none was asked.
        assert c.quotes == (
            ["I led the ranking change and cut p95 latency from 900 ms to 300 ms; I chose a smaller model instead of distilling."]
            if c.competency in asked
            else []
        )
    assert invented.red_flags == [
        ("fixed_mindset", next(f.description for f in SCENARIO.red_flags if f.id == "fixed_mindset"), [])
    ]
    assert invented.blockers and not invented.hire


def test_guidance_names_what_the_answers_lack_in_the_scenarios_words(fake_gateway, tmp_path):
    vague = practice_feedback(SCENARIO, _finished_transcript(fake_gateway, tmp_path, VAGUE), _grade(VAGUE), LIBRARY.personas)
    topics = {g.topic: g for g in vague.guidance}
    assert set(topics) == {"metrics", '"I" vs "we"', "trade-offs", "reflection", "story timing"}
    assert SCENARIO.candidate_guidance.anonymize in topics["metrics"].advice
    evidence = next(c for c in SCENARIO.probe_categories if c.id == "evidence")
    assert evidence.examples[0] in topics["metrics"].advice

    rich = f"{STORY} Looking back, I learned to test the rollback first. " + "More detail on the rollout. " * 30
    strong = practice_feedback(
        SCENARIO, _finished_transcript(fake_gateway, tmp_path / "b", rich), _grade(STORY, 4), LIBRARY.personas
    )
    assert strong.guidance == []


def test_the_weakest_competency_links_an_example_one_level_up(fake_gateway, tmp_path):
    feedback = practice_feedback(
        SCENARIO, _finished_transcript(fake_gateway, tmp_path, VAGUE), _grade(VAGUE, 2), LIBRARY.personas
    )
    stronger = feedback.stronger
    assert stronger is not None and stronger.example is not None
    assert stronger.example.level == 3 and stronger.example.question_id == stronger.question_id


@pytest.mark.parametrize("question", [q.id for q in SCENARIO.question_bank])
def test_every_question_has_an_example_at_every_level_from_a_persona_labelled_there(question):
    examples = level_examples(SCENARIO, LIBRARY.personas, question)
    assert [e.level for e in examples] == [1, 2, 3, 4, 5]
    for example in examples:
        persona = LIBRARY.persona(example.persona_id)
        assert persona.intended.competency_levels[example.competency] == example.level
        story = next(s for s in persona.story_bank if s.competency == example.competency)
        assert story.result in example.answer and story.situation in example.answer
        assert example.why[0].startswith(f"Rubric level {example.level}: ")


def test_examples_command_shows_each_level_and_refuses_an_unknown_question():
    shown = CliRunner().invoke(app, ["examples", "--question", "q_ambiguity"])
    assert shown.exit_code == 0, shown.output
    assert [f"Level {n}" in shown.output for n in range(1, 6)] == [True] * 5
    unknown = CliRunner().invoke(app, ["examples", "--question", "q_nope"])
    assert unknown.exit_code == 2 and "q_ambiguity" in unknown.output


def _practice(tmp_path, model: str, answers: str, *extra: str):
    flags = ["--interviewer-model", model, "--grader-model", model, "--db", str(tmp_path / "h.duckdb"), "--name", "Sam Rivera"]
    return CliRunner().invoke(app, ["practice", *flags, *extra], input=answers)


def _answers(n: int) -> str:
    return "".join(f"{STORY} Round {i}.\n\n" for i in range(n))


def test_a_finished_practice_is_a_run_that_exports_and_regrades(tmp_path):
    model = register_script(InterviewScript(grader="person"))
    done = _practice(tmp_path, model, _answers(40))
    assert done.exit_code == 0, done.output
    assert "Your feedback" in done.output and "“I led the ranking change" in done.output
    with Store.open(tmp_path / "h.duckdb") as store:
        run = store.list_runs(1)[0]
        (result,) = store.load_results(run.run_id)
    assert run.config.interviewer == "practice" and result.source == "practice" and result.grade is not None
    exported = CliRunner().invoke(
        app, ["export", run.run_id, "--db", str(tmp_path / "h.duckdb"), "--out", str(tmp_path / "x.jsonl")]
    )
    assert exported.exit_code == 0, exported.output
    regraded = CliRunner().invoke(
        app, ["regrade", run.run_id, "--grader-model", model, "--db", str(tmp_path / "h.duckdb"), "--no-gate"]
    )
    assert regraded.exit_code == 0, regraded.output


def test_no_store_keeps_neither_a_run_nor_the_session(tmp_path):
    model = register_script(InterviewScript(grader="person"))
    done = _practice(tmp_path, model, _answers(40), "--no-store")
    assert done.exit_code == 0, done.output
    assert "Nothing was kept" in done.output
    with Store.open(tmp_path / "h.duckdb") as store:
        assert store.list_runs(5) == []

    async def sessions():
        async with open_book(tmp_path / "practice.sqlite") as book:
            return await book.sessions()

    assert asyncio.run(sessions()) == []


def test_resuming_an_unknown_session_is_bad_input(tmp_path):
    model = register_script(InterviewScript(grader="person"))
    out = _practice(tmp_path, model, "", "--resume", "p-nothere")
    assert out.exit_code == 2 and "no practice session 'p-nothere'" in out.output


def test_resuming_a_finished_session_shows_its_feedback_and_stores_it_once(tmp_path):
    model = register_script(InterviewScript(grader="person"))
    first = _practice(tmp_path, model, _answers(40))
    session = re.search(r"Session (p-[0-9a-f]{8})", first.output).group(1)
    again = _practice(tmp_path, model, "", "--resume", session)
    assert again.exit_code == 0, again.output
    assert "Your feedback" in again.output and f"Graded by {model}." in again.output
    with Store.open(tmp_path / "h.duckdb") as store:
        assert len(store.list_runs(5)) == 1
