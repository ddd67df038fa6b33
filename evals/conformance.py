"""Interviewer conformance: did one interview follow the scenario's format and stay off forbidden ground.

Pure functions over an `InterviewResult`; the run aggregates them into rates. The text screen is a
cheap, high-recall first pass; the judge role's findings (in `result.violations`) are merged with it.
"""

from __future__ import annotations

import re

from agents.records import InterviewResult, Turn
from evals.topic_screen import alternatives_pattern, merge_violations, screen_interviewer_text
from scenarios.model import SEGMENT_ORDER, Scenario

CONFORMANCE_CHECKS: tuple[str, ...] = (
    "question_count",
    "competency_coverage",
    "segment_order",
    "segment_budget",
    "total_time",
    "intro_confidentiality",
    "intro_guidance",
    "candidate_questions_offered",
    "candidate_questions_answered",
    "next_steps_stated",
    "no_prohibited_topics",
    "no_rubric_leak",
)

# Simulated minutes are rounded to 3 decimals by the graph; this absorbs the rounding.
MINUTE_TOLERANCE = 0.01

_I = re.IGNORECASE

_CONFIDENTIAL = re.compile(
    r"\bconfidential\w*|\bprivate\b|\bstays? (between us|in this room|here)\b|"
    r"\b(nothing|not|never|won'?t|don'?t|doesn'?t)\b[^.?!]{0,40}\b(shared?|leave (this|the) room)\b",
    _I,
)
_GUIDANCE = re.compile(
    r"\b\d+(\.\d+)?\s*(-|–|to)\s*\d+(\.\d+)?\s*min|\bSTAR\b|(?i:\bstar (method|format|structure)\b)|"
    r"(?i:\bminutes?\b.*\b(setup|set-up|set up|deep[- ]dive|results|situation)\b)|(?i:\b(setup|set-up|set up|deep[- ]dive|results)\b.*\bminutes?\b)",
)
# The seed's wrap-up: "next steps", with when to expect them.
_NEXT_STEPS = re.compile(r"\b(next steps?|follow up|get back to you|hear (back )?from)\b", re.IGNORECASE)
_TIMELINE = re.compile(
    r"\b(within|by|in|over) (the )?(a|one|two|three|\d+|next|coming|few)\b.{0,20}\b(days?|weeks?|business days?|monday|"
    r"tuesday|wednesday|thursday|friday|end of)\b|\b(tomorrow|this week|next week)\b",
    re.IGNORECASE,
)
_INVITES_QUESTIONS = re.compile(
    r"\bquestions? for (me|us)\b|\banything (you'?d|you would) like to ask\b|\bwhat questions do you have\b|"
    r"\b(do|would) you have (any )?questions\b|\bask me anything\b|\bany questions\b",
    _I,
)

_DIGIT = re.compile(r"\d")
# "Without a metric": no digit and none of these number words. "one" is left out on purpose: it is
# mostly a pronoun ("one of the reasons", "no one"), not a measurement.
_NUMBER_WORDS = alternatives_pattern(
    (
        r"\b(percent(age)?s?|half|halved|twice|double[ds]?|triple[ds]?|quadrupled?|\w+fold|dozens?|hundreds?|thousands?|millions?|billions?|"
        r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b",
    )
)


def has_metric(text: str) -> bool:
    """Whether an answer quotes a number: any digit, or a number word ("percent", "half", "twice", "three", ...)."""
    return bool(_DIGIT.search(text) or _NUMBER_WORDS.search(text.lower()))


def _runs(turns: list[Turn]) -> list[tuple[str, float]]:
    """The transcript as contiguous segment runs: (segment id, minute the run starts)."""
    runs: list[tuple[str, float]] = []
    for turn in turns:
        if not runs or runs[-1][0] != turn.segment:
            runs.append((turn.segment, turn.minute))
    return runs


def _end_minute(turns: list[Turn]) -> float:
    last = turns[-1]
    return last.minute + last.duration_minutes


def _bank_questions(turns: list[Turn]) -> list[str]:
    return [t.question_id for t in turns if t.segment == "deep_dives" and t.action == "ask" and t.question_id]


def _within_budget(turns: list[Turn], scenario: Scenario) -> bool:
    runs = _runs(turns)
    ends = [start for _, start in runs[1:]] + [_end_minute(turns)]
    spent: dict[str, float] = {}
    for (segment, start), end in zip(runs, ends):
        spent[segment] = spent.get(segment, 0.0) + end - start
    budgets = {s.id: s.max_minutes for s in scenario.segments}
    # Segments the scenario does not know have no budget; segment_order reports them.
    return all(minutes <= budgets[seg] + MINUTE_TOLERANCE for seg, minutes in spent.items() if seg in budgets)


def _interviewer_says(turns: list[Turn], pattern: re.Pattern[str], segment: str | None = None) -> bool:
    return any(t.speaker == "interviewer" and (segment is None or t.segment == segment) and pattern.search(t.text) for t in turns)


