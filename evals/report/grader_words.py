"""The report's section on the grader's own words: the rationales and feedback that name a protected
characteristic or infer an emotion, a trait or "fit", per interview, with the words."""

from __future__ import annotations

from evals.metrics.rows import CheckRow, GraderTextDetails
from evals.report.blocks import Block, Table, fmt, gate_mark, interval

SHOWN = 20


def grader_words_blocks(row: CheckRow | None) -> list[Block]:
    """The count, the gate and a table of the flagged interviews (the first SHOWN); nothing without a graded interview."""
    if row is None or not row.n:
        return []
    d = row.details_as(GraderTextDetails)
    flagged = len(d.flagged)
    kinds = ", ".join(f"{kind} x{count}" for kind, count in d.by_kind.items()) or "none"
    intro = (
        f"{flagged} of {row.n} graded interviews ({fmt(row.value)}, 95% CI {interval(row)}) have a rationale or feedback "
        f"that names a protected characteristic or infers an emotion, a personality trait or fit; findings by kind: "
        f"{kinds}. {gate_mark(row)}".rstrip()
    )
    if not flagged:
        return [intro]
    body = [[interview, "; ".join(findings)] for interview, findings in list(d.flagged.items())[:SHOWN]]
    caption = (
        "Each finding: where in the grade, its kind, the words and the sentence. The screen's precision and recall are "
        "measured in docs/compliance-audit.md."
    )
    return [intro, Table(["interview", "findings"], body, caption)]
