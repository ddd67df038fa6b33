"""The rows interviews are stored as, one table each, and the statements that write a batch of them.

DuckDB spends about a millisecond per INSERT statement whatever its size, so a batch is written as
one multi-row INSERT per table (in chunks), not one statement per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from agents.records import InterviewResult

COLUMNS: dict[str, tuple[str, ...]] = {
    "interviews": (
        "run_id", "persona_id", "trial", "status", "error", "seed", "started_at", "duration_s", "n_turns", "hire", "result",
    ),
    "turns": (
        "run_id", "persona_id", "trial", "idx", "speaker", "segment", "action", "question_id", "competency",
        "probe_category", "asks_question", "minute", "duration_minutes", "text",
    ),
    "grades": ("run_id", "persona_id", "trial", "competency", "score", "rationale", "evidence"),
    "red_flags": ("run_id", "persona_id", "trial", "flag_id", "evidence"),
    "model_calls": (
        "run_id", "persona_id", "trial", "seq", "role", "model", "prompt_tokens", "completion_tokens", "latency_s",
        "cost_usd", "cost_known", "cache_hit", "retries", "error", "started_at",
    ),
}  # fmt: skip
INTERVIEW_TABLES = tuple(COLUMNS)
ROWS_PER_STATEMENT = 500


def interview_rows(run_id: str, result: InterviewResult) -> dict[str, list[list[Any]]]:
    """One interview's rows per table, in the columns' order."""
    key = [run_id, result.persona_id, result.trial]
    grade = result.grade
    return {
        "interviews": [
            [
                *key,
                result.status,
                result.error,
                result.seed,
                result.started_at,
                result.duration_s,
                len(result.transcript),
                grade.hire if grade else None,
                result.model_dump_json(),
            ]
        ],
        "turns": [
            [
                *key,
                t.index,
                t.speaker,
                t.segment,
                t.action,
                t.question_id,
                t.competency,
                t.probe_category,
                t.asks_question,
                t.minute,
                t.duration_minutes,
                t.text,
            ]
            for t in result.transcript
        ],
        "grades": [
            [*key, cid, g.score, g.rationale, json.dumps(g.evidence)] for cid, g in (grade.competencies.items() if grade else [])
        ],
        "red_flags": [[*key, f.id, json.dumps(f.evidence)] for f in (grade.red_flags if grade else [])],
        "model_calls": [
            [
                *key,
                seq,
                c.role,
                c.model,
                c.prompt_tokens,
                c.completion_tokens,
                c.latency_s,
                c.cost_usd,
                c.cost_known,
                c.cache_hit,
                c.retries,
                c.error,
                c.started_at,
            ]
            for seq, c in enumerate(result.calls)
        ],
    }


def insert_statements(run_id: str, results: Iterable[InterviewResult]) -> list[tuple[str, list[Any]]]:
    """Multi-row INSERTs of every row of `results`, table by table."""
    rows: dict[str, list[list[Any]]] = {table: [] for table in COLUMNS}
    for result in results:
        for table, new in interview_rows(run_id, result).items():
            rows[table] += new
    statements = []
    for table, columns in COLUMNS.items():
        one = "(" + ", ".join("?" * len(columns)) + ")"
        for start in range(0, len(rows[table]), ROWS_PER_STATEMENT):
            chunk = rows[table][start : start + ROWS_PER_STATEMENT]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * len(chunk))
            statements.append((sql, [value for row in chunk for value in row]))
    return statements
