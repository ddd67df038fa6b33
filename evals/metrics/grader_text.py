"""The grader's own words screened for what a hiring decision must not rest on.

Two kinds of words in a rationale or in the candidate-facing feedback are findings: a protected
characteristic (age, sex, race, national origin, religion, disability or health, pregnancy and family,
marital status, sexual orientation), and an inference about the person rather than the evidence (an
emotion read from the interview, a personality trait, "fit"). The patterns are written for precision:
the words of a story the grader retells ("calmed a frustrated customer", "a black-box model", "health
claims") are not findings; a trait attributed to the candidate is. The grader's verbatim evidence
quotes are the candidate's own words and are not screened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.records import Grade

# A perception or a state attributed to someone: "seemed nervous", "came across as arrogant", "was visibly anxious".
_SEEN = (
    r"(?:seem(?:s|ed)?|appear(?:s|ed)?|c(?:a|o)mes? across(?: as)?|sound(?:s|ed)?|look(?:s|ed)?|felt|"
    r"(?:was|is|were|got|became|remained|stayed) (?:visibly|clearly|obviously|noticeably|a bit|somewhat|quite|very|too|rather)|"
    r"(?:you|candidate|they|he|she) (?:was|were|are|is)|(?:you|they)'re|(?:he|she)'s)"
)
_DEGREE = r"(?: (?:a bit|a little|somewhat|quite|very|rather|too|overly|slightly|extremely|not|genuinely|so|really))*"
_EMOTIONS = (
    r"nervous|anxious|stressed|tense|flustered|uneasy|uncomfortable|shy|timid|frustrated|angry|upset|emotional|"
    r"excited|enthusiastic|passionate|energetic|calm|composed|relaxed|defensive|insecure|(?:un|over)?confident|"
    r"hesitant|rattled|jittery|bored|disengaged|distracted|checked out|sad|happy|cheerful|irritated|annoyed|"
    r"unsure of (?:him|her|them)sel(?:f|ves)"
)
_TRAITS = (
    r"arrogant|cocky|humble|likeable|likable|charming|charismatic|awkward|introverted|extroverted|outgoing|bubbly|"
    r"warm|cold|aloof|abrasive|pushy|aggressive|soft-spoken|quiet|lazy|immature|mature|polished|personable|friendly"
)
_PERSON = r"(?:candidate|engineer|person|people|worker|hire|lead|manager|colleague|peer|team ?mate|individual)s?"
_NATIONS = (
    r"american|british|english|german|french|spanish|italian|russian|ukrainian|polish|chinese|japanese|korean|indian|"
    r"pakistani|bangladeshi|vietnamese|filipino|mexican|brazilian|nigerian|kenyan|egyptian|iranian|israeli|arab|turkish|"
    r"canadian|irish|scottish|dutch|swedish|african|european|asian|latin american|middle eastern|eastern european"
)
_RACES = r"black|white|asian|hispanic|latin[oax]|caucasian|african[- ]american|native american|arab|brown"
# Always about the person, whatever the sentence says besides.
PERSONAL: dict[str, list[str]] = {
    "protected:age": [
        r"\b\d{2}[- ]years?[- ]old\b",
        r"\byears old\b",
        r"\b(?:too|very|quite|rather) (?:old|young)\b",
        rf"\b(?:young|younger|older|old|elderly|aging|ageing) {_PERSON}\b",
        r"\b(?:his|her|their|your) age\b",
        r"\b(?:millennial|boomer|gen[- ]z|generation [xyz]|digital native|recent[- ]grad\w*)\b",
        r"\b(?:near(?:ing)?|close to|approaching) retirement\b",
        r"\b(?:his|her|their|your) retirement\b|\bretirement age\b",
        r"\bat \d{2},? (?:you|he|she|they)\b",
        r"\bdecades (?:of \w+ )?behind (?:him|her|them|you)\b",
        r"\bset in (?:his|her|their|your) ways\b",
        r"\b(?:young|old) (?:to be|for (?:a|the|this))\b",
        r"\b(?:youthful|punch[- ]cards?)\b",
    ],
    "protected:sex": [
        r"\b(?:is|being|as) a (?:woman|man|girl|guy|lady)\b",
        r"\b(?:team|room|group|crew) of (?:\w+ )?(?:men|women|guys|girls)\b",
        r"\b(?:motherly|fatherly|maternal|paternal|girly|manly|nonbinary|non-binary)\b",
        r"\b(?:for|like) a (?:girl|woman|man|guy|lady)\b",
        r"\bgender (?:ratio|balance|mix|diversity) (?:on|of|in) (?:the|our|your) team\b",
    ],
    "protected:race": [
        rf"\b(?:is|being|as an?|for an?) (?:{_RACES})\b(?! (?:box|paper|list|board|hat|space))",
        rf"\b(?:{_RACES}) (?:{_PERSON}|woman|women|man|men|background|community|heritage)\b",
        r"\bsomeone (?:from|of|with) (?:his|her|their|your|that) (?:background|heritage|community)\b",
        r"\b(?:his|her|their|your) (?:background|heritage|ethnicity|race|skin)\b(?! in (?:ml|data|engineering|research))",
        r"\b(?:from|given|by|judging by) (?:his|her|their|your) (?:name|photo|looks|appearance)\b",
    ],
    "protected:national_origin": [
        rf"\b(?:is|being|as an?|for an?|(?:he|she)'s|they're) (?:{_NATIONS})\b(?! (?:english|language|market|customers?|users?|team|office|region|site))",
        r"\b(?:his|her|their|your) (?:accent|english|nationality|citizenship|visa|home country|origin)\b",
        r"\b(?:broken|poor|limited|weak|heavy|thick|heavily accented|fluent|good|strong) english\b",
        r"\bwhere (?:he|she|they) (?:is|are|was|were) (?:from|born|raised)\b",
        r"\b(?:non-native|native) (?:english )?speaker\b",
        r"\benglish (?:\w+ )?(?:is not|isn't) (?:his|her|their|your) first language\b",
        rf"\b(?:sound|seem|act|very|so|typically) (?:more |less )?(?:{_NATIONS})\b",
        r"\b(?:immigrant|foreigner|country of origin)\b",
        # "raised in Lagos", not a concern "raised in a 1:1" or "raised in the design review".
        r"\b(?:grew up|was born|born and raised) in\b|\braised in (?!an?\b|(?:the|their|our|his|her) \w+ "
        r"(?:review|meeting|sync|channel|doc)\b|(?:review|standup|retro|1:1|one-on-one)\b)",
        r"\b(?:visa|immigration) sponsorship\b|\bsponsorship (?:hassle|cost|issue|problem)s?\b|\bneeds? sponsorship\b",
    ],
    "protected:religion": [
        r"\b(?:ramadan|sabbath|turban|hijab|headscarf|kippah|yarmulke)\b",
        r"\bfaith (?:background|community)\b",
        r"\bwears? a (?:cross|crucifix)\b",
        r"\b(?:his|her|their|your) (?:faith|religion|beliefs)\b",
        r"\b(?:is|being|as an?|a devout|devout) (?:christian|muslim|jewish|jew|hindu|sikh|buddhist|catholic|mormon|atheist)\b",
        r"\b(?:prays?|praying|prayers?|atheist|agnostic)\b",
        r"\b(?:person|man|woman|people) of faith\b",
    ],
    "protected:disability_health": [
        r"\b(?:speech (?:difficult\w*|impediment|problem)|hard of hearing|"
        r"leave of absence|medical leave|sick leave|chronic(?:ally)? ill|"
        r"mental health|depress(?:ed|ion)|adhd|autis(?:m|tic)|dyslexi\w*|disabled|handicap\w*|"
        r"chronic (?:pain|illness|condition|fatigue|disease)|physical (?:shape|condition|health)|physically (?:fit|able)|stamina)\b",
        r"\b(?:his|her|their|your) (?:health|disability|diagnosis|medical)\b",
        # A burnout the candidate went through, not one their product measures ("the physician-burnout story").
        r"\b(?:his|her|their|your) burn[- ]?out\b|\b(?:candidate|you|he|she|they|was|were|is|got|felt|feeling|seemed) "
        r"(?:burned|burnt|burning) out\b",
        r"\b(?:looks?|seems?|appears?) (?:healthy|fit|sick|unwell|frail|tired)\b",
        r"\bhealth (?:issue|condition|problem)s?\b",
    ],
    "protected:pregnancy_family": [
        r"\b(?:she's|she is|is) (?:pregnant|expecting)\b",
        r"\bstart(?:ing)? a family\b",
        r"\b(?:maternity|paternity|parental) leave (?:gap|break)\b",
        r"\b(?:want(?:s|ed|ing)?|plan(?:s|ning)? (?:for|to have)) (?:kids|children|a baby)\b",
        r"\b(?:family plans?|plans? (?:for|to have) (?:a family|children|kids)|childcare)\b",
        r"\b(?:his|her|their|your) (?:children|kids|family|husband|wife|spouse|pregnancy)\b",
        r"\b(?:working|single|new|stay-at-home) (?:mom|mother|dad|father|parent)\b",
    ],
    "protected:marital_status": [
        r"\b(?:unmarried|divorc\w*|widow\w*|wedding|engaged to|fianc\w*)\b",
        r"(?:^|\b(?:is|being|she's|he's|they're|still) )single\b",
    ],
    "protected:sexual_orientation": [
        r"\b(?:gay|lesbian|bisexual|queer|transgender|same-sex|boyfriend|girlfriend|rainbow pin)\b",
        r"\b(?:his|her|their|your) orientation\b",
        r"(?:^|\b(?:is|being|he's|she's|they're) )straight\b",
    ],
    "inferred:emotion": [
        rf"\b{_SEEN}{_DEGREE} (?:{_EMOTIONS})\b",
        r"\b(?:clearly|visibly|obviously|genuinely|very|quite|so|really|truly|a bit|too) (?:nervous|anxious|passionate|"
        r"enthusiastic|excited|flustered|rattled|calm|energetic|emotional)\b",
        r"\b(?:lack(?:s|ed|ing)?(?: of)?|low|high|little|no|without|full of|exud\w*|great|good|bad|poor|positive|real|lots of) "
        r"(?:energy|enthusiasm|passion|confidence|self-confidence|excitement|warmth|attitude)\b",
        r"\b(?:radiat\w*|exud\w*|brought|loved (?:the|your|his|her|their)) (?:enthusiasm|energy|passion|vibe|attitude)\b",
        r"\b(?:genuine|real|obvious|visible) (?:enthusiasm|excitement|passion|nervousness)\b",
        r"\b(?:lit up|sleep-deprived|newborn)\b",
        r"\b(?:his|her|their|your) (?:demeanou?r|energy|enthusiasm|tone of voice|body language|mood|attitude)\b",
        r"\b(?:body language|eye contact)\b",
    ],
    "inferred:personality": [
        rf"\b{_SEEN}{_DEGREE} (?:an? )?(?:{_TRAITS})(?: (?:person|individual|candidate|communicator))?\b",
        rf"\b(?:a bit|a little|somewhat|quite|very|rather|too|overly|genuinely|not) (?:an? )?(?:{_TRAITS})\b",
        rf"\b(?:{_TRAITS}) (?:person|individual|guy|personality)\b",
        r"\b(?:likeable|likable|introvert(?:ed)?|extrovert(?:ed)?|arrogant|cocky|abrasive|charismatic|aloof|personable)\b",
        r"\b(?:his|her|their|your|strong|great|big|bubbly) personality\b",
        r"\b(?:charisma|vibe|temperament|type[- ]a|bluntness)\b",
        r"\b(?:lack(?:s|ed|ing)?(?: of)?|no|without) (?:charisma|presence|personality|polish)\b",
    ],
    "inferred:fit": [
        r"\bcultur(?:e|al)[- ](?:fit|add)\b",
        r"\b(?:good|great|poor|bad|strong|weak|natural|right|wrong) fit (?:for|with) (?:the |our |this |your )?"
        r"(?:team|culture|company|org\w*|role|us|microsoft)\b",
        r"\bnot (?:a|the) (?:good |great |right )?fit\b",
        r"\bfit(?:s|ting)? (?:in|into|with) (?:the|our|your|this) (?:team|culture|company|group)\b",
        r"\bfit(?:s|ting)? in (?:well|nicely|here)\b",
        r"\b(?:gel|mesh|click|vibe)(?:s|ed|led)?(?: well)? with (?:the|our|your|this|us)\b",
        r"\bslot (?:right )?in\b",
        r"\b(?:grab|have) a (?:beer|drink|coffee) with\b",
        r"\bfit(?:s|ting)? in with\b",
        r"\bpeople like (?:you|him|her|them)\b",
        r"\b(?:one of us|like us)\b",
        r"\bgut (?:feeling|sense|call)\b",
    ],
}
# Words that name a characteristic but are also the subject of this role's work (fairness of models by age,
# accent or gender): findings unless the sentence shows they are about the work.
WORDS: dict[str, list[str]] = {
    "protected:age": [r"\bage(?:d| group)?\b(?! of)"],
    "protected:sex": [r"\b(?:woman|women|female|male|girl|guy|lady|ladies|gentleman|gender|feminine|masculine)\b"],
    "protected:race": [r"\b(?:race|racial|ethnic\w*|caucasian|hispanic|latin[oax]|african[- ]american|skin colou?r)\b"],
    "protected:national_origin": [r"\b(?:accent|foreign|nationality|citizen(?:ship)?|visa)\b"],
    "protected:religion": [r"\b(?:religio(?:n|us)|christian|muslim|jewish|hindu|sikh|buddhist|church|mosque|synagogue|temple)\b"],
    "protected:disability_health": [
        r"\b(?:disability|disabilities|deaf|blind|(?:visually |hearing )?impaired|wheelchair|stammer\w*|stutter\w*|"
        r"illness)\b(?![- ]spots?)"
    ],
    "protected:pregnancy_family": [
        r"\bpregnan\w*",
        r"\b(?:maternity|paternity|parental) leave\b",
        r"\b(?:no|has|have|with|two|three|young|small) (?:young |small )?(?:kids|children|babies|baby|toddlers?)\b",
        r"\b(?:a )?(?:mother|father|mom|dad|parent) of\b",
    ],
    "protected:marital_status": [r"\b(?:marital|married)\b"],
    "protected:sexual_orientation": [r"\b(?:sexual orientation|lgbt\w*)"],
    "inferred:personality": [r"\bpersonality\b"],
    "inferred:emotion": [r"\b(?:nervous(?:ly|ness)?|anxious(?:ly)?|anxiety|jittery|nerves)\b"],
}


def _one_pass(patterns: list[str]) -> re.Pattern[str]:
    """The patterns as one alternation, matched against lower-cased text: one pass over a sentence instead of one per
    pattern, and case-sensitive matching, which Python's engine does faster than IGNORECASE."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)")


