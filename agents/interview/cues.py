"""How interviewers say things, as patterns: a new story asked for, a follow-up, an invitation to ask, a close, the
topic of a bank question. Read by the turn annotator and by the conformance checks.

Written against the development half of the labelled corpus (`corpus/`), never the test half. Each pattern is
matched on lower-cased text.
"""

from __future__ import annotations

import re
from functools import cache

from scenarios.model import Question


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


# A new behavioural question announced as such: enough on its own, question mark or not.
NEXT_QUESTION = _any(
    # Not the day's interviews ("Is this your first one today?", "a few minutes before the next one?").
    r"(?<!before the )(?<!before )\b(next|first|last|final|another|different) (one|question|topic|area|story|example|item)\b"
    r"(?! (of|on|for|in) (the|my|your|our|a)\b| today\b)",
    r"\blet'?s start (there|with (that|this|your|the))\b|(^|[.!?]\s+)start with an? \w+",
    r"(^|[.!?]\s+)next[.:!]",
    # "One more, because I'm curious.", "Third thing from GitHub.": one more story, counted.
    r"(^|[.!?]\s+)(okay,? |good,? |so,? )?one more(,| from\b| and\b| because\b)",
    r"\b(second|third|fourth|fifth) (thing|repo|project|one) (i wanted to ask about|from|on my list)\b",
    r"\b((one more|another|last|final) (question|story|example|topic|area|one)|moving on|switch(ing)? gears|change (of )?topic|different angle)\b",
    r"\blet me (jump|switch|move|turn) (on|to|over|gears|back|ahead|things)\b|\blet'?s get the ball rolling\b|\blet'?s (dive|jump) (right )?in\b",
    r"\b(tell|talk) (me |us )?about (a|an|some|something|the time|a time|times?) (when|where|that|you)\b",
    r"(^|[.!?]\s+)(a |the )?time (you|when|where)\b",
    r"\b(please )?tell (me |us )?about (a|an) (time|situation|vague|launch|failure|problem|project|disagreement)\b",
)
# A new behavioural question: the interviewer asks for a story (a time, an example, a situation), or announces one.
NEW_STORY = _any(
    NEXT_QUESTION.pattern,
    r"\b(tell|talk) (me |us )?about (a|an|one|some|something|someone|when)\b(?! (more|that|this|it|those|these)\b)",
    r"\b(a|one|another|any|the last|the) (time|situation|case|moment|occasion|example|instance|story) (when|where|that|you|in which|from)\b",
    r"\b(give|share|walk) (me|us) (an?|one|another|some) (example|time|situation|story|case)\b|(^|[.!?,;:]\s*|\b(so|okay|ok|now|then|just|please|and|you) )give (me|us) (a|an|one|some)\b(?! (sec|secs|second|seconds|min|minute|minutes|mo|moment|tick|bit|few|couple|quick|short|sense|brief|heads|shout|of)\b)",
    r"\bwalk me through (a|an|one|the last) (time|situation|case|launch|incident|failure|problem|project)\b",
    r"(^|[.!?]\s+|\b(can|could|would|will) you (please )?|\bplease )(describe|share|tell me about|think of)( me)? (a|an|one|another|some)\b",
    r"\b(can|could) you think of\b",
    r"\bhave you ever\b",
    r"\bwhat'?s (a|one|something|an example)\b",
    r"\bwas there (a|ever a|any) (time|case|situation|moment)\b|\b(if|whether|when) there was a time\b",
    r"\bhas there (ever )?been (a|any) (time|case|situation|moment)\b",
    r"\b(a|an|one|another) (launch|project|problem|failure|incident|decision|disagreement|conflict) (where|when|in which)\b",
    r"(^|[.!?]\s+)here'?s (a|an|another|the next|my next) (\w+ )?(one|question|topic)\b",
    r"\bany time (you|when)\b|\bany time\b[^.?!]{0,60}\?",
    r"\bexample\?",
    r"\b(something|a skill|a method|a methodology|a failure|a launch|a time|one) you'?ve? (learned|learnt|picked up)\b",
    r"\bwhat(?:'s| is| have you| did you)? (something|one thing)\b",
    r"\bsomething (that )?(failed|broke|went wrong|didn'?t work)\b",
    r"\blet'?s (do|talk about|move to|turn to|go to|switch to|start with) (a|an|one|some|your|the)? ?(?!your questions|questions)\w",
    r"\b(next|first|last|final|another|different) (one|question|topic)\b",
    r"\bmoving on\b|\bswitch(ing)? gears\b|\bnext up\b",
    r"\bi'?d like to (ask|hear|turn(?! (the interview|the tables|this|things|it) around)|move|begin|start|talk|understand|know)\b",
)
# A follow-up that points back at the story being told (or an earlier one): not a new main question.
REFERS_BACK = _any(
    r"\b(of|about) (one|them|those|these)\b[^.?!]{0,20}$",
    r"\bthat (one|project|launch|story|decision|model|case|incident|feature|thing|work|experiment)\b",
    r"^\W*and\b",
    r"\b(going|go|come|coming) back to\b(?! (a few|a couple|some|more|stories|questions)\b)|\byour (first|last|earlier|previous|other) (story|example|answer)\b",
    r"\byou (said|mentioned|described|talked about)\b|\bsince then\b|\bone that\b",
    r"\blet me (push|press|dig|poke)\b|\b(push|press) (a little|a bit|on that)\b",
)
# An acknowledgement, a comment or small talk: no question in it.
ACK = _any(
    r"^\W*(okay|ok|got it|great|thanks?|thank you|good|nice|cool|right|sure|mm-?hm+|hm+|i see|understood|fair|makes sense|"
    r"yes|yeah|absolutely|exactly|totally|true|indeed|ah|oh|noted|mm|alright then|"
    r"love (that|it)|perfect|wonderful|excellent|interesting|wow|ha+|yeah|yep|alright|smashing|lovely|brilliant|fine|"
    r"appreciate|that'?s (great|fair|helpful|clear|useful|interesting|honest|a (good|great|fair|useful)))\b",
)
# What happens after the interview: said only when closing.
NEXT_STEPS = _any(
    r"\bnext steps?\b", r"\b(your|the) recruiter\b[^.?!]{0,60}\b(reach out|follow up|get back|be in touch|contact|collect)\b"
)
# A question that looks back on the story being told.
LOOKS_BACK = _any(r"\blook(ing)? back\b|\bdifferently\b|\bhindsight\b|\bin retrospect\b|\bknowing what you know\b")
# A request for a whole narrative: in a follow-up, it may be a new main question in disguise.
NARRATIVE = _any(r"\b(walk|talk|take) me through\b", r"\btell me (about|the story)\b", r"\bdescribe\b", r"\bexample\b")
# A follow-up on the story being told.
FOLLOW_UP = _any(
    r"\byou (mentioned|said|talked about|described)\b",
    r"\b(tell|say) (me )?more\b|\bgo (deeper|back)\b|\bdig into\b|\bunpack\b|\belaborate\b",
    r"\bhow (did|do|would|was|were|many|much|big|long|often|come)\b",
    r"\bwhat (was|were|did|happened|changed|would|exactly|made|kind|about|metrics?|numbers?|alternatives?)\b",
    r"\bwhy (did|not|was|were|that)\b",
    r"\bwho (made|decided|was|owned|else)\b",
    r"\b(did|do|does|was|were|had|has|have|is|are|could|would|can) (you|they|he|she|it|there|that|the|anyone|anybody|someone)\b",
    r"\b(any|anything|anyone)\b[^.?!]{0,60}\?",
    r"\band (then|after|the)\b",
    r"\blooking back\b|\bdifferently\b|\bin hindsight\b",
)
# The interviewer hands over to the candidate's own questions.
INVITE = _any(
    r"(^|[.!?]\s+)(any )?questions\?",
    r"\b(floor|mic)(?:'s| is) yours\b|\bswap chairs\b|\bfire away\b|\bbelongs to you\b|\byour questions\b",
    r"\b(whatever|anything) you(?:'d| would)? (like|want|wanna) to (know|ask)\b|\bwhat do you (wanna|want to) (ask|know)\b",
    r"\b(anything|something) (you )?(wanna|want to|'?d like to) (ask|throw at me)\b",
    r"\bask (me )?(whatever|anything)\b",
    r"\bhand (it|things) over to you\b|\bturn it over to you\b|\bgo ahead and ask\b",
    r"\bquestions? (for|about) (me|us|the team|the role|microsoft|our team)\b",
    r"\bquestions (do |would )?you have (for|about) (me|us)\b",
    r"\bwhat (questions|would you like to (know|ask)|do you want to (know|ask)|can i (tell|answer))\b",
    r"\b(any|some) questions\b",
    r"\bask (me|us) (anything|whatever|something|about)\b",
    r"\bover to you\b|\byour turn\b|\bfloor is yours\b|\bturn the tables\b",
    r"^(and )?yours\?$",  # "That's my questions. Yours?"
    r"\b(anything|what) (you'?d|you would|would you) like to (ask|know)\b",
    r"\bwhat'?s on your mind\b|\b(anything|what) (else )?(are )?you(?:'re| are)? curious about\b",
    r"\btime for your questions\b|\byour questions\b",
    r"\b(opportunity|chance) to ask\b",
    r"\bturn (the interview|the tables|this|things|it) around\b|\bin the hot seat\b|\bnow(?:'s| is) your (moment|chance|turn|time)\b",
    r"\bwhat you (want|would like|'d like) to (know|ask)\b",
)
# The interviewer ends the interview: thanks for the time, next steps, goodbye.
CLOSE = _any(
    r"\bthank(s| you)( so much| very much| again)?,? (\w+, )?for (your|the|taking|making|coming|joining|talking|today|this)\b",
    r"\bnext steps?\b",
    r"\b(we|i|they|someone|recruiting|the recruiter|\w+ from recruiting)(?:'ll| will) (be in touch|follow up|reach out|get back|let you know)\b",
    r"\b(recruiter|recruiting|hr|talent)\b[^.?!]{0,60}\b(reach out|follow up|get back|be in touch|contact|call|email|let you know)\b",
    r"\b(good ?bye|bye|take care|have a (great|good|nice|lovely) (day|evening|afternoon|rest|weekend))\b",
    r"\bbest of luck\b|\bgood luck\b",
    r"\b(will|'ll) (reach out|follow up|be in touch|get back to you|ping you)\b|\b(that|this) gives me what i need\b|"
    r"\b(this|that) was (really |very |so |super )?(great|good|lovely|nice|fun|helpful|a pleasure)\b[^?]*$|\bwhat happens (next|from here|now)\b|\b(was|been) (a lot of|so much|great) fun\b|\b(as for|in terms of) (what'?s )?next\b|\bhear (back )?from (us|me|the|your|our)\b",
    r"\b(wrap|wrapping) (up|things up)\b",
    r"\bthat concludes (our|the) (interview|conversation|time)\b",
)
# A question mark, or a request or a question word that works as one ("What'd you do.", "And after.").
ASKS = _any(
    r"\?",
    r"(^|[.!?,;:]\s*|\b(and|so|but|or|like|then|okay|ok|um|uh)\s+)(did|do|does|was|were|is|are|can|could|would|have|has|had|will) "
    r"(you|it|they|that|the|there|he|she|anyone|anything|any)\b",
    r"\b(what|how|why|who|which)(?:'d|'s)? (was|were|did|do|does|is|are|would|about|the|kind|size|part|made)\b",
    r"\bwas there (ever )?(a|any)\b|\bwhat'?d you\b|\bhow'?d you\b|(^|[.!?]\s+)why not\b",
    r"\b(tell|walk|talk|give) (me|us)\b|\btake me (into|through)\b|\b(i'?d like|i want) you to (take|walk|talk|tell)\b",
    r"(^|[.!?,]\s+|\b(can|could|would|will) you (please )?|\bplease |\bnow )(describe|share|explain|say more|elaborate)\b",
    r"\bexample\b",
    r"(^|[.!?]\s+)(and )?(what|how|why|who|which|when|where|did|does|do|was|were|anything|any)\b[^.!?]*[.!]?$",
    r"^\W*(and )?(after|before|then|numbers|results?|outcome|impact|why)\W*$",
)
# Future tense about questions: the format explained, not an invitation ("I'll leave time at the end for questions").
# "Any questions before we get going?": a courtesy about the format, not the candidate-questions segment.
BEFORE_START = _any(
    r"\bbefore we (start|begin|get going|get started|dive in|kick off|jump in|go)\b",
    r"\babout (the|this) (format|process|structure)\b",
)
LATER = _any(
    r"\b(at the end|in the end|by the end|later|afterwards|after that|towards the end|leave (some )?time|save (some )?time)\b",
    r"\b(we|i|you)(?:'ll| will| can)\b",
    r"\byou (get|have) (some |plenty of )?time\b",
    r"\bthen\b|\bleave\b|\bminutes (for|of|on)\b",
    # "Last one before your questions": the invitation is still ahead.
    r"\bbefore (we get to |we come to |i hand over to )?(your|the candidate'?s?) (questions|turn)\b",
)
# "We've about ten minutes for your questions, so fire away": a handover said in the imperative happens now, whatever
# time it mentions, unless it is put off to the end.
HANDOVER_NOW = _any(
    r"(^|[,;:]\s*|\b(so|then|please|just|now)\s+)(fire away|ask away|go ahead)\b",
    r"\bnow (you can|you may|it'?s your turn to) ask\b",
)
PUT_OFF = _any(r"\b(at the end|later|afterwards|towards the end|when we'?re done|before we finish)\b")
# The interviewer describing the format ahead ("I will ask you about five or six situations"), not asking yet.
FORMAT_AHEAD = _any(
    r"\b(i|we)(?:'ll| will| am going to|'m going to| are going to) (ask|spend|go|dig|cover|talk|move)\b",
    r"\bbefore (the|my|our) (first|next) question\b",
)
# A probe's kind, first match wins (tuned on the development half); evidence when none matches.
PROBE_KINDS = (
    (
        "reflection",
        _any(
            r"\bdifferent(ly)?\b(?! (metric|approach|option|way)s?\b)",
            r"\blook(ing)? back\b|\bhindsight\b|\bknowing what you know\b",
            r"\b(learn|learned|learnt|take away|takeaway|lesson|teach|taught)\w*\b",
            r"\bwhat (did|would) you (take|change)\b|\bwhat changed in how\b",
            r"\bhow (do|did) you (think|feel) about\b|\bhow (do|did) you feel\b",
            r"\b(again|next time|still (used|hard|true|there))\b",
            r"\bfeedback\b|\bpost-?(incident|mortem)\b|\bprocess side\b",
            r"\b(propagate|spread|share[d]? (it|that|the learning))\b",
            r"^\W*(and )?(after|afterwards)\W*$|\band afterwards\b",
        ),
    ),
    (
        "collaboration",
        _any(
            r"\bpush ?(back|ing)\b|\bfriction\b|\btension\b|\bsame page\b|\bcome around\b",
            r"\b(influence|convinc|persuad|buy-?in|on board)\w*",
            r"\b(react|respond|take it|take that|land with|receive[d]? it)\w*",
            r"\b(stakeholder|align|disagree|unblock|relationship|escalat)\w*",
            r"\bconversation (with|go)\b|\braise it with\b|\bwent to (the|your|him|her)\b|\bget (the |your )?\w+ to agree\b",
            r"\bdocument\w*\b|\bthe (other )?(teams?|others|pm|vp|researcher)\b",
        ),
    ),
    (
        "decision_making",
        _any(
            r"\bwhy\b|\binstead\b|\brather than\b|\bversus\b|\bover (early|late|the)\b",
            r"\b(alternatives?|options?|trade-?offs?|other (ways|explanations|metrics|approaches|causes))\b",
            r"\b(decid|decision|chose|choose|pick|resolv|prioriti)\w*",
            r"\bdid you (consider|look at|think about|weigh)\b",
            r"\b(risks?|worried|review|checkpoint|approv\w*|sign-?off|assum\w*|cost (to|of))\b",
            r"\bactions? (you|did)\b|\bwhat did you (actually )?do\b",
        ),
    ),
    (
        "scope",
        _any(
            r"\b(team|role|your (part|piece|bit)|timeline|how long|how many people|scale|size|data ?sets?|tooling|stack|stakeholders?)\b",
            r"\b(involved|yourself|which (technology|tools?|platform)|cloud|on-?prem\w*|in the first place|who (was|else|owned))\b",
            r"\bwhat was your\b|\bno alerting\b",
        ),
    ),
    (
        "evidence",
        _any(
            r"\b(metrics?|numbers?|measur\w*|quantif\w*|percent|a/?b|before and after|baseline|results?)\b",
            r"\bhow (much|well)\b|\bhow did you know\b|\bdid it (work|help|improve|move)\b",
        ),
    ),
)
# A candidate turn that asks the interviewer something.
CANDIDATE_ASKS = _any(
    r"\?",
    r"(^|[.!?,;:]\s*|\b(and|so|but|or|like|then|okay|ok|um|uh)\s+)(did|do|does|was|were|is|are|can|could|would|have|has|had|will) "
    r"(you|it|they|that|the|there|he|she|anyone|anything|any)\b",
    r"\b(what|how|why|who|which)(?:'d|'s)? (was|were|did|do|does|is|are|would|about|the|kind|size|part|made)\b",
    r"\bwas there (ever )?(a|any)\b|\bwhat'?d you\b|\bhow'?d you\b|(^|[.!?]\s+)why not\b",
    r"\bi (was|am) (wondering|curious)\b",
    r"\bi'?d (like|love) to (know|hear|ask|understand|learn)\b|\bi wonder\b",
    r"\bcould you (tell|say|share)\b",
)


