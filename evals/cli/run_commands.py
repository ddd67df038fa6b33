"""`run` and `runs`: the harness's main job, and the list of stored runs."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from evals.terminal import (
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
    RecordOption,
    check_credentials,
    check_models,
    execute_and_finalize,
    fail,
    open_store,
    print_estimate,
    print_summary,
)


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
    questions: Annotated[
        int | None,
        typer.Option(
            "--questions",
            min=1,
            help="Most bank questions per interview, within the scenario's range (default: the scenario's most; "
            "on the embedded interviewer its fewest).",
        ),
    ] = None,
    probes: Annotated[
        int | None,
        typer.Option(
            "--probes",
            min=0,
            help="Most follow-ups per question, up to the scenario's (default: the scenario's; on the embedded interviewer 1).",
        ),
    ] = None,
    record: RecordOption = None,
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
    if resume and (extra := choices.given() + _selection_flags(persona, tag, trials, label, twins, questions, probes)):
        fail(f"--resume finishes a run with the configuration it started with; drop {', '.join(extra)}")
    if not resume:
        check_credentials(choices.resolve())  # before anything slow: a missing key is the usual first mistake
    from evals.loading import DataError, load_shipped
    from evals.runs.choices import plan_simulation
    from evals.runs.cost_estimate import run_estimate
    from evals.runs.harness import Harness, HarnessError, gates_failed

    try:
        lib = load_shipped()
        new_run = (
            None
            if resume
            else plan_simulation(
                lib,
                choices,
                scenario,
                persona,
                tag,
                trials,
                concurrency,
                twins=twins,
                name_sets=name_sets,
                questions=questions,
                probes=probes,
            )
        )
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
        harness = Harness(store, lib, record_dir=record)
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
    """The Budget for --max-cost, priced per interview (None without the flag); exit 2 when a price is unknown."""
    from evals.runs.cost_estimate import budget_for, run_estimate

    if max_cost is None:
        return None
    try:
        return budget_for(run_estimate(store, lib, scenario_id, config, prompts, 1), max_cost)
    except ValueError as exc:
        fail(str(exc))


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


def _selection_flags(
    persona: list[str] | None,
    tag: list[str] | None,
    trials: int,
    label: str | None,
    twins: bool,
    questions: int | None,
    probes: int | None,
) -> list[str]:
    chosen = (
        ("--persona", persona),
        ("--tag", tag),
        ("--trials", trials != 1),
        ("--label", label),
        ("--twins", twins),
        ("--questions", questions is not None),
        ("--probes", probes is not None),
    )
    return [flag for flag, given in chosen if given]


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