_COMPILED = {kind: (_one_pass(PERSONAL[kind]), _one_pass(WORDS.get(kind, []))) for kind in PERSONAL}
# Technical phrases that share a word with a pattern and say nothing about a person.
_INNOCENT = re.compile(
    r"\b(?:black[- ]box|white[- ](?:paper|box|list)|age(?:d)? (?:out|off)|(?:data|model|cache|page) age|"
    r"aged? (?:data|logs?|records?|tickets?)|confidence (?:interval|level|score|threshold)s?|foreign key|"
    r"(?:assistant|bot|model|agent|product|chatbot|brand|persona|voice)(?:'s)? (?:personality|tone|voice|energy)|"
    # Blind as a method: a review, sample or comparison made without knowing which side is which.
    r"blind(?:ly)?[- ](?:[a-z]+-[a-z]+ )?(?:review\w*|samples?|tests?|testing|bake[- ]?offs?|evaluations?|evals?|"
    r"comparisons?|rat(?:e[ds]?|ings?)|label\w*|reads?|a/b|stud(?:y|ies)|trials?|guardrails?|checks?|metrics?|scor\w*)|"
    # Advice about the decisions someone is unsure of, not a reading of how they felt in the interview.
    r"(?:calls?|decisions?|risks?|choices?|trade-?offs?|situations?) (?:that )?you(?:'re| are| feel) "
    r"(?:uneasy|uncomfortable|unsure) (?:with|about)|"
    r"(?:check|validat|test|rat|scor|grad|review|compar|label|evaluat)\w*(?: (?:it|them|this|that|each|every|all|both))?"
    r"(?: (?:option|options|arm|arms|variant|variants|output|outputs|answer|answers))? blind|"
    r"race conditions?)\b",
)
# The words that make a characteristic the subject of the work ("an accent-linked false-positive gap", "a likely age
# proxy", "religion-related terms"): the Responsible AI answers of this role are about such bias, and a grader
# retelling them speaks of the model, not of the person.
_ABOUT_THE_WORK = re.compile(
    r"\b(?:bias\w*|prox(?:y|ies)|gaps?|parity|fair\w*|disparit\w*|disparat\w*|slices?|subgroups?|demographic\w*|"
    r"cohorts?|harm\w*|false[- ](?:positive|negative)s?|recall|precision|accuracy|error rates?|omissions?|evals?|"
    r"evaluat\w*|dataset|data|labels?|model|classifier|detector|feature|signal|attribute|skew\w*|imbalance\w*|"
    r"balanced|representation|linked|based|related|ratio|bands?|content|terms|quer(?:y|ies)|moderation|audit\w*|"
    r"users?|customers?|captions?|accessib\w*|screen[- ]readers?|verification|service|features?|tiers?|paths?|"
    r"teammates?|colleagues?|managers?|reports?|advocates?|filing|onboarding|routing|ads?|targeting|toxic\w*|apps?|"
    r"products?|platforms?|tools?|families|checks?|results?|per|forms?|fields?|splits?|segments?)\b",
)
# Someone else in the story is the one who feels it ("the team was anxious about the deadline").
_OTHERS_FEEL = re.compile(
    r"\b(?:team|customers?|users?|clients?|stakeholders?|pm|managers?|executives?|partners?|leadership|people|they)\b",
)
WORK_WINDOW = 40  # characters either side of a word searched for what makes it the work's subject


