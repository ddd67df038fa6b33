"""The DuckDB results store: runs, finished interviews (each one row of exact JSON, read per turn, grade,
red flag or call through views) and checks.

One `Store` holds one connection. DuckDB lets a single process open a database file for
writing, so a second harness process gets `StoreLockedError` instead of a traceback. Every
write is one explicit transaction, so an interview is durable as soon as `save_interview`
returns and a crash never leaves half of one behind.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import duckdb
from pydantic import Field

from agents.records import InterviewResult
from evals.metrics.registry import REGISTRY, metric
from evals.metrics.rows import CheckRow
from evals.probes.settings import ProbeGrade
from evals.raters.rating import HumanRating
from evals.runs.config import RunConfig, parse_run_config
from evals.store import schema as store_schema
from scenarios.strict import StrictModel

RunStatus = Literal["running", "complete", "incomplete"]

_RUN_COLUMNS = (
    "run_id, started_at, finished_at, label, git_commit, status, scenario_id, scenario_hash,"
    " persona_set_hash, config, models, prompt_hashes, plan, git_branch, git_dirty"
)
_CHECK_COLUMNS = "metric, scope, value, ci_low, ci_high, n, threshold, passed, details"
_INTERVIEW_COLUMNS = "run_id, persona_id, trial, status, error, seed, started_at, duration_s, n_turns, hire, result, digest"
_INTERVIEW_ROW = "(" + ", ".join("?" * len(_INTERVIEW_COLUMNS.split(", "))) + ")"
_ROWS_PER_INSERT = 500


class StoreError(Exception):
    """The results database cannot do what was asked."""


class StoreLockedError(StoreError):
    """Another process holds the database file open for writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"results database {path} is in use by another interview-harness process; wait for it or pass --db")


class RunRecord(StrictModel):
    """One row of the `runs` table."""

    run_id: str = Field(description="Short hex id of the run.")
    started_at: float = Field(description="Unix time the run was created.")
    finished_at: float | None = Field(description="Unix time the run was finished; None while running.")
    label: str | None = Field(description="Free-text label given with --label.")
    git_commit: str | None = Field(description="Commit of the harness checkout, when known.")
    status: RunStatus = Field(description="running, complete, or incomplete (interrupted or failed).")
    scenario_id: str = Field(description="Scenario interviewed for.")
    scenario_hash: str = Field(description="Hash of the scenario file, to tell comparable runs apart.")
    persona_set_hash: str = Field(description="Hash of the persona set the run used.")
    config: RunConfig = Field(description="Effective configuration of the run.")
    models: dict[str, str] = Field(description="Model string per role.")
    prompt_hashes: dict[str, str] = Field(description="sha256 of each prompt template by role.")
    plan: list[tuple[str, int]] = Field(description="Every (persona_id, trial) the run is meant to interview.")
    git_branch: str | None = Field(default=None, description="Branch of the harness checkout, when known.")
    git_dirty: bool | None = Field(default=None, description="Whether the checkout had uncommitted changes; None: unknown.")


def new_run_id() -> str:
    """A fresh short run id: 12 hex digits of a random uuid."""
    return uuid.uuid4().hex[:12]


