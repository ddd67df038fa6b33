"""`recorded/<dir>`: recorded replies replay through the gateway; a prompt without one fails and says what to record."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from agents.models.config import ModelsConfig, RoleModel
from agents.models.gateway import Gateway, ModelCallError
from agents.models.providers.recorded import MISSING_DIR, prompt_hash
from agents.output_schema import json_schema

MESSAGES = [{"role": "system", "content": "You grade."}, {"role": "user", "content": "Grade this answer."}]


class Score(BaseModel):
    competency: str
    score: int = Field(ge=1, le=5)


def record(folder: Path, messages, schema, text: str, **fields) -> Path:
    key = prompt_hash(messages, schema)
    entry = {"prompt_hash": key, "role": "grader", "model": "capable-model", "template_hash": "abc", "recorded_on": "2026-12-07"}
    path = folder / f"{key}.json"
    path.write_text(json.dumps({**entry, **fields, "text": text}), encoding="utf-8")
    return path


def gateway(folder: Path, tmp_path: Path) -> Gateway:
    return Gateway(ModelsConfig.for_all(f"recorded/{folder}"), cache_path=tmp_path / "cache.sqlite")


def test_a_recorded_reply_is_replayed_for_its_exact_prompt(tmp_path):
    folder = tmp_path / "rec"
    folder.mkdir()
    record(folder, MESSAGES, json_schema(Score), '{"competency": "ownership", "score": 4}')
    session = gateway(folder, tmp_path).session(seed=3)
    assert asyncio.run(session.complete("grader", MESSAGES, output_type=Score)) == Score(competency="ownership", score=4)
    call = session.calls[0]
    assert call.model == f"recorded/{folder}" and call.error is None and not call.cache_hit


def test_an_edited_recording_is_read_again_not_served_from_the_cache(tmp_path):
    folder = tmp_path / "rec"
    folder.mkdir()
    record(folder, MESSAGES, None, "first")
    gw = gateway(folder, tmp_path)
    assert asyncio.run(gw.session(seed=1).complete("grader", MESSAGES)) == "first"
    record(folder, MESSAGES, None, "second")
    assert asyncio.run(gw.session(seed=1).complete("grader", MESSAGES)) == "second"


def test_a_prompt_without_a_recording_fails_and_lists_every_prompt_to_record(tmp_path):
    folder = tmp_path / "rec"
    folder.mkdir()
    record(folder, MESSAGES, None, "only this one")
    session = gateway(folder, tmp_path).session(seed=1)
    changed = [MESSAGES[0], {"role": "user", "content": "Grade this answer, changed."}]
    other = [MESSAGES[0], {"role": "user", "content": "Another prompt."}]
    with pytest.raises(ModelCallError, match="no recorded reply"):
        asyncio.run(session.complete("grader", changed))
    with pytest.raises(ModelCallError) as caught:
        asyncio.run(session.complete("judge", other))
    wanted = [prompt_hash(changed, None), prompt_hash(other, None)]
    assert all(key in str(caught.value) for key in wanted)
    waiting = sorted(p.stem for p in (folder / MISSING_DIR).glob("*.json"))
    assert waiting == sorted(wanted)
    written = json.loads((folder / MISSING_DIR / f"{wanted[1]}.json").read_text())
    assert written["messages"] == other and written["role"] == "judge"
    assert session.calls[-1].retries == 0  # a miss is not retried


def test_a_malformed_recording_names_its_file_and_field(tmp_path):
    folder = tmp_path / "rec"
    folder.mkdir()
    path = record(folder, MESSAGES, None, "text", model="")
    with pytest.raises(ModelCallError, match=rf"{path.name}.*model"):
        asyncio.run(gateway(folder, tmp_path).session(seed=1).complete("grader", MESSAGES))


def test_the_model_string_needs_a_folder():
    with pytest.raises(ValidationError, match="needs a name after 'recorded/'"):
        RoleModel(model="recorded/", temperature=0, max_tokens=10)
