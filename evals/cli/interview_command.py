"""`interview`: run one simulated interview and show the transcript and the grade."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from evals.terminal import (
    DEFAULT_DB,
    CandidateModel,
    CandidatePrompt,
    ConfigOption,
    DbOption,
    GraderModel,
    GraderPrompt,
    InterviewerModel,
    InterviewerPrompt,
    JudgeModel,
    ModelChoices,
    NoCache,
    ScenarioOption,
    check_models,
    fail,
)


def interview(
    persona: Annotated[str, typer.Option("--persona", help="Persona id (see `interview-harness personas`).")],
    scenario: ScenarioOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the interviewer and candidate models.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the InterviewResult as JSON.")] = False,
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
    """Run one interview for a persona and print the transcript and the grade."""
    from agents.interview.batch import run_interview
    from evals.loading import DataError, load_shipped
    from evals.runs.choices import interview_length

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
    )
    try:
        lib = load_shipped()
        person = lib.persona(persona)
        scen = lib.scenario(scenario or person.scenario_id)
    except DataError as exc:
        fail(str(exc))
    prompts = choices.prompts()
    models = choices.resolve()
    check_models(models, scen, prompts)
    gateway = choices.gateway(db)
    length = interview_length(models, scen, choices.source())
    result = asyncio.run(run_interview(scen, person, gateway, seed, prompts=prompts, length=length))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        show_result(result)
    if result.status != "completed":
        raise typer.Exit(1)


def show_result(result) -> None:
    """Print a transcript and its grade readably."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for turn in result.transcript:
        tag = turn.action or ("asks" if turn.asks_question else "answers")
        detail = " ".join(x for x in (turn.question_id, turn.probe_category) if x)
        style = "bold cyan" if turn.speaker == "interviewer" else "green"
        console.print(
            f"[dim]{turn.minute:5.1f}m {turn.segment}[/dim] [{style}]{turn.speaker}[/{style}] "
            f"[dim]({tag}{' ' + detail if detail else ''})[/dim]"
        )
        console.print(f"    {turn.text}", markup=False, highlight=False)
    if result.grade is not None:
        table = Table("competency", "score", "rationale", title="Grade")
        for cid, g in result.grade.competencies.items():
            table.add_row(cid, "n/a" if g.score is None else str(g.score), g.rationale)
        console.print(table)
        flags = ", ".join(f.id for f in result.grade.red_flags) or "none"
        console.print(f"red flags: {flags}    hire: {'yes' if result.grade.hire else 'no'}")
    calls = result.calls
    tokens = sum(c.prompt_tokens + c.completion_tokens for c in calls)
    console.print(f"{len(calls)} model calls, {tokens} tokens, {result.duration_s:.1f}s, stop: {result.stop_reason}")
    if result.error:
        console.print(f"[red]error:[/red] {result.error}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(interview)
