"""What a run will do and where it lives: the plan, the prepared run, the budget, the errors, and the context that
records a new run in the store. Every run kind's executor works through a `RunContext`; `Harness` adds the dispatch.
"""

from __future__ import annotations

import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

from agents.models.gateway import CACHE_FILENAME
from agents.prompting import PromptError, PromptSet
from evals.loading import DataError, Library, file_sha256
from evals.metrics.rows import CheckRow
from evals.runs.config import RunConfig, SimulateConfig
from evals.store.database import RunRecord, Store

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


def _git(*args: str) -> str | None:
    """A git command's output in the current checkout; None when git or the checkout is not there."""
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_commit() -> str | None:
    return _git("rev-parse", "HEAD") or None


def git_state() -> tuple[str | None, str | None, bool | None]:
    """The checkout's commit, branch (None when detached) and whether it has uncommitted changes."""
    branch = _git("rev-parse", "--abbrev-ref", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return git_commit(), None if branch in (None, "", "HEAD") else branch, None if status is None else bool(status)


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


class RunContext:
    """Runs live in `store`; scenarios and personas come from `library`; model replies are cached at `cache_path`, and
    also written to `record_dir` as recordings when it is given (`--record`)."""

    def __init__(self, store: Store, library: Library, cache_path: Path | None = None, record_dir: Path | None = None):
        self.store = store
        self.library = library
        self.cache_path = cache_path if cache_path is not None else store.path.parent / CACHE_FILENAME
        self.record_dir = record_dir

    def persona_hashes(self, persona_ids: list[str]) -> dict[str, str]:
        return {pid: file_sha256(self.library.files[f"persona:{pid}"]) for pid in persona_ids}

    def start(
        self, plan: RunPlan, config: RunConfig, *, label: str | None = None, persona_set_hash: str | None = None
    ) -> PreparedRun:
        """Record a new run with everything needed to resume and compare it honestly later.

        A plan of personas records their file hashes; a plan of recordings or of a regrade passes the
        `persona_set_hash` that identifies what it interviews (the recordings file, the original run's).
        """
        prompts = prompt_set(config)
        if persona_set_hash is None:
            if isinstance(config, SimulateConfig):
                config = config.model_copy(update={"persona_hashes": self.persona_hashes(plan.persona_ids)})
            persona_set_hash = self.library.persona_set_hash(plan.persona_ids)
        commit, branch, dirty = git_state()
        run_id = self.store.create_run(
            label=label,
            scenario_id=plan.scenario_id,
            scenario_hash=self.library.scenario_hash(plan.scenario_id),
            persona_set_hash=persona_set_hash,
            config=config,
            models=config.models.model_names(),
            prompt_hashes=prompts.hashes(),
            plan=plan.pairs,
            git_commit=commit,
            git_branch=branch,
            git_dirty=dirty,
        )
        return PreparedRun(self.store.get_run_exact(run_id), config, prompts, list(plan.pairs))


def prompt_set(config: RunConfig) -> PromptSet:
    try:
        return config.prompt_set()
    except PromptError as exc:
        raise HarnessError(str(exc)) from exc


def gates_failed(rows: list[CheckRow]) -> list[CheckRow]:
    """The rows whose gate failed."""
    return [r for r in rows if r.passed is False]
