"""The harness service: plan a run, start or resume it, run and judge its interviews, and finalize it.

Each interview is committed to the store the moment it is judged, so an interrupted run keeps
everything finished. The CLI is a thin layer over `Harness`.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import zlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.gateway import CACHE_FILENAME, Gateway
from agents.interview import InterviewJob, stream_interviews
from agents.prompting import PromptError, PromptSet
from agents.records import InterviewResult
from evals.batch_gc import batch_gc
from evals.checks import compute_checks
from evals.digest import digest_for, dump_digest, load_digest
from evals.loading import DataError, Library, file_sha256
from evals.metric_rows import CheckRow
from evals.recordings import read_recordings, to_result
from evals.review import grade_result, review_result
from evals.run_config import RunConfig
from evals.store import RunRecord, Store
from evals.store_writer import StoreWriter
from evals.twins import renamed, twin_of
from scenarios.model import Scenario

DEFAULT_TAG = "core"


class HarnessError(Exception):
    """A run cannot be started or resumed as asked; the message says why and what to do."""


class RunStopped(HarnessError):
    """The run stopped before its plan was done (a model kept failing the same way, or the budget ran out); what
    finished is kept."""


class ResumeRefused(HarnessError):
    """The run's inputs changed since it started, so finishing it would mix two experiments."""


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


@dataclass(frozen=True)
class RunPlan:
    """What a run will do: a scenario and (persona, trial) pairs."""

    scenario_id: str
    pairs: list[tuple[str, int]]

    @property
    def persona_ids(self) -> list[str]:
        return list(dict.fromkeys(pid for pid, _ in self.pairs))


def make_plan(lib: Library, scenario_id: str, persona_ids: list[str] | None, tags: list[str] | None, trials: int) -> RunPlan:
    """Every (persona, trial) of a run; DataError for an unknown scenario or persona, or an empty selection."""
    lib.scenario(scenario_id)
    chosen = select_personas(lib, scenario_id, persona_ids, tags)
    return RunPlan(scenario_id, [(pid, t) for pid in chosen for t in range(trials)])


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@dataclass(frozen=True)
class Budget:
    """A cap on what one execution spends: no interview starts once the spend so far, plus the interviews in flight
    and the next one at `per_interview_usd` each, would pass `max_usd`."""

    max_usd: float
    per_interview_usd: float

    def allows(self, spent: float, in_flight: int) -> bool:
        return spent + (in_flight + 1) * self.per_interview_usd <= self.max_usd


@dataclass
class PreparedRun:
    """A run ready to execute: its record, configuration, templates and the interviews still to do."""

    run: RunRecord
    config: RunConfig
    prompts: PromptSet
    pending: list[tuple[str, int]]

    @property
    def run_id(self) -> str:
        return self.run.run_id


