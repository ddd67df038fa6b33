"""The grader's calibration per intended level, in numbers and in words.

A grader that orders candidates well can still be lenient or harsh at one level (a sound level-3 story graded 4); QWK
alone hides that, so each level's mean drift is shown, and every level that drifts in a quarter of its cells is said
in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics.intervals import wilson_interval
from evals.metrics.rows import CheckRow, ConfusionDetails


@dataclass(frozen=True)
class LevelCalibration:
    """How the grader scored the cells labelled one level."""

    level: int
    cells: int  # graded cells at this intended level (not-assessed grades left out)
    bias: float | None  # mean graded minus intended
    higher: int  # graded above the level
    lower: int  # graded below it

    def drift(self) -> str:
        """The mean drift, signed, with a bar of one mark per quarter level ("+0.53 ++")."""
        if self.bias is None:
            return "-"
        marks = "+" * round(4 * self.bias) if self.bias > 0 else "-" * round(-4 * self.bias)
        return f"{self.bias:+.2f} {marks}".rstrip()

    def share(self, count: int) -> str:
        """`count` of this level's cells as a percentage with its 95% interval; '-' without cells."""
        if not self.cells:
            return "-"
        low, high = wilson_interval(count, self.cells)
        return f"{count / self.cells:.0%} [{low:.2f}, {high:.2f}]"


def by_level(rows: list[CheckRow]) -> list[LevelCalibration]:
    """Per intended level, the cells graded above, below, and the mean signed difference."""
    confusion = next((r for r in rows if r.metric == "confusion" and r.scope == "overall"), None)
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
            share = count / c.cells if c.cells else 0.0
            if share >= 0.25:
                sentences.append(
                    f"{word} at level {c.level}: graded {sign} in {share:.0%} of its {c.cells} cells (mean {c.bias:+.2f})"
                )
    return sentences or ["no level drifts in a quarter of its cells or more"]
