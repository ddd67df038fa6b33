"""Which model each role uses, and with what parameters.

Sources, strongest first: command-line flags, `INTERVIEW_HARNESS_<ROLE>_MODEL` environment
variables, a TOML file (`interview-harness.toml` in the working directory or an explicit
path, tables `[models.<role>]`), then the defaults below.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from agents.models.providers.baseline import BASELINES
from agents.models.providers.local_model import LOCAL_MODELS
from agents.records import ROLES
from scenarios.strict import StrictModel, error_fields

DEFAULT_MODEL = "local/smollm2-135m"
CONFIG_FILENAME = "interview-harness.toml"
ENV_VAR = "INTERVIEW_HARNESS_{role}_MODEL"
# The config file's top-level tables: models here, gates read by evals.metrics.gates.
CONFIG_SECTIONS = ("models", "gates")

# The embedded model makes ~100 tokens/s on two cores and a whole default run must fit in
# five minutes, so token budgets are tight. Grader and judge are deterministic; the two
# conversational roles sample, seeded per interview so a rerun reproduces (and hits the cache).
ROLE_DEFAULTS: dict[str, dict[str, Any]] = {
    "interviewer": {"temperature": 0.7, "max_tokens": 256},
    "candidate": {"temperature": 0.7, "max_tokens": 60},
    "grader": {"temperature": 0.0, "max_tokens": 2400},
    "judge": {"temperature": 0.0, "max_tokens": 800},
}
# Characters per token for estimates made without a tokenizer: a conservative average for English prose and JSON.
CHARS_PER_TOKEN = 4
# Room for the JSON keys and short fields around a reply's free text.
JSON_OVERHEAD_TOKENS = 48


def structured_reply_tokens(text_chars: int) -> int:
    """A token budget in which a JSON reply whose free text is at most `text_chars` long always finishes.

    Even a model that rambles one character a token reaches the length limit (which the grammar
    enforces) before the budget, so the reply is never cut off mid-JSON.
    """
    return text_chars + JSON_OVERHEAD_TOKENS


class ConfigError(ValueError):
    """The model configuration is invalid; the message names the source and the key."""


class RoleModel(StrictModel):
    """The model behind one role and the parameters it is called with."""

    model: str = Field(
        default=DEFAULT_MODEL,
        description="Model string in litellm form (openai/gpt-4o-mini, azure/<deployment>, ...), "
        "local/<name> for the embedded model, recorded/<dir> for replies replayed from files, or scripted/<name> for a "
        "test fake.",
    )
    temperature: float = Field(ge=0.0, le=2.0, description="Sampling temperature; 0 is deterministic.")
    max_tokens: int = Field(gt=0, description="Upper bound on tokens generated per call.")
    seed: int | None = Field(default=None, description="Fixed sampling seed; when unset the per-interview session seed is used.")
    api_base: str | None = Field(default=None, description="Endpoint of an OpenAI-compatible server.")
    api_key_env: str | None = Field(default=None, description="Environment variable holding the API key for `api_base`.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds before one attempt is abandoned.")
    input_usd_per_mtok: float | None = Field(
        default=None,
        ge=0,
        description="Price per million prompt tokens, for a model litellm's price map lacks (it wins over the map).",
    )
    output_usd_per_mtok: float | None = Field(default=None, ge=0, description="Price per million completion tokens, likewise.")
    max_concurrency: int | None = Field(
        default=None, gt=0, description="Most calls to this model at once (roles on one model share it; the lowest wins)."
    )
    requests_per_minute: int | None = Field(default=None, gt=0, description="Most requests a minute to this model, likewise.")
    tokens_per_minute: int | None = Field(
        default=None, gt=0, description="Most tokens a minute (prompt estimate plus the reply budget) to this model, likewise."
    )
    panel: list[str] = Field(
        default_factory=list,
        description="A panel for this role (the grader): every model listed answers, and their verdicts are aggregated. "
        "Repeat a model for several samples of it. Empty: `model` alone.",
    )

    @property
    def priced(self) -> bool:
        """Whether this role's prices are set in the configuration."""
        return self.input_usd_per_mtok is not None and self.output_usd_per_mtok is not None

    def cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        """What the configured prices make of these tokens (0 when they are not set)."""
        if not self.priced:
            return 0.0
        return (prompt_tokens * (self.input_usd_per_mtok or 0.0) + completion_tokens * (self.output_usd_per_mtok or 0.0)) / 1e6

    @field_validator("model")
    @classmethod
    def _known_prefix_has_name(cls, value: str) -> str:
        return checked_model(value)

    @field_validator("panel")
    @classmethod
    def _panel_members(cls, value: list[str]) -> list[str]:
        if len(value) == 1:
            raise ValueError("a panel needs two models or more (one model is `model`)")
        return [checked_model(member) for member in value]

    @model_validator(mode="after")
    def _model_names_a_member(self) -> RoleModel:
        # A panel given alone (`panel = [...]` in a config file) is named by its first member.
        if self.panel and self.model not in self.panel:
            self.model = self.panel[0]
        return self

    def member(self, k: int) -> RoleModel:
        """Panel member `k` as a role model of its own (the same parameters, its own model string)."""
        return self.model_copy(update={"model": self.panel[k], "panel": []})


