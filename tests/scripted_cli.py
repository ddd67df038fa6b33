"""The real `interview-harness` command in a subprocess, with every role on the scripted models.

Tests that drive a command through a pseudo-terminal (or a server in its own process) start this instead of
the installed entry point: `python tests/scripted_cli.py practice --db ...`. The models are registered as
`scripted/script` before the command line runs; everything else is the shipped code. SCRIPTED_LATENCY (seconds)
makes every model call take that long, for a test that kills the process mid-call.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.models.providers.scripted import FunctionModel, register_scripted  # noqa: E402
from evals.cli import app  # noqa: E402
from tests.conftest_helpers import LIBRARY  # noqa: E402
from tests.scripted_agents import InterviewScript  # noqa: E402

MODEL = "scripted/script"

if __name__ == "__main__":
    latency = float(os.environ.get("SCRIPTED_LATENCY", "0"))
    # The personas let the same models also play a whole suite (`bisect` runs one in a subprocess).
    script = InterviewScript(grader="person", personas={p.display_name: p for p in LIBRARY.personas.values()})
    register_scripted(MODEL.split("/", 1)[1], FunctionModel(script.respond, latency=latency))
    app(prog_name="interview-harness")
