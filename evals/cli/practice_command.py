"""`practice` and `examples`: a person sits the interview in the terminal; example answers at every level."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from evals.terminal import (
    DEFAULT_DB,
    INTERRUPTED,
    ConfigOption,
    DbOption,
    GraderModel,
    InterviewerModel,
    ModelChoices,
    NoCache,
    fail,
    only_scenario,
    open_store,
    practice_setup,
)

QUIT = "/quit"


def practice(
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario id (default: the only one shipped).")] = None,
    name: Annotated[str, typer.Option("--name", help="Your name, as the interviewer will address you.")] = "Candidate",
    role: Annotated[str, typer.Option("--role", help="Your current job title.")] = "AI engineer",
    years: Annotated[int, typer.Option("--years", min=0, max=60, help="Years of experience.")] = 3,
    domain: Annotated[str, typer.Option("--domain", help="Your product or technical domain.")] = "machine learning",
    resume: Annotated[str | None, typer.Option("--resume", help="Continue a session by its id (shown when you quit).")] = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Keep nothing: no run in the database, no session file entry.")
    ] = False,
    label: Annotated[str | None, typer.Option("--label", help="A name for the stored run.")] = None,
    interviewer_model: InterviewerModel = None,
    grader_model: GraderModel = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Sit the interview yourself: the AI interviewer asks, you answer, and the grader's feedback quotes your words.

    A blank line sends an answer; /quit (or Ctrl-D) leaves, and `--resume SESSION` continues later."""
    from agents.interview.practice import Profile

    choices = ModelChoices(interviewer_model=interviewer_model, grader_model=grader_model, config=config, no_cache=no_cache)
    try:
        profile = Profile(name=name, current_role=role, years_experience=years, domain=domain)
    except ValueError as exc:
        fail(str(exc))
    lib, scen, settings = practice_setup(choices, scenario)
    code = _sit(lib, scen, profile, resume, choices, settings, db, store=not no_store, label=label)
    if code:
        raise typer.Exit(code)


def _sit(lib, scenario, profile, resume: str | None, choices: ModelChoices, settings, db: Path, *, store: bool, label) -> int:
    """The terminal session. Its own event loop, stepped between answers, so Ctrl-C while typing is a plain
    KeyboardInterrupt (asyncio.run would only cancel a task that cannot run while `input` blocks)."""
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    try:
        return _converse(
            loop.run_until_complete, stack, lib, scenario, profile, resume, choices, settings, db, store=store, label=label
        )
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(stack.aclose())
        loop.close()


def _converse(
    run, stack, lib, scenario, profile, resume, choices: ModelChoices, settings, db: Path, *, store: bool, label
) -> int:
    from rich.console import Console
    from rich.markup import escape

    from agents.interview.practice import (
        NO_MORE_QUESTIONS,
        SESSIONS_FILE,
        AnswerRequest,
        AnswerTooLong,
        PracticeSession,
        SessionError,
        Stalled,
        open_book,
    )
    from agents.models.gateway import ModelCallError
    from evals.practice.view import briefing, clock, length_note

    # Soft wrap: the terminal wraps a long answer or question itself, with no line breaks written into the text.
    console = Console(highlight=False, soft_wrap=True)
    gateway = choices.gateway(db, concurrency=1)
    prompts = choices.prompts()
    book = run(stack.enter_async_context(open_book(db.parent / SESSIONS_FILE)))
    session_id = resume
    try:
        if resume:
            session = run(PracticeSession.open(book, resume, lib.scenarios, gateway, prompts))
            console.print(f"Resuming practice session {session.id} for {escape(session.profile.name)}.")
            progress = run(session.resume())
        else:
            session_id = run(book.create(scenario, profile))
            session = PracticeSession(book, session_id, scenario, profile, gateway, prompts, run(book.info(session_id))["seed"])
            for line in briefing(scenario):
                console.print(line, markup=False)
            console.print(f"\nSession {session.id}. A blank line sends your answer; {QUIT} or Ctrl-D saves and leaves.\n")
            progress = run(session.start())
        while isinstance(progress, AnswerRequest):
            console.print(f"[dim]{escape(clock(progress, session.scenario))}[/dim]")
            console.print(f"[bold cyan]Interviewer:[/bold cyan] {escape(progress.turn.text)}")
            if progress.asks_for_questions:
                console.print("[dim](Ask a question, or send an empty answer when you have none.)[/dim]")
            text = _read_answer()
            if text is None:
                return _left(console, session.id, 0)
            if not text and not progress.asks_for_questions:
                console.print("[dim](An empty answer is not sent; type your answer, or /quit.)[/dim]")
                continue
            asks = bool(text) and progress.asks_for_questions
            text = text or NO_MORE_QUESTIONS
            console.print(f"[dim]{escape(length_note(progress, text, session.scenario))}[/dim]\n")
            try:
                progress = run(session.answer(text, asks_question=asks))
            except AnswerTooLong as exc:
                console.print(f"[yellow]{escape(str(exc))}[/yellow]\nYour answer, to shorten:")
                console.print(text, markup=False)
        if isinstance(progress, Stalled):
            console.print(f"[red]The last step failed:[/red] {escape(progress.error)}")
            return _left(console, session.id, 1)
    except KeyboardInterrupt:
        return _left(console, session_id, INTERRUPTED)
    except ModelCallError as exc:
        console.print(f"[red]A model call failed:[/red] {escape(str(exc))}. Your answer is saved.")
        return _left(console, session_id, 1)
    except SessionError as exc:
        fail(str(exc))
    run(_finish(console, lib, session, book, settings, db, store=store, label=label))
    return 0


