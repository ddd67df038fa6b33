"""The whole report of a run as one JSON document, for CI and notebooks that should need no SQL."""

from __future__ import annotations

import dataclasses
from typing import Any

from evals.loading import Library
from evals.metrics.conformance import check_interview, disagreements, failing_turns
from evals.metrics.grader_text import screen_grade
from evals.metrics.registry import headline
from evals.metrics.topic_screen import merge_violations, screen_interviewer_text
from evals.report.probes import latest_probe, probe_json
from evals.report.run_report import Report
from evals.store.database import Store


def report_json(store: Store, report: Report, lib: Library | None) -> dict[str, Any]:
    """Headline metrics with intervals and gates, every check row, findings, and per interview its conformance
    checks, each failed one with the turns to look at (`failed_checks`), what the grader's own words were flagged for
    (`grader_words`), grade and turn annotations."""
    run = report.run
    scenario = lib.scenarios.get(run.scenario_id) if lib else None
    by = {(r.metric, r.scope): r for r in report.rows}
    interviews = []
    for result in store.load_results(run.run_id):
        flagged = merge_violations(
            screen_interviewer_text(result.transcript, scenario) if scenario else [], result.violations or []
        )
        checks = check_interview(result, scenario) if scenario and result.transcript else {}
        interviews.append(
            {
                "persona_id": result.persona_id,
                "trial": result.trial,
                "status": result.status,
                "source": result.source,
                "candidate": result.candidate.model_dump(mode="json") if result.candidate else None,
                "twin": result.twin,
                "stop_reason": result.stop_reason,
                "error": result.error,
                "conformance": checks,
                "failed_checks": failing_turns(result, scenario, checks) if scenario else {},
                "disagreements": disagreements(result, scenario) if scenario else [],
                "violations": [v.model_dump(mode="json") for v in flagged],
                "grader_words": [dataclasses.asdict(hit) for hit in screen_grade(result.grade)],
                "grade": result.grade.model_dump(mode="json") if result.grade else None,
                "annotations": [
                    {"turn_index": t.index, **t.annotation.model_dump(mode="json")} for t in result.transcript if t.annotation
                ],
            }
        )
    return {
        "run": run.model_dump(mode="json"),
        "findings": report.findings,
        "headline": [
            {"metric": m.name, "label": m.label, "direction": m.direction, **by[(m.name, m.scope)].model_dump(mode="json")}
            for m in headline()
            if (m.name, m.scope) in by
        ],
        "checks": [row.model_dump(mode="json") for row in report.rows],
        "interviews": interviews,
        "probe": _probe(store, run),
    }


def _probe(store: Store, run) -> dict[str, Any] | None:
    """The run's own probe results, or those of its newest complete probe run; None when it was never probed."""
    probe_run = run if run.config.kind == "probe" else latest_probe(store, run)
    return None if probe_run is None else probe_json(store, probe_run, store.load_checks(probe_run.run_id))
