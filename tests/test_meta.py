"""`meta`: the checks and the annotator measured on the labelled corpus (corpus/), and the arithmetic behind it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agents.records import TurnAnnotation
from evals.cli import app
from evals.loading import DataError
from evals.meta.corpus import CORPUS_DIR, load_half, split, truth_checks
from evals.meta.scoring import annotator_accuracy, score_check
from evals.runs.recordings import TurnTruth
from tests.conftest_helpers import LIBRARY

runner = CliRunner()


def test_a_check_is_scored_as_a_detector_of_defects_with_unsure_apart():
    # (verdict, truth): truth True = done right; verdict False = the check says it failed.
    pairs = [(False, False), (False, False), (False, True), (True, False), (True, True), (None, False), (None, True)]
    score = score_check("x", pairs)
    assert (score.true_fail, score.false_fail, score.missed, score.true_pass) == (2, 1, 1, 1)
    assert (score.unsure_defect, score.unsure_clean, score.cases, score.defects) == (1, 1, 7, 4)
    assert score.precision.value == pytest.approx(2 / 3) and score.recall.value == pytest.approx(2 / 3)
    assert score.settled.value == pytest.approx(5 / 7) and score.f1 == pytest.approx(2 / 3)
    low, high = score.precision.interval
    assert low < 2 / 3 < high


def test_precision_and_recall_are_undefined_without_fails_or_defects():
    score = score_check("x", [(True, True), (None, True)])
    assert score.precision.value is None and score.recall.value is None and score.f1 is None


def test_annotator_accuracy_scores_question_ids_on_asks_and_probes_and_kinds_on_probes():
    def label(action, qid=None, kind=None):
        return TurnAnnotation(segment="deep_dives", action=action, question_id=qid, probe_category=kind, tier="rules")

    def truth(action, qid=None, kind=None):
        return TurnTruth(segment="deep_dives", action=action, question_id=qid, probe_category=kind)

    pairs = [
        (label("ask", "q_ambiguity"), truth("ask", "q_ambiguity")),
        (label("probe", "q_ambiguity", "scope"), truth("probe", "q_ambiguity", "evidence")),
        (label("other"), truth("probe", "q_ambiguity", "scope")),
        (label("other"), truth("other")),
    ]
    by = {a.field: a.ratio for a in annotator_accuracy(pairs)}
    assert (by["action"].hits, by["action"].n) == (3, 4)
    assert (by["question_id"].hits, by["question_id"].n) == (2, 3)
    assert (by["probe_category"].hits, by["probe_category"].n) == (0, 2)


def test_the_corpus_halves_are_disjoint_and_every_line_carries_truth():
    halves = split()
    assert not set(halves["dev"]) & set(halves["test"])
    for half in ("dev", "test"):
        recordings = load_half(LIBRARY, half)
        assert sorted(r.record.id for r in recordings) == sorted(halves[half])
        assert all(r.record.truth is not None and r.record.truth.turns for r in recordings)


def test_a_missing_or_unknown_half_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no corpus half"):
        load_half(LIBRARY, "dev", tmp_path)
    with pytest.raises(DataError, match="--half must be"):
        load_half(LIBRARY, "train")


def test_meta_counts_every_defect_of_the_truth_and_the_rules_hold_on_the_development_half():
    result = runner.invoke(app, ["meta", "--half", "dev", "--json"])
    assert result.exit_code == 0, result.output
    measured = json.loads(result.output)
    recordings = load_half(LIBRARY, "dev")
    truths = [truth_checks(r, LIBRARY.scenario(r.record.scenario)) for r in recordings]
    assert measured["interviews"] == len(recordings)
    for check in measured["checks"]:
        counted = [t[check["check"]] for t in truths if check["check"] in t]
        assert check["defects"] == sum(1 for ok in counted if not ok), check["check"]
        parts = ("true_fail", "false_fail", "missed", "true_pass", "unsure_defect", "unsure_clean")
        assert sum(check[k] for k in parts) == len(counted)
    # The rules were written on this half: a change that breaks them here shows at once.
    assert measured["gates"]["failed"] == []
    accuracy = measured["annotator_accuracy"]
    assert accuracy["action"]["value"] >= 0.9 and accuracy["question_id"]["value"] >= 0.9


def test_the_corpus_ships_beside_the_code():
    assert (CORPUS_DIR / "dev.jsonl").is_file() and (CORPUS_DIR / "README.md").is_file()


def test_a_judge_that_cannot_answer_is_an_error_not_a_judge_tier_measurement(tmp_path):
    result = runner.invoke(
        app, ["meta", "--half", "test", "--annotator", "judge", "--judge-model", f"recorded/{tmp_path}", "--no-cache", "--json"]
    )
    assert result.exit_code == 1
    assert "model calls failed (judge" in result.stderr and "not the judge tier's" in result.stderr
    assert list((tmp_path / "missing").glob("*.json"))  # the prompts to record


def test_the_judge_tier_replays_its_shipped_recordings_for_every_prompt_of_the_test_half():
    # A change to a judge template changes its prompts: this fails, and names them, until they are recorded again.
    recordings = CORPUS_DIR / "recordings" / "judge"
    args = ["meta", "--half", "test", "--annotator", "judge", "--judge-model", f"recorded/{recordings}", "--no-cache"]
    result = runner.invoke(app, [*args, "--json", "--no-gate"])
    assert result.exit_code == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["annotator"] == "judge" and measured["failed_calls"] == {}
