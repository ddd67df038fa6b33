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
from agents.interview.cues import (
    ACK,
    ASKS,
    CANDIDATE_ASKS,
    CLOSE,
    FOLLOW_UP,
    FORMAT_AHEAD,
    LOOKS_BACK,
    NARRATIVE,
    NEW_STORY,
    NEXT_QUESTION,
    REFERS_BACK,
    ends_asking,
    invites_now,
    probe_kind,
    topic_scores,
    without_stage_notes,
)
from agents.interview.format_rules import segment_after
from agents.output_schema import list_of, one_of, output_model
from agents.prompting import PromptTemplate
from agents.records import OFF_BANK, AnnotatedAction, Turn, TurnAnnotation
from agents.wording import containment
from scenarios.model import Scenario
from scenarios.strict import StrictModel

# A turn that covers this share of a bank question's content words asks it, however it is introduced.
BANK_MATCH = 0.5
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
TOPIC_SHIFT = 2  # cues of another question's topic, beyond the current one's, that make a question a new one
ANNOUNCES = re.compile(r"\blet'?s (go|talk|do|switch|move|turn|get)\b")
_SHORT = 8  # words
_NARRATIVE_WORDS = 15  # a follow-up this long asking for a walk-through may be a new question
_TERSE = 3  # "What broke.", "Numbers.": a follow-up, whatever topic its word belongs to
_HEADER_WORDS = 6  # a topic named as a header is a few words
# "After launch.", "In production.": a phrase led by a preposition qualifies the story being told; "Did the customers
# know.": a question without its mark. Neither names a new topic.
_NOT_A_HEADER = re.compile(
    r"\W*(after|before|during|since|until|at|in|on|by|for|with|from|within|without|"
    r"did|do|does|was|were|is|are|can|could|would|have|has|had|will|why|how|what|who|which|when|where)\b"
)
_NAMED_WORDS = 25  # a main question named by its topic alone is short ("Launch under pressure. Tight targets.")
_ACK_WORDS = 40
_ACK_SENTENCE_WORDS = 4  # "Noted.", "That's fair, thanks.": a sentence of acknowledgement
# A candidate reply this long is a story, not a greeting or a line about the weather: the turn before it asked for one.
_STORY_WORDS = 100
# The opening's own request that is answered at length too, and is not a main question: a background summary.
_BACKGROUND = re.compile(
    r"\byourself\b|\byour (background|career|journey)\b|\b(version|summary|rundown|overview|tour) of you\b"
    r"|\b(minutes?|seconds?) (about|on) (you|where you are)\b|\bwhere you are now\b|\bwhat you do day to day\b"
)
# Words that point at what was just said: a request holding one is a follow-up ("Tell me about a time that failed.").
_POINTS_BACK = re.compile(r"\b(it|that|this|those|these|them|there|then|same|again|else|more|other)\b")
_WITHIN_STORY = re.compile(
    r"\b(a|any|one) (moment|point|stage|time) (when|where|that|in which)\b[^.?!]*\b(it|that|this|they|he|she|things)\b"
)
# The interviewer pausing to write, which asks the candidate nothing (a candidate often fills the pause anyway).
_PAUSE_TO_NOTE = re.compile(
    r"\b(give me an? (sec|second|moment|minute)|bear with me|one sec(ond)?|catching up|still typing|(my )?doc is lagging|"
    r"let me (just )?(write|type|note|jot) (that|this|it)( down)?)\b"
)
# A question the interviewer says is not from the bank ("one that's not on my sheet", "why leave now?").
_OFF_THE_LIST = re.compile(
    r"\b(not|isn'?t|wasn'?t) (really )?(on|in|from) (my|the) (sheet|list|guide|script|bank)\b|\boff (my|the) (list|script|sheet)\b|"
    r"\bwhy (leave|trade|move|microsoft)\b|\b(drawing|bringing|brings|draws) you to\b"
)
_ASIDE_WORDS = 12  # a candidate turn this short between two moves is an aside ("Sure.", "Ha, okay.")


@dataclass
class _Reading:
    """Where the interview stands as the rules read it, turn by turn."""

    segment: str = "intro"
    spoke: bool = False
    asked: bool = False  # a main question has been asked
    last_question: str | None = None
    just_asked: bool = False  # the last move was a main question (acknowledgements aside)
    previous_candidate: str = ""
    heard: int = 0  # candidate turns so far


