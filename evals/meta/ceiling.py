"""The grader beside the people who labelled the corpus: how far it is from each of them and from their settled
labels, next to how far they are from each other. A grader cannot be expected to agree with the labels more than
the labellers agree among themselves; this table says where that ceiling lies on the same interviews."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from agents.records import InterviewResult
from evals.metrics.agreement import exact_agreement, quadratic_weighted_kappa

LABELS = "labels"  # the settled labels, beside the rating sets they were settled from
GRADER = "grader"

# One reader's verdict per interview id: a level per competency (None = no evidence) and hire.
Verdicts = dict[str, tuple[dict[str, int | None], bool]]


@dataclass(frozen=True)
class Agreement:
    """Two readers of the same interviews: how often their hire decisions match, and how their levels agree where both
    gave one."""

    first: str
    second: str
    interviews: int
    hire: float | None
    cells: int
    qwk: float | None
    exact: float | None


def rating_sets(corpus: Path) -> dict[str, Verdicts]:
    """Each independent label set of the corpus (`ratings/<name>.jsonl`), by name; empty without a ratings folder."""
    sets: dict[str, Verdicts] = {}
    for path in sorted((corpus / "ratings").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        sets[path.stem] = {r["id"]: (r["labels"]["competency_levels"], bool(r["labels"]["hire"])) for r in rows}
    return sets


def agree(first: str, a: Verdicts, second: str, b: Verdicts) -> Agreement:
    """How far two readers agree over the interviews both read."""
    ids = [i for i in a if i in b]
    cells = [(a[i][0][c], b[i][0].get(c)) for i in ids for c in a[i][0]]
    both = [(x, y) for x, y in cells if x is not None and y is not None]
    return Agreement(
        first=first,
        second=second,
        interviews=len(ids),
        hire=sum(a[i][1] == b[i][1] for i in ids) / len(ids) if ids else None,
        cells=len(both),
        qwk=quadratic_weighted_kappa([x for x, _ in both], [y for _, y in both]) if both else None,
        exact=exact_agreement([x for x, _ in both], [y for _, y in both]) if both else None,
    )


def beside_raters(results: list[InterviewResult], sets: dict[str, Verdicts]) -> list[Agreement]:
    """The grader against the settled labels and each rating set, then every two rating sets against each other, on
    the interviews graded. Empty when nothing was graded or the corpus has no rating sets."""
    graded: Verdicts = {
        r.persona_id: ({c: g.score for c, g in r.grade.competencies.items()}, r.grade.hire) for r in results if r.grade
    }
    if not graded or not sets:
        return []
    settled: Verdicts = {
        r.persona_id: (dict(r.labels.competency_levels), r.labels.hire)
        for r in results
        if r.labels is not None and r.persona_id in graded
    }
    people = {name: {i: v for i, v in rows.items() if i in graded} for name, rows in sets.items()}
    out = [agree(GRADER, graded, LABELS, settled)]
    out += [agree(GRADER, graded, name, rows) for name, rows in people.items()]
    names = list(people)
    out += [agree(x, people[x], y, people[y]) for k, x in enumerate(names) for y in names[k + 1 :]]
    return out
