"""Scenario and persona files: loaders, cross-checks, schema freshness, and the data CLI."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

import personas.model
import scenarios.model
from evals.api import schema_files
from evals.cli import app
from evals.loading import (
    PERSONA_DIR,
    SCENARIO_DIR,
    DataError,
    load_library,
    load_persona,
    load_shipped,
    schema_text,
)
from evals.metrics.confounds import story_text
from scenarios.guide import BLOCKS, GUIDE, block, current_block, render_flags

runner = CliRunner()
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "microsoft-ai-engineer-behavioral.txt"


@pytest.fixture(scope="module")
def lib():
    return load_shipped()


def persona_copy(tmp_path: Path, persona_id: str, mutate) -> Path:
    """Copy a shipped persona into tmp_path after applying `mutate` to its data."""
    data = yaml.safe_load((PERSONA_DIR / f"{persona_id}.yaml").read_text())
    mutate(data)
    path = tmp_path / f"{persona_id}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_scenario_encodes_the_seed_template(lib):
    sc = lib.scenario("microsoft-ai-engineer-behavioral")
    assert (sc.company, sc.role, sc.interview_type, sc.difficulty, sc.duration_minutes) == (
        "Microsoft",
        "AI Engineer",
        "behavioral",
        4,
        60,
    )
    assert [(s.id, s.min_minutes, s.max_minutes) for s in sc.segments] == [
        ("intro", 5, 5),
        ("deep_dives", 35, 40),
        ("candidate_questions", 10, 10),
        ("wrap_up", 5, 5),
    ]
    assert sc.competency_ids == ["collaboration", "ambiguity", "customer_impact", "responsible_ai", "ownership", "growth_mindset"]
    assert sc.question("q_incident_learning").competencies == ["ownership", "growth_mindset"]
    assert (sc.question_rule.min_questions, sc.question_rule.max_questions) == (5, 7)
    assert [p.id for p in sc.probe_categories] == ["scope", "evidence", "decision_making", "collaboration", "reflection"]
    assert sc.red_flag_ids == ["skips_safety_review", "no_data_driven_decisions", "poor_cross_functional", "fixed_mindset"]
    assert sc.candidate_guidance.story_timing.deep_dive_minutes == (3, 5)
    assert {"age", "religion", "pregnancy", "sexual orientation"} <= set(sc.prohibited_topics)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed template is not beside this checkout")
def test_question_texts_and_rubric_are_verbatim_from_the_seed(lib):
    seed = " ".join(SEED.read_text().replace("’", "'").split())
    sc = lib.scenario("microsoft-ai-engineer-behavioral")
    for q in sc.question_bank:
        assert q.text in seed, q.id
    for level in sc.rubric.levels[:3]:
        assert level.descriptor in seed


def test_hire_bar_is_strong_fours_with_no_critical_twos(lib):
    bar = lib.scenario("microsoft-ai-engineer-behavioral").hire_bar
    fours = dict.fromkeys(["a", "b", "c", "d", "e", "f"], 4)
    assert bar.decide(fours, []) is True
    assert bar.decide({**fours, "f": 2}, []) is False  # a critical 2 blocks hire
    assert bar.decide(fours, ["fixed_mindset"]) is False  # red flags block hire
    assert bar.decide({**fours, "a": 3, "b": 3, "c": 3}, []) is False  # mean 3.5 is not strong 4s
    assert bar.decide({**fours, "f": None}, []) is True
    assert bar.decide({**fours, "e": None, "f": None}, []) is False  # too little evidence


def test_library_has_the_required_coverage(lib):
    personas = list(lib.personas.values())
    assert len(personas) >= 40
    levels = Counter(p.intended.overall_level for p in personas)
    assert all(levels[lv] >= 6 for lv in range(1, 6)), levels
    core = [p for p in personas if "core" in p.tags]
    assert sorted(p.intended.overall_level for p in core) == [1, 2, 3, 4, 5]
    assert all("full" in p.tags for p in personas)
    for suite in ("red_flag", "adversarial", "mixed", "hire", "counter_signal"):
        assert any(suite in p.tags for p in personas), suite
    assert sum("counter_signal" in p.tags for p in personas) * 3 >= len(personas)
    flags = Counter(f for p in personas for f in p.intended.red_flags)
    assert all(flags[f] >= 3 for f in lib.scenario("microsoft-ai-engineer-behavioral").red_flag_ids), flags
    strong_but_flagged = [p for p in personas if p.intended.red_flags and p.intended.overall_level >= 4]
    assert strong_but_flagged and not any(p.intended.hire for p in strong_but_flagged)
    assert not any(re.search(r"\d|level", p.id) for p in personas)


def test_every_persona_file_points_at_the_schema():
    for path in list(PERSONA_DIR.glob("*.yaml")) + list(SCENARIO_DIR.glob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=./"), path


def test_schema_files_are_fresh():
    files = schema_files()
    assert len(files) == 3
    for model, path in files.items():
        assert path.read_text() == schema_text(model), f"{path} is stale: run `interview-harness schemas`"


@pytest.mark.parametrize("module", [personas.model, scenarios.model])
def test_every_field_has_a_description(module):
    models = [
        m
        for m in vars(module).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == module.__name__ and m.model_fields
    ]
    assert models
    for model in models:
        assert model.model_config.get("extra") == "forbid", model
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("mutate", "field", "needle"),
    [
        (lambda d: d.__setitem__("pronnouns", d.pop("pronouns")), "pronnouns", "Extra inputs"),
        (lambda d: d["intended"]["red_flags"].append("likes_tabs"), "intended.red_flags.", "unknown red flag"),
        (lambda d: d["intended"].__setitem__("overall_level", 6), "intended.overall_level", "less than or equal to 5"),
        (
            lambda d: d["intended"]["competency_levels"].__setitem__("ownership", 6),
            "intended.competency_levels.ownership",
            "outside 1-5",
        ),
        (lambda d: d["intended"]["competency_levels"].pop("ambiguity"), "intended.competency_levels", "missing a level"),
        (lambda d: d["intended"].__setitem__("hire", not d["intended"]["hire"]), "intended.hire", "hire bar"),
        (
            lambda d: d["intended"]["competency_levels"].__setitem__("teleportation", 3),
            "intended.competency_levels.teleportation",
            "unknown competency",
        ),
        (
            lambda d: d.__setitem__("story_bank", [s for s in d["story_bank"] if s["competency"] != "ownership"]),
            "story_bank",
            "no story for competency 'ownership'",
        ),
        (lambda d: d.__setitem__("scenario_id", "nope"), "scenario_id", "unknown scenario"),
    ],
)
def test_bad_persona_names_file_and_field(tmp_path, mutate, field, needle):
    path = persona_copy(tmp_path, "mei-defects", mutate)
    lib = load_library([path])
    assert lib.problems, "the broken copy must be reported"
    line = next(p for p in lib.problems if field in p)
    assert line.startswith(str(path)) or "mei-defects.yaml" in line
    assert needle in line


def test_strong_story_without_a_figure_is_rejected(tmp_path):
    def drop_metrics(d):
        d["story_bank"][0]["metrics"] = []

    path = persona_copy(tmp_path, "victor-voice", drop_metrics)
    problems = load_library([path]).problems
    assert any("story_bank.0.metrics" in p and "level-5" in p for p in problems)


@pytest.mark.parametrize(
    ("persona_id", "mutate", "needle"),
    [
        # A flag must pull one of its competencies to 2 or below (LABELING.md).
        (
            "victor-voice",
            lambda d: (
                d["intended"]["red_flags"].append("fixed_mindset"),
                d["intended"].update(hire=False),
                d["tags"].append("red_flag"),
            ),
            "fixed_mindset is labelled but none of",
        ),
        ("mei-defects", lambda d: d["tags"].remove("full"), "every persona is in the full suite"),
        ("mei-defects", lambda d: d["tags"].append("red_flag"), "red_flag is the suite"),
        ("mei-defects", lambda d: d["tags"].append("hire"), "hire is the suite"),
        ("mei-defects", lambda d: d["tags"].append("mixed"), "mixed is the suite"),
        ("victor-voice", lambda d: d["tags"].append("adversarial"), "adversarial is the suite"),
    ],
)
def test_labels_and_suites_must_agree(tmp_path, persona_id, mutate, needle):
    problems = load_library([persona_copy(tmp_path, persona_id, mutate)]).problems
    assert any(needle in p for p in problems), problems


def test_an_id_carrying_a_level_is_rejected(tmp_path):
    path = persona_copy(tmp_path, "mei-defects", lambda d: d.update(id="mei-defects-l3"))
    path = path.rename(path.with_name("mei-defects-l3.yaml"))
    assert any("id" in p and "pattern" in p for p in load_library([path]).problems)


def test_file_name_must_match_id(tmp_path):
    src = PERSONA_DIR / "mei-defects.yaml"
    dst = tmp_path / "someone-else.yaml"
    shutil.copy(src, dst)
    with pytest.raises(DataError, match="does not match the file name"):
        load_persona(dst)


def test_duplicate_persona_ids_are_reported(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(PERSONA_DIR / "mei-defects.yaml", tmp_path / sub / "mei-defects.yaml")
    problems = load_library([tmp_path]).problems
    assert any("defined twice" in p for p in problems)


def test_validate_cli_passes_on_shipped_data():
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "L1=" in result.output and "skips_safety_review=" in result.output


def test_validate_cli_exits_1_and_lists_every_problem(tmp_path):
    persona_copy(tmp_path, "mei-defects", lambda d: d["intended"].__setitem__("overall_level", 6))
    persona_copy(tmp_path, "dana-ranking", lambda d: d["intended"]["red_flags"].append("likes_tabs"))
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "mei-defects.yaml: intended.overall_level" in result.output
    assert "dana-ranking.yaml: intended.red_flags.3" in result.output  # dana carries three flags


def test_validate_cli_reports_bad_yaml(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "broken.yaml" in result.output


def test_personas_cli_lists_levels_and_filters_by_tag(lib):
    result = runner.invoke(app, ["personas", "--tag", "core"])
    assert result.exit_code == 0, result.output
    core = [p.id for p in lib.personas.values() if "core" in p.tags]
    assert all(pid in result.output for pid in core)
    assert "nadia-supportbot" not in result.output


def test_values_the_seed_does_not_state_are_marked_as_interpretations(lib):
    marked = lib.scenario("microsoft-ai-engineer-behavioral").interpretations
    for path in (
        "hire_bar.min_mean_score",
        "hire_bar.red_flags_block_hire",
        "hire_bar.max_not_assessed",
        "question_rule.max_probes_per_question",
    ):
        assert len(marked[path].split()) >= 8, path  # a reason, not a placeholder


def test_an_interpretation_must_name_a_real_field(tmp_path):
    source = yaml.safe_load((SCENARIO_DIR / "microsoft-ai-engineer-behavioral.yaml").read_text())
    source["interpretations"]["hire_bar.min_mean"] = "a typo"
    path = tmp_path / "microsoft-ai-engineer-behavioral.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False))
    problems = load_library([path]).problems
    assert any("interpretations.hire_bar.min_mean" in p for p in problems), problems


def test_no_two_personas_share_a_near_duplicate_story(lib):
    # Word-trigram Jaccard between stories of different personas; rewording one story of another gives 0.3 and up.
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}

    stories = [(p.id, s.id, shingles(story_text(s))) for p in lib.personas.values() for s in p.story_bank]
    worst = max(
        (len(a & b) / len(a | b), f"{pa}/{sa} ~ {pb}/{sb}")
        for k, (pa, sa, a) in enumerate(stories)
        for pb, sb, b in stories[k + 1 :]
        if pa != pb
    )
    assert worst[0] < 0.15, worst


def test_every_competency_needs_an_anchor_for_each_of_the_five_levels(tmp_path):
    source = yaml.safe_load((SCENARIO_DIR / "microsoft-ai-engineer-behavioral.yaml").read_text())
    del source["competencies"][2]["anchors"][4]
    path = tmp_path / "microsoft-ai-engineer-behavioral.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path.name}: competencies.2" in result.output and "level 4 missing" in result.output, result.output


def test_the_labelling_guide_renders_the_scenario_anchors_and_flags(lib):
    # One source: the guide's levels and red-flag table are the scenario's, rendered; editing either alone fails here.
    scenario = lib.scenario("microsoft-ai-engineer-behavioral")
    text = GUIDE.read_text(encoding="utf-8")
    for name in BLOCKS:
        assert current_block(text, name) == block(scenario, name), f"run: python -m scenarios.guide ({name})"
    assert "(2 if a grudging partial change)" in render_flags(scenario)
    assert all(f"- 5: {c.anchors[5]}" in text for c in scenario.competencies)
