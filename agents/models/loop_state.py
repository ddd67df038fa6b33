"""What a gateway keeps per event loop: the pools calls wait in, rate limiters, deadlines and shared in-flight calls."""

from __future__ import annotations

import asyncio
import contextlib

from agents.models.deadlines import Deadlines
from agents.models.providers import provider_for, provider_key
from agents.models.providers.base import Provider
from agents.models.rate_limit import ModelLimits, RateLimiter
from agents.models.response_cache import CachedResponse

# A model's own pool when its config caps its concurrency; a no-op otherwise.
Pool = asyncio.Semaphore | contextlib.nullcontext[None]


class Route:
    """Where calls to one (model, endpoint) go on one loop: the provider and the pools and limits they wait in."""

    __slots__ = ("limiter", "model_pool", "provider", "semaphore")

    def __init__(self, provider: Provider, semaphore: asyncio.Semaphore, model_pool: Pool, limiter: RateLimiter | None):
        self.provider, self.semaphore, self.model_pool, self.limiter = provider, semaphore, model_pool, limiter


class LoopState:
    """Things bound to one event loop: semaphores, rate limiters, deadlines and in-flight futures."""

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self.deadlines = Deadlines(asyncio.get_running_loop())
        self.semaphores: dict[str, asyncio.Semaphore] = {}
        self.inflight: dict[str, asyncio.Future[CachedResponse]] = {}
        self.routes: dict[tuple[str, str | None], Route] = {}

    def semaphore(self, key: str, limit: int | None) -> asyncio.Semaphore:
        if key not in self.semaphores:
            self.semaphores[key] = asyncio.Semaphore(min(self.concurrency, limit or self.concurrency))
        return self.semaphores[key]

    def route(self, model: str, api_base: str | None, limits: ModelLimits | None) -> Route:
        """The route of (model, api_base), made on its first call."""
        key = (model, api_base)
        if key not in self.routes:
            provider = provider_for(model)
            semaphore = self.semaphore(provider_key(model, api_base), getattr(provider, "max_concurrency", None))
            # The model's own pool when the config caps it; the provider's pool alone otherwise.
            pool = self.semaphore(f"model:{key}", limits.max_concurrency) if limits and limits.max_concurrency else None
            paced = limits is not None and bool(limits.requests_per_minute or limits.tokens_per_minute)
            limiter = RateLimiter(limits.requests_per_minute, limits.tokens_per_minute) if limits and paced else None
            self.routes[key] = Route(provider, semaphore, pool or contextlib.nullcontext(), limiter)
        return self.routes[key]
