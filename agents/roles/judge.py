"""The judge agent: an independent, blind reader used for persona fidelity and text checks."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from agents.client import ModelClient
from agents.output_schema import by_identity, list_of, one_of, output_model
from agents.prompting import PromptTemplate
from agents.records import FidelityJudgment, TopicViolation, Turn
from scenarios.model import Scenario
from scenarios.strict import StrictModel

RUBRIC_TOPIC = "rubric"


@by_identity
def fidelity_model(scenario: Scenario) -> type[StrictModel]:
    """Schema for the judge's blind read: a level (or null) per competency and the red flags shown."""
    levels = output_model(
        "PlayedLevels",
        StrictModel,
        **{cid: (Literal[1, 2, 3, 4, 5] | None, Field(description=f"Level shown for {cid}.")) for cid in scenario.competency_ids},
    )
    return output_model(
        "FidelityVerdict",
        StrictModel,
        competency_levels=(levels, ...),
        red_flags=(list_of(one_of(scenario.red_flag_ids)), Field(max_length=len(scenario.red_flags))),
    )


@by_identity
def _topics_models(scenario: Scenario) -> dict[tuple[int, ...], type[StrictModel]]:
    return {}


def topics_model(scenario: Scenario, interviewer_indices: list[int]) -> type[StrictModel]:
    """Schema for the prohibited-topic audit: violations limited to real interviewer turns and known topics.

    Kept per scenario and set of turn indices: finding an already built shape (`output_model`) cost about 0.1 ms."""
    built = _topics_models(scenario)
    key = tuple(interviewer_indices)
    if key not in built:
        violation = output_model(
            "Violation",
            StrictModel,
            turn_index=(one_of(key), ...),
            topic=(one_of([*scenario.prohibited_topics, RUBRIC_TOPIC]), ...),
            quote=(Annotated[str, StringConstraints(max_length=120)], ...),
        )
        built[key] = output_model("TopicAudit", StrictModel, violations=(list_of(violation), Field(max_length=5)))
    return built[key]


async def judge_fidelity(
    client: ModelClient, template: PromptTemplate, scenario: Scenario, transcript: list[Turn]
) -> FidelityJudgment:
    """Which level and red flags the candidate actually played, read blind to the persona's labels."""
    verdict = await client.complete(
        "judge", template.render(scenario=scenario, transcript=transcript), output_type=fidelity_model(scenario)
    )
    data = verdict.model_dump()
    return FidelityJudgment(competency_levels=data["competency_levels"], red_flags=sorted(set(data["red_flags"])))


async def judge_topics(
    client: ModelClient, template: PromptTemplate, scenario: Scenario, transcript: list[Turn]
) -> list[TopicViolation]:
    """All interviewer turns classified in one call: prohibited topics asked and rubric leaks."""
    turns = [t for t in transcript if t.speaker == "interviewer"]
    if not turns:
        return []
    verdict = await client.complete(
        "judge",
        template.render(scenario=scenario, transcript=transcript),
        output_type=topics_model(scenario, [t.index for t in turns]),
    )
    return [
        TopicViolation(
            turn_index=v["turn_index"],
            kind="rubric_leak" if v["topic"] == RUBRIC_TOPIC else "prohibited_topic",
            topic=v["topic"],
            quote=v["quote"],
            source="judge",
        )
        for v in verdict.model_dump()["violations"]
    ]


@functools.cache
def conformance_model(checks: tuple[str, ...]) -> type[StrictModel]:
    """Schema for the judge's reads of the conformance checks the rules could not settle: one verdict per check asked."""
    read = output_model(
        "CheckRead",
        StrictModel,
        check=(one_of(list(checks)), ...),
        done_right=(bool, Field(description="True when the interviewer did it right.")),
        turns=(list[int], Field(max_length=8, description="Numbered lines that show it.")),
    )
    return output_model("ConformanceReads", StrictModel, reads=(list_of(read), Field(max_length=len(checks))))


async def judge_conformance(
    client: ModelClient, template: PromptTemplate, scenario: Scenario, transcript: list[Turn], checks: dict[str, str]
) -> dict[str, bool]:
    """The judge's verdict on each check in `checks` (check id -> the question it answers, in words), reading the
    whole transcript: true when the interviewer did it right. A check the reply leaves out stays unread."""
    if not checks:
        return {}
    verdict = await client.complete(
        "judge",
        template.render(scenario=scenario, transcript=transcript, checks=checks),
        output_type=conformance_model(tuple(checks)),
    )
    return {read["check"]: read["done_right"] for read in verdict.model_dump()["reads"]}
