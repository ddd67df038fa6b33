"""The one seam every model call passes through.

    gateway = Gateway(models)                 # shared: providers, cache, concurrency pools
    client = gateway.session(seed=1234)        # per interview: own seed, own call records
    text = await client.complete("candidate", messages)
    grade = await client.complete("grader", messages, output_type=Grade)

Above the providers this adds per-call timeouts, retries with exponential backoff on
transient failures, one repair round for invalid structured output, a response cache with
sharing of identical in-flight requests, per-provider concurrency limits and a CallRecord
for every call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import time
import weakref
from pathlib import Path
from typing import overload

from pydantic import BaseModel, ValidationError

from agents.client import Messages, Output
from agents.models.call_tally import Answer, Tally
from agents.models.circuit import CircuitBreaker, CircuitOpenError
from agents.models.config import CHARS_PER_TOKEN, ModelsConfig, resolve_models
from agents.models.loop_state import LoopState
from agents.models.providers.base import (
    ModelCallError,
    ProviderError,
    ProviderRequest,
    RealModelCallBlocked,
    StructuredOutputError,
)
from agents.models.providers.recorded import write_reply
from agents.models.rate_limit import model_limits
from agents.models.response_cache import CachedResponse, ResponseCache, cache_key
from agents.output_schema import json_schema
from agents.records import CallRecord
from scenarios.strict import error_fields

__all__ = [
    "CircuitOpenError",
    "Gateway",
    "GatewaySession",
    "ModelCallError",
    "RealModelCallBlocked",
    "StructuredOutputError",
    "complete_sync",
]

CACHE_FILENAME = "model-cache.sqlite"
DEFAULT_CACHE_PATH = Path("results") / CACHE_FILENAME
_FENCED = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def _parse(text: str, output_type: type[BaseModel]) -> tuple[str, BaseModel]:
    """Validate `text` as `output_type`, tolerating a markdown code fence around the JSON."""
    fenced = _FENCED.match(text)
    body = fenced.group(1) if fenced else text.strip()
    try:
        return body, output_type.model_validate_json(body)
    except ValidationError as exc:
        if not any(e["type"] == "json_invalid" for e in exc.errors()):
            raise
        try:
            # Small models put raw newlines inside JSON strings; that is still the answer they meant.
            data = json.loads(body, strict=False)
        except json.JSONDecodeError:
            raise exc from None
        return body, output_type.model_validate(data)


def _describe(error: ValidationError) -> str:
    """A validation error in one line, without pydantic's documentation links."""
    return "; ".join(error_fields(error, "reply"))


