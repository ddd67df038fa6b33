"""One executor per run kind but probes (`probe_run.py`): what a kind checks before a resume, how it produces and
reviews its interviews, and how it is finalized.

Each interview is committed to the store the moment it is reviewed, so an interrupted run keeps everything finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from agents.interview.batch import InterviewJob, stream_interviews
from agents.models.gateway import Gateway
from agents.records import InterviewResult
from evals.metrics.checks import compute_checks
from evals.metrics.digest import digest_for, dump_digest, load_digest
from evals.metrics.rows import CheckRow
from evals.runs.batch_gc import batch_gc
from evals.runs.config import ImportConfig, RegradeConfig, SimulateConfig
from evals.runs.plan import Budget, HarnessError, PreparedRun, RunContext, RunStopped, interview_seed
from evals.runs.recordings import file_sha256, read_recordings, to_result
from evals.runs.review import grade_result, review_result
from evals.runs.twins import renamed, twin_of
from evals.store.database import RunRecord
from evals.store.writer import StoreWriter

OnResult = Callable[[InterviewResult], None]


class Executor(Protocol):
    """How one kind of run is checked, executed and finalized."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        """What the run reads that changed since it started, beyond the scenario; [] when it may resume."""
        ...

    def execute(self, ctx: RunContext, prepared: PreparedRun, on_result: OnResult | None, budget: Budget | None) -> None:
        """Produce and review the pending interviews, committing each as it is done."""
        ...

    def finalize(self, ctx: RunContext, run_id: str) -> list[CheckRow]:
        """Compute and store the run's checks, judged by its stored gates."""
        ...


def finalize_checks(ctx: RunContext, run_id: str) -> list[CheckRow]:
    """The checks over every interview of the run (from their saved digests where they hold), stored with the run."""
    run = ctx.store.get_run_exact(run_id)
    scenario = ctx.library.scenario(run.scenario_id)
    digests = [
        load_digest(saved) if isinstance(saved, str) else digest_for(saved, ctx.library.personas, scenario)
        for saved in ctx.store.load_digests(run_id)
    ]
    rows = compute_checks(digests, scenario, ctx.library.personas, run.config.gates)
    ctx.store.save_checks(run_id, rows)
    ctx.store.finish_run(run_id, "complete")
    return rows


class _Reviewed:
    """What the interview-producing kinds share: a gateway, a writer thread, and committing each reviewed interview."""

    def execute(self, ctx: RunContext, prepared: PreparedRun, on_result: OnResult | None, budget: Budget | None) -> None:
        gateway = prepared.config.gateway(ctx.cache_path, ctx.record_dir)
        # closing: the replies the gateway's cache writes behind are committed however the run ends.
        with StoreWriter(ctx.store, prepared.run_id) as writer, batch_gc(), contextlib.closing(gateway):
            self._produce(ctx, prepared, gateway, _Committer(ctx, prepared, writer, on_result), budget)
        if gateway.breaker.tripped is not None:
            raise RunStopped(gateway.breaker.tripped)

    def _produce(
        self, ctx: RunContext, prepared: PreparedRun, gateway: Gateway, commit: _Committer, budget: Budget | None
    ) -> None:
        raise NotImplementedError

    def finalize(self, ctx: RunContext, run_id: str) -> list[CheckRow]:
        return finalize_checks(ctx, run_id)


class _Committer:
    """Saves a reviewed interview with its digest, durable before anyone is told it is done."""

    def __init__(self, ctx: RunContext, prepared: PreparedRun, writer: StoreWriter, on_result: OnResult | None):
        self.ctx, self.writer, self.on_result = ctx, writer, on_result
        self.scenario = ctx.library.scenario(prepared.run.scenario_id)
        self.done = 0

    async def __call__(self, result: InterviewResult) -> None:
        try:
            digest: str | None = dump_digest(digest_for(result, self.ctx.library.personas, self.scenario))
        except Exception:  # noqa: BLE001 — the interview is kept whatever its digest does; finalize makes it again
            digest = None
        await self.writer.save(result, digest)
        self.done += 1
        if self.on_result:
            self.on_result(result)


