"""The rows one interview is stored as, one table each: the statements that write them."""

from __future__ import annotations

import json
from typing import Any

from agents.records import InterviewResult

INTERVIEW_TABLES = ("interviews", "turns", "grades", "red_flags", "model_calls")


def interview_statements(run_id: str, result: InterviewResult) -> list[tuple[str, list[Any]]]:
    """The statements that replace one interview's rows in every interview table."""
    key = [run_id, result.persona_id, result.trial]
    statements: list[tuple[str, list[Any]]] = [
        (f"DELETE FROM {table} WHERE run_id = ? AND persona_id = ? AND trial = ?", key) for table in INTERVIEW_TABLES
    ]
    statements.append(
        (
            "INSERT INTO interviews (run_id, persona_id, trial, status, error, seed, started_at, duration_s, n_turns,"
            " hire, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                result.status,
                result.error,
                result.seed,
                result.started_at,
                result.duration_s,
                len(result.transcript),
                result.grade.hire if result.grade else None,
                result.model_dump_json(),
            ],
        )
    )
    statements.extend(
        (
            "INSERT INTO turns (run_id, persona_id, trial, idx, speaker, segment, action, question_id, competency,"
            " probe_category, asks_question, minute, duration_minutes, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                turn.index,
                turn.speaker,
                turn.segment,
                turn.action,
                turn.question_id,
                turn.competency,
                turn.probe_category,
                turn.asks_question,
                turn.minute,
                turn.duration_minutes,
                turn.text,
            ],
        )
        for turn in result.transcript
    )
    if result.grade is not None:
        statements.extend(
            (
                "INSERT INTO grades (run_id, persona_id, trial, competency, score, rationale, evidence)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [*key, competency, grade.score, grade.rationale, json.dumps(grade.evidence)],
            )
            for competency, grade in result.grade.competencies.items()
        )
        statements.extend(
            (
                "INSERT INTO red_flags (run_id, persona_id, trial, flag_id, evidence) VALUES (?, ?, ?, ?, ?)",
                [*key, flag.id, json.dumps(flag.evidence)],
            )
            for flag in result.grade.red_flags
        )
    statements.extend(
        (
            "INSERT INTO model_calls (run_id, persona_id, trial, seq, role, model, prompt_tokens, completion_tokens,"
            " latency_s, cost_usd, cost_known, cache_hit, retries, error, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                seq,
                call.role,
                call.model,
                call.prompt_tokens,
                call.completion_tokens,
                call.latency_s,
                call.cost_usd,
                call.cost_known,
                call.cache_hit,
                call.retries,
                call.error,
                call.started_at,
            ],
        )
        for seq, call in enumerate(result.calls)
    )
    return statements
