"""`serve`: the practice page and the results viewer as a local web app."""

from __future__ import annotations

from typing import Annotated

import typer

from evals.terminal import (
    DEFAULT_DB,
    ConfigOption,
    DbOption,
    GraderModel,
    InterviewerModel,
    ModelChoices,
    NoCache,
    fail,
    practice_setup,
)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="INTERVIEW_HARNESS_TOKEN", help="Every request must carry it (header, cookie or ?token=)."
        ),
    ] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario id (default: the only one shipped).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Keep no practice interview once its feedback is shown.")] = False,
    interviewer_model: InterviewerModel = None,
    grader_model: GraderModel = None,
    config: ConfigOption = None,
    no_cache: NoCache = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Serve the practice page and the results viewer in the browser (http://127.0.0.1:8000/ by default)."""
    import uvicorn

    from agents.models.providers.litellm_provider import host_is_loopback
    from evals.web.app import ServeSettings, create_app

    if not host_is_loopback(host) and not token:
        fail(
            f"--host {host} opens the app to other machines; give --token (or INTERVIEW_HARNESS_TOKEN) so every request must carry it"
        )
    choices = ModelChoices(interviewer_model=interviewer_model, grader_model=grader_model, config=config, no_cache=no_cache)
    lib, scen, practice_runs = practice_setup(choices, scenario)
    settings = ServeSettings(
        db=db,
        library=lib,
        scenario=scen,
        gateway=choices.gateway(db, concurrency=1),
        prompts=choices.prompts(),
        config=practice_runs,
        token=token,
        store=not no_store,
        host=host,
    )
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    typer.echo(f"Serving interview-harness on {address}{'?token=' + token if token else ''} (Ctrl-C stops it)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)
