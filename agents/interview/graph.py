"""The interview as a LangGraph graph: interviewer and candidate alternate, the grader ends it.

The interviewer is one of three sources: `guided` (the harness's prompt, its moves narrowed to what
the format allows each turn), `free` (the same prompt with every move open) or `external` (the
user's own interviewer, which gets only the conversation). Unguided interviews stop at a close, at
the scenario's time budget or at the turn cap.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, Literal, TypedDict

from pydantic import Field

from agents.client import ModelClient
from agents.interview.annotation import RulesAnnotator
from agents.interview.format_rules import (
    MAX_CANDIDATE_QUESTIONS,
    FormatState,
    apply_turn,
    candidate_may_ask,
    free_options,
    next_options,
    segment_after,
    segment_elapsed,
    spoken_minutes,
)
from agents.models.gateway import ModelCallError
from agents.prompting import Conversation, PromptSet
from agents.records import OFF_BANK, Action, Grade, Source, Turn, identity
from agents.roles.candidate import candidate_turn
from agents.roles.candidate import prompt_variables as candidate_variables
from agents.roles.external_interviewer import external_turn
from agents.roles.grader import grade_transcript
from agents.roles.interviewer import interviewer_turn
from agents.roles.interviewer import prompt_variables as interviewer_variables
from personas.model import CandidateBrief
from scenarios.model import InterviewLength, Scenario
from scenarios.strict import StrictModel

DEFAULT_MAX_TURNS = 60
# How much one graph step holds: the whole interview, conversation and grade (simulations: LangGraph costs
# about 0.3 ms of CPU a step, and nothing reads the state between steps), or one exchange (a person answering
# between steps, each checkpointed), the grade being a step of its own.
Step = Literal["interview", "exchange"]
_FORMAT_KEYS = tuple(f.name for f in fields(FormatState))


class InterviewState(TypedDict, total=False):
    """The graph's typed state: the format bookkeeping plus the outcome."""

    transcript: list[Turn]
    segment: str
    minute: float
    segment_start: dict[str, float]
    asked: list[str]
    probes_on_current: int
    candidate_questions: int
    grade: Grade | None
    error: str | None
    stop_reason: str | None


@dataclass
class InterviewContext:
    """What the nodes share for one interview."""

    scenario: Scenario
    candidate: CandidateBrief
    client: ModelClient
    prompts: PromptSet
    max_turns: int = DEFAULT_MAX_TURNS
    source: Source = "guided"
    step: Step = "interview"
    length: InterviewLength = InterviewLength()  # the scenario's whole question range
    # The candidate is a person (practice): each of their turns is a LangGraph interrupt, answered on resume with a
    # `PersonReply`, and a failed model call raises (the session resumes from its last checkpoint) instead of ending it.
    person: bool = False

    def __post_init__(self) -> None:
        if self.person and self.step != "exchange":
            raise ValueError("a person answers between graph steps, so a practice interview needs step='exchange'")


class PersonReply(StrictModel):
    """A person's answer, as practice mode resumes the interrupted graph with it."""

    text: str = Field(description="What the person said.")
    asks_question: bool = Field(default=False, description="In the candidate-questions segment: this turn asks one.")


def _format_state(state: InterviewState) -> FormatState:
    values: dict[str, Any] = dict(state)
    return FormatState(**{k: copy.copy(values[k]) for k in _FORMAT_KEYS if k in values})


def _update(fs: FormatState) -> dict[str, Any]:
    return {k: getattr(fs, k) for k in _FORMAT_KEYS}


def initial_state() -> InterviewState:
    return InterviewState(**_update(FormatState()), grade=None, error=None, stop_reason=None)  # type: ignore[typeddict-item]


