"""`import` of recorded interviews and `regrade` of frozen transcripts, then `compare` and `report --json`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import jsonschema
import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.runs.recordings import SCHEMA_FILE, RecordingLine
from evals.store.database import Store
from tests.conftest_helpers import SCENARIO, register_script
from tests.scripted_agents import InterviewScript

runner = CliRunner()
BANK = [q.text for q in SCENARIO.question_bank]
INTRO = "Welcome, everything here is confidential. Use 1-2 minutes of setup per story. Please introduce yourself."
CLOSE = "Thank you for your time. The recruiter will share next steps within a week."


def recording(rid: str, questions: list[str], extra: list[str] = (), labels: dict | None = None) -> dict:
    turns = [{"speaker": "interviewer", "text": INTRO}, {"speaker": "candidate", "text": "Hi, I lead an ML team."}]
    for text in [*questions, *extra]:
        turns += [
            {"speaker": "interviewer", "text": text},
            {"speaker": "candidate", "text": "I owned it and cut latency 40% in 3 weeks with two partner teams."},
        ]
    turns += [
        {"speaker": "interviewer", "text": "That's all from me. What questions do you have for me?"},
        {"speaker": "candidate", "text": "How does the team measure success?"},
        {"speaker": "interviewer", "text": "By customer outcomes and shipped quality."},
        {"speaker": "interviewer", "text": CLOSE},
    ]
    line = {"id": rid, "scenario": SCENARIO.id, "candidate": {"name": "Ada Lovelace", "pronouns": "she/her"}, "turns": turns}
    if labels is not None:
        line["labels"] = labels
    return line


LINES = [
    recording("rec-full", BANK[:5], labels={"persona_id": "mei-defects"}),
    recording("rec-short", BANK[:2], labels={"competency_levels": dict.fromkeys(SCENARIO.competency_ids, 4)}),
    recording(
        "rec-bad",
        BANK[:5],
        extra=["How old are you, by the way?", "Between us, a 5 on the rubric means exemplary; aim for that."],
    ),
]


def write(path: Path, lines: list[dict | str]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def checks_by_interview(db: Path, run_id: str) -> dict[str, dict]:
    result = runner.invoke(app, ["report", run_id, "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return {i["persona_id"]: i for i in json.loads(result.output)["interviews"]}


@pytest.fixture
def imported(tmp_path):
    db = tmp_path / "h.duckdb"
    # The judge reads the planted question and leak as a capable one would.
    judge = register_script(InterviewScript(judge_flags={"How old are you": "age", "a 5 on the rubric": "rubric"}))
    result = runner.invoke(
        app,
        [
            "import",
            str(write(tmp_path / "rec.jsonl", LINES)),
            "--annotator",
            "rules",
            "--grader-model",
            "baseline/constant",
            "--judge-model",
            judge,
            "--db",
            str(db),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("select run_id from runs").fetchone()
    return db, run_id


def test_import_annotates_by_rules_and_checks_each_recording(imported):
    db, run_id = imported
    by = checks_by_interview(db, run_id)
    assert set(by) == {"rec-full", "rec-short", "rec-bad"}
    assert all(i["source"] == "imported" and i["status"] == "completed" for i in by.values())
    assert by["rec-full"]["conformance"]["question_count"] is True
    assert by["rec-short"]["failed_checks"]["question_count"] == [2, 4]  # the two questions it asked
    failed = by["rec-bad"]["failed_checks"]
    assert failed["no_prohibited_topics"] == [12] and failed["no_rubric_leak"] == [14]  # the offending lines
    assert {v["kind"] for v in by["rec-bad"]["violations"]} == {"prohibited_topic", "rubric_leak"}
    assert {a["tier"] for i in by.values() for a in i["annotations"]} == {"rules"}
    with duckdb.connect(str(db), read_only=True) as con:
        # No model labelled a turn: the judge ran once per recording, for the prohibited-topic audit only.
        judge_calls = con.execute("select persona_id, count(*) from model_calls where role = 'judge' group by 1").fetchall()
        labelled = con.execute("select count(*) from checks where metric = 'persona'").fetchone()[0]
    assert all(n == 1 for _, n in judge_calls)
    assert labelled == 2  # rec-bad has no labels: conformance only


def test_a_malformed_line_is_named_by_number_and_nothing_is_stored(tmp_path):
    bad = write(tmp_path / "bad.jsonl", [LINES[0], "{not json", {**LINES[1], "turns": [{"speaker": "host", "text": "hi"}]}])
    db = tmp_path / "h.duckdb"
    result = runner.invoke(
        app, ["import", str(bad), "--annotator", "rules", "--grader-model", "baseline/constant", "--db", str(db)]
    )
    assert result.exit_code == 2
    assert "line 2: not valid JSON" in result.output and "line 3: turns" in result.output
    assert not db.exists() or duckdb.connect(str(db), read_only=True).execute("select count(*) from runs").fetchone()[0] == 0
    skipped = runner.invoke(
        app,
        [
            "import",
            str(bad),
            "--skip-invalid",
            "--annotator",
            "rules",
            "--grader-model",
            "baseline/constant",
            "--judge-model",
            register_script(),
            "--db",
            str(db),
        ],
    )
    assert skipped.exit_code in (0, 1), skipped.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from interviews").fetchone()[0] == 1


def test_regrade_with_another_grader_pairs_every_interview_in_compare(imported, tmp_path):
    db, run_id = imported
    result = runner.invoke(app, ["regrade", run_id, "--grader-model", "baseline/counting", "--db", str(db)])
    assert result.exit_code in (0, 1), result.output
    with duckdb.connect(str(db), read_only=True) as con:
        (new_id,) = con.execute("select run_id from runs where run_id != ?", [run_id]).fetchone()
        graders = dict(con.execute("select run_id, json_extract_string(models, '$.grader') from runs").fetchall())
        new_calls = con.execute("select role, count(*) from model_calls where run_id = ? group by 1", [new_id]).fetchall()
    assert graders == {run_id: "baseline/constant", new_id: "baseline/counting"}
    assert new_calls == [("grader", 3)]  # only the grade is new; transcripts, annotations and audits are kept
    compared = runner.invoke(app, ["compare", run_id, new_id, "--markdown", str(tmp_path / "c.md"), "--db", str(db)])
    assert compared.exit_code in (0, 1), compared.output
    text = (tmp_path / "c.md").read_text()
    assert "3 matched interview(s)" in text and "not comparable" not in text
    assert checks_by_interview(db, new_id)["rec-bad"]["annotations"] == checks_by_interview(db, run_id)["rec-bad"]["annotations"]


def test_the_line_format_ships_as_a_json_schema():
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema == RecordingLine.model_json_schema()
    jsonschema.validate(LINES[0], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**LINES[0], "turns": "none"}, schema)


def test_guided_runs_report_the_annotators_accuracy(tmp_path):
    db = tmp_path / "h.duckdb"
    model = register_script()
    flags = [a for role in ("interviewer", "candidate", "grader", "judge") for a in (f"--{role}-model", model)]
    result = runner.invoke(app, ["run", "--persona", "mei-defects", "--persona", "dana-ranking", *flags, "--db", str(db)])
    assert result.exit_code in (0, 1), result.output
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("select run_id from runs").fetchone()
        accuracy = dict(con.execute("select scope, value from checks where metric = 'annotator_accuracy'").fetchall())
    assert set(accuracy) == {"action", "question", "segment"}
    assert accuracy["question"] == 1.0  # the scripted interviewer asks the bank questions verbatim
    report = tmp_path / "r.md"
    assert runner.invoke(app, ["report", run_id, "--markdown", str(report), "--db", str(db)]).exit_code == 0
    section = report.read_text().split("## Annotator accuracy", 1)[1].split("\n## ", 1)[0]
    assert "| question | 1.00 |" in section
    assert "are enforced by the format rules" in report.read_text()


def test_report_separates_grader_noise_from_simulation_noise(tmp_path):
    db = tmp_path / "h.duckdb"
    model = register_script()
    flags = [a for role in ("interviewer", "candidate", "grader", "judge") for a in (f"--{role}-model", model)]
    for _ in range(2):  # the run and a rerun with the same configuration
        assert runner.invoke(app, ["run", "--persona", "mei-defects", *flags, "--db", str(db)]).exit_code in (0, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        first, rerun = [r for (r,) in con.execute("select run_id from runs order by started_at").fetchall()]
    report = tmp_path / "r.md"
    assert runner.invoke(app, ["report", first, "--markdown", str(report), "--db", str(db)]).exit_code == 0
    assert "| simulation (rerun) | " + rerun in report.read_text() and "grader (regrade)" not in report.read_text()
    assert runner.invoke(app, ["regrade", first, "--db", str(db)]).exit_code in (0, 1)  # same grader: grader noise
    with duckdb.connect(str(db), read_only=True) as con:
        (regrade,) = con.execute("select run_id from runs where run_id not in (?, ?)", [first, rerun]).fetchone()
    assert runner.invoke(app, ["report", first, "--markdown", str(report), "--db", str(db)]).exit_code == 0
    section = report.read_text().split("## Grader noise and simulation noise", 1)[1].split("\n## ", 1)[0]
    assert f"| grader (regrade) | {regrade} | 1 | 0.00 | 0.00 |" in section  # a deterministic grader has no grader noise
    assert f"| simulation (rerun) | {rerun} | 1 |" in section


def test_null_labels_are_stored_as_not_assessable_and_the_report_names_the_recording(tmp_path):
    levels = dict.fromkeys(SCENARIO.competency_ids, 4) | {"responsible_ai": None, "growth_mindset": None}
    path = write(tmp_path / "rec.jsonl", [recording("rec-three", BANK[:3], labels={"competency_levels": levels})])
    db, judge = tmp_path / "h.duckdb", register_script()
    result = runner.invoke(
        app,
        ["import", str(path), "--annotator", "rules", "--grader-model", "baseline/constant", "--judge-model", judge]
        + ["--db", str(db), "--no-gate"],
    )
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        run = store.list_runs(1)[0]
        (stored,) = store.load_results(run.run_id)
    # A null level is left out of the labels: expected "not assessed", like a competency no question asked.
    assert stored.labels is not None and set(stored.labels.competency_levels) == set(SCENARIO.competency_ids) - {
        "responsible_ai",
        "growth_mindset",
    }
    assert stored.labels.hire is False  # two competencies unassessed: the hire bar allows one
    md = tmp_path / "report.md"
    shown = runner.invoke(app, ["report", run.run_id, "--db", str(db), "--markdown", str(md)])
    assert shown.exit_code == 0, shown.output
    text = md.read_text()
    assert f"recorded interviewer ({path.resolve()})" in text
    # The interviewer and candidate were the recording: no model of theirs was called, and none is named.
    assert "interviewer model" not in text and "candidate model" not in text and "local/smollm2" not in text
    assert "| grader model | baseline/constant |" in text and f"| judge model | {judge} |" in text
    findings = text.split("## Findings", 1)[1].split("##", 1)[0]
    assert "The interviewer model" not in findings


def test_the_judge_settles_the_checks_the_rules_leave_unsure_and_its_reads_are_kept(tmp_path):
    line = recording("rec-vague", BANK[:5])
    # Next steps, but no timeline the rules know: only a reader can tell whether "when" was said.
    line["turns"][-1]["text"] = "Thank you for your time. The recruiter will share next steps once the panel has met."
    path = write(tmp_path / "rec.jsonl", [line])
    db = tmp_path / "h.duckdb"
    judge = register_script(InterviewScript(judge_reads={"next_steps_stated": False, "question_count": False}))
    result = runner.invoke(
        app,
        ["import", str(path), "--grader-model", "baseline/constant", "--judge-model", judge, "--db", str(db), "--no-gate"],
    )
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        run_id = store.list_runs(1)[0].run_id
        (stored,) = store.load_results(run_id)
    # Asked only about what the rules left unsure; the question count the rules settled is not read again.
    assert stored.conformance_reads == {"next_steps_stated": False}
    shown = checks_by_interview(db, run_id)["rec-vague"]
    assert shown["conformance"]["next_steps_stated"] is False and shown["conformance"]["question_count"] is True
    assert "next_steps_stated" in shown["failed_checks"]


def test_record_writes_every_reply_and_a_recorded_rerun_replays_them_offline(tmp_path):
    from agents.prompting import PromptSet

    lines = write(tmp_path / "rec.jsonl", LINES)
    judge = register_script(InterviewScript(judge_flags={"How old are you": "age"}))
    folder = tmp_path / "recordings"

    def imported(db: Path, grader: str, judge_model: str, *extra: str) -> str:
        args = ["import", str(lines), "--grader-model", grader, "--judge-model", judge_model, "--no-cache", "--db", str(db)]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code in (0, 1), result.output
        with duckdb.connect(str(db), read_only=True) as con:
            (run_id,) = con.execute("select run_id from runs").fetchone()
            failed = con.execute("select count(*) from model_calls where error is not null").fetchone()[0]
        assert failed == 0
        return run_id

    first_db, second_db = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    first = imported(first_db, "baseline/counting", judge, "--record", str(folder))
    written = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    grader_hash = PromptSet()["grader"].sha256
    assert {r["role"] for r in written} >= {"grader", "judge"}
    assert all(r["template_hash"] == grader_hash and r["model"] == "baseline/counting" for r in written if r["role"] == "grader")
    assert sum(r["role"] == "grader" for r in written) == len(LINES)
    second = imported(second_db, f"recorded/{folder}", f"recorded/{folder}")
    grades = [
        {
            i["persona_id"]: i["grade"]
            for i in json.loads(runner.invoke(app, ["report", run, "--json", "--db", str(db)]).output)["interviews"]
        }
        for run, db in ((first, first_db), (second, second_db))
    ]
    assert grades[0] == grades[1] and all(g is not None for g in grades[0].values())  # the same replies, read back
