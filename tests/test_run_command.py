"""`interview-harness run` end to end on scripted models: gates, stored rows, bad input, interrupt and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from evals.cli import app
from tests.conftest_helpers import register_script, role_flags
from tests.scripted_agents import InterviewScript

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
SUITE = ["--tag", "core", "--tag", "red_flag"]


def run_cli(db: Path, script: InterviewScript, *extra: str):
    result = runner.invoke(app, ["run", *SUITE, *role_flags(register_script(script)), "--db", str(db), *extra])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def checks(db: Path) -> dict[str, bool | None]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select metric, passed from checks where scope in ('overall', 'micro') and run_id = "
            "(select run_id from runs order by started_at desc limit 1)"
        ).fetchall()
    return dict(rows)


def test_oracle_grader_passes_every_gate_and_everything_is_stored(tmp_path):
    db = tmp_path / "h.duckdb"
    result = run_cli(db, InterviewScript())
    assert result.exit_code == 0, result.output
    assert "gates: all passed" in result.output
    gated = {m: p for m, p in checks(db).items() if p is not None}
    assert set(gated) >= {"qwk", "abs_smd", "exact", "adjacent", "red_flag_recall", "grounding", "conformance"}
    assert all(gated.values()), gated
    with duckdb.connect(str(db), read_only=True) as con:
        ((status, plan, models),) = con.execute("select status, plan, models from runs").fetchall()
        interviews = con.execute(
            "select count(*), count(distinct persona_id) from interviews where status = 'completed'"
        ).fetchone()
        turns = con.execute("select count(*) from turns").fetchone()[0]
        roles = {r for (r,) in con.execute("select distinct role from model_calls").fetchall()}
    assert status == "complete"
    assert interviews[0] == interviews[1] == len(__import__("json").loads(plan)) >= 16
    assert turns > interviews[0] * 10
    assert roles == {"interviewer", "candidate", "grader", "judge"}
    assert "scripted/" in models


@pytest.mark.parametrize(
    ("script", "caught_by"),
    [
        (InterviewScript(grader="lenient"), "exact"),
        (InterviewScript(grader="lenient"), "abs_smd"),
        (InterviewScript(grader="no_flags"), "red_flag_recall"),
        (InterviewScript(grader="all3"), "qwk"),
        (InterviewScript(grader="invented_quotes"), "grounding"),
        (
            InterviewScript(extra_interviewer_text="Are you married?", judge_flags={"Are you married?": "marital status"}),
            "conformance",
        ),
        # 2,000-word answers run the deep-dive clock out after three questions.
        (InterviewScript(interviewer="greedy", candidate_words=2000), "conformance"),
    ],
    ids=["lenient-exact", "lenient-smd", "no-flags", "all-threes", "invented-quotes", "prohibited-question", "three-questions"],
)
def test_each_broken_system_fails_the_gate_that_should_catch_it(tmp_path, script, caught_by):
    db = tmp_path / "h.duckdb"
    result = run_cli(db, script)
    assert result.exit_code == 1, result.output
    assert checks(db)[caught_by] is False
    assert "FAILED" in result.output and caught_by in result.output.split("FAILED", 1)[1]


def test_no_gate_reports_failures_but_exits_zero(tmp_path):
    result = run_cli(tmp_path / "h.duckdb", InterviewScript(grader="all3"), "--no-gate")
    assert result.exit_code == 0
    assert "FAILED qwk" in result.output


def test_trials_report_repeat_stability(tmp_path):
    db = tmp_path / "h.duckdb"
    result = runner.invoke(
        app,
        [
            "run",
            "--persona",
            "mei-defects",
            "--persona",
            "dana-ranking",
            "--trials",
            "2",
            *role_flags(register_script()),
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        rows = dict(
            con.execute("select metric || ':' || scope, value from checks where metric in ('pass_k', 'score_sd')").fetchall()
        )
        trials = con.execute("select count(*) from interviews").fetchone()[0]
    assert trials == 4
    assert rows["pass_k:overall"] == 1.0
    assert rows["score_sd:mei-defects"] == 0.0


@pytest.mark.parametrize(
    "args",
    [["--persona", "nobody"], ["--scenario", "no-such-scenario"], ["--tag", "no-such-tag"], ["--config", "missing.toml"]],
)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, args):
    result = runner.invoke(app, ["run", *args, *role_flags(register_script()), "--db", str(tmp_path / "h.duckdb")])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output


def test_bad_config_file_names_the_problem(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[gates.qwk]\nthreshold = 'high'\n")
    result = runner.invoke(
        app, ["run", "--config", str(config), *role_flags(register_script()), "--db", str(tmp_path / "h.duckdb")]
    )
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "qwk" in result.output


def test_a_second_process_gets_a_clear_lock_message(tmp_path):
    db = tmp_path / "h.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = runner.invoke(app, ["run", *role_flags(register_script()), "--db", str(db)])
        assert result.exit_code == 2
        assert "in use by another interview-harness process" in result.output
    finally:
        holder.kill()
        holder.wait()


def test_runs_lists_recent_runs(tmp_path):
    db = tmp_path / "h.duckdb"
    runner.invoke(app, ["run", "--persona", "mei-defects", "--label", "smoke", *role_flags(register_script()), "--db", str(db)])
    result = runner.invoke(app, ["runs", "--db", str(db)])
    assert result.exit_code == 0
    assert "smoke" in result.output and "1/1 interviews" in result.output


CHILD = textwrap.dedent("""
    import sys
    from tests.conftest_helpers import register_script, role_flags
    from tests.scripted_agents import InterviewScript
    model = register_script(InterviewScript(), latency=0.02, name="interrupted")
    from evals.cli import app
    app(["run", "--tag", "core", "--tag", "red_flag", "--concurrency", "1", *role_flags(model), "--db", sys.argv[1]])
