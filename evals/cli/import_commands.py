"""`import` and `regrade`: runs on transcripts the harness did not simulate, judged like any other run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evals.cli.options import (
    DEFAULT_DB,
    AnnotatorOption,
    ConfigOption,
    DbOption,
    GraderModel,
    GraderPrompt,
    JudgeModel,
    ModelChoices,
    NoCache,
    check_models,
    fail,
)
from evals.cli.run_commands import execute_and_finalize, find_run, open_store, print_summary, run_config

Label = Annotated[str | None, typer.Option("--label", help="A name for this run.")]
Concurrency = Annotated[int | None, typer.Option("--concurrency", min=1, help="Interviews reviewed at once.")]
NoGate = Annotated[bool, typer.Option("--no-gate", help="Report the gates but exit 0 even when one fails.")]


def import_recordings(
    file: Annotated[Path, typer.Argument(help="JSONL file, one recorded interview per line (evals/recording.schema.json).")],
    annotator: AnnotatorOption = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid lines even when some are bad.")] = False,
    label: Label = None,
    grader_model: GraderModel = None,
    judge_model: JudgeModel = None,
    grader_prompt: GraderPrompt = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    concurrency: Concurrency = None,
    no_gate: NoGate = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Recorded interviews become a run: annotated, graded, judged and checked like simulated ones."""
    from evals.harness import Harness, HarnessError, RunPlan, gates_failed
    from evals.loading import DataError, load_shipped
    from evals.recordings import file_sha256, read_recordings

    if not file.is_file():
        fail(f"no recordings file at {file}")
    try:
        lib = load_shipped()
    except DataError as exc:
        fail(str(exc))
    recordings, problems = read_recordings(file, lib)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems and not skip_invalid:
        fail(f"{len(problems)} problem(s) in {file}; nothing was stored (--skip-invalid imports the valid lines)")
    scenarios = sorted({r.record.scenario for r in recordings})
    if len(scenarios) != 1:
        fail(f"an import holds the interviews of one scenario; {file} has {len(scenarios)}: {', '.join(scenarios) or 'none'}")
    digest = file_sha256(file)
    choices = ModelChoices(
        grader_model=grader_model,
        judge_model=judge_model,
        grader_prompt=grader_prompt,
        config=config,
        no_cache=no_cache,
        annotator=annotator,
    )
    try:
        settings = run_config(
            choices, 1, concurrency, interviewer="imported", recordings=str(file.resolve()), recordings_sha256=digest
        )
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    check_models(settings.models, lib.scenario(scenarios[0]), choices.prompts())
    plan = RunPlan(scenarios[0], [(r.record.id, 0) for r in recordings])
    with open_store(db) as store:
        harness = Harness(store, lib)
        try:
            prepared = harness.start(plan, settings, label=label, persona_set_hash=digest)
        except HarnessError as exc:
            fail(str(exc))
        rows = execute_and_finalize(harness, prepared, db)
    print_summary(prepared.run_id, rows)
    if gates_failed(rows) and not no_gate:
        raise typer.Exit(1)


def regrade(
    run_id: Annotated[str, typer.Argument(help="The run whose transcripts to grade again.")],
    grader_model: GraderModel = None,
    grader_prompt: GraderPrompt = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML config whose [gates] replace the original run's.")] = None,
    label: Label = None,
    no_cache: NoCache = False,
    concurrency: Concurrency = None,
    no_gate: NoGate = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Grade a run's frozen transcripts again with another grader or prompt: a new run, paired with the old by interview."""
    from agents.model_config import ConfigError, resolve_models
    from evals.gates import load_gates
    from evals.harness import Harness, HarnessError, RunPlan, gates_failed
    from evals.loading import DataError, load_shipped
    from evals.run_config import prompt_overrides

    try:
        lib = load_shipped()
        gates = load_gates(config) if config is not None else None
        grader = resolve_models({"grader": grader_model}, config).grader if grader_model or config else None
    except (DataError, ConfigError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    with open_store(db) as store:
        original = find_run(store, run_id)
        done = [(r.persona_id, r.trial) for r in store.load_results(original.run_id) if r.transcript]
        if not done:
            fail(f"run {original.run_id} has no transcript to grade")
        changes = {
            "regrade_of": original.run_id,
            "recordings": None,  # the transcripts come from the original run now
            "recordings_sha256": None,
            "use_cache": not no_cache,
            "models": original.config.models.model_copy(update={"grader": grader}) if grader else original.config.models,
            "prompts": {**original.config.prompts, **prompt_overrides({"grader": grader_prompt})}
            if grader_prompt
            else original.config.prompts,
            "gates": gates if gates is not None else original.config.gates,
            "concurrency": concurrency or original.config.concurrency,
        }
        harness = Harness(store, lib)
        try:
            prepared = harness.start(
                RunPlan(original.scenario_id, done),
                original.config.model_copy(update=changes),
                label=label,
                persona_set_hash=original.persona_set_hash,
            )
        except HarnessError as exc:
            fail(str(exc))
        rows = execute_and_finalize(harness, prepared, db)
    typer.echo(f"regraded run {original.run_id}: compare with `interview-harness compare {original.run_id} {prepared.run_id}`")
    print_summary(prepared.run_id, rows)
    if gates_failed(rows) and not no_gate:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("import")(import_recordings)
    app.command()(regrade)
