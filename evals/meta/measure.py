"""`interview-harness meta`: every interviewer check and the annotator, measured on the labelled corpus.

Each recording is read as an import is (its clock from its timestamps), its interviewer turns annotated (the rules,
or the rules then the judge), and every conformance check run on it; each verdict is then scored against the truth
the labellers settled. With a grader, the recordings are graded too and the grader's calibration is reported.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Literal

from agents.models.gateway import Gateway
from agents.prompting import PromptSet
from agents.records import InterviewResult, TurnAnnotation
from evals.loading import Library
from evals.meta.ceiling import Agreement, Verdicts, beside_raters
from evals.meta.corpus import interviewer_truth, truth_checks
from evals.meta.grader_calibration import GRADER_GATES, grader_gate_failures
from evals.meta.scoring import CheckScore, FieldAccuracy, annotator_accuracy, score_check
from evals.metrics.checks import compute_checks
from evals.metrics.conformance import CONFORMANCE_CHECKS, check_interview
from evals.metrics.digest import digest_of
from evals.metrics.level_bias import by_level, in_words
from evals.metrics.rows import CheckRow
from evals.runs.recordings import Recording, TurnTruth, to_result
from evals.runs.review import annotate_result, grade_result, judge_result, judge_unsure_checks

# What the test half must show, rules tier (issue 27): a check that fails must be right, and must catch most defects,
# on the cases it settles; it must settle most; the annotator must read actions and bank questions.
MIN_PRECISION = 0.95
MIN_RECALL = 0.90
MIN_SETTLED = 0.80
MIN_ANNOTATOR_ACCURACY = {"action": 0.90, "question_id": 0.90}


@dataclass
class Measured:
    """One corpus interview as the harness read it, with the truth beside it."""

    result: InterviewResult
    verdicts: dict[str, bool | None]
    truth: dict[str, bool]


@dataclass
class MetaReport:
    """Every check's score, the annotator's accuracy, and the grader's calibration when it graded."""

    half: str
    annotator: str
    interviews: int
    checks: list[CheckScore]
    fields: list[FieldAccuracy]
    grader_rows: list[CheckRow] = field(default_factory=list)
    measured: list[Measured] = field(default_factory=list)
    failed_calls: dict[str, int] = field(default_factory=dict)  # role -> model calls that failed
    beside_raters: list[Agreement] = field(default_factory=list)  # the grader beside the labellers, when it graded

    def call_failures(self) -> str | None:
        """In words, the model calls that failed (their verdicts fell back to the rules'); None when none did."""
        if not self.failed_calls:
            return None
        roles = ", ".join(f"{role} {n}" for role, n in sorted(self.failed_calls.items()))
        return f"{sum(self.failed_calls.values())} model calls failed ({roles}): their verdicts are the rules', not the {self.annotator} tier's"

    def gate_failures(self) -> list[str]:
        """Each gate the report misses, in words; [] when every one holds (or there is nothing to measure)."""
        out = []
        for score in self.checks:
            if not score.cases:
                continue
            if (p := score.precision.value) is not None and p < MIN_PRECISION:
                out.append(f"{score.check}: precision {p:.2f} < {MIN_PRECISION}")
            if (r := score.recall.value) is not None and r < MIN_RECALL:
                out.append(f"{score.check}: recall {r:.2f} < {MIN_RECALL}")
            if (s := score.settled.value) is not None and s < MIN_SETTLED:
                out.append(f"{score.check}: settles {s:.2f} < {MIN_SETTLED}")
        for accuracy in self.fields:
            floor = MIN_ANNOTATOR_ACCURACY.get(accuracy.field)
            if floor is not None and (a := accuracy.ratio.value) is not None and a < floor:
                out.append(f"annotator {accuracy.field}: accuracy {a:.2f} < {floor}")
        if self.grader_rows:
            out += grader_gate_failures(self.grader_rows)
        return out


async def _read(
    recording: Recording, lib: Library, gateway: Gateway | None, prompts: PromptSet, annotator: str, grade: bool
) -> InterviewResult:
    result = to_result(recording)
    scenario = lib.scenario(result.scenario_id)
    if gateway is None:
        from agents.interview.annotation import annotate
        from evals.runs.review import apply_annotations

        apply_annotations(result, await annotate(result.transcript, scenario))
        return result
    await annotate_result(result, scenario, gateway, prompts, "judge" if annotator == "judge" else "rules")
    if annotator == "judge":
        await judge_result(result, scenario, gateway, prompts, fidelity=False)
        await judge_unsure_checks(result, scenario, gateway, prompts)
    if grade:
        await grade_result(result, scenario, gateway, prompts)
    return result


