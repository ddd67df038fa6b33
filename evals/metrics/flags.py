"""Grader checks beyond the scores: red-flag detection, hire accuracy, evidence grounding."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple, TypedDict

MICRO = "micro"


class FlagScore(TypedDict):
    """Detection counts and rates for one red flag (or pooled over all flags under "micro")."""

    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None


class HireAccuracy(TypedDict):
    """Hire recommendations against the personas' intended hire decisions."""

    accuracy: float | None
    correct: int
    n: int
    false_hires: list[str]
    false_rejections: list[str]
    ungraded: list[str]


class Grounding(NamedTuple):
    """How many evidence quotes were found in the candidate's turns, and which were not."""

    grounded: int
    total: int
    ungrounded: list[str]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _score(tp: int, fp: int, fn: int) -> FlagScore:
    # F1 as 2tp / (2tp + fp + fn): the harmonic mean of precision and recall whenever both
    # exist, and still 0 when flags were only invented or only missed.
    return FlagScore(
        tp=tp,
        fp=fp,
        fn=fn,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
    )


def red_flag_scores(intended: Sequence[set[str]], found: Sequence[set[str]], flag_ids: Iterable[str]) -> dict[str, FlagScore]:
    """Per-flag and micro-averaged (key "micro") precision, recall and F1 over interviews.

    intended[k] and found[k] are the flag ids planted in and reported for interview k. A rate
    whose denominator is 0 is None, not 0: recall of a flag no persona carries is unknown, not
    bad. Ids found or intended that are not in `flag_ids` get their own entry after the known
    flags (an invented id is a false positive), so "micro" is always the sum of the entries.
    """
    if len(intended) != len(found):
        raise ValueError(f"intended and found differ in length: {len(intended)} vs {len(found)}")
    known = list(dict.fromkeys(flag_ids))
    if MICRO in known:
        raise ValueError(f"a red flag may not be called {MICRO!r}")
    seen = set().union(*intended, *found) if intended else set()
    ids = known + sorted(seen - set(known))
    counts = {flag: [0, 0, 0] for flag in ids}
    for planted, reported in zip(intended, found):
        for flag in planted & reported:
            counts[flag][0] += 1
        for flag in reported - planted:
            counts[flag][1] += 1
        for flag in planted - reported:
            counts[flag][2] += 1
    scores = {flag: _score(*c) for flag, c in counts.items()}
    scores[MICRO] = _score(*(sum(c[k] for c in counts.values()) for k in range(3)))
    return scores


def hire_accuracy(intended: Sequence[bool], predicted: Sequence[bool | None], ids: Sequence[str]) -> HireAccuracy:
    """Share of interviews whose hire recommendation matches `intended`, with the misses by id.

    A None prediction (no grade) counts as an error in `accuracy` and is listed under
    `ungraded`, not under false hires or rejections. accuracy is None when n is 0.
    """
    if not len(intended) == len(predicted) == len(ids):
        raise ValueError(f"lengths differ: intended {len(intended)}, predicted {len(predicted)}, ids {len(ids)}")
    false_hires, false_rejections, ungraded = [], [], []
    correct = 0
    for want, got, unit in zip(intended, predicted, ids):
        if got is None:
            ungraded.append(unit)
        elif got == want:
            correct += 1
        elif got:
            false_hires.append(unit)
        else:
            false_rejections.append(unit)
    n = len(ids)
    return HireAccuracy(
        accuracy=_ratio(correct, n),
        correct=correct,
        n=n,
        false_hires=false_hires,
        false_rejections=false_rejections,
        ungraded=ungraded,
    )


_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)

# Quote marks and sentence punctuation a grader may add around a quote; trimming them only
# shortens the quote, so what remains must still occur verbatim.
_QUOTE_EDGES = " \"'.,;:!?-…"


def normalize_text(s: str) -> str:
    """Casefold, unify curly quotes and dashes, apply NFKC, and collapse whitespace runs to one space."""
    if s.isascii():
        s = s.replace("`", "'")  # the one ASCII mark unified below; NFKC leaves ASCII text as it is
    else:
        s = unicodedata.normalize("NFKC", s.translate(_TYPOGRAPHY))
    return " ".join(s.casefold().split())


def evidence_grounding(quotes: Sequence[str], candidate_turns: Sequence[str]) -> Grounding:
    """Count evidence quotes that occur verbatim, after normalization, within one candidate turn.

    Each turn is searched on its own: a quote running across two turns is not something the
    candidate said, and joining turns would let a made-up phrase match across the seam.
    Surrounding quote marks and edge punctuation are trimmed first; a quote left empty counts
    as ungrounded. `ungrounded` keeps the original quotes in order.
    """
    turns = [normalize_text(t) for t in candidate_turns]
    ungrounded = []
    for quote in quotes:
        needle = normalize_text(quote).strip(_QUOTE_EDGES)
        if not needle or not any(needle in turn for turn in turns):
            ungrounded.append(quote)
    return Grounding(grounded=len(quotes) - len(ungrounded), total=len(quotes), ungrounded=ungrounded)
