"""`meta`: every interviewer check, the annotator and (with a grader) the grader, measured on the labelled corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from evals.terminal import ConfigOption, GraderModel, GraderPrompt, JudgeModel, ModelChoices, NoCache, RecordOption, fail


def meta(
    half: Annotated[
        str,
        typer.Option(
            "--half",
            help="dev (rules are tuned on it), test (only ever scored), all, holdout, or an earlier test half named in corpus/split.json (e.g. sixth_test).",
        ),
    ] = "test",
    annotator: Annotated[
        str, typer.Option("--annotator", help="rules (offline, no model) or judge (the rules, then the judge model).")
    ] = "rules",
    grader_model: GraderModel = None,
    judge_model: JudgeModel = None,
    grader_prompt: GraderPrompt = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="The corpus folder (default: corpus/ of this checkout).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole measurement as JSON, and nothing else.")] = False,
    no_gate: Annotated[bool, typer.Option("--no-gate", help="Report the gates but exit 0 even when one fails.")] = False,
    record: RecordOption = None,
) -> None:
    """Measure the checks on the labelled corpus: precision, recall and F1 of each check's failures with intervals, how
    many cases it settles, and the annotator's accuracy. Exits 1 when a gate fails on the test half."""
    from evals.loading import DataError, load_shipped
    from evals.meta.ceiling import rating_sets
    from evals.meta.corpus import CORPUS_DIR, load_half
    from evals.meta.measure import measure, report_json

    if annotator not in ("rules", "judge"):
        fail(f"--annotator must be rules or judge, not {annotator!r}")
    try:
        lib = load_shipped()
        recordings = load_half(lib, half, corpus or CORPUS_DIR)
    except DataError as exc:
        fail(str(exc))
    gateway = None
    choices = ModelChoices(
        grader_model=grader_model, judge_model=judge_model, grader_prompt=grader_prompt, config=config, no_cache=no_cache
    )
    prompts = choices.prompts()
    if annotator == "judge" or grader_model:
        gateway = choices.gateway(Path("results/harness.duckdb"), concurrency=4, record_dir=record)
    tier: Literal["rules", "judge"] = "judge" if annotator == "judge" else "rules"
    graded = grader_model is not None
    ratings = rating_sets(corpus or CORPUS_DIR) if graded else None
    report = measure(lib, recordings, half=half, annotator=tier, gateway=gateway, prompts=prompts, grade=graded, ratings=ratings)
    if gateway is not None:
        gateway.close()
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        _print(report)
    if (failures := report.call_failures()) is not None:
        typer.echo(f"error: {failures}", err=True)
        raise typer.Exit(1)  # not a measurement of the tier asked for, whatever the gates say
    if report.gate_failures() and half == "test" and not no_gate:
        raise typer.Exit(1)


def _print(report) -> None:
    from rich.console import Console
    from rich.table import Table

    def pct(ratio) -> str:
        if ratio.value is None:
            return "-"
        low, high = ratio.interval
        return f"{ratio.value:.2f} [{low:.2f}, {high:.2f}]"

    console = Console(width=150)
    table = Table(
        "check", "defects", "precision [95% CI]", "recall [95% CI]", "F1", "settled", "false alarms", "missed",
        title=f"meta: {report.interviews} interviews of the {report.half} half, {report.annotator} tier",
    )  # fmt: skip
    for s in report.checks:
        f1 = "-" if s.f1 is None else f"{s.f1:.2f}"
        table.add_row(
            s.check, str(s.defects), pct(s.precision), pct(s.recall), f1, pct(s.settled), str(s.false_fail), str(s.missed)
        )
    console.print(table)
    fields = Table("annotator field", "accuracy [95% CI]", "turns", title="annotator against the labelled turns")
    for a in report.fields:
        fields.add_row(a.field, pct(a.ratio), str(a.ratio.n))
    console.print(fields)
    if report.grader_rows:
        _print_grader(console, report.grader_rows)
    if report.beside_raters:
        _print_beside(console, report.beside_raters)
    failed = report.gate_failures()
    console.print(f"gates: FAILED {'; '.join(failed)}" if failed else "gates: all pass", highlight=False)


def _print_grader(console, rows) -> None:
    from rich.table import Table

    from evals.meta.grader_calibration import GRADER_GATES, overall
    from evals.metrics.level_bias import by_level, in_words

    found = overall(rows)
    grader = Table("metric", "value [95% CI]", "n", "gate", title="grader against the corpus labels")
    for metric in ("qwk", "abs_smd", "exact", "adjacent", "red_flag_precision", "red_flag_recall", "hire_accuracy"):
        row = found.get(metric)
        value = "-" if row is None or row.value is None else f"{row.value:.2f}"
        if row is not None and row.value is not None and row.ci_low is not None and row.ci_high is not None:
            value += f" [{row.ci_low:.2f}, {row.ci_high:.2f}]"
        sense, bound = GRADER_GATES.get(metric, ("", None))
        grader.add_row(metric, value, str(row.n if row and row.n else 0), f"{sense} {bound}" if bound is not None else "")
    console.print(grader)
    levels = by_level(rows)
    chart = Table("intended", "cells", "mean graded - intended", "graded higher", "graded lower", title="calibration per level")
    for c in levels:
        chart.add_row(str(c.level), str(c.cells), c.drift(), c.share(c.higher), c.share(c.lower))
    console.print(chart)
    for sentence in in_words(levels):
        console.print(f"grader: {sentence}", highlight=False)


def _print_beside(console, agreements) -> None:
    from rich.table import Table

    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    table = Table(
        "readers", "interviews", "hire agreement", "level QWK", "level exact", "cells",
        title="the grader beside the labellers (each pair over the same interviews)",
    )  # fmt: skip
    for a in agreements:
        table.add_row(f"{a.first} vs {a.second}", str(a.interviews), num(a.hire), num(a.qwk), num(a.exact), str(a.cells))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(meta)
