"""The records an interview produces: model calls, turns, the grade, the judge's reads, and the whole result.

Agents write them and the harness reads them; this module imports only the data layer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from personas.model import CandidateBrief, Intended
from scenarios.strict import StrictModel

ROLES = ("interviewer", "candidate", "grader", "judge")


class CallRecord(StrictModel):
    """Accounting for one model call through the gateway."""

    role: str = Field(description="Role that made the call: interviewer, candidate, grader or judge.")
    model: str = Field(description="Model string the call went to, e.g. local/smollm2-135m.")
    prompt_tokens: int = Field(default=0, description="Tokens sent.")
    completion_tokens: int = Field(default=0, description="Tokens received.")
    latency_s: float = Field(default=0.0, description="Wall time of the call in seconds (0 on a cache hit).")
    cost_usd: float = Field(default=0.0, description="Cost from litellm's price map; 0 when unknown.")
    cost_known: bool = Field(default=False, description="False when the price map does not know the model.")
    cache_hit: bool = Field(default=False, description="Answered from the response cache.")
    retries: int = Field(default=0, description="Transport retries plus structured-output repair attempts.")
    error: str | None = Field(default=None, description="Error message when the call failed.")
    started_at: float = Field(default=0.0, description="Unix time the call started.")


Action = Literal["ask", "probe", "transition", "answer_candidate", "close"]
AnnotatedAction = Literal["ask", "probe", "transition", "answer_candidate", "close", "other"]
# guided: the harness's interviewer inside its guardrails; free: the interviewer prompt with no narrowing;
# external: the user's own interviewer (endpoint or callable); imported: a recorded interview; practice: the guided
# interviewer with a person as the candidate.
Source = Literal["guided", "free", "external", "imported", "practice"]


def structured_moves(source: Source) -> bool:
    """Whether the interviewer labelled its own turns (segment, action, question): the guided one, with a persona or a
    person. Any other interviewer's turns are labelled by the annotator from their words."""
    return source in ("guided", "practice")


def persona_candidate(source: Source) -> bool:
    """Whether the candidate was a persona of the library (simulated), not a recording or a person practising."""
    return source not in ("imported", "practice")


OFF_BANK = "off_bank"


class TurnAnnotation(StrictModel):
    """An interviewer turn as the annotator reads it from its words, whoever spoke it."""

    segment: str = Field(description="Format segment the turn belongs to.")
    action: AnnotatedAction = Field(description="What the turn does.")
    question_id: str | None = Field(
        default=None, description="Bank question asked or probed on; 'off_bank' for another question."
    )
    probe_category: str | None = Field(default=None, description="Probe category of a probe turn.")
    tier: Literal["rules", "judge"] = Field(description="Which tier set the labels: the deterministic rules or the judge model.")
    sure: bool = Field(
        default=True, description="False when the rules could not settle the turn and no judge read it: their best guess."
    )


class Turn(StrictModel):
    """One spoken turn of the interview."""

    index: int = Field(description="Position in the transcript, from 0.")
    speaker: Literal["interviewer", "candidate"] = Field(description="Who spoke.")
    text: str = Field(description="What was said.")
    segment: str = Field(description="Format segment the turn belongs to.")
    action: Action | None = Field(default=None, description="Interviewer's structured action; None for candidate turns.")
    question_id: str | None = Field(default=None, description="Bank question asked or probed on.")
    competency: str | None = Field(default=None, description="Competency the question probes (first listed).")
    probe_category: str | None = Field(default=None, description="Probe category of a probe turn.")
    asks_question: bool = Field(default=False, description="Candidate turn that asks the interviewer a question.")
    minute: float = Field(description="Simulated minute at which the turn starts.")
    duration_minutes: float = Field(description="Simulated spoken length of the turn.")
    annotation: TurnAnnotation | None = Field(default=None, description="The annotator's labels of an interviewer turn.")


class CompetencyGrade(StrictModel):
    """The grader's verdict on one competency."""

    score: int | None = Field(ge=1, le=5, description="Score 1-5, or None when the interview gave no evidence.")
    rationale: str = Field(description="Why this score, by the rubric's words.")
    evidence: list[str] = Field(description="Verbatim quotes from the candidate's turns.")


class RedFlagFinding(StrictModel):
    """A red flag the grader found."""

    id: str = Field(description="Red-flag id from the scenario.")
    evidence: list[str] = Field(description="Verbatim quotes that show it.")


class Feedback(StrictModel):
    """Candidate-facing feedback that makes the transcript a practice example."""

    strengths: list[str] = Field(description="What went well.")
    growth_areas: list[str] = Field(description="What to improve.")
    better_story: str = Field(description="A better way to tell one of the stories.")


