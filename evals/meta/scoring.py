"""Scoring a verdict against labelled truth: precision, recall and F1 of a check's failures with Wilson intervals, the
share of cases it settles, and the annotator's accuracy per field.

A check is a detector of defects: its positive verdict is "fail". Precision is the share of its settled fails that
are real defects; recall the share of real defects (among the cases it settled) it failed. An unsure verdict is
neither: it is counted apart, and the settled share says how often the check decided at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agents.records import TurnAnnotation
from evals.metrics.intervals import wilson_interval
from evals.runs.recordings import TurnTruth

Interval = tuple[float, float]


@dataclass(frozen=True)
class Ratio:
    """A proportion with its 95% Wilson interval; value None when there is nothing to divide."""

    hits: int
    n: int

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None

    @property
    def interval(self) -> Interval | None:
        return wilson_interval(self.hits, self.n) if self.n else None


@dataclass(frozen=True)
class CheckScore:
    """One check's verdicts against the truth over a set of interviews."""

    check: str
    true_fail: int  # failed, and the truth is a defect
    false_fail: int  # failed a clean case: a false alarm
    missed: int  # passed a defect
    true_pass: int
    unsure_defect: int  # unsure on a defect
    unsure_clean: int  # unsure on a clean case

    @property
    def cases(self) -> int:
        return self.true_fail + self.false_fail + self.missed + self.true_pass + self.unsure_defect + self.unsure_clean

    @property
    def settled(self) -> Ratio:
        return Ratio(self.cases - self.unsure_defect - self.unsure_clean, self.cases)

    @property
    def precision(self) -> Ratio:
        return Ratio(self.true_fail, self.true_fail + self.false_fail)

    @property
    def recall(self) -> Ratio:
        return Ratio(self.true_fail, self.true_fail + self.missed)

    @property
    def f1(self) -> float | None:
        p, r = self.precision.value, self.recall.value
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    @property
    def defects(self) -> int:
        return self.true_fail + self.missed + self.unsure_defect


def score_check(check: str, pairs: Iterable[tuple[bool | None, bool]]) -> CheckScore:
    """`pairs` of (verdict: True pass / False fail / None unsure, truth: True when the interviewer did it right)."""
    counts = dict.fromkeys(("tf", "ff", "m", "tp", "ud", "uc"), 0)
    for verdict, truth in pairs:
        if verdict is None:
            counts["uc" if truth else "ud"] += 1
        elif verdict is False:
            counts["ff" if truth else "tf"] += 1
        else:
            counts["tp" if truth else "m"] += 1
    return CheckScore(check, counts["tf"], counts["ff"], counts["m"], counts["tp"], counts["ud"], counts["uc"])


@dataclass(frozen=True)
class FieldAccuracy:
    """How often the annotator's label of one field matched the truth."""

    field: str
    ratio: Ratio


# Which turns a field is scored on: the question id where the truth asks or probes, the probe kind on true probes.
_SCORED_ON = {
    "segment": lambda t: True,
    "action": lambda t: True,
    "question_id": lambda t: t.action in ("ask", "probe"),
    "probe_category": lambda t: t.action == "probe",
}


def annotator_accuracy(pairs: Sequence[tuple[TurnAnnotation, TurnTruth]]) -> list[FieldAccuracy]:
    """The annotator's accuracy per field over the interviewer turns that carry truth."""
    out = []
    for name, scored in _SCORED_ON.items():
        chosen = [(a, t) for a, t in pairs if scored(t)]
        hits = sum(getattr(a, name) == getattr(t, name) for a, t in chosen)
        out.append(FieldAccuracy(name, Ratio(hits, len(chosen))))
    return out
