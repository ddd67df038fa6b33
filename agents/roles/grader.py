"""The grader agent: reads the whole transcript with the rubric and returns a structured grade."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from agents.client import ModelClient
from agents.models.providers.base import ModelCallError
from agents.output_schema import by_identity, list_of, one_of, output_model
from agents.prompting import PromptTemplate
from agents.records import CandidateIdentity, CompetencyGrade, Feedback, Grade, RedFlagFinding, Turn
from agents.roles.panel import aggregate
from scenarios.model import Scenario
from scenarios.strict import StrictModel

# String bounds keep the whole verdict inside the grader's token budget, so it is never cut off mid-JSON.
Quote = Annotated[str, StringConstraints(max_length=80)]
Line = Annotated[str, StringConstraints(max_length=100)]


@by_identity
def grade_model(scenario: Scenario) -> type[StrictModel]:
    """The grader's output schema: one entry per competency of this scenario, flags limited to its ids."""
    graded = output_model(
        "GradedCompetency",
        StrictModel,
        score=(Literal[1, 2, 3, 4, 5] | None, Field(description="1-5 by the rubric, null when there was no evidence.")),
        rationale=(str, Field(max_length=80, description="Why, in the rubric's words.")),
        evidence=(list[Quote], Field(max_length=2, description="Verbatim candidate quotes.")),
    )
    flag = output_model(
        "FoundRedFlag",
        StrictModel,
        id=(one_of(scenario.red_flag_ids), Field(description="Red flag id.")),
        evidence=(list[Quote], Field(min_length=1, max_length=2, description="Verbatim candidate quotes.")),
    )
    feedback = output_model(
        "CandidateFeedback",
        StrictModel,
        strengths=(list[Line], Field(min_length=1, max_length=2)),
        growth_areas=(list[Line], Field(min_length=1, max_length=2)),
        better_story=(str, Field(max_length=200)),
    )
    competencies = output_model("CompetencyScores", StrictModel, **{cid: (graded, ...) for cid in scenario.competency_ids})
    return output_model(
        "GraderVerdict",
        StrictModel,
        competencies=(competencies, ...),
        red_flags=(list_of(flag), Field(max_length=len(scenario.red_flags))),
        feedback=(feedback, ...),
    )


def to_grade(verdict: BaseModel, scenario: Scenario) -> Grade:
    """Turn the model's verdict into a Grade; the hire recommendation comes from the hire bar, not the model."""
    data = verdict.model_dump()
    competencies = {cid: CompetencyGrade(**data["competencies"][cid]) for cid in scenario.competency_ids}
    seen: dict[str, RedFlagFinding] = {}
    for flag in data["red_flags"]:
        seen.setdefault(flag["id"], RedFlagFinding(**flag))
    scores = {cid: g.score for cid, g in competencies.items()}
    return Grade(
        competencies=competencies,
        red_flags=list(seen.values()),
        hire=scenario.hire_bar.decide(scores, list(seen)),
        feedback=Feedback(**data["feedback"]),
    )


def grader_messages(
    template: PromptTemplate, scenario: Scenario, transcript: list[Turn], candidate: CandidateIdentity | None
) -> list[dict[str, str]]:
    """The grader's prompt; it names the candidate (and pronouns), as a hiring grader's input would."""
    return template.render(scenario=scenario, transcript=transcript, candidate=candidate)


async def grade_transcript(
    client: ModelClient,
    template: PromptTemplate,
    scenario: Scenario,
    transcript: list[Turn],
    candidate: CandidateIdentity | None,
) -> Grade:
    """Grade a finished interview: by the grader's model, or by each model of its panel with their verdicts aggregated
    (`agents.roles.panel`). A panel member whose call fails is left out; the grade fails only when every one does."""
    messages = grader_messages(template, scenario, transcript, candidate)
    panel = client.panel("grader")
    if not panel:
        verdict = await client.complete("grader", messages, output_type=grade_model(scenario))
        return to_grade(verdict, scenario)
    grades: list[Grade | None] = []
    errors: list[str | None] = []
    for k in range(len(panel)):
        try:
            verdict = await client.complete("grader", messages, output_type=grade_model(scenario), member=k)
            grades.append(to_grade(verdict, scenario))
            errors.append(None)
        except ModelCallError as exc:
            grades.append(None)
            errors.append(str(exc))
    if all(g is None for g in grades):
        raise ModelCallError(f"every grading panel member failed: {errors[-1]}")
    return aggregate(grades, panel, errors, scenario)
