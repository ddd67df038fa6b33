"""The embedded model end to end: the default run, exactly as a newcomer gets it, and a probe of it."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.store.database import Store
from scenarios.model import SEGMENT_ORDER
from tests.conftest_helpers import LIBRARY, SCENARIO

pytestmark = pytest.mark.slow
runner = CliRunner()


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
    assert "interview length: at most 5 questions, at most 1 probe(s) per question" in result.output
    with Store.open(db) as store:
        results = store.load_results(store.list_runs(1)[0].run_id)
    for interview in results:
        # Every interview runs the whole format at the embedded interviewer's length, and is graded on every competency.
        assert interview.status == "completed", interview.error
        segments = [t.segment for t in interview.transcript]
        assert [s for i, s in enumerate(segments) if i == 0 or s != segments[i - 1]] == list(SEGMENT_ORDER)
        asked = [t.question_id for t in interview.transcript if t.action == "ask" and t.segment == "deep_dives"]
        assert len(asked) == len(set(asked)) == SCENARIO.question_rule.min_questions
        probed = [t.question_id for t in interview.transcript if t.action == "probe"]
        assert all(probed.count(q) <= 1 for q in asked)
        assert interview.grade is not None and set(interview.grade.competencies) == set(SCENARIO.competency_ids)
        assert all(c.model == "local/smollm2-135m" and c.cost_known is False for c in interview.calls)

    # The embedded grader under a probe: its reaction to the evidence removed is a finding, not gated here. One
    # perturbation of one interview is enough to run the probe machinery on the real model (each copy is a 25-35 s
    # grader call on 2 cores); every perturbation and the whole-run probe are tested on scripted graders.
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("select run_id from runs").fetchone()
    probed = runner.invoke(
        app, ["probe", run_id, "--suite", "evidence_removed", "--persona", "jordan-inference", "--no-gate", "--db", str(db)]
    )
    assert probed.exit_code == 0, probed.output
    with duckdb.connect(str(db), read_only=True) as con:
        probe_rows = {m for (m,) in con.execute("select metric from checks where run_id != ?", [run_id]).fetchall()}
        copies = con.execute("select persona_id from probe_grades").fetchall()
    assert "evidence_removed_shift" in probe_rows
    assert copies == [("jordan-inference",)]