def checked_model(value: str) -> str:
    """A model string, if its prefix is known and names something; ValueError saying what is wrong otherwise."""
    prefix, _, name = value.partition("/")
    if prefix in ("local", "scripted", "baseline", "callable", "recorded") and not name:
        raise ValueError(f"{value!r} needs a name after '{prefix}/'")
    if prefix == "local" and name not in LOCAL_MODELS:
        raise ValueError(f"unknown local model {name!r}; available: {', '.join(LOCAL_MODELS)}")
    if prefix == "callable" and not re.fullmatch(r"[\w.]+:\w+", name):
        raise ValueError(f"{value!r}: a callable is named callable/package.module:function")
    if prefix == "baseline" and name not in BASELINES:
        raise ValueError(f"unknown baseline grader {name!r}; available: {', '.join(BASELINES)}")
    return value


def default_role_model(role: str) -> RoleModel:
    """The default model and parameters for `role`."""
    return RoleModel(**ROLE_DEFAULTS[role])


class ModelsConfig(StrictModel):
    """One RoleModel per role; the effective configuration a run records."""

    interviewer: RoleModel = Field(default_factory=lambda: default_role_model("interviewer"), description="Runs the interview.")
    candidate: RoleModel = Field(default_factory=lambda: default_role_model("candidate"), description="Plays the persona.")
    grader: RoleModel = Field(default_factory=lambda: default_role_model("grader"), description="Scores the transcript.")
    judge: RoleModel = Field(
        default_factory=lambda: default_role_model("judge"),
        description="Independent checker of persona fidelity and text checks.",
    )

    def model_names(self) -> dict[str, str]:
        """The model string of every role; a panel's members joined by commas, as `--grader-model a,b,c` names them."""
        return {role: ",".join(self.role(role).panel) or self.role(role).model for role in ROLES}

    def role(self, name: str) -> RoleModel:
        """The RoleModel for role `name`; ConfigError for an unknown role."""
        if name not in ROLES:
            raise ConfigError(f"unknown role {name!r}; roles are {', '.join(ROLES)}")
        return getattr(self, name)

    @classmethod
    def for_all(cls, model: str, **params: Any) -> ModelsConfig:
        """Every role on `model`, with the role defaults overridden by `params`."""
        return cls(**{role: RoleModel(**{**ROLE_DEFAULTS[role], "model": model, **params}) for role in ROLES})


def _describe(error: ValidationError) -> str:
    return "; ".join(error_fields(error, "<value>"))


def _file_overrides(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    if unknown := sorted(set(data) - set(CONFIG_SECTIONS)):
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)}; a config file holds [models.<role>] and [gates.<metric>] tables"
        )
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ConfigError(f"{path}: 'models' must be a table of [models.<role>] tables")
    overrides: dict[str, dict[str, Any]] = {}
    for role, table in models.items():
        if role not in ROLES:
            raise ConfigError(f"{path}: models.{role}: unknown role; roles are {', '.join(ROLES)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: models.{role} must be a table")
        try:
            RoleModel(**{**ROLE_DEFAULTS[role], **table})
        except ValidationError as exc:
            raise ConfigError(f"{path}: models.{role}.{_describe(exc)}") from exc
        overrides[role] = dict(table)
    return overrides


def config_file(config_path: Path | None = None) -> Path | None:
    """The config file in force: `config_path` (ConfigError if missing), else ./interview-harness.toml if present."""
    if config_path is not None:
        if not Path(config_path).is_file():
            raise ConfigError(f"{config_path}: config file not found")
        return Path(config_path)
    default = Path.cwd() / CONFIG_FILENAME
    return default if default.is_file() else None


def resolve_models(
    cli_models: dict[str, str | None] | None = None,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ModelsConfig:
    """The effective ModelsConfig: CLI > environment > config file > defaults."""
    environ = os.environ if environ is None else environ
    layers: dict[str, dict[str, Any]] = {role: dict(ROLE_DEFAULTS[role]) for role in ROLES}
    sources: dict[str, str] = {role: "defaults" for role in ROLES}

    path = config_file(config_path)
    if path is not None:
        for role, table in _file_overrides(path).items():
            layers[role].update(table)
            sources[role] = str(path)

    for role in ROLES:
        name = ENV_VAR.format(role=role.upper())
        if environ.get(name):
            layers[role]["model"] = environ[name]
            sources[role] = f"environment variable {name}"

    for role, model in (cli_models or {}).items():
        if role not in ROLES:
            raise ConfigError(f"command line: unknown role {role!r}; roles are {', '.join(ROLES)}")
        if model:
            # "a,b,c": a panel of those models (the first also stands as the role's model).
            members = [m.strip() for m in model.split(",")] if "," in model else []
            layers[role]["model"] = members[0] if members else model
            layers[role]["panel"] = members
            sources[role] = f"command line ({role} model)"

    roles: dict[str, RoleModel] = {}
    for role in ROLES:
        try:
            roles[role] = RoleModel(**layers[role])
        except ValidationError as exc:
            raise ConfigError(f"{sources[role]}: models.{role}.{_describe(exc)}") from exc
    return ModelsConfig(**roles)
