"""Red-flag detection, hire accuracy and evidence grounding."""

from __future__ import annotations

import pytest

from evals.metrics.flags import evidence_grounding, hire_accuracy, normalize_text, red_flag_scores

FLAGS = ["a", "b", "c"]


def test_red_flag_scores_by_hand():
    intended = [{"a"}, {"a", "b"}, set(), {"b"}]
    found = [{"a"}, {"b"}, {"a"}, set()]
    scores = red_flag_scores(intended, found, FLAGS)
    # a: hit in 0, missed in 1, invented in 2 -> tp 1, fp 1, fn 1 -> P = R = F1 = 1/2
    assert scores["a"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    # b: hit in 1, missed in 3 -> P 1/1, R 1/2, F1 2*1/(2*1+0+1) = 2/3
    assert scores["b"]["precision"] == 1.0 and scores["b"]["recall"] == 0.5
    assert scores["b"]["f1"] == pytest.approx(2 / 3)
    # c: never planted, never found -> every rate undefined
    assert scores["c"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
    # micro: tp 2, fp 1, fn 2 -> P 2/3, R 2/4, F1 4/7 (= 2PR/(P+R) = (2/3)/(7/6))
    micro = scores["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 1, 2)
    assert micro["precision"] == pytest.approx(2 / 3)
    assert micro["recall"] == pytest.approx(0.5)
    assert micro["f1"] == pytest.approx(4 / 7)
    assert list(scores) == ["a", "b", "c", "micro"]


def test_red_flags_never_reported_gives_zero_recall_and_undefined_precision():
    scores = red_flag_scores([{"a"}, {"b"}, set()], [set(), set(), set()], FLAGS)
    assert scores["micro"]["recall"] == 0.0
    assert scores["micro"]["precision"] is None
    assert scores["micro"]["f1"] == 0.0


def test_red_flags_only_invented_gives_zero_precision_and_undefined_recall():
    scores = red_flag_scores([set()], [{"a"}], FLAGS)
    assert scores["a"]["precision"] == 0.0 and scores["a"]["recall"] is None and scores["a"]["f1"] == 0.0


def test_red_flags_unknown_ids_are_false_positives_in_micro():
    scores = red_flag_scores([{"a"}], [{"a", "made_up"}], FLAGS)
    assert scores["made_up"]["fp"] == 1
    assert scores["micro"]["fp"] == 1 and scores["micro"]["tp"] == 1
    assert scores["micro"]["precision"] == 0.5


def test_red_flags_degenerate_and_errors():
    scores = red_flag_scores([], [], FLAGS)
    assert scores["micro"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
    with pytest.raises(ValueError, match="length"):
        red_flag_scores([set()], [], FLAGS)
    with pytest.raises(ValueError, match="micro"):
        red_flag_scores([], [], ["micro"])


def test_hire_accuracy_by_hand():
    # p1 right (hire), p2 rejected but should hire, p3 hired but should not, p4 ungraded,
    # p5 right -> 2 correct of 5 = 0.4
    result = hire_accuracy([True, True, False, False, True], [True, False, True, None, True], ["p1", "p2", "p3", "p4", "p5"])
    assert result == {
        "accuracy": 0.4,
        "correct": 2,
        "n": 5,
        "false_hires": ["p3"],
        "false_rejections": ["p2"],
        "ungraded": ["p4"],
    }


def test_hire_accuracy_degenerate():
    assert hire_accuracy([], [], [])["accuracy"] is None
    all_none = hire_accuracy([True, False], [None, None], ["x", "y"])
    assert all_none["accuracy"] == 0.0 and all_none["ungraded"] == ["x", "y"]
    with pytest.raises(ValueError, match="differ"):
        hire_accuracy([True], [True, False], ["x"])


def test_normalize_text():
    raw = "  I  Led\tthe \u201cBig\u201d migration \u2014 fast\u2019ish\n"
    assert normalize_text(raw) == 'i led the "big" migration - fast\'ish'
    assert normalize_text("a\u00a0\u00a0b") == "a b"
    assert normalize_text("STRASSE") == normalize_text("stra\u00dfe")
    assert normalize_text("   ") == ""


TURNS = ["I led the migration of our ASR pipeline.", "We cut latency by 30% \u2014 it\u2019s still in prod."]


def test_evidence_grounding_by_hand():
    quotes = [
        "led the  Migration",  # case and whitespace differ: grounded
        "\u201cWe cut latency by 30% - it's still in prod.\u201d",  # curly marks, ASCII dash: grounded
        "pipeline. We cut",  # runs across two turns: not something said in one turn
        "I invented this number: 45%",  # made up
        "",  # empty
        ' "..." ',  # nothing left after trimming
    ]
    result = evidence_grounding(quotes, TURNS)
    assert result.grounded == 2
    assert result.total == 6
    assert result.ungrounded == quotes[2:]


def test_evidence_grounding_trims_edge_punctuation_only():
    assert evidence_grounding(["...the migration of our ASR pipeline..."], TURNS).grounded == 1
    # an ellipsis inside the quote stitches two fragments: not verbatim
    assert evidence_grounding(["I led the ... ASR pipeline"], TURNS).grounded == 0


def test_evidence_grounding_degenerate():
    assert evidence_grounding([], TURNS) == (0, 0, [])
    assert evidence_grounding(["anything"], []) == (0, 1, ["anything"])
