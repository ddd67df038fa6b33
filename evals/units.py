"""One interview reduced to what the metrics need: scores against labels, flags, quotes, conformance, fidelity."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.records import InterviewResult
from evals.conformance import check_interview, passes_all, probe_opportunities
from evals.flag_metrics import evidence_grounding
from personas.model import Persona
from scenarios.model import Scenario

FIDELITY_TOLERANCE = 1  # a judged level within one of the intended level counts as faithfully played
AGREEMENT_TOLERANCE = 1


@dataclass
class InterviewUnit:
    """The measurable facts of one interview (one persona, one trial)."""

    persona_id: str
    trial: int
    completed: bool
    competencies: list[str]
    intended: list[int]
    graded: list[int | None]
    intended_flags: set[str]
    found_flags: set[str]
    hire_intended: bool
    hire_graded: bool | None
    quotes_grounded: int = 0
    quotes_total: int = 0
    ungrounded: list[str] = field(default_factory=list)
    conformance: dict[str, bool] = field(default_factory=dict)
    probe_hits: int = 0
    probe_chances: int = 0
    fidelity_ok: bool | None = None
    judged_levels: dict[str, int | None] = field(default_factory=dict)
    judged_flags: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        return (self.persona_id, self.trial)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [(i, g) for i, g in zip(self.intended, self.graded) if g is not None]

    @property
    def within_tolerance(self) -> bool:
        """Graded within +-1 of intended on every competency (a 'not assessed' counts as a miss)."""
        return self.completed and all(
            g is not None and abs(g - i) <= AGREEMENT_TOLERANCE for i, g in zip(self.intended, self.graded)
        )

    @property
    def mismatch(self) -> bool:
        """The grade disagrees with the labels: a competency off by more than one, a flag wrong, or the hire call wrong."""
        return not self.within_tolerance or self.intended_flags != self.found_flags or self.hire_graded != self.hire_intended

    @property
    def attribution(self) -> str:
        """Who a mismatch is charged to: the persona when the judge says it was not played as labelled."""
        if not self.completed:
            return "error"
        if not self.mismatch:
            return "ok"
        return "persona" if self.fidelity_ok is False else "grader"


def fidelity_ok(persona: Persona, judged_levels: dict[str, int | None], judged_flags: list[str]) -> bool | None:
    """Whether the judge saw the persona play its labels: every judged level within one, and the same red flags.

    A level the judge leaves out (None) is a competency it heard no evidence on, and is skipped. A
    judge that abstains on every competency gave no read at all: None (not judged), never a pass.
    """
    heard = {cid: level for cid, level in judged_levels.items() if level is not None}
    if not heard:
        return None
    for cid, level in persona.intended.competency_levels.items():
        if cid in heard and abs(heard[cid] - level) > FIDELITY_TOLERANCE:
            return False
    return set(judged_flags) == set(persona.intended.red_flags)


def build_unit(result: InterviewResult, persona: Persona, scenario: Scenario) -> InterviewUnit:
    """Reduce one stored interview to its unit."""
    comps = scenario.competency_ids
    grade = result.grade
    unit = InterviewUnit(
        persona_id=result.persona_id,
        trial=result.trial,
        completed=result.status == "completed" and grade is not None,
        competencies=comps,
        intended=[persona.intended.competency_levels[c] for c in comps],
        graded=[grade.competencies[c].score if grade and c in grade.competencies else None for c in comps],
        intended_flags=set(persona.intended.red_flags),
        found_flags={f.id for f in grade.red_flags} if grade else set(),
        hire_intended=persona.intended.hire,
        hire_graded=grade.hire if grade else None,
    )
    if result.transcript:
        unit.conformance = check_interview(result, scenario)
        unit.probe_hits, unit.probe_chances = probe_opportunities(result)
    if grade:
        quotes = [q for g in grade.competencies.values() for q in g.evidence] + [q for f in grade.red_flags for q in f.evidence]
        said = [t.text for t in result.transcript if t.speaker == "candidate"]
        grounding = evidence_grounding(quotes, said)
        unit.quotes_grounded, unit.quotes_total, unit.ungrounded = grounding.grounded, grounding.total, list(grounding.ungrounded)
    if result.fidelity is not None:
        unit.judged_levels = dict(result.fidelity.competency_levels)
        unit.judged_flags = list(result.fidelity.red_flags)
        unit.fidelity_ok = fidelity_ok(persona, unit.judged_levels, unit.judged_flags)
    return unit


def build_units(results: list[InterviewResult], personas: dict[str, Persona], scenario: Scenario) -> list[InterviewUnit]:
    return [build_unit(r, personas[r.persona_id], scenario) for r in results]


def conformant(unit: InterviewUnit) -> bool:
    return bool(unit.conformance) and passes_all(unit.conformance)
