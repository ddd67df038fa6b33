"""The provider seam: one request shape, one response shape, and the errors a call can raise.

Providers only move text; retries, timeouts, caching, validation and accounting happen in
`agents.models.gateway`, above them, so every provider gets the same behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# Status codes worth trying again: request timeout, conflict, too early, rate limit.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


class ModelCallError(Exception):
    """A model call failed; callers record it as an infrastructure error, never as a score."""


class StructuredOutputError(ModelCallError):
    """The reply still did not match the output type after one repair attempt."""


class RealModelCallBlocked(ModelCallError):
    """A call to a real remote provider was refused (tests block them)."""


class ProviderError(Exception):
    """A provider could not answer; `retryable` says whether trying again may help.

    When `retryable` is not given it follows the status code: timeouts, 429 and 5xx retry,
    other 4xx (bad request, authentication, permission) do not.
    """

    def __init__(
        self, message: str, *, status_code: int | None = None, retryable: bool | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after  # seconds the provider asked to wait before trying again
        if retryable is None:
            retryable = status_code is not None and (status_code in RETRYABLE_STATUS or status_code >= 500)
        self.retryable = retryable


@dataclass(frozen=True)
class ProviderRequest:
    """Everything a provider needs for one completion."""

    role: str
    model: str
    messages: list[dict[str, Any]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    timeout: float = 120.0
    schema: dict[str, Any] | None = None
    schema_name: str | None = None


@dataclass
class ProviderResponse:
    """The text a provider returned and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = False
    raw: Any = field(default=None, repr=False)


class Provider(Protocol):
    """Anything that turns a request into a response (or raises ProviderError/ModelCallError).

    A provider may set `max_concurrency` to cap the gateway's concurrency pool for it.
    """

    async def complete(self, request: ProviderRequest) -> ProviderResponse: ...