""")


def test_sigint_keeps_finished_interviews_and_resume_finishes_the_rest(tmp_path):
    db = tmp_path / "h.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
    )
    run_id, finished = None, 0
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        if line.startswith("run "):
            run_id = line.split()[1].rstrip(":")
        if "#0 ok" in line:
            finished += 1
            if finished == 3:
                proc.send_signal(signal.SIGINT)
                break
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 130, output
    assert "--resume" in output
    with duckdb.connect(str(db), read_only=True) as con:
        (status,) = con.execute("select status from runs where run_id = ?", [run_id]).fetchone()
        kept = con.execute("select count(*) from interviews where run_id = ?", [run_id]).fetchone()[0]
        planned = len(__import__("json").loads(con.execute("select plan from runs").fetchone()[0]))
    assert status == "incomplete"
    assert 3 <= kept < planned

    register_script(InterviewScript(), name="interrupted")
    result = runner.invoke(app, ["run", "--resume", run_id, "--db", str(db)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select persona_id, trial, count(*) from interviews where run_id = ? group by 1, 2", [run_id]
        ).fetchall()
        (status,) = con.execute("select status from runs where run_id = ?", [run_id]).fetchone()
    assert len(rows) == planned and all(n == 1 for _, _, n in rows)
    assert status == "complete"


def test_resume_of_unknown_run_is_bad_input(tmp_path):
    db = tmp_path / "h.duckdb"
    runner.invoke(app, ["run", "--persona", "mei-defects", *role_flags(register_script()), "--db", str(db)])
    result = runner.invoke(app, ["run", "--resume", "ffffffff", "--db", str(db)])
    assert result.exit_code == 2


@pytest.mark.parametrize("argv", [["--help"], ["validate"], ["personas"], ["run", "--help"]])
def test_light_commands_never_import_litellm_or_langgraph(argv):
    code = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from evals.cli import app
        result = CliRunner().invoke(app, {argv!r})
        assert result.exit_code == 0, result.output
        heavy = [m for m in ("litellm", "langgraph") if m in sys.modules]
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_scripted_run_never_imports_litellm():
    code = textwrap.dedent("""
        import sys
        from typer.testing import CliRunner
        from tests.conftest_helpers import register_script, role_flags
        from evals.cli import app
        import tempfile, pathlib
        db = pathlib.Path(tempfile.mkdtemp()) / "h.duckdb"
        result = CliRunner().invoke(app, ["run", "--persona", "mei-defects", *role_flags(register_script()), "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "litellm" not in sys.modules
    """)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
