"""The rows interviews are stored as, one table each, and the statements that write a batch of them.

Binding values one by one costs DuckDB more than the write itself (about 15 ms for an interview's
seventy rows), so each table's rows go over as one JSON parameter that DuckDB unpacks in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from agents.records import InterviewResult

# Each table's columns with the SQL type a value is cast to; the same order as `interview_rows`.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "interviews": (
        ("run_id", "TEXT"), ("persona_id", "TEXT"), ("trial", "INTEGER"), ("status", "TEXT"), ("error", "TEXT"),
        ("seed", "BIGINT"), ("started_at", "DOUBLE"), ("duration_s", "DOUBLE"), ("n_turns", "INTEGER"),
        ("hire", "BOOLEAN"), ("result", "JSON"),
    ),
    "turns": (
        ("run_id", "TEXT"), ("persona_id", "TEXT"), ("trial", "INTEGER"), ("idx", "INTEGER"), ("speaker", "TEXT"),
        ("segment", "TEXT"), ("action", "TEXT"), ("question_id", "TEXT"), ("competency", "TEXT"),
        ("probe_category", "TEXT"), ("asks_question", "BOOLEAN"), ("minute", "DOUBLE"), ("duration_minutes", "DOUBLE"),
        ("text", "TEXT"),
    ),
    "grades": (
        ("run_id", "TEXT"), ("persona_id", "TEXT"), ("trial", "INTEGER"), ("competency", "TEXT"), ("score", "INTEGER"),
        ("rationale", "TEXT"), ("evidence", "JSON"),
    ),
    "red_flags": (("run_id", "TEXT"), ("persona_id", "TEXT"), ("trial", "INTEGER"), ("flag_id", "TEXT"), ("evidence", "JSON")),
    "model_calls": (
        ("run_id", "TEXT"), ("persona_id", "TEXT"), ("trial", "INTEGER"), ("seq", "INTEGER"), ("role", "TEXT"),
        ("model", "TEXT"), ("prompt_tokens", "BIGINT"), ("completion_tokens", "BIGINT"), ("latency_s", "DOUBLE"),
        ("cost_usd", "DOUBLE"), ("cost_known", "BOOLEAN"), ("cache_hit", "BOOLEAN"), ("retries", "INTEGER"),
        ("error", "TEXT"), ("started_at", "DOUBLE"),
    ),
}  # fmt: skip
INTERVIEW_TABLES = tuple(COLUMNS)


def _insert_sql(table: str) -> str:
    """INSERT of every row in one JSON array parameter (a row is an array in the columns' order)."""
    columns = COLUMNS[table]
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(f"(row->>{i})::{sql_type}" for i, (_, sql_type) in enumerate(columns))
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM (SELECT unnest(json_extract(?::JSON, '$[*]')) AS row)"


_INSERT_SQL = {table: _insert_sql(table) for table in COLUMNS}


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
    """One INSERT per table holding every row of `results`."""
    rows: dict[str, list[list[Any]]] = {table: [] for table in COLUMNS}
    for result in results:
        for table, new in interview_rows(run_id, result).items():
            rows[table] += new
    return [(_INSERT_SQL[table], [json.dumps(rows[table])]) for table in COLUMNS if rows[table]]
