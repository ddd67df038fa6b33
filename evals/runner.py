"""A harness run: plan interviews, run and judge each, commit each as it finishes, then compute the checks."""

from __future__ import annotations

import asyncio
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from agents.gateway import ModelCallError
from agents.interview import InterviewJob, run_interviews
from agents.judge import judge_fidelity, judge_topics
from agents.prompting import PromptSet
from agents.transcript import InterviewResult
from evals.checks import compute_checks
from evals.gates import Gate
from evals.loading import DataError, Library
from evals.store import CheckRow, Store
from evals.units import build_units

DEFAULT_TAG = "core"


def interview_seed(persona_id: str, trial: int) -> int:
    """A stable seed per (persona, trial): a rerun of the same config replays, and hits the cache."""
    return zlib.crc32(f"{persona_id}#{trial}".encode()) % 2**31


def select_personas(lib: Library, scenario_id: str, persona_ids: list[str] | None, tags: list[str] | None) -> list[str]:
    """Persona ids for a run: those named, else those with any of the tags (default tag `core`)."""
    if persona_ids:
        chosen = list(dict.fromkeys(persona_ids))
        for pid in chosen:
            lib.persona(pid)
    else:
        wanted = set(tags or [DEFAULT_TAG])
        chosen = sorted(p.id for p in lib.personas.values() if wanted & set(p.tags) and p.scenario_id == scenario_id)
    wrong = [pid for pid in chosen if lib.persona(pid).scenario_id != scenario_id]
    if wrong:
        raise DataError([f"personas {wrong} are written for another scenario than {scenario_id!r}"])
    if not chosen:
        raise DataError([f"no persona matches tags {sorted(tags or [DEFAULT_TAG])} for scenario {scenario_id!r}"])
    return chosen


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


async def judge_result(result: InterviewResult, scenario, gateway, prompts: PromptSet) -> None:
    """Add the judge's blind fidelity read and prohibited-topic audit to a finished interview."""
    if not result.transcript:
        return
    client = gateway.session(seed=result.seed)
    try:
        result.violations = await judge_topics(client, prompts["judge_topics"], scenario, result.transcript)
        result.fidelity = await judge_fidelity(client, prompts["judge_fidelity"], scenario, result.transcript)
    except ModelCallError:
        pass  # the failed call is in the accounting; a missing judgment is reported as not judged
    result.calls += client.calls


@dataclass
class RunPlan:
    """What a run will do: a scenario and (persona, trial) pairs."""

    scenario_id: str
    pairs: list[tuple[str, int]]


def make_plan(lib: Library, scenario_id: str, persona_ids: list[str] | None, tags: list[str] | None, trials: int) -> RunPlan:
    lib.scenario(scenario_id)
    chosen = select_personas(lib, scenario_id, persona_ids, tags)
    return RunPlan(scenario_id, [(pid, t) for pid in chosen for t in range(trials)])


def create_run(store: Store, lib: Library, plan: RunPlan, *, label: str | None, models, prompts: PromptSet, config: dict) -> str:
    """Record a new run with everything needed to compare it honestly later."""
    return store.create_run(
        label=label, scenario_id=plan.scenario_id, scenario_hash=lib.scenario_hash(plan.scenario_id),
        persona_set_hash=lib.persona_set_hash([p for p, _ in plan.pairs]), config=config,
        models=models.model_names(),
        prompt_hashes=prompts.hashes(), plan=plan.pairs, git_commit=git_commit(),
    )


def execute(
    store: Store,
    run_id: str,
    lib: Library,
    pairs: list[tuple[str, int]],
    gateway,
    prompts: PromptSet,
    *,
    concurrency: int,
    on_result: Callable[[InterviewResult], None] | None = None,
) -> None:
    """Run and judge the given interviews, committing each to the store the moment it is done."""
    run = store.get_run(run_id)
    scenario = lib.scenario(run.scenario_id)
    jobs = [InterviewJob(scenario, lib.persona(pid), interview_seed(pid, trial), trial) for pid, trial in pairs]

    async def finished(result: InterviewResult) -> None:
        await judge_result(result, scenario, gateway, prompts)
        store.save_interview(run_id, result)
        if on_result:
            on_result(result)

    asyncio.run(run_interviews(jobs, gateway, concurrency=concurrency, prompts=prompts, on_result=finished))


def finalize(store: Store, run_id: str, lib: Library, gates: dict[str, Gate]) -> list[CheckRow]:
    """Compute and store the checks over every interview of the run, and mark it complete."""
    run = store.get_run(run_id)
    scenario = lib.scenario(run.scenario_id)
    results = store.load_results(run_id)
    units = build_units(results, lib.personas, scenario)
    rows = compute_checks(results, units, scenario, lib.personas, gates)
    store.save_checks(run_id, rows)
    store.finish_run(run_id, "complete")
    return rows


def gates_failed(rows: list[CheckRow]) -> list[CheckRow]:
    return [r for r in rows if r.passed is False]
