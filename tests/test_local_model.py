"""The embedded model `local/smollm2-135m`, run in process by llama.cpp."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway, ModelCallError
from agents.models.providers import local_model

ROOT = Path(__file__).resolve().parents[1]
LOCAL = "local/smollm2-135m"


class Mood(BaseModel):
    mood: Literal["happy", "sad", "neutral"] = Field(description="Overall mood of the sentence.")
    confident: bool


def test_gguf_ships_in_the_installed_wheel():
    path = local_model.gguf_path("smollm2-135m")
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000


def test_unknown_local_model_is_a_model_call_error():
    with pytest.raises(ModelCallError, match="unknown local model 'gpt-9'"):
        local_model.gguf_path("gpt-9")


def test_missing_llama_cpp_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(local_model, "_loaded", {})
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    monkeypatch.delitem(sys.modules, "agents.models.providers.llama_sampling", raising=False)  # so it imports llama_cpp again
    session = Gateway(ModelsConfig.for_all(LOCAL), cache_path=tmp_path / "c.sqlite").session(seed=1)
    with pytest.raises(ModelCallError, match=r"pip install 'interview-harness\[local\]'"):
        asyncio.run(session.complete("grader", [{"role": "user", "content": "hi"}]))
    assert session.calls[0].error.startswith("ModelCallError")


@pytest.mark.slow
def test_local_model_returns_text_and_a_valid_object_then_hits_the_cache(tmp_path):
    config = ModelsConfig.for_all(LOCAL, temperature=0, max_tokens=48)
    session = Gateway(config, cache_path=tmp_path / "c.sqlite").session()
    text_messages = [{"role": "user", "content": "Say hello in one short sentence."}]
    mood_messages = [{"role": "user", "content": "What is the mood of: 'I love sunny days!'? Answer in JSON."}]

    async def go():
        text = await session.complete("judge", text_messages)
        mood = await session.complete("grader", mood_messages, output_type=Mood)
        again = await session.complete("grader", mood_messages, output_type=Mood)
        return text, mood, again

    text, mood, again = asyncio.run(go())
    assert isinstance(text, str) and text.strip()
    assert isinstance(mood, Mood) and again == mood
    first, structured, hit = session.calls
    assert first.prompt_tokens > 0 and 0 < first.completion_tokens <= 48
    assert first.cost_known is False and first.cost_usd == 0.0 and first.latency_s > 0
    assert structured.cache_hit is False and structured.error is None
    assert hit.cache_hit is True and hit.latency_s == 0.0
    assert hit.completion_tokens == structured.completion_tokens


@pytest.mark.slow
def test_python_c_with_the_local_model_never_imports_litellm(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from pydantic import BaseModel
        from agents.models.gateway import Gateway, complete_sync
        from agents.models.config import ModelsConfig

        class Answer(BaseModel):
            yes: bool

        gw = Gateway(ModelsConfig.for_all("{LOCAL}", temperature=0, max_tokens=24),
                     cache_path={str(tmp_path / "c.sqlite")!r})
        print(bool(complete_sync("judge", [{{"role": "user", "content": "Hi"}}], gateway=gw)))
        print(isinstance(complete_sync("judge", [{{"role": "user", "content": "Is water wet?"}}], Answer, gateway=gw), Answer))
        print([m for m in sys.modules if m.split(".")[0] == "litellm"])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "[]"]
