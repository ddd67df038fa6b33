"""An OpenAI-compatible chat server on loopback that misbehaves at set rates, for fault-injection tests and the
benchmark (`bench/faults.py`).

Each role is a model name (`openai/interviewer`, ...) whose replies come from the scripted agents, so the
interviews themselves are the usual scripted ones. Before answering, the server draws one fault per request:
a 429 with Retry-After, a 500, a reply slower than the client's timeout, malformed JSON, a body cut short, or
a dropped connection. It keeps the count of each, and checks that no request refused with a Retry-After
comes back before that wait is over.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.scripted_agents import InterviewScript

FAULTS = ("rate_limit", "server_error", "slow", "malformed", "truncated", "dropped")
ROLES = ("interviewer", "candidate", "grader", "judge")


@dataclass
class FaultPlan:
    """The chance of each fault per request, the wait a 429 asks for, and how long a slow reply takes."""

    rates: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAULTS, 0.02))
    retry_after_s: float = 0.5
    slow_s: float = 3.0
    seed: int = 7


class FaultServer:
    """Serves /v1/chat/completions on 127.0.0.1 from a thread of its own; `url` is the api_base to use."""

    def __init__(self, script: InterviewScript, plan: FaultPlan | None = None):
        self.script, self.plan = script, plan or FaultPlan()
        self.random = random.Random(self.plan.seed)
        self.injected: Counter[str] = Counter()
        self.answered = 0
        self.early_retries = 0  # requests back before the Retry-After they were given
        self._refused_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:  # connections still open (a slow reply) end with the server
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def config_toml(self, timeout_s: float = 2.0) -> str:
        """A config file putting every role on this server."""
        return "".join(
            f'[models.{role}]\nmodel = "openai/{role}"\napi_base = "{self.url}"\ntimeout = {timeout_s}\n\n' for role in ROLES
        )

    def _draw(self) -> str | None:
        with self._lock:
            roll = self.random.random()
        for fault in FAULTS:
            rate = self.plan.rates.get(fault, 0.0)
            if roll < rate:
                return fault
            roll -= rate
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        if not lines[0].startswith("POST") or "/chat/completions" not in lines[0]:
            await _send(writer, 404, {"error": {"message": "not found"}})
            return True
        key = hashlib.sha256(body).hexdigest()
        now = time.monotonic()
        with self._lock:
            if now < self._refused_until.pop(key, 0.0):
                self.early_retries += 1
        fault = self._draw()
        if fault is not None:
            with self._lock:
                self.injected[fault] += 1
        if fault == "rate_limit":
            with self._lock:
                self._refused_until[key] = now + self.plan.retry_after_s
            ms = int(self.plan.retry_after_s * 1000)
            await _send(writer, 429, {"error": {"message": "rate limited"}}, {"retry-after-ms": str(ms), "retry-after": "1"})
        elif fault == "server_error":
            await _send(writer, 500, {"error": {"message": "internal error"}})
        elif fault == "dropped":
            return False
        elif fault == "truncated":
            payload = json.dumps(self._completion(json.loads(body))).encode()
            writer.write(_head(200, len(payload)) + payload[: len(payload) // 2])
            await writer.drain()
            return False
        elif fault == "malformed":
            payload = b'{"id": "chatcmpl-x", "choices": [{"message": {"content": '
            writer.write(_head(200, len(payload)) + payload)
            await writer.drain()
        else:
            if fault == "slow":
                await asyncio.sleep(self.plan.slow_s)
            await _send(writer, 200, self._completion(json.loads(body)))
            with self._lock:
                self.answered += 1
        return True

    def _completion(self, request: dict) -> dict:
        role = request["model"].split("/")[-1]
        form = request.get("response_format") or {}
        schema = form.get("schema") or (form.get("json_schema") or {}).get("schema")
        reply = self.script.respond(role, request["messages"], schema)
        text = reply if isinstance(reply, str) else json.dumps(reply)
        words = sum(len(str(m.get("content", "")).split()) for m in request["messages"])
        return {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": words, "completion_tokens": len(text.split()), "total_tokens": words + len(text.split())},
        }


def _head(status: int, length: int, extra: dict[str, str] | None = None) -> bytes:
    reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", "content-type: application/json", f"content-length: {length}"]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _send(writer: asyncio.StreamWriter, status: int, payload: dict, extra: dict[str, str] | None = None) -> None:
    body = json.dumps(payload).encode()
    writer.write(_head(status, len(body), extra) + body)
    await writer.drain()
