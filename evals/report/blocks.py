"""The building blocks a report is laid out in (text, tables, quotes, a heatmap), and their plain-text helpers."""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics.registry import metric
from evals.metrics.rows import CheckRow


@dataclass
class Table:
    """A table of already formatted cells."""

    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Quote:
    """Lines quoted from the transcript or the grade, under a label."""

    label: str
    lines: list[str]


@dataclass
class Heatmap:
    """The intended x graded confusion matrix, with the 'not assessed' counts per intended level."""

    labels: list[int]
    matrix: list[list[int]]
    not_assessed: list[int]

    def table(self) -> Table:
        rows = [[f"intended {lab}", *map(str, row), str(na)] for lab, row, na in zip(self.labels, self.matrix, self.not_assessed)]
        return Table(["", *(f"graded {lab}" for lab in self.labels), "not assessed"], rows)


@dataclass
class ShiftChart:
    """Horizontal bars of a mean shift per label with its 95% interval; `lines` are reference values to draw."""

    title: str
    bars: list[tuple[str, float | None, float | None, float | None]]  # label, value, low, high
    lines: list[float]

    def table(self) -> Table:
        widest = max((abs(v) for _, v, _, _ in self.bars if v is not None), default=0.0) or 1.0

        def bar(value: float | None) -> str:
            if value is None:
                return ""
            length = round(abs(value) / widest * 20)
            return ("-" if value < 0 else "+") * length

        rows = [[label, fmt(v), f"[{fmt(lo)}, {fmt(hi)}]" if lo is not None else "-", bar(v)] for label, v, lo, hi in self.bars]
        return Table(["copy", "mean shift", "95% CI", "shift"], rows, self.title)


@dataclass
class TrendChart:
    """Metrics across runs, oldest first: one line per metric, its gate as a dashed line of the same colour."""

    title: str
    runs: list[str]
    series: list[tuple[str, float | None, list[float | None]]]  # metric, gate threshold, a value per run

    def table(self) -> Table:
        rows = [[run, *(fmt(values[k]) for _, _, values in self.series)] for k, run in enumerate(self.runs)]
        return Table(["run", *(name for name, _, _ in self.series)], rows, self.title)


Block = str | Table | Quote | Heatmap | ShiftChart | TrendChart


@dataclass
class Section:
    """One titled part of the report; `key` is its anchor in the HTML."""

    key: str
    title: str
    blocks: list[Block]


def gate_mark(row: CheckRow) -> str:
    if row.passed is None or row.threshold is None:
        return ""
    return f"{'PASS' if row.passed else 'FAIL'} ({metric(row.metric).op} {row.threshold:g})"


def fmt(value: float | None, digits: int = 2) -> str:
    """A number to `digits` places, or '-' when undefined."""
    return "-" if value is None else f"{value:.{digits}f}"


def interval(row: CheckRow) -> str:
    """A row's 95% interval as '[low, high]', or '-' when it has none."""
    return "-" if row.ci_low is None or row.ci_high is None else f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"


def yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def markdown_table(t: Table) -> list[str]:
    """The table as markdown lines, with pipes and newlines inside cells escaped."""
    md_cell = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [f"_{t.caption}_", ""] if t.caption else []
    lines += ["| " + " | ".join(map(md_cell, t.headers)) + " |", "|" + "---|" * len(t.headers)]
    return lines + ["| " + " | ".join(map(md_cell, row)) + " |" for row in t.rows] + [""]
