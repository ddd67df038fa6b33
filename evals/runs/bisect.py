"""Find the first commit where a gated metric regressed: the suite run at the good commit, then at commits between it
and the bad one by halving, each in its own git worktree, each compared with the good run interview by interview.

A commit's verdict is "regressed" (a gated metric worsened by more than its allowance and its interval excludes 0,
as `compare` says), "ok" (no gated metric worsened by more than its allowance), or "undecided" (one did, but its
interval includes 0: the trials cannot tell a regression from noise). An undecided commit stops the search rather
than guessing through it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Verdict = Literal["regressed", "ok", "undecided"]
# A test (or a team with its own models) may run each suite through another entry point that takes the same arguments.
LAUNCHER_ENV = "INTERVIEW_HARNESS_LAUNCHER"
ENTRY = "from evals.cli import app; app(prog_name='interview-harness')"  # the command line, importable from the worktree


class BisectError(Exception):
    """The refs cannot be bisected, or a suite run failed; the message says which and why."""


@dataclass(frozen=True)
class Step:
    commit: str
    run_id: str
    verdict: Verdict
    detail: str  # the deciding metric with its change and interval, or why none decided


@dataclass
class Bisection:
    good_run: str
    commits: list[str]  # between good (excluded) and bad (included), oldest first
    steps: list[Step] = field(default_factory=list)
    first_bad: str | None = None
    stopped: str | None = None  # why the search stopped without a commit named

    @property
    def suite_runs(self) -> int:
        return 1 + len(self.steps)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BisectError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def commits_between(repo: Path, good: str, bad: str) -> list[str]:
    """The commits after `good` up to and including `bad`, oldest first (`bad` must descend from `good`)."""
    good_sha, bad_sha = git(repo, "rev-parse", good), git(repo, "rev-parse", bad)
    if subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", good_sha, bad_sha], check=False).returncode:
        raise BisectError(f"{good} is not an ancestor of {bad}")
    listed = git(repo, "rev-list", "--ancestry-path", "--reverse", f"{good_sha}..{bad_sha}").split()
    if not listed:
        raise BisectError(f"no commit between {good} and {bad}")
    return listed


def run_suite(repo: Path, commit: str, run_args: list[str], db: Path, trials: int, workdir: Path) -> str:
    """The suite at `commit`, in a worktree of its own (the repository's checkout is never touched); its run id."""
    tree = workdir / commit[:12]
    if not tree.exists():
        git(repo, "worktree", "add", "--detach", str(tree), commit)
    launcher = os.environ.get(LAUNCHER_ENV)
    command = [sys.executable, launcher] if launcher else [sys.executable, "-c", ENTRY]
    argv = [*command, "run", *run_args, "--trials", str(trials), "--label", f"bisect {commit[:12]}", "--db", str(db), "--no-gate"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(tree), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "run id: " not in done.stdout:
        raise BisectError(f"the suite failed at {commit[:12]} (exit {done.returncode}): {(done.stderr or done.stdout)[-600:]}")
    return done.stdout.rsplit("run id: ", 1)[1].split()[0]


def bisect(
    repo: Path,
    good: str,
    bad: str,
    run_args: list[str],
    db: Path,
    judge: Callable[[str, str], tuple[Verdict, str]],
    *,
    trials: int = 3,
    workdir: Path | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> Bisection:
    """Halve the commits between `good` and `bad` until the first one whose run `judge(good_run, run)` calls regressed
    (`bad` itself is taken as regressed: that is why it was named). The runs stay in `db`."""
    commits = commits_between(repo, good, bad)
    made = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="interview-harness-bisect-"))
    try:
        found = Bisection(run_suite(repo, git(repo, "rev-parse", good), run_args, db, trials, workdir), commits)
        low, high = 0, len(commits) - 1  # the first bad commit is in commits[low..high]
        while low < high:
            middle = (low + high) // 2
            run_id = run_suite(repo, commits[middle], run_args, db, trials, workdir)
            verdict, detail = judge(found.good_run, run_id)
            step = Step(commits[middle], run_id, verdict, detail)
            found.steps.append(step)
            if on_step is not None:
                on_step(step)
            if verdict == "undecided":
                found.stopped = (
                    f"{trials} trial(s) per persona cannot tell at {commits[middle][:12]} whether {detail} is a regression "
                    "or noise; run again with more --trials"
                )
                return found
            if verdict == "regressed":
                high = middle
            else:
                low = middle + 1
        found.first_bad = commits[low]
        return found
    finally:
        for tree in workdir.iterdir() if workdir.exists() else []:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], capture_output=True, check=False)
        if made:
            shutil.rmtree(workdir, ignore_errors=True)
