"""`bisect`: on a throwaway repository where one commit of several makes the grader lenient, the first bad commit is
named after at most ceil(log2 N) + 1 suite runs, every run kept."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from evals.runs.bisect import ENTRY

ROOT = Path(__file__).resolve().parents[1]
GRADER = """import json

from tests.conftest_helpers import LIBRARY
from tests.scripted_agents import InterviewScript

from switch import GRADER

_SCRIPT = InterviewScript(grader=GRADER, personas={p.display_name: p for p in LIBRARY.personas.values()})


def grade(messages):
    return json.dumps(_SCRIPT._grader(messages, None))
"""
RUN = ["--tag", "core", "--grader-model", "callable/grade_model:grade", "--no-cache"]
RUN += [arg for role in ("interviewer", "candidate", "judge") for arg in (f"--{role}-model", "scripted/script")]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "prompts"
    repo.mkdir()
    git(repo, "init", "-q")
    shas = [commit(repo, {"grade_model.py": GRADER, "switch.py": 'GRADER = "oracle"\n'}, "a sound grader")]
    shas.append(commit(repo, {"NOTES.md": "notes\n"}, "notes"))
    shas.append(commit(repo, {"switch.py": 'GRADER = "lenient"\n'}, "the grader turns lenient"))
    shas.append(commit(repo, {"NOTES.md": "more notes\n"}, "more notes"))
    shas.append(commit(repo, {"NOTES.md": "even more notes\n"}, "even more notes"))
    return repo, shas


def test_bisect_names_the_commit_that_made_the_grader_lenient(repo, tmp_path):
    path, shas = repo
    db = tmp_path / "results" / "h.duckdb"
    env = {**os.environ, "INTERVIEW_HARNESS_LAUNCHER": str(ROOT / "tests" / "scripted_cli.py"), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", ENTRY, "bisect", shas[0], shas[-1], "--trials", "2"]
    argv += ["--repo", str(path), "--db", str(db), "--", *RUN]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"first bad commit: {shas[2]}" in done.stdout
    searched = len(shas) - 1
    with duckdb.connect(str(db), read_only=True) as con:
        labels = [row[0] for row in con.execute("select label from runs order by started_at").fetchall()]
    assert len(labels) <= math.ceil(math.log2(searched)) + 1  # the good run and one per halving, each kept
    assert labels[0] == f"bisect {shas[0][:12]}" and all(label.startswith("bisect ") for label in labels)
    assert git(path, "worktree", "list").count("\n") == 0  # the worktrees are gone; the checkout was never touched


def test_a_step_that_cannot_tell_noise_from_regression_stops_the_search(repo, tmp_path, monkeypatch):
    from evals.runs import bisect as module

    path, shas = repo
    monkeypatch.setattr(module, "run_suite", lambda repo, commit, *args: f"run-{commit[:6]}")
    steps = []
    found = module.bisect(
        path,
        shas[0],
        shas[-1],
        [],
        tmp_path / "h.duckdb",
        lambda good, run: ("undecided", "exact -0.12 [-0.30, +0.04]"),
        trials=1,
        on_step=steps.append,
    )
    assert found.first_bad is None and len(steps) == 1
    assert "1 trial(s) per persona cannot tell" in found.stopped and "more --trials" in found.stopped
    with pytest.raises(module.BisectError, match="is not an ancestor"):
        module.commits_between(path, shas[-1], shas[0])
