"""Shared builders for tests that run interviews on scripted models."""

from __future__ import annotations

import itertools

from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway
from agents.models.providers.scripted import FunctionModel, register_scripted
from agents.records import ROLES
from evals.loading import load_shipped
from tests.scripted_agents import InterviewScript

LIBRARY = load_shipped()
SCENARIO = LIBRARY.scenario("microsoft-ai-engineer-behavioral")
_names = itertools.count()


def scripted_gateway(
    script: InterviewScript | None = None, latency: float | tuple[float, float] = 0.0, **roles: str
) -> tuple[Gateway, InterviewScript]:
    """A gateway whose every role (or the roles given as role=name) is served by `script`."""
    script = script or InterviewScript()
    model = register_script(script, latency)
    return Gateway(ModelsConfig.for_all(model), use_cache=False, concurrency=64), script


def register_script(
    script: InterviewScript | None = None, latency: float | tuple[float, float] = 0.0, name: str | None = None
) -> str:
    """Register `script` as a scripted model and return its model string (scripted/<name>)."""
    script = script or InterviewScript()
    script.personas = script.personas or {p.display_name: p for p in LIBRARY.personas.values()}
    name = name or f"script{next(_names)}"
    register_scripted(name, FunctionModel(script.respond, latency=latency))
    return f"scripted/{name}"


def role_flags(model: str) -> list[str]:
    """CLI flags that put every role on `model`."""
    return [arg for role in ROLES for arg in (f"--{role}-model", model)]


def run_harness(db, script: InterviewScript, *personas: str) -> str:
    """Run the core set (or the named personas) through the CLI on `script`; return the new run id."""
    from typer.testing import CliRunner

    from evals.cli import app
    from evals.store.database import Store

    selection = [a for p in personas for a in ("--persona", p)] or ["--tag", "core"]
    result = CliRunner().invoke(app, ["run", *selection, *role_flags(register_script(script)), "--db", str(db), "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    with Store.open(db) as store:
        return store.list_runs(1)[0].run_id


def serve_settings(db):
    """The `serve` app's settings over `db`, every role on a scripted model that grades a person."""
    from agents.models.config import ModelsConfig
    from agents.models.gateway import Gateway
    from agents.prompting import PromptSet
    from evals.metrics.gates import defaults_version, load_gates
    from evals.runs.config import PracticeConfig
    from evals.web.app import ServeSettings
    from tests.scripted_agents import InterviewScript

    models = ModelsConfig.for_all(register_script(InterviewScript(grader="person")))
    return ServeSettings(
        db=db,
        library=LIBRARY,
        scenario=SCENARIO,
        gateway=Gateway(models, use_cache=False),
        prompts=PromptSet(),
        config=PracticeConfig(
            models=models, gates=load_gates(), gates_version=defaults_version(), concurrency=1, interviewer="practice"
        ),
        host="testserver",  # the name Starlette's test client sends
    )
