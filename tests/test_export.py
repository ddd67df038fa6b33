"""`interview-harness export`: practice examples with the intended labels and the grade, filterable by level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.report.export import PracticeExample, read_jsonl
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, run_harness
from tests.scripted_agents import InterviewScript

runner = CliRunner()
BROKEN = "mei-defects"  # its candidate fails, so its interview ends in an error


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("export") / "harness.duckdb"
    script = InterviewScript(grader="lenient", fail_for=LIBRARY.persona(BROKEN).display_name)
    return {"db": db, "id": run_harness(db, script)}


def export(run: dict, out: Path, *extra: str):
    return runner.invoke(app, ["export", run["id"], "--out", str(out), *extra, "--db", str(run["db"])])


def completed(run: dict) -> list[tuple[str, int]]:
    with Store.open(run["db"]) as store:
        return store.query(
            "SELECT persona_id, trial FROM interviews WHERE run_id = ? AND status = 'completed' ORDER BY persona_id", [run["id"]]
        )


def test_jsonl_has_one_valid_object_per_completed_interview_with_labels_and_grade(run, tmp_path) -> None:
    out = tmp_path / "examples.jsonl"
    result = export(run, out, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    done = completed(run)
    assert BROKEN not in {pid for pid, _ in done} and len(done) == 4
    assert len(lines) == len(done) and f"wrote {len(done)} practice example(s)" in result.output
    with Store.open(run["db"]) as store:
        for line, (pid, trial) in zip(lines, done):
            example = PracticeExample.model_validate(json.loads(line))
            assert (example.persona_id, example.trial, example.run_id) == (pid, trial, run["id"])
            labels = LIBRARY.persona(pid).intended
            assert example.intended == labels.model_copy(update={"red_flags": sorted(labels.red_flags)})
            scores = dict(
                store.query(
                    "SELECT competency, score FROM grades WHERE run_id = ? AND persona_id = ? AND trial = ?",
                    [run["id"], pid, trial],
                )
            )
            assert {c: g.score for c, g in example.grade.competencies.items()} == scores
            assert scores == {c: min(5, lv + 1) for c, lv in example.intended.competency_levels.items()}  # the lenient grade
            turns = store.query(
                "SELECT speaker, text FROM turns WHERE run_id = ? AND persona_id = ? AND trial = ? ORDER BY idx",
                [run["id"], pid, trial],
            )
            assert [(t.speaker, t.text) for t in example.transcript] == turns
            hire = store.query(
                "SELECT hire FROM interviews WHERE run_id = ? AND persona_id = ? AND trial = ?", [run["id"], pid, trial]
            )[0][0]
            assert example.grade.hire == hire
            assert example.feedback.strengths and example.feedback.better_story


@pytest.mark.parametrize("levels", [[1], [2, 5], [3]])
def test_level_filters_by_the_personas_intended_overall_level(run, tmp_path, levels) -> None:
    out = tmp_path / "levels.jsonl"
    result = export(run, out, "--format", "jsonl", *(a for lv in levels for a in ("--level", str(lv))))
    assert result.exit_code == 0, result.output
    examples = read_jsonl(out)
    expected = {(pid, t) for pid, t in completed(run) if LIBRARY.persona(pid).intended.overall_level in levels}
    assert {(e.persona_id, e.trial) for e in examples} == expected
    if not expected:  # level 3 is only the persona whose interview failed
        assert out.read_text(encoding="utf-8") == "" and "no completed interview matched" in result.output


def test_markdown_export_holds_transcript_labels_grade_and_feedback(run, tmp_path) -> None:
    out = tmp_path / "practice.md"
    result = export(run, out, "--format", "markdown", "--level", "5")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    level5 = [pid for pid, _ in completed(run) if LIBRARY.persona(pid).intended.overall_level == 5]
    assert level5
    assert text.count("\n## ") == len(level5)
    for pid in level5:
        assert f"## {pid} (trial 0): intended level 5, hire" in text
    with Store.open(run["db"]) as store:
        said = store.query(
            "SELECT text FROM turns WHERE run_id = ? AND persona_id = ? AND speaker = 'candidate'", [run["id"], level5[0]]
        )
    assert f"**Candidate** (deep_dives): {said[1][0]}" in text
    for heading in ("### Transcript", "### Grade", "### Feedback", "Growth areas:"):
        assert heading in text
    assert BROKEN not in text


def test_unknown_run_id_exits_2(run, tmp_path) -> None:
    result = runner.invoke(app, ["export", "feedfacecafe", "--out", str(tmp_path / "x.jsonl"), "--db", str(run["db"])])
    assert result.exit_code == 2 and "no run" in result.output
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize("bad", [["--format", "csv"], ["--level", "9"]])
def test_bad_options_exit_2(run, tmp_path, bad) -> None:
    result = export(run, tmp_path / "x.out", *bad)
    assert result.exit_code == 2
    assert not (tmp_path / "x.out").exists()
