"""The real HTTP path: llama-cpp-python's OpenAI-compatible server on loopback, reached via litellm."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Literal

import pytest
from pydantic import BaseModel

from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway, ModelCallError
from agents.models.providers.local_model import gguf_path

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*ReadOnly.*:UserWarning")]
MESSAGES = [{"role": "user", "content": "Is the sky blue on a clear day? Answer briefly."}]


class Answer(BaseModel):
    answer: Literal["yes", "no"]
    reason: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A llama_cpp.server subprocess serving the embedded model's GGUF file."""

    def __init__(self):
        self.port = _free_port()
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(gguf_path("smollm2-135m")),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_until_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.api_base}/models", timeout=2):
                    return
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(f"llama_cpp.server did not answer on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _start() -> Server:
    server = Server()
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def llama_server():
    server = _start()
    yield server
    server.stop()


@pytest.fixture
def doomed_server():
    """A server of its own, for a test that kills it."""
    server = _start()
    yield server
    server.stop()


def _gateway(api_base: str, tmp_path, **kwargs) -> Gateway:
    config = ModelsConfig.for_all("openai/smollm2", api_base=api_base, temperature=0, max_tokens=48, timeout=60)
    return Gateway(config, cache_path=tmp_path / "c.sqlite", **kwargs)


def test_plain_and_structured_calls_over_http(llama_server, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-anything")
    session = _gateway(llama_server.api_base, tmp_path).session()

    async def go():
        text = await session.complete("judge", MESSAGES)
        answer = await session.complete("grader", MESSAGES, output_type=Answer)
        return text, answer

    text, answer = asyncio.run(go())
    assert isinstance(text, str) and text.strip()
    assert isinstance(answer, Answer)
    for record in session.calls:
        assert record.model == "openai/smollm2" and record.error is None
        assert record.prompt_tokens > 0 and record.completion_tokens > 0
        assert record.cost_known is False and record.cost_usd == 0.0
        assert record.cache_hit is False and record.latency_s > 0


def test_server_killed_mid_run_is_retried_then_surfaced(doomed_server, tmp_path):
    gateway = _gateway(doomed_server.api_base, tmp_path, max_retries=2, backoff_s=0.05)
    gateway.models.candidate.max_tokens = 4000  # seconds of generation: the kill lands mid-request
    session = gateway.session()

    async def go():
        await session.complete("judge", MESSAGES)  # the server works...
        pending = asyncio.create_task(
            session.complete("candidate", [{"role": "user", "content": "Write a long story about a cat."}])
        )
        await asyncio.sleep(0.5)
        doomed_server.process.kill()  # ...until it dies with a request on the way
        await pending

    with pytest.raises(ModelCallError, match="gave up after 2 retries") as caught:
        asyncio.run(go())
    assert "Connection" in str(caught.value) or "connect" in str(caught.value).lower()
    ok, failed = session.calls
    assert ok.error is None
    assert failed.retries == 2 and failed.error.startswith("ModelCallError")