class Store:
    """The results database. Open with `Store.open(path)`, preferably as a context manager."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self._con = con
        # One DuckDB connection must not run two transactions at once; callers may use threads.
        self._lock = threading.RLock()
        self._known_runs: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {path.parent} for the results database: {exc.strerror or exc}") from exc
        try:
            con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "could not set lock" in str(exc).lower():
                raise StoreLockedError(path) from exc
            raise StoreError(f"cannot open results database {path}: {exc}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open results database {path}: {exc}") from exc
        try:
            store_schema.migrate(con)
        except BaseException:
            con.close()
            raise
        return cls(path, con)

    def close(self) -> None:
        """Close the connection and release the file lock."""
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _write(self, statements: list[tuple[str, list[Any]]]) -> None:
        """Run the statements as one transaction; roll back on any error, Ctrl-C included."""
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                # Consecutive statements with the same SQL go to DuckDB as one executemany.
                for sql, group in itertools.groupby(statements, key=lambda statement: statement[0]):
                    rows = [params for _, params in group]
                    if len(rows) == 1:
                        self._con.execute(sql, rows[0])
                    else:
                        self._con.executemany(sql, rows)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise

    def _require_run(self, run_id: str) -> None:
        # Runs are never deleted, so a run seen once needs no second query (each costs a writer half a millisecond).
        if run_id in self._known_runs:
            return
        if not self.query("SELECT 1 FROM runs WHERE run_id = ?", [run_id]):
            raise StoreError(f"no run {run_id!r} in {self.path}")
        self._known_runs.add(run_id)

    def create_run(
        self,
        *,
        label: str | None,
        scenario_id: str,
        scenario_hash: str,
        persona_set_hash: str,
        config: RunConfig,
        models: dict[str, str],
        prompt_hashes: dict[str, str],
        plan: list[tuple[str, int]],
        git_commit: str | None,
        git_branch: str | None = None,
        git_dirty: bool | None = None,
    ) -> str:
        """Record a new run with status 'running' and return its id."""
        run_id = new_run_id()
        plan_json = json.dumps([[persona_id, int(trial)] for persona_id, trial in plan])
        self._write(
            [
                (
                    f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES (?, ?, NULL, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        time.time(),
                        label,
                        git_commit,
                        scenario_id,
                        scenario_hash,
                        persona_set_hash,
                        config.model_dump_json(),
                        json.dumps(models),
                        json.dumps(prompt_hashes),
                        plan_json,
                        git_branch,
                        git_dirty,
                    ],
                )
            ]
        )
        return run_id

    def finish_run(self, run_id: str, status: Literal["complete", "incomplete"]) -> None:
        """Mark a run complete or incomplete and stamp its finish time."""
        if status not in ("complete", "incomplete"):
            raise StoreError(f"a run finishes as 'complete' or 'incomplete', not {status!r}")
        self._require_run(run_id)
        self._write([("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", [status, time.time(), run_id])])

    def reopen_run(self, run_id: str) -> None:
        """Set a run back to 'running' (for `run --resume`); clears its finish time."""
        self._require_run(run_id)
        self._write([("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?", [run_id])])

    def save_interview(self, run_id: str, result: InterviewResult, digest: str | None = None) -> None:
        """Write one finished interview in one transaction, replacing an earlier save."""
        self.save_interviews(run_id, [(result, digest)])

    def save_interviews(self, run_id: str, interviews: list[tuple[InterviewResult, str | None]]) -> None:
        """Write finished interviews, each with its digest's JSON (or None), in one transaction (all or none), each
        replacing an earlier save.

        An interview is one row; turns, grades, red_flags and model_calls are views over its JSON."""
        self._require_run(run_id)
        statements = []
        for start in range(0, len(interviews), _ROWS_PER_INSERT):
            chunk = interviews[start : start + _ROWS_PER_INSERT]
            sql = f"INSERT INTO interviews ({_INTERVIEW_COLUMNS}) VALUES " + ", ".join([_INTERVIEW_ROW] * len(chunk))
            statements.append((sql, [value for result, digest in chunk for value in _interview_row(run_id, result, digest)]))
        try:
            self._write(statements)
        except duckdb.ConstraintException:
            # Saved before (an errored interview, run again): replace it. Rare, so it is not checked up front;
            # INSERT OR REPLACE would cost four times a plain INSERT on every save.
            keys = [[run_id, r.persona_id, r.trial] for r, _ in interviews]
            self._write(
                [("DELETE FROM interviews WHERE run_id = ? AND persona_id = ? AND trial = ?", key) for key in keys] + statements
            )

    def save_checks(self, run_id: str, rows: list[CheckRow]) -> None:
        """Replace all checks of a run with `rows` in one transaction."""
        self._require_run(run_id)
        statements: list[tuple[str, list[Any]]] = [("DELETE FROM checks WHERE run_id = ?", [run_id])]
        # One multi-row INSERT per chunk: DuckDB pays about a millisecond per statement, and a run has thousands of rows.
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start : start + _ROWS_PER_INSERT]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
            params = [
                value
                for row in chunk
                for value in (
                    run_id,
                    row.metric,
                    row.scope,
                    row.value,
                    row.ci_low,
                    row.ci_high,
                    row.n,
                    row.threshold,
                    row.passed,
                    row.details.model_dump_json(),
                )
            ]
            statements.append((f"INSERT INTO checks (run_id, {_CHECK_COLUMNS}) VALUES {values}", params))
        self._write(statements)

    def save_probe_grade(self, run_id: str, probe: ProbeGrade) -> None:
        """Commit one perturbed grade of a probe run (replacing an earlier try of the same variant)."""
        self._require_run(run_id)
        key = [run_id, probe.persona_id, probe.trial, probe.perturbation, probe.variant]
        where = "run_id = ? AND persona_id = ? AND trial = ? AND perturbation = ? AND variant = ?"
        self._write(
            [
                (f"DELETE FROM probe_grades WHERE {where}", key),
                ("INSERT INTO probe_grades VALUES (?, ?, ?, ?, ?, ?, ?)", [*key, probe.status, probe.model_dump_json()]),
            ]
        )

    def load_probe_grades(self, run_id: str) -> list[ProbeGrade]:
        """Every perturbed grade of a probe run, in a stable order."""
        sql = "SELECT probe FROM probe_grades WHERE run_id = ? ORDER BY persona_id, trial, perturbation, variant"
        return [ProbeGrade.model_validate_json(row[0]) for row in self.query(sql, [run_id])]

    def save_rating(self, rating: HumanRating) -> None:
        """Commit a person's rating of one interview (replacing their earlier rating of it)."""
        self._require_run(rating.run_id)
        key = [rating.run_id, rating.persona_id, rating.trial, rating.rater]
        where = "run_id = ? AND persona_id = ? AND trial = ? AND rater = ?"
        self._write(
            [
                (f"DELETE FROM human_ratings WHERE {where}", key),
                ("INSERT INTO human_ratings VALUES (?, ?, ?, ?, ?, ?)", [*key, rating.rated_at, rating.model_dump_json()]),
            ]
        )

    def load_ratings(self, run_id: str) -> list[HumanRating]:
        """Every person's rating of the run's interviews, by rater then interview."""
        sql = "SELECT rating FROM human_ratings WHERE run_id = ? ORDER BY rater, persona_id, trial"
        return [HumanRating.model_validate_json(row[0]) for row in self.query(sql, [run_id])]

    def probe_runs(self, base_run: str) -> list[RunRecord]:
        """The probe runs of `base_run`, newest first."""
        sql = f"SELECT {_RUN_COLUMNS} FROM runs WHERE json_extract_string(config, '$.probe.base_run') = ?"
        return [_run_record(row) for row in self.query(sql + " ORDER BY started_at DESC, run_id", [base_run])]

    def get_run(self, run_id: str) -> RunRecord | None:
        """The run with this id, or with this unambiguous id prefix; None when there is none."""
        if not run_id:
            return None
        rows = self.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id])
        if not rows:
            rows = self.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id", [run_id])
        if len(rows) > 1:
            ids = ", ".join(row[0] for row in rows)
            raise StoreError(f"run id prefix {run_id!r} is ambiguous: matches {ids}")
        return _run_record(rows[0]) if rows else None

    def get_run_exact(self, run_id: str) -> RunRecord:
        """The run with exactly this id; raises StoreError when there is none."""
        rows = self.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id])
        if not rows:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        return _run_record(rows[0])

    def list_runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recently started runs, newest first."""
        rows = self.query(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY started_at DESC, run_id LIMIT ?", [limit])
        return [_run_record(row) for row in rows]

    def latest_run(self, status: RunStatus | None = "complete", label: str | None = None) -> RunRecord | None:
        """The newest run with this status (any when None) and, if given, this label."""
        sql = f"SELECT {_RUN_COLUMNS} FROM runs WHERE (? IS NULL OR status = ?) AND (? IS NULL OR label = ?)"
        rows = self.query(sql + " ORDER BY started_at DESC, run_id LIMIT 1", [status, status, label, label])
        return _run_record(rows[0]) if rows else None

    def load_results(self, run_id: str, keys: Collection[tuple[str, int]] | None = None) -> list[InterviewResult]:
        """Every saved interview of a run (or those of `keys`, (persona_id, trial) pairs), exactly as saved, ordered by
        persona then trial."""
        if keys is None:
            rows = self.query("SELECT result FROM interviews WHERE run_id = ? ORDER BY persona_id, trial", [run_id])
        else:
            # One query, however many keys: DuckDB pays milliseconds per statement.
            wanted = "list_contains(?, persona_id || '#' || CAST(trial AS VARCHAR))"
            sql = f"SELECT result FROM interviews WHERE run_id = ? AND {wanted} ORDER BY persona_id, trial"
            rows = self.query(sql, [run_id, [f"{persona_id}#{trial}" for persona_id, trial in keys]])
        return [InterviewResult.model_validate_json(row[0]) for row in rows]

    def stream_results(self, run_id: str, keys: Collection[tuple[str, int]], chunk: int = 500) -> Iterator[InterviewResult]:
        """The saved interviews of `keys` ((persona_id, trial) pairs) of a run, in no particular order, each parsed as it
        is fetched: one pass over the run, never all of them in memory at once (not even by DuckDB, which a sort
        would make hold every row)."""
        wanted = set(keys)
        if not wanted:
            return
        sql = "SELECT persona_id, trial, result FROM interviews WHERE run_id = ?"
        for persona_id, trial, result in self._stream(sql, [run_id], chunk):
            if (persona_id, trial) in wanted:
                yield InterviewResult.model_validate_json(result)

    def load_digest_rows(self, run_id: str, chunk: int = 500) -> Iterator[tuple[str, int, str | None]]:
        """(persona_id, trial, digest JSON or None) of each saved interview of a run, streamed `chunk` rows at a time."""
        sql = "SELECT persona_id, trial, digest FROM interviews WHERE run_id = ? ORDER BY persona_id, trial"
        return self._stream(sql, [run_id], chunk)

    def load_digests(self, run_id: str, chunk: int = 500) -> Iterator[str | InterviewResult]:
        """Each saved interview of a run as its digest's JSON, or (saved without one) as the interview itself.

        Streamed `chunk` rows at a time: a run of 10,000 never has every interview in memory at once."""
        sql = (
            "SELECT digest, CASE WHEN digest IS NULL THEN result END FROM interviews WHERE run_id = ? ORDER BY persona_id, trial"
        )
        for digest, result in self._stream(sql, [run_id], chunk):
            yield InterviewResult.model_validate_json(result) if digest is None else digest

    def _stream(self, sql: str, params: list[Any], chunk: int) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched `chunk` at a time on a cursor of their own."""
        with self._lock:
            cursor = self._con.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk):
                yield from rows
        finally:
            cursor.close()

    def missing(self, run_id: str) -> list[tuple[str, int]]:
        """Plan entries, in plan order, without a completed interview; errored ones count as missing."""
        run = self.get_run_exact(run_id)
        done = {
            (persona_id, trial)
            for persona_id, trial in self.query(
                "SELECT persona_id, trial FROM interviews WHERE run_id = ? AND status = 'completed'", [run_id]
            )
        }
        return [entry for entry in run.plan if entry not in done]

    def load_checks(self, run_id: str) -> list[CheckRow]:
        """The checks saved for a run, ordered by metric then scope."""
        rows = self.query(f"SELECT {_CHECK_COLUMNS} FROM checks WHERE run_id = ? ORDER BY metric, scope", [run_id])
        names = _CHECK_COLUMNS.split(", ")
        return [_check_row(dict(zip(names, row))) for row in rows]

    def count_interviews(self, run_id: str, status: str | None = None) -> int:
        """How many interviews of a run are stored (with this status, when given)."""
        sql = "SELECT count(*) FROM interviews WHERE run_id = ? AND (? IS NULL OR status = ?)"
        return int(self.query(sql, [run_id, status, status])[0][0])

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run any SQL with positional `?` parameters and return all rows."""
        with self._lock:
            return self._con.execute(sql, list(params)).fetchall()


def _interview_row(run_id: str, result: InterviewResult, digest: str | None) -> list[Any]:
    grade = result.grade
    return [
        run_id,
        result.persona_id,
        result.trial,
        result.status,
        result.error,
        result.seed,
        result.started_at,
        result.duration_s,
        len(result.transcript),
        grade.hire if grade else None,
        result.model_dump_json(),
        digest,
    ]


def _check_row(values: dict[str, Any]) -> CheckRow:
    if values["metric"] not in REGISTRY:
        raise StoreError(f"checks table names metric {values['metric']!r}, which this version does not know")
    details = metric(values["metric"]).details.model_validate_json(values["details"])
    return CheckRow.model_validate({**values, "details": details})


def _run_record(row: tuple[Any, ...]) -> RunRecord:
    values = dict(zip(_RUN_COLUMNS.split(", "), row))
    for column in ("models", "prompt_hashes", "plan"):
        values[column] = json.loads(values[column])
    values["config"] = parse_run_config(values["config"])
    return RunRecord.model_validate(values)
