"""The scripted fakes behind `scripted/<name>`: both forms, recording, exhaustion, latency."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from pydantic import BaseModel

from agents.models.gateway import ModelCallError
from agents.models.providers.scripted import FunctionModel, ScriptedModel, ScriptExhaustedError

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hi"}]


class Answer(BaseModel):
    word: str
    count: int


def test_scripted_model_replies_in_order_and_records_each_request(fake_gateway):
    fake = ScriptedModel(["first", "second"])
    session = fake_gateway("queue", fake, temperature=0.7).session(seed=None)

    async def run():
        return [await session.complete("candidate", MESSAGES), await session.complete("interviewer", MESSAGES)]

    assert asyncio.run(run()) == ["first", "second"]
    assert [call.role for call in fake.calls] == ["candidate", "interviewer"]
    assert fake.calls[0].messages == MESSAGES
    assert fake.calls[0].schema is None
    assert fake.calls[0].model == "scripted/queue"
    fake.assert_complete()


def test_scripted_model_raises_when_it_runs_out(fake_gateway):
    fake = ScriptedModel(["only"])
    session = fake_gateway("short", fake, temperature=0.7).session()

    async def run():
        await session.complete("candidate", MESSAGES)
        await session.complete("candidate", MESSAGES)

    with pytest.raises(ScriptExhaustedError, match="ran out of replies at call 2"):
        asyncio.run(run())
    assert len(fake.calls) == 2
    assert session.calls[1].error is not None and "ran out" in session.calls[1].error


def test_assert_complete_fails_while_replies_remain():
    fake = ScriptedModel(["a", "b", RuntimeError("never raised")])
    with pytest.raises(AssertionError, match="3 unused replies"):
        fake.assert_complete()
    assert fake.remaining == 3


def test_dict_reply_is_sent_as_json_and_validated(fake_gateway):
    fake = ScriptedModel([{"word": "hi", "count": 2}])
    session = fake_gateway("dicts", fake, temperature=0).session()
    result = asyncio.run(session.complete("grader", MESSAGES, output_type=Answer))
    assert result == Answer(word="hi", count=2)
    assert fake.calls[0].schema == Answer.model_json_schema()
    assert fake.calls[0].schema_name == "Answer"


def test_function_model_sees_role_messages_and_schema(fake_gateway):
    seen = []

    def respond(role, messages, schema):
        seen.append((role, messages[-1]["content"], schema))
        return {"word": role, "count": len(messages)} if schema else f"{role} says hi"

    session = fake_gateway("fn", FunctionModel(respond), temperature=0.7).session()

    async def run():
        text = await session.complete("interviewer", MESSAGES)
        obj = await session.complete("judge", MESSAGES, output_type=Answer)
        return text, obj

    text, obj = asyncio.run(run())
    assert text == "interviewer says hi"
    assert obj == Answer(word="judge", count=2)
    assert seen[0] == ("interviewer", "Say hi", None)
    assert seen[1][2]["title"] == "Answer"


def test_function_model_may_be_async(fake_gateway):
    async def respond(role, messages, schema):
        await asyncio.sleep(0)
        return json.dumps({"word": "async", "count": 1})

    session = fake_gateway("afn", FunctionModel(respond), temperature=0.7).session()
    assert asyncio.run(session.complete("grader", MESSAGES, output_type=Answer)).word == "async"


def test_fixed_and_jittered_latency_are_waited(fake_gateway):
    fixed = FunctionModel(lambda r, m, s: "ok", latency=0.15)
    jittered = ScriptedModel(["ok"], latency=(0.05, 0.1))
    fixed_session = fake_gateway("slow", fixed, temperature=0.7).session()
    jitter_session = fake_gateway("jitter", jittered, temperature=0.7).session()

    async def run():
        await fixed_session.complete("candidate", MESSAGES)
        await jitter_session.complete("candidate", MESSAGES)

    asyncio.run(run())
    assert fixed_session.calls[0].latency_s >= 0.15
    assert 0.05 <= jitter_session.calls[0].latency_s < 1.0


def test_unregistered_scripted_name_is_a_model_call_error(fake_gateway):
    gateway = fake_gateway("exists", ScriptedModel([]), temperature=0.7)
    gateway.models.candidate.model = "scripted/missing"
    with pytest.raises(ModelCallError, match="no scripted model registered as 'missing'"):
        asyncio.run(gateway.session().complete("candidate", MESSAGES))


def test_concurrency_is_limited_per_provider(fake_gateway):
    active = 0
    peak = 0

    async def respond(role, messages, schema):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        return "done"

    gateway = fake_gateway("pool", FunctionModel(respond), temperature=0.7, concurrency=2)

    async def run():
        sessions = [gateway.session(seed=None) for _ in range(6)]
        return await asyncio.gather(*(s.complete("candidate", MESSAGES) for s in sessions))

    started = time.perf_counter()
    assert asyncio.run(run()) == ["done"] * 6
    assert peak == 2
    assert time.perf_counter() - started >= 0.15  # three waves of two