def measure(
    lib: Library,
    recordings: list[Recording],
    *,
    half: str,
    annotator: Literal["rules", "judge"] = "rules",
    gateway: Gateway | None = None,
    prompts: PromptSet | None = None,
    grade: bool = False,
    concurrency: int = 4,
    ratings: dict[str, Verdicts] | None = None,
) -> MetaReport:
    """Read every recording as the harness does and score its verdicts against the truth. Without a gateway only the
    rules tier runs (no model is called). `ratings`: the corpus's independent label sets, to set the grader beside."""
    prompts = prompts or PromptSet()

    async def all_of_them() -> list[InterviewResult]:
        limit = asyncio.Semaphore(max(1, concurrency))

        async def one(recording: Recording) -> InterviewResult:
            async with limit:
                return await _read(recording, lib, gateway, prompts, annotator, grade)

        return list(await asyncio.gather(*(one(r) for r in recordings)))

    results = asyncio.run(all_of_them())
    measured: list[Measured] = []
    turn_pairs: list[tuple[TurnAnnotation, TurnTruth]] = []
    for recording, result in zip(recordings, results):
        scenario = lib.scenario(result.scenario_id)
        measured.append(Measured(result, check_interview(result, scenario), truth_checks(recording, scenario)))
        truth = interviewer_truth(recording)
        turn_pairs += [
            (turn.annotation, truth.turns[turn.index])
            for turn in result.transcript
            if turn.annotation is not None and turn.index in truth.turns
        ]
    names = [c for c in CONFORMANCE_CHECKS if any(c in m.truth for m in measured)]
    scores = [score_check(c, ((m.verdicts.get(c), m.truth[c]) for m in measured if c in m.truth)) for c in names]
    rows: list[CheckRow] = []
    if grade and results:
        scenario = lib.scenario(results[0].scenario_id)
        digests = [digest_of(r, r.labels, scenario) for r in results]
        rows = compute_checks(digests, scenario, lib.personas, {})
    failed: dict[str, int] = {}
    for result in results:
        for call in result.calls:
            if call.error:
                failed[call.role] = failed.get(call.role, 0) + 1
    beside = beside_raters(results, ratings or {})  # empty when nothing was graded
    return MetaReport(half, annotator, len(recordings), scores, annotator_accuracy(turn_pairs), rows, measured, failed, beside)


def _ratio(ratio) -> dict[str, object]:
    return {"value": ratio.value, "hits": ratio.hits, "n": ratio.n, "ci": list(ratio.interval) if ratio.interval else None}


def report_json(report: MetaReport) -> dict[str, object]:
    """The report as JSON: per check its confusion counts, precision, recall, F1 and settled share with intervals; the
    annotator's accuracy per field; the gates missed; the grader's calibration rows when it graded."""
    return {
        "half": report.half,
        "annotator": report.annotator,
        "interviews": report.interviews,
        "failed_calls": report.failed_calls,
        "checks": [
            {
                "check": s.check,
                "defects": s.defects,
                "true_fail": s.true_fail,
                "false_fail": s.false_fail,
                "missed": s.missed,
                "true_pass": s.true_pass,
                "unsure_defect": s.unsure_defect,
                "unsure_clean": s.unsure_clean,
                "precision": _ratio(s.precision),
                "recall": _ratio(s.recall),
                "f1": s.f1,
                "settled": _ratio(s.settled),
            }
            for s in report.checks
        ],
        "annotator_accuracy": {a.field: _ratio(a.ratio) for a in report.fields},
        "gates": {
            "min_precision": MIN_PRECISION,
            "min_recall": MIN_RECALL,
            "min_settled": MIN_SETTLED,
            "min_annotator_accuracy": MIN_ANNOTATOR_ACCURACY,
            "failed": report.gate_failures(),
        },
        "grader": [row.model_dump(mode="json") for row in report.grader_rows],
        "grader_gates": {metric: {"sense": sense, "bound": bound} for metric, (sense, bound) in GRADER_GATES.items()},
        "grader_by_level": [
            {"level": c.level, "cells": c.cells, "bias": c.bias, "graded_higher": c.higher, "graded_lower": c.lower}
            for c in by_level(report.grader_rows)
        ],
        "grader_in_words": in_words(by_level(report.grader_rows)) if report.grader_rows else [],
        "grader_beside_raters": [asdict(a) for a in report.beside_raters],
    }
