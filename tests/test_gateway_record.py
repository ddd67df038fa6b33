"""Every field of a call's record comes from the gateway's tally of it."""

from __future__ import annotations

import dataclasses

from agents.models.call_tally import Tally
from agents.records import CallRecord


def test_the_tally_fills_every_field_of_the_call_record():
    tally = Tally(role="grader", model="scripted/x", started_at=12.5)
    for field, value in {
        "prompt_tokens": 7,
        "completion_tokens": 9,
        "cost_usd": 0.25,
        "cost_known": True,
        "cache_hit": True,
        "retries": 2,
        "error": "boom",
        "latency_s": 1.5,
    }.items():
        setattr(tally, field, value)
    assert {f.name for f in dataclasses.fields(Tally)} == set(CallRecord.model_fields)
    assert tally.record().model_dump() == dataclasses.asdict(tally)
