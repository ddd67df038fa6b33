"""Retrying as providers ask: Retry-After and reset headers, jitter, no retry for errors a retry cannot fix,
and the circuit breaker that stops a run on a model failing the same way again and again."""

from __future__ import annotations

import asyncio
import email.utils

import pytest
from typer.testing import CliRunner

from agents.models import gateway as gateway_module
from agents.models.circuit import CircuitBreaker, CircuitOpenError
from agents.models.gateway import ModelCallError, retry_delay
from agents.models.providers.base import ProviderError
from agents.models.providers.litellm_provider import _provider_error, import_litellm
from agents.models.providers.retry_hints import retry_after
from agents.models.providers.scripted import FunctionModel, ScriptedModel, register_scripted
from evals.cli import app
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, role_flags
from tests.scripted_agents import InterviewScript

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"x-ratelimit-reset-requests": "1m30s", "x-ratelimit-reset-tokens": "120ms"}, 90.0),
        ({"x-ratelimit-reset-tokens": "6m0s"}, 360.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_hints_in_seconds(headers, seconds):
    assert retry_after(headers) == seconds


def test_an_http_date_retry_after_counts_from_now():
    now = 1_800_000_000.0
    assert retry_after({"Retry-After": email.utils.formatdate(now + 30, usegmt=True)}, now=now) == 30.0
    assert retry_after({"Retry-After": email.utils.formatdate(now - 30, usegmt=True)}, now=now) == 0.0


def test_the_delay_is_jittered_and_never_shorter_than_asked():
    delays = [retry_delay(0.5, 2, None) for _ in range(200)]
    assert all(1.0 <= d <= 2.0 for d in delays) and len(set(delays)) > 100
    assert all(retry_delay(0.5, 0, 10.0) == 10.0 for _ in range(20))


def test_a_retry_waits_at_least_what_the_provider_asked(fake_gateway, monkeypatch):
    asked, real = [], gateway_module.retry_delay
    monkeypatch.setattr(
        gateway_module, "retry_delay", lambda backoff, attempt, wait: asked.append(wait) or real(backoff, attempt, wait)
    )
    stamps = []

    async def refuse_once(role, messages, schema):
        stamps.append(asyncio.get_running_loop().time())
        if len(stamps) == 1:
            raise ProviderError("429 Too Many Requests", status_code=429, retry_after=0.3)
        return "ok"

    session = fake_gateway("busy", FunctionModel(refuse_once), temperature=0.7, backoff_s=0.001).session()
    assert asyncio.run(session.complete("candidate", MESSAGES)) == "ok"
    assert asked == [0.3] and stamps[1] - stamps[0] >= 0.3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_errors_a_retry_cannot_fix_are_not_retried(fake_gateway, status):
    fake = ScriptedModel([ProviderError(f"{status}", status_code=status), "never reached"])
    session = fake_gateway(f"fatal{status}", fake, temperature=0.7).session()
    with pytest.raises(ModelCallError):
        asyncio.run(session.complete("candidate", MESSAGES))
    assert len(fake.calls) == 1 and session.calls[0].retries == 0


def test_litellm_errors_map_to_retry_or_not_with_the_wait_asked():
    litellm = import_litellm()
    import httpx

    auth = _provider_error(litellm, litellm.AuthenticationError("bad key", "openai", "gpt-4o-mini"))
    missing = _provider_error(litellm, litellm.InternalServerError("The api_key must be set", "openai", "gpt-4o-mini"))
    limited = litellm.RateLimitError(
        "slow down",
        "openai",
        "gpt-4o-mini",
        response=httpx.Response(429, headers={"retry-after": "7"}, request=httpx.Request("POST", "http://x")),
    )
    assert not auth.retryable and not missing.retryable
    rate = _provider_error(litellm, limited)
    assert rate.retryable and rate.retry_after == 7.0


def test_the_breaker_trips_on_identical_failures_only():
    breaker = CircuitBreaker(threshold=3)
    for n in range(2):
        breaker.failed("m", f"m: 503 request {n} failed")
    breaker.succeeded("m")
    for n in range(2):
        breaker.failed("m", f"m: 503 request {n} failed")
    breaker.failed("m", "m: something else")
    assert breaker.tripped is None
    for n in range(3):
        breaker.failed("m", f"m: 503 request {n} failed after {n * 1.5}s")
    assert breaker.tripped is not None and "3 calls in a row" in breaker.tripped


def test_an_open_breaker_makes_no_more_calls(fake_gateway):
    fake = ScriptedModel([ProviderError("401 bad key", status_code=401)] * 5 + ["never"])
    gateway = fake_gateway("revoked", fake, temperature=0.7)  # the default threshold: 5
    for _ in range(5):
        with pytest.raises(ModelCallError):
            asyncio.run(gateway.session().complete("candidate", MESSAGES))
    with pytest.raises(CircuitOpenError, match="5 calls in a row"):
        asyncio.run(gateway.session().complete("candidate", MESSAGES))
    assert len(fake.calls) == 5


def test_a_run_on_a_dead_model_stops_keeps_what_finished_and_resumes(tmp_path):
    script = InterviewScript(personas={p.display_name: p for p in LIBRARY.personas.values()})
    state = {"calls": 0, "dead_after": 120}

    def flaky(role, messages, schema):
        state["calls"] += 1
        if state["calls"] > state["dead_after"]:
            raise ProviderError("401 key revoked", status_code=401)
        return script.respond(role, messages, schema)

    register_scripted("revoking", FunctionModel(flaky))
    db = tmp_path / "h.duckdb"
    args = ["run", "--tag", "full", *role_flags("scripted/revoking"), "--db", str(db), "--no-cache", "--concurrency", "2"]
    stopped = CliRunner().invoke(app, args)
    assert stopped.exit_code == 1, stopped.output
    assert "failed 5 calls in a row the same way, so the run stopped" in stopped.output and "--resume" in stopped.output
    with Store.open(db) as store:
        run = store.list_runs(1)[0]
        kept = store.load_results(run.run_id)
    assert run.status == "incomplete" and 0 < len(kept) < len(run.plan)
    finished = {(r.persona_id, r.trial) for r in kept if r.status == "completed"}
    assert finished

    state["dead_after"] = 10**9  # the key works again
    resumed = CliRunner().invoke(app, ["run", "--resume", run.run_id, "--db", str(db), "--no-gate"])
    assert resumed.exit_code == 0, resumed.output
    with Store.open(db) as store:
        done = store.load_results(run.run_id)
        assert store.get_run(run.run_id).status == "complete"
    assert len(done) == len(run.plan) and all(r.status == "completed" for r in done)
    assert finished <= {(r.persona_id, r.trial) for r in done}
