"""The library's entry points: what a Python user, a notebook, the CLI and the web app call.

    from evals import api

    lib = api.load_library()
    choices = api.ModelChoices(grader_model="openai/gpt-4o-mini")  # the other roles: the embedded model
    with api.open_store("results/harness.duckdb") as store:
        harness = api.harness(store, lib)
        plan, config = api.plan_simulation(lib, choices, "microsoft-ai-engineer-behavioral", None, ["core"], 1, None)
        prepared = harness.start(plan, config, label="notebook")
        rows = api.execute_and_finalize(harness, prepared)  # the checks, with their gates
        text = api.report_markdown(store, lib, prepared.run_id)

Each function takes typed arguments and returns typed results; bad input raises `InputError` (or `DataError`,
`HarnessError`, `StoreError`), never exits. Heavy modules are imported when a function runs, so importing this
module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from evals.loading import SCHEMA_FILES, DataError, Library, load_shipped, schema_text
from evals.runs.choices import InputError, ModelChoices, new_config, plan_simulation
from evals.runs.config import ImportConfig
from evals.runs.plan import Budget, HarnessError, PreparedRun, RunPlan, RunStopped, gates_failed
from evals.store.database import RunRecord, Store, StoreError

if TYPE_CHECKING:
    from evals.metrics.rows import CheckRow
    from evals.report.compare import Comparison
    from evals.report.run_report import Report
    from evals.runs.executors import OnResult
    from evals.runs.harness import Harness

__all__ = [
    "Budget",
    "DataError",
    "HarnessError",
    "ImportPlan",
    "InputError",
    "ModelChoices",
    "PreparedRun",
    "RunStopped",
    "StoreError",
    "compare",
    "execute_and_finalize",
    "find_run",
    "gates_failed",
    "harness",
    "history",
    "load_library",
    "new_config",
    "open_store",
    "plan_simulation",
    "report",
    "report_markdown",
    "schema_files",
    "plan_import",
    "start_probe",
    "start_regrade",
    "write_schemas",
]


def load_library() -> Library:
    """The shipped scenarios and personas, validated (DataError names each bad file and field)."""
    return load_shipped()


def open_store(db: Path | str) -> Store:
    """The results database (created when missing); StoreError when it cannot be opened."""
    return Store.open(Path(db))


def harness(store: Store, library: Library, record_dir: Path | None = None) -> Harness:
    """The service that starts, resumes, executes and finalizes runs in `store` (writing every real model reply to
    `record_dir` as a recording, when given)."""
    from evals.runs.harness import Harness

    return Harness(store, library, record_dir=record_dir)


def find_run(store: Store, run_id: str) -> RunRecord:
    """The stored run with this id or unambiguous prefix; InputError when there is none."""
    found = store.get_run(run_id)
    if found is None:
        raise InputError(f"no run {run_id!r} in {store.path} (see `interview-harness runs`)")
    return found


def history(store: Store, limit: int = 20) -> list[RunRecord]:
    """The most recent runs, newest first."""
    return store.list_runs(limit)


def execute_and_finalize(
    harness: Harness, prepared: PreparedRun, on_result: OnResult | None = None, budget: Budget | None = None
) -> list[CheckRow]:
    """Execute a prepared run and compute its checks. RunStopped (or KeyboardInterrupt) leaves the run resumable:
    mark it with `harness.interrupt(run_id)`."""
    harness.execute(prepared, on_result=on_result, budget=budget)
    return harness.finalize(prepared.run_id)


@dataclass(frozen=True)
class ImportPlan:
    """An import run to start (`harness.start(plan, config, persona_set_hash=config.recordings_sha256)`), and the
    problems of the lines left out (empty unless `skip_invalid`)."""

    plan: RunPlan
    config: ImportConfig
    problems: list[str]


def plan_import(
    library: Library,
    file: Path,
    choices: ModelChoices,
    *,
    concurrency: int | None = None,
    skip_invalid: bool = False,
) -> ImportPlan:
    """The run of the recorded interviews in `file` (one scenario per file). InputError when the file is missing, a
    line is bad (unless `skip_invalid`) or the lines name several scenarios."""
    from evals.runs.recordings import file_sha256, read_recordings

    if not file.is_file():
        raise InputError(f"no recordings file at {file}")
    recordings, problems = read_recordings(file, library)
    if problems and not skip_invalid:
        raise InputError(
            "\n".join(
                [*problems, f"{len(problems)} problem(s) in {file}; nothing was stored (--skip-invalid imports the valid lines)"]
            )
        )
    scenarios = sorted({r.record.scenario for r in recordings})
    if len(scenarios) != 1:
        raise InputError(
            f"an import holds the interviews of one scenario; {file} has {len(scenarios)}: {', '.join(scenarios) or 'none'}"
        )
    digest = file_sha256(file)
    config = new_config(
        choices, "import", concurrency, interviewer="imported", recordings=str(file.resolve()), recordings_sha256=digest
    )
    assert isinstance(config, ImportConfig)
    return ImportPlan(RunPlan(scenarios[0], [(r.record.id, 0) for r in recordings]), config, problems)


def start_regrade(
    harness: Harness,
    original: RunRecord,
    *,
    grader_model: str | None = None,
    grader_prompt: Path | None = None,
    config_file: Path | None = None,
    use_cache: bool = True,
    concurrency: int | None = None,
    label: str | None = None,
    samples: int = 1,
) -> PreparedRun:
    """Record a run that grades `original`'s frozen transcripts again, with another grader model or prompt (and the
    gates of `config_file` when given), `samples` times each. InputError when the run has no transcript or a choice
    is bad."""
    from agents.models.config import ConfigError, resolve_models
    from evals.metrics.gates import load_gates
    from evals.runs.config import RegradeConfig, prompt_overrides

    try:
        gates = load_gates(config_file) if config_file is not None else None
        grader = resolve_models({"grader": grader_model}, config_file).grader if grader_model or config_file else None
    except (ConfigError, FileNotFoundError) as exc:
        raise InputError(str(exc)) from exc
    done = [(r.persona_id, r.trial) for r in harness.store.load_results(original.run_id) if r.transcript]
    if not done:
        raise InputError(f"run {original.run_id} has no transcript to grade")
    base = original.config
    config = RegradeConfig.model_validate(
        base.settings()
        | {
            "regrade_of": original.run_id,
            "samples": samples,
            "use_cache": use_cache,
            "models": base.models.model_copy(update={"grader": grader}) if grader else base.models,
            "prompts": {**base.prompts, **prompt_overrides({"grader": grader_prompt})} if grader_prompt else base.prompts,
            "gates": gates if gates is not None else base.gates,
            "concurrency": concurrency or base.concurrency,
        }
    )
    plan = RunPlan(original.scenario_id, [(pid, trial * samples + s) for pid, trial in done for s in range(samples)])
    return harness.start(plan, config, label=label, persona_set_hash=original.persona_set_hash)


def start_probe(harness: Harness, base: RunRecord, suite: str | None = None, **options) -> PreparedRun:
    """Record a probe run of `base` (perturbations named as in `probe --suite`, all when None); see
    `evals.runs.probe_run.start_probe` for the options (name_sets, gates, use_cache, concurrency, label)."""
    from evals.runs.probe_run import parse_suite
    from evals.runs.probe_run import start_probe as start

    return start(harness, base, parse_suite(suite), **options)


def report(store: Store, library: Library | None, run_id: str) -> Report:
    """The report of a stored run: its rows and blocks."""
    from evals.report.run_report import build_report

    return build_report(store, find_run(store, run_id), library)


def report_markdown(store: Store, library: Library | None, run_id: str) -> str:
    """The report of a stored run as markdown."""
    from evals.report.run_report import render_markdown

    return render_markdown(report(store, library, run_id))


def compare(store: Store, library: Library | None, base_run: str, new_run: str, gates: dict | None = None) -> Comparison:
    """The paired comparison of two runs: what regressed, with intervals, judged by `gates` (the new run's by default)."""
    from evals.report.compare import compare_runs

    base, new = find_run(store, base_run), find_run(store, new_run)
    return compare_runs(store, base, new, library, gates if gates is not None else new.config.gates)


def schema_files() -> dict[type[BaseModel], Path]:
    """Every data file type a user writes, with the JSON Schema file editors validate it by."""
    from evals.runs.recordings import SCHEMA_FILE, RecordingLine

    return {**SCHEMA_FILES, RecordingLine: SCHEMA_FILE}


def write_schemas() -> list[Path]:
    """Regenerate the JSON Schema files from their models."""
    files = schema_files()
    for model, path in files.items():
        path.write_text(schema_text(model), encoding="utf-8")
    return list(files.values())
