"""`callable/package.module:function`: a Python function as a model, e.g. the user's own interviewer.

The function gets the chat messages and returns the reply text (it may be async). Timeouts, retries
and accounting happen in the gateway, as for any model.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from agents.models.providers.base import ProviderError, ProviderRequest, ProviderResponse

_loaded: dict[str, Callable[..., Any]] = {}


def load_callable(target: str) -> Callable[..., Any]:
    """Import `package.module:function`; ProviderError (not retried) when it does not exist."""
    if target not in _loaded:
        module_name, _, attribute = target.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise ProviderError(f"cannot load callable {target!r}: {exc}", retryable=False) from exc
        if not callable(function):
            raise ProviderError(f"{target!r} is not callable", retryable=False)
        _loaded[target] = function
    return _loaded[target]


class CallableProvider:
    """Answers with the text the named function returns for the messages."""

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        reply = load_callable(request.model.partition("/")[2])(request.messages)
        if inspect.isawaitable(reply):
            reply = await reply
        if not isinstance(reply, str):
            raise ProviderError(f"{request.model} returned {type(reply).__name__}, not text", retryable=False)
        return ProviderResponse(text=reply, cost_known=True)
