"""`validate`, `personas` and `schemas`: commands over the scenario and persona files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to check (default: the shipped data).")] = None,
) -> None:
    """Check scenario and persona files; print every problem and exit 1 if any."""
    from evals.loading import load_library

    lib = load_library(paths or None)
    if lib.problems:
        for line in lib.problems:
            typer.echo(line, err=True)
        typer.echo(f"{len(lib.problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    levels = Counter(p.intended.overall_level for p in lib.personas.values())
    flags = Counter(f for p in lib.personas.values() for f in p.intended.red_flags)
    known_flags = sorted({f for s in lib.scenarios.values() for f in s.red_flag_ids})
    level_text = ", ".join(f"L{lv}={levels.get(lv, 0)}" for lv in range(1, 6))
    flag_text = ", ".join(f"{f}={flags.get(f, 0)}" for f in known_flags)
    typer.echo(
        f"ok: {len(lib.scenarios)} scenario(s), {len(lib.personas)} persona(s); levels {level_text}; red flags {flag_text}"
    )
    if lib.personas:
        from evals.metrics.confounds import COUNTING_QWK_WARNING, library_confounds

        confounds = library_confounds(list(lib.personas.values()))
        typer.echo(confounds.describe())
        if confounds.warning:
            typer.echo(
                f"warning: a grader that only counts words and figures ranks these stories to QWK >= "
                f"{COUNTING_QWK_WARNING:.2f}; vary story length and figures across levels (personas/LABELING.md)",
                err=True,
            )


def personas(
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only personas with this tag (repeatable).")] = None,
) -> None:
    """List the personas with level, red flags and tags."""
    from rich.console import Console
    from rich.table import Table

    from evals.loading import load_shipped

    lib = load_shipped()
    table = Table("id", "level", "levels per competency", "red flags", "hire", "tags")
    for p in sorted(lib.personas.values(), key=lambda p: (p.intended.overall_level, p.id)):
        if tag and not set(tag) & set(p.tags):
            continue
        levels = " ".join(str(v) for v in p.intended.competency_levels.values())
        table.add_row(
            p.id,
            str(p.intended.overall_level),
            levels,
            ", ".join(p.intended.red_flags) or "-",
            "yes" if p.intended.hire else "no",
            ", ".join(p.tags),
        )
    Console(width=200).print(table)


def schemas() -> None:
    """Regenerate the JSON Schema files the YAML files point editors at."""
    from evals.api import write_schemas

    for path in write_schemas():
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(personas)
    app.command()(schemas)
