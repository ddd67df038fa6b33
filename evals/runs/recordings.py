"""Recorded interviews as a JSONL file: one validated model per line, turned into interviews to review.

A line: {"id", "scenario", "candidate": {"name", "pronouns"}, "turns": [{"speaker", "text", "at"}], "labels": {...}}
with optional turn times ("at", minutes:seconds from the start, and "ended_at"), optional labels (competency_levels,
null where not assessable, red_flags, hire, or a persona_id to take them from) and an optional "truth" about the
interviewer (per-turn labels and the verdict of each conformance check) that `interview-harness meta` scores the
checks against. Errors name the line number and the field; the JSON Schema ships as evals/runs/recording.schema.json.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError

from agents.interview.format_rules import spoken_minutes
from agents.records import AnnotatedAction, CandidateIdentity, InterviewResult, Turn
from personas.model import Intended
from scenarios.model import Scenario
from scenarios.strict import StrictModel, error_fields

if TYPE_CHECKING:
    from evals.loading import Library

SCHEMA_FILE = Path(__file__).resolve().parent / "recording.schema.json"


class RecordedCandidate(StrictModel):
    """Who was interviewed, as far as the recording says."""

    name: str = Field(min_length=1, description="The candidate's name.")
    pronouns: str | None = Field(default=None, description="Pronouns, e.g. she/her.")


CLOCK = r"^(\d{1,2}:)?\d{1,3}:[0-5]\d$"


def clock_minutes(text: str) -> float:
    """'MM:SS' or 'H:MM:SS' as minutes."""
    parts = [int(p) for p in text.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
    return seconds / 60


class RecordedTurn(StrictModel):
    """One spoken turn."""

    speaker: Literal["interviewer", "candidate"] = Field(description="Who spoke.")
    text: str = Field(min_length=1, description="What was said.")
    at: str | None = Field(
        default=None, pattern=CLOCK, description="When the turn started, from the start of the call: MM:SS or H:MM:SS."
    )


class TurnTruth(StrictModel):
    """What an interviewer turn does, as labelled by people."""

    segment: str = Field(description="Format segment the turn belongs to.")
    action: AnnotatedAction = Field(description="What the turn does: ask, probe, transition, answer_candidate, close, other.")
    question_id: str | None = Field(default=None, description="Bank question asked or followed up on, or 'off_bank'.")
    probe_category: str | None = Field(default=None, description="Probe category of a probe turn.")


class TruthFinding(StrictModel):
    """An interviewer turn that crossed a line, as labelled by people."""

    turn: int = Field(ge=0, description="Index of the interviewer turn.")
    kind: Literal["prohibited_topic", "rubric_leak", "leading_question"] = Field(description="What it did.")
    topic: str | None = Field(default=None, description="The prohibited topic, for a prohibited_topic finding.")


class PlantedDefect(StrictModel):
    """A defect the interview's writer meant to plant (what was intended, not the settled truth)."""

    kind: str = Field(description="Defect kind, e.g. prohibited_topic, too_few_questions.")
    topic: str | None = Field(default=None, description="The prohibited topic, for a prohibited_topic defect.")
    turns: list[int] = Field(default_factory=list, description="Turns where it shows; empty for an interview-wide one.")


class InterviewerTruth(StrictModel):
    """The labelled truth about the interviewer of a recording: what `interview-harness meta` scores the checks against."""

    turns: dict[int, TurnTruth] = Field(description="A label per interviewer turn, by turn index.")
    checks: dict[str, bool] = Field(description="The truth of each conformance check the labellers judged (true = done right).")
    findings: list[TruthFinding] = Field(
        default_factory=list, description="Turns with a prohibited topic, leak or leading question."
    )
    planted: list[PlantedDefect] = Field(default_factory=list, description="What the writer meant to plant.")


class RecordedLabels(StrictModel):
    """What the interview should be graded as: levels and flags, or a persona whose labels apply."""

    persona_id: str | None = Field(default=None, description="Take every label from this persona file.")
    competency_levels: dict[str, int | None] | None = Field(
        default=None, description="Level 1-5 per competency of the scenario; null where the interview gave no evidence."
    )
    red_flags: list[str] = Field(default_factory=list, description="Red-flag ids the candidate showed.")
    hire: bool | None = Field(default=None, description="Hire decision; computed by the scenario's hire bar when left out.")


