"""`run --dry-run` estimates a run's calls, tokens and cost; `--max-cost` stops it before the budget and
`--resume --max-cost` finishes it. On the loopback OpenAI-compatible fake, priced in the config file."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY
from tests.fault_server import FaultPlan, FaultServer
from tests.scripted_agents import InterviewScript

pytestmark = pytest.mark.slow
PERSONAS = ["mei-defects", "dana-ranking", "grace-copilot", "aisha-fraud", "ravi-speech", "wei-mlops"]
PRICES = "input_usd_per_mtok = 2.0\noutput_usd_per_mtok = 8.0\n"


@pytest.fixture
def fake(tmp_path):
    script = InterviewScript(personas={p.display_name: p for p in LIBRARY.personas.values()})
    with FaultServer(script, FaultPlan(rates={})) as server:
        config = tmp_path / "priced.toml"
        config.write_text(server.config_toml(5.0).replace("timeout = 5.0\n", "timeout = 5.0\n" + PRICES))
        yield config


def _run(tmp_path, config, *extra: str):
    selection = [a for p in PERSONAS for a in ("--persona", p)]
    args = ["run", *selection, "--config", str(config), "--db", str(tmp_path / "h.duckdb"), "--no-cache", "--annotator", "rules"]
    return CliRunner().invoke(app, [*args, "--concurrency", "1", "--no-gate", *extra])


def test_dry_run_prices_every_role_and_runs_nothing(tmp_path, fake):
    out = _run(tmp_path, fake, "--dry-run")
    assert out.exit_code == 0, out.output
    assert "Plan: 6 interview(s): 6 persona(s) x 1 trial(s)." in out.output
    for role in ("interviewer", "candidate", "grader", "judge"):
        assert re.search(rf"{role}\s+│ openai/{role}\s+│ [\d,]+\s+│ [\d,]+\s+│ [\d,]+\s+│ \d+\.\d{{4}}", out.output), out.output
    assert "from the prompt sizes" in out.output
    with Store.open(tmp_path / "h.duckdb") as store:
        assert store.list_runs(5) == []


def _total_cost(output: str) -> float:
    return float(re.search(r"total\s+│\s+│ [\d,]+\s+│\s+│\s+│ (\d+\.\d+)", output).group(1))


def test_max_cost_stops_before_the_budget_and_resume_finishes_with_a_new_one(tmp_path, fake):
    first = _run(tmp_path, fake)  # a finished run: the next estimate is what its interviews really used
    assert first.exit_code == 0, first.output
    with Store.open(tmp_path / "h.duckdb") as store:
        earlier = store.list_runs(1)[0]
        real = store.query("SELECT sum(cost_usd) FROM model_calls WHERE run_id = ?", [earlier.run_id])[0][0] / len(PERSONAS)
    planned = _run(tmp_path, fake, "--dry-run")
    assert f"measured in run {earlier.run_id}" in planned.output
    per_interview = _total_cost(planned.output) / len(PERSONAS)
    assert per_interview == pytest.approx(real, rel=0.01)

    budget = 2.5 * per_interview  # room for two interviews, not three
    stopped = _run(tmp_path, fake, "--max-cost", f"{budget:.6f}")
    assert stopped.exit_code == 1, stopped.output
    assert "stopped: the budget:" in stopped.output and "--resume" in stopped.output
    with Store.open(tmp_path / "h.duckdb") as store:
        run = store.list_runs(1)[0]
        spent = store.query("SELECT sum(cost_usd) FROM model_calls WHERE run_id = ?", [run.run_id])[0][0]
        kept = store.count_interviews(run.run_id)
    assert run.status == "incomplete" and 1 <= kept < len(PERSONAS) and 0 < spent <= budget

    resumed = CliRunner().invoke(
        app, ["run", "--resume", run.run_id, "--max-cost", "100", "--db", str(tmp_path / "h.duckdb"), "--no-gate"]
    )
    assert resumed.exit_code == 0, resumed.output
    with Store.open(tmp_path / "h.duckdb") as store:
        assert store.get_run(run.run_id).status == "complete" and store.count_interviews(run.run_id) == len(PERSONAS)


def test_max_cost_without_prices_is_bad_input(tmp_path, fake):
    fake.write_text(fake.read_text().replace(PRICES, ""))
    out = _run(tmp_path, fake, "--max-cost", "1")
    assert out.exit_code == 2 and "--max-cost needs a price for every role's model" in out.output
