"""The user's own interviewer, reached as a model: it gets the conversation and nothing from the harness.

The candidate's turns are `user` messages and the interviewer's are `assistant` messages; the first
request carries the candidate joining ("Hi, I'm Mei Chen."). No prompt, rubric or format rule is
added: an external interviewer is judged only by what it says.
"""

from __future__ import annotations

from agents.client import ModelClient
from agents.records import Turn
from personas.model import CandidateBrief


def conversation(brief: CandidateBrief, transcript: list[Turn]) -> list[dict[str, str]]:
    """The chat as the external interviewer sees it, from the candidate joining to the last answer."""
    messages = [{"role": "user", "content": f"Hi, I'm {brief.display_name}."}]
    for turn in transcript:
        messages.append({"role": "assistant" if turn.speaker == "interviewer" else "user", "content": turn.text})
    return messages


async def external_turn(client: ModelClient, brief: CandidateBrief, transcript: list[Turn]) -> str:
    """The external interviewer's next words."""
    text = await client.complete("interviewer", conversation(brief, transcript))
    return text.strip()
