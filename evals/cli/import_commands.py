"""`import` and `regrade`: runs on transcripts the harness did not simulate, judged like any other run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evals.terminal import (
    DEFAULT_DB,
    AnnotatorOption,
    ConfigOption,
    DbOption,
    GraderModel,
    GraderPrompt,
    JudgeModel,
    ModelChoices,
    NoCache,
    RecordOption,
    check_models,
    execute_and_finalize,
    fail,
    find_run,
    open_store,
    print_summary,
)

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
    record: RecordOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Recorded interviews become a run: annotated, graded, judged and checked like simulated ones."""
    from evals import api

    choices = ModelChoices(
        grader_model=grader_model,
        judge_model=judge_model,
        grader_prompt=grader_prompt,
        config=config,
        no_cache=no_cache,
        annotator=annotator,
    )
    try:
        lib = api.load_library()
    except api.DataError as exc:
        fail(str(exc))
    try:
        planned = api.plan_import(lib, file, choices, concurrency=concurrency, skip_invalid=skip_invalid)
    except (api.InputError, FileNotFoundError) as exc:
        fail(str(exc))
    for problem in planned.problems:
        typer.echo(problem, err=True)
    check_models(planned.config.models, lib.scenario(planned.plan.scenario_id), choices.prompts())
    with open_store(db) as store:
        harness = api.harness(store, lib, record_dir=record)
        try:
            prepared = harness.start(planned.plan, planned.config, label=label, persona_set_hash=planned.config.recordings_sha256)
        except api.HarnessError as exc:
            fail(str(exc))
        rows = execute_and_finalize(harness, prepared, db)
    print_summary(prepared.run_id, rows)
    if api.gates_failed(rows) and not no_gate:
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
    samples: Annotated[
        int, typer.Option("--samples", min=1, help="Grades per transcript, each its own draw: the report then shows flips.")
    ] = 1,
    record: RecordOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Grade a run's frozen transcripts again with another grader or prompt: a new run, paired with the old by interview."""
    from evals import api

    try:
        lib = api.load_library()
    except api.DataError as exc:
        fail(str(exc))
    with open_store(db) as store:
        original = find_run(store, run_id)
        harness = api.harness(store, lib, record_dir=record)
        try:
            prepared = api.start_regrade(
                harness,
                original,
                grader_model=grader_model,
                grader_prompt=grader_prompt,
                config_file=config,
                use_cache=not no_cache,
                concurrency=concurrency,
                label=label,
                samples=samples,
            )
        except (api.InputError, api.HarnessError, ValueError) as exc:
            fail(str(exc))
        rows = execute_and_finalize(harness, prepared, db)
    typer.echo(f"regraded run {original.run_id}: compare with `interview-harness compare {original.run_id} {prepared.run_id}`")
    print_summary(prepared.run_id, rows)
    if api.gates_failed(rows) and not no_gate:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("import")(import_recordings)
    app.command()(regrade)
