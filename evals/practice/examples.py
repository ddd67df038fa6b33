"""Example answers at every rubric level, built from the persona library with no model.

For a bank question, each level gets the story of a persona labelled at that level on the question's
competency, told in STAR order in the persona's own words, and why it earns the level: the rubric's
descriptor, the labeller's note on that competency, and what the answer shows on its surface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evals.practice.answer_signals import AnswerSignals, describe, signals
from personas.model import Persona, Story
from scenarios.model import Scenario


@dataclass(frozen=True)
class LevelExample:
    """One level's example answer to a question."""

    level: int
    question_id: str
    competency: str
    persona_id: str
    speaker: str
    answer: str
    rubric: str
    label_note: str | None
    found: AnswerSignals

    @property
    def why(self) -> list[str]:
        """Why the answer earns its level, line by line."""
        lines = [f"Rubric level {self.level}: {self.rubric}"]
        if self.label_note:
            lines.append(f"Labeller's note: {self.label_note}")
        lines.append("On the surface: " + "; ".join(describe(self.found)) + ".")
        return lines


def story_answer(story: Story) -> str:
    """The story as a STAR answer, in the persona's own first-person notes."""
    parts = [story.situation, story.task, " ".join(story.actions), story.result]
    if story.metrics:
        parts.append("In numbers: " + "; ".join(story.metrics) + ".")
    parts.append(story.learned)
    return " ".join(p.strip() for p in parts if p.strip())


def _label_note(persona: Persona, competency: str) -> str | None:
    """The clauses of the persona's label notes about `competency`, if the labeller wrote any."""
    names = {competency, competency.replace("_", " ")}
    clauses = re.split(r"(?<=[.;])\s+", " ".join(persona.label_notes.split()))
    found = [c for c in clauses if any(re.search(rf"\b{re.escape(n)}\b", c, re.IGNORECASE) for n in names)]
    return " ".join(found) or None


def _rank(persona: Persona, level: int) -> tuple:
    # An adversarial persona's answer teaches the trick, not the level; one whose overall level matches is the
    # cleanest example of it.
    return (persona.adversarial is not None, persona.intended.overall_level != level, persona.id)


def level_examples(scenario: Scenario, personas: dict[str, Persona], question_id: str) -> list[LevelExample]:
    """An example answer per level (1-5) to `question_id`, for each level some persona is labelled at; KeyError for a
    question the scenario does not have."""
    question = scenario.question(question_id)
    competency = question.competencies[0]
    descriptors = {lvl.level: lvl.descriptor for lvl in scenario.rubric.levels}
    examples = []
    for level in sorted(descriptors):
        candidates = [
            p
            for p in personas.values()
            if p.scenario_id == scenario.id
            and p.intended.competency_levels.get(competency) == level
            and any(s.competency == competency for s in p.story_bank)
        ]
        if not candidates:
            continue
        persona = min(candidates, key=lambda p: _rank(p, level))
        story = next(s for s in persona.story_bank if s.competency == competency)
        answer = story_answer(story)
        examples.append(
            LevelExample(
                level=level,
                question_id=question_id,
                competency=competency,
                persona_id=persona.id,
                speaker=persona.display_name,
                answer=answer,
                rubric=descriptors[level],
                label_note=_label_note(persona, competency),
                found=signals(answer),
            )
        )
    return examples


def example_above(scenario: Scenario, personas: dict[str, Persona], question_id: str, score: int) -> LevelExample | None:
    """The nearest example above `score` for the question (the next level up that has one), if any."""
    return next((e for e in level_examples(scenario, personas, question_id) if e.level > score), None)