@dataclass(frozen=True)
class Guess:
    """The rules' labels for a turn, and whether their patterns settle it (`sure`) or only the judge can."""

    segment: str
    action: AnnotatedAction
    question_id: str | None = None
    probe_category: str | None = None
    sure: bool = True


def _bank_question(low: str, scenario: Scenario, current: str | None) -> str:
    """The bank question a main question asks: the one whose text it mostly repeats, else the one whose cues it uses
    most (the current question losing ties), else off_bank."""
    texts = [(q.id, containment(low, q.text)) for q in scenario.question_bank]
    best, share = max(texts, key=lambda pair: pair[1], default=(None, 0.0))
    if best is not None and share >= BANK_MATCH:
        return best
    if _OFF_THE_LIST.search(low):
        return OFF_BANK
    scores = topic_scores(low, tuple(scenario.question_bank))
    top = max(scores.values(), default=0)
    if top == 0:
        return OFF_BANK
    leaders = [qid for qid, score in scores.items() if score == top]
    others = [qid for qid in leaders if qid != current]
    return others[0] if others else leaders[0]


def _changes_topic(low: str, scenario: Scenario, current: str | None, margin: int = 0) -> bool:
    """A question that speaks mostly of another bank question's topic than the one being discussed
    ("Okay, ownership. A launch where reliability really mattered. How did you plan it?")."""
    scores = topic_scores(low, tuple(scenario.question_bank))
    best = max(scores, key=lambda qid: scores[qid])
    shift = margin or TOPIC_SHIFT
    return best != current and scores[best] >= shift and scores[best] >= scores.get(current or "", 0) + shift


def _topic_header(low: str, scenario: Scenario, current: str | None) -> bool:
    """The turn opens by naming another question's topic in a few words ("Customer feedback.", "Okay, launches.",
    "Potential harm you found."), then asks about it."""
    head = _SENTENCE.split(_after_acks(low))[0]
    return (
        not _NOT_A_HEADER.match(head)
        and len(head.split()) <= _HEADER_WORDS
        and "?" not in head
        and _changes_topic(head, scenario, current, margin=1)
    )


def _after_acks(low: str) -> str:
    """The turn without its short acknowledgements ("Okay.", "Got it.")."""
    return " ".join(x for x in _SENTENCE.split(low) if not (ACK.search(x) and len(x.split()) <= 2))


def _acknowledges(low: str) -> bool:
    """An acknowledgement or comment with no question in it ("Okay, got it.", "Ha, classic. Okay, cool.", "Noted.
    Mm.", a long aside about the interviewer's own team, "Noting: ships Fridays. Give me a second, I'm typing.")."""
    if "?" not in low and _PAUSE_TO_NOTE.search(low):
        return True
    if ASKS.search(low) or NARRATIVE.search(low):
        return False
    words = len(low.split())
    if (ACK.search(low) and words <= _ASIDE_WORDS) or words > _ACK_WORDS:
        return True
    return all(ACK.search(x) and len(x.split()) <= _ACK_SENTENCE_WORDS for x in _SENTENCE.split(low))


def _opening_request(low: str) -> str:
    """The part of an opening turn that can ask for a story: its last two sentences (the turn before them explains the
    format, introduces the team, or reminds of confidentiality)."""
    return " ".join(_SENTENCE.split(low)[-2:])


