"""Comparing what was said by its content words: enough to tell which bank question a turn asks."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z]{5,}")
_COMMON = frozenset({"about", "their", "there", "where", "which", "would", "could", "should", "these", "those"})
_SUFFIXES = ("ements", "ement", "ings", "ing", "ers", "er", "ed", "es", "s", "e")
STEM = 5  # after the suffix goes, words are compared by their first five letters


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, enough to match a question's words to a competency's: sharing ~ share, disagreed ~ disagreements."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:STEM]


@lru_cache(maxsize=16384)
def content_stems(text: str) -> frozenset[str]:
    """The crude stems of the content words of `text` (five letters and longer, common words left out)."""
    # Kept: the same bank question and competency texts are compared on every turn of every interview.
    return frozenset(_stem(word) for word in _WORD.findall(text.lower()) if word not in _COMMON)


def containment(asked: str, reference: str) -> float:
    """Share of the reference text's content stems that `asked` also uses (1.0: says everything it says)."""
    wanted = content_stems(reference)
    return len(content_stems(asked) & wanted) / len(wanted) if wanted else 0.0
