"""What the seed asks an interviewer to say, as patterns at two strengths: `SAID` settles that it was said; without any
`TOPIC` word it was surely not said; in between only a reader can tell, and the check says unsure.

Written against the development half of the labelled corpus (`corpus/`), never the test half; matched on lower-cased
text.
"""

from __future__ import annotations

import re


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


NUMBER = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple( of)?|couple( of)?|several)"
DAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|this week|next week|week)"

CONFIDENTIALITY_SAID = _any(
    r"\bconfidential\w*",
    r"\bstays? (with|between|in|within|inside|among)\b",
    r"\b(won'?t|will not|doesn'?t|does not|not) (be )?(go|leave|shared|share|get shared|passed)\b[^.?!]{0,40}\b(outside|beyond|room|panel|loop|team|anyone)\b",
    r"\bbetween (us|you and me|the panel)\b",
    r"\bprivate\b|\bin confidence\b|\bnda\b|\bproprietary\b",
    r"\banonymi[sz]\w*",
    r"\b(don'?t|no need to|do not|never) (need to )?(share|name|reveal|disclose|give|tell)\b[^.?!]{0,50}\b(confidential|sensitive|names?|customers?|secrets?|details?|internal|employer)\b",
    r"\b(keep|leave) (out|it general|it high[- ]level|names out|the names out)\b",
    r"\bsensitive (details?|information|numbers|data)\b",
)
CONFIDENTIALITY_TOPIC = _any(
    r"\b(share|shared|sharing|details?|names?|notes|panel|record\w*|secret|sensitive|disclos\w*|protect\w*)\b"
)

GUIDANCE_SAID = _any(
    r"\bstar\b",
    r"\bsituation,? task\b",
    r"\b(minute|minutes|min)\b[^.?!]{0,80}\b(setup|set-up|set up|context|background|scene|deep|detail|bulk|what you (did|actually did)|results?|outcome|learn\w*|wrap)\b",
    r"\b(setup|set-up|set up|context|background|scene)\b[^.?!]{0,80}\b(minute|minutes)\b",
    r"\b(short|brief|quick) (setup|set-up|context|background)\b[^.?!]{0,120}\b(bulk|most of (the|your) time|majority|main part|deep)\b",
    r"\b(most|bulk|majority) of (the|your) time on\b",
)
GUIDANCE_TOPIC = _any(r"\b(stor(y|ies)|pace|pacing|structure|format|example|minutes?|long|length|context|setup|results?)\b")

NEXT_STEPS_SAID = _any(
    r"\bnext steps?\b",
    r"\b(hear|get back|follow up|reach out|be in touch|let you know|come back|contact|call|email)\b",
    r"\b(recruit\w*|hr|talent|hiring (team|manager)|panel|debrief|decision|feedback)\b",
    r"\b(we|i|they)(?:'ll| will) (talk|speak|connect|chat|be back)\b",
)
TIMELINE = _any(
    rf"\b(within|in|over|after|by)( the)?( about| around| roughly| maybe)? (the )?({NUMBER}|next|coming|end of( the)?) ?(business |working )?(days?|weeks?|{DAY})\b",
    rf"\b{DAY}\b",
    rf"\b{NUMBER} (business |working )?(days?|weeks?)\b",
    r"\b(end of (the|this|next) (day|week|month)|early next|later this|this afternoon|shortly|soon|asap)\b",
    r"\b(day|week)s?[- ]ish\b",
)
NEXT_STEPS_TOPIC = _any(
    r"\b(next|steps?|hear|recruit\w*|process|panel|decision|feedback|notes|touch|follow|reach|know|back to you|loop|timeline|soon|later)\b"
)

