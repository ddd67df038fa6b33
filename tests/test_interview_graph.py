"""The interview graph on scripted models: every branch of the format, errors, and concurrency."""

from __future__ import annotations

import asyncio

from agents.interview.batch import InterviewJob, run_interview, run_interviews
from agents.interview.format_rules import covered_competencies
from agents.interview.graph import InterviewContext, compiled_graph, initial_state, interview_config
from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway
from agents.models.providers.scripted import FunctionModel, register_scripted
from agents.prompting import PromptSet
from scenarios.model import SEGMENT_ORDER
from tests.conftest_helpers import LIBRARY, SCENARIO, scripted_gateway
from tests.scripted_agents import InterviewScript


def interview(persona_id: str, script: InterviewScript | None = None, **kwargs):
    gateway, _ = scripted_gateway(script)
    return asyncio.run(run_interview(SCENARIO, LIBRARY.persona(persona_id), gateway, seed=7, **kwargs))


def asks(result):
    return [t for t in result.transcript if t.action == "ask" and t.segment == "deep_dives"]


def segments_in_order(result):
    return segments_in_order_of(result.transcript)


def segments_in_order_of(transcript):
    seen = []
    for turn in transcript:
        if not seen or seen[-1] != turn.segment:
            seen.append(turn.segment)
    return seen


def test_full_interview_runs_every_segment_in_order_and_grades():
    result = interview("jordan-inference", InterviewScript(interviewer="minimal"))
    assert result.status == "completed", result.error
    assert segments_in_order(result) == list(SEGMENT_ORDER)
    assert result.stop_reason == "closed"
    questions = [t.question_id for t in asks(result)]
    assert len(questions) == 5 and len(set(questions)) == 5
    assert len(covered_competencies(SCENARIO, questions)) >= 4
    assert result.transcript[-1].action == "close"
    # speakers alternate until the interviewer closes
    speakers = [t.speaker for t in result.transcript]
    assert all(a != b for a, b in zip(speakers, speakers[1:]))
    assert set(result.grade.competencies) == set(SCENARIO.competency_ids)
    assert result.grade.hire is True  # oracle scores of a hire persona, decided by the hire bar
    assert {c.role for c in result.calls} == {"interviewer", "candidate", "grader"}
    assert set(result.prompt_hashes) >= {"interviewer", "candidate", "grader"}


def test_probes_for_evidence_when_answers_lack_metrics():
    result = interview("dana-ranking")  # level 1: the scripted candidate gives no numbers
    probes = [t for t in result.transcript if t.action == "probe"]
    assert probes, "an answer without a metric should draw a probe"
    assert {p.probe_category for p in probes} == {"evidence"}
    for probe in probes:
        previous_ask = next(t for t in reversed(result.transcript[: probe.index]) if t.action == "ask")
        assert probe.question_id == previous_ask.question_id
    per_question = {q: sum(1 for p in probes if p.question_id == q) for q in {p.question_id for p in probes}}
    assert max(per_question.values()) <= SCENARIO.question_rule.max_probes_per_question


def test_moves_on_without_probing_when_answers_have_metrics():
    result = interview("amara-imaging", InterviewScript(interviewer="probing"))
    assert result.status == "completed"
    assert not [t for t in result.transcript if t.action == "probe"]


def test_greedy_interviewer_is_capped_at_seven_distinct_questions():
    result = interview("mei-defects", InterviewScript(interviewer="greedy"))
    questions = [t.question_id for t in asks(result)]
    assert len(questions) == SCENARIO.question_rule.max_questions
    assert len(set(questions)) == len(questions)
    assert segments_in_order(result) == list(SEGMENT_ORDER)


def test_deep_dives_close_when_the_clock_runs_out():
    # 1,500-word answers take 10 simulated minutes each.
    result = interview("mei-defects", InterviewScript(interviewer="greedy", candidate_words=1500))
    transition = next(t for t in result.transcript if t.action == "transition")
    deep_start = next(t for t in result.transcript if t.segment == "deep_dives").minute
    assert len(asks(result)) < SCENARIO.question_rule.min_questions
    assert transition.minute - deep_start >= SCENARIO.segment("deep_dives").max_minutes
    assert segments_in_order(result) == list(SEGMENT_ORDER)