@cache
def cue_pattern(cue: str) -> re.Pattern[str]:
    """One cue as a pattern on lower-cased text: a word or phrase, a trailing * matching any ending."""
    body = re.escape(cue.rstrip("*")) + (r"\w*" if cue.endswith("*") else r"\b")
    return re.compile(r"\b" + body)


def topic_scores(text: str, bank: tuple[Question, ...]) -> dict[str, int]:
    """How many of each bank question's cues the text uses (lower-cased text)."""
    return {q.id: sum(1 for cue in q.cues if cue_pattern(cue).search(text)) for q in bank}


def probe_kind(text: str) -> str:
    """The kind of a follow-up, by its words; evidence when nothing says otherwise."""
    return next((kind for kind, pattern in PROBE_KINDS if pattern.search(text)), "evidence")


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def invites_now(low: str) -> bool:
    """Whether a (lower-cased) turn invites the candidate's questions now: an invitation that is neither the format
    explained ahead ("I'll leave time at the end for your questions") nor a courtesy before starting."""
    return any(
        INVITE.search(sentence)
        and (not LATER.search(sentence) or (HANDOVER_NOW.search(sentence) and not PUT_OFF.search(sentence)))
        and not BEFORE_START.search(sentence)
        for sentence in _SENTENCE.split(low)
    )


def ends_asking(text: str) -> bool:
    """Whether a turn's last sentence asks a question (a story may ask one on the way and still end telling)."""
    return bool(text) and "?" in _SENTENCE.split(text.strip())[-1]


# A transcriber's note of what was heard rather than said: "(pause)", "[laughs]", "[inaudible]".
_STAGE_NOTE = re.compile(
    r"[\(\[]\s*(long |short |brief )?(pause[sd]?|laughs?|laughing|laughter|chuckles?|sighs?|inaudible|crosstalk|silence|typing|"
    r"coughs?|beat|smiles?)\s*[\)\]]"
)


def without_stage_notes(low: str) -> str:
    """The words spoken, without the transcriber's notes between them."""
    return " ".join(_STAGE_NOTE.sub(" ", low).split())
