"""One interview reduced to what the metrics need: scores against labels, flags, quotes, conformance, fidelity."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.records import InterviewResult, persona_candidate
from evals.metrics.conformance import check_interview, disagreements, passes_all, probe_opportunities
from evals.metrics.flags import evidence_grounding
from personas.model import Intended, Persona
from scenarios.model import Scenario

FIDELITY_TOLERANCE = 1  # a judged level within one of the intended level counts as faithfully played
AGREEMENT_TOLERANCE = 1


@dataclass
class InterviewUnit:
    """The measurable facts of one interview (one persona, one trial).

    Expectations follow what was asked: `competencies` (with `intended` and `graded`) are those a
    question probed, so a competency never asked is expected to be not assessed and is no miss;
    `intended_flags` are the planted flags one of whose competencies was asked, and a planted flag
    that never had the chance to surface is in `flags_not_surfaced`, out of recall and precision.
    """

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
    conformance: dict[str, bool | None] = field(default_factory=dict)  # None: the check was unsure
    disagreements: list[str] = field(default_factory=list)  # checks where the judge contradicted a sure rule hit
    probe_hits: int = 0
    probe_chances: int = 0
    fidelity_ok: bool | None = None
    judged_levels: dict[str, int | None] = field(default_factory=dict)
    judged_flags: list[str] = field(default_factory=list)
    labels: Intended | None = None
    not_asked: list[str] = field(default_factory=list)
    flags_not_surfaced: set[str] = field(default_factory=set)
    graded_all: dict[str, int | None] = field(default_factory=dict)
    # With a grading panel: each member ("2:openai/gpt-4o") and its scores for `competencies`, in their order.
    panel: dict[str, list[int | None]] = field(default_factory=dict)

    @property
    def labelled(self) -> bool:
        """Whether the interview has labels to be graded against (an unlabelled recording has none)."""
        return self.labels is not None

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


def fidelity_ok(
    labels: Intended, judged_levels: dict[str, int | None], judged_flags: list[str], expected_flags: set[str] | None = None
) -> bool | None:
    """Whether the judge saw the persona play its labels: every judged level within one, and the expected red flags.

    A level the judge leaves out (None) is a competency it heard no evidence on, and is skipped. A
    judge that abstains on every competency gave no read at all: None (not judged), never a pass.
    `expected_flags` defaults to every planted flag; pass the surfaced ones when not all could show.
    """
    heard = {cid: level for cid, level in judged_levels.items() if level is not None}
    if not heard:
        return None
    for cid, level in labels.competency_levels.items():
        if cid in heard and abs(heard[cid] - level) > FIDELITY_TOLERANCE:
            return False
    expected = set(labels.red_flags) if expected_flags is None else expected_flags
    return set(judged_flags) == expected


def asked_competencies(result: InterviewResult, scenario: Scenario) -> set[str] | None:
    """Competencies some question of the interview probed; None when its turns carry no question ids (unknown)."""
    questions = {t.question_id for t in result.transcript if t.speaker == "interviewer" and t.question_id}
    if not questions:
        return None
    known = {q.id for q in scenario.question_bank}
    return {c for q in questions & known for c in scenario.question(q).competencies}


def build_unit(result: InterviewResult, labels: Intended | None, scenario: Scenario) -> InterviewUnit:
    """Reduce one stored interview to its unit, with expectations conditioned on what was asked.

    Without labels (a recording imported without them) only the label-free checks apply.
    """
    grade = result.grade
    completed = result.status == "completed" and grade is not None
    asked = asked_competencies(result, scenario)
    # A competency the labels leave unassessable (None) is expected "not assessed", like one no question asked.
    comps = [
        c
        for c in scenario.competency_ids
        if labels is not None and labels.competency_levels.get(c) is not None and (asked is None or c in asked)
    ]
    graded_all = {c: grade.competencies[c].score if grade and c in grade.competencies else None for c in scenario.competency_ids}
    planted = set(labels.red_flags) if labels else set()
    hidden = {f for f in planted if asked is not None and not asked & set(scenario.red_flag(f).competencies)}
    unit = InterviewUnit(
        persona_id=result.persona_id,
        trial=result.trial,
        completed=completed,
        competencies=comps,
        intended=[labels.competency_levels[c] for c in comps] if labels else [],
        graded=[graded_all[c] for c in comps],
        intended_flags=planted - hidden,
        found_flags=({f.id for f in grade.red_flags} - hidden) if grade else set(),
        hire_intended=labels.hire if labels else False,
        hire_graded=grade.hire if grade else None,
        not_asked=[c for c in scenario.competency_ids if c not in comps] if completed and labels else [],
        flags_not_surfaced=hidden if completed else set(),
        graded_all=graded_all,
        labels=labels,
        panel={f"{k + 1}:{m.model}": [m.scores.get(c) for c in comps] for k, m in enumerate(grade.panel) if m.error is None}
        if grade
        else {},
    )
    if result.transcript:
        unit.conformance = check_interview(result, scenario)
        unit.disagreements = disagreements(result, scenario)
        unit.probe_hits, unit.probe_chances = probe_opportunities(result)
    if grade:
        quotes = [q for g in grade.competencies.values() for q in g.evidence] + [q for f in grade.red_flags for q in f.evidence]
        said = [t.text for t in result.transcript if t.speaker == "candidate"]
        grounding = evidence_grounding(quotes, said)
        unit.quotes_grounded, unit.quotes_total, unit.ungrounded = grounding.grounded, grounding.total, list(grounding.ungrounded)
    if result.fidelity is not None and labels is not None:
        unit.judged_levels = {c: level for c, level in result.fidelity.competency_levels.items() if c in comps}
        unit.judged_flags = list(result.fidelity.red_flags)
        unit.fidelity_ok = fidelity_ok(labels, unit.judged_levels, unit.judged_flags, unit.intended_flags)
    return unit


def build_units(results: list[InterviewResult], personas: dict[str, Persona], scenario: Scenario) -> list[InterviewUnit]:
    """Units of stored interviews: labels frozen with the interview, else its persona's."""
    return [build_unit(r, labels_of(r, personas), scenario) for r in results]


def known_results(results: list[InterviewResult], personas: dict[str, Persona]) -> tuple[list[InterviewResult], list[str]]:
    """The results that can still be judged, and the persona ids left out because their file is gone (and no labels
    were frozen with the interview). Recordings without labels stay: their label-free checks still apply."""
    gone = sorted({r.persona_id for r in results if persona_candidate(r.source) and labels_of(r, personas) is None})
    return [r for r in results if r.persona_id not in gone], gone


def labels_of(result: InterviewResult, personas: dict[str, Persona]) -> Intended | None:
    """The labels an interview is graded against: frozen with it (imports), else its persona file's, else none."""
    if result.labels is not None:
        return result.labels
    persona = personas.get(result.persona_id)
    return persona.intended if persona else None


def conformant(unit: InterviewUnit) -> bool:
    return bool(unit.conformance) and passes_all(unit.conformance)
