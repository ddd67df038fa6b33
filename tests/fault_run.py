"""A run against the fault-injecting server, killed with SIGKILL part-way and resumed: what the fault-injection
test asserts and `bench/faults.py` prints.

The run is the real command in a subprocess (`interview-harness run` with every role on the server through
litellm); it prints a line per interview once that interview is committed, so the kill lands after a known
number of reported interviews, each of which must still be there afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evals.store.database import Store
from tests.fault_server import FaultPlan, FaultServer
from tests.scripted_agents import InterviewScript

RUN = "from evals.cli import app; app(prog_name='interview-harness')"


@dataclass
class FaultReport:
    """What happened to a run under injected faults."""

    planned: int
    completed: int
    infra_errors: int
    errors_without_cause: int
    scored_errors: int
    reported_before_kill: int
    lost: int
    injected: Counter
    failed_calls: int
    early_retries: int
    wall_s: float

    @property
    def survived(self) -> int:
        """Injected faults that did not end their call: it was retried to an answer."""
        return sum(self.injected.values()) - self.failed_calls

    def line(self) -> str:
        kinds = ",".join(f"{k}:{v}" for k, v in sorted(self.injected.items()))
        return (
            f"interviews={self.planned} completed={self.completed} infra_errors={self.infra_errors} "
            f"faults_injected={sum(self.injected.values())} ({kinds}) faults_survived={self.survived} "
            f"early_retries={self.early_retries} killed_after={self.reported_before_kill} "
            f"interviews_lost={self.lost} wall={self.wall_s:.1f}"
        )


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", RUN, *args]


def fault_run(
    folder: Path,
    script: InterviewScript,
    *,
    trials: int,
    kill_after: int,
    plan: FaultPlan | None = None,
    concurrency: int = 16,
    timeout_s: float = 1.5,
) -> FaultReport:
    """Run `--tag full` x `trials` against the faulty server, SIGKILL it after `kill_after` reported interviews,
    resume it to the end, and account for every interview."""
    db, config = folder / "h.duckdb", folder / "faults.toml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    started = time.perf_counter()
    with FaultServer(script, plan) as server:
        config.write_text(server.config_toml(timeout_s))
        common = ["--db", str(db), "--no-gate"]
        argv = ["run", "--tag", "full", "--trials", str(trials), "--config", str(config), "--no-cache", "--annotator", "rules"]
        first = subprocess.Popen(
            _command(*argv, "--concurrency", str(concurrency), *common),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        reported: list[str] = []
        assert first.stdout is not None
        for line in first.stdout:
            if line.startswith("  ") and "#" in line and (" ok (" in line or " error: " in line):
                reported.append(line.split()[0])
                if len(reported) >= kill_after:
                    break
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        with Store.open(db) as store:
            run = store.list_runs(1)[0]
            before = {f"{r.persona_id}#{r.trial}": r for r in store.load_results(run.run_id)}
        resumed = subprocess.run(
            _command("run", "--resume", run.run_id, *common), capture_output=True, text=True, env=env, timeout=1800
        )
        if resumed.returncode != 0:
            raise RuntimeError(f"resume exited {resumed.returncode}: {resumed.stdout[-2000:]} {resumed.stderr[-2000:]}")
        with Store.open(db) as store:
            results = store.load_results(run.run_id)
            failed_calls = store.query("SELECT count(*) FROM model_calls WHERE run_id = ? AND error IS NOT NULL", [run.run_id])[
                0
            ][0]
        injected, early = Counter(server.injected), server.early_retries
    after = {f"{r.persona_id}#{r.trial}": r for r in results}
    # An interview is lost, and counted once, when it was reported but not saved, when the resumed run lacks it (planned
    # or reported), or when a completed one was changed by the resume.
    planned = {f"{persona_id}#{trial}" for persona_id, trial in run.plan}
    gone = {key for key in reported if key not in before} | ((planned | set(reported)) - set(after))
    gone |= {key for key, saved in before.items() if saved.status == "completed" and after.get(key) != saved}
    lost = len(gone)
    errors = [r for r in results if r.status == "error"]
    return FaultReport(
        planned=len(run.plan),
        completed=sum(r.status == "completed" for r in results),
        infra_errors=len(errors),
        errors_without_cause=sum(not r.error for r in errors),
        scored_errors=sum(r.grade is not None for r in errors),
        reported_before_kill=len(reported),
        lost=lost,
        injected=injected,
        failed_calls=failed_calls,
        early_retries=early,
        wall_s=time.perf_counter() - started,
    )