class Gateway:
    """Shared model access for a run: configuration, providers, cache and concurrency pools.

    `models=None` resolves the configuration from the environment and config file (defaults
    otherwise). The cache is used for temperature-0 calls and calls with a seed unless
    `use_cache` is False. `max_retries` and `backoff_s` govern transient-error retries.
    """

    def __init__(
        self,
        models: ModelsConfig | None = None,
        cache_path: Path | None = None,
        use_cache: bool = True,
        concurrency: int = 8,
        *,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        breaker_threshold: int = 5,
        record_dir: Path | None = None,
    ):
        self.models = models if models is not None else resolve_models()
        self.use_cache = use_cache
        self.cache = ResponseCache(cache_path if cache_path is not None else DEFAULT_CACHE_PATH)
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.breaker = CircuitBreaker(breaker_threshold)
        self.spent_usd = 0.0  # every call's cost so far, for a run's budget
        self.limits = model_limits(self.models)
        self.record_dir = record_dir  # every reply a real model gives is also written here, for `recorded/<dir>`
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = weakref.WeakKeyDictionary()

    def close(self) -> None:
        """Commit the replies its cache still holds in memory (see `ResponseCache`) and close the cache's file; a run
        or probe closes its gateway when it ends. The gateway stays usable: the file reopens on the next call."""
        self.cache.close()

    def session(self, seed: int | None = None) -> GatewaySession:
        """A per-interview view: calls use `seed` unless their role fixes one, and are recorded."""
        return GatewaySession(self, seed)

    def _state(self) -> LoopState:
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = LoopState(self.concurrency)
        return state

    async def _answer(self, request: ProviderRequest, output_type: type[BaseModel] | None, record: Tally) -> Answer:
        """The reply for `request`, from the cache, a shared in-flight call, or the provider."""
        # Recorded replies are already on disk: a cached copy would hide an edited recording.
        if not self.use_cache or (request.temperature != 0 and request.seed is None) or request.model.startswith("recorded/"):
            return await self._compute(request, output_type, record)
        params = {
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
            "api_base": request.api_base,
        }
        key = cache_key(request.model, request.messages, params, request.schema)
        hit = self.cache.get(key)
        if hit is not None and (answer := _valid(hit, output_type)) is not None:
            return record.hit(answer)
        state = self._state()
        shared = state.inflight.get(key)
        if shared is not None:
            return record.hit(_parsed(await asyncio.shield(shared), output_type))
        future: asyncio.Future[CachedResponse] = asyncio.get_running_loop().create_future()
        state.inflight[key] = future
        try:
            result = await self._compute(request, output_type, record)
        except BaseException as exc:
            shared_error = exc if isinstance(exc, Exception) else ModelCallError("identical request was cancelled")
            future.set_exception(shared_error)
            future.exception()  # marks it retrieved when nobody else was waiting
            raise
        finally:
            state.inflight.pop(key, None)
        future.set_result(result.response)
        self.cache.put(key, request.model, result.response)
        return result

    async def _compute(self, request: ProviderRequest, output_type: type[BaseModel] | None, record: Tally) -> Answer:
        """Call the provider; for an output type validate, and repair once on failure."""
        text = await self._call(request, record)
        if output_type is None:
            return Answer(record.response(text), None)
        try:
            return record.parsed(*_parse(text, output_type))
        except ValidationError as first:
            error = first
        record.retries += 1
        repair = dataclasses.replace(
            request,
            messages=[
                *request.messages,
                {"role": "assistant", "content": text},
                {
                    "role": "user",
                    "content": "That reply does not match the required JSON schema: "
                    f"{_describe(error)}. Reply again with only a JSON object that matches the schema.",
                },
            ],
        )
        text = await self._call(repair, record)
        try:
            return record.parsed(*_parse(text, output_type))
        except ValidationError as second:
            raise StructuredOutputError(
                f"{request.model} ({request.role}) returned invalid {output_type.__name__} "
                f"after one repair attempt: {_describe(second)}"
            ) from second

    async def _call(self, request: ProviderRequest, record: Tally) -> str:
        """One provider call with timeout, concurrency limit and retries on transient errors."""
        state = self._state()
        route = state.route(request.model, request.api_base, self.limits.get((request.model, request.api_base)))
        if (tripped := self.breaker.tripped) is not None:
            raise CircuitOpenError(tripped)
        attempt = 0
        while True:
            asked_wait: float | None = None
            try:
                async with route.semaphore, route.model_pool:
                    if route.limiter is not None:
                        await route.limiter.acquire(_token_estimate(request))
                    response = await state.deadlines.run(route.provider.complete(request), request.timeout)
            except TimeoutError as exc:
                failure: Exception = exc
                reason = f"timed out after {request.timeout}s"
            except ConnectionError as exc:
                failure, reason = exc, f"connection failed: {exc}"
            except ProviderError as exc:
                if not exc.retryable:
                    raise self._failed(request.model, f"{request.model}: {exc}") from exc
                failure, reason = exc, str(exc)
                asked_wait = exc.retry_after
            except (ModelCallError, AssertionError):
                raise
            except Exception as exc:
                raise self._failed(request.model, f"{request.model}: {type(exc).__name__}: {exc}") from exc
            else:
                self.breaker.succeeded(request.model)
                record.prompt_tokens += response.prompt_tokens
                record.completion_tokens += response.completion_tokens
                record.cost_usd += response.cost_usd
                record.cost_known = response.cost_known
                return response.text
            if attempt >= self.max_retries:
                raise self._failed(request.model, f"{request.model}: gave up after {attempt} retries: {reason}") from failure
            await asyncio.sleep(retry_delay(self.backoff_s, attempt, asked_wait))
            attempt += 1
            record.retries += 1

    def _failed(self, model: str, message: str) -> ModelCallError:
        """The error a call ends in, counted by the circuit breaker."""
        self.breaker.failed(model, message)
        return ModelCallError(message)


def _token_estimate(request: ProviderRequest) -> int:
    """Tokens a request may use against a tokens-per-minute limit: its prompt (estimated from its length) and its
    whole reply budget."""
    return sum(len(str(m.get("content", ""))) for m in request.messages) // CHARS_PER_TOKEN + request.max_tokens


