"""`probe RUN_ID`: robustness and fairness probes of a run's grader, stored as a probe run linked to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evals.terminal import DEFAULT_DB, INTERRUPTED, DbOption, NameSetsOption, NoCache, RecordOption, fail, find_run, open_store

Suite = Annotated[
    str | None,
    typer.Option(
        "--suite", help="Comma-separated perturbations: name_swap,verbosity,injection,order,evidence_removed (default all)."
    ),
]


def probe(
    run_id: Annotated[str, typer.Argument(help="The run to probe; or an unfinished probe run to finish.")],
    suite: Suite = None,
    name_sets: NameSetsOption = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML config whose [gates] tables apply.")] = None,
    label: Annotated[str | None, typer.Option("--label", help="A name for the probe run.")] = None,
    persona: Annotated[
        list[str] | None,
        typer.Option("--persona", help="Probe only this persona's (or recording's) interviews (repeatable; default all)."),
    ] = None,
    no_cache: NoCache = False,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, help="Interviews probed at once.")] = None,
    no_gate: Annotated[bool, typer.Option("--no-gate", help="Report the gates but exit 0 even when one fails.")] = False,
    record: RecordOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Grade perturbed copies of a run's transcripts with the run's own grader, and gate how the grades move."""
    from evals.loading import DataError, load_shipped
    from evals.metrics.gates import load_gates
    from evals.runs.config import ProbeConfig
    from evals.runs.harness import Harness, HarnessError, gates_failed
    from evals.runs.probe_run import parse_suite, start_probe

    try:
        lib = load_shipped()
        perturbations = parse_suite(suite)
        gates = load_gates(config)
    except (DataError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    with open_store(db) as store:
        run = find_run(store, run_id)
        harness = Harness(store, lib, record_dir=record)
        try:
            if isinstance(run.config, ProbeConfig) and run.status != "complete":
                given = [flag for flag, value in _settings_flags(suite, name_sets, config, label, persona, no_cache) if value]
                if given:
                    fail(f"finishing probe run {run.run_id} uses the settings it started with; drop {', '.join(given)}")
                prepared = harness.resume(run.run_id, concurrency=concurrency)
            else:
                prepared = start_probe(
                    harness,
                    run,
                    perturbations,
                    name_sets=name_sets,
                    gates=gates,
                    use_cache=not no_cache,
                    concurrency=concurrency,
                    label=label,
                    personas=persona,
                )
        except (HarnessError, ValueError) as exc:
            fail(str(exc))
        assert isinstance(prepared.config, ProbeConfig)
        settings = prepared.config.probe
        typer.echo(f"probe run {prepared.run_id} of run {settings.base_run}: {', '.join(settings.suite)}")
        try:
            _execute(harness, prepared)
        except KeyboardInterrupt:
            harness.interrupt(prepared.run_id)
            typer.echo(
                f"\ninterrupted: graded copies kept; finish with: interview-harness probe {prepared.run_id} --db {db}", err=True
            )
            raise typer.Exit(INTERRUPTED) from None
        rows = harness.finalize(prepared.run_id)
    print_probe_summary(prepared.run_id, rows)
    typer.echo(f"report: interview-harness report {prepared.run_id} --db {db}")
    if gates_failed(rows) and not no_gate:
        raise typer.Exit(1)


def _settings_flags(suite, name_sets, config, label, persona, no_cache) -> list[tuple[str, object]]:
    return [
        ("--suite", suite),
        ("--name-sets", name_sets),
        ("--config", config),
        ("--label", label),
        ("--persona", persona),
        ("--no-cache", no_cache),
    ]


def _execute(harness, prepared) -> None:
    def done(original) -> None:
        typer.echo(f"  {original.persona_id}#{original.trial}: copies graded")

    harness.execute(prepared, on_result=done)


def print_probe_summary(run_id: str, rows) -> None:
    """The gated probe metrics, then the shift of every perturbation and variant."""
    from rich.console import Console
    from rich.table import Table

    from evals.metrics.registry import PROBE, metric
    from evals.report.blocks import fmt

    console = Console(width=120)
    table = Table("metric", "scope", "value", "95% CI", "n", "gate", title=f"probe run {run_id}")
    for row in sorted(rows, key=lambda r: (r.passed is None, r.metric, r.scope)):
        if metric(row.metric).unit != PROBE:
            continue
        gate = "" if row.passed is None else ("[green]PASS[/green]" if row.passed else "[red]FAIL[/red]")
        if row.threshold is not None:
            gate += f" ({metric(row.metric).op} {row.threshold:g})"
        ci = f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]" if row.ci_low is not None else "-"
        table.add_row(row.metric, row.scope, fmt(row.value), ci, str(row.n or 0), gate)
    console.print(table)
    gated = [r for r in rows if r.passed is not None]
    failed = [r.metric for r in gated if r.passed is False]
    typer.echo(f"gates: FAILED {', '.join(failed)}" if failed else f"gates: all {len(gated)} pass")


def register(app: typer.Typer) -> None:
    app.command()(probe)