def interview_nodes(ctx: InterviewContext) -> dict[str, Callable[..., Any]]:
    """One interview's node functions, over its context; the compiled graph calls them."""
    from langgraph.graph import END
    from langgraph.types import Command

    scenario, candidate_brief = ctx.scenario, ctx.candidate
    rule = ctx.length.rule(scenario.question_rule)
    reader = RulesAnnotator(scenario)  # reads an external interviewer's turns as they come
    conversation_so_far = Conversation()

    def spoken(fs: FormatState, text: str, segment: str, action: Action | None, question: str | None, probe: str | None) -> Turn:
        in_bank = question is not None and question != OFF_BANK
        return Turn(
            index=len(fs.transcript),
            speaker="interviewer",
            text=text,
            segment=segment,
            action=action,
            question_id=question,
            competency=scenario.question(question).competencies[0] if in_bank and question else None,
            probe_category=probe,
            minute=round(fs.minute, 3),
            duration_minutes=round(spoken_minutes(text), 3),
        )

    async def external(fs: FormatState) -> Turn:
        text = await external_turn(ctx.client, candidate_brief, fs.transcript)
        label = reader.interviewer_said(text)
        action = None if label.action == "other" else label.action
        return spoken(fs, text, label.segment, action, label.question_id, label.probe_category)

    async def prompted(fs: FormatState) -> Turn:
        options = next_options(scenario, fs, rule) if ctx.source == "guided" else free_options(scenario, fs)
        seg = scenario.segment(options.segment_id)
        elapsed = segment_elapsed(fs, options.segment_id) if options.segment_id == fs.segment else 0.0
        variables = interviewer_variables(
            scenario,
            candidate_brief,
            options,
            fs.transcript,
            minute=fs.minute,
            segment_minutes_left=seg.max_minutes - elapsed,
            asked_count=len(fs.asked),
            probes_left=rule.max_probes_per_question - fs.probes_on_current,
            conversation=conversation_so_far.text(fs.transcript),
        )
        decision = await interviewer_turn(ctx.client, ctx.prompts["interviewer"], options, variables)
        if ctx.source == "guided":
            # The turn that ends the deep dives opens the candidate-questions segment.
            segment = "candidate_questions" if decision.action == "transition" else options.segment_id
        else:
            segment = segment_after(decision.action, options.segment_id)
        question = (
            fs.current_question if decision.action == "probe" else decision.question_id if decision.action == "ask" else None
        )
        return spoken(fs, decision.text, segment, decision.action, question, decision.probe_category)

    async def interviewer_speaks(fs: FormatState) -> str | None:
        """The interviewer's next turn, applied to `fs`; an error message when its model failed."""
        try:
            turn = await (external(fs) if ctx.source == "external" else prompted(fs))
        except ModelCallError as exc:
            if ctx.person:
                raise
            return f"interviewer: {exc}"
        apply_turn(scenario, fs, turn)
        return None

    def answered(fs: FormatState, text: str, asks_question: bool) -> None:
        """The candidate's turn (a persona's or a person's), applied to `fs`."""
        question_segment = fs.segment == "candidate_questions"
        turn = Turn(
            index=len(fs.transcript),
            speaker="candidate",
            text=text,
            segment=fs.segment,
            asks_question=question_segment and asks_question,
            minute=round(fs.minute, 3),
            duration_minutes=round(spoken_minutes(text), 3),
        )
        apply_turn(scenario, fs, turn)

    async def candidate_speaks(fs: FormatState) -> str | None:
        """The candidate's reply to the last turn, applied to `fs`; an error message when its model failed."""
        if ctx.person:
            person_speaks(fs)
            return None
        question_segment = fs.segment == "candidate_questions"
        current = fs.current_question
        in_bank = current is not None and current != OFF_BANK and fs.segment == "deep_dives"
        in_play = scenario.question(current).competencies if in_bank and current else []
        variables = candidate_variables(
            scenario,
            candidate_brief,
            fs.transcript,
            segment_id=fs.segment,
            competencies=in_play,
            questions_asked=fs.candidate_questions,
            max_questions=MAX_CANDIDATE_QUESTIONS,
            conversation=conversation_so_far.text(fs.transcript),
        )
        try:
            reply = await candidate_turn(
                ctx.client,
                ctx.prompts["candidate"],
                variables,
                question_segment=question_segment,
                must_ask=fs.candidate_questions == 0,
            )
        except ModelCallError as exc:
            return f"candidate: {exc}"
        reader.candidate_said(reply.text)
        answered(fs, reply.text, reply.asks_question)
        return None

    def person_speaks(fs: FormatState) -> None:
        """The person's answer: the graph stops here until the session resumes it with a PersonReply."""
        from langgraph.types import interrupt

        reply = PersonReply.model_validate(interrupt({"answer_to": fs.transcript[-1].index}))
        answered(fs, reply.text, reply.asks_question)

    def next_speaker(fs: FormatState) -> str:
        """Who speaks after the last turn: interviewer, candidate, or grader (the interview is over)."""
        if not fs.transcript:
            return "interviewer"
        last = fs.transcript[-1]
        over = len(fs.transcript) >= ctx.max_turns or out_of_time(fs.minute)
        if last.speaker == "candidate":
            return "grader" if over else "interviewer"
        if last.action == "close" or over:
            return "grader"
        if ctx.source == "guided" and last.action == "answer_candidate" and not candidate_may_ask(scenario, fs):
            return "interviewer"
        return "candidate"

    async def conversation(state: InterviewState) -> Any:
        """One graph step of exchanges (the candidate answers the last turn when it is theirs, then the interviewer
        speaks) until the step is over: after one exchange, or when the interview is, graded (see `Step`)."""
        fs = _format_state(state)
        while True:
            error = None
            if next_speaker(fs) == "candidate":
                error = await candidate_speaks(fs)
            if error is None and next_speaker(fs) == "interviewer":
                error = await interviewer_speaks(fs)
            if error is not None:
                return Command(update={**_update(fs), "error": error}, goto=END)
            if next_speaker(fs) == "grader" and ctx.step == "interview":
                # Nothing reads the state between the conversation and its grade in a simulation: one step does both.
                return Command(update={**_update(fs), **await graded(fs.transcript, fs.minute)}, goto=END)
            if next_speaker(fs) == "grader":
                return Command(update=_update(fs), goto="grader")
            if ctx.step == "exchange":
                return Command(update=_update(fs), goto="conversation")

    async def graded(transcript: list[Turn], minute: float) -> dict[str, Any]:
        """The grade of the finished conversation, and why it stopped; an error message when the grader's model failed."""
        closed = bool(transcript) and transcript[-1].action == "close"
        stop = "closed" if closed else "time_budget" if out_of_time(minute) else "turn_cap"
        update: dict[str, Any] = {"stop_reason": stop}
        try:
            update["grade"] = await grade_transcript(
                ctx.client, ctx.prompts["grader"], scenario, transcript, identity(candidate_brief)
            )
        except ModelCallError as exc:
            if ctx.person:
                raise
            update["error"] = f"grader: {exc}"
        return update

    async def grader(state: InterviewState) -> dict[str, Any]:
        return await graded(state["transcript"], state.get("minute", 0.0))

    def out_of_time(minute: float) -> bool:
        # Only an unguided interviewer can overrun: the guided one is moved on by the clock.
        return ctx.source != "guided" and minute >= scenario.duration_minutes

    return {"conversation": conversation, "grader": grader}


