"""The `interview-harness` command line: thin typer commands over the library.

Each command imports what it needs when it runs, so `--help` stays fast and never imports
litellm or langgraph.
"""

from __future__ import annotations

import typer

from evals.cli import (
    bisect_command,
    data_commands,
    import_commands,
    interview_command,
    meta_command,
    practice_command,
    probe_command,
    ratings_command,
    report_commands,
    run_commands,
    serve_command,
)

app = typer.Typer(
    name="interview-harness",
    help="Simulate, grade and check AI job interviews over labelled synthetic personas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

data_commands.register(app)
interview_command.register(app)
run_commands.register(app)
report_commands.register(app)
import_commands.register(app)
probe_command.register(app)
meta_command.register(app)
practice_command.register(app)
serve_command.register(app)
ratings_command.register(app)
bisect_command.register(app)