@dataclass(frozen=True)
class GraderTextHit:
    """One finding: where in the grade, what kind, the words matched and the sentence they stand in."""

    where: str
    kind: str
    words: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} {self.words!r} in {self.sentence!r}"


def screen_text(text: str) -> list[tuple[str, str, str]]:
    """(kind, matched words, sentence) of every finding in `text`, one per kind and sentence."""
    out = []
    # "e.g." and "i.e." end no sentence: "by segment (e.g. age)" keeps the words that make age the work's subject.
    for sentence in re.split(r"(?<=[.!?;])(?<!e\.g\.)(?<!i\.e\.)\s+", text.strip()):
        cleaned = _INNOCENT.sub(" ", sentence.lower())
        for kind, (personal, words) in _COMPILED.items():
            excuse = _OTHERS_FEEL if kind == "inferred:emotion" else _ABOUT_THE_WORK
            match = personal.search(cleaned) or next(
                (m for m in words.finditer(cleaned) if not _excused(cleaned, m, excuse)), None
            )
            if match is not None:
                out.append((kind, match.group(0), sentence))
    return out


def _excused(sentence: str, match: re.Match[str], excuse: re.Pattern[str]) -> bool:
    around = sentence[max(0, match.start() - WORK_WINDOW) : match.end() + WORK_WINDOW]
    return excuse.search(around) is not None


def grader_texts(grade: Grade) -> list[tuple[str, str]]:
    """(where, text) of every sentence-bearing field of a grade the grader wrote itself: rationales and feedback."""
    texts = [(f"rationale:{cid}", g.rationale) for cid, g in grade.competencies.items()]
    texts += [(f"feedback.strengths[{k}]", s) for k, s in enumerate(grade.feedback.strengths)]
    texts += [(f"feedback.growth_areas[{k}]", s) for k, s in enumerate(grade.feedback.growth_areas)]
    return texts + [("feedback.better_story", grade.feedback.better_story)]


def screen_grade(grade: Grade | None) -> list[GraderTextHit]:
    """Every finding in a grade's rationales and feedback; none for an ungraded interview."""
    if grade is None:
        return []
    return [GraderTextHit(where, *found) for where, text in grader_texts(grade) for found in screen_text(text)]
