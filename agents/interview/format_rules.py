"""The interview format as rules: which segment we are in and what the interviewer may do next.

Pure functions over the interview state, so the guardrails are testable without any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.records import Turn
from agents.roles.interviewer import TurnOptions
from scenarios.model import QuestionRule, Scenario

WORDS_PER_MINUTE = 150
MAX_CANDIDATE_QUESTIONS = 3


@dataclass
class FormatState:
    """What the rules need to know about the interview so far."""

    transcript: list[Turn] = field(default_factory=list)
    segment: str = "intro"
    minute: float = 0.0
    segment_start: dict[str, float] = field(default_factory=lambda: {"intro": 0.0})
    asked: list[str] = field(default_factory=list)
    probes_on_current: int = 0
    candidate_questions: int = 0

    @property
    def last(self) -> Turn | None:
        return self.transcript[-1] if self.transcript else None

    @property
    def current_question(self) -> str | None:
        return self.asked[-1] if self.asked else None


def spoken_minutes(text: str) -> float:
    """Simulated speaking time of a turn at about 150 words per minute."""
    return len(text.split()) / WORDS_PER_MINUTE


def segment_elapsed(state: FormatState, segment_id: str) -> float:
    return state.minute - state.segment_start.get(segment_id, state.minute)


def covered_competencies(scenario: Scenario, asked: list[str]) -> set[str]:
    return {c for q in asked for c in scenario.question(q).competencies}


def _question_choices(scenario: Scenario, state: FormatState, rule: QuestionRule) -> tuple[str, ...]:
    unasked = [q.id for q in scenario.question_bank if q.id not in state.asked]
    covered = covered_competencies(scenario, state.asked)
    need = rule.min_competencies - len(covered)
    # Once the remaining minimum questions could no longer cover enough competencies, only new ones are offered.
    if need > 0 and len(state.asked) + need >= rule.min_questions:
        fresh = [q for q in unasked if set(scenario.question(q).competencies) - covered]
        unasked = fresh or unasked
    return tuple(unasked)


def _deep_dive_options(scenario: Scenario, state: FormatState, rule: QuestionRule) -> TurnOptions:
    seg = scenario.segment("deep_dives")
    asked = len(state.asked)
    clock_out = segment_elapsed(state, "deep_dives") >= seg.max_minutes
    probes_left = rule.max_probes_per_question - state.probes_on_current
    enough = asked >= rule.min_questions and len(covered_competencies(scenario, state.asked)) >= rule.min_competencies
    actions: list[str] = []
    if not clock_out:
        if asked < rule.max_questions:
            actions.append("ask")
        answered = state.last is not None and state.last.speaker == "candidate"
        if state.current_question and probes_left > 0 and answered:
            actions.append("probe")
    if clock_out or enough or not actions:
        actions.append("transition")
    questions = _question_choices(scenario, state, rule) if "ask" in actions else ()
    probes = tuple(p.id for p in scenario.probe_categories) if "probe" in actions else ()
    return TurnOptions("deep_dives", tuple(actions), questions, probes)  # type: ignore[arg-type]


def next_options(scenario: Scenario, state: FormatState, rule: QuestionRule | None = None) -> TurnOptions:
    """The segment and actions open to the interviewer's next turn, advancing segments by the rules and the clock;
    `rule` is the scenario's question rule narrowed to the run's interview length (default: the scenario's)."""
    segment = state.segment
    if segment == "intro":
        if not state.transcript:
            return TurnOptions("intro", ("ask",))
        segment = "deep_dives"  # one exchange of introductions, then the deep dives
    if segment == "deep_dives":
        return _deep_dive_options(scenario, state, rule or scenario.question_rule)
    if segment == "candidate_questions":
        clock_out = segment_elapsed(state, "candidate_questions") >= scenario.segment("candidate_questions").max_minutes
        last = state.last
        if not clock_out and last is not None and last.speaker == "candidate" and last.asks_question:
            return TurnOptions("candidate_questions", ("answer_candidate",))
    return TurnOptions("wrap_up", ("close",))


ALL_ACTIONS = ("ask", "probe", "transition", "answer_candidate", "close")


def free_options(scenario: Scenario, state: FormatState) -> TurnOptions:
    """After the opening, every move at every turn: the `free` interviewer keeps the format by itself, or does not."""
    if not state.transcript:
        return TurnOptions("intro", ("ask",))
    segment = "deep_dives" if state.segment == "intro" else state.segment
    questions = tuple(q.id for q in scenario.question_bank)
    return TurnOptions(segment, ALL_ACTIONS, questions, tuple(p.id for p in scenario.probe_categories))  # type: ignore[arg-type]


def segment_after(action: str | None, segment: str) -> str:
    """The segment an interviewer move puts the interview in, read from the move alone."""
    moves = {
        "probe": "deep_dives",
        "transition": "candidate_questions",
        "answer_candidate": "candidate_questions",
        "close": "wrap_up",
    }
    if action == "ask":
        return segment if segment == "intro" else "deep_dives"
    return moves.get(action or "", segment)


def candidate_may_ask(scenario: Scenario, state: FormatState) -> bool:
    """Whether the candidate gets another turn in the candidate-questions segment."""
    clock_out = segment_elapsed(state, "candidate_questions") >= scenario.segment("candidate_questions").max_minutes
    return state.candidate_questions < MAX_CANDIDATE_QUESTIONS and not clock_out


def apply_turn(scenario: Scenario, state: FormatState, turn: Turn) -> None:
    """Advance the state by one spoken turn (segment bookkeeping, question counts, clock)."""
    if turn.segment != state.segment:
        state.segment = turn.segment
        state.segment_start[turn.segment] = state.minute
    if turn.action == "ask" and turn.question_id:
        state.asked.append(turn.question_id)
        state.probes_on_current = 0
    elif turn.action == "probe":
        state.probes_on_current += 1
    if turn.speaker == "candidate" and turn.asks_question:
        state.candidate_questions += 1
    state.transcript.append(turn)
    state.minute += turn.duration_minutes
