"""Labelling interviewer turns from their words alone: segment, action, bank question, probe category.

Any interviewer can be judged this way (a service, a recording), not only the harness's guided one,
whose turns carry their own labels. Two tiers: deterministic rules first (similarity to the bank's
questions, probe and close phrasings, the order of segments), then the judge model for the turns the
rules cannot settle. Each label records which tier set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field

from agents.client import ModelClient
from agents.format_rules import segment_after
from agents.output_schema import list_of, one_of, output_model
from agents.prompting import PromptTemplate
from agents.records import OFF_BANK, AnnotatedAction, Turn, TurnAnnotation
from agents.wording import containment
from scenarios.model import Scenario
from scenarios.strict import StrictModel

# A turn that covers this share of a bank question's content words asks it; between MAYBE and MATCH
# it may be a paraphrase, which only the judge can settle.
BANK_MATCH = 0.5
BANK_MAYBE = 0.25
_I = re.IGNORECASE
CLOSE = re.compile(
    r"\b(thank(s| you)( so much| again)? for (your|the|taking the) time|next steps|we'?ll be in touch|"
    r"(recruiter|recruiting team|someone|we) will (follow up|reach out|be in touch|get back)|that concludes|"
    r"have a (great|good|nice|lovely) (day|evening|afternoon|rest)|goodbye|best of luck)\b",
    _I,
)
INVITE_QUESTIONS = re.compile(r"\b(questions? (do you have )?for me|any questions|what questions|your questions)\b", _I)
PROBE = re.compile(
    r"\b(you mentioned|(can|could) you (say|tell|walk|share|give|quantify|elaborate)|tell me more|how (did|do|would) you|"
    r"what (was|were|did|metrics?|numbers?)|why did you|what would you do differently|how (many|much|big|long)|"
    r"walk me through|go deeper|more specific)\b",
    _I,
)
PROBE_KINDS = {
    "evidence": re.compile(r"\b(metrics?|numbers?|measur\w*|before|after|a/?b|percent|quantif\w*|how much|results?)\b", _I),
    "scope": re.compile(r"\b(team|role|timeline|how (many|big|long)|data ?sets?|tooling|stakeholders?|scale|size)\b", _I),
    "decision_making": re.compile(r"\b(alternatives?|why did you|risks?|trade-?offs?|reviews?|decid\w*|chose|choose)\b", _I),
    "collaboration": re.compile(r"\b(push ?back|influence|stakeholders?|convinc\w*|disagree\w*|align\w*|partner\w*)\b", _I),
    "reflection": re.compile(r"\b(differently|learn\w*|again|hindsight|reflect\w*|change)\b", _I),
}
FOLLOW_UP_WORDS = 40  # a short question right after an answer is most likely a follow-up


@dataclass
class _Reading:
    """Where the interview stands as the rules read it, turn by turn."""

    segment: str = "intro"
    spoke: bool = False
    last_question: str | None = None
    previous_candidate: str = ""


def _best_bank_question(text: str, scenario: Scenario) -> tuple[str | None, float]:
    scored = [(q.id, containment(text, q.text)) for q in scenario.question_bank]
    return max(scored, key=lambda pair: pair[1], default=(None, 0.0))


def _probe_category(text: str) -> str:
    return next((kind for kind, pattern in PROBE_KINDS.items() if pattern.search(text)), "evidence")


Labels = tuple[str, AnnotatedAction, str | None, str | None]


def _other(reading: _Reading) -> Labels:
    """An unsettled turn's labels when no judge settles it: 'other', where the interview stands."""
    return (reading.segment, "other", None, None)


