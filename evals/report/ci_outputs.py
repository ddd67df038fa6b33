"""What a CI system reads of a run: JUnit XML (a test case per gate and per failed interview check) and a markdown
job summary (GitHub's `$GITHUB_STEP_SUMMARY`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from agents.records import InterviewResult
from evals.metrics.conformance import CHECK_QUESTIONS, failing_turns
from evals.metrics.registry import metric
from evals.metrics.rows import CheckRow, ConformanceDetails
from evals.report.blocks import fmt, gate_mark, interval
from scenarios.model import Scenario


def _gated(rows: list[CheckRow]) -> list[CheckRow]:
    return [r for r in rows if r.passed is not None and r.threshold is not None]


def failed_checks(rows: list[CheckRow]) -> dict[str, list[str]]:
    """By "persona#trial", the interviewer checks that interview failed."""
    row = next((r for r in rows if r.metric == "conformance" and r.scope == "overall"), None)
    return row.details_as(ConformanceDetails).failing if row is not None else {}


def _finding(check: str, result: InterviewResult | None, scenario: Scenario | None) -> str:
    """A failed check in words: what it asks, and the turns that show it."""
    asked = CHECK_QUESTIONS.get(check, check.replace("_", " "))
    if result is None or scenario is None or not result.transcript:
        return f"failed: {asked}"
    verdicts: dict[str, bool | None] = {check: False}
    turns = failing_turns(result, scenario, verdicts).get(check, [])
    shown = "; ".join(f"[{k}] {result.transcript[k].text[:160]}" for k in turns[:3] if k < len(result.transcript))
    return f"failed: {asked}" + (f" Turns: {shown}" if shown else "")


def junit_xml(run_id: str, rows: list[CheckRow], results: Mapping[str, InterviewResult], scenario: Scenario | None) -> str:
    """One test case per gate (failed when the gate failed) and one per interviewer check an interview failed."""
    suite = ET.Element("testsuite", name=f"interview-harness run {run_id}")
    cases = 0
    failures = 0
    for row in _gated(rows):
        case = ET.SubElement(suite, "testcase", classname="gates", name=f"{row.metric} ({row.scope})")
        cases += 1
        if not row.passed:
            failures += 1
            message = f"{metric(row.metric).label} {fmt(row.value)} {interval(row)}: {gate_mark(row)}"
            ET.SubElement(case, "failure", message=message, type="gate")
    for key, checks in sorted(failed_checks(rows).items()):
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=f"interviews.{key}", name=check)
            cases += 1
            failures += 1
            ET.SubElement(case, "failure", message=_finding(check, results.get(key), scenario), type="interviewer_check")
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def github_summary(title: str, rows: list[CheckRow], findings: list[str]) -> str:
    """A job summary: the gates as a table (failures first), then the report's findings."""
    gated = sorted(_gated(rows), key=lambda r: (bool(r.passed), r.metric, r.scope))
    failed = [r for r in gated if not r.passed]
    lines = [
        f"## {title}",
        "",
        f"**{'FAILED' if failed else 'PASSED'}**: {len(failed)} of {len(gated)} gates failed.",
        "",
        "| gate | value | 95% CI | result |",
        "| --- | --- | --- | --- |",
        *(f"| {r.metric} ({r.scope}) | {fmt(r.value)} | {interval(r)} | {gate_mark(r)} |" for r in gated),
    ]
    failing = failed_checks(rows)
    if failing:
        lines += ["", f"{len(failing)} interview(s) failed an interviewer check: " + ", ".join(sorted(failing)[:20])]
    if findings:
        lines += ["", "### Findings", "", *(f"- {f}" for f in findings)]
    return "\n".join(lines) + "\n"
