"""200 interviews against an OpenAI-compatible server that injects every kind of fault, killed and resumed."""

from __future__ import annotations

import pytest

from tests.conftest_helpers import LIBRARY
from tests.fault_run import fault_run
from tests.fault_server import FAULTS, FaultPlan
from tests.scripted_agents import InterviewScript

pytestmark = pytest.mark.slow


def test_faults_never_become_scores_nor_lose_a_finished_interview(tmp_path):
    script = InterviewScript(personas={p.display_name: p for p in LIBRARY.personas.values()})
    plan = FaultPlan(rates=dict.fromkeys(FAULTS, 0.02), retry_after_s=0.4, slow_s=3.0)
    report = fault_run(tmp_path, script, trials=5, kill_after=30, plan=plan)
    print(report.line())
    assert report.planned == 205 and report.reported_before_kill == 30
    assert set(report.injected) == set(FAULTS) and report.survived > 0
    assert report.completed + report.infra_errors == report.planned
    assert report.errors_without_cause == 0 and report.scored_errors == 0  # an infra error is never a score
    assert report.early_retries == 0  # no retry before its Retry-After
    assert report.lost == 0
