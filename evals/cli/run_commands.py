"""`run` and `runs`: the harness's main job, and the list of stored runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from evals.cli.budget import budget_for, print_estimate, run_estimate
from evals.cli.options import (
    DEFAULT_DB,
    AnnotatorOption,
    CandidateModel,
    CandidatePrompt,
    ConfigOption,
    DbOption,
    GraderModel,
    GraderPrompt,
    InterviewerCallable,
    InterviewerEndpoint,
    InterviewerKeyEnv,
    InterviewerModel,
    InterviewerPrompt,
    InterviewerSource,
    JudgeModel,
    ModelChoices,
    NameSetsOption,
    NoCache,
    check_credentials,
    check_models,
    fail,
)

INTERRUPTED = 130
# A run that stopped on its own (a model kept failing): like a failed gate, the run did not pass.
STOPPED = 1


def open_store(db: Path):
    """Open the results database, or exit 2 with a clear message (e.g. another process holds it)."""
    from evals.store import Store, StoreError

    try:
        return Store.open(db)
    except StoreError as exc:
        fail(str(exc))


def find_run(store, run_id: str):
    """The stored run with this id or unambiguous prefix, or exit 2 saying why there is none."""
    from evals.store import StoreError

    try:
        return store.get_run(run_id) or fail(f"no run {run_id!r} in {store.path} (see `interview-harness runs`)")
    except StoreError as exc:
        fail(str(exc))


def run(
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario id.")] = "microsoft-ai-engineer-behavioral",
    persona: Annotated[list[str] | None, typer.Option("--persona", help="Persona id (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Personas with this tag (repeatable; default core).")] = None,
    trials: Annotated[int, typer.Option("--trials", min=1, help="Interviews per persona.")] = 1,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, help="Interviews at once (default 4; 1 when every role is an embedded model)."),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="A name for this run.")] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Finish an interrupted run: only its missing interviews.")
    ] = None,
    no_gate: Annotated[bool, typer.Option("--no-gate", help="Report the gates but exit 0 even when one fails.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the plan, the models per role and the estimated calls, tokens and cost; run nothing."
        ),
    ] = False,
    max_cost: Annotated[
        float | None,
        typer.Option("--max-cost", min=0.0, help="USD this invocation may spend; the run stops (resumable) before passing it."),
    ] = None,
    interviewer_model: InterviewerModel = None,
    candidate_model: CandidateModel = None,
    grader_model: GraderModel = None,
    judge_model: JudgeModel = None,
    interviewer_prompt: InterviewerPrompt = None,
    candidate_prompt: CandidatePrompt = None,
    grader_prompt: GraderPrompt = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    interviewer_source: InterviewerSource = None,
    interviewer_endpoint: InterviewerEndpoint = None,
    interviewer_callable: InterviewerCallable = None,
    interviewer_api_key_env: InterviewerKeyEnv = None,
    annotator: AnnotatorOption = None,
    twins: Annotated[
        bool, typer.Option("--twins", help="Also interview each persona under every name set, to compare how names are treated.")
    ] = False,
    name_sets: NameSetsOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Simulate interviews over a persona set, check grader, interviewer and personas, and gate the result."""
    choices = ModelChoices(
        interviewer_model,
        candidate_model,
        grader_model,
        judge_model,
        interviewer_prompt,
        candidate_prompt,
        grader_prompt,
        config,
        no_cache,
        interviewer_source,
        interviewer_endpoint,
        interviewer_callable,
        interviewer_api_key_env,
        annotator,
    )
    if resume and (extra := choices.given() + _selection_flags(persona, tag, trials, label, twins)):
        fail(f"--resume finishes a run with the configuration it started with; drop {', '.join(extra)}")
    if not resume:
        check_credentials(choices.resolve())  # before anything slow: a missing key is the usual first mistake
    from evals.harness import Harness, HarnessError, gates_failed
    from evals.loading import DataError, load_shipped

    try:
        lib = load_shipped()
        new_run = None if resume else _new_run(lib, choices, scenario, persona, tag, trials, concurrency, twins, name_sets)
    except (DataError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    if new_run is not None:
        check_models(new_run[1].models, lib.scenario(new_run[0].scenario_id), choices.prompts())
    if dry_run and resume:
        fail("--dry-run plans a new run; it does not take --resume")
    with open_store(db) as store:
        if dry_run and new_run is not None:
            plan = new_run[0]
            found = run_estimate(store, lib, plan.scenario_id, new_run[1], choices.prompts(), len(plan.pairs))
            print_estimate(found, len(plan.persona_ids), trials)
            return
        harness = Harness(store, lib)
        try:
            if new_run is not None:
                budget = _budget(store, lib, new_run[0].scenario_id, new_run[1], choices.prompts(), max_cost)
                prepared = harness.start(*new_run, label=label)
            else:
                _check_resumed_models(store, lib, str(resume))
                prepared = harness.resume(str(resume), concurrency=concurrency)
                budget = _budget(store, lib, prepared.run.scenario_id, prepared.config, prepared.prompts, max_cost)
        except HarnessError as exc:
            fail(str(exc))
        rows = execute_and_finalize(harness, prepared, db, budget)
    print_summary(prepared.run_id, rows)
    if gates_failed(rows) and not no_gate:
        raise typer.Exit(1)


def _budget(store, lib, scenario_id: str, config, prompts, max_cost: float | None):
    """The Budget for --max-cost, priced per interview (None without the flag)."""
    if max_cost is None:
        return None
    return budget_for(run_estimate(store, lib, scenario_id, config, prompts, 1), max_cost)


def _check_resumed_models(store, lib, run_id: str) -> None:
    """The preflight of a run about to be resumed, before it is reopened (a refused resume leaves it as it was)."""
    from agents.prompting import PromptError

    run = store.get_run(run_id)
    if run is None or run.scenario_id not in lib.scenarios:
        return  # resume says why it cannot go on
    try:
        prompts = run.config.prompt_set()
    except PromptError:
        return
    check_models(run.config.models, lib.scenario(run.scenario_id), prompts)


def execute_and_finalize(harness, prepared, db: Path, budget=None):
    """Run the pending interviews with a progress bar and compute the checks; Ctrl-C keeps what finished."""
    models = prepared.config.models.model_names()
    typer.echo(f"run {prepared.run_id}: {len(prepared.pending)} interview(s) on {', '.join(sorted(set(models.values())))}")
    from evals.harness import RunStopped

    try:
        _execute_with_progress(harness, prepared, budget)
    except KeyboardInterrupt:
        _incomplete(harness, prepared.run_id, db, "interrupted")
        raise typer.Exit(INTERRUPTED) from None
    except RunStopped as exc:
        _incomplete(harness, prepared.run_id, db, f"stopped: {exc}")
        raise typer.Exit(STOPPED) from None
    return harness.finalize(prepared.run_id)


def _incomplete(harness, run_id: str, db: Path, why: str) -> None:
    kept = harness.interrupt(run_id)
    typer.echo(
        f"\n{why}\n{kept} interview(s) kept; finish with: interview-harness run --resume {run_id} --db {db}",
        err=True,
    )


def _selection_flags(persona: list[str] | None, tag: list[str] | None, trials: int, label: str | None, twins: bool) -> list[str]:
    chosen = (("--persona", persona), ("--tag", tag), ("--trials", trials != 1), ("--label", label), ("--twins", twins))
    return [flag for flag, given in chosen if given]


def _new_run(lib, choices, scenario, persona, tag, trials, concurrency, twins: bool, name_sets: Path | None):
    """The plan and configuration of a new run; with twins, every pair again under each name set."""
    from evals.harness import RunPlan, make_plan
    from evals.name_sets import load_name_sets
    from evals.twins import twin_pairs

    plan = make_plan(lib, scenario, persona, tag, trials)
    if not twins:
        if name_sets is not None:
            raise ValueError("--name-sets names the sets of --twins; add --twins")
        return plan, run_config(choices, trials, concurrency)
    sets, _ = load_name_sets(name_sets)
    return RunPlan(plan.scenario_id, twin_pairs(plan.pairs, trials, sets)), run_config(choices, trials, concurrency, twins=sets)


def run_config(choices: ModelChoices, trials: int, concurrency: int | None, **fields):
    """The configuration a new run records: models, prompts, gates, interviewer, annotator, concurrency, trials, cache.

    `fields` sets the rest (an import's recordings, a regrade's original run, the interviewer of a recording).
    """
    from agents.model_config import config_file
    from evals.gates import defaults_version, load_gates
    from evals.run_config import RunConfig, prompt_overrides

    source = fields.pop("interviewer", None) or choices.source()
    models = choices.resolve()
    choices.prompts()  # a bad template is bad input now, not after the run was recorded
    gates = load_gates(config_file(choices.config))
    return RunConfig.model_validate(
        {
            "models": models,
            "prompts": prompt_overrides(choices.prompt_paths()),
            "gates": gates,
            "gates_version": defaults_version(),
            "concurrency": concurrency or default_concurrency(models),
            "trials": trials,
            "use_cache": not choices.no_cache,
            "interviewer": source,
            "annotator": choices.annotator or "judge",
            **fields,
        }
    )


def default_concurrency(models) -> int:
    """Embedded models answer one call at a time; interleaving interviews there only defeats llama.cpp's prompt reuse."""
    return 1 if all(m.startswith("local/") for m in models.model_names().values()) else 4


def _execute_with_progress(harness, prepared, budget) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("interviews", total=len(prepared.pending))

        def done(result) -> None:
            status = "ok" if result.status == "completed" else f"error: {result.error}"
            progress.console.print(
                f"  {result.persona_id}#{result.trial} {status} ({result.duration_s:.0f}s)", markup=False, highlight=False
            )
            progress.advance(task)

        harness.execute(prepared, on_result=done, budget=budget)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_summary(run_id: str, rows) -> None:
    """The headline metrics with intervals and gate marks, then cost and tokens per role."""
    from rich.console import Console
    from rich.table import Table

    from evals.metric_rows import ErrorDetails
    from evals.metrics import headline

    console = Console(width=120)
    table = Table("metric", "value", "95% CI", "n", "gate", title=f"run {run_id}")
    by = {(r.metric, r.scope): r for r in rows}
    for declared in headline():
        r = by.get((declared.name, declared.scope))
        if r is None:
            continue
        gate = "" if r.passed is None else ("[green]PASS[/green]" if r.passed else "[red]FAIL[/red]")
        if r.threshold is not None:
            gate += f" ({declared.op} {r.threshold:g})"
        table.add_row(
            declared.name,
            _fmt(r.value),
            f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if r.ci_low is not None else "-",
            str(r.n or 0),
            gate,
        )
    console.print(table)
    cost = Table("role", "calls", "prompt tok", "completion tok", "model s", "cache hits", "cost $", title="cost")
    roles = sorted({r.scope for r in rows if r.metric == "calls"})
    value = lambda name, role: (by[(name, role)].value or 0.0) if (name, role) in by else 0.0  # noqa: E731
    for role in roles:
        cost.add_row(
            role,
            *(f"{value(m, role):.0f}" for m in ("calls", "prompt_tokens", "completion_tokens", "latency_s", "cache_hits")),
            f"{value('cost_usd', role):.4f}" + (" (unpriced)" if value("unknown_cost", role) else ""),
        )
    console.print(cost)
    errors = by.get(("errors", "overall"))
    if errors and errors.value:
        shown = errors.details_as(ErrorDetails).errors[:5]
        console.print(f"[red]{errors.value:.0f} interview(s) failed[/red]: " + "; ".join(shown), highlight=False)
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
            done = store.count_interviews(r.run_id, "completed")
            typer.echo(
                f"{r.run_id}  {when}  {r.status:<10}  {done}/{len(r.plan)} interviews  "
                f"{r.models.get('grader', '?')}  {r.label or ''}"
            )


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(runs)
