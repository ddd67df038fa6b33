"""Repeated trials: how stable the grader's verdicts are per persona (hire and flag flips, score spread), and the hire
decision right in one trial (pass@1) against right in every trial (pass^k)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from evals.cli import app
from tests.conftest_helpers import LIBRARY, register_script, role_flags
from tests.scripted_agents import InterviewScript

runner = CliRunner()


def test_three_trials_with_a_grader_that_flips_on_one_persona(tmp_path):
    db = tmp_path / "h.duckdb"
    hired = next(p for p in LIBRARY.personas.values() if "core" in p.tags and p.intended.hire)
    model = register_script(InterviewScript(flaky_for=hired.display_name))
    args = ["run", "--tag", "core", "--trials", "3", *role_flags(model), "--db", str(db), "--no-cache", "--no-gate"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run_id = result.output.split("run id: ")[-1].split()[0]
    report = json.loads(runner.invoke(app, ["report", run_id, "--json", "--db", str(db)]).output)
    rows = {(c["metric"], c["scope"]): c for c in report["checks"]}
    # The flaky persona's second trial (all 1s) is not hired: one trial of three differs from the other two.
    assert rows[("trial_hire_flips", hired.id)]["value"] == 1 / 3
    others = [s for (m, s) in rows if m == "trial_hire_flips" and s not in ("overall", hired.id)]
    assert others and all(rows[("trial_hire_flips", s)]["value"] == 0 for s in others)
    flag_rows = {s: rows[(m, s)]["value"] for (m, s) in rows if m == "trial_flag_flips" and s.startswith("flag/")}
    assert flag_rows and set(flag_rows.values()) == {0.0}  # the flips are in the scores; no flag came or went
    once, always = rows[("hire_pass_at_1", "overall")]["value"], rows[("hire_pass_hat_k", "overall")]["value"]
    assert always < once
    personas = len(others) + 1
    assert once == (3 * personas - 1) / (3 * personas) and always == (personas - 1) / personas
    markdown = tmp_path / "r.md"
    runner.invoke(app, ["report", run_id, "--markdown", str(markdown), "--db", str(db)])
    section = markdown.read_text().split("## Repeated trials", 1)[1].split("\n## ", 1)[0]
    assert "pass^3" in section
    first_row = next(line for line in section.splitlines() if line.startswith("| ") and "persona" not in line)
    assert first_row.startswith(f"| {hired.id} |")  # the flakiest first


def test_regrade_samples_a_grader_several_times_per_transcript(tmp_path):
    from tests.conftest_helpers import run_harness

    db = tmp_path / "h.duckdb"
    hired = next(p for p in LIBRARY.personas.values() if "core" in p.tags and p.intended.hire)
    base = run_harness(db, InterviewScript(), hired.id, "mei-defects")
    flaky = register_script(InterviewScript(flaky_for=hired.display_name))
    result = runner.invoke(
        app, ["regrade", base, "--grader-model", flaky, "--samples", "3", "--no-cache", "--no-gate", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    regraded = result.output.split("run id: ")[-1].split()[0]
    report = json.loads(runner.invoke(app, ["report", regraded, "--json", "--db", str(db)]).output)
    trials = sorted((i["persona_id"], i["trial"]) for i in report["interviews"])
    assert trials == sorted((p, t) for p in (hired.id, "mei-defects") for t in range(3))
    rows = {(c["metric"], c["scope"]): c["value"] for c in report["checks"]}
    assert rows[("trial_hire_flips", hired.id)] == 1 / 3 and rows[("trial_hire_flips", "mei-defects")] == 0
    assert rows[("hire_pass_hat_k", "overall")] < rows[("hire_pass_at_1", "overall")]
