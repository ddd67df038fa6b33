"""Interviewer conformance: did one interview follow the scenario's format and stay off forbidden ground.

Pure functions over an `InterviewResult`; the run aggregates them into rates. Every check says pass (True), fail
(False) or unsure (None). The rules settle what their patterns settle: a turn the annotator could not settle, or words
that may be innocent in context, leave a check unsure rather than failed. Where the judge has read the interview, its
verdicts settle what the rules leave open, and a rule's hit it contradicts is a disagreement, not a failure
(`disagreements`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from agents.interview.annotation import BANK_MATCH
from agents.interview.cues import CANDIDATE_ASKS, INVITE, NARRATIVE, NEW_STORY, NEXT_QUESTION, ends_asking, invites_now
from agents.records import InterviewResult, TopicViolation, Turn, structured_moves
from agents.wording import containment
from evals.metrics.format_cues import (
    ASSESSMENT_TALK,
    BRUSH_OFF,
    CONFIDENTIALITY_SAID,
    CONFIDENTIALITY_TOPIC,
    GUIDANCE_SAID,
    GUIDANCE_TOPIC,
    LEADING,
    LEADING_HINT,
    NEXT_STEPS_SAID,
    NEXT_STEPS_TOPIC,
    ORIGIN_TALK,
    PERSONAL_LIFE,
    TIMELINE,
)
from evals.metrics.topic_screen import WORK_CONTEXT, alternatives_pattern, screen_interviewer_text
from scenarios.model import SEGMENT_ORDER, Scenario

Verdict = bool | None  # True pass, False fail, None unsure

CONFORMANCE_CHECKS: tuple[str, ...] = (
    "question_count",
    "competency_coverage",
    "segment_order",
    "segment_budget",
    "total_time",
    "intro_confidentiality",
    "intro_guidance",
    "probing",
    "candidate_questions_offered",
    "candidate_questions_answered",
    "next_steps_stated",
    "no_prohibited_topics",
    "no_rubric_leak",
    "no_leading_questions",
    "interviewer_talk_share",
)

# What each check asks, in words: shown to the judge for the checks the rules leave unsure, and in the reports.
CHECK_QUESTIONS: dict[str, str] = {
    "question_count": "Did the interviewer ask between 5 and 7 main behavioural questions (new stories, not follow-ups) in all?",
    "competency_coverage": "Did the main questions, together, target at least 4 of the 6 competencies?",
    "segment_order": "Did the parts that happened (introductions, deep dives, the candidate's questions, wrap-up) come in "
    "that order, each in one stretch?",
    "intro_confidentiality": "Did the interviewer give a confidentiality reminder at the start?",
    "intro_guidance": "Did the interviewer give guidance at the start on how to pace a story (setup, deep dive, results)?",
    "probing": "Did the interviewer follow up at least once on more than half of the main questions?",
    "candidate_questions_offered": "Did the interviewer invite the candidate to ask their own questions?",
    "candidate_questions_answered": "Did every question the candidate asked get a real answer (true when none were asked)?",
    "next_steps_stated": "Did the closing say what happens next and roughly when?",
    "no_prohibited_topics": "Did the interviewer stay off every prohibited topic (asking about or commenting on it)?",
    "no_rubric_leak": "Did the interviewer keep the scoring to themselves (no levels, scores, hire bar or what a top score needs)?",
    "no_leading_questions": "Did the interviewer avoid every leading question (one that tells the candidate the answer wanted)?",
}

# Simulated minutes are rounded to 3 decimals by the graph; this absorbs the rounding.
MINUTE_TOLERANCE = 0.01
# The interviewer may speak at most this share of the words: the candidate does the talking in a behavioural interview.
MAX_TALK_SHARE = 0.5
# Read from words, the opening ends by this minute at the latest.
OPENING_MINUTES = 10.0
# The interviewer's last turns, read as the closing whatever segment they were read in.
CLOSING_TURNS = 3
# A candidate turn this long tells a story: the turn before it asked a main question.
STORY_WORDS = 100
# A reply this long to a candidate's question, with no brush-off and no question back, answers it.
ANSWER_WORDS = 10
# A brush-off this short gives nothing else: the question went unanswered.
BRUSH_OFF_WORDS = 25
_ASKS_BACK = re.compile(r"\byou\b[^.?!]*\?|\?[^.?!]*\byou\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TO_YOU = re.compile(r"\byou(r|rs|rself|'re|'ve|'d|'ll)?\b")
# Talk about how the candidate's answers are assessed (not about a model's scores or a judge's calibration).
_ABOUT_ANSWERS = re.compile(
    r"\b(answers?|stor(y|ies)|people who|candidates?|interview\w*|this round|the loop|doing (well|great|fine))\b|"
    r"\b(scor\w*|rat(e|ed|ing)|grad(e|ed|ing)|mark(s|ed)?|put|land) (you|yours?)\b|\byour (scores?|ratings?|grades?|marks?|level)\b"
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


def between(low: int, high: int, least: int, most: int) -> Verdict:
    """Whether a count known to lie in [low, high] is within [least, most]: settled only when the whole range agrees."""
    if least <= low and high <= most:
        return True
    if high < least or low > most:
        return False
    return None


class _Reading:
    """One interview's interviewer turns as the checks read them."""

    def __init__(self, result: InterviewResult):
        self.turns = result.transcript
        self.structured = structured_moves(result.source)
        self.interviewer = [t for t in self.turns if t.speaker == "interviewer"]

    @functools.cached_property
    def sentences(self) -> list[str]:
        """Every interviewer sentence, lower-cased."""
        return [x for t in self.interviewer for x in _SENTENCE.split(t.text.lower())]

    def unsure(self, turn: Turn) -> bool:
        """A turn whose labels are only the rules' guess (no judge read it); a guided interviewer's are its own."""
        return not self.structured and turn.annotation is not None and not turn.annotation.sure

    def asks(self) -> list[Turn]:
        return [t for t in self.interviewer if t.action == "ask" and t.segment != "intro"]

    def intro(self) -> list[Turn]:
        return [t for t in self.interviewer if t.segment == "intro"]

    def opening(self) -> list[Turn]:
        """What the interviewer said at the start: the intro, and, read from words, everything before the second main
        question within the first minutes (role context and ground rules are often read as the first question, and
        a reminder given just before the first story is still given at the start)."""
        if self.structured:
            return self.intro()
        asks = [k for k, t in enumerate(self.interviewer) if t.action == "ask" and t.segment != "intro" and not self.unsure(t)]
        cut = asks[1] if len(asks) > 1 else len(self.interviewer)
        return [t for k, t in enumerate(self.interviewer) if t.segment == "intro" or (k < cut and t.minute < OPENING_MINUTES)]

    def answers_a_question(self, turn: Turn) -> bool:
        """Whether the candidate's turn before this one ended by asking a question (a story may ask one on the way)."""
        earlier = self.turns[: turn.index]
        asked = next((t for t in reversed(earlier) if t.speaker == "candidate"), None)
        return asked is not None and ends_asking(asked.text)

    def draws_story(self, turn: Turn) -> bool:
        """Whether the candidate's next turn tells a story, as the answer to a main question does."""
        later = self.turns[turn.index + 1 :]
        reply = next((t for t in later if t.speaker == "candidate"), None)
        return reply is not None and len(reply.text.split()) >= STORY_WORDS


