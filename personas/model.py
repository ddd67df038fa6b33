"""The persona file model: one synthetic candidate, what the candidate model may see of it, and its labels.

`Persona.brief()` is the only view an agent gets: the labels (`intended`, `label_notes`, `tags`)
never reach a prompt, so a blind candidate or interviewer is blind by construction.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field

from scenarios.model import Scenario
from scenarios.strict import FrozenModel


class Background(FrozenModel):
    """Who the candidate is professionally."""

    current_role: str = Field(description="Current job title.")
    seniority: Literal["junior", "mid", "senior", "staff", "principal"] = Field(description="Career level.")
    years_experience: int = Field(ge=0, le=50, description="Years of professional experience.")
    domain: str = Field(description="Product or technical domain, e.g. speech recognition.")
    team_context: str = Field(description="Team shape and who they work with.")


class Intended(FrozenModel):
    """The labels the persona is written to deserve: the ground truth the grader is checked against."""

    overall_level: int = Field(ge=1, le=5, description="Overall rubric level, 1-5.")
    competency_levels: dict[str, int] = Field(
        description="Rubric level 1-5 per competency: every competency for a persona; a recording's labels may leave out "
        "one its labeller found not assessable."
    )
    red_flags: list[str] = Field(description="Red-flag ids from the scenario the persona shows; may be empty.")
    hire: bool = Field(description="Hire decision implied by the levels, red flags and the scenario's hire bar.")


class Story(FrozenModel):
    """One STAR story as the candidate's own first-person notes, at the persona's level for its competency."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="Story id, unique within the persona.")
    competency: str = Field(description="Competency id the story mainly shows.")
    situation: str = Field(description="Context of the story.")
    task: str = Field(description="What the candidate had to achieve.")
    actions: list[str] = Field(min_length=1, description="What the candidate did, step by step.")
    result: str = Field(description="What came of it.")
    metrics: list[str] = Field(
        description="The figures the candidate may cite (vanity or invented ones too, for weak candidates); may be empty."
    )
    learned: str = Field(description="What the candidate took away (or fails to).")


class CommunicationStyle(FrozenModel):
    """How the persona talks."""

    verbosity: Literal["terse", "balanced", "verbose"] = Field(description="How long the answers run.")
    hedging: Literal["low", "medium", "high"] = Field(description="How much the persona qualifies its claims.")
    ownership_language: Literal["I", "we", "mixed"] = Field(description="Whether the persona says 'I' or 'we' about the work.")
    blame_tendency: Literal["none", "some", "high"] = Field(description="How readily the persona blames others or systems.")
    notes: str = Field(description="Anything else about tone and manner.")


AdversarialKind = Literal[
    "prompt_injection",
    "format_spoof",
    "rubric_extraction",
    "flattery",
    "protected_characteristic",
    "buzzword_padding",
    "confident_vague",
    "contradictory_metrics",
    "off_topic",
]
Suite = Literal["core", "full", "red_flag", "adversarial", "mixed", "hire", "counter_signal"]
# A persona id names a person and a domain; a level in it (mei-vision-l3) would hand graders the answer.
PERSONA_ID = r"^[a-z]+(?:-[a-z]+)+$"


class Adversarial(FrozenModel):
    """Behaviour that tries to game or confuse the interviewer or grader; it never changes the labels."""

    kind: AdversarialKind = Field(description="The kind of adversarial behaviour.")
    instructions: str = Field(description="How the candidate plays it, in the candidate's own terms.")


class CandidateBrief(FrozenModel):
    """What the candidate model may know of a persona: who they are, what they did and how they talk."""

    display_name: str = Field(description="Name the candidate goes by.")
    pronouns: str = Field(description="Pronouns, e.g. she/her.")
    background: Background = Field(description="Professional background.")
    story_bank: list[Story] = Field(description="The candidate's stories.")
    communication_style: CommunicationStyle = Field(description="How the candidate talks.")
    behaviour: list[str] = Field(description="How the candidate acts in the interview, in their own terms.")
    candidate_questions: list[str] = Field(description="Questions for the interviewer.")
    adversarial: Adversarial | None = Field(description="Optional adversarial behaviour.")


class Persona(FrozenModel):
    """A synthetic candidate: defined once, here, and nowhere else."""

    id: str = Field(pattern=PERSONA_ID, description="Stable id, person-domain (no level); equals the file name.")
    scenario_id: str = Field(description="Id of the scenario this persona is written for.")
    display_name: str = Field(description="Name the candidate goes by.")
    pronouns: str = Field(description="Pronouns, e.g. she/her.")
    background: Background = Field(description="Professional background.")
    intended: Intended = Field(description="Ground-truth labels; never shown to any agent.")
    story_bank: list[Story] = Field(min_length=1, description="STAR stories, at least one per competency.")
    communication_style: CommunicationStyle = Field(description="How the persona talks.")
    behaviour: list[str] = Field(
        min_length=1, max_length=4, description="1-4 notes, second person and in the candidate's own terms, on how they act."
    )
    candidate_questions: list[str] = Field(
        min_length=1, max_length=3, description="Questions the persona asks in the candidate-questions segment."
    )
    tags: list[Suite] = Field(min_length=1, description="Suites the persona belongs to; every persona is in `full`.")
    adversarial: Adversarial | None = Field(default=None, description="Optional adversarial behaviour.")
    label_notes: str = Field(
        description="Why each label is what it is, by personas/LABELING.md; for reviewers, never shown to any agent."
    )

    def brief(self) -> CandidateBrief:
        """The persona without its labels: all an agent ever sees (made once: both models are frozen)."""
        return self._brief

    @cached_property
    def _brief(self) -> CandidateBrief:
        return CandidateBrief.model_validate(self.model_dump(include=set(CandidateBrief.model_fields)))


