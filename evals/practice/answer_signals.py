"""What a behavioral answer shows on its surface: figures, "I" against "we", trade-offs, reflection, length.

Practice feedback and the level examples read answers with these, so a person is told what their answer
lacked in the same terms the examples are explained in. They are cues to look at, never a grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.interview.format_rules import WORDS_PER_MINUTE
from agents.models.providers.baseline import FIGURE

# "I" is matched case-sensitively: a lone lowercase "i" is rarely the pronoun.
_OWN = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|myself)\b")
_TEAM = re.compile(r"\b(?:we|we're|we've|we'd|we'll|us|our|ours|ourselves)\b", re.IGNORECASE)
_TRADEOFF = re.compile(
    r"\b(?:trade-?offs?|instead of|rather than|alternatives?|versus|vs\.?|weighed|at the cost of|compromise|"
    r"decided against|ruled out|rejected|option [ab12]|pros and cons|"
    r"(?:chose|picked|opted for|went with|preferred)\b[^.?!]{0,60}\bover)\b",
    re.IGNORECASE,
)
_REFLECTION = re.compile(
    r"\b(?:learn(?:ed|t|ing)|lessons?|differently|next time|in hindsight|looking back|retro(?:spective)?s?|"
    r"feedback|changed (?:how|the way)|would have|should have)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerSignals:
    """Counts over one answer (or several joined)."""

    words: int
    figures: int
    own: int
    team: int
    tradeoffs: int
    reflection: int

    @property
    def minutes(self) -> float:
        """Speaking time at the pace the format assumes."""
        return self.words / WORDS_PER_MINUTE

    @property
    def owns_the_work(self) -> bool:
        """Says "I" at least as often as "we"."""
        return self.own >= self.team


def signals(text: str) -> AnswerSignals:
    """The surface signals of `text`."""
    return AnswerSignals(
        words=len(text.split()),
        figures=len(FIGURE.findall(text)),
        own=len(_OWN.findall(text)),
        team=len(_TEAM.findall(text)),
        tradeoffs=len(_TRADEOFF.findall(text)),
        reflection=len(_REFLECTION.findall(text)),
    )


def describe(found: AnswerSignals) -> list[str]:
    """The signals as short phrases, for explaining an answer."""
    return [
        f"{found.figures} figure{'s' if found.figures != 1 else ''}" if found.figures else "no figures",
        f'"I" {found.own}x, "we" {found.team}x',
        "names a trade-off" if found.tradeoffs else "no trade-off named",
        "reflects on what was learned" if found.reflection else "no reflection",
        f"about {found.minutes:.1f} min spoken",
    ]


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """`text` split into sentences (at ., ! or ? followed by a space)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]