class MemberVerdict(StrictModel):
    """One grading panel member's own verdict, kept beside the panel's."""

    model: str = Field(description="The member's model string.")
    scores: dict[str, int | None] = Field(default_factory=dict, description="Its score per competency id (None: not assessed).")
    red_flags: list[str] = Field(default_factory=list, description="The red-flag ids it reported.")
    error: str | None = Field(default=None, description="Why it gave no verdict (its call failed); None when it did.")


class Grade(StrictModel):
    """The grader's structured verdict; `hire` is computed from the scores by the hire bar."""

    competencies: dict[str, CompetencyGrade] = Field(description="Per competency id.")
    red_flags: list[RedFlagFinding] = Field(description="Red flags found, each with evidence.")
    hire: bool = Field(description="Hire recommendation from the scenario's hire bar (computed in code).")
    feedback: Feedback = Field(description="Candidate-facing feedback.")
    panel: list[MemberVerdict] = Field(
        default_factory=list,
        description="With a grading panel, each member's verdict; the grade is their median per competency and majority "
        "per flag. Empty for a single grader.",
    )


class FidelityJudgment(StrictModel):
    """The judge's blind read of which level and red flags the candidate actually played."""

    competency_levels: dict[str, int | None] = Field(description="Level 1-5 per competency as played, None when not shown.")
    red_flags: list[str] = Field(description="Red-flag ids the candidate actually showed.")


class TopicViolation(StrictModel):
    """An interviewer turn that touched a prohibited topic or leaked the rubric."""

    turn_index: int = Field(description="Index of the offending interviewer turn.")
    kind: Literal["prohibited_topic", "rubric_leak"] = Field(description="What was violated.")
    topic: str = Field(description="The prohibited topic, or 'rubric'.")
    quote: str = Field(description="The offending words.")
    source: Literal["screen", "judge"] = Field(description="Found by the keyword screen or by the judge model.")
    sure: bool = Field(
        default=True, description="False for a screen hit its patterns cannot settle (a word that may be innocent in context)."
    )


class CandidateIdentity(StrictModel):
    """Who the candidate is to the grader: the name and pronouns the grader reads (and a name-swap probe replaces)."""

    name: str = Field(min_length=1, description="The candidate's name.")
    pronouns: str | None = Field(default=None, description="Pronouns, e.g. she/her; None when not given.")


def identity(brief: CandidateBrief) -> CandidateIdentity:
    """The name and pronouns a persona's candidate goes by."""
    return CandidateIdentity(name=brief.display_name, pronouns=brief.pronouns)


class InterviewResult(StrictModel):
    """Everything one simulated interview produced."""

    scenario_id: str = Field(description="Scenario interviewed for.")
    persona_id: str = Field(description="Persona that played the candidate.")
    trial: int = Field(default=0, description="Repeat number for --trials (twins take the numbers after the trials).")
    candidate: CandidateIdentity | None = Field(
        default=None, description="The name and pronouns the candidate went by; None in runs stored before it was kept."
    )
    twin: str | None = Field(
        default=None, description="Name set the persona was renamed to for `run --twins`; None = its own name."
    )
    seed: int = Field(description="Seed for the interviewer and candidate models.")
    status: Literal["completed", "error"] = Field(description="completed, or error when anything failed.")
    transcript: list[Turn] = Field(default_factory=list, description="The turns, in order.")
    grade: Grade | None = Field(default=None, description="The grade; None when grading failed.")
    stop_reason: Literal["closed", "turn_cap", "time_budget"] | None = Field(
        default=None, description="How the conversation ended."
    )
    source: Source = Field(
        default="guided",
        description="Who interviewed: guided, free, external, imported (a recording) or practice (a person answered).",
    )
    labels: Intended | None = Field(
        default=None, description="Labels frozen with the interview (imports); None means the persona file's."
    )
    fidelity: FidelityJudgment | None = Field(default=None, description="Judge's blind read of the persona's play.")
    violations: list[TopicViolation] | None = Field(
        default=None, description="Prohibited-topic and rubric-leak findings; None when not screened."
    )
    conformance_reads: dict[str, bool] | None = Field(
        default=None,
        description="The judge's verdicts on the conformance checks the rules left unsure (true = done right); None when "
        "no judge read them.",
    )
    calls: list[CallRecord] = Field(default_factory=list, description="Per-call accounting.")
    prompt_hashes: dict[str, str] = Field(default_factory=dict, description="sha256 of each prompt template source by role.")
    started_at: float = Field(default=0.0, description="Unix time the interview started.")
    duration_s: float = Field(default=0.0, description="Wall time of the whole interview.")
    error: str | None = Field(default=None, description="Error message, None when completed.")
