"""Probe runs: a completed run's frozen transcripts, perturbed and graded again by the run's own grader.

A probe run is a run of its own, linked to the run it probes (`ProbeConfig.probe.base_run`). Each
graded copy is committed the moment it is graded; a resume grades only what is missing, and since
the copies are deterministic and graded with each interview's seed, probing an unchanged run
again is answered from the response cache without a model call.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from agents.models.gateway import ModelCallError
from agents.records import InterviewResult
from agents.roles.grader import grade_transcript
from evals.metrics.gates import Gate, defaults_version
from evals.metrics.rows import CheckRow
from evals.metrics.units import labels_of
from evals.probes.name_sets import load_name_sets
from evals.probes.perturb import PERTURBATIONS, Perturbation, Variant, perturb
from evals.probes.settings import ProbeGrade, ProbeSettings
from evals.probes.stats import probe_checks
from evals.runs.config import ProbeConfig
from evals.runs.executors import OnResult, original_gone
from evals.runs.plan import Budget, HarnessError, PreparedRun, RunContext, RunPlan
from evals.store.database import RunRecord


def parse_suite(text: str | None) -> list[Perturbation]:
    """'name_swap,injection' as perturbations in their canonical order; all of them when None; ValueError on a typo."""
    if text is None:
        return list(PERTURBATIONS)
    asked = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [a for a in asked if a not in PERTURBATIONS]
    if unknown or not asked:
        raise ValueError(f"--suite: unknown perturbation(s) {unknown or [text]}; choose from {', '.join(PERTURBATIONS)}")
    return [p for p in PERTURBATIONS if p in asked]


def graded_originals(ctx: RunContext, base: RunRecord) -> dict[tuple[str, int], InterviewResult]:
    """The base run's interviews that have a transcript and a grade: the ones a probe can compare against."""
    return {(r.persona_id, r.trial): r for r in ctx.store.load_results(base.run_id) if r.transcript and r.grade is not None}


def start_probe(
    ctx: RunContext,
    base: RunRecord,
    suite: list[Perturbation],
    *,
    name_sets: Path | None = None,
    gates: dict[str, Gate],
    use_cache: bool = True,
    concurrency: int | None = None,
    label: str | None = None,
    personas: list[str] | None = None,
) -> PreparedRun:
    """Record a probe run of `base` graded exactly as `base` was, of the interviews of `personas` (default: every
    graded one); HarnessError when that is impossible."""
    if isinstance(base.config, ProbeConfig):
        raise HarnessError(f"run {base.run_id} is itself a probe run; probe the run it probed ({base.config.probe.base_run})")
    originals = graded_originals(ctx, base)
    if not originals:
        raise HarnessError(f"run {base.run_id} has no graded interview to probe")
    chosen = sorted(set(personas or []))
    if chosen:
        if missing := sorted(set(chosen) - {pid for pid, _ in originals}):
            raise HarnessError(f"run {base.run_id} has no graded interview of {', '.join(missing)}")
        originals = {key: r for key, r in originals.items() if key[0] in chosen}
    grader_now = base.config.prompt_set().hashes().get("grader")
    if base.prompt_hashes.get("grader") not in (None, grader_now):
        raise HarnessError(
            f"the grader prompt of run {base.run_id} changed since it ran, so its grader can no longer be run as it was; "
            "regrade the run first (interview-harness regrade) and probe the regrade"
        )
    sets, digest = load_name_sets(name_sets) if "name_swap" in suite else ([], None)
    settings = ProbeSettings(base_run=base.run_id, suite=suite, name_sets=sets, name_sets_sha256=digest, personas=chosen)
    config = ProbeConfig.model_validate(
        base.config.settings()
        | {
            "probe": settings,
            "gates": gates,
            "gates_version": defaults_version(),
            "use_cache": use_cache,
            "concurrency": concurrency or base.config.concurrency,
        }
    )
    plan = RunPlan(base.scenario_id, sorted(originals))
    return ctx.start(plan, config, label=label or f"probe of {base.run_id}", persona_set_hash=base.persona_set_hash)


class ProbeExecutor:
    """Grades a probe run's copies and measures them against their originals."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        assert isinstance(run.config, ProbeConfig)
        return original_gone(ctx, run.config.probe.base_run)

    def execute(self, ctx: RunContext, prepared: PreparedRun, on_result: OnResult | None, budget: Budget | None) -> None:
        execute_probe(ctx, prepared, on_result)

    def finalize(self, ctx: RunContext, run_id: str) -> list[CheckRow]:
        return finalize_probe(ctx, run_id)


def execute_probe(ctx: RunContext, prepared: PreparedRun, on_result: OnResult | None = None) -> None:
    """Grade every copy not yet stored, interview by interview; `on_result(original)` after each interview's copies."""
    assert isinstance(prepared.config, ProbeConfig), "not a probe run"
    settings = prepared.config.probe
    scenario = ctx.library.scenario(prepared.run.scenario_id)
    gateway = prepared.config.gateway(ctx.cache_path, ctx.record_dir)
    base = ctx.store.get_run_exact(settings.base_run)
    originals = graded_originals(ctx, base)
    done = {p.key for p in ctx.store.load_probe_grades(prepared.run_id) if p.status == "completed"}
    template = prepared.prompts["grader"]

    async def grade(result: InterviewResult, variant: Variant) -> None:
        client = gateway.session(seed=result.seed)
        probe = ProbeGrade(
            persona_id=result.persona_id,
            trial=result.trial,
            perturbation=variant.perturbation,
            variant=variant.variant,
            status="error",
            candidate=variant.candidate,
            transcript=variant.transcript,
            changed_turns=variant.changed_turns,
        )
        try:
            probe.grade = await grade_transcript(client, template, scenario, variant.transcript, variant.candidate)
            probe.status = "completed"
        except ModelCallError as exc:
            probe.error = f"grader: {exc}"
        probe.calls = list(client.calls)
        ctx.store.save_probe_grade(prepared.run_id, probe)

    async def one(result: InterviewResult, limit: asyncio.Semaphore) -> None:
        variants = perturb(result, settings.suite, scenario, settings.name_sets)
        todo = [v for v in variants if (result.persona_id, result.trial, v.perturbation, v.variant) not in done]
        async with limit:
            await asyncio.gather(*(grade(result, v) for v in todo))
        if on_result:
            on_result(result)

    async def all_of_them() -> None:
        limit = asyncio.Semaphore(max(1, prepared.config.concurrency))
        await asyncio.gather(*(one(originals[key], limit) for key in prepared.pending if key in originals))

    with contextlib.closing(gateway):  # its cache's replies are committed however the probe ends, as a run's are
        asyncio.run(all_of_them())


def finalize_probe(ctx: RunContext, run_id: str) -> list[CheckRow]:
    """Compute and store the probe metrics of a probe run, judged by its stored gates."""
    run = ctx.store.get_run_exact(run_id)
    assert isinstance(run.config, ProbeConfig), "not a probe run"
    settings = run.config.probe
    originals = graded_originals(ctx, ctx.store.get_run_exact(settings.base_run))
    labels = {key: labels_of(r, ctx.library.personas) for key, r in originals.items()}
    rows = probe_checks(originals, labels, ctx.store.load_probe_grades(run_id), settings.name_sets, run.config.gates)
    ctx.store.save_checks(run_id, rows)
    ctx.store.finish_run(run_id, "complete")
    return rows
