"""One model call's accounting while it runs, and its answer."""

from __future__ import annotations

import dataclasses

from pydantic import BaseModel

from agents.models.response_cache import CachedResponse
from agents.records import CallRecord


@dataclasses.dataclass(slots=True)
class Answer:
    """A reply, and its output object when the call asked for one (validated once, here)."""

    response: CachedResponse
    output: BaseModel | None


@dataclasses.dataclass(slots=True)
class Tally:
    """One call's accounting while it runs: plain attributes, made into its CallRecord once at the end."""

    role: str
    model: str
    started_at: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = False
    cache_hit: bool = False
    retries: int = 0
    error: str | None = None
    latency_s: float = 0.0

    def response(self, text: str) -> CachedResponse:
        """`text` with this call's token counts, as the cache keeps it."""
        return CachedResponse(
            text=text, prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens, cost_known=self.cost_known
        )

    def parsed(self, body: str, output: BaseModel) -> Answer:
        """The answer of a structured call: its JSON body and the object validated from it."""
        return Answer(self.response(body), output)

    def hit(self, answer: Answer) -> Answer:
        """`answer`, from the cache or a shared identical call, counted as a hit with its original token counts."""
        self.cache_hit = True
        self.prompt_tokens = answer.response.prompt_tokens
        self.completion_tokens = answer.response.completion_tokens
        self.cost_known = answer.response.cost_known
        return answer

    def record(self) -> CallRecord:
        """The call's record, as results keep it."""
        return CallRecord(
            role=self.role,
            model=self.model,
            started_at=self.started_at,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=self.cost_usd,
            cost_known=self.cost_known,
            cache_hit=self.cache_hit,
            retries=self.retries,
            error=self.error,
            latency_s=self.latency_s,
        )