# A reply to the candidate's question that gives nothing: deflection or a change of subject.
BRUSH_OFF = _any(
    r"\b(can'?t|cannot|won'?t|not able to|not allowed to|not really able to) (really )?(say|share|comment|get into|talk about|go into|answer|discuss)\b",
    r"\b(i'?m not (sure|the right person)|no idea|not sure i can)\b",
    r"\b(ask|check with|that'?s (one )?for) (the |your )?(recruiter|hr|recruiting|hiring manager|someone else)\b",
    r"\b(let'?s|we should|i'?ll) (not|skip|park|move on|keep (going|moving))\b",
    r"\b(depends|it varies|changes over time)\b[^.?!]{0,60}\b(wouldn'?t want|can'?t|hard to say|you'?d (get|find))\b",
    r"\bwhole can of worms\b|\bnot (really )?(something )?(i'?m |we'?re )?(going to|gonna) (get|go) into\b|\banyway\b[^.?!]{0,40}\b(time|moving on|next)\b",
    r"\byou know how it is\b|\bthat reminds me\b|\brabbit hole\b|\bwouldn'?t worry about\b",
    r"\blong story\b[^.?!]{0,30}\bnot important\b|\bnot important (now|right now|for (now|today))\b",
    r"\bnothing that'?d matter\b|\b(a |that'?s a )?conversation for (after|later|another (time|day)|down the line)\b",
    r"\byou'?d (get|find out|see) (a feel|for yourself)\b",
    r"\byou'?(ll|d)( will| would)? (get a feel for|figure out|find out|see)( that| it| this)?[^.?!]{0,20}\b(once|when) you'?re (in|here|on)\b",
)

# A question that tells the candidate the answer wanted: the good conduct presumed ("I assume you ran a privacy
# review?", "you'd have escalated that, right?"). A tag question on facts ("you're at a startup, right?") is not one.
_CONDUCT = (
    r"(ran|run|did|done|tested|checked|reviewed|escalated|pushed|involved|looped|consulted|got|had|went|gone|put|made|broken|fixed|"
    r"measured|validated|shadow-?launched|rolled|signed|flagged|raised|told|asked|documented|taken|took|brought|sent|called|"
    r"stopped|paused|pulled|shut|blocked|insisted|pushed back)"
)
LEADING = _any(
    r"\b(i assume|i'?m assuming|i am assuming|let me guess|i'?d (guess|assume|imagine)|i'?m guessing|i take it|i suppose|presumably|obviously|of course|surely|no doubt)\b[^.?!]{0,30}\b(you|your team)\b[^.?!]{0,160}\?",
    # The candidate asked to agree with the interviewer's view ("You'd agree that the review comes first, right?").
    r"\byou(?:'d| would| will|'ll) (surely |certainly |probably )?agree\b[^.?!]{0,200}\?",
    # The answer put in the candidate's mouth, then "I imagine?" ("...it was the numbers that convinced her, I imagine?").
    r",\s*(i imagine|i suppose|i assume|i presume)\?",
    # "Anything you'd have put in place earlier?" asks openly, and reflection is no leading; neither is a
    # hypothetical ("What would have happened if you'd done that?", "what do you think you'd have done?").
    rf"(?<!anything )(?<!what )(?<!something )(?<!if )(?<!think )\byou(?:'d| would| must| will)(?:'ve| have)? (have )?(already |obviously |of course |definitely )?"
    rf"(have )?{_CONDUCT}\b(?![^.?!]*\b(differently|earlier|sooner|instead|next time)\b)[^.?!]{{0,160}}\?",
    rf"\byou (already |obviously |definitely )?{_CONDUCT}\b[^.?!]{{0,120}},\s*(right|yes|correct|surely|no)\?\s*$",
    # The conduct presumed and the presumption said after it ("You'd have put it through a privacy review, I assume.").
    rf"\byou(?:'d| would| must)(?:'ve| have)? (have )?(already )?{_CONDUCT}\b"
    r"(?![^.?!]*\b(differently|earlier|sooner|instead|next time)\b)"
    rf"[^.?!]{{0,160}},\s*(i assume|i presume|i take it|i suppose|i imagine)\b",
    r"\b(didn'?t|wouldn'?t|shouldn'?t|don'?t) you (think|agree|say)\b",
    r"\blet me guess\b[^.?!]{0,120}\byou\b[^.?!]{0,120}\?",
    # The assumption stated, then a tag asking the candidate to agree ("I'm assuming you ran a bias audit. That's
    # right, isn't it?").
    r"\b(i'?m assuming|i am assuming|i assume|i take it|i suppose|presumably|i'?d guess|i'?m guessing)\b[^?]{0,40}\byou\b[^?]{0,300}"
    r"\b(right|isn'?t it|didn'?t you|wasn'?t it|weren'?t you|correct|yeah|yes|no)\?",
)
# Words of a question that may lead, which only a reader can judge.
LEADING_HINT = _any(
    r"\bdid you (find|see|notice|do|feel) (that|the same|something similar)\b",
    # A summary handed back for the candidate to confirm ("What I'm hearing is that you would have wanted a fairness
    # review... That's where you land, right?"): it may put the answer wanted in their mouth, or only check.
    r"\bwhat i'?m hearing is\b.{0,400}\b(right|correct|yeah|yes|no)\?",
    r"\b(i bet|surely)\b[^.?!]*\?",
    # The interviewer's own story of what worked, then a yes/no question: it may lead, only a reader can tell.
    r"\b(when i was|in my experience|we had exactly|i know this situation|i'?ve seen)\b.{80,}\b(did|do|was|were|would) you\b[^.?!]*\?",
    # The interviewer's own team's way first, then the candidate asked to compare: it may set the answer wanted.
    r"\b(how we would|what we do is|the way we do|our standard|what we'?ve learned|we always|we never)\b.{80,}"
    r"\b(did you|do you|how (does|did) (that|this|yours) compare|you can tell me)\b",
)

