"""The judge agent: an independent, blind reader used for persona fidelity and text checks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from agents.prompting import PromptTemplate
from agents.transcript import FidelityJudgment, TopicViolation, Turn
from evals.scenario import Scenario

_STRICT = ConfigDict(extra="forbid")
RUBRIC_TOPIC = "rubric"


def fidelity_model(scenario: Scenario) -> type[BaseModel]:
    """Schema for the judge's blind read: a level (or null) per competency and the red flags shown."""
    levels = create_model(
        "PlayedLevels", __config__=_STRICT,
        **{cid: (Literal[1, 2, 3, 4, 5] | None, Field(description=f"Level shown for {cid}.")) for cid in scenario.competency_ids},
    )
    flag_id = Literal[tuple(scenario.red_flag_ids)]  # type: ignore[valid-type]
    return create_model(
        "FidelityVerdict", __config__=_STRICT,
        competency_levels=(levels, ...),
        red_flags=(list[flag_id], Field(max_length=len(scenario.red_flags))),
    )


def topics_model(scenario: Scenario, interviewer_indices: list[int]) -> type[BaseModel]:
    """Schema for the prohibited-topic audit: violations limited to real interviewer turns and known topics."""
    violation = create_model(
        "Violation", __config__=_STRICT,
        turn_index=(Literal[tuple(interviewer_indices)], ...),  # type: ignore[valid-type]
        topic=(Literal[tuple(scenario.prohibited_topics) + (RUBRIC_TOPIC,)], ...),  # type: ignore[valid-type]
        quote=(Annotated[str, StringConstraints(max_length=120)], ...),
    )
    return create_model("TopicAudit", __config__=_STRICT, violations=(list[violation], Field(max_length=5)))


async def judge_fidelity(client, template: PromptTemplate, scenario: Scenario, transcript: list[Turn]) -> FidelityJudgment:
    """Which level and red flags the candidate actually played, read blind to the persona's labels."""
    verdict = await client.complete("judge", template.render(scenario=scenario, transcript=transcript),
                                    output_type=fidelity_model(scenario))
    data = verdict.model_dump()
    return FidelityJudgment(competency_levels=data["competency_levels"], red_flags=sorted(set(data["red_flags"])))


async def judge_topics(client, template: PromptTemplate, scenario: Scenario, transcript: list[Turn]) -> list[TopicViolation]:
    """All interviewer turns classified in one call: prohibited topics asked and rubric leaks."""
    turns = [t for t in transcript if t.speaker == "interviewer"]
    if not turns:
        return []
    verdict = await client.complete("judge", template.render(scenario=scenario, transcript=transcript),
                                    output_type=topics_model(scenario, [t.index for t in turns]))
    return [
        TopicViolation(turn_index=v.turn_index, kind="rubric_leak" if v.topic == RUBRIC_TOPIC else "prohibited_topic",
                       topic=v.topic, quote=v.quote, source="judge")
        for v in verdict.violations
    ]