class SimulateExecutor(_Reviewed):
    """Personas interviewed live; the only kind a budget can stop."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        lib = ctx.library
        planned = list(dict.fromkeys(pid for pid, _ in run.plan))
        gone = [pid for pid in planned if pid not in lib.personas]
        if gone:
            return [f"personas {', '.join(gone)} (no longer in the library)"]
        stored = run.config.persona_hashes if isinstance(run.config, SimulateConfig) else {}
        if stored:
            now = ctx.persona_hashes(planned)
            return [f"the persona file of {pid}" for pid in planned if stored.get(pid) != now[pid]]
        return ["the persona files"] if lib.persona_set_hash(planned) != run.persona_set_hash else []

    def _produce(
        self, ctx: RunContext, prepared: PreparedRun, gateway: Gateway, commit: _Committer, budget: Budget | None
    ) -> None:
        config = prepared.config
        assert isinstance(config, SimulateConfig)
        scenario = commit.scenario
        started = 0

        async def finished(result: InterviewResult) -> None:
            twin = twin_of(result.trial, config.trials, config.twins)[1]
            result.twin = twin.id if twin else None
            await review_result(result, scenario, gateway, prepared.prompts, config.annotator, grade=False)
            await commit(result)

        def jobs():
            nonlocal started
            for pid, trial in prepared.pending:
                started += 1
                base, name_set = twin_of(trial, config.trials, config.twins)
                seed = interview_seed(pid, base)  # a twin replays its trial's seed under another name
                persona = ctx.library.persona(pid)
                yield InterviewJob(scenario, renamed(persona, name_set, seed) if name_set else persona, seed, trial)

        def stop() -> bool:
            if gateway.breaker.tripped is not None:
                return True
            return budget is not None and not budget.allows(gateway.spent_usd, started - commit.done)

        asyncio.run(
            stream_interviews(
                jobs(),
                gateway,
                finished,
                concurrency=config.concurrency,
                prompts=prepared.prompts,
                source=config.interviewer,
                length=config.length,
                stop=stop,
            )
        )
        if budget is not None and started < len(prepared.pending) and gateway.breaker.tripped is None:
            raise RunStopped(
                f"the budget: ${gateway.spent_usd:.4f} spent of --max-cost ${budget.max_usd:.4f}, and the next interview "
                f"(about ${budget.per_interview_usd:.4f}) would pass it; resume with a new --max-cost"
            )


class ImportExecutor(_Reviewed):
    """Recorded interviews: read from their file, annotated, graded and judged."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        config = run.config
        assert isinstance(config, ImportConfig)
        path = Path(config.recordings)
        return [] if path.is_file() and file_sha256(path) == config.recordings_sha256 else [f"the recordings file {path}"]

    def _produce(
        self, ctx: RunContext, prepared: PreparedRun, gateway: Gateway, commit: _Committer, budget: Budget | None
    ) -> None:
        config = prepared.config
        assert isinstance(config, ImportConfig)
        wanted = {pid for pid, _ in prepared.pending}
        recordings, _ = read_recordings(Path(config.recordings), ctx.library)

        async def reviewed(result: InterviewResult) -> None:
            await review_result(result, commit.scenario, gateway, prepared.prompts, config.annotator, grade=True)
            await commit(result)

        imported = [to_result(r) for r in recordings if r.record.id in wanted]
        asyncio.run(bounded([reviewed(r) for r in imported], config.concurrency))


class RegradeExecutor(_Reviewed):
    """Another run's frozen transcripts, graded again: the same transcript, annotations and judge reads, a new grade."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        assert isinstance(run.config, RegradeConfig)
        return original_gone(ctx, run.config.regrade_of)

    def _produce(
        self, ctx: RunContext, prepared: PreparedRun, gateway: Gateway, commit: _Committer, budget: Budget | None
    ) -> None:
        config = prepared.config
        assert isinstance(config, RegradeConfig)
        originals = {(r.persona_id, r.trial): r for r in ctx.store.load_results(config.regrade_of)}

        async def regraded(result: InterviewResult) -> None:
            result.calls = []
            await grade_result(result, commit.scenario, gateway, prepared.prompts)
            await commit(result)

        def sample(pid: str, trial: int) -> InterviewResult | None:
            original = originals.get((pid, trial // config.samples))
            if original is None:
                return None
            # Another seed per sample: several draws of the grader on one transcript, not one draw repeated.
            return original.model_copy(deep=True, update={"trial": trial, "seed": original.seed + trial % config.samples})

        pending = [r for pid, trial in prepared.pending if (r := sample(pid, trial)) is not None]
        asyncio.run(bounded([regraded(r) for r in pending], config.concurrency))


class PracticeExecutor:
    """A person's session: stored whole when it ends (`evals.practice.run`), so there is nothing to execute or resume."""

    def changed_inputs(self, ctx: RunContext, run: RunRecord) -> list[str]:
        return []

    def execute(self, ctx: RunContext, prepared: PreparedRun, on_result: OnResult | None, budget: Budget | None) -> None:
        raise HarnessError(f"run {prepared.run_id} is a practice session; it is stored when the session ends")

    def finalize(self, ctx: RunContext, run_id: str) -> list[CheckRow]:
        return finalize_checks(ctx, run_id)


def original_gone(ctx: RunContext, original: str) -> list[str]:
    """The change that stops a run over another run's transcripts: that run is gone."""
    return [f"the original run {original} (it is gone)"] if ctx.store.get_run(original) is None else []


async def bounded(tasks: list[Coroutine[Any, Any, None]], concurrency: int) -> None:
    """Await the tasks, at most `concurrency` at a time."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(task: Coroutine[Any, Any, None]) -> None:
        async with limit:
            await task

    await asyncio.gather(*(one(t) for t in tasks))
