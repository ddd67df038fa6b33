"""Baseline graders as negative controls, and the library's surface confounds they are measured against."""

from __future__ import annotations

import asyncio
import shutil

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from agents.models.config import ROLE_DEFAULTS, ConfigError, ModelsConfig, RoleModel, resolve_models
from agents.models.gateway import Gateway
from agents.models.providers.baseline import counting_level, surface_counts
from agents.prompting import PromptSet
from agents.records import Turn
from agents.roles.grader import grade_transcript
from evals.cli import app
from evals.loading import PERSONA_DIR, SCENARIO_DIR, load_library
from evals.metrics.confounds import COUNTING_QWK_WARNING, library_confounds, rank_fitted_qwk
from tests.conftest_helpers import LIBRARY, SCENARIO, register_script
from tests.scripted_agents import InterviewScript

runner = CliRunner()


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    out = []
    for question, answer in pairs:
        for speaker, text in (("interviewer", question), ("candidate", answer)):
            out.append(Turn(index=len(out), speaker=speaker, text=text, segment="deep_dives", minute=0, duration_minutes=0.1))
    return out


def grade_with(name: str, transcript: list[Turn], seed: int = 1):
    models = ModelsConfig(grader=RoleModel(**{**ROLE_DEFAULTS["grader"], "model": f"baseline/{name}"}))
    session = Gateway(models, use_cache=False).session(seed=seed)
    grade = asyncio.run(grade_transcript(session, PromptSet()["grader"], SCENARIO, transcript, None))
    return grade, session.calls


def test_counting_baseline_scores_each_answer_by_its_words_and_figures():
    transcript = turns(
        (SCENARIO.question("q_collaboration").text, "We talked."),
        (
            SCENARIO.question("q_growth_mindset").text,
            "I took a course in 2024, cut review time 35% and taught 12 engineers in 3 sessions.",
        ),
    )
    grade, calls = grade_with("counting", transcript)
    scores = {c: g.score for c, g in grade.competencies.items()}
    assert scores["collaboration"] == counting_level(*surface_counts("We talked.")) == 1
    assert scores["growth_mindset"] == 5  # five figures: a counting grader calls that exemplary
    assert scores["ambiguity"] is None  # never asked
    assert grade.red_flags == [] and grade.competencies["growth_mindset"].evidence[0] in transcript[3].text
    assert calls[0].model == "baseline/counting" and calls[0].prompt_tokens == 0 and calls[0].cost_known


def test_constant_and_random_baselines():
    transcript = turns((SCENARIO.question("q_ownership").text, "I shipped it."))
    constant, _ = grade_with("constant", transcript)
    assert {g.score for g in constant.competencies.values()} == {3}
    first, _ = grade_with("random", transcript, seed=5)
    again, _ = grade_with("random", transcript, seed=5)
    other, _ = grade_with("random", transcript, seed=6)
    assert first.competencies == again.competencies
    draws = [g.score for g in first.competencies.values()] + [g.score for g in other.competencies.values()]
    assert len(set(draws)) > 1 and all(1 <= d <= 5 for d in draws)


def test_baselines_only_grade_and_must_exist():
    with pytest.raises(ConfigError, match="unknown baseline grader 'smart'"):
        resolve_models({"grader": "baseline/smart"}, environ={})
    session = Gateway(ModelsConfig.for_all("baseline/counting"), use_cache=False).session()
    with pytest.raises(Exception, match="only grades"):
        asyncio.run(session.complete("candidate", [{"role": "user", "content": "hi"}]))


def test_shipped_library_cannot_be_read_off_the_surface():
    confounds = library_confounds(list(LIBRARY.personas.values()))
    assert confounds.stories >= 240
    assert confounds.counting_qwk is not None and confounds.counting_qwk < COUNTING_QWK_WARNING
    assert abs(confounds.spearman_words) < 0.3 and abs(confounds.spearman_figures) < 0.3
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0
    assert f"counting baseline rank-fitted QWK {confounds.counting_qwk:+.2f}" in result.output
    assert "warning" not in result.output


def test_rank_fitted_qwk_is_perfect_when_the_score_orders_the_levels():
    assert rank_fitted_qwk([10, 20, 30, 40, 50], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert rank_fitted_qwk([50, 40, 30, 20, 10], [1, 2, 3, 4, 5]) < 0


def test_validate_warns_when_story_length_tracks_the_level(tmp_path):
    # Pad every story with words and figures in proportion to its level: a counting grader now ranks it.
    shutil.copy(SCENARIO_DIR / "microsoft-ai-engineer-behavioral.yaml", tmp_path)
    for persona in LIBRARY.personas.values():
        data = yaml.safe_load((PERSONA_DIR / f"{persona.id}.yaml").read_text())
        for story in data["story_bank"]:
            level = data["intended"]["competency_levels"][story["competency"]]
            story["situation"], story["task"], story["actions"] = "Context.", "Task.", ["Did it."]
            story["result"], story["learned"] = "Done. " + "More detail. " * (level * 15), "Learned."
            story["metrics"] = [f"{k * 10}% better" for k in range(level * 2)]
        (tmp_path / f"{persona.id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    lib = load_library([tmp_path])
    assert not lib.problems
    assert library_confounds(list(lib.personas.values())).counting_qwk > 0.9
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0
    assert "warning: a grader that only counts words and figures" in result.output


def test_counting_baseline_fails_the_qwk_gate_on_the_full_suite_and_the_report_says_so(tmp_path):
    # Interviewer, candidate and judge are scripted; the candidate speaks its own story notes, so the
    # counting grader sees the library's real surface.
    actors = register_script(InterviewScript(candidate="story"))
    flags = [a for role in ("interviewer", "candidate", "judge") for a in (f"--{role}-model", actors)]
    db = tmp_path / "h.duckdb"
    result = runner.invoke(app, ["run", "--tag", "full", *flags, "--grader-model", "baseline/counting", "--db", str(db)])
    assert result.exit_code == 1, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("select run_id from runs").fetchone()
        interviews = con.execute("select count(*) from interviews where status = 'completed'").fetchone()[0]
        qwk, passed = con.execute("select value, passed from checks where metric = 'qwk' and scope = 'overall'").fetchone()
        margin = con.execute("select value from checks where metric = 'baseline_margin' and scope = 'qwk'").fetchone()[0]
    assert interviews == len(LIBRARY.personas)
    assert passed is False and qwk < 0.7
    assert margin == pytest.approx(0.0)  # the grader is the counting baseline
    report = tmp_path / "r.md"
    assert runner.invoke(app, ["report", run_id, "--markdown", str(report), "--db", str(db)]).exit_code == 0
    text = report.read_text()
    assert "The grader model baseline/counting does not meet the bar: QWK" in text
    assert "## Margin over the counting baseline" in text
    assert "does not beat a grader that only counts words and figures" in text
