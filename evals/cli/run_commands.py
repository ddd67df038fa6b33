"""`run` and `runs`: the harness's main job, and the list of stored runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from evals.cli.options import (
    DEFAULT_DB, CandidateModel, CandidatePrompt, ConfigOption, DbOption, GraderModel, GraderPrompt,
    InterviewerModel, InterviewerPrompt, JudgeModel, ModelChoices, NoCache, build_gateway, fail,
)

INTERRUPTED = 130


def open_store(db: Path):
    """Open the results database, or exit 2 with a clear message (e.g. another process holds it)."""
    from evals.store import Store, StoreError

    try:
        return Store.open(db)
    except StoreError as exc:
        fail(str(exc))


def run(
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario id.")] = "microsoft-ai-engineer-behavioral",
    persona: Annotated[list[str] | None, typer.Option("--persona", help="Persona id (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Personas with this tag (repeatable; default core).")] = None,
    trials: Annotated[int, typer.Option("--trials", min=1, help="Interviews per persona.")] = 1,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, help="Interviews at once (default 4; 1 when every role is an embedded model).")] = None,
    label: Annotated[str | None, typer.Option("--label", help="A name for this run.")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Finish an interrupted run: only its missing interviews.")] = None,
    no_gate: Annotated[bool, typer.Option("--no-gate", help="Report the gates but exit 0 even when one fails.")] = False,
    interviewer_model: InterviewerModel = None,
    candidate_model: CandidateModel = None,
    grader_model: GraderModel = None,
    judge_model: JudgeModel = None,
    interviewer_prompt: InterviewerPrompt = None,
    candidate_prompt: CandidatePrompt = None,
    grader_prompt: GraderPrompt = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Simulate interviews over a persona set, check grader, interviewer and personas, and gate the result."""
    from agents.model_config import ModelsConfig
    from evals import runner
    from evals.gates import defaults_version, load_gates
    from evals.loading import DataError, load_shipped

    choices = ModelChoices(interviewer_model, candidate_model, grader_model, judge_model,
                           interviewer_prompt, candidate_prompt, grader_prompt, config, no_cache)
    try:
        lib = load_shipped()
        gates = load_gates(config)
    except (DataError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    store = open_store(db)
    with store:
        if resume:
            record = store.get_run(resume) or fail(f"no run {resume!r} in {db}")
            run_id = record.run_id
            saved = record.config
            models = ModelsConfig.model_validate(saved["models"])
            choices = ModelChoices(**{**saved["prompts"], "no_cache": saved["no_cache"]})
            prompts = choices.prompts()
            if prompts.hashes() != record.prompt_hashes:
                fail("the prompt templates changed since this run started; start a new run instead of resuming")
            pairs = store.missing(run_id)
            store.reopen_run(run_id)
            concurrency = saved["concurrency"]
        else:
            try:
                plan = runner.make_plan(lib, scenario, persona, tag, trials)
            except DataError as exc:
                fail(str(exc))
            models, prompts = choices.resolve(), choices.prompts()
            concurrency = concurrency or default_concurrency(models)
            saved = {
                "models": models.model_dump(), "no_cache": no_cache, "concurrency": concurrency, "trials": trials,
                "prompts": {k: str(v) if v else None for k, v in (("interviewer_prompt", interviewer_prompt),
                            ("candidate_prompt", candidate_prompt), ("grader_prompt", grader_prompt))},
                "gates_version": defaults_version(), "gates": {k: g.model_dump() for k, g in gates.items()},
            }
            run_id = runner.create_run(store, lib, plan, label=label, models=models, prompts=prompts, config=saved)
            pairs = plan.pairs
        gateway = build_gateway(models, db, use_cache=not saved["no_cache"], concurrency=concurrency)
        typer.echo(f"run {run_id}: {len(pairs)} interview(s) on {', '.join(sorted(set(models.model_names().values())))}")
        try:
            _execute_with_progress(store, run_id, lib, pairs, gateway, prompts, concurrency)
        except KeyboardInterrupt:
            store.finish_run(run_id, "incomplete")
            done = len(store.load_results(run_id))
            typer.echo(f"\ninterrupted: {done} finished interview(s) kept; finish with: interview-harness run --resume {run_id} --db {db}", err=True)
            raise typer.Exit(INTERRUPTED) from None
        rows = runner.finalize(store, run_id, lib, gates)
    print_summary(run_id, rows)
    failed = runner.gates_failed(rows)
    if failed and not no_gate:
        raise typer.Exit(1)


def default_concurrency(models) -> int:
    """Embedded models answer one call at a time; interleaving interviews there only defeats llama.cpp's prompt reuse."""
    return 1 if all(m.startswith("local/") for m in models.model_names().values()) else 4


def _execute_with_progress(store, run_id, lib, pairs, gateway, prompts, concurrency) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from evals.runner import execute

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("interviews", total=len(pairs))

        def done(result) -> None:
            status = "ok" if result.status == "completed" else f"error: {result.error}"
            progress.console.print(f"  {result.persona_id}#{result.trial} {status} ({result.duration_s:.0f}s)", markup=False, highlight=False)
            progress.advance(task)

        execute(store, run_id, lib, pairs, gateway, prompts, concurrency=concurrency, on_result=done)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_summary(run_id: str, rows) -> None:
    """The headline metrics with intervals and gate marks, then cost and tokens per role."""
    from rich.console import Console
    from rich.table import Table

    from evals.report import HEADLINE

    console = Console(width=120)
    table = Table("metric", "value", "95% CI", "n", "gate", title=f"run {run_id}")
    overall = {r.metric: r for r in rows if r.scope in ("overall", "micro")}
    for metric in HEADLINE:
        r = overall.get(metric)
        if r is None:
            continue
        gate = "" if r.passed is None else ("[green]PASS[/green]" if r.passed else "[red]FAIL[/red]")
        if r.threshold is not None:
            gate += f" ({'<=' if metric == 'abs_smd' else '>='} {r.threshold:g})"
        table.add_row(metric, _fmt(r.value), f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if r.ci_low is not None else "-", str(r.n or 0), gate)
    console.print(table)
    cost = Table("role", "calls", "prompt tok", "completion tok", "model s", "cache hits", "cost $", title="cost")
    roles = sorted({r.scope for r in rows if r.metric == "calls"})
    by = {(r.metric, r.scope): r.value for r in rows}
    for role in roles:
        cost.add_row(role, *(f"{by.get((m, role), 0):.0f}" for m in ("calls", "prompt_tokens", "completion_tokens", "latency_s", "cache_hits")),
                     f"{by.get(('cost_usd', role), 0):.4f}" + (" (unpriced)" if by.get(("unknown_cost", role)) else ""))
    console.print(cost)
    errors = overall.get("errors")
    if errors and errors.value:
        console.print(f"[red]{errors.value:.0f} interview(s) failed[/red]: " + "; ".join(errors.details.get("errors", [])[:5]), highlight=False)
    failed = [r.metric for r in rows if r.passed is False]
    console.print(f"gates: {'all passed' if not failed else 'FAILED ' + ', '.join(failed)}   run id: {run_id}")


def runs(
    limit: Annotated[int, typer.Option("--limit", help="How many runs.")] = 20,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Recent runs, one line each."""
    if not db.exists():
        fail(f"no results database at {db}")
    with open_store(db) as store:
        for r in store.list_runs(limit):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started_at))
            n = store.query("select count(*) from interviews where run_id = ? and status = 'completed'", (r.run_id,))[0][0]
            typer.echo(f"{r.run_id}  {when}  {r.status:<10}  {n}/{len(r.plan)} interviews  "
                       f"{r.models.get('grader', '?')}  {r.label or ''}")


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(runs)
