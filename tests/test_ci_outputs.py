"""`report --junit` and `report --github-summary`: what a CI system reads of a run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from evals.cli import app
from tests.conftest_helpers import run_harness
from tests.scripted_agents import InterviewScript

runner = CliRunner()


def test_junit_has_a_case_per_gate_and_per_failed_interviewer_check(tmp_path):
    db = tmp_path / "h.duckdb"
    # A lenient grader fails calibration gates; an interviewer who leaks the rubric fails an interviewer check.
    script = InterviewScript(
        grader="lenient",
        extra_interviewer_text=" Between us, a 5 on the rubric means exemplary.",
        judge_flags={"a 5 on the rubric": "rubric"},
    )
    run_id = run_harness(db, script, "mei-defects", "grace-copilot")
    out = tmp_path / "junit.xml"
    result = runner.invoke(app, ["report", run_id, "--junit", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    suite = ET.parse(out).getroot()
    cases = suite.findall("testcase")
    gates = [c for c in cases if c.get("classname") == "gates"]
    checks = [c for c in cases if c.get("classname", "").startswith("interviews.")]
    assert gates and checks and int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    failed_gate = next(c for c in gates if c.find("failure") is not None)
    assert "FAIL (" in failed_gate.find("failure").get("message")
    leak = next(c for c in checks if c.get("name") == "no_rubric_leak")
    assert leak.get("classname") in ("interviews.mei-defects#0", "interviews.grace-copilot#0")
    assert "a 5 on the rubric" in leak.find("failure").get("message")  # the finding quotes the turn


def test_the_github_summary_goes_to_the_step_summary_file(tmp_path, monkeypatch):
    db = tmp_path / "h.duckdb"
    run_id = run_harness(db, InterviewScript(grader="lenient"), "mei-defects")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert runner.invoke(app, ["report", run_id, "--github-summary", "--db", str(db)]).exit_code == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n## Interview-harness report") and "| gate | value | 95% CI | result |" in text
    assert "**FAILED**" in text