def _in_order(segments: list[str]) -> bool:
    """Each segment in one stretch, in the scenario's order (a segment may be missing: its own check says so)."""
    runs = [s for k, s in enumerate(segments) if k == 0 or segments[k - 1] != s]
    known = [s for s in runs if s in SEGMENT_ORDER]
    return len(known) == len(set(known)) and known == sorted(known, key=SEGMENT_ORDER.index) and len(known) == len(runs)


def _end_minute(turns: list[Turn]) -> float:
    last = turns[-1]
    return last.minute + last.duration_minutes


def _spent(turns: list[Turn]) -> dict[str, float]:
    """Minutes per segment, each turn lasting until the next one starts."""
    spent: dict[str, float] = {}
    for k, turn in enumerate(turns):
        end = turns[k + 1].minute if k + 1 < len(turns) else _end_minute(turns)
        spent[turn.segment] = spent.get(turn.segment, 0.0) + max(0.0, end - turn.minute)
    return spent


def _within_budget(reading: _Reading, scenario: Scenario) -> Verdict:
    """Every segment within its budget. Read from the words, a segment's edges are uncertain: an overrun that the
    unused minutes of the segments beside it could absorb (its edge may sit elsewhere) is unsure, and so is any
    overrun when a segment went unread."""
    budgets: dict[str, float] = {s.id: s.max_minutes for s in scenario.segments}
    spent = _spent(reading.turns)
    # Segments the scenario does not know have no budget; segment_order reports them.
    over = {
        seg: minutes - budgets[seg]
        for seg, minutes in spent.items()
        if seg in budgets and minutes > budgets[seg] + MINUTE_TOLERANCE
    }
    if not over:
        return True
    if reading.structured:
        return False
    order: list[str] = [seg for seg in SEGMENT_ORDER if seg in budgets]
    if any(seg not in spent for seg in order):
        return None  # a segment went unread: its minutes sit in a neighbour's, and every edge is in doubt

    def spare(seg: str) -> float:
        k = order.index(seg)
        beside = order[max(0, k - 1) : k] + order[k + 1 : k + 2]
        return sum(max(0.0, budgets[n] - spent.get(n, 0.0)) for n in beside)

    return False if any(minutes > spare(seg) + MINUTE_TOLERANCE for seg, minutes in over.items()) else None


