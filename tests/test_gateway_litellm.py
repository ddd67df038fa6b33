"""The litellm provider without a network: its error mapping, parameters and cost accounting.

`litellm.acompletion` is replaced by a stub (built on litellm's own `mock_response`), so these
tests import litellm but never reach a provider.
"""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from agents.models.config import ROLE_DEFAULTS, ModelsConfig
from agents.models.gateway import Gateway, ModelCallError
from agents.models.providers import litellm_provider

litellm = litellm_provider.import_litellm()
# litellm's own TypedDicts trip a pydantic warning the first time it builds a response.
pytestmark = pytest.mark.filterwarnings("ignore:.*ReadOnly.*:UserWarning")
MESSAGES = [{"role": "user", "content": "Say hello"}]


class Hello(BaseModel):
    greeting: str


@pytest.fixture
def stub_litellm(monkeypatch):
    """Replace litellm.acompletion with a queue of outcomes; returns the list of call kwargs."""
    sent: list[dict] = []
    outcomes: list = []
    real = litellm.acompletion

    async def fake_acompletion(**kwargs):
        sent.append(kwargs)
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return await real(**{**kwargs, "mock_response": outcome})

    monkeypatch.setattr(litellm, "acompletion", fake_acompletion)
    monkeypatch.setattr(litellm_provider, "ALLOW_REMOTE_CALLS", True)  # nothing leaves the stub
    return sent, outcomes


def gateway(tmp_path, model="openai/gpt-4o-mini", **params):
    config = ModelsConfig.for_all(model, **params)
    return Gateway(config, cache_path=tmp_path / "c.sqlite", backoff_s=0.0, max_retries=2)


def test_known_model_gets_a_price_and_litellm_retries_are_off(stub_litellm, tmp_path):
    sent, outcomes = stub_litellm
    outcomes.append("Hello there, friend")
    session = gateway(tmp_path, temperature=0.7).session(seed=5)
    assert asyncio.run(session.complete("candidate", MESSAGES)) == "Hello there, friend"
    record = session.calls[0]
    assert record.cost_known is True and record.cost_usd > 0
    assert record.prompt_tokens > 0 and record.completion_tokens > 0
    assert sent[0]["seed"] == 5 and sent[0]["max_tokens"] == ROLE_DEFAULTS["candidate"]["max_tokens"]
    assert sent[0]["num_retries"] == 0 and sent[0]["max_retries"] == 0
    assert "api_base" not in sent[0]


def test_unknown_model_costs_zero_and_is_flagged(stub_litellm, tmp_path):
    outcomes = stub_litellm[1]
    outcomes.append("hi")
    session = gateway(tmp_path, model="openai/not-a-real-model-xyz", temperature=0.7).session()
    asyncio.run(session.complete("candidate", MESSAGES))
    assert session.calls[0].cost_known is False and session.calls[0].cost_usd == 0.0


def test_structured_call_sends_the_json_schema(stub_litellm, tmp_path):
    sent, outcomes = stub_litellm
    outcomes.append('{"greeting": "hello"}')
    session = gateway(tmp_path, temperature=0).session()
    assert asyncio.run(session.complete("judge", MESSAGES, output_type=Hello)) == Hello(greeting="hello")
    response_format = sent[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"] == Hello.model_json_schema()


def test_self_hosted_server_gets_the_json_object_form(stub_litellm, tmp_path):
    sent, outcomes = stub_litellm
    outcomes.append('{"greeting": "hi"}')
    session = gateway(tmp_path, model="openai/smollm2", temperature=0, api_base="http://127.0.0.1:9/v1").session()
    asyncio.run(session.complete("judge", MESSAGES, output_type=Hello))
    assert sent[0]["response_format"] == {"type": "json_object", "schema": Hello.model_json_schema()}
    assert sent[0]["api_base"] == "http://127.0.0.1:9/v1"


def test_rate_limit_and_timeout_from_litellm_are_retried(stub_litellm, tmp_path):
    outcomes = stub_litellm[1]
    outcomes.extend(
        [
            litellm.RateLimitError("slow down", llm_provider="openai", model="gpt-4o-mini"),
            litellm.Timeout("took too long", model="gpt-4o-mini", llm_provider="openai"),
            "made it",
        ]
    )
    session = gateway(tmp_path, temperature=0.7).session()
    assert asyncio.run(session.complete("candidate", MESSAGES)) == "made it"
    assert session.calls[0].retries == 2


def test_authentication_error_from_litellm_is_not_retried(stub_litellm, tmp_path):
    sent, outcomes = stub_litellm
    outcomes.extend([litellm.AuthenticationError("bad key", llm_provider="openai", model="gpt-4o-mini"), "unused"])
    session = gateway(tmp_path, temperature=0.7).session()
    with pytest.raises(ModelCallError, match="AuthenticationError"):
        asyncio.run(session.complete("candidate", MESSAGES))
    assert len(sent) == 1 and session.calls[0].retries == 0
