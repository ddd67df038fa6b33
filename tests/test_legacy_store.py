"""A results database written before run kinds (by commit 2d9c800, `tests/data/legacy_v1.duckdb.gz`: a simulated
run of two personas, its regrade, a probe of it and an import) still reads, reports and compares."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.runs.config import ImportConfig, ProbeConfig, RegradeConfig, SimulateConfig, migrate, parse_run_config
from evals.store.database import Store

LEGACY = Path(__file__).with_name("data") / "legacy_v1.duckdb.gz"


@pytest.fixture
def legacy_db(tmp_path) -> Path:
    db = tmp_path / "legacy.duckdb"
    with gzip.open(LEGACY) as packed, db.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return db


def _runs(db: Path) -> dict[str, object]:
    with Store.open(db) as store:
        return {run.config.kind: run for run in store.list_runs(10)}


def test_every_legacy_run_reads_as_its_kind(legacy_db):
    runs = _runs(legacy_db)
    assert set(runs) == {"simulate", "regrade", "probe", "import"}
    simulate, regrade, probe, imported = (runs[k].config for k in ("simulate", "regrade", "probe", "import"))  # type: ignore[attr-defined]
    assert isinstance(simulate, SimulateConfig) and set(simulate.persona_hashes) == {"mei-defects", "ben-genai"}
    assert isinstance(regrade, RegradeConfig) and regrade.regrade_of == runs["simulate"].run_id  # type: ignore[attr-defined]
    assert isinstance(probe, ProbeConfig) and probe.probe.base_run == runs["simulate"].run_id  # type: ignore[attr-defined]
    assert isinstance(imported, ImportConfig) and imported.recordings.endswith("rec.jsonl")


def test_legacy_runs_report_and_compare(legacy_db):
    runs = _runs(legacy_db)
    cli = CliRunner()
    for kind, run in runs.items():
        result = cli.invoke(app, ["report", run.run_id, "--json", "--db", str(legacy_db)])  # type: ignore[attr-defined]
        assert result.exit_code == 0, (kind, result.output)
        assert json.loads(result.output)["run"]["run_id"] == run.run_id  # type: ignore[attr-defined]
    base, regrade = runs["simulate"].run_id, runs["regrade"].run_id  # type: ignore[attr-defined]
    compared = cli.invoke(app, ["compare", base, regrade, "--db", str(legacy_db)])
    # The regrade's grader was the lenient script: the comparison pairs both interviews and finds the regression.
    assert compared.exit_code == 1, compared.output
    assert "2 matched interview(s)" in compared.output and "REGRESSION" in compared.output


def test_a_legacy_form_keeps_only_its_kinds_fields():
    old = {
        "models": {},
        "gates": {},
        "gates_version": 1,
        "concurrency": 2,
        "trials": 1,
        "no_cache": True,
        "prompts": {"grader_prompt": None},
        "recordings": None,
        "recordings_sha256": None,
        "regrade_of": "abc",
        "probe": None,
        "twins": [],
        "persona_hashes": {},
        "interviewer": "guided",
    }
    form = migrate(old)
    assert form["kind"] == "regrade" and form["use_cache"] is False and form["prompts"] == {"grader": None}
    assert "recordings" not in form and "twins" not in form
    config = parse_run_config(json.dumps(old))
    assert isinstance(config, RegradeConfig) and config.regrade_of == "abc"
