"""The DuckDB results store: exact round trips, one row set per interview, resume, migrations, locking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from agents.models.config import ModelsConfig
from agents.records import (
    CallRecord,
    CompetencyGrade,
    Feedback,
    FidelityJudgment,
    Grade,
    InterviewResult,
    RedFlagFinding,
    TopicViolation,
    Turn,
)
from evals.metrics.gates import defaults_version, load_gates
from evals.metrics.rows import CheckRow, ConfusionDetails, FlagCounts
from evals.runs.config import SimulateConfig
from evals.store import schema as store_schema
from evals.store.database import Store, StoreError, StoreLockedError

PLAN = [("ada", 0), ("ada", 1), ("bo", 0), ("cy", 0)]


def rich_result(persona_id: str = "ada", trial: int = 0, *, hire: bool = True) -> InterviewResult:
    """An interview using every field: both speakers, a grade with a None score, fidelity, violations, calls."""
    turns = [
        Turn(
            index=0,
            speaker="interviewer",
            text="Welcome! This conversation is confidential.",
            segment="intro",
            action="transition",
            minute=0.0,
            duration_minutes=0.5,
        ),
        Turn(
            index=1,
            speaker="interviewer",
            text="Tell me about a time you disagreed with a partner team.",
            segment="deep_dives",
            action="ask",
            question_id="q_collaboration",
            competency="collaboration",
            minute=5.0,
            duration_minutes=0.4,
        ),
        Turn(
            index=2,
            speaker="candidate",
            text="We cut p95 latency by 40% after I paired with the infra team.",
            segment="deep_dives",
            minute=5.4,
            duration_minutes=2.25,
        ),
        Turn(
            index=3,
            speaker="interviewer",
            text="How did you measure that?",
            segment="deep_dives",
            action="probe",
            question_id="q_collaboration",
            competency="collaboration",
            probe_category="evidence",
            minute=7.65,
            duration_minutes=0.1,
        ),
        Turn(
            index=4,
            speaker="candidate",
            text="What does the team's on-call look like?",
            segment="candidate_questions",
            asks_question=True,
            minute=45.0,
            duration_minutes=0.3,
        ),
    ]
    grade = Grade(
        competencies={
            "collaboration": CompetencyGrade(
                score=4, rationale="Clear shared ownership.", evidence=["I paired with the infra team", "cut p95 latency by 40%"]
            ),
            "responsible_ai": CompetencyGrade(score=None, rationale="Not discussed.", evidence=[]),
        },
        red_flags=[RedFlagFinding(id="skips_safety_review", evidence=["we shipped without review"])],
        hire=hire,
        feedback=Feedback(strengths=["metrics"], growth_areas=["safety"], better_story="Lead with the metric."),
    )
    return InterviewResult(
        scenario_id="microsoft-ai-engineer-behavioral",
        persona_id=persona_id,
        trial=trial,
        seed=1234 + trial,
        status="completed",
        transcript=turns,
        grade=grade,
        fidelity=FidelityJudgment(
            competency_levels={"collaboration": 4, "responsible_ai": None}, red_flags=["skips_safety_review"]
        ),
        violations=[TopicViolation(turn_index=1, kind="prohibited_topic", topic="age", quote="how old", source="screen")],
        calls=[
            CallRecord(
                role="interviewer",
                model="scripted/oracle",
                prompt_tokens=120,
                completion_tokens=30,
                latency_s=0.1 + 0.2,
                cost_usd=0.0,
                cost_known=False,
                started_at=1_700_000_000.25,
            ),
            CallRecord(
                role="grader",
                model="openai/gpt-4o-mini",
                prompt_tokens=900,
                completion_tokens=200,
                latency_s=1.5,
                cost_usd=0.000123456789,
                cost_known=True,
                cache_hit=True,
                retries=2,
                error="first reply failed validation",
                started_at=1_700_000_001.5,
            ),
        ],
        prompt_hashes={"interviewer": "a" * 64, "grader": "b" * 64},
        started_at=1_700_000_000.125,
        duration_s=12.75,
    )


def error_result(persona_id: str, trial: int = 0) -> InterviewResult:
    return InterviewResult(
        scenario_id="microsoft-ai-engineer-behavioral",
        persona_id=persona_id,
        trial=trial,
        seed=7,
        status="error",
        error="ModelCallError: timeout",
        calls=[CallRecord(role="candidate", model="scripted/x", error="timeout")],
    )


RUN_CONFIG = SimulateConfig(models=ModelsConfig(), gates=load_gates(), gates_version=defaults_version(), concurrency=4, trials=2)


def make_run(store: Store, *, label: str | None = "baseline") -> str:
    return store.create_run(
        label=label,
        scenario_id="microsoft-ai-engineer-behavioral",
        scenario_hash="s" * 16,
        persona_set_hash="p" * 16,
        config=RUN_CONFIG,
        models={"interviewer": "local/smollm2", "grader": "scripted/oracle"},
        prompt_hashes={"grader": "c" * 64},
        plan=PLAN,
        git_commit=None,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "results" / "harness.duckdb"


@pytest.fixture
def store(db: Path):
    with Store.open(db) as opened:
        yield opened


def interview_counts(store: Store, run_id: str) -> dict[str, int]:
    return {
        table: store.query(f"SELECT count(*) FROM {table} WHERE run_id = ?", [run_id])[0][0]
        for table in ("interviews", "turns", "grades", "red_flags", "model_calls")
    }


def test_open_creates_parent_directory_and_schema(db: Path, store: Store) -> None:
    assert db.is_file()
    tables = {row[0] for row in store.query("SELECT table_name FROM information_schema.tables")}
    assert {"runs", "interviews", "turns", "grades", "red_flags", "model_calls", "checks", "_migrations"} <= tables


def test_interview_round_trips_exactly_across_reopen(db: Path) -> None:
    original = rich_result()
    with Store.open(db) as store:
        run_id = make_run(store)
        store.save_interview(run_id, original)
    with Store.open(db) as store:
        [loaded] = store.load_results(run_id)
    assert loaded == original
    assert loaded.model_dump_json() == original.model_dump_json()


def test_save_interview_writes_one_row_per_turn_grade_flag_and_call(store: Store) -> None:
    run_id = make_run(store)
    store.save_interview(run_id, rich_result())
    assert interview_counts(store, run_id) == {"interviews": 1, "turns": 5, "grades": 2, "red_flags": 1, "model_calls": 2}
    assert store.query("SELECT status, seed, n_turns, hire, duration_s FROM interviews") == [("completed", 1234, 5, True, 12.75)]
    assert store.query("SELECT idx, speaker, action, probe_category, asks_question FROM turns ORDER BY idx") == [
        (0, "interviewer", "transition", None, False),
        (1, "interviewer", "ask", None, False),
        (2, "candidate", None, None, False),
        (3, "interviewer", "probe", "evidence", False),
        (4, "candidate", None, None, True),
    ]
    assert store.query("SELECT competency, score, json_array_length(evidence) FROM grades ORDER BY competency") == [
        ("collaboration", 4, 2),
        ("responsible_ai", None, 0),
    ]
    assert store.query("SELECT flag_id, evidence->>'$[0]' FROM red_flags") == [
        ("skips_safety_review", "we shipped without review")
    ]
    assert store.query(
        "SELECT seq, role, prompt_tokens, cost_known, cache_hit, retries, error FROM model_calls ORDER BY seq"
    ) == [(0, "interviewer", 120, False, False, 0, None), (1, "grader", 900, True, True, 2, "first reply failed validation")]
    # The JSON column is queryable too, not only a blob for round trips.
    assert store.query("SELECT result->>'$.fidelity.red_flags[0]' FROM interviews") == [("skips_safety_review",)]


def test_error_interview_without_grade_has_null_hire_and_no_grade_rows(store: Store) -> None:
    run_id = make_run(store)
    store.save_interview(run_id, error_result("bo"))
    assert store.query("SELECT status, error, hire, n_turns FROM interviews") == [("error", "ModelCallError: timeout", None, 0)]
    assert interview_counts(store, run_id) == {"interviews": 1, "turns": 0, "grades": 0, "red_flags": 0, "model_calls": 1}


def test_resaving_replaces_rows_instead_of_duplicating(db: Path) -> None:
    with Store.open(db) as store:
        run_id = make_run(store)
        store.save_interview(run_id, error_result("ada"))
        store.save_interview(run_id, rich_result("bo"))
    with Store.open(db) as store:  # replace rows committed by an earlier connection as well
        store.save_interview(run_id, rich_result("ada", hire=False))
        store.save_interview(run_id, rich_result("ada", hire=False))
        assert store.query("SELECT persona_id, status, hire FROM interviews ORDER BY persona_id") == [
            ("ada", "completed", False),
            ("bo", "completed", True),
        ]
        assert interview_counts(store, run_id) == {"interviews": 2, "turns": 10, "grades": 4, "red_flags": 2, "model_calls": 4}
        assert [r.persona_id for r in store.load_results(run_id)] == ["ada", "bo"]


def test_stream_results_parses_only_the_asked_interviews_across_fetches(store: Store) -> None:
    run_id = make_run(store)
    other = make_run(store, label="other")
    for persona_id in ("ada", "bo", "cy"):
        for trial in (0, 1):
            store.save_interview(run_id, rich_result(persona_id, trial))
    store.save_interview(other, rich_result("ada", 0, hire=False))
    wanted = [("bo", 1), ("ada", 0), ("cy", 1), ("zed", 0)]  # zed was never saved
    # One row fetched at a time: the keys are picked out across fetches, and only from this run.
    streamed = sorted(store.stream_results(run_id, wanted, chunk=1), key=lambda r: (r.persona_id, r.trial))
    assert streamed == store.load_results(run_id, wanted[:3])
    assert [(r.persona_id, r.trial, r.grade.hire) for r in streamed] == [("ada", 0, True), ("bo", 1, True), ("cy", 1, True)]
    assert list(store.stream_results(run_id, [])) == []


def test_failed_save_rolls_back_the_whole_interview(store: Store) -> None:
    run_id = make_run(store)
    store.save_interview(run_id, rich_result())
    broken = rich_result()
    # A replacement that cannot be inserted (a NOT NULL column gets NULL) must leave the earlier save intact:
    # the delete of the old row is rolled back with it.
    object.__setattr__(broken, "status", None)
    with pytest.raises(Exception, match="NOT NULL"):
        store.save_interview(run_id, broken)
    assert interview_counts(store, run_id) == {"interviews": 1, "turns": 5, "grades": 2, "red_flags": 1, "model_calls": 2}
    assert store.load_results(run_id) == [rich_result()]


def test_save_to_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no run"):
        store.save_interview("feedfacecafe", rich_result())


def test_missing_lists_unfinished_plan_entries_in_plan_order(store: Store) -> None:
    run_id = make_run(store)
    assert store.missing(run_id) == PLAN
    store.save_interview(run_id, rich_result("ada", 1))
    store.save_interview(run_id, rich_result("cy", 0))
    assert store.missing(run_id) == [("ada", 0), ("bo", 0)]


def test_errored_interviews_count_as_missing_until_retried(store: Store) -> None:
    run_id = make_run(store)
    for persona_id, trial in PLAN[:3]:
        store.save_interview(run_id, rich_result(persona_id, trial))
    store.save_interview(run_id, error_result("cy"))
    assert store.missing(run_id) == [("cy", 0)]
    store.save_interview(run_id, rich_result("cy"))
    assert store.missing(run_id) == []
    assert store.query("SELECT count(*) FROM interviews WHERE run_id = ?", [run_id]) == [(4,)]


def test_missing_of_unknown_run_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no run"):
        store.missing("0123456789ab")


def test_run_status_and_finish_time_follow_the_lifecycle(store: Store) -> None:
    run_id = make_run(store)
    run = store.get_run(run_id)
    assert run is not None and run.status == "running" and run.finished_at is None
    assert run.plan == PLAN and run.models["grader"] == "scripted/oracle"
    assert run.config == RUN_CONFIG and run.git_commit is None and run.label == "baseline"
    store.finish_run(run_id, "incomplete")
    run = store.get_run(run_id)
    assert run.status == "incomplete" and run.finished_at is not None and run.finished_at >= run.started_at
    store.reopen_run(run_id)
    assert (store.get_run(run_id).status, store.get_run(run_id).finished_at) == ("running", None)
    store.finish_run(run_id, "complete")
    assert store.get_run(run_id).status == "complete"
    with pytest.raises(StoreError):
        store.finish_run(run_id, "running")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="no run"):
        store.finish_run("000000000000", "complete")


def test_get_run_accepts_unambiguous_prefix_and_rejects_ambiguous(store: Store) -> None:
    ids = ["abc123000000", "abc124000000", "fff000000000"]
    run_id = make_run(store)
    for new_id in ids:  # give runs known ids so prefixes are deterministic
        store.query("INSERT INTO runs SELECT ? AS run_id, * EXCLUDE (run_id) FROM runs WHERE run_id = ?", [new_id, run_id])
    store.query("DELETE FROM runs WHERE run_id = ?", [run_id])  # its random id could share a prefix
    assert store.get_run("abc123").run_id == "abc123000000"
    assert store.get_run("f").run_id == "fff000000000"
    assert store.get_run("fff000000000").run_id == "fff000000000"
    assert store.get_run("0" * 12) is None and store.get_run("") is None
    with pytest.raises(StoreError, match="ambiguous.*abc123000000.*abc124000000"):
        store.get_run("abc12")


def test_list_runs_and_latest_run(store: Store) -> None:
    first = make_run(store, label="nightly")
    second = make_run(store, label="pr")
    third = make_run(store, label="nightly")
    # Creation times can tie on a coarse clock; pin them so "newest" is unambiguous.
    for offset, run_id in enumerate([first, second, third]):
        store.query("UPDATE runs SET started_at = ? WHERE run_id = ?", [1000.0 + offset, run_id])
    assert [r.run_id for r in store.list_runs()] == [third, second, first]
    assert [r.run_id for r in store.list_runs(limit=2)] == [third, second]
    assert store.latest_run() is None  # none complete yet
    store.finish_run(first, "complete")
    store.finish_run(second, "complete")
    assert store.latest_run().run_id == second
    assert store.latest_run(label="nightly").run_id == first
    assert store.latest_run(status=None).run_id == third
    assert store.latest_run(status="running", label="pr") is None


def test_checks_are_replaced_per_run_and_round_trip(store: Store) -> None:
    run_a, run_b = make_run(store), make_run(store)
    rows = [
        CheckRow(metric="qwk", scope="overall", value=0.71, ci_low=0.5, ci_high=0.85, n=12, threshold=0.7, passed=True),
        CheckRow(metric="red_flag_recall", scope="skips_safety_review", value=None, n=0, details=FlagCounts(tp=0, fp=0, fn=0)),
        CheckRow(
            metric="confusion",
            scope="overall",
            value=None,
            n=8,
            details=ConfusionDetails(labels=[1, 2], matrix=[[1, 0], [2, 5]], not_assessed=[0, 1]),
        ),
    ]
    store.save_checks(run_a, rows)
    store.save_checks(run_b, rows[:1])
    assert store.load_checks(run_a) == sorted(rows, key=lambda r: (r.metric, r.scope))
    # Details come back as the type the metric declares, not as a loose dict.
    assert store.load_checks(run_a)[0].details_as(ConfusionDetails).matrix == [[1, 0], [2, 5]]
    store.save_checks(run_a, rows[2:])
    assert store.load_checks(run_a) == rows[2:]
    assert store.load_checks(run_b) == rows[:1]
    assert store.query("SELECT count(*) FROM checks WHERE run_id = ?", [run_a]) == [(1,)]
    with pytest.raises(Exception, match="(?i)duplicate key"):
        store.save_checks(run_b, [rows[1], rows[1]])
    assert store.load_checks(run_b) == rows[:1]  # the failed replace left the old checks


def test_reopening_does_not_reapply_migrations(db: Path) -> None:
    with Store.open(db) as store:
        first = store.query("SELECT name, applied_at FROM _migrations")
    with Store.open(db) as store:
        assert store.query("SELECT name, applied_at FROM _migrations") == first
    assert [name for name, _ in first] == [m.__name__ for m in store_schema.MIGRATIONS]


def m900_interview_notes(con) -> None:
    con.execute("ALTER TABLE interviews ADD COLUMN note TEXT")
    con.execute("UPDATE interviews SET note = 'backfilled'")


def test_new_migration_upgrades_an_old_file_without_losing_rows(db: Path, monkeypatch) -> None:
    with Store.open(db) as store:
        run_id = make_run(store)
        store.save_interview(run_id, rich_result())
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, m900_interview_notes])
    with Store.open(db) as store:
        names = [row[0] for row in store.query("SELECT name FROM _migrations ORDER BY applied_at")]
        assert names[-1] == "m900_interview_notes" and names.count("m900_interview_notes") == 1
        assert store.query("SELECT persona_id, note FROM interviews") == [("ada", "backfilled")]
        assert store.load_results(run_id) == [rich_result()]
        store.save_interview(run_id, rich_result("bo"))  # writes still work on the upgraded schema
    with Store.open(db) as store:
        assert store.query("SELECT count(*) FROM _migrations WHERE name = 'm900_interview_notes'") == [(1,)]
        assert store.query("SELECT persona_id, note FROM interviews ORDER BY persona_id") == [("ada", "backfilled"), ("bo", None)]


ROW_TABLES = ("turns", "grades", "red_flags", "model_calls")


def test_a_file_from_before_the_row_views_keeps_every_row(db: Path, tmp_path: Path) -> None:
    """m003 replaces the copied row tables by views over the JSON: an old file's rows must read the same after it."""
    with Store.open(tmp_path / "now.duckdb") as now:  # the rows an interview has, as the views compute them
        run_id = make_run(now)
        for result in (rich_result("ada"), rich_result("bo", hire=False), error_result("cy")):
            now.save_interview(run_id, result)
        columns = "run_id, persona_id, trial, status, error, seed, started_at, duration_s, n_turns, hire, result"
        interviews = now.query(f"SELECT {columns} FROM interviews ORDER BY persona_id")
        # The runs table as m001 made it: the columns later migrations added are left out.
        runs = now.query(
            "SELECT run_id, started_at, finished_at, label, git_commit, status, scenario_id, scenario_hash, "
            "persona_set_hash, config, models, prompt_hashes, plan FROM runs"
        )
        rows = {table: sorted(now.query(f"SELECT * FROM {table}"), key=repr) for table in ROW_TABLES}
    assert all(rows.values())
    db.parent.mkdir(parents=True)
    con = duckdb.connect(str(db))
    store_schema.migrate(con, [store_schema.m001_initial, store_schema.m002_probe_grades])
    for table, values in [("runs", runs), ("interviews", interviews), *rows.items()]:
        for row in values:
            con.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", list(row))
    con.close()
    with Store.open(db) as store:
        kinds = dict(store.query("SELECT table_name, table_type FROM information_schema.tables"))
        assert {kinds[table] for table in ROW_TABLES} == {"VIEW"}
        assert {table: sorted(store.query(f"SELECT * FROM {table}"), key=repr) for table in ROW_TABLES} == rows
        assert [r.persona_id for r in store.load_results(run_id)] == ["ada", "bo", "cy"]


