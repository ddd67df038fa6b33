"""Feedback on a practice interview: scores with the person's own words, the hire bar, and the seed's guidance.

Everything is checked against what the person said: a grader quote that is not in their answers is
dropped (and a sentence of theirs on that competency is quoted instead, marked as picked by the harness),
and each piece of guidance is shown only when the answers lack what it asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.records import Grade, Turn
from evals.metrics.flags import evidence_grounding
from evals.practice.answer_signals import sentences, signals
from evals.practice.examples import LevelExample, example_above
from personas.model import Persona
from scenarios.model import Scenario

# Answers this short, on a question, say too little to be a story.
MIN_STORY_MINUTES = 1.0


@dataclass(frozen=True)
class CompetencyFeedback:
    """One competency's score and the person's words behind it."""

    competency: str
    title: str
    score: int | None
    rationale: str
    quotes: list[str]
    quoted_by: str  # "grader" (its quotes, found verbatim in the answers) or "harness" (picked from the answers)
    question_id: str | None
    example: LevelExample | None


@dataclass(frozen=True)
class GuidanceItem:
    """Something the answers lacked, and what the scenario's guidance says about it."""

    topic: str
    finding: str
    advice: str


def grader_caveat(grader_model: str) -> str:
    """Who graded, and a warning when it is the embedded model: 135M parameters are far too few to grade well."""
    said = f"Graded by {grader_model}."
    if grader_model.startswith("local/"):
        said += (
            " That is the small embedded offline model: its scores and words show how practice works, not how you did."
            " Choose a capable model with --grader-model (and --interviewer-model) for feedback worth acting on."
        )
    return said


@dataclass(frozen=True)
class PracticeFeedback:
    """Everything the person reads at the end of a practice interview."""

    competencies: list[CompetencyFeedback]
    red_flags: list[tuple[str, str, list[str]]]  # (id, description, the person's words)
    hire: bool
    hire_bar: str
    blockers: list[str]
    strengths: list[str]
    growth_areas: list[str]
    better_story: str
    guidance: list[GuidanceItem]

    @property
    def stronger(self) -> CompetencyFeedback | None:
        """The weakest competency that has an example answer one level up: the story to retell."""
        return min((c for c in self.competencies if c.example is not None), key=lambda c: c.score or 0, default=None)


def span(low: float, high: float) -> str:
    """A range of minutes as the guidance writes it: "1-2", or "5" when both ends agree."""
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def story_timing(scenario: Scenario) -> str:
    """The scenario's story timing in one sentence."""
    timing = scenario.candidate_guidance.story_timing
    return (
        f"Per story: {span(*timing.setup_minutes)} min setup, {span(*timing.deep_dive_minutes)} min deep dive, "
        f"{span(*timing.results_minutes)} min results and learning."
    )


def _grounded(quotes: list[str], said: list[str]) -> list[str]:
    """The quotes found verbatim (after the grounding check's normalization) in one of the person's turns."""
    missing = set(evidence_grounding(quotes, said).ungrounded)
    return [q for q in quotes if q not in missing]


def answers_by_question(transcript: list[Turn]) -> dict[str, list[str]]:
    """The person's deep-dive answers under the bank question they answer (its asking and its probes)."""
    found: dict[str, list[str]] = {}
    question = None
    for turn in transcript:
        if turn.speaker == "interviewer":
            question = turn.question_id if turn.segment == "deep_dives" else None
        elif question is not None:
            found.setdefault(question, []).append(turn.text)
    return found


def _picked_quote(answers: list[str]) -> list[str]:
    """The sentence of the answers with the most figures, then the longest: the person's strongest evidence."""
    said = [s for a in answers for s in sentences(a)]
    return [max(said, key=lambda s: (signals(s).figures, len(s)))[:200]] if said else []


def _guidance(scenario: Scenario, answers: list[str]) -> list[GuidanceItem]:
    probes = {c.id: c for c in scenario.probe_categories}

    def probe_advice(category: str) -> str:
        found = probes.get(category)
        return f"Interviewers probe for {found.title.lower()}: " + " ".join(found.examples[:2]) if found else ""

    together = signals(" ".join(answers))
    items = []
    if not together.figures:
        items.append(
            GuidanceItem(
                "metrics",
                "None of your stories cited a figure.",
                f"{probe_advice('evidence')} {scenario.candidate_guidance.anonymize}",
            )
        )
    if not together.owns_the_work:
        levels = {lvl.level: lvl.descriptor for lvl in scenario.rubric.levels}
        items.append(
            GuidanceItem(
                '"I" vs "we"',
                f'You said "we" {together.team} times and "I" {together.own} times.',
                f"Say what you did yourself, then credit the team. The rubric's lowest level reads: {levels[1]}",
            )
        )
    if not together.tradeoffs:
        flag = next((f.description for f in scenario.red_flags if "tradeoff" in f.description.lower()), "")
        items.append(
            GuidanceItem(
                "trade-offs",
                "No answer named an alternative you weighed or a trade-off.",
                f"{probe_advice('decision_making')} Red flag: {flag}".strip(),
            )
        )
    if not together.reflection:
        items.append(
            GuidanceItem("reflection", "No answer said what you learned or would do differently.", probe_advice("reflection"))
        )
    short = sum(1 for a in answers if signals(a).minutes < MIN_STORY_MINUTES)
    if answers and short:
        items.append(
            GuidanceItem(
                "story timing",
                f"{short} of your {len(answers)} deep-dive answers ran under {MIN_STORY_MINUTES:g} minute at speaking pace.",
                story_timing(scenario),
            )
        )
    return items


def practice_feedback(scenario: Scenario, transcript: list[Turn], grade: Grade, personas: dict[str, Persona]) -> PracticeFeedback:
    """The feedback on a graded practice interview."""
    said = [t.text for t in transcript if t.speaker == "candidate"]
    by_question = answers_by_question(transcript)
    question_of = {scenario.question(q).competencies[0]: q for q in by_question}
    competencies = []
    for comp in scenario.competencies:
        graded = grade.competencies.get(comp.id)
        if graded is None:
            continue
        verified = _grounded(graded.evidence, said)
        question = question_of.get(comp.id)
        quotes = verified or _picked_quote(by_question.get(question, []) if question else [])
        competencies.append(
            CompetencyFeedback(
                competency=comp.id,
                title=comp.title,
                score=graded.score,
                rationale=graded.rationale,
                quotes=quotes,
                quoted_by="grader" if verified else "harness",
                question_id=question,
                example=example_above(scenario, personas, question, graded.score or 0) if question else None,
            )
        )
    flags = {f.id: f.description for f in scenario.red_flags}
    red_flags = [(f.id, flags.get(f.id, ""), _grounded(f.evidence, said)) for f in grade.red_flags]
    scores = {cid: g.score for cid, g in grade.competencies.items()}
    deep = [a for answers in by_question.values() for a in answers]
    return PracticeFeedback(
        competencies=competencies,
        red_flags=red_flags,
        hire=grade.hire,
        hire_bar=scenario.hire_bar.summary,
        blockers=scenario.hire_bar.blockers(scores, [f.id for f in grade.red_flags]),
        strengths=grade.feedback.strengths,
        growth_areas=grade.feedback.growth_areas,
        better_story=grade.feedback.better_story,
        guidance=_guidance(scenario, deep),
    )