def _guess(text: str, reading: _Reading, scenario: Scenario, reply: str | None = None) -> Guess:
    """The rules' reading of one interviewer turn; `reply` is what the candidate said next, when known (a recording)."""
    low = without_stage_notes(text.lower())
    segment = reading.segment
    candidate_asked = bool(reading.previous_candidate) and bool(CANDIDATE_ASKS.search(reading.previous_candidate.lower()))
    asks = bool(ASKS.search(low))
    answered = bool(reading.previous_candidate)  # the candidate spoke since the interviewer's last turn
    candidate_ends_asking = ends_asking(reading.previous_candidate)
    if candidate_asked and candidate_ends_asking and segment == "intro" and not NEW_STORY.search(low) and not asks:
        return Guess("intro", "answer_candidate")  # a question about the role or the format, answered
    if candidate_asked and segment in ("candidate_questions", "wrap_up"):
        # After the candidate's question comes the answer; a main question asked here breaks the format (a reader
        # should confirm it).
        story_asked = bool(NEXT_QUESTION.search(low)) or (
            ends_asking(low) and _topic_header(low, scenario, reading.last_question)
        )
        # An answer full of a bank question's words ("customers", "feedback", "telemetry") asks nothing: no question.
        if ("?" in low or NEW_STORY.search(low)) and (
            story_asked or max((containment(low, q.text) for q in scenario.question_bank), default=0) >= BANK_MATCH
        ):
            return Guess("deep_dives", "ask", _bank_question(low, scenario, reading.last_question), sure=False)
        # Once the close has begun, a last question ("Anything else you need from me?") is answered in the close.
        return Guess("wrap_up" if segment == "wrap_up" else "candidate_questions", "answer_candidate")
    if candidate_asked and candidate_ends_asking and segment == "deep_dives" and not asks and not NEW_STORY.search(low):
        # The candidate asked and the interviewer only tells: an answer (about the team, or what a question meant),
        # not a main question, however many topic words it uses.
        return Guess(segment, "other")
    # Before any question, an opening that describes the format ("...then ten minutes for your questions") neither
    # invites questions now nor asks for a story.
    describes_format = not reading.asked and bool(FORMAT_AHEAD.search(low))
    # An invitation that ends the turn is what the candidate answers, whatever came before it ("...so let's do your
    # questions now, and then back to stories. What would you like to ask me?").
    invites_last = reading.asked and ends_asking(low) and invites_now(_SENTENCE.split(low.strip())[-1])
    if (
        (segment != "candidate_questions" or not answered)
        and invites_now(low)
        and (not NEW_STORY.search(low) or invites_last)
        and not describes_format
    ):
        if reading.asked:
            return Guess("candidate_questions", "transition")
        # Before the first main question an invitation mostly describes the format ("...and in the end ten minutes
        # for your questions"): the reply tells, a question back opening the candidate's questions early.
        if reply is None:
            return Guess("candidate_questions", "transition", sure=False)
        if CANDIDATE_ASKS.search(reply.lower()) and len(reply.split()) > _TERSE:
            return Guess("candidate_questions", "transition")
        return Guess(segment, "other")
    if CLOSE.search(low) and not asks and (reading.asked or segment != "intro"):
        return Guess("wrap_up", "close")
    if (
        CLOSE.search(low)
        and segment in ("candidate_questions", "wrap_up")
        and not NEXT_QUESTION.search(low)
        and not NEW_STORY.search(low)
    ):
        return Guess("wrap_up", "close", sure=False)
    requested = low if reading.asked else _opening_request(low)
    repeats_bank = max((containment(low, q.text) for q in scenario.question_bank), default=0) >= BANK_MATCH
    scores = topic_scores(requested, tuple(scenario.question_bank))
    topical = max(scores.values(), default=0) > 0
    # "Tell me about some feedback you got.": a story asked for in the imperative, on another question's topic.
    announced = bool(NEW_STORY.search(requested)) and bool(
        ASKS.search(requested)
        or NEXT_QUESTION.search(requested)
        or (reading.asked and _changes_topic(low, scenario, reading.last_question, margin=1))
    )
    announced = announced or (bool(NEXT_QUESTION.search(low)) and asks)
    announced = announced and not describes_format
    if reading.asked and _WITHIN_STORY.search(low) and not NEXT_QUESTION.search(low):
        # "Was there a moment where it almost went sideways?": a moment of the story being told, not a new story.
        announced = announced and _changes_topic(low, scenario, reading.last_question, margin=1)
    # "Launch under pressure. Tight reliability or latency targets.": a new topic named after an answer, no question mark.
    named = (
        reading.asked
        and answered
        and (not asks or _topic_header(low, scenario, reading.last_question))
        and not REFERS_BACK.search(low)
        and _TERSE < len(low.split()) <= _NAMED_WORDS
        and _changes_topic(low, scenario, reading.last_question, margin=1)
        and not _acknowledges(_after_acks(low) or low)
    )
    headed = reading.asked and bool(NEXT_QUESTION.search(low)) and topical
    # A question full of another topic's words is a new main question, unless it looks back on the story being told.
    shifted = reading.asked and asks and _changes_topic(low, scenario, reading.last_question) and not LOOKS_BACK.search(low)
    story = repeats_bank or announced or headed or named or (shifted and not REFERS_BACK.search(low))
    # "Tell me about someone you clashed with.": a terse request for a new story, after an answer, pointing at nothing
    # said before, opens a new story however short.
    fresh = (
        reading.asked
        and answered
        and bool(NEW_STORY.match(_after_acks(low)))
        and not REFERS_BACK.search(low)
        and not _POINTS_BACK.search(low)
    )
    story = story or fresh
    if (
        reading.asked
        and (REFERS_BACK.search(low) or (len(low.split()) <= _SHORT and not fresh))
        and not (NEXT_QUESTION.search(low) or repeats_bank or named)
    ):
        story = False  # "What's an example of one?", "And something went wrong?": a follow-up on the story being told
    if story:
        question = _bank_question(low, scenario, reading.last_question)
        if (
            question == reading.last_question
            and reading.just_asked
            and len(reading.previous_candidate.split()) <= 2 * _ASIDE_WORDS
        ):
            # "Sorry, you cut out, was it about latency?" "A launch where latency mattered...": the question said again.
            return Guess(segment, "other")
        # A new story on the same topic as the current question may be a follow-up; after the close, a new question
        # breaks the format, which only a reader can confirm.
        same_topic = question == reading.last_question and not NEW_STORY.search(low[:60])
        return Guess("deep_dives", "ask", question, sure=not same_topic and segment not in ("wrap_up",))
    if reading.asked and segment == "deep_dives" and answered and not _acknowledges(low) and (asks or len(low.split()) <= _SHORT):
        # After an answer, anything that is not an acknowledgement follows up ("Numbers. Before and after.").
        plain = len(low.split()) <= _SHORT or bool(FOLLOW_UP.search(low)) or bool(REFERS_BACK.search(low))
        drifts = _changes_topic(low, scenario, reading.last_question, margin=1)
        narrative = bool(NARRATIVE.search(low)) and (len(low.split()) > _NARRATIVE_WORDS or bool(ANNOUNCES.search(low)))
        sure = (plain or not drifts) and not narrative and (asks or len(low.split()) <= _SHORT)
        return Guess("deep_dives", "probe", reading.last_question or OFF_BANK, probe_kind(low), sure=sure)
    if asks and segment in ("candidate_questions", "wrap_up") and not candidate_asked:
        return Guess(segment, "other", sure=False)
    return Guess(segment, "other")


