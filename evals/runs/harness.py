"""The harness service: start or resume a run of any kind, execute it, and finalize it.

The run's configuration says its kind; `EXECUTORS` holds one executor per kind, and this module is the one place
that dispatches on it. The CLI and the library's entry points (`evals.api`) are thin layers over `Harness`.
"""

from __future__ import annotations

from evals.metrics.rows import CheckRow
from evals.runs.executors import Executor, ImportExecutor, OnResult, PracticeExecutor, RegradeExecutor, SimulateExecutor
from evals.runs.plan import (
    Budget,
    HarnessError,
    PreparedRun,
    ResumeRefused,
    RunContext,
    RunPlan,
    RunStopped,
    gates_failed,
    interview_seed,
    make_plan,
    prompt_set,
    select_personas,
)
from evals.runs.probe_run import ProbeExecutor
from evals.store.database import RunRecord

__all__ = [
    "Budget",
    "Harness",
    "HarnessError",
    "PreparedRun",
    "ResumeRefused",
    "RunPlan",
    "RunStopped",
    "gates_failed",
    "interview_seed",
    "make_plan",
    "select_personas",
]

EXECUTORS: dict[str, Executor] = {
    "simulate": SimulateExecutor(),
    "import": ImportExecutor(),
    "regrade": RegradeExecutor(),
    "probe": ProbeExecutor(),
    "practice": PracticeExecutor(),
}


def executor(run_config_kind: str) -> Executor:
    """The executor of a run kind: the one dispatch on kind."""
    return EXECUTORS[run_config_kind]


class Harness(RunContext):
    """Starts (see `RunContext.start`), resumes, executes and finalizes runs of every kind."""

    def resume(self, run_id: str, *, concurrency: int | None = None) -> PreparedRun:
        """Reopen an unfinished run with its stored configuration; refuse when its inputs changed."""
        run = self.store.get_run(run_id)
        if run is None:
            raise HarnessError(f"no run {run_id!r} in {self.store.path} (see `interview-harness runs`)")
        config = run.config if concurrency is None else run.config.model_copy(update={"concurrency": concurrency})
        changed = self._changed_inputs(run)
        prompts = prompt_set(config)
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
        return changed + executor(run.config.kind).changed_inputs(self, run)

    def execute(self, prepared: PreparedRun, on_result: OnResult | None = None, budget: Budget | None = None) -> None:
        """Run (or read) and review the pending interviews, committing each to the store the moment it is done.

        RunStopped when the run ends before its plan: a model kept failing the same way, or `budget` ran out."""
        executor(prepared.config.kind).execute(self, prepared, on_result, budget)

    def interrupt(self, run_id: str) -> int:
        """Mark a run incomplete after an interruption; return how many interviews it keeps."""
        self.store.finish_run(run_id, "incomplete")
        return self.store.count_interviews(run_id)

    def finalize(self, run_id: str) -> list[CheckRow]:
        """Compute and store the run's checks, judged by the run's stored gates."""
        return executor(self.store.get_run_exact(run_id).config.kind).finalize(self, run_id)
