"""A stand-in for a user's own interviewer: it greets, asks three bank questions and closes, whatever is said.

Served over HTTP by tests as an OpenAI-compatible endpoint, and importable as a callable
(`tests.three_question_interviewer:interview`).
"""

from __future__ import annotations

from tests.conftest_helpers import SCENARIO

LINES = [
    "Welcome! I'm Sam. Everything we discuss stays confidential. Please introduce yourself.",
    SCENARIO.question("q_collaboration").text,
    SCENARIO.question("q_ambiguity").text,
    SCENARIO.question("q_ownership").text,
    "Thank you for your time today. The recruiter will follow up with next steps within a week. Goodbye!",
]


def next_line(messages: list[dict]) -> str:
    """The line after the ones already said: the conversation's assistant turns count where it is."""
    said = sum(1 for m in messages if m["role"] == "assistant")
    return LINES[min(said, len(LINES) - 1)]


async def interview(messages: list[dict]) -> str:
    return next_line(messages)
