"""`bisect GOOD BAD -- <run arguments>`: the first commit where a gated metric regressed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evals.terminal import DEFAULT_DB, DbOption, fail


def bisect(
    good: Annotated[str, typer.Argument(help="A git ref where the suite was sound.")],
    bad: Annotated[str, typer.Argument(help="A later git ref where it regressed.")],
    run_args: Annotated[list[str] | None, typer.Argument(help="After --: the arguments of `run` at every commit.")] = None,
    trials: Annotated[
        int, typer.Option("--trials", min=1, help="Trials per persona at every commit (noise against signal).")
    ] = 3,
    repo: Annotated[Path, typer.Option("--repo", help="The git repository to bisect.")] = Path("."),
    db: DbOption = DEFAULT_DB,
) -> None:
    """Run the suite at GOOD, then halve the commits up to BAD, each in its own worktree with a shared response cache,
    comparing each run with GOOD's interview by interview; name the first commit that regressed. Every run is kept."""
    from evals.loading import DataError, load_shipped
    from evals.report.compare import compare_runs
    from evals.runs.bisect import BisectError, Step, Verdict
    from evals.runs.bisect import bisect as search
    from evals.store.database import Store

    try:
        lib = load_shipped()
    except DataError as exc:
        fail(str(exc))
    db = db.resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    if trials < 2:
        typer.echo("note: with one trial per persona a grader's own sampling noise looks like a regression; use --trials 3")

    def judge(good_run: str, run_id: str) -> tuple[Verdict, str]:
        with Store.open(db) as store:
            base, new = store.get_run_exact(good_run), store.get_run_exact(run_id)
            compared = compare_runs(store, base, new, lib, new.config.gates)
            failed = store.count_interviews(run_id) - store.count_interviews(run_id, "completed")
        if failed or not compared.pairs:
            return "undecided", f"the run {run_id} has {failed} failed interview(s) and {compared.pairs} pair(s) to compare"
        if compared.regressed:
            worst = compared.regressed[0]
            return "regressed", f"{worst.metric} {worst.delta:+.2f} [{worst.low:+.2f}, {worst.high:+.2f}]"
        for d in compared.deltas:
            if d.gate is None or d.delta is None:
                continue
            worse = -d.delta if d.gate.op == ">=" else d.delta
            if worse > d.gate.max_regression:
                return "undecided", f"{d.metric} {d.delta:+.2f} [{d.low or 0:+.2f}, {d.high or 0:+.2f}]"
        return "ok", "no gated metric worsened beyond its allowance"

    def said(step: Step) -> None:
        typer.echo(f"{step.commit[:12]}  run {step.run_id}  {step.verdict:<10} {step.detail}")

    try:
        found = search(repo.resolve(), good, bad, list(run_args or []), db, judge, trials=trials, on_step=said)
    except BisectError as exc:
        fail(str(exc))
    typer.echo(f"good {good}: run {found.good_run}; {len(found.commits)} commit(s) to search, {found.suite_runs} suite run(s)")
    if found.first_bad is None:
        typer.echo(f"stopped: {found.stopped}")
        raise typer.Exit(1)
    typer.echo(f"first bad commit: {found.first_bad}")


def register(app: typer.Typer) -> None:
    app.command()(bisect)
