"""What the terminal commands share: option types, the exit on bad input, opening the store and finding a run,
the progress of a run and its summary table.

Only `evals/cli/` imports this; the policy behind the options (what a choice of models and prompts becomes) is the
library's (`evals.runs.choices`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from evals.runs.choices import InputError
from evals.runs.choices import ModelChoices as Choices

if TYPE_CHECKING:
    from agents.models.config import ModelsConfig
    from agents.prompting import PromptSet

T = TypeVar("T")

DEFAULT_DB = Path("results/harness.duckdb")
BAD_INPUT = 2

DbOption = Annotated[Path, typer.Option("--db", help="Results database (DuckDB file).")]
ScenarioOption = Annotated[str | None, typer.Option("--scenario", help="Scenario id (default: the persona's own).")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML config (default: ./interview-harness.toml if present).")
]
InterviewerModel = Annotated[
    str | None, typer.Option("--interviewer-model", help="Model for the interviewer role, litellm form or local/... .")
]
CandidateModel = Annotated[str | None, typer.Option("--candidate-model", help="Model for the candidate role.")]
GraderModel = Annotated[str | None, typer.Option("--grader-model", help="Model for the grader role.")]
JudgeModel = Annotated[str | None, typer.Option("--judge-model", help="Model for the judge role (fidelity and text checks).")]
InterviewerPrompt = Annotated[Path | None, typer.Option("--interviewer-prompt", help="Your own interviewer template (.j2).")]
CandidatePrompt = Annotated[Path | None, typer.Option("--candidate-prompt", help="Your own candidate template (.j2).")]
GraderPrompt = Annotated[Path | None, typer.Option("--grader-prompt", help="Your own grader template (.j2).")]
RecordOption = Annotated[
    Path | None,
    typer.Option(
        "--record",
        help="Also write every model reply to this folder, one file per prompt, for `--<role>-model recorded/<folder>` "
        "to replay offline (e.g. in CI).",
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the model response cache.")]
InterviewerSource = Annotated[
    str | None,
    typer.Option("--interviewer-source", help="guided (the harness's guardrails), free (its prompt, no narrowing) or external."),
]
InterviewerEndpoint = Annotated[
    str | None, typer.Option("--interviewer-endpoint", help="Your interviewer: an OpenAI-compatible chat endpoint (external).")
]
InterviewerCallable = Annotated[
    str | None,
    typer.Option("--interviewer-callable", help="Your interviewer: package.module:function, async, messages in, text out."),
]
InterviewerKeyEnv = Annotated[
    str | None, typer.Option("--interviewer-api-key-env", help="Environment variable with the endpoint's API key.")
]
AnnotatorOption = Annotated[
    str | None,
    typer.Option("--annotator", help="Who labels interviewer turns: rules (offline, instant) or judge (rules, then the judge)."),
]
NameSetsOption = Annotated[
    Path | None, typer.Option("--name-sets", help="Your own name-sets file (default: the packaged evals/name_sets.yaml).")
]
INTERRUPTED = 130
# A run that stopped on its own (a model kept failing): like a failed gate, the run did not pass.
STOPPED = 1


class ModelChoices(Choices):
    """The library's choices, with bad input reported on stderr and exit code 2."""

    def source(self) -> str:
        return _or_fail(super().source)

    def resolve(self) -> ModelsConfig:
        return _or_fail(super().resolve)

    def prompts(self) -> PromptSet:
        return _or_fail(super().prompts)


def _or_fail(call: Callable[[], T]) -> T:
    try:
        return call()
    except InputError as exc:
        fail(str(exc))


def check_credentials(models: ModelsConfig) -> None:
    """Exit 2 at once, one line per problem, when a role's model lacks its API key (no litellm import: instant)."""
    from agents.roles.preflight import credential_problems

    _refuse(credential_problems(models))


def check_models(models: ModelsConfig, scenario, prompts: PromptSet, max_turns: int | None = None) -> None:
    """Exit 2, one line per problem, unless every role's model can be called as configured: its key is set,
    litellm knows it, its endpoint answers and the longest prompt the run can build fits its context window."""
    from agents.interview.graph import DEFAULT_MAX_TURNS
    from agents.roles.preflight import credential_problems, longest_prompt_chars, provider_problems

    problems = credential_problems(models)
    if not problems:
        longest = longest_prompt_chars(scenario, prompts, models, max_turns or DEFAULT_MAX_TURNS)
        problems = provider_problems(models, longest)
    _refuse(problems)


