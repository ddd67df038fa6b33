"""Grading panels: several graders (or samples of one) grade each interview; median per competency, majority per
flag; each member's agreement with the labels and the members' with each other (Krippendorff's alpha) reported."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agents.models.config import RoleModel, resolve_models
from agents.records import CompetencyGrade, Feedback, Grade, RedFlagFinding
from agents.roles.panel import aggregate
from evals.cli import app
from evals.metrics.agreement import krippendorff_alpha_ordinal
from tests.conftest_helpers import SCENARIO, register_script
from tests.scripted_agents import InterviewScript

runner = CliRunner()
FEEDBACK = Feedback(strengths=["s"], growth_areas=["g"], better_story="b")


def grade(scores: dict[str, int | None], flags: list[str]) -> Grade:
    return Grade(
        competencies={
            c: CompetencyGrade(score=scores.get(c), rationale=f"by {scores.get(c)}", evidence=[]) for c in SCENARIO.competency_ids
        },
        red_flags=[RedFlagFinding(id=f, evidence=["q"]) for f in flags],
        hire=False,
        feedback=FEEDBACK,
    )


def test_the_panel_takes_the_median_per_competency_and_the_majority_per_flag():
    members = [
        grade({"collaboration": 3, "ambiguity": None, "ownership": 5}, ["fixed_mindset"]),
        grade({"collaboration": 4, "ambiguity": None, "ownership": 2}, ["fixed_mindset", "poor_cross_functional"]),
        grade({"collaboration": 5, "ambiguity": 4, "ownership": 4}, []),
    ]
    panel = aggregate(members, ["a", "b", "c"], [None, None, None], SCENARIO)
    assert panel.competencies["collaboration"].score == 4 and panel.competencies["collaboration"].rationale == "by 4"
    assert panel.competencies["ambiguity"].score is None  # two of three left it unassessed
    assert panel.competencies["ownership"].score == 4
    assert [f.id for f in panel.red_flags] == ["fixed_mindset"]  # two of three; one alone is no majority
    assert [(m.model, m.scores["ownership"], m.red_flags) for m in panel.panel] == [
        ("a", 5, ["fixed_mindset"]),
        ("b", 2, ["fixed_mindset", "poor_cross_functional"]),
        ("c", 4, []),
    ]
    # A member whose call failed is kept with its error and left out of the median.
    failed = aggregate([members[0], None, members[2]], ["a", "b", "c"], [None, "timed out", None], SCENARIO)
    assert failed.competencies["ownership"].score == 4 and failed.panel[1].error == "timed out"


def test_krippendorffs_alpha_reproduces_the_published_ordinal_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units, ordinal alpha 0.815.
    n = None
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert krippendorff_alpha_ordinal(list(zip(*coders))) == pytest.approx(0.815, abs=0.001)
    assert krippendorff_alpha_ordinal([[2, 2], [4, 4], [1, 1]]) == 1.0
    assert krippendorff_alpha_ordinal([[3, None], [None, 2]]) is None  # no unit has two ratings


def test_a_panel_is_named_on_the_command_line_or_in_the_config_file(tmp_path):
    models = resolve_models({"grader": "scripted/a, scripted/b,scripted/c"}, environ={})
    assert models.grader.panel == ["scripted/a", "scripted/b", "scripted/c"] and models.grader.model == "scripted/a"
    config = tmp_path / "h.toml"
    config.write_text('[models.grader]\npanel = ["scripted/x", "scripted/x", "scripted/y"]\ntemperature = 0.7\n')
    models = resolve_models(config_path=config, environ={})
    assert models.grader.panel == ["scripted/x", "scripted/x", "scripted/y"] and models.grader.model == "scripted/x"
    assert models.grader.member(2).model == "scripted/y" and models.grader.member(2).temperature == 0.7
    with pytest.raises(ValueError, match="two models or more"):
        RoleModel(model="scripted/x", temperature=0, max_tokens=10, panel=["scripted/x"])


def test_a_panel_of_three_scripted_graders_reports_each_member_and_the_panel(tmp_path):
    db = tmp_path / "h.duckdb"
    others = register_script(InterviewScript())
    graders = [register_script(InterviewScript(grader=kind)) for kind in ("oracle", "lenient", "all3")]
    args = ["run", "--tag", "core", "--tag", "red_flag", "--grader-model", ",".join(graders), "--db", str(db), "--no-gate"]
    args += [arg for role in ("interviewer", "candidate", "judge") for arg in (f"--{role}-model", others)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run_id = result.output.split("run id: ")[-1].split()[0]
    report = json.loads(runner.invoke(app, ["report", run_id, "--json", "--db", str(db)]).output)
    rows = {(r["metric"], r["scope"]): r["value"] for r in report["checks"]}
    member_qwk = {scope: value for (name, scope), value in rows.items() if name == "panel_member_qwk"}
    assert list(member_qwk) == [f"1:{graders[0]}", f"2:{graders[1]}", f"3:{graders[2]}"]
    assert member_qwk[f"1:{graders[0]}"] == 1.0 and member_qwk[f"2:{graders[1]}"] < 1.0
    assert rows[("panel_alpha", "overall")] is not None and rows[("panel_alpha", "overall")] < 1.0
    for interview in report["interviews"]:
        votes = interview["grade"]["panel"]
        assert [v["model"] for v in votes] == graders
        for competency, graded in interview["grade"]["competencies"].items():
            given = sorted(s for v in votes if (s := v["scores"][competency]) is not None)
            if graded["score"] is not None:
                assert graded["score"] == given[(len(given) - 1) // 2]  # the lower median
    markdown = tmp_path / "r.md"
    runner.invoke(app, ["report", run_id, "--markdown", str(markdown), "--db", str(db)])
    text = markdown.read_text()
    assert "## Grading panel" in text and "Krippendorff's alpha (ordinal)" in text and "## Grader calibration per level" in text


def test_every_panel_member_is_checked_for_its_key_before_the_run(monkeypatch):
    from agents.models.config import ModelsConfig
    from agents.roles.preflight import credential_problems

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    models = ModelsConfig.for_all("scripted/x")
    grader = models.grader.model_copy(update={"panel": ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"]})
    problems = credential_problems(models.model_copy(update={"grader": grader}))
    assert [p.model for p in problems] == ["anthropic/claude-3-5-haiku-latest"]


def test_samples_of_one_model_on_a_panel_are_drawn_with_different_seeds():
    from agents.models.gateway import _member_seed

    assert [_member_seed(7, k) for k in (None, 0, 1, 2)] == [7, 7, 8, 9]
    assert _member_seed(None, 2) is None  # no seed to vary: the provider's own sampling differs per call


def test_a_panel_is_named_as_the_grader_in_the_run_and_its_findings():
    models = resolve_models({"grader": "scripted/a,scripted/b,scripted/c"}, environ={})
    assert models.model_names()["grader"] == "scripted/a,scripted/b,scripted/c"
