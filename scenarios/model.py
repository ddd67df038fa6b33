"""The scenario file model: one interview template (format, competencies, questions, rubric)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from scenarios.strict import FrozenModel

SEGMENT_ORDER = ("intro", "deep_dives", "candidate_questions", "wrap_up")
SegmentId = Literal["intro", "deep_dives", "candidate_questions", "wrap_up"]


class Segment(FrozenModel):
    """One timed part of the interview format."""

    id: SegmentId = Field(description="Segment id; segments run in the order intro, deep_dives, candidate_questions, wrap_up.")
    title: str = Field(description="Human-readable name of the segment.")
    min_minutes: float = Field(ge=0, description="Planned minimum length of the segment in minutes.")
    max_minutes: float = Field(gt=0, description="Budget: the segment must not run longer than this many minutes.")
    must_happen: list[str] = Field(description="What the interviewer must do in this segment.")

    @model_validator(mode="after")
    def _range(self) -> Segment:
        if self.min_minutes > self.max_minutes:
            raise ValueError("min_minutes is larger than max_minutes")
        return self


class Competency(FrozenModel):
    """A competency the interview probes and the grader scores."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable competency id used by personas, grades and reports.")
    title: str = Field(description="Short human-readable title.")
    probes: str = Field(description="What interviewers probe for under this competency.")
    evidence_cues: list[str] = Field(
        default_factory=list,
        description="Words (lower case; a trailing * matches any ending) that a candidate's evidence for this competency "
        "is told in; the evidence-removed probe takes out the sentences carrying them.",
    )
    anchors: dict[int, str] = Field(
        description="What an answer at each level 1-5 looks like for this competency (a behaviourally anchored scale); "
        "the grader's prompt and the labelling guide both render these."
    )

    @model_validator(mode="after")
    def _five_levels(self) -> Competency:
        if missing := [n for n in range(1, 6) if not self.anchors.get(n, "").strip()]:
            raise ValueError(f"anchors: level {', '.join(map(str, missing))} missing (every level 1-5 needs its anchor)")
        if extra := sorted(set(self.anchors) - set(range(1, 6))):
            raise ValueError(f"anchors: levels {extra} are outside 1-5")
        return self


class Question(FrozenModel):
    """A question from the bank, verbatim."""

    id: str = Field(pattern=r"^q_[a-z0-9_]+$", description="Stable question id, e.g. q_collaboration.")
    competencies: list[str] = Field(min_length=1, description="Competency ids this question probes.")
    text: str = Field(description="The question as the interviewer asks it.")
    cues: list[str] = Field(
        default_factory=list,
        description="Words and phrases (lower case; a trailing * matches any ending) that point to this question when an "
        "interviewer paraphrases it; an interpretation, since the seed gives only the question's text.",
    )


class QuestionRule(FrozenModel):
    """How many bank questions a deep-dive segment asks, and how mixed they are."""

    min_questions: int = Field(ge=1, description="Fewest bank questions asked in the deep dives.")
    max_questions: int = Field(ge=1, description="Most bank questions asked in the deep dives.")
    min_competencies: int = Field(ge=1, description="Fewest distinct competencies the asked questions must cover.")
    max_probes_per_question: int = Field(ge=0, description="Most follow-up probes after one bank question.")


class InterviewLength(FrozenModel):
    """How much of the scenario's question range a run's interviews use: at most `questions` bank questions and
    `probes` follow-ups on each. It narrows the scenario's rule and never widens it, so the format stays the
    scenario's; None keeps the scenario's most."""

    questions: int | None = Field(default=None, ge=1, description="Most bank questions asked in the deep dives.")
    probes: int | None = Field(default=None, ge=0, description="Most follow-up probes after one bank question.")

    def rule(self, rule: QuestionRule) -> QuestionRule:
        """`rule` narrowed to this length; ValueError when it falls outside the scenario's range."""
        if self.questions is not None and not rule.min_questions <= self.questions <= rule.max_questions:
            raise ValueError(f"{self.questions} questions is outside the scenario's {rule.min_questions}-{rule.max_questions}")
        if self.probes is not None and self.probes > rule.max_probes_per_question:
            raise ValueError(f"{self.probes} probes per question is more than the scenario's {rule.max_probes_per_question}")
        return rule.model_copy(
            update={
                "max_questions": rule.max_questions if self.questions is None else self.questions,
                "max_probes_per_question": rule.max_probes_per_question if self.probes is None else self.probes,
            }
        )

    def describe(self) -> str:
        """In words, e.g. "at most 5 questions, at most 1 probe(s) per question"."""
        parts = [f"at most {self.questions} questions"] if self.questions is not None else []
        parts += [f"at most {self.probes} probe(s) per question"] if self.probes is not None else []
        return ", ".join(parts) or "the scenario's whole range"