class Harness:
    """Runs live in `store`; scenarios and personas come from `library`; model replies are cached at `cache_path`."""

    def __init__(self, store: Store, library: Library, cache_path: Path | None = None):
        self.store = store
        self.library = library
        self.cache_path = cache_path if cache_path is not None else store.path.parent / CACHE_FILENAME

    def persona_hashes(self, persona_ids: list[str]) -> dict[str, str]:
        return {pid: file_sha256(self.library.files[f"persona:{pid}"]) for pid in persona_ids}

    def start(
        self, plan: RunPlan, config: RunConfig, *, label: str | None = None, persona_set_hash: str | None = None
    ) -> PreparedRun:
        """Record a new run with everything needed to resume and compare it honestly later.

        A plan of personas records their file hashes; a plan of recordings or of a regrade passes the
        `persona_set_hash` that identifies what it interviews (the recordings file, the original run's).
        """
        prompts = _prompt_set(config)
        if persona_set_hash is None:
            config = config.model_copy(update={"persona_hashes": self.persona_hashes(plan.persona_ids)})
            persona_set_hash = self.library.persona_set_hash(plan.persona_ids)
        run_id = self.store.create_run(
            label=label,
            scenario_id=plan.scenario_id,
            scenario_hash=self.library.scenario_hash(plan.scenario_id),
            persona_set_hash=persona_set_hash,
            config=config,
            models=config.models.model_names(),
            prompt_hashes=prompts.hashes(),
            plan=plan.pairs,
            git_commit=git_commit(),
        )
        return PreparedRun(self.store.get_run_exact(run_id), config, prompts, list(plan.pairs))

    def resume(self, run_id: str, *, concurrency: int | None = None) -> PreparedRun:
        """Reopen an unfinished run with its stored configuration; refuse when its inputs changed."""
        run = self.store.get_run(run_id)
        if run is None:
            raise HarnessError(f"no run {run_id!r} in {self.store.path} (see `interview-harness runs`)")
        config = run.config if concurrency is None else run.config.model_copy(update={"concurrency": concurrency})
        changed = self._changed_inputs(run)
        prompts = _prompt_set(config)
        changed += [
            f"the {name} prompt template"
            for name, digest in prompts.hashes().items()
            if run.prompt_hashes.get(name) not in (None, digest)
        ]
        if changed:
            raise ResumeRefused(
                f"cannot resume run {run.run_id}: {'; '.join(changed)} changed since it started. "
                "Start a new run instead, so one run never mixes two sets of inputs."
            )
        pending = self.store.missing(run.run_id)
        self.store.reopen_run(run.run_id)
        return PreparedRun(self.store.get_run_exact(run.run_id), config, prompts, pending)

    def _changed_inputs(self, run: RunRecord) -> list[str]:
        lib = self.library
        if run.scenario_id not in lib.scenarios:
            return [f"scenario {run.scenario_id} (no longer in the library)"]
        changed = [f"the scenario file of {run.scenario_id}"] if lib.scenario_hash(run.scenario_id) != run.scenario_hash else []
        if run.config.recordings is not None:
            path = Path(run.config.recordings)
            if not path.is_file() or file_sha256(path) != run.config.recordings_sha256:
                changed.append(f"the recordings file {run.config.recordings}")
            return changed
        original = run.config.probe.base_run if run.config.probe else run.config.regrade_of
        if original is not None:
            return changed + ([f"the original run {original} (it is gone)"] if self.store.get_run(original) is None else [])
        planned = list(dict.fromkeys(pid for pid, _ in run.plan))
        gone = [pid for pid in planned if pid not in lib.personas]
        if gone:
            return changed + [f"personas {', '.join(gone)} (no longer in the library)"]
        stored = run.config.persona_hashes
        if stored:
            now = self.persona_hashes(planned)
            changed += [f"the persona file of {pid}" for pid in planned if stored.get(pid) != now[pid]]
        elif lib.persona_set_hash(planned) != run.persona_set_hash:
            changed.append("the persona files")
        return changed

    def execute(
        self, prepared: PreparedRun, on_result: Callable[[InterviewResult], None] | None = None, budget: Budget | None = None
    ) -> None:
        """Run (or read) and review the pending interviews, committing each to the store the moment it is done.

        RunStopped when the run ends before its plan: a model kept failing the same way, or `budget` ran out."""
        config = prepared.config
        if config.probe is not None:
            from evals.probing import execute_probe

            return execute_probe(self, prepared)
        gateway = config.gateway(self.cache_path)
        # closing: the replies the gateway's cache writes behind are committed however the run ends.
        with StoreWriter(self.store, prepared.run_id) as writer, batch_gc(), contextlib.closing(gateway):
            self._execute(prepared, gateway, writer, on_result, budget)

    def _execute(
        self,
        prepared: PreparedRun,
        gateway: Gateway,
        writer: StoreWriter,
        on_result: Callable[[InterviewResult], None] | None,
        budget: Budget | None,
    ) -> None:
        config = prepared.config
        scenario = self.library.scenario(prepared.run.scenario_id)
        counts = {"started": 0, "done": 0}

        async def committed(result: InterviewResult) -> None:
            try:
                digest: str | None = dump_digest(digest_for(result, self.library.personas, scenario))
            except Exception:  # noqa: BLE001 — the interview is kept whatever its digest does; finalize makes it again
                digest = None
            await writer.save(result, digest)  # durable before anyone is told it is done
            counts["done"] += 1
            if on_result:
                on_result(result)

        async def finished(result: InterviewResult, *, grade: bool = False) -> None:
            twin = twin_of(result.trial, config.trials, config.twins)[1]
            result.twin = twin.id if twin else None
            await review_result(result, scenario, gateway, prepared.prompts, config.annotator, grade=grade)
            await committed(result)

        async def regraded(result: InterviewResult) -> None:
            # The same transcript, annotations and judge reads; only the grade (and its calls) are new.
            result.calls = []
            await grade_result(result, scenario, gateway, prepared.prompts)
            await committed(result)

        if config.regrade_of is not None:
            originals = {(r.persona_id, r.trial): r for r in self.store.load_results(config.regrade_of)}
            pending = [originals[key].model_copy(deep=True) for key in prepared.pending if key in originals]
            asyncio.run(_bounded([regraded(r) for r in pending], config.concurrency))
        elif config.recordings is not None:
            wanted = {pid for pid, _ in prepared.pending}
            recordings, _ = read_recordings(Path(config.recordings), self.library)
            imported = [to_result(r) for r in recordings if r.record.id in wanted]
            asyncio.run(_bounded([finished(r, grade=True) for r in imported], config.concurrency))
        else:

            def jobs():
                for pid, trial in prepared.pending:
                    counts["started"] += 1
                    yield self._job(scenario, pid, trial, config)

            def stop() -> bool:
                if gateway.breaker.tripped is not None:
                    return True
                return budget is not None and not budget.allows(gateway.spent_usd, counts["started"] - counts["done"])

            asyncio.run(
                stream_interviews(
                    jobs(),
                    gateway,
                    finished,
                    concurrency=config.concurrency,
                    prompts=prepared.prompts,
                    source=config.interviewer,
                    stop=stop,
                )
            )
        if gateway.breaker.tripped is not None:
            raise RunStopped(gateway.breaker.tripped)
        if budget is not None and counts["started"] < len(prepared.pending):
            raise RunStopped(
                f"the budget: ${gateway.spent_usd:.4f} spent of --max-cost ${budget.max_usd:.4f}, and the next interview "
                f"(about ${budget.per_interview_usd:.4f}) would pass it; resume with a new --max-cost"
            )

    def _job(self, scenario: Scenario, persona_id: str, trial: int, config: RunConfig) -> InterviewJob:
        """One interview of the plan; a twin replays its trial's seed under another name."""
        base, name_set = twin_of(trial, config.trials, config.twins)
        seed = interview_seed(persona_id, base)
        persona = self.library.persona(persona_id)
        return InterviewJob(scenario, renamed(persona, name_set, seed) if name_set else persona, seed, trial)

    def interrupt(self, run_id: str) -> int:
        """Mark a run incomplete after an interruption; return how many interviews it keeps."""
        self.store.finish_run(run_id, "incomplete")
        return self.store.count_interviews(run_id)

    def finalize(self, run_id: str) -> list[CheckRow]:
        """Compute and store the checks over every interview of the run, judged by the run's stored gates."""
        run = self.store.get_run_exact(run_id)
        if run.config.probe is not None:
            from evals.probing import finalize_probe

            return finalize_probe(self, run_id)
        scenario = self.library.scenario(run.scenario_id)
        digests = [
            load_digest(saved) if isinstance(saved, str) else digest_for(saved, self.library.personas, scenario)
            for saved in self.store.load_digests(run_id)
        ]
        rows = compute_checks(digests, scenario, self.library.personas, run.config.gates)
        self.store.save_checks(run_id, rows)
        self.store.finish_run(run_id, "complete")
        return rows


async def _bounded(tasks: list[Coroutine[Any, Any, None]], concurrency: int) -> None:
    """Await the tasks, at most `concurrency` at a time."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(task: Coroutine[Any, Any, None]) -> None:
        async with limit:
            await task

    await asyncio.gather(*(one(t) for t in tasks))


def _prompt_set(config: RunConfig) -> PromptSet:
    try:
        return config.prompt_set()
    except PromptError as exc:
        raise HarnessError(str(exc)) from exc


def gates_failed(rows: list[CheckRow]) -> list[CheckRow]:
    """The rows whose gate failed."""
    return [r for r in rows if r.passed is False]