def _said(turns: list[Turn], said: re.Pattern[str], topic: re.Pattern[str]) -> Verdict:
    """Whether the interviewer said something: settled by `said`; surely not when no turn uses a `topic` word."""
    texts = [t.text.lower() for t in turns]
    if any(said.search(x) for x in texts):
        return True
    return None if any(topic.search(x) for x in texts) else False


def _question_count(reading: _Reading, scenario: Scenario) -> Verdict:
    rule = scenario.question_rule
    asks = reading.asks()
    sure = [t for t in asks if not reading.unsure(t)]
    # An unsure ask may be a follow-up; an unsure follow-up that asks for a story may be a new main question.
    maybe = [t for t in asks if reading.unsure(t)] + [t for t in reading.interviewer if _may_ask(reading, t)]
    if not reading.structured:
        maybe = [t for t in maybe if reading.draws_story(t)]  # a turn that drew no story asked no main question
        # Read from words, a main question that drew no story may have been none (small talk, an answer to the
        # candidate, the close), or one the candidate had no story for: it may count, or not, unless its words ask
        # for a story.
        silent = [t for t in sure if not reading.draws_story(t) and not _asks_for_story(t.text.lower(), scenario)]
        sure = [t for t in sure if t not in silent]
        maybe += silent
    low = len(sure)
    high = len(sure) + len(maybe)
    if not reading.structured and low > rule.max_questions and sum(reading.draws_story(t) for t in sure) <= rule.max_questions:
        # Too many only when enough of them drew a story: a follow-up read as a new question draws a sentence or two
        # more often than a story.
        return None
    return between(low, high, rule.min_questions, rule.max_questions)


def _asks_for_story(low: str, scenario: Scenario) -> bool:
    """Words that ask for a new story whatever the reply: a story requested, the next question announced, a bank
    question read out."""
    bank = max((containment(low, q.text) for q in scenario.question_bank), default=0.0)
    return bool(NEW_STORY.search(low) or NEXT_QUESTION.search(low)) or bank >= BANK_MATCH


def _may_ask(reading: _Reading, turn: Turn) -> bool:
    """An unsure turn read as something else that asks for a story, as a main question does."""
    low = turn.text.lower()
    return (
        reading.unsure(turn)
        and turn.action != "ask"
        and turn.segment in ("deep_dives", "wrap_up")
        and bool(NEW_STORY.search(low) or NARRATIVE.search(low))
    )


def _coverage(reading: _Reading, scenario: Scenario) -> Verdict:
    known = {q.id for q in scenario.question_bank}
    asks = reading.asks()
    targets = [scenario.question(t.question_id).competencies for t in asks if not reading.unsure(t) and t.question_id in known]
    covered = {c for competencies in targets for c in competencies}
    open_asks = [t for t in asks if reading.unsure(t) or t.question_id not in known]
    open_asks += [t for t in reading.interviewer if _may_ask(reading, t)]
    need = scenario.question_rule.min_competencies
    if len(covered) >= need and (reading.structured or len({competencies[0] for competencies in targets}) >= need):
        return True
    if len(covered) >= need:
        # Read from the words, a count reached only through a question's second competency is unsure: a paraphrased
        # failure story shows ownership, and growth mindset only if it asked what was learned; a reader decides.
        return None
    most = max((len(q.competencies) for q in scenario.question_bank), default=1)
    return False if len(covered) + most * len(open_asks) < need else None


