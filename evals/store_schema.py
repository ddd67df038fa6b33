"""The results database schema as numbered migrations, applied in order and recorded once each.

A migration is a plain function taking a DuckDB connection. To change the schema, append a new
`mNNN_...` function to `MIGRATIONS`; never edit or reorder one that has shipped, because old
database files have already recorded it as applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb

Migration = Callable[[duckdb.DuckDBPyConnection], None]

# Times are unix seconds (DOUBLE) throughout, matching InterviewResult and CallRecord.
_INITIAL_DDL = (
    """
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started_at DOUBLE NOT NULL,
        finished_at DOUBLE,
        label TEXT,
        git_commit TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
        scenario_id TEXT NOT NULL,
        scenario_hash TEXT NOT NULL,
        persona_set_hash TEXT NOT NULL,
        config JSON NOT NULL,
        models JSON NOT NULL,
        prompt_hashes JSON NOT NULL,
        plan JSON NOT NULL
    )
    """,
    """
    CREATE TABLE interviews (
        run_id TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        trial INTEGER NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        seed BIGINT NOT NULL,
        started_at DOUBLE NOT NULL,
        duration_s DOUBLE NOT NULL,
        n_turns INTEGER NOT NULL,
        hire BOOLEAN,
        result JSON NOT NULL,
        PRIMARY KEY (run_id, persona_id, trial)
    )
    """,
    """
    CREATE TABLE turns (
        run_id TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        trial INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        segment TEXT NOT NULL,
        action TEXT,
        question_id TEXT,
        competency TEXT,
        probe_category TEXT,
        asks_question BOOLEAN NOT NULL,
        minute DOUBLE NOT NULL,
        duration_minutes DOUBLE NOT NULL,
        text TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE grades (
        run_id TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        trial INTEGER NOT NULL,
        competency TEXT NOT NULL,
        score INTEGER,
        rationale TEXT NOT NULL,
        evidence JSON NOT NULL
    )
    """,
    """
    CREATE TABLE red_flags (
        run_id TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        trial INTEGER NOT NULL,
        flag_id TEXT NOT NULL,
        evidence JSON NOT NULL
    )
    """,
    """
    CREATE TABLE model_calls (
        run_id TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        trial INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        latency_s DOUBLE NOT NULL,
        cost_usd DOUBLE NOT NULL,
        cost_known BOOLEAN NOT NULL,
        cache_hit BOOLEAN NOT NULL,
        retries INTEGER NOT NULL,
        error TEXT,
        started_at DOUBLE NOT NULL
    )
    """,
    """
    CREATE TABLE checks (
        run_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        scope TEXT NOT NULL,
        value DOUBLE,
        ci_low DOUBLE,
        ci_high DOUBLE,
        n INTEGER,
        threshold DOUBLE,
        passed BOOLEAN,
        details JSON NOT NULL,
        PRIMARY KEY (run_id, metric, scope)
    )
    """,
)


def m001_initial(con: duckdb.DuckDBPyConnection) -> None:
    """Create runs, interviews, turns, grades, red_flags, model_calls and checks."""
    for ddl in _INITIAL_DDL:
        con.execute(ddl)


def m002_probe_grades(con: duckdb.DuckDBPyConnection) -> None:
    """Create probe_grades: the perturbed copies of a probed run's interviews and their grades."""
    con.execute(
        """
        CREATE TABLE probe_grades (
            run_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            trial INTEGER NOT NULL,
            perturbation TEXT NOT NULL,
            variant TEXT NOT NULL,
            status TEXT NOT NULL,
            probe JSON NOT NULL,
            PRIMARY KEY (run_id, persona_id, trial, perturbation, variant)
        )
        """
    )


MIGRATIONS: list[Migration] = [m001_initial, m002_probe_grades]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the migrations already recorded in this database, oldest first."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ( name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    return [row[0] for row in con.execute("SELECT name FROM _migrations ORDER BY applied_at, name").fetchall()]


def migrate(con: duckdb.DuckDBPyConnection, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return the names applied.

    `migrations` defaults to this module's `MIGRATIONS`, looked up at call time.
    """
    done = set(applied_migrations(con))
    applied = []
    for migration in MIGRATIONS if migrations is None else migrations:
        name = migration.__name__
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            migration(con)
            con.execute("INSERT INTO _migrations (name) VALUES (?)", [name])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