class ProbeCategory(FrozenModel):
    """A kind of deep-dive follow-up, with example probes."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Probe category id, e.g. evidence.")
    title: str = Field(description="Short human-readable title.")
    examples: list[str] = Field(min_length=1, description="Example probes of this kind.")


class RubricLevel(FrozenModel):
    """One level of the rubric with its descriptor."""

    level: int = Field(ge=1, le=5, description="Score level, 1 (weak) to 5 (exemplary).")
    descriptor: str = Field(description="What an answer at this level looks like.")


class Rubric(FrozenModel):
    """The scoring rubric, applied to each competency separately."""

    scored_per: Literal["competency"] = Field(description="Unit the rubric is applied to.")
    principles: list[str] = Field(default_factory=list, description="How evidence is weighed, whatever the competency.")
    levels: list[RubricLevel] = Field(min_length=5, max_length=5, description="Descriptors for levels 1 to 5.")

    @model_validator(mode="after")
    def _levels(self) -> Rubric:
        if [lv.level for lv in self.levels] != [1, 2, 3, 4, 5]:
            raise ValueError("levels must be exactly 1, 2, 3, 4, 5 in order")
        return self


class HireBar(FrozenModel):
    """The hire decision as parameters, so another scenario can set its own bar."""

    summary: str = Field(description="The bar in words, as the template states it.")
    min_mean_score: float = Field(ge=1, le=5, description="Mean of the assessed competency scores must reach this.")
    critical_max_score: int = Field(ge=0, le=5, description="Any competency scored at or below this is critical and blocks hire.")
    red_flags_block_hire: bool = Field(description="Whether any red flag blocks hire.")
    max_not_assessed: int = Field(ge=0, description="More competencies than this left unassessed blocks hire.")

    def decide(self, scores: dict[str, int | None], red_flags: list[str] | set[str]) -> bool:
        """Return the hire recommendation for per-competency scores (None = not assessed)."""
        return not self.blockers(scores, red_flags)

    def blockers(self, scores: dict[str, int | None], red_flags: list[str] | set[str]) -> list[str]:
        """Why the scores miss the bar, one reason per rule they break; empty when they clear it."""
        assessed = [s for s in scores.values() if s is not None]
        missing = len(scores) - len(assessed)
        if not assessed:
            return ["no competency was assessed"]
        reasons = []
        if missing > self.max_not_assessed:
            reasons.append(f"{missing} competencies were not assessed (at most {self.max_not_assessed} may be)")
        if (low := min(assessed)) <= self.critical_max_score:
            reasons.append(f"a score of {low} is critical (any score of {self.critical_max_score} or below blocks hire)")
        if self.red_flags_block_hire and red_flags:
            reasons.append(f"red flags block hire: {', '.join(sorted(red_flags))}")
        if (mean := sum(assessed) / len(assessed)) < self.min_mean_score:
            reasons.append(f"the mean score {mean:.2f} is below {self.min_mean_score:g}")
        return reasons


class RedFlag(FrozenModel):
    """A behaviour that should count against the candidate whatever the scores."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable red-flag id.")
    description: str = Field(description="What the red flag looks like in an answer.")
    competencies: list[str] = Field(min_length=1, description="Competency ids the red flag relates to.")
    applies: str = Field(description="When a story shows the red flag.")
    not_a_flag: str = Field(description="What looks like it but is not (a redemption story is not a flag).")
    level_there: str = Field(description="What the flag does to the level of the competency it shows in.")


class StoryTiming(FrozenModel):
    """Suggested minutes for each part of one STAR story, as [low, high]."""

    setup_minutes: tuple[float, float] = Field(description="Situation and task.")
    deep_dive_minutes: tuple[float, float] = Field(description="Actions in depth.")
    results_minutes: tuple[float, float] = Field(description="Results and learning.")


class CandidateGuidance(FrozenModel):
    """Guidance the interviewer shares briefly at the start."""

    story_timing: StoryTiming = Field(description="How long each part of a story should take.")
    recent_examples: str = Field(description="Advice to prefer recent examples.")
    anonymize: str = Field(description="Advice on confidential examples.")