# The moves that place a turn in its segment beyond doubt, when the rules are sure of them and the candidate's words
# beside them agree: a main question that drew a story, an answer to a question the candidate asked, the close. An
# invitation alone is no anchor: "Any questions, any finding?" may ask about the story.
_SEGMENT_MOVES = {"ask": "deep_dives", "answer_candidate": "candidate_questions", "close": "wrap_up"}


def _segment_order(reading: _Reading) -> Verdict:
    """In order when every turn's segment is; out of order only when the turns that anchor a segment are out of order
    too: a follow-up, an aside or an answer read in the wrong segment moves a boundary, not the order."""
    if _in_order([t.segment for t in reading.turns]):
        return True if _in_order([t.segment for t in reading.turns if not reading.unsure(t)]) else None
    if reading.structured:
        return False
    anchors = [
        t.segment
        for t in reading.interviewer
        if not reading.unsure(t)
        and (t.segment == "intro" or _SEGMENT_MOVES.get(str(t.action)) == t.segment)
        and (t.action != "ask" or reading.draws_story(t))
        and (t.action != "answer_candidate" or reading.answers_a_question(t))
    ]
    return None if _in_order(anchors) else False


def _probing(reading: _Reading) -> Verdict:
    """More than half the main questions followed up at least once."""
    probed_low = probed_high = asked = 0
    follow: list[Turn] = []
    for turn in [*reading.interviewer, None]:
        if turn is None or turn.action == "ask" and turn.segment != "intro":
            if follow or asked:
                if follow:
                    probed_low += any(t.action == "probe" and not reading.unsure(t) for t in follow)
                    probed_high += any(t.action == "probe" or reading.unsure(t) for t in follow)
            if turn is None:
                break
            asked += 1
            follow = []
            continue
        if asked and turn.segment == "deep_dives":
            follow.append(turn)
    if not asked:
        return None
    if 2 * probed_low > asked:
        return True
    return False if 2 * probed_high <= asked else None


