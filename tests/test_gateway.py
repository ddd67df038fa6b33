"""Gateway calls: structured output repair and fail-closed path, retries, timeouts, accounting."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field, create_model

from agents.models.config import ROLE_DEFAULTS, ModelsConfig
from agents.models.gateway import Gateway, ModelCallError, RealModelCallBlocked, StructuredOutputError
from agents.models.providers.base import ProviderError
from agents.models.providers.litellm_provider import is_loopback
from agents.models.providers.scripted import FunctionModel, ScriptedModel

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [{"role": "user", "content": "Grade this answer please"}]


class Score(BaseModel):
    competency: str
    score: int = Field(ge=1, le=5)


def run(coro):
    return asyncio.run(coro)


def test_invalid_structured_output_is_repaired_once(fake_gateway):
    fake = ScriptedModel(['{"competency": "ownership", "score": 9}', {"competency": "ownership", "score": 4}])
    session = fake_gateway("repair", fake, temperature=0).session()
    result = run(session.complete("grader", MESSAGES, output_type=Score))
    assert result == Score(competency="ownership", score=4)
    repair_messages = fake.calls[1].messages
    assert repair_messages[:-2] == MESSAGES
    assert repair_messages[-2] == {"role": "assistant", "content": '{"competency": "ownership", "score": 9}'}
    assert repair_messages[-1]["role"] == "user"
    assert "less than or equal to 5" in repair_messages[-1]["content"]
    record = session.calls[0]
    assert record.retries == 1 and record.error is None
    fake.assert_complete()


def test_structured_output_fails_closed_after_one_repair(fake_gateway):
    fake = ScriptedModel(["not json at all", '{"competency": "ownership"}', "never used"])
    session = fake_gateway("closed", fake, temperature=0).session()
    with pytest.raises(StructuredOutputError, match="invalid Score after one repair") as caught:
        run(session.complete("grader", MESSAGES, output_type=Score))
    assert isinstance(caught.value, ModelCallError)
    assert len(fake.calls) == 2 and fake.remaining == 1
    record = session.calls[0]
    assert record.error.startswith("StructuredOutputError")
    assert record.retries == 1


def test_code_fenced_json_is_accepted(fake_gateway):
    fake = ScriptedModel(['```json\n{"competency": "ambiguity", "score": 3}\n```'])
    session = fake_gateway("fence", fake, temperature=0).session()
    assert run(session.complete("grader", MESSAGES, output_type=Score)).score == 3


def test_models_built_with_create_model_and_narrowed_literals(fake_gateway):
    Decision = create_model(
        "Decision",
        action=(Literal["probe", "next_question"], ...),
        question_id=(Literal["q_ownership"], ...),
    )
    fake = ScriptedModel([{"action": "wrap_up", "question_id": "q_ownership"}, {"action": "probe", "question_id": "q_ownership"}])
    session = fake_gateway("literal", fake, temperature=0).session()
    result = run(session.complete("interviewer", MESSAGES, output_type=Decision))
    assert result.action == "probe"
    assert fake.calls[0].schema["properties"]["action"]["enum"] == ["probe", "next_question"]


def test_rate_limit_and_server_errors_are_retried_with_backoff(fake_gateway, monkeypatch):
    from agents.models import gateway as gateway_module

    waits, real = [], gateway_module.retry_delay
    monkeypatch.setattr(gateway_module, "retry_delay", lambda *args: waits.append(real(*args)) or 0.0)
    fake = ScriptedModel(
        [
            ProviderError("429 Too Many Requests", status_code=429),
            ProviderError("503 Service Unavailable", status_code=503),
            "finally",
        ]
    )
    session = fake_gateway("flaky", fake, temperature=0.7, backoff_s=0.05).session()
    assert run(session.complete("candidate", MESSAGES)) == "finally"
    # Exponential (0.05, then 0.1) with jitter in the upper half of each step.
    assert 0.025 <= waits[0] <= 0.05 and 0.05 <= waits[1] <= 0.1
    assert session.calls[0].retries == 2
    assert session.calls[0].error is None


def test_timeouts_are_retried(fake_gateway):
    attempts, abandoned = [], []

    async def slow_then_fast(role, messages, schema):
        attempts.append(time.perf_counter())
        if len(attempts) == 1:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                abandoned.append(len(attempts))  # the timeout cut the first attempt short
                raise
        return "in time"

    session = fake_gateway("slow", FunctionModel(slow_then_fast), temperature=0.7, timeout=0.1).session()
    assert run(session.complete("candidate", MESSAGES)) == "in time"
    assert abandoned == [1]
    assert len(attempts) == 2 and session.calls[0].retries == 1


def test_injected_timeout_and_connection_errors_are_retried(fake_gateway):
    fake = ScriptedModel([TimeoutError(), ConnectionError("reset by peer"), "ok"])
    session = fake_gateway("drops", fake, temperature=0.7).session()
    assert run(session.complete("candidate", MESSAGES)) == "ok"
    assert session.calls[0].retries == 2


def test_retries_give_up_as_model_call_error(fake_gateway):
    fake = ScriptedModel([ProviderError("502 Bad Gateway", status_code=502)] * 3)
    session = fake_gateway("down", fake, temperature=0.7, max_retries=2).session()
    with pytest.raises(ModelCallError, match="gave up after 2 retries"):
        run(session.complete("candidate", MESSAGES))
    assert session.calls[0].retries == 2
    assert "502" in session.calls[0].error
    fake.assert_complete()


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(fake_gateway, status):
    fake = ScriptedModel([ProviderError(f"{status} from provider", status_code=status), "unused"])
    session = fake_gateway("auth", fake, temperature=0.7).session()
    with pytest.raises(ModelCallError, match=f"{status} from provider"):
        run(session.complete("candidate", MESSAGES))
    assert session.calls[0].retries == 0
    assert fake.remaining == 1


def test_unexpected_provider_exception_becomes_model_call_error(fake_gateway):
    fake = ScriptedModel([ValueError("bad payload"), "unused"])
    session = fake_gateway("weird", fake, temperature=0.7).session()
    with pytest.raises(ModelCallError, match="ValueError: bad payload"):
        run(session.complete("candidate", MESSAGES))
    assert fake.remaining == 1


def test_call_records_hold_the_accounting(fake_gateway):
    fake = ScriptedModel(["four words of reply"], latency=0.05)
    session = fake_gateway("acct", fake, temperature=0.7).session(seed=99)
    before = time.time()
    run(session.complete("interviewer", [{"role": "user", "content": "three word prompt"}]))
    (record,) = session.calls
    assert record.role == "interviewer"
    assert record.model == "scripted/acct"
    assert record.prompt_tokens == 3 and record.completion_tokens == 4
    assert record.latency_s >= 0.05
    assert record.cost_usd == 0.0 and record.cost_known is False
    assert record.cache_hit is False and record.retries == 0 and record.error is None
    assert before <= record.started_at <= time.time()


def test_sessions_keep_their_own_calls_and_seeds(fake_gateway):
    fake = FunctionModel(lambda role, messages, schema: "x")
    gateway = fake_gateway("seeds", fake, temperature=0.7)
    gateway.models.grader.seed = 7
    first, second = gateway.session(seed=1), gateway.session(seed=2)

    async def go():
        await first.complete("candidate", MESSAGES)
        await second.complete("candidate", MESSAGES)
        await second.complete("grader", MESSAGES)

    run(go())
    assert [len(first.calls), len(second.calls)] == [1, 2]
    assert [call.seed for call in fake.calls] == [1, 2, 7]  # a role's own seed wins
    assert fake.calls[0].temperature == 0.7 and fake.calls[0].max_tokens == ROLE_DEFAULTS["candidate"]["max_tokens"]


def test_unknown_role_is_rejected(fake_gateway):
    gateway = fake_gateway("roles", ScriptedModel([]), temperature=0)
    with pytest.raises(ValueError, match="unknown role 'hr'"):
        run(gateway.session().complete("hr", MESSAGES))


def test_real_provider_calls_are_blocked_in_tests(tmp_path):
    gateway = Gateway(ModelsConfig.for_all("openai/gpt-4o-mini"), cache_path=tmp_path / "c.sqlite")
    session = gateway.session(seed=1)
    with pytest.raises(RealModelCallBlocked, match="openai/gpt-4o-mini"):
        run(session.complete("grader", MESSAGES))
    assert session.calls[0].error.startswith("RealModelCallBlocked")
    assert session.calls[0].retries == 0


def test_only_loopback_endpoints_escape_the_block():
    assert is_loopback("http://127.0.0.1:8080/v1")
    assert is_loopback("http://localhost:1234")
    assert is_loopback("http://[::1]:8000/v1")
    assert not is_loopback("https://api.openai.com/v1")
    assert not is_loopback("http://10.0.0.5:8000/v1")
    assert not is_loopback(None)


def test_scripted_run_never_imports_litellm():
    script = textwrap.dedent(
        """
        import sys
        import agents.models.gateway as g
        from agents.models.config import ModelsConfig
        from agents.models.providers.scripted import ScriptedModel, register_scripted
        register_scripted("x", ScriptedModel(["hello"]))
        gw = g.Gateway(ModelsConfig.for_all("scripted/x"), use_cache=False)
        assert g.complete_sync("candidate", [{"role": "user", "content": "hi"}], gateway=gw) == "hello"
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("litellm", "llama_cpp", "openai")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
