"""The history of a suite: every stored run's headline metrics in time order, the first run that failed each gate, and
the trend as a sparkline (terminal), a chart (HTML report, web viewer) or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evals.metrics.registry import metric
from evals.metrics.rows import CheckRow
from evals.report.blocks import Table, TrendChart, fmt
from evals.store.database import RunRecord, Store

DEFAULT_METRICS = ("qwk", "exact", "red_flag_recall", "hire_accuracy", "conformance")
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    """One run and its row of each metric (at the metric's headline scope)."""

    run: RunRecord
    rows: dict[str, CheckRow]

    @property
    def grader(self) -> tuple[str, str]:
        """What graded: the grader model (or panel) and the first 8 digits of its prompt's hash."""
        return self.run.models.get("grader", "-"), self.run.prompt_hashes.get("grader", "-")[:8]

    @property
    def code(self) -> str:
        commit = (self.run.git_commit or "-")[:8]
        return commit + (f" {self.run.git_branch}" if self.run.git_branch else "") + ("*" if self.run.git_dirty else "")


@dataclass(frozen=True)
class History:
    metrics: tuple[str, ...]
    points: list[Point]  # oldest first

    def first_failing(self, name: str) -> Point | None:
        """The first run, in time, whose gate on `name` failed."""
        return next((p for p in self.points if name in p.rows and p.rows[name].passed is False), None)

    def values(self, name: str) -> list[float | None]:
        return [p.rows[name].value if name in p.rows else None for p in self.points]

    def sparkline(self, name: str) -> str:
        """The metric's values as one character each, low to high across the runs shown; a space where undefined."""
        given = [v for v in self.values(name) if v is not None]
        if not given:
            return ""
        low, high = min(given), max(given)
        span = (high - low) or 1.0
        return "".join(" " if v is None else SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in self.values(name))


def run_history(
    store: Store,
    metrics: tuple[str, ...] = DEFAULT_METRICS,
    *,
    label: str | None = None,
    scenario: str | None = None,
    grader_model: str | None = None,
    since: float | None = None,
    until_run: str | None = None,
    limit: int = 500,
) -> History:
    """The finished runs that match, oldest first (a probe run is part of its run, not a point of its own); with
    `until_run`, only the runs up to that one."""
    for name in metrics:
        metric(name)  # an unknown metric is bad input, named with the known ones
    runs = [
        r
        for r in store.list_runs(limit)
        if r.status == "complete"
        and r.config.kind != "probe"
        and (label is None or r.label == label)
        and (scenario is None or r.scenario_id == scenario)
        and (grader_model is None or r.models.get("grader") == grader_model)
        and (since is None or r.started_at >= since)
    ]
    runs.sort(key=lambda r: (r.started_at, r.run_id))
    if until_run is not None:
        ids = [r.run_id for r in runs]
        runs = runs[: ids.index(until_run) + 1] if until_run in ids else runs
    points = []
    for run in runs:
        rows = store.load_checks(run.run_id)
        chosen = {name: r for name in metrics for r in rows if r.metric == name and r.scope == metric(name).scope}
        points.append(Point(run, chosen))
    return History(tuple(metrics), points)


def history_table(history: History) -> Table:
    """One row per run: when, which code, which grader and prompt, and each metric with its gate mark."""

    def cell(point: Point, name: str) -> str:
        row = point.rows.get(name)
        if row is None:
            return "-"
        mark = "" if row.passed is None else (" ok" if row.passed else " FAIL")
        return fmt(row.value) + mark

    rows = [
        [
            p.run.run_id,
            datetime.fromtimestamp(p.run.started_at).strftime("%Y-%m-%d %H:%M"),
            p.code,
            f"{p.grader[0]} ({p.grader[1]})",
            *(cell(p, name) for name in history.metrics),
        ]
        for p in history.points
    ]
    firsts = [f"{name}: {first.run.run_id}" for name in history.metrics if (first := history.first_failing(name)) is not None]
    caption = "First failing run per gate: " + ("; ".join(firsts) if firsts else "none") + ". A * marks uncommitted changes."
    return Table(["run", "started", "commit", "grader (prompt)", *history.metrics], rows, caption)


def trend_chart(history: History, title: str) -> TrendChart:
    def threshold(name: str) -> float | None:
        gated = [p.rows[name].threshold for p in history.points if name in p.rows and p.rows[name].threshold is not None]
        return gated[-1] if gated else None

    return TrendChart(
        title,
        [p.run.run_id for p in history.points],
        [(name, threshold(name), history.values(name)) for name in history.metrics],
    )


def history_json(history: History) -> list[dict[str, object]]:
    return [
        {
            "run_id": p.run.run_id,
            "started_at": p.run.started_at,
            "label": p.run.label,
            "git_commit": p.run.git_commit,
            "git_branch": p.run.git_branch,
            "git_dirty": p.run.git_dirty,
            "grader_model": p.grader[0],
            "grader_prompt": p.run.prompt_hashes.get("grader"),
            "metrics": {
                name: {"value": r.value, "ci": [r.ci_low, r.ci_high], "n": r.n, "passed": r.passed, "threshold": r.threshold}
                for name, r in p.rows.items()
            },
        }
        for p in history.points
    ]
