"""The labelled corpus: recorded interviews with labels for the candidate and truth about the interviewer, split once
into a development half (rules are tuned on it) and a test half (only ever scored)."""

from __future__ import annotations

import json
from pathlib import Path

from evals.loading import DATA_ROOT, DataError, Library
from evals.metrics.conformance import MAX_TALK_SHARE, talk_share
from evals.runs.recordings import InterviewerTruth, Recording, clock_minutes, read_recordings
from scenarios.model import Scenario

CORPUS_DIR = DATA_ROOT / "corpus"
HALVES = ("dev", "test")
# Further interviews written outside the project after the rules were written, labelled by their writers only: a check
# of the finished rules on voices neither half has, never used to tune them.
HOLDOUT = "holdout"


def load_half(lib: Library, half: str, corpus: Path = CORPUS_DIR) -> list[Recording]:
    """The recordings of one half ('dev', 'test'), both ('all'), the holdout, or an earlier test half retired into
    development and named in `split.json` (e.g. 'fifth_test', where recorded replies were made); DataError for a bad
    or missing file, or a recording without interviewer truth."""
    retired = retired_halves(corpus)
    if half not in (*HALVES, HOLDOUT, "all", *retired):
        names = ", ".join([*HALVES, "all", HOLDOUT, *retired])
        raise DataError([f"--half must be one of {names}, not {half!r}"])
    files = HALVES if half == "all" else ("dev",) if half in retired else (half,)
    recordings: list[Recording] = []
    for name in files:
        path = corpus / f"{name}.jsonl"
        if not path.is_file():
            raise DataError([f"no corpus half at {path} (see corpus/README.md)"])
        found, problems = read_recordings(path, lib)
        problems += [f"{path}: {r.record.id}: no interviewer truth" for r in found if r.record.truth is None]
        if problems:
            raise DataError(problems)
        recordings += found
    if half in retired:
        keep = set(retired[half])
        recordings = [r for r in recordings if r.record.id in keep]
    return recordings


def retired_halves(corpus: Path = CORPUS_DIR) -> dict[str, list[str]]:
    """The earlier test halves, each scored once and then retired into development, by name (`split.json`)."""
    path = corpus / "split.json"
    data = _split_file(corpus) if path.is_file() else {}
    return {name: list(ids) for name, ids in data.items() if name.endswith("_test") and isinstance(ids, list)}


def split(corpus: Path = CORPUS_DIR) -> dict[str, list[str]]:
    """The ids of each half, as split once."""
    data = _split_file(corpus)
    return {half: list(data[half]) for half in HALVES}


def _split_file(corpus: Path) -> dict:
    return json.loads((corpus / "split.json").read_text(encoding="utf-8"))


def truth_checks(recording: Recording, scenario: Scenario) -> dict[str, bool]:
    """Every check's truth for one recording: the labellers' verdicts, plus those the labelled segments, the
    recording's clock and its words settle (segment budgets, total time, the interviewer's share of the talk)."""
    record = recording.record
    truth = record.truth
    assert truth is not None
    checks = dict(truth.checks)
    turns = record.turns
    if all(t.at is not None for t in turns) and record.ended_at:
        starts = [clock_minutes(t.at) for t in turns if t.at is not None] + [clock_minutes(record.ended_at)]
        spent: dict[str, float] = {}
        segment = "intro"
        for k in range(len(turns)):
            segment = truth.turns[k].segment if k in truth.turns else segment
            spent[segment] = spent.get(segment, 0.0) + starts[k + 1] - starts[k]
        budgets: dict[str, float] = {s.id: s.max_minutes for s in scenario.segments}
        checks["segment_budget"] = all(minutes <= budgets.get(seg, float("inf")) + 0.01 for seg, minutes in spent.items())
        checks["total_time"] = starts[-1] - starts[0] <= scenario.duration_minutes + 0.01
    share = talk_share([(t.speaker, t.text) for t in turns])
    if share is not None:
        checks["interviewer_talk_share"] = share <= MAX_TALK_SHARE
    return checks


def interviewer_truth(recording: Recording) -> InterviewerTruth:
    assert recording.record.truth is not None
    return recording.record.truth