def check_against_scenario(persona: Persona, scenario: Scenario) -> list[tuple[str, str]]:
    """Cross-check a persona against its scenario; return (field path, problem) pairs."""
    problems: list[tuple[str, str]] = []
    if persona.scenario_id != scenario.id:
        problems.append(("scenario_id", f"is {persona.scenario_id!r}, expected {scenario.id!r}"))
        return problems
    known = set(scenario.competency_ids)
    levels = persona.intended.competency_levels
    for cid in sorted(set(levels) - known):
        problems.append((f"intended.competency_levels.{cid}", f"unknown competency (scenario has {sorted(known)})"))
    for cid in sorted(known - set(levels)):
        problems.append(("intended.competency_levels", f"missing a level for competency {cid!r}"))
    for cid, level in levels.items():
        if not 1 <= level <= 5:
            problems.append((f"intended.competency_levels.{cid}", f"level {level} is outside 1-5"))
    flags = set(scenario.red_flag_ids)
    for i, flag in enumerate(persona.intended.red_flags):
        if flag not in flags:
            problems.append((f"intended.red_flags.{i}", f"unknown red flag {flag!r} (scenario has {sorted(flags)})"))
    if len(set(persona.intended.red_flags)) != len(persona.intended.red_flags):
        problems.append(("intended.red_flags", "lists a red flag twice"))
    for i, flag in enumerate(persona.intended.red_flags):
        if flag in flags:
            related = scenario.red_flag(flag).competencies
            # LABELING.md: a flag shows in a story of one of its competencies, which is then at most 2.
            if all(levels.get(c, 0) > 2 for c in related):
                problems.append((f"intended.red_flags.{i}", f"{flag} is labelled but none of {related} is at 2 or below"))
    if not problems:
        problems += _suite_problems(persona, scenario)
    valid_levels = {c: v for c, v in levels.items() if c in known and 1 <= v <= 5}
    if valid_levels and not problems:
        mean = sum(valid_levels.values()) / len(valid_levels)
        if abs(persona.intended.overall_level - mean) >= 1:
            problems.append(
                ("intended.overall_level", f"{persona.intended.overall_level} is not within 1 of the competency mean {mean:.2f}")
            )
        expected = scenario.hire_bar.decide(dict(valid_levels), persona.intended.red_flags)
        if persona.intended.hire != expected:
            problems.append(("intended.hire", f"is {persona.intended.hire} but the hire bar gives {expected}"))
    story_ids = [s.id for s in persona.story_bank]
    if len(set(story_ids)) != len(story_ids):
        problems.append(("story_bank", "story ids are not unique"))
    for i, story in enumerate(persona.story_bank):
        if story.competency not in known:
            problems.append((f"story_bank.{i}.competency", f"unknown competency {story.competency!r}"))
            continue
        story_level = levels.get(story.competency)
        # The rubric's own words: level 4 and up has measurable outcomes (one decisive figure is enough).
        if story_level is not None and story_level >= 4 and not story.metrics:
            problems.append((f"story_bank.{i}.metrics", f"a level-{story_level} story needs measurable outcomes"))
    for cid in sorted(known - {s.competency for s in persona.story_bank}):
        problems.append(("story_bank", f"no story for competency {cid!r}"))
    return problems


def near_hire_bar(levels: dict[str, int], red_flags: list[str], scenario: Scenario) -> bool:
    """Hired, or one step from it: one competency a point higher, or no red flag, would hire."""
    decide = scenario.hire_bar.decide
    if decide(dict(levels), red_flags) or decide(dict(levels), []):
        return True
    return any(decide({**levels, cid: min(5, level + 1)}, red_flags) for cid, level in levels.items())


def _suite_problems(persona: Persona, scenario: Scenario) -> list[tuple[str, str]]:
    """Tags that contradict the labels; the suites are defined by the labels so a suite means one thing."""
    tags, levels = set(persona.tags), persona.intended.competency_levels
    problems = []
    if ("mixed" in tags) != (max(levels.values()) - min(levels.values()) >= 2):
        problems.append(("tags", "mixed is the suite of exactly the personas whose levels spread by 2 or more"))
    if ("hire" in tags) != near_hire_bar(levels, persona.intended.red_flags, scenario):
        problems.append(("tags", "hire is the suite of exactly the personas hired or one step from the hire bar"))
    if "full" not in tags:
        problems.append(("tags", "every persona is in the full suite"))
    if ("red_flag" in tags) != bool(persona.intended.red_flags):
        problems.append(("tags", "red_flag is the suite of exactly the personas with red flags"))
    if ("adversarial" in tags) != (persona.adversarial is not None):
        problems.append(("tags", "adversarial is the suite of exactly the personas with an adversarial block"))
    return problems
