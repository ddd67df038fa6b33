"""Recorded interviews as a JSONL file: one validated model per line, turned into interviews to review.

A line: {"id", "scenario", "candidate": {"name", "pronouns"}, "turns": [{"speaker", "text"}], "labels": {...}}
with optional labels (competency_levels, red_flags, hire, or a persona_id to take them from). Errors
name the line number and the field; the JSON Schema ships as evals/recording.schema.json.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError

from agents.format_rules import spoken_minutes
from agents.records import CandidateIdentity, InterviewResult, Turn
from personas.model import Intended
from scenarios.model import Scenario
from scenarios.strict import StrictModel

if TYPE_CHECKING:
    from evals.loading import Library

SCHEMA_FILE = Path(__file__).resolve().parent / "recording.schema.json"


class RecordedCandidate(StrictModel):
    """Who was interviewed, as far as the recording says."""

    name: str = Field(min_length=1, description="The candidate's name.")
    pronouns: str | None = Field(default=None, description="Pronouns, e.g. she/her.")


class RecordedTurn(StrictModel):
    """One spoken turn."""

    speaker: Literal["interviewer", "candidate"] = Field(description="Who spoke.")
    text: str = Field(min_length=1, description="What was said.")


class RecordedLabels(StrictModel):
    """What the interview should be graded as: levels and flags, or a persona whose labels apply."""

    persona_id: str | None = Field(default=None, description="Take every label from this persona file.")
    competency_levels: dict[str, int] | None = Field(default=None, description="Level 1-5 per competency of the scenario.")
    red_flags: list[str] = Field(default_factory=list, description="Red-flag ids the candidate showed.")
    hire: bool | None = Field(default=None, description="Hire decision; computed by the scenario's hire bar when left out.")


class RecordingLine(StrictModel):
    """One recorded interview (one line of an import file)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Unique id of the interview within the file.")
    scenario: str = Field(description="Scenario id the interview followed.")
    candidate: RecordedCandidate = Field(description="The candidate.")
    turns: list[RecordedTurn] = Field(min_length=2, description="The turns, in order.")
    labels: RecordedLabels | None = Field(default=None, description="Optional labels to grade the grader against.")


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
    if set(levels) != set(scenario.competency_ids) or not all(1 <= v <= 5 for v in levels.values()):
        raise ValueError(f"labels.competency_levels: need a level 1-5 for each of {scenario.competency_ids}")
    if unknown := set(given.red_flags) - set(scenario.red_flag_ids):
        raise ValueError(f"labels.red_flags: unknown {sorted(unknown)}")
    hire = scenario.hire_bar.decide(dict(levels), given.red_flags) if given.hire is None else given.hire
    mean = sum(levels.values()) / len(levels)
    return Intended(overall_level=int(mean + 0.5), competency_levels=levels, red_flags=given.red_flags, hire=hire)


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
            problems += [f"{path}: line {number}: {'.'.join(map(str, e['loc'])) or '(line)'}: {e['msg']}" for e in exc.errors()]
            continue
        try:
            if record.scenario not in lib.scenarios:
                raise ValueError(f"scenario: unknown scenario {record.scenario!r}")
            if record.id in seen:
                raise ValueError(f"id: {record.id!r} appears twice")
            labels = _labels(record, lib.scenarios[record.scenario], lib)
        except ValueError as exc:
            problems.append(f"{path}: line {number}: {exc}")
            continue
        seen.add(record.id)
        recordings.append(Recording(number, record, labels))
    return recordings, problems


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_result(recording: Recording) -> InterviewResult:
    """The recording as an ungraded interview, keyed by its id; segments come from the annotator."""
    record = recording.record
    transcript, minute = [], 0.0
    for index, turn in enumerate(record.turns):
        minutes = spoken_minutes(turn.text)
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