def _refuse(problems) -> None:
    for problem in problems:
        typer.echo(f"error: {problem.line()}", err=True)
    if problems:
        raise typer.Exit(BAD_INPUT)


def fail(message: str) -> NoReturn:
    """Report bad input on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(BAD_INPUT)


def open_store(db: Path):
    """Open the results database, or exit 2 with a clear message (e.g. another process holds it)."""
    from evals.store.database import Store, StoreError

    try:
        return Store.open(db)
    except StoreError as exc:
        fail(str(exc))


def find_run(store, run_id: str):
    """The stored run with this id or unambiguous prefix, or exit 2 saying why there is none."""
    from evals.store.database import StoreError

    try:
        return store.get_run(run_id) or fail(f"no run {run_id!r} in {store.path} (see `interview-harness runs`)")
    except StoreError as exc:
        fail(str(exc))


def execute_and_finalize(harness, prepared, db: Path, budget=None):
    """Run the pending interviews with a progress bar and compute the checks; Ctrl-C keeps what finished."""
    models = prepared.config.models.model_names()
    typer.echo(f"run {prepared.run_id}: {len(prepared.pending)} interview(s) on {', '.join(sorted(set(models.values())))}")
    from evals.runs.config import SimulateConfig
    from evals.runs.harness import RunStopped
    from scenarios.model import InterviewLength

    if isinstance(prepared.config, SimulateConfig) and prepared.config.length != InterviewLength():
        rule = harness.library.scenario(prepared.run.scenario_id).question_rule
        typer.echo(
            f"interview length: {prepared.config.length.describe()} (--questions, --probes; the scenario allows "
            f"{rule.min_questions}-{rule.max_questions} questions, {rule.max_probes_per_question} probes each)"
        )

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

    from evals.metrics.registry import headline
    from evals.metrics.rows import ErrorDetails

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


def print_estimate(found, personas: int, trials: int) -> None:
    """The plan and its estimate, one row per role."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    console.print(f"Plan: {found.interviews} interview(s): {personas} persona(s) x {trials} trial(s).", highlight=False)
    table = Table("role", "model", "calls", "prompt tokens", "completion tokens", "cost $", title="Estimate")
    for r in found.roles:
        cost = "unknown price" if r.usd is None else f"{r.usd:.4f}"
        table.add_row(r.role, r.model, f"{r.calls:,.0f}", f"{r.prompt_tokens:,.0f}", f"{r.completion_tokens:,.0f}", cost)
    total = "unknown" if found.usd is None else f"{found.usd:.4f}"
    table.add_row("total", "", f"{sum(r.calls for r in found.roles):,.0f}", "", "", total)
    console.print(table)
    console.print(f"Usage {found.source}.", highlight=False, markup=False)
    if found.unpriced:
        console.print(
            f"No price for {', '.join(found.unpriced)}: set input_usd_per_mtok and output_usd_per_mtok in its [models.<role>] table.",
            highlight=False,
            markup=False,
        )


def practice_setup(choices: ModelChoices, scenario_id: str | None):
    """The library, the scenario, and the configuration a practice interview is stored with, after the preflight of
    its models: a bad flag, config or model is bad input now, not after the last answer."""
    from evals.loading import DataError, load_shipped
    from evals.runs.choices import new_config

    try:
        lib = load_shipped()
        scenario = lib.scenario(scenario_id) if scenario_id else only_scenario(lib)
    except DataError as exc:
        fail(str(exc))
    settings = _or_fail(lambda: new_config(choices, "practice", 1, interviewer="practice", annotator="rules"))
    check_models(settings.models, scenario, choices.prompts())
    return lib, scenario, settings


def only_scenario(lib):
    """The scenario when only one is shipped; exit 2 asking for --scenario otherwise."""
    if len(lib.scenarios) != 1:
        fail(f"several scenarios are shipped; choose one with --scenario ({', '.join(sorted(lib.scenarios))})")
    return next(iter(lib.scenarios.values()))