# Unannotated on purpose: LangGraph reads the hints at run time and passes `config` by its name.
def _node(name: str) -> Any:
    async def node(state, config):
        return await config["configurable"]["nodes"][name](state)

    node.__name__ = name
    return node


@cache
def compiled_graph():
    """The interview graph, compiled once per process (a compile costs about 4 ms): each interview passes its own
    nodes in the run's config (`interview_config`)."""
    return build_graph()


def build_graph(checkpointer: Any = None):
    """The interview graph, compiled with `checkpointer` (practice sessions keep theirs in SQLite).

    A step is a stretch of conversation, not one turn (see `Step`), and it routes itself (`Command`) rather than
    through a separate router step.
    """
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(InterviewState)
    graph.add_node("conversation", _node("conversation"), destinations=("conversation", "grader", END))
    graph.add_node("grader", _node("grader"))
    graph.add_edge(START, "conversation")
    graph.add_edge("grader", END)
    return graph.compile(checkpointer=checkpointer)


def interview_config(ctx: InterviewContext) -> dict[str, Any]:
    """The config that runs `compiled_graph()` as the interview of `ctx`."""
    return {"recursion_limit": recursion_limit(ctx.max_turns), "configurable": {"nodes": interview_nodes(ctx)}}


def recursion_limit(max_turns: int) -> int:
    """At most one graph step per turn, plus the grader, with a little slack; never LangGraph's huge default."""
    return max_turns + 5
