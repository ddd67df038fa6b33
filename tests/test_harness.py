"""The Harness service: start, resume with the stored configuration, refuse a resume when inputs changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.models.config import ModelsConfig
from evals import loading
from evals.cli import app
from evals.loading import load_library
from evals.metrics.gates import defaults_version, load_gates
from evals.metrics.registry import headline
from evals.metrics.units import fidelity_ok
from evals.runs.config import SimulateConfig
from evals.runs.harness import Harness, ResumeRefused, make_plan
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, register_script, role_flags
from tests.scripted_agents import InterviewScript

SCENARIO_ID = "microsoft-ai-engineer-behavioral"
PERSONAS = ["mei-defects", "dana-ranking", "amara-imaging"]
runner = CliRunner()


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A private copy of the shipped scenarios and personas that the CLI loads instead of the real ones."""
    root = tmp_path / "data"
    shutil.copytree(loading.SCENARIO_DIR, root / "scenarios")
    shutil.copytree(loading.PERSONA_DIR, root / "personas")
    monkeypatch.setattr(loading, "SCENARIO_DIR", root / "scenarios")
    monkeypatch.setattr(loading, "PERSONA_DIR", root / "personas")
    return root


def start_partial_run(db: Path, gates_config: Path | None = None) -> str:
    """Start a run of three personas on scripted models and finish only the first interview, as if interrupted."""
    lib = loading.load_shipped()
    config = SimulateConfig(
        models=ModelsConfig.for_all(register_script(InterviewScript())),
        gates=load_gates(gates_config),
        gates_version=defaults_version(),
        concurrency=1,
        trials=1,
        use_cache=False,
    )
    with Store.open(db) as store:
        harness = Harness(store, lib)
        prepared = harness.start(make_plan(lib, SCENARIO_ID, PERSONAS, None, 1), config, label="partial")
        prepared.pending = prepared.pending[:1]
        harness.execute(prepared)
        harness.interrupt(prepared.run_id)
        return prepared.run_id


def test_resume_judges_with_the_gates_stored_at_start_not_the_current_config(data, tmp_path, monkeypatch):
    strict = tmp_path / "start.toml"
    strict.write_text("[gates.qwk]\nthreshold = 0.2\n\n[gates.hire_accuracy]\nthreshold = 0.5\n")
    db = tmp_path / "h.duckdb"
    run_id = start_partial_run(db, strict)
    # The config file in force changes before the resume: it would fail every run.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "interview-harness.toml").write_text("[gates.qwk]\nthreshold = 0.999\n")
    result = runner.invoke(app, ["run", "--resume", run_id, "--db", str(db)])
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        rows = {(r.metric, r.scope): r for r in store.load_checks(run_id)}
        assert store.get_run_exact(run_id).status == "complete"
        assert store.count_interviews(run_id, "completed") == len(PERSONAS)
    assert rows[("qwk", "overall")].threshold == 0.2 and rows[("qwk", "overall")].passed is True
    assert rows[("hire_accuracy", "overall")].threshold == 0.5  # a gate the config added, kept too


def test_resume_after_a_persona_file_changed_is_refused_by_name(data, tmp_path):
    db = tmp_path / "h.duckdb"
    run_id = start_partial_run(db)
    persona_file = data / "personas" / "dana-ranking.yaml"
    persona_file.write_text(persona_file.read_text().replace("display_name: ", "display_name: Dr. "))
    result = runner.invoke(app, ["run", "--resume", run_id, "--db", str(db)])
    assert result.exit_code == 2
    assert "persona file of dana-ranking" in result.output and "Start a new run" in result.output
    with Store.open(db) as store:
        assert store.get_run_exact(run_id).status == "incomplete"
        assert store.count_interviews(run_id) == 1


def test_resume_after_a_prompt_or_scenario_change_is_refused(data, tmp_path):
    db = tmp_path / "h.duckdb"
    template = tmp_path / "grader.j2"
    template.write_text((Path(loading.DATA_ROOT) / "agents" / "roles" / "prompts" / "grader.j2").read_text())
    lib = loading.load_shipped()
    config = SimulateConfig(
        models=ModelsConfig.for_all(register_script(InterviewScript())),
        gates=load_gates(),
        gates_version=defaults_version(),
        concurrency=1,
        trials=1,
        prompts={"grader": str(template)},
    )
    with Store.open(db) as store:
        run_id = Harness(store, lib).start(make_plan(lib, SCENARIO_ID, PERSONAS[:1], None, 1), config).run_id
        template.write_text(template.read_text() + "\n{# changed #}\n")
        scenario_file = data / "scenarios" / f"{SCENARIO_ID}.yaml"
        scenario_file.write_text(scenario_file.read_text() + "\n# changed\n")
        with pytest.raises(ResumeRefused) as refused:
            Harness(store, load_library([data / "scenarios", data / "personas"])).resume(run_id)
    assert "the grader prompt template" in str(refused.value)
    assert f"the scenario file of {SCENARIO_ID}" in str(refused.value)


def test_resume_refuses_flags_that_would_change_the_run(tmp_path):
    result = runner.invoke(
        app, ["run", "--resume", "abc", "--grader-model", "scripted/x", "--tag", "core", "--db", str(tmp_path / "h.duckdb")]
    )
    assert result.exit_code == 2
    assert "--grader-model" in result.output and "--tag" in result.output


def test_summary_report_and_compare_show_the_same_headline_set(tmp_path):
    db = tmp_path / "h.duckdb"
    ids = []
    for _ in range(2):
        flags = role_flags(register_script(InterviewScript()))
        result = runner.invoke(app, ["run", "--persona", "mei-defects", "--persona", "dana-ranking", *flags, "--db", str(db)])
        assert result.exit_code == 0, result.output
        for declared in headline():
            assert declared.name in result.output
        ids.append(result.output.strip().rsplit("run id: ", 1)[1].split()[0])
    report = tmp_path / "r.md"
    assert runner.invoke(app, ["report", ids[0], "--markdown", str(report), "--db", str(db)]).exit_code == 0
    compared = tmp_path / "c.md"
    assert runner.invoke(app, ["compare", *ids, "--markdown", str(compared), "--db", str(db)]).exit_code == 0
    headline_section = report.read_text().split("## Headline metrics", 1)[1].split("\n## ", 1)[0]
    delta_section = compared.read_text().split("## Headline metrics", 1)[1].split("\n## ", 1)[0]
    for declared in headline():
        cell = "| " + declared.label.replace("|", "\\|") + " |"  # markdown escapes a pipe inside a cell
        assert cell in headline_section, declared.name
        assert cell in delta_section, declared.name


@pytest.mark.parametrize(
    ("levels", "flags", "expected"),
    [
        ({}, [], None),  # abstained on everything: no read, not a pass
        ({"collaboration": None, "ambiguity": None}, [], None),
        ({"collaboration": 3}, None, True),  # only what was heard is compared
        ({"collaboration": 5}, None, False),
        ({"collaboration": 3}, ["fixed_mindset"], False),
    ],
)
def test_fidelity_needs_at_least_one_judged_level(levels, flags, expected):
    persona = LIBRARY.persona("mei-defects")
    judged = {**{c: None for c in persona.intended.competency_levels}, **levels}
    heard_flags = list(persona.intended.red_flags) if flags is None else flags
    assert persona.intended.competency_levels["collaboration"] == 3
    assert fidelity_ok(persona.intended, judged, heard_flags) is expected