def _merge_announcement(labels: dict[int, TurnAnnotation], transcript: list[Turn], index: int) -> None:
    """Two moves of one kind in a row, the first asking nothing, with at most a word from the candidate between them,
    are one move announced and then made ("Okay, last one, and it's a lighter one." ... "What's something you've learned recently?", or
    "Let me hand it over to you." then "What would you like to know?"): the announcement becomes 'other'."""
    now = labels[index]
    before = [t for t in transcript[:index] if t.speaker == "interviewer"]
    if not before or now.action not in ("ask", "transition"):
        return
    previous = before[-1]
    between = [t for t in transcript[previous.index + 1 : index] if t.speaker == "candidate"]
    if previous.index in labels and labels[previous.index].action == now.action and "?" not in previous.text:
        if all(len(t.text.split()) <= _ASIDE_WORDS for t in between):
            update: dict[str, object] = {"action": "other", "question_id": None}
            if now.action == "ask":
                update["segment"] = labels[previous.index].segment
            labels[previous.index] = labels[previous.index].model_copy(update=update)


def _advance(reading: _Reading, label: TurnAnnotation) -> None:
    reading.spoke = True
    if label.action != "other":
        reading.previous_candidate = ""  # the candidate has this move to answer before it "answered" again
        reading.just_asked = label.action == "ask"
    reading.segment = label.segment
    if label.action == "ask":
        reading.asked = True
        reading.last_question = label.question_id


def _label(guess: Guess) -> TurnAnnotation:
    return TurnAnnotation(
        segment=guess.segment,
        action=guess.action,
        question_id=guess.question_id,
        probe_category=guess.probe_category,
        tier="rules",
        sure=guess.sure,
    )


