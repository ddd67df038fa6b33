"""`report`, `audit`, `history`, `compare` and `export`: reading stored runs back as a report, an audit document, a
trend, a regression check, and practice examples."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from evals.terminal import DEFAULT_DB, DbOption, fail, find_run, open_store, print_summary

REGRESSED = 1


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    markdown = "markdown"


def _open(db: Path):
    """Open an existing results database (never create one just to report on it)."""

    if not db.exists():
        fail(f"no results database at {db}")
    return open_store(db)


def _library():
    """The shipped scenarios and personas, or None when they cannot be loaded (the stored run still reports)."""
    from evals.loading import DataError, load_shipped

    try:
        return load_shipped()
    except DataError:
        return None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def report(
    run_id: Annotated[str, typer.Argument(help="Run id (or an unambiguous prefix).")],
    html: Annotated[Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write the markdown report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON on stdout, and nothing else.")] = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML: a test case per gate and per failed interviewer check.")
    ] = None,
    github_summary: Annotated[
        bool,
        typer.Option("--github-summary", help="Append a markdown job summary to $GITHUB_STEP_SUMMARY (stdout without it)."),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Summarize a run in the terminal and write its full report (HTML and/or markdown; both beside the database by default)."""
    import json
    import sys

    from evals.report.json_report import report_json
    from evals.report.run_report import build_report, render_markdown

    library = _library()
    with _open(db) as store:
        run = find_run(store, run_id)
        rep = build_report(store, run, library)
        if as_json:
            sys.stdout.write(json.dumps(report_json(store, rep, library), indent=2) + "\n")
            return
        if junit is not None or github_summary:
            _ci_outputs(store, run, rep, library, junit, github_summary)
            return
    if html is None and markdown is None:
        html, markdown = db.parent / f"report-{run.run_id}.html", db.parent / f"report-{run.run_id}.md"
    print_summary(run.run_id, rep.rows)
    typer.echo("\nFindings:")
    for line in rep.findings:
        typer.echo(f"- {line}")
    if markdown is not None:
        _write(markdown, render_markdown(rep))
        typer.echo(f"wrote {markdown}")
    if html is not None:
        from evals.report.html import render_html

        _write(html, render_html(rep))
        typer.echo(f"wrote {html}")


def _ci_outputs(store, run, rep, library, junit: Path | None, summary: bool) -> None:
    """The outputs a CI job reads, and nothing else (the report files are the job's own business)."""
    import os

    from evals.report.ci_outputs import failed_checks, github_summary, junit_xml

    if junit is not None:
        keys = [(k.rpartition("#")[0], int(k.rpartition("#")[2])) for k in failed_checks(rep.rows)]
        results = {f"{r.persona_id}#{r.trial}": r for r in store.load_results(run.run_id, keys)} if keys else {}
        scenario = library.scenarios.get(run.scenario_id) if library is not None else None
        _write(junit, junit_xml(run.run_id, rep.rows, results, scenario))
        typer.echo(f"wrote {junit}")
    if summary:
        text = github_summary(rep.title, rep.rows, rep.findings)
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write(text)
            typer.echo(f"appended the job summary to {target}")
        else:
            typer.echo(text)


