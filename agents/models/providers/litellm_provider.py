"""Every provider API (OpenAI, Azure, Anthropic, Ollama, any OpenAI-compatible server) via litellm.

This is the only module that imports litellm, and only on the first call: importing it takes
seconds and, without the environment set below, reaches for the network.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any
from urllib.parse import urlparse

from agents.models.providers.base import (
    ProviderError,
    ProviderRequest,
    ProviderResponse,
    RealModelCallBlocked,
)
from agents.models.providers.retry_hints import retry_after

_MISSING_CREDENTIALS = re.compile(r"api[_ ]key (?:must be set|is missing|not (?:set|provided|found))|missing credentials", re.I)
# Tests set this to False (tests/conftest.py) so no unit test can reach a real provider;
# servers on loopback stay reachable because tests start those themselves.
ALLOW_REMOTE_CALLS = True

_OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "HF_HUB_OFFLINE": "1",
}


def is_loopback(api_base: str | None) -> bool:
    """True when `api_base` points at this machine."""
    return api_base is not None and host_is_loopback(urlparse(api_base).hostname or "")


def host_is_loopback(host: str) -> bool:
    """True when `host` (a name or an address) is this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def import_litellm() -> Any:
    """Import litellm with its network lookups (price map, tokenizer downloads) switched off."""
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def _response_format(request: ProviderRequest) -> dict[str, Any]:
    schema = request.schema
    if request.model.startswith("openai/") and request.api_base:
        # Self-hosted OpenAI-compatible servers (llama-cpp-python's among them) constrain
        # decoding with this older form and reject "json_schema".
        return {"type": "json_object", "schema": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": request.schema_name or "output", "schema": schema, "strict": False},
    }


def _provider_error(litellm: Any, exc: Exception) -> ProviderError:
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if isinstance(exc, _fatal_types(litellm)) or _MISSING_CREDENTIALS.search(str(exc)):
        retryable: bool | None = False  # the same request will fail the same way: no retry (litellm reports some as 500)
    elif isinstance(exc, (litellm.Timeout, litellm.APIConnectionError)):
        retryable = True
    else:
        retryable = None  # by the status code
    response = getattr(exc, "response", None)
    headers = getattr(exc, "litellm_response_headers", None) or getattr(response, "headers", None)
    return ProviderError(
        f"{type(exc).__name__}: {exc}", status_code=status, retryable=retryable, retry_after=retry_after(headers)
    )


def _fatal_types(litellm: Any) -> tuple[type[Exception], ...]:
    """Errors a retry cannot fix: credentials, permission, a malformed request, an unknown model."""
    return (litellm.AuthenticationError, litellm.PermissionDeniedError, litellm.BadRequestError, litellm.NotFoundError)


def _cost(litellm: Any, response: Any) -> tuple[float, bool]:
    try:
        return float(litellm.completion_cost(completion_response=response)), True
    except Exception:  # litellm raises when its price map does not know the model
        return 0.0, False


class LiteLLMProvider:
    """Sends requests through `litellm.acompletion`, with litellm's own retries off."""

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        if not ALLOW_REMOTE_CALLS and not is_loopback(request.api_base):
            raise RealModelCallBlocked(f"refused a real call to {request.model}: remote model calls are blocked in tests")
        litellm = import_litellm()
        kwargs: dict[str, Any] = {
            "model": request.model,
            "messages": request.messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "timeout": request.timeout,
            "num_retries": 0,  # the gateway retries; litellm and the openai client must not
            "max_retries": 0,
            "drop_params": True,  # e.g. providers without `seed`
        }
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.api_key_env:
            if not os.environ.get(request.api_key_env):
                raise ProviderError(f"{request.model}: environment variable {request.api_key_env} is not set", retryable=False)
            kwargs["api_key"] = os.environ[request.api_key_env]
        if request.api_base:
            kwargs["api_base"] = request.api_base
            if "api_key" not in kwargs and request.model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
                kwargs["api_key"] = "unused"  # local servers ignore it; the client insists on one
        if request.schema is not None:
            kwargs["response_format"] = _response_format(request)
        try:
            response = await litellm.acompletion(**kwargs)
        except Exception as exc:
            raise _provider_error(litellm, exc) from exc
        usage = getattr(response, "usage", None)
        cost, known = _cost(litellm, response)
        return ProviderResponse(
            text=response.choices[0].message.content or "",
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            cost_usd=cost,
            cost_known=known,
            raw=response,
        )
