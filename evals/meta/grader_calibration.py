"""The grader measured on the corpus: the gates a capable grader must meet on the test half (issue 28)."""

from __future__ import annotations

from evals.metrics.rows import CheckRow

# What a capable grader must reach on the test half, with the shipped prompt (issue 28).
GRADER_GATES: dict[str, tuple[str, float]] = {
    "qwk": (">=", 0.93),
    "abs_smd": ("<=", 0.10),
    "exact": (">=", 0.80),
    "red_flag_precision": (">=", 0.85),
    "red_flag_recall": (">=", 0.95),
    "hire_accuracy": (">=", 0.95),
}


def overall(rows: list[CheckRow]) -> dict[str, CheckRow]:
    """Each metric's headline row: over all competencies, and for red flags over all flags (micro-averaged)."""
    return {r.metric: r for r in rows if r.scope == ("micro" if r.metric.startswith("red_flag_") else "overall")}


def grader_gate_failures(rows: list[CheckRow]) -> list[str]:
    """Each grader gate missed, in words; a metric the grading left undefined (no flag reported) misses its gate."""
    found = overall(rows)
    out = []
    for metric, (sense, bound) in GRADER_GATES.items():
        value = found[metric].value if metric in found else None
        if value is None:
            out.append(f"grader {metric}: undefined")
        elif (value < bound) if sense == ">=" else (value > bound):
            out.append(f"grader {metric}: {value:.2f} {'<' if sense == '>=' else '>'} {bound}")
    return out