def compare(
    base_run: Annotated[str, typer.Argument(help="The baseline run id.")],
    new_run: Annotated[str, typer.Argument(help="The run to check against the baseline.")],
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write the comparison as markdown here.")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML config whose [gates] replace the new run's stored gates.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Pair two runs' interviews by persona and trial; exit 1 when a gated headline metric regressed."""
    from rich.console import Console
    from rich.table import Table

    from evals.loading import DataError, load_shipped
    from evals.metrics.gates import load_gates
    from evals.report.compare import compare_runs, conclusion, delta_table, render_markdown

    try:
        # The new run is judged by the gates it was run with, unless a config file says otherwise.
        gates = load_gates(config) if config is not None else None
        lib = load_shipped()
    except (DataError, ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    with _open(db) as store:
        base, new = find_run(store, base_run), find_run(store, new_run)
        if probes := [r.run_id for r in (base, new) if r.config.kind == "probe"]:
            fail(
                f"{', '.join(probes)}: a probe run has no interviews of its own to pair; compare the runs it probed, "
                "and read each probe run's gates in its report"
            )
        try:
            result = compare_runs(store, base, new, lib, gates if gates is not None else new.config.gates)
        except DataError as exc:
            fail(str(exc))
    console = Console(width=140)
    for warning in result.warnings:
        console.print(f"[bold red]WARNING: not comparable:[/bold red] {warning}", highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    data = delta_table(result)
    table = Table(*data.headers, title=f"compare {base.run_id} -> {new.run_id}", caption=data.caption)
    for row in data.rows:
        table.add_row(*row, style="red" if row[-1] == "REGRESSED" else None)
    console.print(table)
    if result.flips:
        console.print("verdict flips:")
        for flip in result.flips:
            console.print(f"  {flip.key}: {'; '.join(flip.changes)}", highlight=False, markup=False)
    else:
        console.print("verdict flips: none")
    console.print(conclusion(result), style="bold red" if result.regressed else None, highlight=False)
    if markdown is not None:
        _write(markdown, render_markdown(result))
        typer.echo(f"wrote {markdown}")
    if result.regressed:
        raise typer.Exit(REGRESSED)


def export(
    run_id: Annotated[str, typer.Argument(help="Run id (or an unambiguous prefix).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    format: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl (one example per line) or markdown.")
    ] = ExportFormat.jsonl,
    level: Annotated[
        list[int] | None, typer.Option("--level", min=1, max=5, help="Only personas of this intended overall level (repeatable).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a run's completed interviews as practice examples: transcript, intended labels, grade and feedback."""
    from evals.report.export import practice_examples, write_jsonl, write_markdown

    lib = _library()
    with _open(db) as store:
        run = find_run(store, run_id)
        examples = practice_examples(store, run, lib, level)
    if format is ExportFormat.jsonl:
        write_jsonl(examples, out)
    else:
        scenario = lib.scenarios.get(run.scenario_id) if lib else None
        levels = f" at level {', '.join(map(str, sorted(level)))}" if level else ""
        title = f"Practice interviews{levels}: {scenario.role if scenario else run.scenario_id} (run {run.run_id})"
        write_markdown(examples, out, title, scenario.practice_tips if scenario else None)
    typer.echo(f"wrote {len(examples)} practice example(s) to {out}")
    if not examples:
        typer.echo("warning: no completed interview matched" + (f" level {level}" if level else ""), err=True)


def history(
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="A metric to follow (repeat it); default: the headline ones.")
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="Only runs with this label.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only runs of this scenario.")] = None,
    grader_model: Annotated[str | None, typer.Option("--grader-model", help="Only runs graded by this model (or panel).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only runs started on or after this day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON, and nothing else.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Every finished run's headline metrics in time order, grouped by grader and prompt, with each gate's first
    failing run and a sparkline per metric."""
    import json
    from datetime import datetime

    from rich.console import Console
    from rich.table import Table as RichTable

    from evals.report.history import DEFAULT_METRICS, History, history_json, history_table, run_history

    try:
        start = datetime.strptime(since, "%Y-%m-%d").timestamp() if since else None
    except ValueError:
        fail(f"--since must be a day as YYYY-MM-DD, not {since!r}")
    with _open(db) as store:
        try:
            found = run_history(
                store, tuple(metric or DEFAULT_METRICS), label=label, scenario=scenario, grader_model=grader_model, since=start
            )
        except KeyError as exc:
            fail(str(exc.args[0]))
    if as_json:
        typer.echo(json.dumps(history_json(found), indent=2))
        return
    if not found.points:
        typer.echo("no finished run matches")
        return
    console = Console(width=160)
    groups: dict[tuple[str, str], list] = {}
    for point in found.points:
        groups.setdefault(point.grader, []).append(point)
    for (grader, prompt), points in groups.items():
        shown = history_table(History(found.metrics, points))
        table = RichTable(*shown.headers, title=f"graded by {grader}, prompt {prompt}", caption=shown.caption)
        for row in shown.rows:
            table.add_row(*row)
        console.print(table)
    for name in found.metrics:
        first = found.first_failing(name)
        note = f"first failing run {first.run.run_id}" if first else "never failed its gate"
        console.print(f"{name:<18} {found.sparkline(name)}  {note}", highlight=False)


def audit(
    run_id: Annotated[str, typer.Argument(help="Run id (or an unambiguous prefix); a probe run's id audits the run it probed.")],
    probe: Annotated[
        str | None, typer.Option("--probe", help="The probe run to audit with (default: the run's newest complete one).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for audit-RUN_ID.md, .html and .json (default: beside the database).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write one audit document of a run: the tool and its configuration, the test data, accuracy, probes, the bias
    audit, the interviewer checks, the grader's own words, the call log and what synthetic data can show."""
    import json

    from evals.report.audit import audit_json, build_audit
    from evals.report.html import render_html
    from evals.report.probes import latest_probe
    from evals.report.run_report import render_markdown
    from evals.runs.config import ProbeConfig

    library = _library()
    with _open(db) as store:
        run = find_run(store, run_id)
        if isinstance(run.config, ProbeConfig):
            probe, run = probe or run.run_id, find_run(store, run.config.probe.base_run)
        chosen = find_run(store, probe) if probe is not None else latest_probe(store, run)
        if chosen is not None and not (isinstance(chosen.config, ProbeConfig) and chosen.config.probe.base_run == run.run_id):
            fail(f"run {chosen.run_id} is not a probe run of {run.run_id} (see `interview-harness runs`)")
        document = build_audit(store, run, library, chosen)
        data = audit_json(document)
    folder = out if out is not None else db.parent
    paths = {ext: folder / f"audit-{run.run_id}.{ext}" for ext in ("md", "html", "json")}
    _write(paths["md"], render_markdown(document))
    _write(paths["html"], render_html(document))
    _write(paths["json"], json.dumps(data, indent=2) + "\n")
    for line in document.findings:
        typer.echo(f"- {line}")
    for path in paths.values():
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(audit)
    app.command()(history)
    app.command()(compare)
    app.command()(export)
