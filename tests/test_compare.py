"""`interview-harness compare`: paired deltas, regressions that fail CI, verdict flips, and runs that cannot be compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.metrics.gates import load_gates
from evals.report.compare import compare_runs
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, run_harness
from tests.scripted_agents import InterviewScript

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("compare") / "harness.duckdb"
    return {
        "db": db,
        "oracle": run_harness(db, InterviewScript(grader="oracle")),
        "oracle2": run_harness(db, InterviewScript(grader="oracle")),
        "lenient": run_harness(db, InterviewScript(grader="lenient")),
        "subset": run_harness(db, InterviewScript(grader="oracle"), "mei-defects", "ravi-speech"),
        "elsewhere": run_harness(db, InterviewScript(grader="oracle"), "sofia-translation"),
    }


def compare(runs: dict, base: str, new: str, *extra: str):
    return runner.invoke(app, ["compare", runs[base], runs[new], *extra, "--db", str(runs["db"])])


def stored(db: Path, run_id: str, metric: str) -> float:
    with Store.open(db) as store:
        return next(r.value for r in store.load_checks(run_id) if r.metric == metric and r.scope in ("overall", "micro"))


def test_oracle_then_lenient_regresses_and_exits_1_naming_the_metrics(runs, tmp_path) -> None:
    md = tmp_path / "compare.md"
    result = compare(runs, "oracle", "lenient", "--markdown", str(md))
    assert result.exit_code == 1, result.output
    text = md.read_text(encoding="utf-8")
    regressed = [n.replace("\\|", "|") for n in re.findall(r"^\| (.+?) \| .*\| REGRESSED \|$", text, re.M)]
    assert "exact agreement" in regressed and "adjacent (±1) agreement" not in regressed
    conclusion = " ".join(result.output.split("REGRESSION:")[1].split())
    assert all(f"{name} (" in conclusion for name in regressed)
    # Every core persona is in both runs, so the paired values are the runs' own stored values.
    base, new = stored(runs["db"], runs["oracle"], "exact"), stored(runs["db"], runs["lenient"], "exact")
    assert f"| exact agreement | {base:.2f} | {new:.2f} | {new - base:+.2f} |" in text
    assert "not comparable" not in result.output


def test_oracle_against_oracle_exits_0_with_zero_deltas(runs, tmp_path) -> None:
    md = tmp_path / "same.md"
    result = compare(runs, "oracle", "oracle2", "--markdown", str(md))
    assert result.exit_code == 0, result.output
    text = md.read_text(encoding="utf-8")
    assert "REGRESSED" not in text and "No gated metric regressed" in text
    deltas = re.findall(r"^\| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \|", text, re.M)[1:]
    assert deltas and all(d.strip() in ("+0.00", "-0.00", "-") for d in deltas)
    assert "No interview changed" in text


def test_verdict_flips_are_the_interviews_whose_stored_hire_changed(runs, tmp_path) -> None:
    md = tmp_path / "flips.md"
    compare(runs, "oracle", "lenient", "--markdown", str(md))
    with Store.open(runs["db"]) as store:
        rows = store.query(
            "SELECT a.persona_id, a.trial FROM interviews a JOIN interviews b USING (persona_id, trial)"
            " WHERE a.run_id = ? AND b.run_id = ? AND a.hire IS DISTINCT FROM b.hire",
            [runs["oracle"], runs["lenient"]],
        )
    flipped = {f"{pid}#{trial}" for pid, trial in rows}
    assert flipped, "a lenient grader hires someone the labels reject"
    listed = set(re.findall(r"^- (\S+#\d+): ", md.read_text(encoding="utf-8").split("## Verdict flips")[1], re.M))
    assert flipped <= listed


def test_a_different_persona_set_is_warned_about(runs) -> None:
    result = compare(runs, "oracle", "subset")
    assert result.exit_code == 0, result.output
    assert "WARNING: not comparable" in result.output and "different persona sets" in result.output
    assert "2 matched interview(s)" in result.output


def test_runs_with_no_shared_interview_are_not_comparable(runs, tmp_path) -> None:
    md = tmp_path / "none.md"
    result = compare(runs, "oracle", "elsewhere", "--markdown", str(md))
    assert result.exit_code == 0, result.output
    assert "no interview (persona, trial) appears in both runs" in result.output
    text = md.read_text(encoding="utf-8")
    assert "WARNING: these runs are not comparable" in text and "only in new: sofia-translation#0" in text


def test_a_config_allowing_large_drops_turns_the_regression_into_a_pass(runs, tmp_path) -> None:
    config = tmp_path / "gates.toml"
    config.write_text("".join(f"[gates.{m}]\nmax_regression = 5.0\n" for m in load_gates()), encoding="utf-8")
    result = compare(runs, "oracle", "lenient", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "REGRESSED" not in result.output


def test_paired_intervals_resample_matched_interviews(runs) -> None:
    gates = load_gates()
    with Store.open(runs["db"]) as store:
        base, new = store.get_run(runs["oracle"]), store.get_run(runs["lenient"])
        result = compare_runs(store, base, new, LIBRARY, gates, n_resamples=400)
    assert result.pairs == len(base.plan) and not result.only_base and not result.only_new
    exact = next(d for d in result.deltas if d.metric == "exact")
    assert exact.low <= exact.delta <= exact.high < 0 and exact.regressed
    abs_smd = next(d for d in result.deltas if d.metric == "abs_smd")
    assert abs_smd.delta > 0  # |SMD| is lower-is-better: a rise is the regression direction
    assert abs_smd.regressed == gates["abs_smd"].regressed(abs_smd.delta, abs_smd.low, abs_smd.high)


def test_an_incomplete_run_is_compared_on_its_finished_interviews_with_a_note(tmp_path) -> None:
    db = tmp_path / "partial.duckdb"
    run_id = run_harness(db, InterviewScript(), "ravi-speech")
    with Store.open(db) as store:
        store.finish_run(run_id, "incomplete")
    result = runner.invoke(app, ["compare", run_id, run_id, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"note: run {run_id} is incomplete" in result.output and "not comparable" not in result.output


@pytest.mark.parametrize("args", [["feedfacecafe", "oracle"], ["oracle", "feedfacecafe"]])
def test_unknown_run_id_exits_2(runs, args) -> None:
    ids = [runs.get(a, a) for a in args]
    result = runner.invoke(app, ["compare", *ids, "--db", str(runs["db"])])
    assert result.exit_code == 2 and "no run 'feedfacecafe'" in result.output


def test_invalid_gate_config_exits_2(runs, tmp_path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[gates.nonsense]\nthreshold = 1\n", encoding="utf-8")
    result = compare(runs, "oracle", "lenient", "--config", str(config))
    assert result.exit_code == 2 and "gates.nonsense" in result.output


def test_saved_units_are_read_while_they_hold_and_built_again_when_the_code_or_the_labels_changed(runs, monkeypatch) -> None:
    import dataclasses

    import evals.report.compare as compare_module

    gates, read = load_gates(), []
    stream_results = Store.stream_results

    def reading(store, run_id, keys):
        for result in stream_results(store, run_id, keys):
            read.append((result.persona_id, result.trial))
            yield result

    monkeypatch.setattr(Store, "stream_results", reading)
    with Store.open(runs["db"]) as store:
        base, new = store.get_run(runs["oracle"]), store.get_run(runs["lenient"])
        saved = compare_runs(store, base, new, LIBRARY, gates, n_resamples=200)
        assert read == []  # every unit came with its interview
        monkeypatch.setattr(compare_module, "digest_code", lambda: "another version of the harness")
        rebuilt = compare_runs(store, base, new, LIBRARY, gates, n_resamples=200)
        assert len(read) == len(base.plan) + len(new.plan)
        monkeypatch.undo()
        read.clear()
        ravi = LIBRARY.persona("ravi-speech")
        lowered = {cid: max(1, level - 2) for cid, level in ravi.intended.competency_levels.items()}
        relabelled = ravi.model_copy(update={"intended": ravi.intended.model_copy(update={"competency_levels": lowered})})
        library = dataclasses.replace(LIBRARY, personas={**LIBRARY.personas, "ravi-speech": relabelled})
        monkeypatch.setattr(Store, "stream_results", reading)
        units, _ = compare_module._units(store, base, library)
    assert read and {persona for persona, _ in read} == {"ravi-speech"}
    assert all(u.labels == relabelled.intended for key, u in units.items() if key[0] == "ravi-speech")
    assert [(d.metric, d.delta, d.low, d.high) for d in rebuilt.deltas] == [
        (d.metric, d.delta, d.low, d.high) for d in saved.deltas
    ]
    assert rebuilt.flips == saved.flips