class RulesAnnotator:
    """The rules tier turn by turn, for use while an interview runs (e.g. to notice a close)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.reading = _Reading()

    def candidate_said(self, text: str) -> None:
        self.reading.previous_candidate = text
        self.reading.heard += 1

    def interviewer_said(self, text: str) -> TurnAnnotation:
        """The rules' labels for the next interviewer turn (their best guess where they cannot settle it)."""
        label = _label(_guess(text, self.reading, self.scenario))
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


def _rules_pass(transcript: list[Turn], scenario: Scenario, forced: dict[int, Guess] | None = None) -> dict[int, TurnAnnotation]:
    """The rules' labels turn by turn; `forced` gives turns whose reading the candidate's reply settled."""
    reading = _Reading()
    labels: dict[int, TurnAnnotation] = {}
    for k, turn in enumerate(transcript):
        if turn.speaker == "candidate":
            reading.previous_candidate = turn.text
            reading.heard += 1
            continue
        reply = _reply(transcript, k)
        guess = (forced or {}).get(turn.index) or _guess(turn.text, reading, scenario, reply.text if reply else "")
        labels[turn.index] = _label(guess)
        _merge_announcement(labels, transcript, turn.index)
        _advance(reading, labels[turn.index])
    return labels


def _reply(transcript: list[Turn], k: int) -> Turn | None:
    """The candidate's turn right after position `k`; None when the interviewer speaks again first (or nobody does)."""
    following = transcript[k + 1] if k + 1 < len(transcript) else None
    return following if following is not None and following.speaker == "candidate" else None


def _first_question(transcript: list[Turn], labels: dict[int, TurnAnnotation], scenario: Scenario) -> dict[int, Guess]:
    """Where the rules' first main question disagrees with what the candidate did, the reply decides (unsure, for a
    reader to confirm): an opening turn that asks something and draws a story-length answer asks the first main
    question, though tailored to the CV it matches no phrasing of one ("So you moved the bank onto Azure. The cutover,
    how did you plan it?"); a first 'question' that draws a few words and names no topic of the bank was small talk
    ("Let me move closer to the router. Is that better?")."""
    for k, turn in enumerate(transcript):
        label = labels.get(turn.index)
        if label is None:
            continue
        low = turn.text.lower()
        reply = _reply(transcript, k)
        words = len(reply.text.split()) if reply is not None else 0
        if label.action == "ask":
            bank = max(topic_scores(low, tuple(scenario.question_bank)).values(), default=0)
            if words <= _ASIDE_WORDS and not bank and reply is not None:
                return {turn.index: Guess(label.segment if label.segment != "deep_dives" else "intro", "other", sure=False)}
            return {}
        if label.segment not in ("intro", "deep_dives"):
            return {}
        # Read as the deep dives already but as no question, a first question must also name a bank topic
        # ("Fuzziest problem you've been handed. How did you make it tractable?").
        topical = label.segment == "intro" or max(topic_scores(low, tuple(scenario.question_bank)).values(), default=0) > 0
        if (
            words >= _STORY_WORDS
            and topical
            and ASKS.search(low)
            and not _BACKGROUND.search(low)
            and not FORMAT_AHEAD.search(low)
        ):
            return {turn.index: Guess("deep_dives", "ask", _bank_question(low, scenario, None), sure=False)}
    return {}


async def annotate(
    transcript: list[Turn], scenario: Scenario, client: ModelClient | None = None, template: PromptTemplate | None = None
) -> dict[int, TurnAnnotation]:
    """Labels for every interviewer turn, by turn index: rules first, the judge for what they leave open.

    Without a client (`--annotator rules`) an unsettled turn keeps the rules' best guess, marked not sure.
    """
    labels = _rules_pass(transcript, scenario)
    if forced := _first_question(transcript, labels, scenario):
        labels = _rules_pass(transcript, scenario, forced)
        # A false start set aside, the real first question may now need the reply's reading too.
        if more := _first_question(transcript, labels, scenario):
            labels = _rules_pass(transcript, scenario, forced | more)
    unsettled = [index for index, label in labels.items() if not label.sure]
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