def _rules(text: str, reading: _Reading, scenario: Scenario) -> Labels | None:
    """(segment, action, question id, probe category) when the rules can tell; None when only the judge can."""
    if not reading.spoke:
        return ("intro", "ask", None, None)
    question, similarity = _best_bank_question(text, scenario)
    if similarity >= BANK_MATCH:
        return ("deep_dives", "ask", question, None)
    if CLOSE.search(text) and reading.segment in ("candidate_questions", "wrap_up", "deep_dives"):
        return ("wrap_up", "close", None, None)
    if INVITE_QUESTIONS.search(text) and reading.segment in ("intro", "deep_dives"):
        return ("candidate_questions", "transition", None, None)
    if reading.segment in ("candidate_questions", "wrap_up") and "?" in reading.previous_candidate:
        return ("candidate_questions", "answer_candidate", None, None)
    if reading.segment == "deep_dives" and PROBE.search(text) and similarity < BANK_MAYBE:
        return ("deep_dives", "probe", reading.last_question, _probe_category(text))
    if reading.segment == "deep_dives" and "?" in text and len(text.split()) <= FOLLOW_UP_WORDS and similarity < BANK_MAYBE:
        return None  # a short question after an answer: a follow-up or a new off-bank question
    if similarity >= BANK_MAYBE or "?" in text:
        return None
    return _other(reading)


def _advance(reading: _Reading, label: TurnAnnotation) -> None:
    reading.spoke = True
    reading.segment = label.segment
    if label.action == "ask" and label.question_id:
        reading.last_question = label.question_id


class RulesAnnotator:
    """The rules tier turn by turn, for use while an interview runs (e.g. to notice a close)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.reading = _Reading()

    def candidate_said(self, text: str) -> None:
        self.reading.previous_candidate = text

    def interviewer_said(self, text: str) -> TurnAnnotation:
        """The rules' labels for the next interviewer turn; an unsettled turn is 'other' in its segment."""
        found = _rules(text, self.reading, self.scenario) or _other(self.reading)
        label = TurnAnnotation(segment=found[0], action=found[1], question_id=found[2], probe_category=found[3], tier="rules")
        _advance(self.reading, label)
        return label


def annotations_model(scenario: Scenario, unsettled: list[int]) -> type[StrictModel]:
    """Schema for the judge tier: labels only for the unsettled turns, only from the scenario's ids."""
    label = output_model(
        "TurnLabel",
        StrictModel,
        turn_index=(one_of(unsettled), ...),
        action=(one_of(["ask", "probe", "transition", "answer_candidate", "close", "other"]), ...),
        question_id=(one_of([*(q.id for q in scenario.question_bank), OFF_BANK]) | None, None),
        probe_category=(one_of([p.id for p in scenario.probe_categories]) | None, None),
    )
    return output_model("TurnLabels", StrictModel, labels=(list_of(label), Field(max_length=len(unsettled))))


async def annotate(
    transcript: list[Turn], scenario: Scenario, client: ModelClient | None = None, template: PromptTemplate | None = None
) -> dict[int, TurnAnnotation]:
    """Labels for every interviewer turn, by turn index: rules first, the judge for what they leave open.

    Without a client (`--annotator rules`) the unsettled turns stay 'other', labelled by the rules tier.
    """
    reading = _Reading()
    labels: dict[int, TurnAnnotation] = {}
    unsettled: list[int] = []
    for turn in transcript:
        if turn.speaker == "candidate":
            reading.previous_candidate = turn.text
            continue
        settled = _rules(turn.text, reading, scenario)
        if settled is None:
            unsettled.append(turn.index)
        found = settled or _other(reading)
        labels[turn.index] = TurnAnnotation(
            segment=found[0], action=found[1], question_id=found[2], probe_category=found[3], tier="rules"
        )
        _advance(reading, labels[turn.index])
    if unsettled and client is not None and template is not None:
        verdict = await client.complete(
            "judge",
            template.render(scenario=scenario, transcript=transcript, unsettled=unsettled),
            output_type=annotations_model(scenario, unsettled),
        )
        for item in verdict.model_dump()["labels"]:
            before = labels[item["turn_index"]]
            labels[item["turn_index"]] = TurnAnnotation(
                # A judged ask opens (or continues) the deep dives; every other action moves the segment as a move does.
                segment="deep_dives" if item["action"] == "ask" else segment_after(item["action"], before.segment),
                action=item["action"],
                question_id=item["question_id"] if item["action"] in ("ask", "probe") else None,
                probe_category=item["probe_category"] if item["action"] == "probe" else None,
                tier="judge",
            )
    return labels