def test_failing_migration_is_rolled_back_and_not_recorded(db: Path, monkeypatch) -> None:
    def m901_broken(con) -> None:
        con.execute("CREATE TABLE half_done (x INTEGER)")
        con.execute("SELECT * FROM no_such_table")

    Store.open(db).close()
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, m901_broken])
    with pytest.raises(Exception, match="no_such_table"):
        Store.open(db)
    monkeypatch.undo()
    with Store.open(db) as store:  # the failed open released the file
        assert store.query("SELECT count(*) FROM _migrations WHERE name = 'm901_broken'") == [(0,)]
        assert store.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'") == [(0,)]


def test_second_process_gets_a_clear_lock_error(db: Path) -> None:
    Store.open(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(db)!r})
            print("holding", flush=True)
            sys.stdin.read()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreLockedError) as caught:
            Store.open(db)
        assert caught.value.path == db
        assert str(caught.value) == (
            f"results database {db} is in use by another interview-harness process; wait for it or pass --db"
        )
        assert isinstance(caught.value, StoreError)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    Store.open(db).close()  # free again once the other process exits


def test_non_database_file_gives_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("not a database, just some text that is long enough to have a header" * 100)
    with pytest.raises(StoreError, match="cannot open results database"):
        Store.open(bogus)


def test_finished_interviews_survive_a_hard_crash(db: Path) -> None:
    # The writer dies with os._exit: no close(), no checkpoint; committed saves must still be there.
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from tests.test_store import make_run, rich_result
        from evals.store.database import Store
        store = Store.open(Path({str(db)!r}))
        run_id = make_run(store)
        store.save_interview(run_id, rich_result("ada", 0))
        store.save_interview(run_id, rich_result("ada", 1))
        print(run_id, flush=True)
        os._exit(3)
    """)
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 3, crashed.stderr
    run_id = crashed.stdout.strip()
    with Store.open(db) as store:
        assert store.get_run(run_id).status == "running"
        assert store.load_results(run_id) == [rich_result("ada", 0), rich_result("ada", 1)]
        assert store.missing(run_id) == [("bo", 0), ("cy", 0)]
        # Replacing a row that came back through WAL replay must still be a replace, across a checkpoint.
        store.save_interview(run_id, rich_result("ada", 0, hire=False))
    with Store.open(db) as store:
        assert store.query("SELECT trial, hire FROM interviews ORDER BY trial") == [(0, False), (1, True)]
        assert interview_counts(store, run_id)["turns"] == 10
