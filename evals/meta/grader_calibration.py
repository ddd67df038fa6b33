"""The grader measured on the corpus: its gates (issue 28) and its calibration per intended level, in numbers and words.

A grader that orders candidates well can still be lenient or harsh at one level (a sound level-3 story graded 4); QWK
alone hides that, so each level's bias is shown with an interval and the worst drift is said in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics.intervals import wilson_interval
from evals.metrics.rows import CheckRow, ConfusionDetails

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


@dataclass(frozen=True)
class LevelCalibration:
    """How the grader scored the cells labelled one level."""

    level: int
    cells: int  # graded cells at this intended level (not-assessed grades left out)
    bias: float | None  # mean graded minus intended
    higher: int  # graded above the level
    lower: int  # graded below it

    def share(self, count: int) -> tuple[float | None, tuple[float, float] | None]:
        return (count / self.cells, wilson_interval(count, self.cells)) if self.cells else (None, None)


def by_level(rows: list[CheckRow]) -> list[LevelCalibration]:
    """Per intended level, the cells graded above, below, and the mean signed difference."""
    confusion = overall(rows).get("confusion")
    if confusion is None or not isinstance(confusion.details, ConfusionDetails):
        return []
    details = confusion.details
    out = []
    for i, level in enumerate(details.labels):
        counts = details.matrix[i]
        cells = sum(counts)
        total = sum((graded - level) * n for graded, n in zip(details.labels, counts))
        higher = sum(n for graded, n in zip(details.labels, counts) if graded > level)
        lower = sum(n for graded, n in zip(details.labels, counts) if graded < level)
        out.append(LevelCalibration(level, cells, total / cells if cells else None, higher, lower))
    return out


def in_words(levels: list[LevelCalibration]) -> list[str]:
    """Where the grader is lenient or harsh, one sentence per level that drifts in a quarter of its cells or more."""
    sentences = []
    for c in levels:
        for count, word, sign in ((c.higher, "lenient", "+1 or more"), (c.lower, "harsh", "-1 or more")):
            share, _ = c.share(count)
            if share is not None and share >= 0.25:
                sentences.append(
                    f"{word} at level {c.level}: graded {sign} in {share:.0%} of its {c.cells} cells (mean {c.bias:+.2f})"
                )
    return sentences or ["no level drifts in a quarter of its cells or more"]
