"""The response cache: key sensitivity, when it is used, errors never stored, in-flight sharing."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway, ModelCallError, StructuredOutputError
from agents.models.providers.base import ProviderError
from agents.models.providers.scripted import FunctionModel, ScriptedModel, register_scripted
from agents.models.response_cache import CachedResponse, ResponseCache, cache_key

MESSAGES = [{"role": "system", "content": "Grade."}, {"role": "user", "content": "Transcript..."}]
PARAMS = {"temperature": 0.0, "max_tokens": 900, "seed": None, "api_base": None}


class Verdict(BaseModel):
    hire: bool


def run(coro):
    return asyncio.run(coro)


def test_cache_key_changes_with_each_input():
    base = cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, Verdict.model_json_schema())
    variants = [
        cache_key("openai/gpt-4o", MESSAGES, PARAMS, Verdict.model_json_schema()),
        cache_key(
            "openai/gpt-4o-mini", [*MESSAGES[:1], {"role": "user", "content": "Transcript!"}], PARAMS, Verdict.model_json_schema()
        ),
        cache_key("openai/gpt-4o-mini", MESSAGES, {**PARAMS, "temperature": 0.1}, Verdict.model_json_schema()),
        cache_key("openai/gpt-4o-mini", MESSAGES, {**PARAMS, "max_tokens": 901}, Verdict.model_json_schema()),
        cache_key("openai/gpt-4o-mini", MESSAGES, {**PARAMS, "seed": 3}, Verdict.model_json_schema()),
        cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, None),
        cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, {**Verdict.model_json_schema(), "title": "Other"}),
    ]
    assert len({base, *variants}) == len(variants) + 1
    reordered = dict(reversed(list(PARAMS.items())))
    assert cache_key("openai/gpt-4o-mini", MESSAGES, reordered, Verdict.model_json_schema()) == base


def test_cache_key_tells_apart_texts_split_differently_and_non_text_contents():
    key = lambda messages: cache_key("m", messages, PARAMS, None)  # noqa: E731
    split = [
        [{"role": "system", "content": "ab"}, {"role": "user", "content": "c"}],
        [{"role": "system", "content": "a"}, {"role": "user", "content": "bc"}],
        [{"role": "system", "content": "a\u0000"}, {"role": "user", "content": "bc"}],
        [{"role": "system", "content": ""}, {"role": "user", "content": "abc"}],
        [{"role": "system", "content": ["ab"]}, {"role": "user", "content": "c"}],  # a list of parts is not its text
        [{"role": "system", "content": None}, {"role": "user", "content": "c"}],
        [{"role": "system"}, {"role": "user", "content": "c"}],
        [{"role": "user", "content": "ab"}, {"role": "user", "content": "c"}],
        [{"role": "system", "content": "ab"}, {"role": "user", "content": "c", "name": "x"}],
        [{"role": "system", "content": "ab\u00e9"}, {"role": "user", "content": "c"}],
    ]
    assert len({key(messages) for messages in split}) == len(split)
    # The order of a message's fields does not matter; the text's characters do, whatever they are.
    assert key([{"content": "ab", "role": "system"}, {"content": "c", "role": "user"}]) == key(split[0])
    assert key([{"role": "system", "content": "ab\ud800"}]) != key([{"role": "system", "content": "ab\udc00"}])


def test_cache_key_reads_a_schema_by_its_content_whichever_object_holds_it():
    schema = Verdict.model_json_schema()
    key = cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, schema)
    assert cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, schema) == key  # made once for this object, then kept
    assert cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, json.loads(json.dumps(schema))) == key
    reordered = dict(reversed(list(schema.items())))
    assert cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, reordered) == key
    assert cache_key("openai/gpt-4o-mini", MESSAGES, PARAMS, {**schema, "required": []}) != key


def test_second_identical_temperature_zero_call_is_a_hit(fake_gateway, tmp_path):
    fake = ScriptedModel(["the grade"], latency=0.05)
    gateway = fake_gateway("hit", fake, temperature=0)
    session = gateway.session()

    async def twice():
        return [await session.complete("grader", MESSAGES), await session.complete("grader", MESSAGES)]

    assert run(twice()) == ["the grade", "the grade"]
    miss, hit = session.calls
    assert (miss.cache_hit, hit.cache_hit) == (False, True)
    assert miss.latency_s >= 0.05 and hit.latency_s == 0.0
    assert hit.prompt_tokens == miss.prompt_tokens and hit.completion_tokens == miss.completion_tokens
    assert hit.cost_usd == 0.0
    fake.assert_complete()  # the model was asked once


def test_cache_survives_a_new_gateway_on_the_same_file(tmp_path):
    register_scripted("persist", ScriptedModel([{"hire": True}]))
    config = ModelsConfig.for_all("scripted/persist", temperature=0)
    first = Gateway(config, cache_path=tmp_path / "cache.sqlite").session()
    assert run(first.complete("judge", MESSAGES, output_type=Verdict)) == Verdict(hire=True)
    second = Gateway(config, cache_path=tmp_path / "cache.sqlite").session()
    assert run(second.complete("judge", MESSAGES, output_type=Verdict)) == Verdict(hire=True)
    assert second.calls[0].cache_hit


def test_sampled_calls_without_seed_are_not_cached(fake_gateway):
    fake = ScriptedModel(["one", "two"])
    session = fake_gateway("sampled", fake, temperature=0.7).session(seed=None)

    async def twice():
        return [await session.complete("candidate", MESSAGES), await session.complete("candidate", MESSAGES)]

    assert run(twice()) == ["one", "two"]


def test_sampled_calls_with_a_seed_are_cached_per_seed(fake_gateway):
    fake = ScriptedModel(["seed 1", "seed 2"])
    gateway = fake_gateway("seeded", fake, temperature=0.7)

    async def go():
        return [
            await gateway.session(seed=1).complete("candidate", MESSAGES),
            await gateway.session(seed=1).complete("candidate", MESSAGES),
            await gateway.session(seed=2).complete("candidate", MESSAGES),
        ]

    assert run(go()) == ["seed 1", "seed 1", "seed 2"]


def test_no_cache_turns_it_off(fake_gateway, tmp_path):
    fake = ScriptedModel(["a", "b"])
    session = fake_gateway("nocache", fake, temperature=0, use_cache=False).session()

    async def twice():
        return [await session.complete("grader", MESSAGES), await session.complete("grader", MESSAGES)]

    assert run(twice()) == ["a", "b"]
    assert not (tmp_path / "gateway_cache.sqlite").exists()


def test_errors_are_never_cached(fake_gateway, tmp_path):
    fake = ScriptedModel([ProviderError("401 bad key", status_code=401), "bad", "still bad", "recovered"])
    gateway = fake_gateway("errs", fake, temperature=0)
    session = gateway.session()

    async def go():
        with pytest.raises(ModelCallError):
            await session.complete("grader", MESSAGES)
        with pytest.raises(StructuredOutputError):
            await session.complete("grader", MESSAGES, output_type=Verdict)
        assert len(gateway.cache) == 0
        return await session.complete("grader", MESSAGES)

    assert run(go()) == "recovered"
    assert len(ResponseCache(tmp_path / "gateway_cache.sqlite")) == 1


def test_concurrent_identical_requests_are_computed_once(fake_gateway):
    fake = FunctionModel(lambda role, messages, schema: {"hire": False}, latency=0.1)
    gateway = fake_gateway("inflight", fake, temperature=0)
    sessions = [gateway.session() for _ in range(5)]

    async def together():
        return await asyncio.gather(*(s.complete("judge", MESSAGES, output_type=Verdict) for s in sessions))

    assert run(together()) == [Verdict(hire=False)] * 5
    assert len(fake.calls) == 1
    records = [s.calls[0] for s in sessions]
    assert sorted(r.cache_hit for r in records) == [False] + [True] * 4


def test_concurrent_identical_failure_reaches_every_waiter_and_is_not_cached(fake_gateway):
    fake = ScriptedModel([ProviderError("403 forbidden", status_code=403)], latency=0.05)
    gateway = fake_gateway("inflight_err", fake, temperature=0)
    sessions = [gateway.session() for _ in range(3)]

    async def together():
        return await asyncio.gather(*(s.complete("grader", MESSAGES) for s in sessions), return_exceptions=True)

    results = run(together())
    assert all(isinstance(r, ModelCallError) for r in results)
    assert len(fake.calls) == 1
    assert all(s.calls[0].error for s in sessions)
    assert len(gateway.cache) == 0


def test_stale_entry_that_no_longer_validates_is_recomputed(fake_gateway, tmp_path):
    fake = ScriptedModel([{"hire": True}])
    gateway = fake_gateway("stale", fake, temperature=0)
    request_schema = Verdict.model_json_schema()
    params = {"temperature": 0.0, "max_tokens": 900, "seed": None, "api_base": None}
    key = cache_key("scripted/stale", MESSAGES, params, request_schema)
    gateway.cache.put(key, "scripted/stale", CachedResponse('{"hire": "maybe"}', 1, 1, False))
    session = gateway.session()
    assert run(session.complete("grader", MESSAGES, output_type=Verdict)) == Verdict(hire=True)
    assert session.calls[0].cache_hit is False


def test_unusable_cache_file_only_warns(fake_gateway, tmp_path):
    (tmp_path / "gateway_cache.sqlite").write_bytes(b"this is not a database" * 100)
    fake = ScriptedModel(["first", "second"])
    session = fake_gateway("corrupt", fake, temperature=0).session()

    async def twice():
        return [await session.complete("grader", MESSAGES), await session.complete("grader", MESSAGES)]

    with pytest.warns(RuntimeWarning, match="response cache"):
        assert run(twice()) == ["first", "second"]
    assert not any(call.cache_hit for call in session.calls)
