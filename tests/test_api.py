"""The library's entry points, as a notebook would call them: no CLI, no exits, typed results and errors."""

from __future__ import annotations

import json

import pytest

from evals import api
from evals.runs.config import ImportConfig, RegradeConfig, SimulateConfig
from tests.conftest_helpers import LIBRARY, register_script
from tests.scripted_agents import InterviewScript


def _choices(script: InterviewScript) -> api.ModelChoices:
    model = register_script(script)
    return api.ModelChoices(interviewer_model=model, candidate_model=model, grader_model=model, judge_model=model, no_cache=True)


def test_simulate_regrade_report_compare_and_history(tmp_path):
    with api.open_store(tmp_path / "h.duckdb") as store:
        harness = api.harness(store, LIBRARY)
        plan, config = api.plan_simulation(
            LIBRARY, _choices(InterviewScript()), "microsoft-ai-engineer-behavioral", ["mei-defects"], None, 2, None
        )
        assert isinstance(config, SimulateConfig) and config.trials == 2 and len(plan.pairs) == 2
        base = harness.start(plan, config, label="base")
        rows = api.execute_and_finalize(harness, base)
        assert {r.metric for r in rows} >= {"qwk", "conformance"}
        lenient = register_script(InterviewScript(grader="lenient"))
        regrade = api.start_regrade(harness, api.find_run(store, base.run_id), grader_model=lenient, use_cache=False)
        assert isinstance(regrade.config, RegradeConfig) and regrade.config.regrade_of == base.run_id
        api.execute_and_finalize(harness, regrade)
        assert "base" in api.report_markdown(store, LIBRARY, base.run_id)
        comparison = api.compare(store, LIBRARY, base.run_id, regrade.run_id)
        assert comparison.regressed
        assert [r.run_id for r in api.history(store)] == [regrade.run_id, base.run_id]


def test_an_import_is_planned_before_anything_is_stored(tmp_path):
    recordings = tmp_path / "rec.jsonl"
    line = {
        "id": "rec-1",
        "scenario": "microsoft-ai-engineer-behavioral",
        "candidate": {"name": "Ada"},
        "turns": [{"speaker": "interviewer", "text": "Hello"}, {"speaker": "candidate", "text": "Hi"}],
    }
    recordings.write_text(json.dumps(line) + "\n" + "{not json}\n")
    choices = _choices(InterviewScript())
    with pytest.raises(api.InputError, match="line 2"):
        api.plan_import(LIBRARY, recordings, choices)
    planned = api.plan_import(LIBRARY, recordings, choices, skip_invalid=True)
    assert isinstance(planned.config, ImportConfig) and planned.plan.pairs == [("rec-1", 0)]
    assert len(planned.problems) == 1


def test_bad_input_raises_instead_of_exiting(tmp_path):
    with api.open_store(tmp_path / "h.duckdb") as store:
        with pytest.raises(api.InputError, match="no run"):
            api.find_run(store, "nope")
    with pytest.raises(api.InputError, match="--interviewer-source"):
        api.ModelChoices(interviewer_source="telepathy").source()