class RecordingLine(StrictModel):
    """One recorded interview (one line of an import file)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Unique id of the interview within the file.")
    scenario: str = Field(description="Scenario id the interview followed.")
    candidate: RecordedCandidate = Field(description="The candidate.")
    turns: list[RecordedTurn] = Field(min_length=2, description="The turns, in order.")
    ended_at: str | None = Field(default=None, pattern=CLOCK, description="When the call ended (MM:SS or H:MM:SS).")
    labels: RecordedLabels | None = Field(default=None, description="Optional labels to grade the grader against.")
    truth: InterviewerTruth | None = Field(
        default=None, description="Optional labelled truth about the interviewer, for measuring the checks (`meta`)."
    )


@dataclass(frozen=True)
class Recording:
    """A valid line with the labels it resolves to."""

    line: int
    record: RecordingLine
    labels: Intended | None


def _labels(record: RecordingLine, scenario: Scenario, lib: Library) -> Intended | None:
    given = record.labels
    if given is None:
        return None
    if given.persona_id is not None:
        if given.persona_id not in lib.personas:
            raise ValueError(f"labels.persona_id: unknown persona {given.persona_id!r}")
        return lib.personas[given.persona_id].intended
    if given.competency_levels is None:
        raise ValueError("labels: give competency_levels (with red_flags and hire) or a persona_id")
    levels = given.competency_levels
    if set(levels) != set(scenario.competency_ids) or not all(v is None or 1 <= v <= 5 for v in levels.values()):
        raise ValueError(f"labels.competency_levels: need a level 1-5 (or null) for each of {scenario.competency_ids}")
    assessed = {c: v for c, v in levels.items() if v is not None}
    if not assessed:
        raise ValueError("labels.competency_levels: every level is null; leave labels out for an unlabelled recording")
    if unknown := set(given.red_flags) - set(scenario.red_flag_ids):
        raise ValueError(f"labels.red_flags: unknown {sorted(unknown)}")
    hire = scenario.hire_bar.decide(dict(levels), given.red_flags) if given.hire is None else given.hire
    mean = sum(assessed.values()) / len(assessed)
    # A null level stays out of the labels: the competency is expected "not assessed", like one no question asked.
    return Intended(overall_level=int(mean + 0.5), competency_levels=assessed, red_flags=given.red_flags, hire=hire)


def _check_clock(record: RecordingLine) -> None:
    """Turn times, when given, never go back."""
    times = [(k, clock_minutes(t.at)) for k, t in enumerate(record.turns) if t.at is not None]
    for (_, before), (k, now) in zip(times, times[1:]):
        if now < before:
            raise ValueError(f"turns.{k}.at: {record.turns[k].at} is earlier than the turn before")
    if record.ended_at and times and clock_minutes(record.ended_at) < times[-1][1]:
        raise ValueError(f"ended_at: {record.ended_at} is before the last turn started")


def read_recordings(path: Path, lib: Library) -> tuple[list[Recording], list[str]]:
    """Every valid recording of the file, and one problem per bad line ('line N: field: message')."""
    recordings: list[Recording] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            record = RecordingLine.model_validate(json.loads(text))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: line {number}: not valid JSON: {exc.msg}")
            continue
        except ValidationError as exc:
            problems += [f"{path}: line {number}: {field}" for field in error_fields(exc, "(line)")]
            continue
        try:
            if record.scenario not in lib.scenarios:
                raise ValueError(f"scenario: unknown scenario {record.scenario!r}")
            if record.id in seen:
                raise ValueError(f"id: {record.id!r} appears twice")
            _check_clock(record)
            labels = _labels(record, lib.scenarios[record.scenario], lib)
        except ValueError as exc:
            problems.append(f"{path}: line {number}: {exc}")
            continue
        seen.add(record.id)
        recordings.append(Recording(number, record, labels))
    return recordings, problems


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _clock(record: RecordingLine) -> list[float] | None:
    """Each turn's start in minutes and, last, the call's end, when the recording times every turn; else None (the
    clock is then estimated from the words at speaking pace)."""
    if any(turn.at is None for turn in record.turns):
        return None
    starts = [clock_minutes(turn.at) for turn in record.turns if turn.at is not None]
    last = record.turns[-1]
    end = clock_minutes(record.ended_at) if record.ended_at else starts[-1] + spoken_minutes(last.text)
    return [*starts, max(end, starts[-1])]


def to_result(recording: Recording) -> InterviewResult:
    """The recording as an ungraded interview, keyed by its id; segments come from the annotator. Turn times come
    from the recording when it has them, else from the words at speaking pace."""
    record = recording.record
    transcript, minute = [], 0.0
    starts = _clock(record)
    for index, turn in enumerate(record.turns):
        minutes = spoken_minutes(turn.text)
        if starts is not None:
            minute, minutes = starts[index], max(0.0, starts[index + 1] - starts[index])
        transcript.append(
            Turn(
                index=index,
                speaker=turn.speaker,
                text=turn.text,
                segment="intro",
                minute=round(minute, 3),
                duration_minutes=round(minutes, 3),
            )
        )
        minute += minutes
    return InterviewResult(
        scenario_id=record.scenario,
        persona_id=record.id,
        trial=0,
        candidate=CandidateIdentity(name=record.candidate.name, pronouns=record.candidate.pronouns),
        seed=zlib.crc32(record.id.encode()) % 2**31,
        status="error",
        error="not graded yet",
        transcript=transcript,
        source="imported",
        labels=recording.labels,
    )
