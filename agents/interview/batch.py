"""Running interviews: one (scenario, persona) pair, or many concurrently, each ending in an InterviewResult."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from agents.interview.graph import DEFAULT_MAX_TURNS, InterviewContext, compiled_graph, initial_state, interview_config
from agents.models.gateway import Gateway
from agents.prompting import PromptSet
from agents.records import InterviewResult, Source, identity
from personas.model import Persona
from scenarios.model import InterviewLength, Scenario


@dataclass(frozen=True)
class InterviewJob:
    """One interview to run: who, for which scenario, which repeat, with which seed."""

    scenario: Scenario
    persona: Persona
    seed: int
    trial: int = 0


async def run_interview(
    scenario: Scenario,
    persona: Persona,
    gateway: Gateway,
    seed: int,
    *,
    prompts: PromptSet | None = None,
    trial: int = 0,
    max_turns: int = DEFAULT_MAX_TURNS,
    source: Source = "guided",
    length: InterviewLength | None = None,
) -> InterviewResult:
    """Run one full interview on `gateway` (shared across interviews) and grade it; `source` says who interviews.

    Failures become an error result, never an exception.
    """
    prompts = prompts or PromptSet()
    client = gateway.session(seed=seed)
    started = time.time()
    brief = persona.brief()
    result = InterviewResult(
        scenario_id=scenario.id,
        persona_id=persona.id,
        trial=trial,
        candidate=identity(brief),
        seed=seed,
        status="error",
        source=source,
        prompt_hashes=prompts.hashes(),
        started_at=started,
    )
    try:
        ctx = InterviewContext(scenario, brief, client, prompts, max_turns, source, length=length or InterviewLength())
        final = await compiled_graph().ainvoke(initial_state(), config=interview_config(ctx))
    except Exception as exc:  # noqa: BLE001 — one broken interview must not stop the others
        result.error = f"{type(exc).__name__}: {exc}"
    else:
        result.transcript = final["transcript"]
        result.grade = final.get("grade")
        result.stop_reason = final.get("stop_reason")
        result.error = final.get("error")
        result.status = "completed" if result.error is None and result.grade is not None else "error"
    result.calls = list(client.calls)
    result.duration_s = round(time.time() - started, 3)
    return result


async def stream_interviews(
    jobs: Iterable[InterviewJob],
    gateway: Gateway,
    on_result: Callable[[InterviewResult], Awaitable[None] | None],
    *,
    concurrency: int = 4,
    prompts: PromptSet | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    source: Source = "guided",
    length: InterviewLength | None = None,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Run interviews, at most `concurrency` at once, handing each to `on_result` as it finishes and keeping none.

    `concurrency` workers pull jobs from the one iterator, so a run of 10,000 interviews holds only those in
    flight, not a task (or a result) per interview. Once `stop()` is true no new interview starts."""
    prompts = prompts or PromptSet()
    pending = iter(jobs)

    async def worker() -> None:
        while stop is None or not stop():
            job = next(pending, None)
            if job is None:
                return
            result = await run_interview(
                job.scenario,
                job.persona,
                gateway,
                job.seed,
                prompts=prompts,
                trial=job.trial,
                max_turns=max_turns,
                source=source,
                length=length,
            )
            maybe = on_result(result)
            if asyncio.iscoroutine(maybe):
                await maybe

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))


async def run_interviews(
    jobs: Iterable[InterviewJob],
    gateway: Gateway,
    *,
    concurrency: int = 4,
    prompts: PromptSet | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    source: Source = "guided",
    on_result: Callable[[InterviewResult], Awaitable[None] | None] | None = None,
) -> list[InterviewResult]:
    """Run many interviews, at most `concurrency` at once, and return them in the order they finished;
    `on_result` sees each one as it finishes."""
    results: list[InterviewResult] = []

    async def keep(result: InterviewResult) -> None:
        results.append(result)
        maybe = on_result(result) if on_result is not None else None
        if asyncio.iscoroutine(maybe):
            await maybe

    await stream_interviews(jobs, gateway, keep, concurrency=concurrency, prompts=prompts, max_turns=max_turns, source=source)
    return results