def test_turn_cap_stops_a_runaway_interview_and_still_grades():
    result = interview("mei-defects", max_turns=6)
    assert len(result.transcript) == 6
    assert result.stop_reason == "turn_cap"
    assert result.grade is not None and result.status == "completed"


def test_grader_reply_that_fails_validation_is_an_error_not_a_score():
    result = interview("mei-defects", InterviewScript(grader="invalid"))
    assert result.status == "error"
    assert result.grade is None
    assert result.error.startswith("grader:")
    assert result.transcript, "the conversation is kept for diagnosis"
    grader_calls = [c for c in result.calls if c.role == "grader"]
    assert grader_calls and grader_calls[-1].error


def test_one_failing_interview_does_not_stop_the_others():
    gateway, _ = scripted_gateway(InterviewScript(fail_for="Mei Chen"))
    ids = ["mei-defects", "dana-ranking", "amara-imaging"]
    jobs = [InterviewJob(SCENARIO, LIBRARY.persona(pid), seed=i) for i, pid in enumerate(ids)]
    seen = []
    results = asyncio.run(run_interviews(jobs, gateway, concurrency=3, on_result=seen.append))
    by_id = {r.persona_id: r for r in results}
    assert by_id["mei-defects"].status == "error"
    assert "scripted candidate failure" in by_id["mei-defects"].error
    assert by_id["dana-ranking"].status == by_id["amara-imaging"].status == "completed"
    assert sorted(r.persona_id for r in seen) == sorted(ids)


def test_fifty_interviews_run_concurrently():
    # Concurrency is shown by how many model calls are in flight at once, not by wall-clock time
    # (machines here differ by 1.5x in speed).
    script = InterviewScript()
    in_flight, peak = 0, 0

    async def respond(role, messages, schema):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.01)
            return script.respond(role, messages, schema)
        finally:
            in_flight -= 1

    script.personas = {p.display_name: p for p in LIBRARY.personas.values()}
    register_scripted("fifty", FunctionModel(respond))
    gateway = Gateway(ModelsConfig.for_all("scripted/fifty"), use_cache=False, concurrency=64)
    personas = sorted(LIBRARY.personas.values(), key=lambda p: p.id)
    jobs = [InterviewJob(SCENARIO, personas[i % len(personas)], seed=i, trial=i // len(personas)) for i in range(50)]
    results = asyncio.run(run_interviews(jobs, gateway, concurrency=50))
    assert [r.status for r in results] == ["completed"] * 50
    assert peak >= 40, f"only {peak} model calls were ever in flight at once"


def graph_steps(step: str) -> tuple[list[str], list]:
    """The nodes each graph step ran, and the final transcript, for one scripted interview at this granularity."""
    gateway, _ = scripted_gateway(InterviewScript(interviewer="minimal"))
    brief = LIBRARY.persona("jordan-inference").brief()
    ctx = InterviewContext(SCENARIO, brief, gateway.session(seed=7), PromptSet(), step=step)

    async def run() -> list[dict]:
        stream = compiled_graph().astream(initial_state(), config=interview_config(ctx), stream_mode="updates")
        return [update async for update in stream]

    updates = asyncio.run(run())
    nodes = [name for update in updates for name in update]
    last = {key: value for update in updates for node in update.values() for key, value in node.items()}
    assert last["grade"] is not None  # graded either way
    return nodes, last["transcript"]


def test_a_graph_step_holds_the_conversation_or_one_exchange_and_both_say_the_same():
    whole, transcript = graph_steps("interview")
    by_exchange, same_transcript = graph_steps("exchange")
    assert [t.model_dump() for t in transcript] == [t.model_dump() for t in same_transcript]
    assert len(segments_in_order_of(transcript)) == 4  # a whole interview, every segment in one step
    assert whole == ["conversation"]  # graded in the same step
    assert by_exchange == ["conversation"] * sum(t.speaker == "interviewer" for t in transcript) + ["grader"]
