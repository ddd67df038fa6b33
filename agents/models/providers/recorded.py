"""`recorded/<dir>`: a named model's replies, replayed from files committed beside the code.

One file per prompt, `<dir>/<prompt hash>.json`, written by whoever answered that exact prompt (a capable model
that saw only the prompt), with that model's name, the template hash and the date. A prompt with no file fails the
call; it is never answered by anything else. The prompt is written to `<dir>/missing/<prompt hash>.json` and the
error lists every prompt missing so far, so a team knows exactly what to record (and a changed template shows up as
the list of prompts it changed).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from agents.models.providers.base import ProviderError, ProviderRequest, ProviderResponse
from scenarios.strict import StrictModel, error_fields

MISSING_DIR = "missing"
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class RecordedReply(StrictModel):
    """One recorded reply and where it came from."""

    prompt_hash: str = Field(description="prompt_hash() of the messages and output schema it answers.")
    role: str = Field(description="The harness role that sent the prompt (grader, judge, ...).")
    model: str = Field(min_length=1, description="The model that wrote the reply, as its maker names it.")
    template_hash: str | None = Field(default=None, description="Hash of the prompt template the prompt was rendered from.")
    recorded_on: date = Field(description="The day the reply was written.")
    text: str = Field(description="The reply, exactly as the model wrote it.")


def prompt_hash(messages: list[dict[str, Any]], schema: dict[str, Any] | None) -> str:
    """sha256 of the prompt as sent: the messages and the output schema (not the sampling parameters, which a
    recording cannot honour)."""
    return hashlib.sha256(_CANONICAL.encode({"messages": messages, "schema": schema}).encode("utf-8")).hexdigest()


def write_reply(
    folder: Path,
    role: str,
    model: str,
    messages: list[dict[str, Any]],
    schema: dict[str, Any] | None,
    text: str,
    template_hash: str | None,
) -> Path:
    """Record one reply (`--record DIR`): the file `recorded/<folder>` replays for exactly this prompt."""
    key = prompt_hash(messages, schema)
    reply = RecordedReply(
        prompt_hash=key, role=role, model=model, template_hash=template_hash, recorded_on=date.today(), text=text
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.json"
    path.write_text(reply.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return path


def recording_dir(model: str) -> Path:
    """The folder a `recorded/<dir>` model string names."""
    return Path(model.partition("/")[2])


def read_reply(path: Path) -> RecordedReply:
    """A recording file, validated; ProviderError (not retried) naming the file and field when it is malformed."""
    try:
        reply = RecordedReply.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise ProviderError(f"{path}: {'; '.join(error_fields(exc, '(file)'))}", retryable=False) from exc
    if reply.prompt_hash != path.stem:
        raise ProviderError(f"{path}: prompt_hash {reply.prompt_hash} does not match the file name", retryable=False)
    return reply


class RecordedProvider:
    """Replays recorded replies; a prompt without one is a clear, non-retried failure."""

    def __init__(self) -> None:
        self.missing: dict[str, list[str]] = {}  # recordings folder -> prompt hashes asked for and not found

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        folder = recording_dir(request.model)
        if not folder.is_dir():
            raise ProviderError(f"{request.model}: no recordings folder {folder}", retryable=False)
        key = prompt_hash(request.messages, request.schema)
        path = folder / f"{key}.json"
        if path.is_file():
            return ProviderResponse(text=read_reply(path).text, cost_known=True)
        self._note_missing(folder, key, request)
        listed = self.missing[str(folder)]
        raise ProviderError(
            f"{request.model}: no recorded reply for this {request.role} prompt ({key}); {len(listed)} prompt(s) need a "
            f"recording, written to {folder / MISSING_DIR}: {', '.join(listed)}",
            retryable=False,
        )

    def _note_missing(self, folder: Path, key: str, request: ProviderRequest) -> None:
        listed = self.missing.setdefault(str(folder), [])
        if key not in listed:
            listed.append(key)
        waiting = folder / MISSING_DIR
        waiting.mkdir(exist_ok=True)
        prompt = {"prompt_hash": key, "role": request.role, "messages": request.messages, "schema": request.schema}
        (waiting / f"{key}.json").write_text(json.dumps(prompt, indent=1, ensure_ascii=False), encoding="utf-8")
