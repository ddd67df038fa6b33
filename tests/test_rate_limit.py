"""Per-model limits: calls at once, requests and tokens per minute, waited for before a call is sent."""

from __future__ import annotations

import asyncio

import pytest

from agents.models.config import ModelsConfig, RoleModel
from agents.models.providers.scripted import FunctionModel
from agents.models.rate_limit import RateLimiter, model_limits


class FakeClock:
    """Time that moves only when the limiter sleeps."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_requests_per_minute_space_the_calls_out():
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=2, clock=clock, sleep=clock.sleep)
    waits = [asyncio.run(limiter.acquire(10)) for _ in range(3)]
    assert waits == [0.0, 0.0, 30.0]  # the bucket holds two; the third waits for one to refill at 2 a minute


def test_tokens_per_minute_wait_for_the_tokens_a_request_needs():
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=1000, clock=clock, sleep=clock.sleep)
    assert asyncio.run(limiter.acquire(600)) == 0.0
    assert asyncio.run(limiter.acquire(600)) == pytest.approx(12.0)  # 200 more tokens at 1000 a minute
    assert asyncio.run(limiter.acquire(5000)) == pytest.approx(60.0)  # more than a minute's worth waits for a full bucket, once


def test_roles_on_one_model_share_its_lowest_limits():
    models = ModelsConfig.for_all("openai/gpt-4o-mini").model_copy(
        update={
            "grader": RoleModel(
                model="openai/gpt-4o-mini", temperature=0, max_tokens=100, max_concurrency=2, requests_per_minute=90
            ),
            "judge": RoleModel(model="openai/gpt-4o-mini", temperature=0, max_tokens=100, requests_per_minute=60),
        }
    )
    limits = model_limits(models)[("openai/gpt-4o-mini", None)]
    assert (limits.max_concurrency, limits.requests_per_minute, limits.tokens_per_minute) == (2, 60, None)
    assert model_limits(ModelsConfig.for_all("scripted/x")) == {}


def test_a_model_capped_at_two_calls_never_has_three_in_flight(fake_gateway):
    live = {"now": 0, "most": 0}

    async def counted(role, messages, schema):
        live["now"] += 1
        live["most"] = max(live["most"], live["now"])
        await asyncio.sleep(0.02)
        live["now"] -= 1
        return "ok"

    gateway = fake_gateway("capped", FunctionModel(counted), temperature=0.7, concurrency=8, max_concurrency=2)

    async def many():
        return await asyncio.gather(
            *(gateway.session().complete("candidate", [{"role": "user", "content": "hi"}]) for _ in range(10))
        )

    assert asyncio.run(many()) == ["ok"] * 10
    assert live["most"] == 2
