"""`run --questions/--probes`: an interview length that narrows the scenario's question range and never widens it,
the embedded interviewer's shorter default, and the runs it makes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agents.interview.format_rules import FormatState, next_options
from agents.models.config import ModelsConfig
from evals.cli import app
from evals.runs.choices import InputError, interview_length
from evals.store.database import Store
from scenarios.model import InterviewLength
from tests.conftest_helpers import SCENARIO, register_script, role_flags
from tests.test_format_rules import deep_dive_state, turn

runner = CliRunner()
RULE = SCENARIO.question_rule
BANK = [q.id for q in SCENARIO.question_bank]


def test_a_length_narrows_the_moves_the_interviewer_is_offered():
    rule = InterviewLength(questions=RULE.min_questions, probes=1).rule(RULE)
    state = deep_dive_state(BANK[: RULE.min_questions])
    assert "ask" in next_options(SCENARIO, state).actions  # the scenario's own rule allows a sixth question
    assert set(next_options(SCENARIO, state, rule).actions) == {"probe", "transition"}
    turn(state, "interviewer", "deep_dives", action="probe", probe_category="evidence")
    turn(state, "candidate", "deep_dives")
    assert next_options(SCENARIO, state, rule).actions == ("transition",)
    assert "probe" in next_options(SCENARIO, state).actions
    assert next_options(SCENARIO, FormatState(), rule).segment_id == "intro"


@pytest.mark.parametrize(
    ("questions", "probes", "message"),
    [
        (RULE.min_questions - 1, None, f"outside the scenario's {RULE.min_questions}-{RULE.max_questions}"),
        (RULE.max_questions + 1, None, "outside the scenario's"),
        (None, RULE.max_probes_per_question + 1, f"more than the scenario's {RULE.max_probes_per_question}"),
    ],
)
def test_a_length_outside_the_scenario_is_refused(questions, probes, message):
    with pytest.raises(InputError, match=message):
        interview_length(ModelsConfig.for_all("scripted/x"), SCENARIO, "guided", questions, probes)


def test_the_embedded_interviewer_defaults_to_the_shortest_format_and_other_models_to_the_whole():
    local = interview_length(ModelsConfig.for_all("local/smollm2-135m"), SCENARIO, "guided")
    assert local == InterviewLength(questions=RULE.min_questions, probes=1)
    assert interview_length(ModelsConfig.for_all("openai/gpt-4o-mini"), SCENARIO, "guided") == InterviewLength()
    assert interview_length(ModelsConfig.for_all("local/smollm2-135m"), SCENARIO, "free") == InterviewLength()
    given = interview_length(ModelsConfig.for_all("local/smollm2-135m"), SCENARIO, "guided", questions=RULE.max_questions)
    assert given == InterviewLength(questions=RULE.max_questions)  # what is given is kept; the rest is the scenario's
    with pytest.raises(InputError, match="a free interviewer keeps its own"):
        interview_length(ModelsConfig.for_all("scripted/x"), SCENARIO, "free", questions=RULE.min_questions)


def test_a_run_keeps_its_length_in_every_interview_and_in_its_record(tmp_path):
    db = tmp_path / "h.duckdb"
    flags = ["--tag", "core", *role_flags(register_script()), "--no-cache", "--db", str(db)]
    result = runner.invoke(app, ["run", *flags, "--questions", str(RULE.min_questions), "--probes", "0"])
    assert result.exit_code in (0, 1), result.output
    assert f"interview length: at most {RULE.min_questions} questions, at most 0 probe(s) per question" in result.output
    with Store.open(db) as store:
        run = store.list_runs(1)[0]
        results = store.load_results(run.run_id)
    assert run.config.length == InterviewLength(questions=RULE.min_questions, probes=0)
    assert results and all(r.transcript for r in results)
    for r in results:
        actions = [t.action for t in r.transcript if t.speaker == "interviewer" and t.segment == "deep_dives"]
        assert actions.count("ask") == RULE.min_questions and "probe" not in actions
    report = runner.invoke(app, ["report", run.run_id, "--db", str(db), "--json"])
    assert report.exit_code == 0, report.output
    refused = runner.invoke(app, ["run", "--resume", run.run_id, "--probes", "1", "--db", str(db)])
    assert refused.exit_code == 2 and "drop --probes" in refused.output
    bad = runner.invoke(app, ["run", *flags, "--questions", str(RULE.max_questions + 1)])
    assert bad.exit_code == 2 and "outside the scenario's" in bad.output
    assert json.loads(report.output)  # the report of a narrowed run reads as any other


def test_the_dry_run_plans_the_calls_of_the_length_given(tmp_path):
    model = register_script()

    def interviewer_calls(*extra: str) -> int:
        flags = ["run", "--tag", "core", *role_flags(model), "--dry-run", "--db", str(tmp_path / "h.duckdb"), *extra]
        result = runner.invoke(app, flags)
        assert result.exit_code == 0, result.output
        row = next(line for line in result.output.splitlines() if "│ interviewer" in line)
        return int(row.split("│")[3])

    # Every turn the length allows: the opening, each question and its probes, the transition, three answers, the close.
    whole = 1 + RULE.max_questions * (1 + RULE.max_probes_per_question) + 1 + 3 + 1
    assert interviewer_calls() == 5 * whole
    assert interviewer_calls("--questions", str(RULE.min_questions), "--probes", "0") == 5 * (1 + RULE.min_questions + 1 + 3 + 1)


def test_compare_names_the_length_of_each_run(tmp_path):
    db = tmp_path / "h.duckdb"
    flags = ["--persona", "jordan-inference", *role_flags(register_script()), "--no-cache", "--db", str(db)]
    for probes in ("0", "1"):
        assert runner.invoke(app, ["run", *flags, "--probes", probes]).exit_code in (0, 1)
    with Store.open(db) as store:
        new, base = (r.run_id for r in store.list_runs(2))
    result = runner.invoke(app, ["compare", base, new, "--markdown", str(tmp_path / "c.md"), "--db", str(db)])
    assert result.exit_code in (0, 1), result.output
    text = (tmp_path / "c.md").read_text()
    assert "| interview length | at most 0 probe(s) per question | at most 1 probe(s) per question |" in text
