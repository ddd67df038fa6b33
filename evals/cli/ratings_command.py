"""`ratings export` and `ratings import`: people's blind ratings of a run's interviews, as JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evals.terminal import DEFAULT_DB, DbOption, fail, find_run, open_store

ratings_app = typer.Typer(help="People's blind ratings of stored interviews (the rating page of `serve`), as JSONL.")


@ratings_app.command("export")
def export_ratings(
    run_id: Annotated[str, typer.Argument(help="The run whose ratings to write.")],
    out: Annotated[Path, typer.Option("--out", help="The JSONL file to write, one rating per line.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write every person's rating of the run's interviews to a JSONL file."""
    from evals.raters.rating import write_jsonl

    with open_store(db) as store:
        run = find_run(store, run_id)
        ratings = store.load_ratings(run.run_id)
    write_jsonl(ratings, out)
    typer.echo(f"{len(ratings)} rating(s) of run {run.run_id} by {len({r.rater for r in ratings})} rater(s) written to {out}")


@ratings_app.command("import")
def import_ratings(
    file: Annotated[Path, typer.Argument(help="A JSONL file of ratings (as `ratings export` writes them).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Store the ratings in a JSONL file; a bad line is named with its field, and then nothing is stored."""
    from evals.loading import DataError, load_shipped
    from evals.raters.rating import read_jsonl

    if not file.is_file():
        fail(f"no ratings file {file}")
    try:
        lib = load_shipped()
    except DataError as exc:
        fail(str(exc))
    found, problems = read_jsonl(file)
    with open_store(db) as store:
        for number, rating in found:
            run = store.get_run(rating.run_id)
            if run is None:
                problems.append(f"{file}:{number}: run_id: no run {rating.run_id!r} in {store.path}")
            elif not store.load_results(run.run_id, [(rating.persona_id, rating.trial)]):
                problems.append(f"{file}:{number}: run {run.run_id} has no interview {rating.persona_id}#{rating.trial}")
            else:
                problems += [f"{file}:{number}: {p}" for p in rating.check(lib.scenario(run.scenario_id))]
        if problems:
            fail("\n".join(problems))
        for _, rating in found:
            store.save_rating(rating)
    typer.echo(f"{len(found)} rating(s) stored")


def register(app: typer.Typer) -> None:
    app.add_typer(ratings_app, name="ratings")
