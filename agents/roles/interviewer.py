"""The interviewer agent: one structured turn at a time, inside the options the format allows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field

from agents.client import ModelClient
from agents.models.config import structured_reply_tokens
from agents.output_schema import one_of, output_model
from agents.prompting import PromptTemplate, conversation_text
from agents.records import Action, Turn
from personas.model import CandidateBrief
from scenarios.model import Scenario
from scenarios.strict import StrictModel

INTERVIEWER_NAME = "Alex"
TEXT_CHARS = 200
# The opening has the most to say (role, confidentiality, story timing, an invitation to introduce).
INTRO_TEXT_CHARS = 560


class InterviewerDecision(StrictModel):
    """What the interviewer decided this turn, after the graph's narrowing."""

    action: Action
    question_id: str | None = None
    probe_category: str | None = None
    text: str


@dataclass(frozen=True)
class TurnOptions:
    """What the format allows the interviewer to do on this turn (computed by the graph)."""

    segment_id: str
    actions: tuple[Action, ...]
    question_ids: tuple[str, ...] = ()
    probe_categories: tuple[str, ...] = ()


def allowed_moves(options: TurnOptions) -> tuple[str, ...]:
    """Every move open this turn as one token-cheap string: `ask:<question>`, `probe:<category>`, or an action."""
    moves: list[str] = []
    for action in options.actions:
        if action == "ask" and options.question_ids:
            moves += [f"ask:{q}" for q in options.question_ids]
        elif action == "probe":
            moves += [f"probe:{c}" for c in options.probe_categories]
        else:
            moves.append(action)
    return tuple(moves)


def text_limit(options: TurnOptions) -> int:
    """Most characters the interviewer may say this turn."""
    return INTRO_TEXT_CHARS if options.segment_id == "intro" else TEXT_CHARS


class InterviewerTurn(StrictModel):
    """The interviewer model's reply; `decision_model` narrows `move` to this turn's options."""

    move: str
    text: str


@lru_cache(maxsize=4096)
def decision_model(options: TurnOptions) -> type[InterviewerTurn]:
    """The output schema for this turn: one enum of the allowed moves, so even a weak model stays in format.

    Cached by the options themselves: every turn asks for one, and a few dozen shapes recur all run long."""
    limit = text_limit(options)
    return output_model(
        "InterviewerTurn",
        InterviewerTurn,
        move=(one_of(allowed_moves(options)), Field(description="What you do this turn.")),
        # Bounded so the whole JSON reply fits the interviewer's token budget.
        text=(str, Field(min_length=1, max_length=limit, description="Exactly what you say.")),
    )


def prompt_variables(
    scenario: Scenario,
    brief: CandidateBrief,
    options: TurnOptions,
    transcript: list[Turn],
    *,
    minute: float,
    segment_minutes_left: float,
    asked_count: int,
    probes_left: int,
    conversation: str | None = None,
) -> dict:
    """Everything the interviewer template may use; the interviewer never sees the persona's labels."""
    bg = brief.background
    return {
        "interviewer_name": INTERVIEWER_NAME,
        "scenario": scenario,
        "candidate": {
            "display_name": brief.display_name,
            "current_role": bg.current_role,
            "years_experience": bg.years_experience,
            "domain": bg.domain,
        },
        "segment": scenario.segment(options.segment_id),
        "guidance": scenario.candidate_guidance,
        "rule": scenario.question_rule,
        "allowed_actions": list(options.actions),
        "allowed_moves": list(allowed_moves(options)),
        "asked_count": asked_count,
        "probes_left": probes_left,
        "minute": minute,
        "segment_minutes_left": max(segment_minutes_left, 0.0),
        "transcript": transcript,
        "conversation": conversation_text(transcript) if conversation is None else conversation,
    }


async def interviewer_turn(
    client: ModelClient, template: PromptTemplate, options: TurnOptions, variables: dict
) -> InterviewerDecision:
    """Ask the interviewer model for its next turn within `options`."""
    raw = await client.complete(
        "interviewer",
        template.render(**variables),
        output_type=decision_model(options),
        max_tokens_floor=structured_reply_tokens(text_limit(options)),
    )
    action, _, choice = raw.move.partition(":")
    return InterviewerDecision.model_validate(
        {
            "action": action,
            "question_id": choice if action == "ask" and choice else None,
            "probe_category": choice if action == "probe" else None,
            "text": raw.text.strip(),
        }
    )