class Scenario(FrozenModel):
    """An interview template: the single source of truth for one kind of interview."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable scenario id.")
    role: str = Field(description="Job title being interviewed for.")
    company: str = Field(description="Hiring company.")
    interview_type: Literal["behavioral", "technical", "system_design"] = Field(description="Kind of interview.")
    difficulty: int = Field(ge=1, le=5, description="Difficulty on a 1-5 scale.")
    duration_minutes: int = Field(gt=0, description="Total scheduled length.")
    purpose: str = Field(description="What the interview evaluates.")
    culture_values: list[str] = Field(description="Culture the interview looks for.")
    segments: list[Segment] = Field(description="The format, in order.")
    competencies: list[Competency] = Field(min_length=1, description="What is probed and scored.")
    question_bank: list[Question] = Field(min_length=1, description="Questions the interviewer picks from.")
    question_rule: QuestionRule = Field(description="How many questions to ask and how mixed.")
    probe_categories: list[ProbeCategory] = Field(min_length=1, description="Deep-dive follow-up kinds.")
    rubric: Rubric = Field(description="Scoring rubric per competency.")
    hire_bar: HireBar = Field(description="Hire decision parameters.")
    red_flags: list[RedFlag] = Field(description="Red flags to watch for.")
    candidate_guidance: CandidateGuidance = Field(description="Guidance shared at the start.")
    logistics_tips: list[str] = Field(description="Company-specific logistics and tips.")
    practice_tips: list[str] = Field(description="General preparation tips shown with practice interviews.")
    prohibited_topics: list[str] = Field(min_length=1, description="Topics an interviewer must never ask about.")
    interpretations: dict[str, str] = Field(
        default_factory=dict,
        description="Values the source template does not state, by field path (e.g. hire_bar.min_mean_score), each with why.",
    )

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        if tuple(s.id for s in self.segments) != SEGMENT_ORDER:
            raise ValueError(f"segments must be exactly {list(SEGMENT_ORDER)} in that order")
        budget = sum(s.max_minutes for s in self.segments)
        floor = sum(s.min_minutes for s in self.segments)
        if floor > self.duration_minutes:
            raise ValueError(f"segment minimums add up to {floor} minutes, more than duration_minutes {self.duration_minutes}")
        if budget < self.duration_minutes:
            raise ValueError(f"segment budgets add up to {budget} minutes, less than duration_minutes {self.duration_minutes}")
        for kind, items in (
            ("competency", self.competencies),
            ("question", self.question_bank),
            ("probe category", self.probe_categories),
            ("red flag", self.red_flags),
        ):
            ids = [i.id for i in items]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} ids: {dupes}")
        known = set(self.competency_ids)
        for q in self.question_bank:
            if unknown := set(q.competencies) - known:
                raise ValueError(f"question {q.id} names unknown competencies {sorted(unknown)}")
        for f in self.red_flags:
            if unknown := set(f.competencies) - known:
                raise ValueError(f"red flag {f.id} names unknown competencies {sorted(unknown)}")
        for path in self.interpretations:
            if not _has_field(self, path):
                raise ValueError(f"interpretations.{path}: no such field in the scenario")
        rule = self.question_rule
        if rule.min_questions > rule.max_questions or rule.max_questions > len(self.question_bank):
            raise ValueError("question_rule needs min_questions <= max_questions <= size of the question bank")
        return self

    @property
    def competency_ids(self) -> list[str]:
        return [c.id for c in self.competencies]

    @property
    def red_flag_ids(self) -> list[str]:
        return [f.id for f in self.red_flags]

    # By id: the interview asks for a segment or a question on every turn. The model is frozen, so the indexes hold.
    @cached_property
    def _segments_by_id(self) -> dict[str, Segment]:
        return {s.id: s for s in self.segments}

    @cached_property
    def _red_flags_by_id(self) -> dict[str, RedFlag]:
        return {f.id: f for f in self.red_flags}

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.question_bank}

    @cached_property
    def _competencies_by_id(self) -> dict[str, Competency]:
        return {c.id: c for c in self.competencies}

    def competency(self, competency_id: str) -> Competency:
        return self._competencies_by_id[competency_id]

    def segment(self, segment_id: str) -> Segment:
        return self._segments_by_id[segment_id]

    def red_flag(self, flag_id: str) -> RedFlag:
        return self._red_flags_by_id[flag_id]

    def question(self, question_id: str) -> Question:
        return self._questions_by_id[question_id]

    def flag_shown_in(self, flag_id: str) -> list[str]:
        """The titles of the competencies in whose stories a red flag must show, in the scenario's order (the guide's
        flag table and the grader prompt both say it)."""
        ids = set(self.red_flag(flag_id).competencies)
        return [c.title for c in self.competencies if c.id in ids]


def _has_field(model: BaseModel, path: str) -> bool:
    """Whether a dotted field path (hire_bar.min_mean_score) names a field of `model`; on a list, the path goes on to a
    field of its items (question_bank.cues is every question's cues)."""
    head, _, rest = path.partition(".")
    if head not in type(model).model_fields:
        return False
    value = getattr(model, head)
    if rest and isinstance(value, list):
        return bool(value) and all(isinstance(item, BaseModel) and _has_field(item, rest) for item in value)
    return not rest or (isinstance(value, BaseModel) and _has_field(value, rest))
