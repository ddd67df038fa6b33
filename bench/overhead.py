"""What the harness itself costs next to its models: scripted models that sleep a fixed latency, the full pipeline.

Each size runs that many interviews (at most 1,000 at once) through the real graph, gateway, review and store
(a writer thread commits them as they finish), then `finalize`, and prints one line:

    interviews=N latency=L wall=... critical=... ratio=... cpu_ms_per_call=... finalize_s=... peak_rss_mb=...

- critical: the wall time a harness that costs nothing would take at least: the longest chain of model
  calls one interview made, or (when more interviews than run at once) every call spread over the
  interviews in flight, whichever is longer, times the latency;
- ratio: wall / critical;
- cpu_ms_per_call: this process's CPU time (every thread), less the scripted model's own, per model call, after
  one unmeasured warm-up interview (imports and per-process caches are a start-up cost, not a per-call one).

Run from the repository root: `python bench/overhead.py --interviews 50,200 --latency 0.2`.
No network and no model weights are needed.

CPU time on a shared machine varies by ±15% from run to run, more than most changes to the code. To compare two
versions of the code, count instructions instead (valgrind's callgrind; steady to about 0.1%): run under
`valgrind --tool=callgrind --instr-atstart=no` with `--callgrind`, and only the measured interviews are counted
("Collected" in valgrind's summary). Instructions are not time (memory stalls are not in them), but a change that
does not lower them does not make the harness cheaper.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The scale the harness is built for: 1,000 interviews in flight; a larger run streams through that many.
MAX_AT_ONCE = 1000
sys.path.insert(0, str(ROOT))


class CallCount:
    """Stands in for a fake model's list of requests: counts them, keeps none."""

    def __init__(self) -> None:
        self.count = 0

    def append(self, _request: object) -> None:
        self.count += 1

    def clear(self) -> None:
        self.count = 0

    def __len__(self) -> int:
        return self.count


def _callgrind(on: bool) -> None:
    """Switch callgrind's instrumentation of this process on or off (the process must run under it)."""
    usage = "--callgrind: run under `valgrind --tool=callgrind --instr-atstart=no`"
    try:
        done = subprocess.run(
            ["callgrind_control", "--instr=on" if on else "--instr=off", str(os.getpid())], capture_output=True, text=True
        )
    except OSError as exc:
        sys.exit(f"{usage}: {exc}")
    if done.returncode or "Error" in done.stdout:  # it reports a process it cannot find on stdout, and exits 0
        sys.exit(f"{usage}: {done.stdout.strip()}")


def measure(interviews: int, latency: float, concurrency: int | None = None, callgrind: bool = False, cache: bool = False) -> str:
    """Run `interviews` scripted interviews, `concurrency` at once (default: all, up to 1,000), with every call
    sleeping `latency` seconds; one result line. With `callgrind`, only the measured interviews are instrumented;
    with `cache`, every call goes through the response cache, as `run` does unless told `--no-cache`."""
    from agents.models.config import ModelsConfig
    from agents.models.providers.scripted import FunctionModel, register_scripted
    from evals.loading import load_shipped
    from evals.metrics.gates import defaults_version, load_gates
    from evals.runs.config import SimulateConfig
    from evals.runs.harness import Harness, RunPlan
    from evals.store.database import Store
    from tests.scripted_agents import InterviewScript

    lib = load_shipped()
    script = InterviewScript(personas={p.display_name: p for p in lib.personas.values()})
    fake_cpu = 0.0

    class TimedModel(FunctionModel):
        """The scripted model, its own CPU counted apart: its bookkeeping, scheduling its latency, its reply and its
        token count are the fake's cost, not the harness's. Waking up when the latency is over is the event loop's, as
        it would be for a real provider's answer."""

        async def respond(self, request):
            nonlocal fake_cpu
            started = time.thread_time()
            self.calls.append(request)
            if latency > 0:
                loop = asyncio.get_running_loop()
                over = loop.create_future()
                loop.call_later(latency, over.set_result, None)
                fake_cpu += time.thread_time() - started
                await over
                started = time.thread_time()
            try:
                return self._response(request, script.respond(request.role, request.messages, request.schema))
            finally:
                fake_cpu += time.thread_time() - started

    model = TimedModel(script.respond)
    model.calls = CallCount()  # type: ignore[assignment]  # a fake keeps every request; 300,000 would be the peak memory
    name = f"bench-{interviews}-{latency}"
    register_scripted(name, model)
    ids = sorted(lib.personas)
    trials = math.ceil(interviews / len(ids))
    pairs = list(itertools.islice(((pid, t) for t in range(trials) for pid in ids), interviews))
    config = SimulateConfig(
        models=ModelsConfig.for_all(f"scripted/{name}"),
        gates=load_gates(),
        gates_version=defaults_version(),
        concurrency=concurrency or min(interviews, MAX_AT_ONCE),
        trials=trials,
        use_cache=cache,
        annotator="rules",
    )
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.duckdb") as store:
        harness = Harness(store, lib, cache_path=Path(tmp) / "cache.sqlite")
        # One interview first, unmeasured: imports and per-process caches are paid once, not per call.
        warm_up = harness.start(RunPlan(next(iter(lib.scenarios)), pairs[:1]), config)
        harness.execute(warm_up)
        model.calls.clear()
        fake_cpu = 0.0
        prepared = harness.start(RunPlan(next(iter(lib.scenarios)), pairs), config)
        if callgrind:
            _callgrind(True)
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        harness.execute(prepared)
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before - fake_cpu
        if callgrind:
            _callgrind(False)
        finalize_before = time.perf_counter()
        harness.finalize(prepared.run_id)
        finalize_s = time.perf_counter() - finalize_before
        longest = "SELECT max(json_array_length(result, '$.calls')) FROM interviews WHERE run_id = ?"
        chain = store.query(longest, [prepared.run_id])[0][0]
    calls = len(model.calls)
    critical = max(chain, calls / config.concurrency) * latency
    ratio = f"{wall / critical:.2f}" if critical else "-"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"interviews={interviews} latency={latency:g} wall={wall:.2f} critical={critical:.2f} ratio={ratio} "
        f"cpu_ms_per_call={cpu * 1000 / max(1, calls):.2f} finalize_s={finalize_s:.2f} peak_rss_mb={peak_mb:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", default="50,200", help="Comma-separated run sizes (interviews per run).")
    parser.add_argument("--latency", type=float, default=0.2, help="Seconds every scripted model call sleeps.")
    parser.add_argument("--concurrency", type=int, help=f"Interviews in flight at once (default: all, up to {MAX_AT_ONCE:,}).")
    parser.add_argument("--callgrind", action="store_true", help="Instrument only the measured interviews (run under callgrind).")
    parser.add_argument("--cache", action="store_true", help="Use the response cache on every call, as `run` does by default.")
    args = parser.parse_args()
    for size in (int(x) for x in args.interviews.split(",")):
        print(measure(size, args.latency, args.concurrency, args.callgrind, args.cache), flush=True)


if __name__ == "__main__":
    main()
