"""The report's worst mismatches: for each badly graded interview, what the grader said and what the candidate said."""

from __future__ import annotations

from collections.abc import Mapping

from agents.records import InterviewResult
from evals.metrics.flags import evidence_grounding
from evals.metrics.rows import CheckRow, PersonaDetails
from evals.report.blocks import Block, Quote, fmt, yes_no

WORST = 5
MAX_ANSWERS = 4


def _answers(result: InterviewResult, competency: str, scenario) -> list[str]:
    """Candidate turns given while a question probing `competency` was open (asked or probed on)."""
    bank = {q.id: q.competencies for q in scenario.question_bank} if scenario else {}
    out, current = [], False
    for t in result.transcript:
        if t.speaker == "interviewer":
            if t.question_id:
                current = competency in bank.get(t.question_id, [t.competency])
            elif t.action in ("transition", "close"):
                current = False
        elif current and t.segment == "deep_dives":
            out.append(f"[turn {t.index}] {t.text}")
    return out


def _error_key(r: CheckRow) -> tuple[int, float, int, bool]:
    d = r.details_as(PersonaDetails)
    errs = [2 if g is None else abs(g - d.intended[c]) for c, g in d.asked.items()]
    flags = len(set(d.intended_flags) ^ set(d.graded_flags))
    return (max(errs, default=0), r.value or 0.0, flags, d.hire_intended != d.hire_graded)


def _focus(graded: dict, intended: dict, flags: set[str], scenario) -> tuple[str | None, str]:
    """The competency whose transcript lines explain a mismatch: the worst scored, else where a wrong flag shows."""
    error = lambda c: 2 if graded[c] is None else abs(graded[c] - intended[c])  # noqa: E731
    worst = max(graded, key=error, default=None)
    shown = [(f.id, c) for f in (scenario.red_flags if scenario else []) if f.id in flags for c in f.competencies if c in graded]
    if worst is not None and (error(worst) > 1 or not shown):
        return worst, f"Worst competency: {worst}, intended {intended[worst]}, graded {graded[worst] or 'not assessed'}."
    return (
        (shown[0][1], f"Every score is within ±1; the lines below are on {shown[0][1]}, where {shown[0][0]} shows.")
        if shown
        else (None, "")
    )


def _mismatch(r: CheckRow, result: InterviewResult | None, scenario) -> list[Block]:
    d = r.details_as(PersonaDetails)
    planted, found = set(d.intended_flags), set(d.graded_flags)
    focus, why = _focus(d.asked, d.intended, planted ^ found, scenario)
    facts = [f"**{r.scope}**, attributed to the {d.attribution} (mean error {fmt(r.value)}).", why]
    for label, ids in (("Missed red flags", planted - found), ("Red flags reported but not planted", found - planted)):
        facts += [f"{label}: {', '.join(sorted(ids))}."] if ids else []
    if d.hire_intended != d.hire_graded:
        facts.append(f"Hire: intended {yes_no(d.hire_intended)}, graded {yes_no(d.hire_graded)}.")
    blocks: list[Block] = [" ".join(f for f in facts if f)]
    if result is None or result.grade is None or focus is None:
        return blocks
    said = [t.text for t in result.transcript if t.speaker == "candidate"]
    if cg := result.grade.competencies.get(focus):
        blocks.append(Quote(f"Grader's rationale for {focus}", [cg.rationale]))
        marked = [
            q + ("" if evidence_grounding([q], said).grounded else "  (not found in the candidate's turns)") for q in cg.evidence
        ]
        blocks.append(Quote(f"Grader's evidence for {focus}", marked or ["(no evidence quoted)"]))
    blocks += [
        Quote(f"Grader's evidence for the unplanted flag {f.id}", f.evidence or ["(none)"])
        for f in result.grade.red_flags
        if f.id in found - planted
    ]
    answers = _answers(result, focus, scenario)
    blocks.append(
        Quote(
            f"Candidate's answers to the {focus} question",
            answers[:MAX_ANSWERS] or ["(no question on this competency was asked)"],
        )
    )
    return blocks


def worst(rows: list[CheckRow]) -> list[CheckRow]:
    """The per-persona rows of the worst-graded interviews, worst first (at most WORST)."""
    persona_rows = [r for r in rows if r.metric == "persona"]
    bad = sorted(
        (r for r in persona_rows if r.details_as(PersonaDetails).attribution in ("grader", "persona")),
        key=_error_key,
        reverse=True,
    )
    return bad[:WORST]


def worst_mismatches(rows: list[CheckRow], results: Mapping[str, InterviewResult], scenario) -> list[Block]:
    """The worst-graded interviews (at most WORST), each explained by its quotes."""
    if not (bad := worst(rows)):
        return ["No graded interview disagrees with its labels beyond ±1, on red flags, or on hire."]
    return [b for r in bad for b in _mismatch(r, results.get(r.scope), scenario)]
