"""Per-model limits from the config file: calls at once, requests per minute and tokens per minute.

A provider's rate limits are per model (and per key); a harness that sends more is answered with 429s and
spends its retries waiting. Token buckets keep a run under the limits instead: a call waits for its share
before it is sent, never after a refusal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable

from agents.models.config import ModelsConfig
from agents.records import ROLES


class _Bucket:
    """`per_minute` units, refilled continuously."""

    def __init__(self, per_minute: float, clock: Callable[[], float]):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.level = self.capacity
        self.clock = clock
        self.stamp = clock()

    def wait_for(self, units: float) -> float:
        """Take `units` if they are there (0.0), else the seconds until they will be (nothing taken)."""
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        units = min(units, self.capacity)  # a request larger than a minute's allowance waits for a full bucket
        if self.level >= units:
            self.level -= units
            return 0.0
        return (units - self.level) / self.rate


class RateLimiter:
    """Requests and tokens per minute for one model; either may be None (no limit)."""

    def __init__(
        self,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.requests = _Bucket(requests_per_minute, clock) if requests_per_minute else None
        self.tokens = _Bucket(tokens_per_minute, clock) if tokens_per_minute else None
        self.sleep = sleep
        self.lock = asyncio.Lock()

    async def acquire(self, tokens: int) -> float:
        """Wait until one request of about `tokens` tokens fits both budgets; the seconds waited."""
        waited = 0.0
        async with self.lock:  # first come, first served: a large request is not starved by small ones
            for bucket, units in ((self.requests, 1.0), (self.tokens, float(tokens))):
                while bucket is not None and (delay := bucket.wait_for(units)) > 0:
                    await self.sleep(delay)
                    waited += delay
        return waited


@dataclasses.dataclass(frozen=True)
class ModelLimits:
    """One model's configured limits (the lowest any role on it sets)."""

    max_concurrency: int | None = None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None


def model_limits(models: ModelsConfig) -> dict[tuple[str, str | None], ModelLimits]:
    """The limits per (model, endpoint) from the roles' configuration."""
    found: dict[tuple[str, str | None], ModelLimits] = {}
    for role in ROLES:
        config = models.role(role)
        key = (config.model, config.api_base)
        old = found.get(key, ModelLimits())
        found[key] = ModelLimits(
            *(
                min((v for v in (getattr(old, name), getattr(config, name)) if v is not None), default=None)
                for name in ("max_concurrency", "requests_per_minute", "tokens_per_minute")
            )
        )
    return {key: limits for key, limits in found.items() if limits != ModelLimits()}
