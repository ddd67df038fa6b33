"""The candidate agent: plays one persona from its brief (its stories and manner), never from its labels."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from agents.client import ModelClient
from agents.models.config import structured_reply_tokens
from agents.output_schema import one_of, output_model
from agents.prompting import PromptTemplate, conversation_text
from agents.records import Turn
from personas.model import CandidateBrief, Story
from scenarios.model import Scenario
from scenarios.strict import StrictModel

QUESTION_CHARS = 200  # a question to the interviewer is short


class CandidateReply(StrictModel):
    """What the candidate said; `asks_question` matters only in the candidate-questions segment."""

    text: str
    asks_question: bool = False


class CandidateQuestionTurn(StrictModel):
    """The candidate model's reply in the candidate-questions segment."""

    asks_question: bool
    text: str


@cache
def question_turn_model(must_ask: bool) -> type[CandidateQuestionTurn]:
    """Schema for a turn in the candidate-questions segment; the first one must be a question."""
    asks = one_of([True]) if must_ask else bool
    return output_model(
        "CandidateQuestionTurn",
        CandidateQuestionTurn,
        asks_question=(asks, Field(description="True if you ask the interviewer a question now; false if you have no more.")),
        text=(str, Field(min_length=1, max_length=QUESTION_CHARS, description="Exactly what you say.")),
    )


def relevant_stories(brief: CandidateBrief, competencies: list[str]) -> list[Story]:
    """The candidate's stories for the competencies the open question probes (none outside the deep dives)."""
    return [s for s in brief.story_bank if s.competency in competencies]


def prompt_variables(
    scenario: Scenario,
    brief: CandidateBrief,
    transcript: list[Turn],
    *,
    segment_id: str,
    competencies: list[str],
    questions_asked: int,
    max_questions: int,
    conversation: str | None = None,
) -> dict:
    """Everything the candidate template may use: the brief (never the labels), and only the role and company of the scenario.

    Each story is told as written, so a question probing two competencies offers both stories, each at its own level.
    """
    return {
        "role": scenario.role,
        "company": scenario.company,
        "brief": brief,
        "background": brief.background,
        "style": brief.communication_style,
        "stories": relevant_stories(brief, competencies),
        "segment_id": segment_id,
        "questions_asked": questions_asked,
        "max_questions": max_questions,
        "transcript": transcript,
        "conversation": conversation_text(transcript) if conversation is None else conversation,
    }


async def candidate_turn(
    client: ModelClient, template: PromptTemplate, variables: dict, *, question_segment: bool, must_ask: bool
) -> CandidateReply:
    """Ask the candidate model for its next turn."""
    messages = template.render(**variables)
    if question_segment:
        raw = await client.complete(
            "candidate",
            messages,
            output_type=question_turn_model(must_ask),
            max_tokens_floor=structured_reply_tokens(QUESTION_CHARS),
        )
        return CandidateReply(text=raw.text.strip(), asks_question=raw.asks_question)
    text = await client.complete("candidate", messages)
    return CandidateReply(text=text.strip())
