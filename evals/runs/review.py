"""Reviewing a finished interview: annotate the interviewer's turns, grade it when needed, and have the judge read it.

Simulated interviews arrive graded; imported ones are graded here; a regrade grades frozen transcripts
again and keeps every other reading of the original.
"""

from __future__ import annotations

from typing import Literal

from agents.interview.annotation import annotate
from agents.models.gateway import Gateway, ModelCallError
from agents.prompting import PromptSet
from agents.records import InterviewResult, TurnAnnotation, persona_candidate, structured_moves
from agents.roles.grader import grade_transcript
from agents.roles.judge import judge_conformance, judge_fidelity, judge_topics
from evals.metrics.conformance import unsure_checks
from scenarios.model import Scenario

Annotator = Literal["rules", "judge"]


def apply_annotations(result: InterviewResult, labels: dict[int, TurnAnnotation]) -> None:
    """Attach the labels to the interviewer turns. For any interviewer but the guided one they become the turns'
    own segment, action and question, which conformance reads; a candidate turn takes the segment of the turn before."""
    segment = None
    for turn in result.transcript:
        label = labels.get(turn.index)
        if label is not None:
            turn.annotation = label
            if not structured_moves(result.source):
                turn.segment = label.segment
                turn.action = None if label.action == "other" else label.action
                turn.question_id = label.question_id
                turn.probe_category = label.probe_category
            segment = turn.segment
        elif not structured_moves(result.source) and segment is not None:
            turn.segment = segment


async def annotate_result(
    result: InterviewResult, scenario: Scenario, gateway: Gateway, prompts: PromptSet, annotator: Annotator
) -> None:
    """Label every interviewer turn: rules first, then (unless `annotator` is 'rules') the judge for what they leave open."""
    client = gateway.session(seed=result.seed)
    try:
        labels = await annotate(
            result.transcript, scenario, client if annotator == "judge" else None, prompts["judge_annotations"]
        )
    except ModelCallError:
        labels = await annotate(result.transcript, scenario)  # the judge failed: the rules' labels stand
    apply_annotations(result, labels)
    result.calls += client.calls


async def judge_result(
    result: InterviewResult, scenario: Scenario, gateway: Gateway, prompts: PromptSet, *, fidelity: bool = True
) -> None:
    """Add the prohibited-topic audit and (for personas) the judge's blind read of how the candidate played."""
    client = gateway.session(seed=result.seed)
    try:
        result.violations = await judge_topics(client, prompts["judge_topics"], scenario, result.transcript)
        if fidelity:
            result.fidelity = await judge_fidelity(client, prompts["judge_fidelity"], scenario, result.transcript)
    except ModelCallError:
        pass  # the failed call is in the accounting; a missing judgment is reported as not judged
    result.calls += client.calls


async def grade_result(result: InterviewResult, scenario: Scenario, gateway: Gateway, prompts: PromptSet) -> None:
    """Grade a transcript that arrived without a grade (a recording, or a regrade); an error result on failure."""
    client = gateway.session(seed=result.seed)
    try:
        result.grade = await grade_transcript(client, prompts["grader"], scenario, result.transcript, result.candidate)
        result.status, result.error = "completed", None
    except ModelCallError as exc:
        result.grade, result.status, result.error = None, "error", f"grader: {exc}"
    result.calls += client.calls


async def review_result(
    result: InterviewResult, scenario: Scenario, gateway: Gateway, prompts: PromptSet, annotator: Annotator, *, grade: bool
) -> None:
    """Everything after the conversation: annotation, the grade when `grade`, the judge's audit (and fidelity for personas)."""
    if not result.transcript:
        return
    await annotate_result(result, scenario, gateway, prompts, annotator)
    if grade:
        await grade_result(result, scenario, gateway, prompts)
    await judge_result(result, scenario, gateway, prompts, fidelity=persona_candidate(result.source))
    if annotator == "judge":
        await judge_unsure_checks(result, scenario, gateway, prompts)


async def judge_unsure_checks(result: InterviewResult, scenario: Scenario, gateway: Gateway, prompts: PromptSet) -> None:
    """Have the judge read the checks the rules could not settle (the structural ones too: questions asked, segments,
    the invitation, next steps); its reads settle them, and are kept with the interview."""
    unsure = unsure_checks(result, scenario)
    if not unsure:
        return
    client = gateway.session(seed=result.seed)
    try:
        result.conformance_reads = await judge_conformance(
            client, prompts["judge_conformance"], scenario, result.transcript, unsure
        )
    except ModelCallError:
        pass  # the failed call is in the accounting; the checks stay unsure
    result.calls += client.calls
