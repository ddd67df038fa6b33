"""Interview digests: made as each interview is saved, read by `finalize` instead of every transcript."""

from __future__ import annotations

from pathlib import Path

from agents.models.config import ModelsConfig
from evals import loading
from evals.metrics.digest import InterviewDigest, digest_of, dump_digest, load_digest
from evals.metrics.gates import defaults_version, load_gates
from evals.metrics.units import labels_of
from evals.runs.config import SimulateConfig
from evals.runs.harness import Harness, make_plan
from evals.store.database import Store
from tests.conftest_helpers import register_script
from tests.scripted_agents import InterviewScript

SCENARIO_ID = "microsoft-ai-engineer-behavioral"
PERSONAS = ["mei-defects", "dana-ranking", "amara-imaging", "jordan-inference"]


def finished_run(db: Path) -> tuple[Harness, str]:
    lib = loading.load_shipped()
    config = SimulateConfig(
        models=ModelsConfig.for_all(register_script(InterviewScript(fail_for="Mei Chen"))),
        gates=load_gates(),
        gates_version=defaults_version(),
        concurrency=4,
        trials=2,
        use_cache=False,
        annotator="rules",
    )
    store = Store.open(db)
    harness = Harness(store, lib)
    prepared = harness.start(make_plan(lib, SCENARIO_ID, PERSONAS, None, 2), config)
    harness.execute(prepared)
    return harness, prepared.run_id


def test_every_saved_interview_carries_its_digest_and_it_round_trips(tmp_path):
    harness, run_id = finished_run(tmp_path / "h.duckdb")
    with harness.store:
        saved = list(harness.store.load_digests(run_id))
        results = harness.store.load_results(run_id)
    assert len(saved) == len(results) == 8 and all(isinstance(s, str) for s in saved)
    scenario = harness.library.scenario(SCENARIO_ID)
    for text, result in zip(saved, results, strict=True):
        digest = load_digest(text)
        assert isinstance(digest, InterviewDigest) and load_digest(dump_digest(digest)) == digest
        assert digest == digest_of(result, labels_of(result, harness.library.personas), scenario)
    failed = [load_digest(s) for s in saved if load_digest(s).status == "error"]
    assert failed and all("scripted candidate failure" in (d.error or "") for d in failed)
    completed = [load_digest(s) for s in saved if load_digest(s).unit.completed]
    assert completed and all(len(d.counting) == len(d.unit.competencies) for d in completed)
    assert all(d.calls["candidate"]["calls"] > 0 for d in completed)


def test_finalize_from_digests_equals_finalize_from_transcripts(tmp_path):
    """A run saved before digests existed (digest NULL) is finalized from its transcripts, to the same checks."""
    harness, run_id = finished_run(tmp_path / "h.duckdb")
    with harness.store:
        from_digests = harness.finalize(run_id)
        harness.store.query("UPDATE interviews SET digest = NULL WHERE run_id = ?", [run_id])
        assert all(not isinstance(s, str) for s in harness.store.load_digests(run_id))
        from_transcripts = harness.finalize(run_id)
    assert [r.model_dump() for r in from_digests] == [r.model_dump() for r in from_transcripts]
    by = {(r.metric, r.scope): r for r in from_digests}
    assert by[("errors", "overall")].value == 2  # Mei Chen's two trials
    assert by[("calls", "candidate")].value > 0 and by[("baseline_margin", "qwk")].n > 0


def test_digests_stream_in_chunks(tmp_path):
    harness, run_id = finished_run(tmp_path / "h.duckdb")
    with harness.store:
        assert len(list(harness.store.load_digests(run_id, chunk=3))) == 8


def test_an_interview_whose_digest_fails_is_still_saved(tmp_path, monkeypatch):
    import evals.runs.executors

    def broken(*_args):
        raise ValueError("digest bug")

    monkeypatch.setattr(evals.runs.executors, "digest_for", broken)
    harness, run_id = finished_run(tmp_path / "h.duckdb")
    with harness.store:
        assert harness.store.count_interviews(run_id) == 8
        assert harness.store.query("SELECT count(*) FROM interviews WHERE digest IS NULL") == [(8,)]
    monkeypatch.undo()
    with Store.open(tmp_path / "h.duckdb") as store:  # finalize makes the digests from the transcripts
        rows = Harness(store, loading.load_shipped()).finalize(run_id)
        assert {(r.metric, r.scope): r for r in rows}[("errors", "overall")].n == 8
