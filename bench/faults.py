"""Interviews against an OpenAI-compatible server on loopback that injects faults, killed part-way and resumed.

Every role goes through litellm to `tests/fault_server.py`, which answers with the scripted agents but draws a
fault per request at the given rate: a 429 with Retry-After, a 500, a reply slower than the timeout,
malformed JSON, a body cut short, a dropped connection. The run (the real `interview-harness run`, in a
subprocess) is killed with SIGKILL after some interviews are reported done, then resumed. One line:

    interviews=N completed=... infra_errors=... faults_injected=... faults_survived=... early_retries=0
    killed_after=K interviews_lost=0 wall=...

Run from the repository root: `python bench/faults.py --trials 5 --rate 0.02`. No network and no model weights.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from tests.conftest_helpers import LIBRARY
    from tests.fault_run import fault_run
    from tests.fault_server import FAULTS, FaultPlan
    from tests.scripted_agents import InterviewScript

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, help="Interviews per persona of the full set (41 personas).")
    parser.add_argument("--rate", type=float, default=0.02, help="Chance of each kind of fault per request.")
    parser.add_argument("--kill-after", type=int, default=30, help="Interviews reported done before the SIGKILL.")
    parser.add_argument("--concurrency", type=int, default=16, help="Interviews in flight at once.")
    args = parser.parse_args()
    script = InterviewScript(personas={p.display_name: p for p in LIBRARY.personas.values()})
    plan = FaultPlan(rates=dict.fromkeys(FAULTS, args.rate), retry_after_s=0.4, slow_s=3.0)
    with tempfile.TemporaryDirectory() as tmp:
        report = fault_run(
            Path(tmp), script, trials=args.trials, kill_after=args.kill_after, plan=plan, concurrency=args.concurrency
        )
    print(report.line(), flush=True)


if __name__ == "__main__":
    main()