def retry_delay(backoff_s: float, attempt: int, asked: float | None) -> float:
    """Exponential backoff with jitter (so calls refused together do not retry together), and never sooner than the
    provider asked."""
    ceiling = backoff_s * 2**attempt
    return max(asked or 0.0, ceiling / 2 + random.uniform(0, ceiling / 2))


def _valid(hit: CachedResponse, output_type: type[BaseModel] | None) -> Answer | None:
    """A cached reply as an answer; None when it no longer fits `output_type` (the schema changed since)."""
    try:
        return _parsed(hit, output_type)
    except ValidationError:
        return None


def _parsed(response: CachedResponse, output_type: type[BaseModel] | None) -> Answer:
    return Answer(response, _parse(response.text, output_type)[1] if output_type is not None else None)


class GatewaySession:
    """A per-interview view of a Gateway; `calls` holds a CallRecord for every call made."""

    def __init__(self, gateway: Gateway, seed: int | None = None):
        self.gateway = gateway
        self.seed = seed
        self.calls: list[CallRecord] = []

    def panel(self, role: str) -> list[str]:
        return list(self.gateway.models.role(role).panel)

    @overload
    async def complete(
        self,
        role: str,
        messages: Messages,
        output_type: None = None,
        *,
        max_tokens_floor: int | None = None,
        member: int | None = None,
    ) -> str: ...

    @overload
    async def complete(
        self,
        role: str,
        messages: Messages,
        output_type: type[Output],
        *,
        max_tokens_floor: int | None = None,
        member: int | None = None,
    ) -> Output: ...

    async def complete(
        self,
        role: str,
        messages: Messages,
        output_type: type[BaseModel] | None = None,
        *,
        max_tokens_floor: int | None = None,
        member: int | None = None,
    ) -> str | BaseModel:
        """Ask `role`'s model (or panel member `member` of the role); returns text, or an `output_type` instance.

        `max_tokens_floor` raises the role's token budget for one call that must say more
        (never lowers it). Raises ModelCallError (StructuredOutputError for output that stays invalid).
        """
        config = self.gateway.models.role(role)
        if member is not None:
            config = config.member(member)
        request = ProviderRequest(
            role=role,
            model=config.model,
            messages=[dict(message) for message in messages],
            temperature=config.temperature,
            max_tokens=max(config.max_tokens, max_tokens_floor or 0),
            seed=_member_seed(config.seed if config.seed is not None else self.seed, member),
            api_base=config.api_base,
            api_key_env=config.api_key_env,
            timeout=config.timeout,
            schema=json_schema(output_type) if output_type is not None else None,
            schema_name=output_type.__name__ if output_type is not None else None,
        )
        record = Tally(role=role, model=config.model, started_at=time.time())
        started = time.perf_counter()
        try:
            answer = await self.gateway._answer(request, output_type, record)
        except BaseException as exc:
            record.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise
        finally:
            record.latency_s = 0.0 if record.cache_hit else time.perf_counter() - started
            if config.priced and not record.cache_hit:
                record.cost_usd, record.cost_known = config.cost(record.prompt_tokens, record.completion_tokens), True
            self.gateway.spent_usd += record.cost_usd
            self.calls.append(record.record())
        if self.gateway.record_dir is not None and not config.model.startswith("recorded/"):
            # The reply that passed validation, for the prompt as first sent: a replay then needs no repair turn.
            write_reply(
                self.gateway.record_dir,
                role,
                config.model,
                request.messages,
                request.schema,
                answer.response.text,
                getattr(messages, "template_hash", None),
            )
        if output_type is None:
            return answer.response.text
        assert answer.output is not None  # an answer for an output type always carries its object
        return answer.output


def _member_seed(seed: int | None, member: int | None) -> int | None:
    """Each panel member its own seed: several samples of one model are several draws, not one draw repeated."""
    return seed + member if seed is not None and member else seed


def complete_sync(
    role: str,
    messages: list[dict],
    output_type: type[BaseModel] | None = None,
    *,
    gateway: Gateway | None = None,
    seed: int | None = None,
) -> str | BaseModel:
    """Blocking `complete` for scripts and `python -c`; not for use inside a running event loop."""
    session = (gateway or Gateway()).session(seed)
    if output_type is None:
        return asyncio.run(session.complete(role, messages))
    return asyncio.run(session.complete(role, messages, output_type))
