"""One interview reduced, once, to everything the run's checks need.

A digest holds the interview's unit, the counting baseline's scores, the annotator's agreement,
talk share, probe depth, the findings in the grader's own words, the error and the model calls' totals
per role. It is made when the interview is reviewed and saved beside it. `finalize` over 10,000
interviews then reads a few kilobytes each, instead of parsing, screening and re-grading every
transcript: about 3 ms an interview, spread over the run while the models answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter

from agents.models.providers.baseline import counting_verdict
from agents.prompting import DEFAULT_TEMPLATES, PROMPT_DIR, PromptTemplate
from agents.records import CallRecord, InterviewResult, structured_moves
from agents.roles.grader import grader_messages
from evals.metrics.code_stamp import import_closure, source_hash
from evals.metrics.conformance import probe_depth
from evals.metrics.grader_text import GraderTextHit, screen_grade
from evals.metrics.units import InterviewUnit, build_unit, labels_of
from personas.model import Intended, Persona
from scenarios.model import Scenario

CALL_TOTALS = ("cost_usd", "prompt_tokens", "completion_tokens", "calls", "latency_s", "cache_hits", "unknown_cost")


@dataclasses.dataclass
class InterviewDigest:
    """What the checks read of one interview."""

    unit: InterviewUnit
    status: str
    error: str | None
    counting: list[int | None]  # the counting baseline's score on each of `unit.competencies`
    annotator: dict[str, tuple[int, int]]  # scope -> (turns the annotator read as labelled, turns read)
    talk_share: float | None  # the interviewer's share of the words spoken
    probes: int
    questions: int
    calls: dict[str, dict[str, float]]  # role -> CALL_TOTALS
    code: str = ""  # `digest_code()` of the harness that made it; a digest saved without one predates the stamp
    grader_text: list[GraderTextHit] = dataclasses.field(default_factory=list)  # the grader's words screened

    @property
    def baseline_unit(self) -> InterviewUnit:
        """The unit as the counting baseline would have graded it (an ungraded interview stays as it is)."""
        return dataclasses.replace(self.unit, graded=self.counting) if self.unit.completed else self.unit


_ADAPTER = TypeAdapter(InterviewDigest)


def dump_digest(digest: InterviewDigest) -> str:
    return _ADAPTER.dump_json(digest).decode()


def load_digest(text: str) -> InterviewDigest:
    return _ADAPTER.validate_json(text)


@cache
def digest_code() -> str:
    """A hash of the code digests are made by (this module and all it imports of the harness) and of the packaged
    grader prompt the counting baseline reads.

    A digest made by another version of that code may hold what this one would compute differently: readers that
    outlive a run (`compare`) make such an interview's unit again from the interview itself."""
    root = Path(__file__).resolve().parents[2]
    modules = import_closure(root, __name__, ("agents", "evals", "scenarios", "personas"))
    return source_hash(root, modules, [PROMPT_DIR / DEFAULT_TEMPLATES["grader"]])


@cache
def _packaged_grader() -> PromptTemplate:
    """The grader prompt the counting baseline reads a transcript through: the packaged one, whatever the run's."""
    return PromptTemplate.load("grader", PROMPT_DIR / DEFAULT_TEMPLATES["grader"])


def digest_of(result: InterviewResult, labels: Intended | None, scenario: Scenario) -> InterviewDigest:
    """The interview's digest, against `labels` (see `units.labels_of`)."""
    unit = build_unit(result, labels, scenario)
    counting: list[int | None] = []
    if unit.completed:
        messages = grader_messages(_packaged_grader(), scenario, result.transcript, result.candidate)
        prompt = "\n".join(m["content"] for m in messages)
        scores = counting_verdict(prompt, scenario.competency_ids)["competencies"]
        counting = [scores[c]["score"] for c in unit.competencies]
    probes, questions = probe_depth(result)
    return InterviewDigest(
        unit=unit,
        status=result.status,
        error=result.error,
        counting=counting,
        annotator=_annotator_agreement(result),
        talk_share=_talk_share(result),
        probes=probes,
        questions=questions,
        calls=call_totals(result.calls),
        code=digest_code(),
        grader_text=screen_grade(result.grade),
    )


def digest_for(result: InterviewResult, personas: dict[str, Persona], scenario: Scenario) -> InterviewDigest:
    """The interview's digest against the labels it is graded by: frozen with it, else its persona file's."""
    return digest_of(result, labels_of(result, personas), scenario)


def _annotator_agreement(result: InterviewResult) -> dict[str, tuple[int, int]]:
    """How often the annotator reads a guided interviewer's turn as the interviewer labelled it itself."""
    if not structured_moves(result.source):
        return {}
    pairs = [(t, t.annotation) for t in result.transcript if t.annotation is not None]
    # The guided interviewer's opening is its "ask" move in the intro; read from its words it is introductions: "other".
    own = lambda t: None if t.segment == "intro" or t.action == "other" else t.action  # noqa: E731
    agreed = {
        "action": [(a.action if a.action != "other" else None) == own(t) for t, a in pairs],
        "question": [a.question_id == t.question_id for t, a in pairs if t.action == "ask" and t.question_id],
        "segment": [a.segment == t.segment for t, a in pairs],
    }
    return {scope: (sum(marks), len(marks)) for scope, marks in agreed.items() if marks}


def _talk_share(result: InterviewResult) -> float | None:
    words = {"interviewer": 0, "candidate": 0}
    for t in result.transcript:
        words[t.speaker] += len(t.text.split())
    total = sum(words.values())
    return words["interviewer"] / total if total else None


def call_totals(calls: Iterable[CallRecord]) -> dict[str, dict[str, float]]:
    """Per role: calls, tokens, model seconds, cache hits, cost, and calls of unknown cost."""
    totals: dict[str, dict[str, float]] = {}
    for c in calls:
        t = totals.setdefault(c.role, dict.fromkeys(CALL_TOTALS, 0.0))
        t["cost_usd"] += c.cost_usd
        t["prompt_tokens"] += c.prompt_tokens
        t["completion_tokens"] += c.completion_tokens
        t["calls"] += 1
        t["latency_s"] += c.latency_s
        t["cache_hits"] += c.cache_hit
        t["unknown_cost"] += not c.cost_known
    return totals
