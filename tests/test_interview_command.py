"""`interview`: one simulated interview, its transcript and its grade, as JSON or for reading."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from evals.cli import app
from scenarios.model import SEGMENT_ORDER
from tests.conftest_helpers import SCENARIO, register_script, role_flags

runner = CliRunner()


def test_one_interview_runs_the_whole_format_and_prints_it(tmp_path):
    flags = [*role_flags(register_script()), "--no-cache", "--db", str(tmp_path / "h.duckdb")]
    result = runner.invoke(app, ["interview", "--persona", "jordan-inference", "--json", *flags])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["error"] is None and data["status"] == "completed"
    segments = [t["segment"] for t in data["transcript"]]
    assert [s for i, s in enumerate(segments) if i == 0 or s != segments[i - 1]] == list(SEGMENT_ORDER)
    asked = [t["question_id"] for t in data["transcript"] if t["action"] == "ask" and t["segment"] == "deep_dives"]
    assert SCENARIO.question_rule.min_questions <= len(asked) <= SCENARIO.question_rule.max_questions
    assert set(data["grade"]["competencies"]) == set(SCENARIO.competency_ids)
    assert {c["role"] for c in data["calls"]} == {"interviewer", "candidate", "grader"}
    readable = runner.invoke(app, ["interview", "--persona", "jordan-inference", *flags])
    assert readable.exit_code == 0, readable.output
    assert "Grade" in readable.output and "hire:" in readable.output and "model calls" in readable.output


def test_an_unknown_persona_is_bad_input(tmp_path):
    result = runner.invoke(app, ["interview", "--persona", "nobody", "--db", str(tmp_path / "h.duckdb")])
    assert result.exit_code == 2 and "nobody" in result.output