def _read_answer() -> str | None:
    """Lines up to a blank one, joined; None when the person quits (/quit or end of input)."""
    lines: list[str] = []
    while True:
        try:
            line = input("> " if not lines else "  ")
        except EOFError:
            return None
        if line.strip() == QUIT:
            return None
        if not line.strip():
            return " ".join(lines).strip()
        lines.append(line.strip())


def _left(console, session_id: str | None, code: int) -> int:
    if session_id is not None:
        console.print(f"\nSession saved. Continue it with: interview-harness practice --resume {session_id}")
    return code


async def _finish(console, lib, session, book, settings, db: Path, *, store: bool, label) -> None:
    from rich.markup import escape

    from evals.practice.feedback import grader_caveat, practice_feedback
    from evals.practice.run import store_session

    result = await session.result()
    if result.grade is None:
        fail(f"session {session.id} ended without a grade")
    show_feedback(console, practice_feedback(session.scenario, result.transcript, result.grade, lib.personas))
    console.print(f"\n{escape(grader_caveat(settings.models.grader.model))}")
    if not store:
        await book.forget(session.id)
        console.print("\nNothing was kept (--no-store).")
        return
    with open_store(db) as results:
        run_id = await store_session(book, session, results, lib, settings, label)
    console.print(f"\nStored as run {run_id} (source practice): interview-harness report {run_id}")


def show_feedback(console: Any, feedback) -> None:
    """The feedback, section by section, with the person's own words quoted."""
    from rich.markup import escape

    console.print("\n[bold]Your feedback[/bold]")
    for c in feedback.competencies:
        score = "not assessed" if c.score is None else f"{c.score}/5"
        console.print(f"\n[bold]{escape(c.title)}[/bold]: {score}. {escape(c.rationale)}")
        for quote in c.quotes:
            picked = "" if c.quoted_by == "grader" else " [dim](picked from your answer)[/dim]"
            console.print(f"    “{escape(quote)}”{picked}")
        if not c.quotes:
            console.print("    [dim](you gave no answer on this)[/dim]")
    for flag, description, quotes in feedback.red_flags:
        console.print(f"[red]Red flag[/red] {escape(flag)}: {escape(description)}")
        for q in quotes:
            console.print(f"    “{q}”", markup=False)
    outcome = "meets the hire bar" if feedback.hire else "below the hire bar"
    console.print(f"\n[bold]Hire bar:[/bold] {outcome}. {escape(feedback.hire_bar)}")
    for reason in feedback.blockers:
        console.print(f"  - {reason}", markup=False)
    console.print("\n[bold]Strengths:[/bold] " + escape("; ".join(feedback.strengths)))
    console.print("[bold]To work on:[/bold] " + escape("; ".join(feedback.growth_areas)))
    console.print(f"[bold]Retell it like this:[/bold] {escape(feedback.better_story)}")
    if (weakest := feedback.stronger) is not None and weakest.example is not None:
        example = weakest.example
        console.print(
            f"\n[bold]A stronger version[/bold] of a {escape(weakest.title.lower())} story, at level {example.level} "
            f"(interview-harness examples --question {example.question_id}):"
        )
        console.print(example.answer, markup=False)
    for item in feedback.guidance:
        console.print(f"\n[bold]{escape(item.topic)}[/bold]: {escape(item.finding)}")
        console.print(f"  {item.advice}", markup=False)


def examples(
    question: Annotated[str, typer.Option("--question", help="Bank question id, e.g. q_ambiguity.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario id (default: the only one shipped).")] = None,
    level: Annotated[int | None, typer.Option("--level", min=1, max=5, help="Only this level.")] = None,
) -> None:
    """Example answers to a bank question at every rubric level, from the persona library, and why each earns its level."""
    from rich.console import Console
    from rich.markup import escape

    from evals.loading import DataError, load_shipped
    from evals.practice.examples import level_examples

    try:
        lib = load_shipped()
        scen = lib.scenario(scenario) if scenario else only_scenario(lib)
    except DataError as exc:
        fail(str(exc))
    if question not in {q.id for q in scen.question_bank}:
        fail(f"no question {question!r} in {scen.id}; the bank has {', '.join(q.id for q in scen.question_bank)}")
    console = Console(highlight=False)
    console.print(f"[bold]{question}[/bold]: {escape(scen.question(question).text)}\n")
    shown = [e for e in level_examples(scen, lib.personas, question) if level is None or e.level == level]
    if not shown:
        fail(f"no persona is labelled at level {level} on {question}'s competency")
    for example in shown:
        console.print(f"[bold]Level {example.level}[/bold] ({escape(example.speaker)}, persona {example.persona_id})")
        console.print(example.answer, markup=False)
        for line in example.why:
            console.print(f"  [dim]{escape(line)}[/dim]")
        console.print()


def register(app: typer.Typer) -> None:
    app.command()(practice)
    app.command()(examples)
