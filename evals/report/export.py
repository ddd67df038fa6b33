"""Practice examples from a run's completed interviews: the transcript, the labels it was written to, the grade and the feedback.

The labels come from the run's stored per-persona checks (what the run was judged against);
a run that never stored checks falls back to the persona files as they are now.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field

from agents.records import CompetencyGrade, Feedback, InterviewResult, RedFlagFinding
from evals.metrics.rows import PersonaDetails
from evals.store.database import RunRecord, Store
from personas.model import Intended
from scenarios.strict import StrictModel


class ExampleTurn(StrictModel):
    """One spoken turn of a practice transcript."""

    speaker: str = Field(description="interviewer or candidate.")
    segment: str = Field(description="Format segment the turn belongs to.")
    text: str = Field(description="What was said.")


class ExampleGrade(StrictModel):
    """The grader's verdict on the practice interview."""

    competencies: dict[str, CompetencyGrade] = Field(description="Score, rationale and evidence per competency id.")
    red_flags: list[RedFlagFinding] = Field(description="Red flags the grader found, with evidence.")
    hire: bool = Field(description="Hire recommendation from the scenario's hire bar.")


class PracticeExample(StrictModel):
    """One completed interview as a practice example (one line of the JSONL export)."""

    run_id: str = Field(description="Run the interview belongs to.")
    scenario_id: str = Field(description="Scenario interviewed for.")
    persona_id: str = Field(description="Persona that played the candidate.")
    trial: int = Field(description="Repeat number within the run.")
    intended: Intended = Field(
        description="Labels the persona was written to deserve: overall level, competency levels, red flags, hire."
    )
    transcript: list[ExampleTurn] = Field(description="The interview, turn by turn.")
    grade: ExampleGrade = Field(description="The grade the grader gave.")
    feedback: Feedback = Field(description="Candidate-facing feedback from the grader.")


def _stored_labels(store: Store, run_id: str) -> dict[tuple[str, int], Intended]:
    labels = {}
    for row in store.load_checks(run_id):
        if row.metric == "persona":
            d = row.details_as(PersonaDetails)
            labels[(d.persona_id, d.trial)] = Intended(
                overall_level=d.intended_level, competency_levels=d.intended, red_flags=d.planted_flags, hire=d.hire_intended
            )
    return labels


def _example(run: RunRecord, result: InterviewResult, intended: Intended) -> PracticeExample:
    grade = result.grade
    if grade is None:
        raise ValueError(f"{result.persona_id}#{result.trial} has no grade to teach from")
    return PracticeExample(
        run_id=run.run_id,
        scenario_id=result.scenario_id,
        persona_id=result.persona_id,
        trial=result.trial,
        intended=intended,
        transcript=[ExampleTurn(speaker=t.speaker, segment=t.segment, text=t.text) for t in result.transcript],
        grade=ExampleGrade(competencies=grade.competencies, red_flags=grade.red_flags, hire=grade.hire),
        feedback=grade.feedback,
    )


def practice_examples(store: Store, run: RunRecord, lib=None, levels: list[int] | None = None) -> list[PracticeExample]:
    """Completed, graded interviews of `run` as practice examples, optionally only personas of these overall levels."""
    stored = _stored_labels(store, run.run_id)
    out = []
    for result in store.load_results(run.run_id):
        if result.status != "completed" or result.grade is None:
            continue
        intended = stored.get((result.persona_id, result.trial))
        if intended is None and lib is not None and result.persona_id in lib.personas:
            intended = lib.personas[result.persona_id].intended
        if intended is None:
            continue  # no labels to teach from
        if levels and intended.overall_level not in levels:
            continue
        out.append(_example(run, result, intended))
    return out


def write_jsonl(examples: list[PracticeExample], path: Path) -> None:
    """One JSON object per line, one line per example."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(example.model_dump_json() + "\n")


def _example_markdown(ex: PracticeExample) -> list[str]:
    i = ex.intended
    lines = [
        f"## {ex.persona_id} (trial {ex.trial}): intended level {i.overall_level}, {'hire' if i.hire else 'no hire'}",
        "",
        "| competency | intended level | grade |",
        "|---|---|---|",
    ]
    for comp, level in i.competency_levels.items():
        g = ex.grade.competencies.get(comp)
        lines.append(f"| {comp} | {level} | {'not assessed' if g is None or g.score is None else g.score} |")
    found = ", ".join(f.id for f in ex.grade.red_flags) or "none"
    lines += [
        "",
        f"Red flags planted: {', '.join(i.red_flags) or 'none'}. Red flags found: {found}. "
        f"Grader's recommendation: {'hire' if ex.grade.hire else 'no hire'}.",
        "",
        "### Transcript",
        "",
    ]
    lines += [f"**{t.speaker.capitalize()}** ({t.segment}): {t.text}  " for t in ex.transcript]
    lines += ["", "### Grade", ""]
    for comp, g in ex.grade.competencies.items():
        lines.append(f"- **{comp}**: {'not assessed' if g.score is None else g.score}. {g.rationale}")
        lines += [f"  > {q}" for q in g.evidence]
    fb = ex.feedback
    lines += [
        "",
        "### Feedback",
        "",
        "Strengths:",
        *(f"- {s}" for s in fb.strengths),
        "",
        "Growth areas:",
        *(f"- {s}" for s in fb.growth_areas),
        "",
        f"A better way to tell it: {fb.better_story}",
        "",
    ]
    return lines


def write_markdown(examples: list[PracticeExample], path: Path, title: str, tips: list[str] | None = None) -> None:
    """All examples in one markdown document, with the scenario's practice tips first when given."""
    lines = [f"# {title}", ""]
    if tips:
        lines += ["Practice tips:", "", *(f"- {t}" for t in tips), ""]
    if not examples:
        lines += ["No completed interview matched.", ""]
    for example in examples:
        lines += _example_markdown(example)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def read_jsonl(path: Path) -> list[PracticeExample]:
    """Read an export back, validating every line."""
    return [
        PracticeExample.model_validate(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
