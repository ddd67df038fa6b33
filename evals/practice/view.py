"""What a person practising reads besides the interviewer's words, as plain text for the terminal and the web page:
the briefing before the interview, where each turn stands on the clock, and each answer's length against the
scenario's story timing."""

from __future__ import annotations

from agents.interview.practice import AnswerRequest
from evals.practice.answer_signals import signals
from evals.practice.feedback import span, story_timing
from scenarios.model import Scenario


def briefing(scenario: Scenario) -> list[str]:
    """The scenario's format, the guidance it shares at the start, and its tips."""
    lines = [f"{scenario.company} {scenario.role}: {scenario.interview_type} interview, {scenario.duration_minutes} minutes."]
    lines += [f"- {s.title} ({span(s.min_minutes, s.max_minutes)} min)" for s in scenario.segments]
    lines.append(
        f"{story_timing(scenario)} {scenario.candidate_guidance.recent_examples} {scenario.candidate_guidance.anonymize}"
    )
    lines += [f"Tip: {tip}" for tip in scenario.logistics_tips + scenario.practice_tips]
    return lines


def clock(request: AnswerRequest, scenario: Scenario) -> str:
    """Where the turn stands: segment, minute, and time left in the segment."""
    return (
        f"{request.segment.title} · minute {request.minute:.1f} of {scenario.duration_minutes} · "
        f"{request.segment_minutes_left:.1f} min left in this part"
    )


def story_range(scenario: Scenario) -> tuple[float, float]:
    """The minutes one whole story should take by the guidance: setup, deep dive and results added up."""
    timing = scenario.candidate_guidance.story_timing
    parts = (timing.setup_minutes, timing.deep_dive_minutes, timing.results_minutes)
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def length_note(request: AnswerRequest, text: str, scenario: Scenario, *, sent: bool = False) -> str:
    """The answer's length at speaking pace, and the story so far against the story timing in the deep dives.

    `sent`: the answer is already in the transcript, so the request's story minutes include it."""
    found = signals(text)
    note = f"Your answer: {found.words} words, about {found.minutes:.1f} min spoken."
    if request.segment.id != "deep_dives" or (sent and not request.story_minutes):
        return note
    low, high = story_range(scenario)
    story = request.story_minutes + (0.0 if sent else found.minutes)
    verdict = "room to go deeper" if story < low else "over the guidance: tighten it" if story > high else "within the guidance"
    return f"{note} This story so far: {story:.1f} min of the {span(low, high)} min a story takes ({verdict})."
