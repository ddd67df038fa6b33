"""Graders that need no model, as negative controls: `baseline/counting`, `baseline/constant`, `baseline/random`.

A harness that cannot tell a real grader from these cannot tell a grader from a shortcut. They
read the rendered grader prompt as a model would (the transcript lines and the competency list)
and reply in the grader's schema, so they run through the gateway like any grader model.

- counting: the strongest surface shortcut: each answer is assigned to the competency its
  question sounds most like, and scored by how many words and figures it has. It reports no red
  flags and quotes the opening of its longest answer.
- constant: every competency 3.
- random: a seeded draw of 1-5 per competency.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter, defaultdict
from functools import lru_cache

from agents.models.providers.base import ProviderError, ProviderRequest, ProviderResponse
from agents.wording import content_stems

BASELINES = ("counting", "constant", "random")
# A figure as a candidate cites it: 40%, 1.9 s, $2M, 3x, 12,000.
FIGURE = re.compile(r"(?<![A-Za-z\d])[$€£]?\d[\d,.]*(?:%|x\b|k\b|m\b|ms\b|s\b)?", re.IGNORECASE)
WORDS_PER_FIGURE = 40  # the counting score weighs one figure like forty words
_TURN = re.compile(r"^\[(\d+)\] (INTERVIEWER|CANDIDATE): (.*)$", re.MULTILINE)
_COMPETENCY = re.compile(r"^- ([a-z][a-z0-9_]*): (.*)$", re.MULTILINE)
QUOTE_CHARS = 80


def surface_counts(text: str) -> tuple[int, int]:
    """(words, figures) in a piece of candidate text."""
    return len(text.split()), len(FIGURE.findall(text))


def counting_evidence(words: int, figures: int) -> float:
    """The counting baseline's raw score: more words and more figures read as a stronger answer."""
    return words / WORDS_PER_FIGURE + figures


def counting_level(words: int, figures: int) -> int:
    """1-5 from the raw score: every unit of evidence (forty words or one figure) adds a level."""
    return max(1, min(5, 1 + int(counting_evidence(words, figures))))


@lru_cache(maxsize=64)
def _word_weights(described: tuple[tuple[str, str], ...], competency_ids: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    """Each content stem of the competency descriptions, with the competencies it describes and its weight there.

    A stem that describes several competencies says less about which one a question is on: it weighs 1/n for n
    competencies, scaled to a whole number so that sums are exact and equal overlaps tie the same way every time."""
    stems = {cid: content_stems(f"{cid.replace('_', ' ')} {text}") for cid, text in described}
    spread = Counter(stem for cid in competency_ids for stem in stems.get(cid, set()))
    scale = math.lcm(*range(1, len(competency_ids) + 1))
    weights: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for cid in competency_ids:
        for stem in stems.get(cid, set()):
            weights[stem].append((cid, scale // spread[stem]))
    return weights


def answers_by_competency(prompt: str, competency_ids: list[str]) -> dict[str, list[str]]:
    """Each candidate turn, under the competency whose description its preceding question shares most words with."""
    weights = _word_weights(tuple(_COMPETENCY.findall(prompt)), tuple(competency_ids))
    answers: dict[str, list[str]] = defaultdict(list)
    topic = None
    for _, speaker, text in _TURN.findall(prompt):
        if speaker == "INTERVIEWER":
            overlap = dict.fromkeys(competency_ids, 0)
            for stem in content_stems(text):
                for cid, weight in weights.get(stem, ()):
                    overlap[cid] += weight
            best = max(overlap, key=overlap.__getitem__, default=None)
            topic = best if best is not None and overlap[best] > 0 else None
        elif topic is not None:
            answers[topic].append(text)
    return answers


def _graded(score: int | None, rationale: str, evidence: list[str]) -> dict:
    return {"score": score, "rationale": rationale[:QUOTE_CHARS], "evidence": evidence}


def counting_verdict(prompt: str, competency_ids: list[str]) -> dict:
    """The counting baseline's grade of a rendered grader prompt."""
    answers = answers_by_competency(prompt, competency_ids)
    competencies = {}
    for cid in competency_ids:
        said = answers.get(cid, [])
        if not said:
            competencies[cid] = _graded(None, "no answer on this competency", [])
            continue
        words, figures = surface_counts(" ".join(said))
        longest = max(said, key=len)
        competencies[cid] = _graded(counting_level(words, figures), f"{words} words, {figures} figures", [longest[:QUOTE_CHARS]])
    return {"competencies": competencies, "red_flags": [], "feedback": _FEEDBACK}


def _fixed_verdict(competency_ids: list[str], scores: list[int], name: str) -> dict:
    competencies = {cid: _graded(score, f"{name} baseline", []) for cid, score in zip(competency_ids, scores)}
    return {"competencies": competencies, "red_flags": [], "feedback": _FEEDBACK}


_FEEDBACK = {
    "strengths": ["(baseline grader: no feedback)"],
    "growth_areas": ["(baseline grader: no feedback)"],
    "better_story": "(baseline grader: no feedback)",
}


def _competency_ids(request: ProviderRequest) -> list[str]:
    """The competency ids the grader schema asks for, in order."""
    schema = request.schema or {}
    scores = schema.get("properties", {}).get("competencies", {})
    ref = scores.get("$ref", "").rsplit("/", 1)[-1]
    found = schema.get("$defs", {}).get(ref, scores).get("properties", {})
    if not found:
        raise ProviderError(f"{request.model} answers only the grader's schema", retryable=False)
    return list(found)


class BaselineProvider:
    """Serves `baseline/<name>` for the grader role, computing the verdict instead of asking a model."""

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        name = request.model.partition("/")[2]
        if name not in BASELINES:
            raise ProviderError(f"unknown baseline {name!r}; available: {', '.join(BASELINES)}", retryable=False)
        if request.role != "grader":
            raise ProviderError(f"{request.model} only grades; use it as --grader-model", retryable=False)
        prompt = "\n".join(str(m.get("content", "")) for m in request.messages)
        ids = _competency_ids(request)
        if name == "counting":
            verdict = counting_verdict(prompt, ids)
        elif name == "constant":
            verdict = _fixed_verdict(ids, [3] * len(ids), name)
        else:
            digest = hashlib.sha256(prompt.encode("utf-8")).hexdigest()
            draw = random.Random(f"{request.seed}:{digest}")
            verdict = _fixed_verdict(ids, [draw.randint(1, 5) for _ in ids], name)
        # No model ran: no tokens, and the price of nothing is known.
        return ProviderResponse(text=json.dumps(verdict), cost_known=True)
