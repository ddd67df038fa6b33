"""What a user chooses for a new run (role models and prompts, interviewer source, annotator, cache) and the run
configuration and plan it becomes. The CLI's flags and the web app's settings land here; bad input raises `InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.models.config import ModelsConfig
    from agents.models.gateway import Gateway
    from agents.prompting import PromptSet
    from evals.loading import Library
    from evals.runs.config import RunConfig, SimulateConfig
    from evals.runs.plan import RunPlan
    from scenarios.model import InterviewLength, Scenario

SOURCES = ("guided", "free", "external")
ANNOTATORS = ("rules", "judge")


class InputError(ValueError):
    """A choice that cannot be run as given; the message says which and why."""


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
        """Who interviews; InputError when the interviewer flags contradict each other."""
        external = self.interviewer_endpoint or self.interviewer_callable
        if self.interviewer_endpoint and self.interviewer_callable:
            raise InputError("give --interviewer-endpoint or --interviewer-callable, not both")
        source = self.interviewer_source or ("external" if external else "guided")
        if source not in SOURCES:
            raise InputError(f"--interviewer-source must be one of {', '.join(SOURCES)}, not {source!r}")
        if (source == "external") != bool(external):
            raise InputError(
                "an external interviewer needs --interviewer-endpoint or --interviewer-callable, and only it takes them"
            )
        if self.annotator is not None and self.annotator not in ANNOTATORS:
            raise InputError(f"--annotator must be one of {', '.join(ANNOTATORS)}, not {self.annotator!r}")
        return source

    def resolve(self) -> ModelsConfig:
        """Effective models config (CLI > env > config file > defaults); InputError on a bad config."""
        from agents.models.config import ConfigError, RoleModel, resolve_models

        cli = {
            "interviewer": self.interviewer_model,
            "candidate": self.candidate_model,
            "grader": self.grader_model,
            "judge": self.judge_model,
        }
        try:
            models = resolve_models(cli, self.config)
        except ConfigError as exc:
            raise InputError(str(exc)) from exc
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
                raise InputError(f"--interviewer-callable: {exc}") from exc
            models = models.model_copy(update={"interviewer": interviewer})
        return models

    def prompts(self) -> PromptSet:
        from agents.prompting import PromptError, PromptSet

        try:
            return PromptSet(self.prompt_paths())
        except PromptError as exc:
            raise InputError(str(exc)) from exc

    def prompt_paths(self) -> dict[str, Path | None]:
        return {"interviewer": self.interviewer_prompt, "candidate": self.candidate_prompt, "grader": self.grader_prompt}

    def given(self) -> list[str]:
        """The flags that were set, by name, for refusing them where they do not apply."""
        return [f"--{name.replace('_', '-')}" for name, value in vars(self).items() if value not in (None, False)]

    def gateway(self, db: Path, concurrency: int = 8, record_dir: Path | None = None) -> Gateway:
        """The gateway for a command, with its response cache beside the results database."""
        from agents.models.gateway import CACHE_FILENAME, Gateway

        return Gateway(
            self.resolve(),
            cache_path=db.parent / CACHE_FILENAME,
            use_cache=not self.no_cache,
            concurrency=concurrency,
            record_dir=record_dir,
        )


def default_concurrency(models: ModelsConfig) -> int:
    """Embedded models answer one call at a time; interleaving interviews there only defeats llama.cpp's prompt reuse."""
    return 1 if all(m.startswith("local/") for m in models.model_names().values()) else 4


def interview_length(
    models: ModelsConfig, scenario: Scenario, source: str, questions: int | None = None, probes: int | None = None
) -> InterviewLength:
    """The interview length a run uses: `questions` and `probes` as given (InputError outside the scenario's range);
    without either, on the embedded interviewer the scenario's fewest questions and one probe each, which shows the
    whole format in about three quarters of the model time (docs/performance.md), and elsewhere the scenario's range."""
    from scenarios.model import InterviewLength

    if questions is None and probes is None:
        if source != "guided" or not models.interviewer.model.startswith("local/"):
            return InterviewLength()
        rule = scenario.question_rule
        return InterviewLength(questions=rule.min_questions, probes=min(1, rule.max_probes_per_question))
    if source != "guided":
        raise InputError(f"--questions and --probes narrow the guided interviewer's moves; a {source} interviewer keeps its own")
    length = InterviewLength(questions=questions, probes=probes)
    try:
        length.rule(scenario.question_rule)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return length


def new_config(choices: ModelChoices, kind: str, concurrency: int | None, **fields: Any) -> RunConfig:
    """The configuration a new run of `kind` records: models, prompts, gates, interviewer, annotator, concurrency,
    cache, and the kind's own `fields` (trials and twins, an import's recordings, ...)."""
    from pydantic import TypeAdapter

    from agents.models.config import config_file
    from evals.metrics.gates import defaults_version, load_gates
    from evals.runs.config import RunConfig, prompt_overrides

    source = fields.pop("interviewer", None) or choices.source()
    models = choices.resolve()
    choices.prompts()  # a bad template is bad input now, not after the run was recorded
    gates = load_gates(config_file(choices.config))
    data = {
        "kind": kind,
        "models": models,
        "prompts": prompt_overrides(choices.prompt_paths()),
        "gates": gates,
        "gates_version": defaults_version(),
        "concurrency": concurrency or default_concurrency(models),
        "use_cache": not choices.no_cache,
        "interviewer": source,
        "annotator": choices.annotator or "judge",
        **fields,
    }
    return TypeAdapter(RunConfig).validate_python(data)


def plan_simulation(
    lib: Library,
    choices: ModelChoices,
    scenario: str,
    personas: list[str] | None,
    tags: list[str] | None,
    trials: int,
    concurrency: int | None,
    *,
    twins: bool = False,
    name_sets: Path | None = None,
    questions: int | None = None,
    probes: int | None = None,
) -> tuple[RunPlan, SimulateConfig]:
    """The plan and configuration of a new simulated run; with twins, every pair again under each name set;
    `questions` and `probes` narrow the interviews' length (see `interview_length`)."""
    from evals.probes.name_sets import load_name_sets
    from evals.runs.config import SimulateConfig
    from evals.runs.plan import RunPlan, make_plan
    from evals.runs.twins import twin_pairs

    plan = make_plan(lib, scenario, personas, tags, trials)
    if not twins:
        if name_sets is not None:
            raise InputError("--name-sets names the sets of --twins; add --twins")
        config = new_config(choices, "simulate", concurrency, trials=trials)
    else:
        sets, _ = load_name_sets(name_sets)
        plan = RunPlan(plan.scenario_id, twin_pairs(plan.pairs, trials, sets))
        config = new_config(choices, "simulate", concurrency, trials=trials, twins=sets)
    assert isinstance(config, SimulateConfig)
    # The length depends on the models and interviewer the config has just resolved.
    length = interview_length(config.models, lib.scenario(plan.scenario_id), config.interviewer, questions, probes)
    return plan, config.model_copy(update={"length": length})
