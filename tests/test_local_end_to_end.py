"""The embedded model end to end: a real interview and a real run, exactly as a newcomer would get them."""

from __future__ import annotations

import json
import time

import duckdb
import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.scenario import SEGMENT_ORDER
from tests.conftest_helpers import SCENARIO

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_interview_command_on_the_embedded_model_runs_the_whole_format(tmp_path):
    started = time.perf_counter()
    result = runner.invoke(app, ["interview", "--persona", "jordan-llmplatform-l4", "--json", "--db", str(tmp_path / "h.duckdb")])
    elapsed = time.perf_counter() - started
    data = json.loads(result.output)
    assert data["error"] is None, data["error"]
    segments = []
    for turn in data["transcript"]:
        if not segments or segments[-1] != turn["segment"]:
            segments.append(turn["segment"])
    assert segments == list(SEGMENT_ORDER)
    asked = [t["question_id"] for t in data["transcript"] if t["action"] == "ask" and t["segment"] == "deep_dives"]
    assert SCENARIO.question_rule.min_questions <= len(asked) <= SCENARIO.question_rule.max_questions
    assert len(set(asked)) == len(asked)
    assert set(data["grade"]["competencies"]) == set(SCENARIO.competency_ids)
    assert {c["role"] for c in data["calls"]} == {"interviewer", "candidate", "grader"}
    assert all(c["model"] == "local/smollm2-135m" and c["cost_known"] is False for c in data["calls"])
    assert elapsed < 180


def test_run_on_the_embedded_model_stores_everything_and_reports_the_truth(tmp_path):
    db = tmp_path / "h.duckdb"
    result = runner.invoke(app, ["run", "--persona", "mei-vision-l3", "--db", str(db)])
    # A 135M model cannot grade to the bar; the harness must say so with exit code 1, not hide it.
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output and "run id:" in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        roles = {r for (r,) in con.execute("select distinct role from model_calls").fetchall()}
        checks = con.execute("select count(*) from checks where passed is not null").fetchone()[0]
        status = con.execute("select status from runs").fetchone()[0]
    assert roles == {"interviewer", "candidate", "grader", "judge"}
    assert checks >= 5
    assert status == "complete"
