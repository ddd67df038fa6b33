"""The overhead benchmark runs the real pipeline on scripted models and reports every figure it promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "overhead.py"
FIELDS = ("interviews", "latency", "wall", "critical", "ratio", "cpu_ms_per_call", "finalize_s", "peak_rss_mb")


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("cache", [[], ["--cache"]], ids=["no cache", "cache"])
def test_one_line_per_size_with_every_field(cache):
    done = _bench("--interviews", "2,3", "--latency", "0.01", *cache)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    for size, line in zip((2, 3), lines):
        values = dict(re.findall(r"(\w+)=(\S+)", line))
        assert tuple(values) == FIELDS
        assert int(values["interviews"]) == size
        # Every interview is a chain of model calls, each sleeping 10 ms, so the critical path is at least a few.
        assert float(values["critical"]) >= 0.05 and float(values["wall"]) >= float(values["critical"])
        assert float(values["cpu_ms_per_call"]) > 0


def test_callgrind_outside_valgrind_is_refused():
    done = _bench("--interviews", "1", "--latency", "0", "--callgrind")
    assert done.returncode != 0
    assert "valgrind --tool=callgrind --instr-atstart=no" in done.stderr


def test_the_first_command_bench_times_the_run_and_reads_each_roles_model_seconds(tmp_path):
    """With the install skipped and every role on the scripted models: the lines it promises, one per role."""
    launcher = f"{sys.executable} {ROOT / 'tests' / 'scripted_cli.py'}"
    models = " ".join(f"--{role}-model scripted/script" for role in ("interviewer", "candidate", "grader", "judge"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "first_command.py"), "--skip-install", "--venv", sys.prefix,
         "--launcher", launcher, "--run-args", f"--persona mei-defects {models}"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    values = dict(line.split("=", 1) for line in done.stdout.strip().splitlines())
    assert "cores" in values["machine"] and "install_s" not in values and float(values["run_s"]) > 0
    assert {"grader", "interviewer", "candidate", "judge"} <= {k.split(".", 1)[1] for k in values if k.startswith("model_s.")}
    assert int(values["calls.grader"]) == 1 and int(values["calls.interviewer"]) > 5