def _offered(reading: _Reading) -> Verdict:
    if any(
        t.action == "transition" and t.segment == "candidate_questions" and not reading.unsure(t) for t in reading.interviewer
    ):
        return True
    if any(invites_now(t.text.lower()) for t in reading.interviewer):
        return True
    # The annotator moves to the candidate-questions segment only on an invitation or an answer to the candidate.
    if not reading.structured and any(t.segment == "candidate_questions" and not reading.unsure(t) for t in reading.interviewer):
        return True
    late = reading.interviewer[len(reading.interviewer) // 2 :]
    return None if any(INVITE.search(t.text.lower()) or "question" in t.text.lower() for t in late) else False


def _answered(reading: _Reading) -> Verdict:
    """Every question the candidate asked in the candidate-questions segment got a real answer."""
    turns = reading.turns
    verdicts: list[Verdict] = []
    for k, turn in enumerate(turns):
        if turn.speaker != "candidate" or turn.segment != "candidate_questions":
            continue
        if not (turn.asks_question or CANDIDATE_ASKS.search(turn.text.lower())):
            continue
        reply = next((t for t in turns[k + 1 :] if t.speaker == "interviewer"), None)
        if reply is None:
            verdicts.append(False)
            continue
        if reading.structured:
            verdicts.append(reply.action == "answer_candidate")
            continue
        low, words = reply.text.lower(), len(reply.text.split())
        if BRUSH_OFF.search(low):
            verdicts.append(False if words < BRUSH_OFF_WORDS else None)
        elif any(_ASKS_BACK.search(x) for x in _SENTENCE.split(low) if "?" in x) and words <= 8 * ANSWER_WORDS:
            verdicts.append(None)  # a question back to the candidate may answer, or change the subject
        else:
            verdicts.append(True if words >= ANSWER_WORDS else None)
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _next_steps(reading: _Reading) -> Verdict:
    """The closing tells the candidate what happens next, and when."""
    # The closing is the wrap-up, and whatever the interviewer said after the last question's follow-ups (a close the
    # annotator missed is still the close).
    last = max((k for k, t in enumerate(reading.interviewer) if t.action in ("ask", "probe")), default=len(reading.interviewer))
    closing = [
        t
        for k, t in enumerate(reading.interviewer)
        if t.segment == "wrap_up" or t.action == "close" or (k > last and t.segment == "deep_dives")
    ]
    # The last things said close, whatever segment or move they were read as (the close often follows an answer to
    # the candidate's last question in the same breath), but an answer about the team tells no next step, unless it
    # is the last thing said.
    final = reading.interviewer[-1]
    closing += [
        t for t in reading.interviewer[-CLOSING_TURNS:] if t not in closing and (t.action != "answer_candidate" or t is final)
    ]
    text = " ".join(t.text.lower() for t in closing)
    if NEXT_STEPS_SAID.search(text) and TIMELINE.search(text):
        return True
    return None if NEXT_STEPS_TOPIC.search(text) else False


def _leading(reading: _Reading) -> Verdict:
    questions = [t.text.lower() for t in reading.interviewer if t.segment == "deep_dives" and "?" in t.text]
    if any(LEADING.search(s) for q in questions for s in [q, *_SENTENCE.split(q)]):  # some leads span two sentences
        return False
    return None if any(LEADING_HINT.search(q) for q in questions) else True


def _violation(kind: str, screened: list[TopicViolation], judged: list[TopicViolation] | None, reading: _Reading) -> Verdict:
    """A prohibited topic or rubric leak: the judge's reading where it read the interview, else the screen's (a sure
    hit fails, an unsure one is unsure). Without a hit, the interview passes only when the interviewer never talked
    about the candidate's life (or about assessment): such talk can cross the line in words no pattern knows."""
    if judged is not None:
        return not any(v.kind == kind for v in judged)
    hits = [v for v in screened if v.kind == kind]
    if any(v.sure for v in hits):
        return False
    if hits:
        return None
    if kind == "rubric_leak":
        # Assessment words said about the candidate's answers, not about models, judges or data.
        talk = [
            x for x in reading.sentences if ASSESSMENT_TALK.search(x) and _ABOUT_ANSWERS.search(x) and not WORK_CONTEXT.search(x)
        ]
        return None if talk else True
    # Life outside work, said to the candidate about the candidate (not about models, data or the team's work).
    personal = [x for x in reading.sentences if _TO_YOU.search(x) and not WORK_CONTEXT.search(x)]
    if any(_about_you(PERSONAL_LIFE, x) for x in personal):
        return None
    # Where people come from, whoever it is said of ("Brazilian people are warm with customers"), unless an accent
    # is the work's subject ("the accent groups in the test set").
    if any(_origin_talk(x) for x in reading.sentences):
        return None
    return True


def _origin_talk(sentence: str) -> bool:
    subject = bool(WORK_CONTEXT.search(sentence)) and not _YOUR.search(sentence)
    return any(found.group(0) != "accent" or not subject for found in ORIGIN_TALK.finditer(sentence))


_YOUR = re.compile(r"\byour\b")
# "My wife will tell you": the interviewer's own life, or someone else's, is not the candidate's.
_SOMEONE_ELSES = re.compile(r"\b(my|our|his|her|their)\s+$")


def _about_you(pattern: re.Pattern[str], sentence: str) -> bool:
    """Whether a life word in the sentence is not said of the interviewer or of someone else."""
    return any(not _SOMEONE_ELSES.search(sentence[: found.start()]) for found in pattern.finditer(sentence))


def talk_share(turns: Iterable[tuple[str, str]]) -> float | None:
    """The interviewer's share of the words spoken, from (speaker, text) pairs; None for no words."""
    words = {"interviewer": 0, "candidate": 0}
    for speaker, text in turns:
        words[speaker] += len(text.split())
    total = sum(words.values())
    return words["interviewer"] / total if total else None


def unsure_checks(result: InterviewResult, scenario: Scenario) -> dict[str, str]:
    """The checks the rules leave unsure on this interview, each with its question for the judge."""
    verdicts = check_interview(result, scenario)
    return {name: CHECK_QUESTIONS[name] for name, ok in verdicts.items() if ok is None and name in CHECK_QUESTIONS}


def check_interview(result: InterviewResult, scenario: Scenario) -> dict[str, Verdict]:
    """Every check in CONFORMANCE_CHECKS for one interview: True pass, False fail, None unsure. The judge's reads
    (`result.conformance_reads`) settle what the rules leave unsure. An empty transcript fails the format checks."""
    turns = result.transcript
    if not turns:
        empty: dict[str, Verdict] = dict.fromkeys(CONFORMANCE_CHECKS, False)
        return empty | {"no_prohibited_topics": True, "no_rubric_leak": True, "no_leading_questions": True}
    reading = _Reading(result)
    screened = screen_interviewer_text(turns, scenario)
    share = talk_share((t.speaker, t.text) for t in turns)
    checks: dict[str, Verdict] = {
        "question_count": _question_count(reading, scenario),
        "competency_coverage": _coverage(reading, scenario),
        "segment_order": _segment_order(reading),
        "segment_budget": _within_budget(reading, scenario),
        "total_time": _end_minute(turns) <= scenario.duration_minutes + MINUTE_TOLERANCE,
        "intro_confidentiality": _said(reading.opening(), CONFIDENTIALITY_SAID, CONFIDENTIALITY_TOPIC),
        "intro_guidance": _said(reading.opening(), GUIDANCE_SAID, GUIDANCE_TOPIC),
        "probing": _probing(reading),
        "candidate_questions_offered": _offered(reading),
        "candidate_questions_answered": _answered(reading),
        "next_steps_stated": _next_steps(reading),
        "no_prohibited_topics": _violation("prohibited_topic", screened, result.violations, reading),
        "no_rubric_leak": _violation("rubric_leak", screened, result.violations, reading),
        "no_leading_questions": _leading(reading),
        "interviewer_talk_share": share is not None and share <= MAX_TALK_SHARE,
    }
    for name, read in (result.conformance_reads or {}).items():
        if checks.get(name) is None:
            checks[name] = read
    return {name: checks[name] for name in CONFORMANCE_CHECKS}


def disagreements(result: InterviewResult, scenario: Scenario) -> list[str]:
    """The checks where the judge read the interview and found nothing a sure rule hit says it should have."""
    if result.violations is None:
        return []
    judged = {v.kind for v in result.violations}
    hits = {v.kind for v in screen_interviewer_text(result.transcript, scenario) if v.sure}
    names = {"prohibited_topic": "no_prohibited_topics", "rubric_leak": "no_rubric_leak"}
    return [names[k] for k in sorted(hits - judged)]


def failing_turns(result: InterviewResult, scenario: Scenario, checks: dict[str, Verdict]) -> dict[str, list[int]]:
    """For each failed check, the turns to look at: the questions asked, the offending lines, the unanswered questions."""
    turns = result.transcript
    asks = [t.index for t in turns if t.speaker == "interviewer" and t.action == "ask"]
    screened = screen_interviewer_text(turns, scenario)
    flagged = {
        kind: [v.turn_index for v in (result.violations if result.violations is not None else screened) if v.kind == kind]
        for kind in ("prohibited_topic", "rubric_leak")
    }
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
        "probing": asks,
        "candidate_questions_answered": [
            t.index for t in turns if t.speaker == "candidate" and t.segment == "candidate_questions"
        ],
        "next_steps_stated": spoken_in("wrap_up"),
        "no_prohibited_topics": flagged["prohibited_topic"],
        "no_rubric_leak": flagged["rubric_leak"],
        "no_leading_questions": [t.index for t in turns if t.speaker == "interviewer" and LEADING.search(t.text.lower())],
    }
    return {name: where.get(name, []) for name, ok in checks.items() if ok is False}


def passes_all(checks: dict[str, Verdict]) -> bool:
    """No check failed (an unsure check is no failure); False when no check was run."""
    return bool(checks) and not any(ok is False for ok in checks.values())


def probe_depth(result: InterviewResult) -> tuple[int, int]:
    """(probes, bank questions asked) in the deep dives: how deep the interviewer followed up on average."""
    turns = result.transcript
    probes = sum(1 for t in turns if t.speaker == "interviewer" and t.action == "probe" and t.segment == "deep_dives")
    return probes, sum(1 for t in turns if t.speaker == "interviewer" and t.action == "ask" and t.segment == "deep_dives")


def probe_opportunities(result: InterviewResult) -> tuple[int, int]:
    """(deep-dive answers without a metric that the next turn probed, deep-dive answers without a metric)."""
    turns = result.transcript
    bare = [i for i, t in enumerate(turns) if t.speaker == "candidate" and t.segment == "deep_dives" and not has_metric(t.text)]
    probed = sum(
        1 for i in bare if i + 1 < len(turns) and turns[i + 1].speaker == "interviewer" and turns[i + 1].action == "probe"
    )
    return probed, len(bare)
