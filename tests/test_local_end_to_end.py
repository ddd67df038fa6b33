"""The embedded model end to end: a real interview and a real run, exactly as a newcomer would get them."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from evals.cli import app
from scenarios.model import SEGMENT_ORDER
from tests.conftest_helpers import LIBRARY, SCENARIO

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_interview_command_on_the_embedded_model_runs_the_whole_format(tmp_path):
    result = runner.invoke(app, ["interview", "--persona", "jordan-inference", "--json", "--db", str(tmp_path / "h.duckdb")])
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


def test_default_run_on_the_embedded_model_completes_and_reports_the_truth(tmp_path):
    # The README's main command as a newcomer runs it, without the response cache so the model
    # really runs. Its duration is measured by the benchmark, not asserted here: machines of the
    # same kind differ by 1.5x in speed.
    db = tmp_path / "h.duckdb"
    result = runner.invoke(app, ["run", "--no-cache", "--db", str(db)])
    # A 135M model cannot grade to the bar; the harness must say so with exit code 1, not hide it.
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output and "run id:" in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        roles = {r for (r,) in con.execute("select distinct role from model_calls").fetchall()}
        checks = con.execute("select count(*) from checks where passed is not null").fetchone()[0]
        status = con.execute("select status from runs").fetchone()[0]
        personas = {p for (p,) in con.execute("select persona_id from interviews").fetchall()}
        hits = con.execute("select count(*) from model_calls where cache_hit").fetchone()[0]
    assert personas == {p.id for p in LIBRARY.personas.values() if "core" in p.tags}
    assert roles == {"interviewer", "candidate", "grader", "judge"} and hits == 0
    assert checks >= 5
    assert status == "complete"

    # The embedded grader under two probes: its padding and evidence reactions are findings, not gated here.
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("select run_id from runs").fetchone()
    probed = runner.invoke(app, ["probe", run_id, "--suite", "verbosity,evidence_removed", "--no-gate", "--db", str(db)])
    assert probed.exit_code == 0, probed.output
    with duckdb.connect(str(db), read_only=True) as con:
        probe_rows = {m for (m,) in con.execute("select metric from checks where run_id != ?", [run_id]).fetchall()}
        copies = con.execute("select count(*) from probe_grades").fetchone()[0]
        graded = con.execute("select count(*) from interviews where hire is not null").fetchone()[0]
    assert {"verbosity_shift", "evidence_removed_shift"} <= probe_rows
    assert copies == 2 * graded
