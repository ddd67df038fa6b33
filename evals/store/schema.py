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


_ROW_VIEWS = (
    """
    CREATE VIEW turns AS
    SELECT run_id, persona_id, trial,
        (t->>'index')::INTEGER AS idx, t->>'speaker' AS speaker, t->>'segment' AS segment, t->>'action' AS action,
        t->>'question_id' AS question_id, t->>'competency' AS competency, t->>'probe_category' AS probe_category,
        (t->>'asks_question')::BOOLEAN AS asks_question, (t->>'minute')::DOUBLE AS minute,
        (t->>'duration_minutes')::DOUBLE AS duration_minutes, t->>'text' AS text
    FROM (SELECT run_id, persona_id, trial, unnest(json_extract(result, '$.transcript[*]')) AS t FROM interviews)
    """,
    """
    CREATE VIEW grades AS
    SELECT run_id, persona_id, trial, competency,
        (g->>'score')::INTEGER AS score, g->>'rationale' AS rationale, g->'evidence' AS evidence
    FROM (
        SELECT run_id, persona_id, trial, competency, json_extract(result, '$.grade.competencies')->competency AS g
        FROM (
            SELECT run_id, persona_id, trial, result,
                unnest(json_keys(json_extract(result, '$.grade.competencies'))) AS competency
            FROM interviews
            WHERE json_type(result, '$.grade') = 'OBJECT'
        )
    )
    """,
    """
    CREATE VIEW red_flags AS
    SELECT run_id, persona_id, trial, f->>'id' AS flag_id, f->'evidence' AS evidence
    FROM (SELECT run_id, persona_id, trial, unnest(json_extract(result, '$.grade.red_flags[*]')) AS f FROM interviews)
    """,
    """
    CREATE VIEW model_calls AS
    SELECT run_id, persona_id, trial, seq::INTEGER AS seq,
        c->>'role' AS role, c->>'model' AS model, (c->>'prompt_tokens')::BIGINT AS prompt_tokens,
        (c->>'completion_tokens')::BIGINT AS completion_tokens, (c->>'latency_s')::DOUBLE AS latency_s,
        (c->>'cost_usd')::DOUBLE AS cost_usd, (c->>'cost_known')::BOOLEAN AS cost_known,
        (c->>'cache_hit')::BOOLEAN AS cache_hit, (c->>'retries')::INTEGER AS retries, c->>'error' AS error,
        (c->>'started_at')::DOUBLE AS started_at
    FROM (
        SELECT run_id, persona_id, trial, unnest(calls) AS c, unnest(range(len(calls))) AS seq
        FROM (SELECT run_id, persona_id, trial, json_extract(result, '$.calls[*]') AS calls FROM interviews)
    )
    """,
)


def m003_row_views(con: duckdb.DuckDBPyConnection) -> None:
    """Turn turns, grades, red_flags and model_calls into views over each interview's exact JSON.

    Their rows were copies of what `interviews.result` holds; writing them cost DuckDB a statement per
    table per commit (a few milliseconds each), four times what the interview's own row costs. As views
    they read the same, and an interview is one row written."""
    for table in ("turns", "grades", "red_flags", "model_calls"):
        con.execute(f"DROP TABLE {table}")
    for ddl in _ROW_VIEWS:
        con.execute(ddl)


def m004_interview_digests(con: duckdb.DuckDBPyConnection) -> None:
    """Add interviews.digest: what the run's checks read of the interview (`evals.metrics.digest`), made as it is saved."""
    con.execute("ALTER TABLE interviews ADD COLUMN digest JSON")


def m005_human_ratings(con: duckdb.DuckDBPyConnection) -> None:
    """Add human_ratings: a person's blind rating of a stored interview, one row per rater and interview."""
    con.execute(
        """
        CREATE TABLE human_ratings (
            run_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            trial INTEGER NOT NULL,
            rater TEXT NOT NULL,
            rated_at DOUBLE NOT NULL,
            rating JSON NOT NULL,
            PRIMARY KEY (run_id, persona_id, trial, rater)
        )
        """
    )


def m006_run_git_state(con: duckdb.DuckDBPyConnection) -> None:
    """Add the branch and whether the checkout had uncommitted changes to each run, beside its commit."""
    con.execute("ALTER TABLE runs ADD COLUMN git_branch TEXT")
    con.execute("ALTER TABLE runs ADD COLUMN git_dirty BOOLEAN")


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_probe_grades,
    m003_row_views,
    m004_interview_digests,
    m005_human_ratings,
    m006_run_git_state,
]


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