# Talk about the candidate's life outside work: a reader must see it before the interview can pass as free of
# prohibited topics (a volunteered detail answered kindly is fine; a question about it is not).
PERSONAL_LIFE = _any(
    r"\b(kids?|children|child|little ones?|baby|babies|son|daughter|family|families|husband|wife|spouse|married|"
    r"wedding|girlfriend|boyfriend|pregnan\w*|due date|maternity|paternity|parental leave|childcare|school pickup)\b",
    r"\b(church|mosque|synagogue|temple|faith|religio\w*|pray\w*|holiday you celebrate|ramadan|fasting|sabbath)\b",
    r"\b(how old|your age|younger|older|generation|retire\w*|at this stage of your (life|career)|years? young)\b",
    r"\b(where (are you|you'?re) (originally |really )?from|originally from|grew up|born in|accent|your (parents|family) (are|were|come))\b",
    r"\b(health|medical|illness|sick|surgery|recover\w*|disab\w*|condition|therapy|medication)\b",
    r"\b(salary|earn(ing)?|paid|paying you|compensation|your (base|comp|package)|you make now|you'?re making now|money-wise|"
    r"what you'?re on)\b",
    r"\b(arrest\w*|police|criminal|conviction|record check)\b",
    r"\b(gay|lesbian|bi|queer|pride|orientation|same-sex)\b",
    r"\b(you'?re|you are|are you)( not)? expecting\b",
    r"\byour (partner|other half)\b(?!'?s? (team|org|company|group))",
)
# Talk about where people come from, whoever it is addressed to ("I caught a bit of an accent", "Brazilian people are
# so warm"): a reader must see it before the interview can pass as free of prohibited topics.
ORIGIN_TALK = _any(
    r"\b(accent|nationality|ethnicity|ethnic background|native place|mother tongue)\b",
    r"\b\w+(ian|ese|ish|an|ean)s? (people|folks|culture|families|names?) (are|is|tend|always|usually)\b",
    r"\bthat'?s (a )?\w+(ian|ese|ish|an|ean),? not \w+(ian|ese|ish|an|ean)\b",
)
# Words of assessment said to the candidate: a reader must see them before the interview can pass as free of leaks.
ASSESSMENT_TALK = _any(
    r"\b(scor\w*|rat(e|ed|ing) (you|this|that|it|answers?)|rubric|sheet|band|rung|ladder|grade|marks|calibrat\w*)\b",
    r"\b(over|above|below|under|clear|raise|meet) (the|our|my) bar\b|\blevel [1-5]\b",
    r"\b(what (we|i|the panel|they) (look|are looking) for|what (gets|moves) (people|you|candidates)|top (end|box|tier))\b",
)
