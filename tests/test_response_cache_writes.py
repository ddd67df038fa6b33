"""The response cache writes behind: a reply is read back at once, committed with others, and never lost when a run or
the process ends."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from agents.models import response_cache
from agents.models.config import ModelsConfig
from agents.models.gateway import CACHE_FILENAME
from agents.models.response_cache import CachedResponse, ResponseCache
from evals import loading
from evals.metrics.gates import defaults_version, load_gates
from evals.runs.config import SimulateConfig
from evals.runs.harness import Harness, make_plan
from evals.store.database import Store
from tests.conftest_helpers import register_script
from tests.scripted_agents import InterviewScript

ROOT = Path(__file__).resolve().parents[1]
REPLY = CachedResponse(text="an answer", prompt_tokens=12, completion_tokens=3, cost_known=True)


def committed(path: Path) -> int:
    """Replies in the file, as another process would read them."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def test_a_reply_is_read_back_before_it_is_committed_by_every_cache_on_the_file(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    cache.get("warm")  # creates the file and its table
    cache.put("k", "m", REPLY)
    assert cache.get("k") == REPLY
    assert ResponseCache(tmp_path / "." / "c.sqlite").get("k") == REPLY  # another cache on the same file
    assert committed(path) == 0
    cache.flush()
    assert committed(path) == 1
    assert ResponseCache(path).get("k") == REPLY  # now from the file


def test_replies_are_committed_together_every_flush_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(response_cache, "FLUSH_ROWS", 3)
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    cache.get("warm")
    for key in ("a", "b"):
        cache.put(key, "m", REPLY)
    assert committed(path) == 0
    cache.put("c", "m", REPLY)
    assert committed(path) == 3
    assert [cache.get(k) for k in "abc"] == [REPLY] * 3


def test_a_reply_waits_no_longer_than_flush_after_s_once_another_comes(tmp_path, monkeypatch):
    monkeypatch.setattr(response_cache, "FLUSH_AFTER_S", 0.05)
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    cache.get("warm")
    cache.put("a", "m", REPLY)
    assert committed(path) == 0
    time.sleep(0.06)
    cache.put("b", "m", REPLY)
    assert committed(path) == 2


def test_replies_left_pending_are_committed_when_the_process_exits(tmp_path):
    path = tmp_path / "c.sqlite"
    script = (
        "from agents.models.response_cache import CachedResponse, ResponseCache\n"
        f"ResponseCache({str(path)!r}).put('k', 'm', CachedResponse('saved at exit', 1, 1, False))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0
    assert committed(path) == 1
    assert ResponseCache(path).get("k") == CachedResponse("saved at exit", 1, 1, False)


def test_a_run_commits_its_cached_replies_when_it_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(response_cache, "FLUSH_AFTER_S", 3600.0)  # however slow the machine, only the run's end commits
    lib = loading.load_shipped()
    config = SimulateConfig(
        models=ModelsConfig.for_all(register_script(InterviewScript()), temperature=0),
        gates=load_gates(),
        gates_version=defaults_version(),
        concurrency=1,
        trials=1,
    )
    with Store.open(tmp_path / "h.duckdb") as store:
        harness = Harness(store, lib, cache_path=tmp_path / "cache.sqlite")
        prepared = harness.start(make_plan(lib, "microsoft-ai-engineer-behavioral", ["mei-defects"], None, 1), config)
        harness.execute(prepared)
        calls = store.load_results(prepared.run_id)[0].calls
    # Every call of the run was a miss, stored under its own key, and fewer than FLUSH_ROWS.
    assert len(calls) < response_cache.FLUSH_ROWS
    assert committed(tmp_path / "cache.sqlite") == len(calls)


def test_a_probe_run_commits_its_cached_replies_when_it_ends(tmp_path, monkeypatch):
    from tests.test_probes import base_run, probe, scripted_grader

    monkeypatch.setattr(response_cache, "FLUSH_AFTER_S", 3600.0)
    model, grader = scripted_grader()
    run_id, db = base_run(tmp_path, model, personas=["mei-defects"])
    cache = tmp_path / CACHE_FILENAME  # beside the database
    before, graded_before = committed(cache), grader.calls
    assert probe(run_id, db, "--suite", "injection").exit_code == 0
    # Each copy is a different prompt: one miss, one reply, all committed by the probe's end rather than at exit.
    assert grader.calls > graded_before
    assert committed(cache) - before == grader.calls - graded_before