def _unanswered(turns: list[Turn]) -> list[int]:
    """Questions the candidate asked in the candidate-questions segment that no interviewer answer followed."""
    missed = []
    for k, turn in enumerate(turns):
        if turn.speaker == "candidate" and turn.segment == "candidate_questions" and (turn.asks_question or "?" in turn.text):
            reply = next((t for t in turns[k + 1 :] if t.speaker == "interviewer"), None)
            if reply is None or reply.action != "answer_candidate":
                missed.append(turn.index)
    return missed


def _next_steps(turns: list[Turn]) -> bool:
    """The wrap-up tells the candidate what happens next, and when."""
    closing = " ".join(t.text for t in turns if t.speaker == "interviewer" and t.segment == "wrap_up")
    return bool(_NEXT_STEPS.search(closing) and _TIMELINE.search(closing))


def probe_depth(result: InterviewResult) -> tuple[int, int]:
    """(probes, bank questions asked) in the deep dives: how deep the interviewer followed up on average."""
    turns = result.transcript
    probes = sum(1 for t in turns if t.speaker == "interviewer" and t.action == "probe" and t.segment == "deep_dives")
    return probes, len(_bank_questions(turns))


def check_interview(result: InterviewResult, scenario: Scenario) -> dict[str, bool]:
    """Every check in CONFORMANCE_CHECKS for one interview. An empty transcript fails all but the violation checks."""
    turns = result.transcript
    violations = merge_violations(screen_interviewer_text(turns, scenario), result.violations or [])
    kinds = {v.kind for v in violations}
    rule = scenario.question_rule
    asked = _bank_questions(turns)
    known = {q.id for q in scenario.question_bank}
    covered = {c for q in asked if q in known for c in scenario.question(q).competencies}
    checks = {
        "question_count": rule.min_questions <= len(asked) <= rule.max_questions,
        "competency_coverage": len(covered) >= rule.min_competencies,
        "segment_order": tuple(seg for seg, _ in _runs(turns)) == SEGMENT_ORDER,
        "segment_budget": bool(turns) and _within_budget(turns, scenario),
        "total_time": bool(turns) and _end_minute(turns) <= scenario.duration_minutes + MINUTE_TOLERANCE,
        "intro_confidentiality": _interviewer_says(turns, _CONFIDENTIAL, "intro"),
        "intro_guidance": _interviewer_says(turns, _GUIDANCE, "intro"),
        "candidate_questions_offered": any(t.action == "transition" and t.segment == "candidate_questions" for t in turns)
        or _interviewer_says(turns, _INVITES_QUESTIONS),
        "candidate_questions_answered": bool(turns) and not _unanswered(turns),
        "next_steps_stated": _next_steps(turns),
        "no_prohibited_topics": "prohibited_topic" not in kinds,
        "no_rubric_leak": "rubric_leak" not in kinds,
    }
    return {name: checks[name] for name in CONFORMANCE_CHECKS}


def failing_turns(result: InterviewResult, scenario: Scenario, checks: dict[str, bool]) -> dict[str, list[int]]:
    """For each failed check, the turns to look at: the questions asked, the offending lines, the unanswered questions."""
    turns = result.transcript
    asks = [t.index for t in turns if t.segment == "deep_dives" and t.action == "ask"]
    violations = merge_violations(screen_interviewer_text(turns, scenario), result.violations or [])
    runs = [t.index for k, t in enumerate(turns) if k == 0 or turns[k - 1].segment != t.segment]
    spoken_in = lambda seg: [t.index for t in turns if t.speaker == "interviewer" and t.segment == seg]  # noqa: E731
    where = {
        "question_count": asks,
        "competency_coverage": asks,
        "segment_order": runs,
        "segment_budget": runs,
        "total_time": [turns[-1].index] if turns else [],
        "intro_confidentiality": spoken_in("intro"),
        "intro_guidance": spoken_in("intro"),
        "candidate_questions_answered": _unanswered(turns),
        "next_steps_stated": spoken_in("wrap_up"),
        "no_prohibited_topics": [v.turn_index for v in violations if v.kind == "prohibited_topic"],
        "no_rubric_leak": [v.turn_index for v in violations if v.kind == "rubric_leak"],
    }
    return {name: where.get(name, []) for name, ok in checks.items() if not ok}


def passes_all(checks: dict[str, bool]) -> bool:
    """True when every conformance check is present and passed."""
    return all(checks.get(name, False) for name in CONFORMANCE_CHECKS)


def probe_opportunities(result: InterviewResult) -> tuple[int, int]:
    """(deep-dive answers without a metric that the next turn probed, deep-dive answers without a metric)."""
    turns = result.transcript
    bare = [i for i, t in enumerate(turns) if t.speaker == "candidate" and t.segment == "deep_dives" and not has_metric(t.text)]
    probed = sum(
        1 for i in bare if i + 1 < len(turns) and turns[i + 1].speaker == "interviewer" and turns[i + 1].action == "probe"
    )
    return probed, len(bare)
