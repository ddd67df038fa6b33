"""Options shared by the commands that run interviews, and how they become a gateway and prompts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from agents.model_config import ModelsConfig
    from agents.prompting import PromptSet

DEFAULT_DB = Path("results/harness.duckdb")
BAD_INPUT = 2

DbOption = Annotated[Path, typer.Option("--db", help="Results database (DuckDB file).")]
ScenarioOption = Annotated[str | None, typer.Option("--scenario", help="Scenario id (default: the persona's own).")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML config (default: ./interview-harness.toml if present).")
]
InterviewerModel = Annotated[
    str | None, typer.Option("--interviewer-model", help="Model for the interviewer role, litellm form or local/... .")
]
CandidateModel = Annotated[str | None, typer.Option("--candidate-model", help="Model for the candidate role.")]
GraderModel = Annotated[str | None, typer.Option("--grader-model", help="Model for the grader role.")]
JudgeModel = Annotated[str | None, typer.Option("--judge-model", help="Model for the judge role (fidelity and text checks).")]
InterviewerPrompt = Annotated[Path | None, typer.Option("--interviewer-prompt", help="Your own interviewer template (.j2).")]
CandidatePrompt = Annotated[Path | None, typer.Option("--candidate-prompt", help="Your own candidate template (.j2).")]
GraderPrompt = Annotated[Path | None, typer.Option("--grader-prompt", help="Your own grader template (.j2).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the model response cache.")]
InterviewerSource = Annotated[
    str | None,
    typer.Option("--interviewer-source", help="guided (the harness's guardrails), free (its prompt, no narrowing) or external."),
]
InterviewerEndpoint = Annotated[
    str | None, typer.Option("--interviewer-endpoint", help="Your interviewer: an OpenAI-compatible chat endpoint (external).")
]
InterviewerCallable = Annotated[
    str | None,
    typer.Option("--interviewer-callable", help="Your interviewer: package.module:function, async, messages in, text out."),
]
InterviewerKeyEnv = Annotated[
    str | None, typer.Option("--interviewer-api-key-env", help="Environment variable with the endpoint's API key.")
]
AnnotatorOption = Annotated[
    str | None,
    typer.Option("--annotator", help="Who labels interviewer turns: rules (offline, instant) or judge (rules, then the judge)."),
]
NameSetsOption = Annotated[
    Path | None, typer.Option("--name-sets", help="Your own name-sets file (default: the packaged evals/name_sets.yaml).")
]
SOURCES = ("guided", "free", "external")
ANNOTATORS = ("rules", "judge")


@dataclass
class ModelChoices:
    """The role model and prompt flags as given on the command line."""

    interviewer_model: str | None = None
    candidate_model: str | None = None
    grader_model: str | None = None
    judge_model: str | None = None
    interviewer_prompt: Path | None = None
    candidate_prompt: Path | None = None
    grader_prompt: Path | None = None
    config: Path | None = None
    no_cache: bool = False
    interviewer_source: str | None = None
    interviewer_endpoint: str | None = None
    interviewer_callable: str | None = None
    interviewer_api_key_env: str | None = None
    annotator: str | None = None

    def source(self) -> str:
        """Who interviews; exits 2 when the interviewer flags contradict each other."""
        external = self.interviewer_endpoint or self.interviewer_callable
        if self.interviewer_endpoint and self.interviewer_callable:
            fail("give --interviewer-endpoint or --interviewer-callable, not both")
        source = self.interviewer_source or ("external" if external else "guided")
        if source not in SOURCES:
            fail(f"--interviewer-source must be one of {', '.join(SOURCES)}, not {source!r}")
        if (source == "external") != bool(external):
            fail("an external interviewer needs --interviewer-endpoint or --interviewer-callable, and only it takes them")
        if self.annotator is not None and self.annotator not in ANNOTATORS:
            fail(f"--annotator must be one of {', '.join(ANNOTATORS)}, not {self.annotator!r}")
        return source

    def resolve(self) -> ModelsConfig:
        """Effective models config (CLI > env > config file > defaults); exits 2 on a bad config."""
        from agents.model_config import ConfigError, RoleModel, resolve_models

        cli = {
            "interviewer": self.interviewer_model,
            "candidate": self.candidate_model,
            "grader": self.grader_model,
            "judge": self.judge_model,
        }
        try:
            models = resolve_models(cli, self.config)
        except ConfigError as exc:
            fail(str(exc))
        if self.interviewer_endpoint or self.interviewer_callable:
            own = (
                {
                    "model": "openai/external-interviewer",
                    "api_base": self.interviewer_endpoint,
                    "api_key_env": self.interviewer_api_key_env,
                }
                if self.interviewer_endpoint
                else {"model": f"callable/{self.interviewer_callable}"}
            )
            try:
                interviewer = RoleModel.model_validate({**models.interviewer.model_dump(), **own})
            except ValueError as exc:
                fail(f"--interviewer-callable: {exc}")
            models = models.model_copy(update={"interviewer": interviewer})
        return models

    def prompts(self) -> PromptSet:
        from agents.prompting import PromptError, PromptSet

        try:
            return PromptSet(self.prompt_paths())
        except PromptError as exc:
            fail(str(exc))

    def prompt_paths(self) -> dict[str, Path | None]:
        return {"interviewer": self.interviewer_prompt, "candidate": self.candidate_prompt, "grader": self.grader_prompt}

    def given(self) -> list[str]:
        """The flags that were set, by name, for refusing them where they do not apply."""
        return [f"--{name.replace('_', '-')}" for name, value in vars(self).items() if value not in (None, False)]

    def gateway(self, db: Path, concurrency: int = 8):
        """The gateway for a command, with its response cache beside the results database."""
        from agents.gateway import CACHE_FILENAME, Gateway

        return Gateway(
            self.resolve(), cache_path=db.parent / CACHE_FILENAME, use_cache=not self.no_cache, concurrency=concurrency
        )


def check_credentials(models: ModelsConfig) -> None:
    """Exit 2 at once, one line per problem, when a role's model lacks its API key (no litellm import: instant)."""
    from agents.preflight import credential_problems

    _refuse(credential_problems(models))


def check_models(models: ModelsConfig, scenario, prompts: PromptSet, max_turns: int | None = None) -> None:
    """Exit 2, one line per problem, unless every role's model can be called as configured: its key is set,
    litellm knows it, its endpoint answers and the longest prompt the run can build fits its context window."""
    from agents.graph import DEFAULT_MAX_TURNS
    from agents.preflight import credential_problems, longest_prompt_chars, provider_problems

    problems = credential_problems(models)
    if not problems:
        longest = longest_prompt_chars(scenario, prompts, models, max_turns or DEFAULT_MAX_TURNS)
        problems = provider_problems(models, longest)
    _refuse(problems)


def _refuse(problems) -> None:
    for problem in problems:
        typer.echo(f"error: {problem.line()}", err=True)
    if problems:
        raise typer.Exit(BAD_INPUT)


def fail(message: str) -> NoReturn:
    """Report bad input on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(BAD_INPUT)
