"""Deterministic fake models for tests, reached as `scripted/<name>` once registered.

Two forms: `FunctionModel` computes each reply from (role, messages, schema); `ScriptedModel`
hands out canned replies in order, records every request, raises when it runs out and can
assert it was fully consumed. Both can sleep a fixed or jittered time to mimic latency.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
from collections import deque
from collections.abc import Callable
from typing import Any

from agents.models.providers.base import ModelCallError, ProviderRequest, ProviderResponse

Reply = str | dict[str, Any]
Latency = float | tuple[float, float]

_registry: dict[str, FunctionModel | ScriptedModel] = {}


class ScriptExhaustedError(AssertionError):
    """A ScriptedModel was asked for more replies than it was given (a test bug, not infra)."""


def _words(text: str) -> int:
    return len(text.split())


class _FakeModel:
    """Shared behaviour: latency, call recording, turning a reply into a ProviderResponse."""

    def __init__(self, latency: Latency = 0.0):
        self.latency = latency
        self.calls: list[ProviderRequest] = []

    async def _sleep(self) -> None:
        delay = random.uniform(*self.latency) if isinstance(self.latency, tuple) else self.latency
        if delay > 0:
            await asyncio.sleep(delay)

    @staticmethod
    def _response(request: ProviderRequest, reply: Reply) -> ProviderResponse:
        text = reply if isinstance(reply, str) else json.dumps(reply)
        # Whitespace word counts stand in for tokens so accounting has real numbers to add up.
        prompt = sum(_words(str(m.get("content", ""))) for m in request.messages)
        return ProviderResponse(text=text, prompt_tokens=prompt, completion_tokens=_words(text))


class FunctionModel(_FakeModel):
    """A fake whose reply is `fn(role, messages, schema)`; fn may be async and may raise."""

    def __init__(self, fn: Callable[[str, list[dict], dict | None], Reply], latency: Latency = 0.0):
        super().__init__(latency)
        self.fn = fn

    async def respond(self, request: ProviderRequest) -> ProviderResponse:
        self.calls.append(request)
        await self._sleep()
        reply = self.fn(request.role, request.messages, request.schema)
        if inspect.isawaitable(reply):
            reply = await reply
        return self._response(request, reply)


class ScriptedModel(_FakeModel):
    """A fake that returns `replies` in order; an Exception in the list is raised instead."""

    def __init__(self, replies: list[Reply | BaseException], latency: Latency = 0.0):
        super().__init__(latency)
        self._replies: deque[Reply | BaseException] = deque(replies)

    @property
    def remaining(self) -> int:
        """Replies not yet handed out."""
        return len(self._replies)

    async def respond(self, request: ProviderRequest) -> ProviderResponse:
        self.calls.append(request)
        if not self._replies:
            raise ScriptExhaustedError(f"scripted model ran out of replies at call {len(self.calls)} (role {request.role})")
        reply = self._replies.popleft()
        await self._sleep()
        if isinstance(reply, BaseException):
            raise reply
        return self._response(request, reply)

    def assert_complete(self) -> None:
        """Fail if any scripted reply was never used."""
        if self._replies:
            raise AssertionError(f"scripted model has {len(self._replies)} unused replies after {len(self.calls)} calls")


def register_scripted(name: str, model: FunctionModel | ScriptedModel) -> None:
    """Make `scripted/<name>` route to `model`."""
    _registry[name] = model


def clear_scripted() -> None:
    """Forget every registered fake."""
    _registry.clear()


class ScriptedProvider:
    """Routes `scripted/<name>` requests to the registered fake."""

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        name = request.model.split("/", 1)[1]
        model = _registry.get(name)
        if model is None:
            raise ModelCallError(f"no scripted model registered as {name!r}; call register_scripted first")
        return await model.respond(request)
