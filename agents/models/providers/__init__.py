"""Providers behind the gateway, chosen by the model string's prefix.

`local/<name>` runs the embedded model in process, `baseline/<name>` a grader that needs no
model (a negative control), `callable/<module:function>` a Python function (an external
interviewer), `recorded/<dir>` a model's replies replayed from files, `scripted/<name>` a
registered test fake, anything else goes to litellm unchanged. None of these imports litellm or llama.cpp here.
"""

from __future__ import annotations

from agents.models.providers.base import Provider
from agents.models.providers.baseline import BaselineProvider
from agents.models.providers.callable_provider import CallableProvider
from agents.models.providers.litellm_provider import LiteLLMProvider
from agents.models.providers.local_model import LocalModelProvider
from agents.models.providers.recorded import RecordedProvider
from agents.models.providers.scripted import ScriptedProvider

_local = LocalModelProvider()
_baseline = BaselineProvider()
_callable = CallableProvider()
_scripted = ScriptedProvider()
_recorded = RecordedProvider()
_litellm = LiteLLMProvider()


def provider_for(model: str) -> Provider:
    """The provider that serves `model`."""
    if model.startswith("local/"):
        return _local
    if model.startswith("scripted/"):
        return _scripted
    if model.startswith("baseline/"):
        return _baseline
    if model.startswith("callable/"):
        return _callable
    if model.startswith("recorded/"):
        return _recorded
    return _litellm


def via_litellm(model: str) -> bool:
    """Whether `model` goes to litellm (a provider API), not to one of the in-process providers."""
    return provider_for(model) is _litellm


def provider_key(model: str, api_base: str | None) -> str:
    """Name of the concurrency pool a call belongs to: one per provider and endpoint."""
    prefix = model.split("/", 1)[0] if "/" in model else "litellm"
    return f"{prefix}@{api_base}" if api_base else prefix
