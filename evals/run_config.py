"""A run's effective configuration, stored with the run so it can be resumed, reported and compared honestly."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from agents.gateway import Gateway
from agents.model_config import ModelsConfig
from agents.prompting import PromptSet
from agents.records import Source
from evals.gates import Gate
from evals.name_sets import NameSet
from evals.probe_model import ProbeSettings
from scenarios.strict import StrictModel


class RunConfig(StrictModel):
    """Everything that decides what a run does, as it was when the run started."""

    models: ModelsConfig = Field(description="Model and parameters per role.")
    prompts: dict[str, str | None] = Field(
        default_factory=dict, description="Template file per overridable role (interviewer, candidate, grader); None = packaged."
    )
    gates: dict[str, Gate] = Field(description="The gates the run is judged by, resumed or not.")
    gates_version: int = Field(description="Version of the packaged gate defaults the gates started from.")
    concurrency: int = Field(ge=1, description="Interviews run at once.")
    trials: int = Field(ge=1, description="Interviews per persona.")
    use_cache: bool = Field(default=True, description="Whether model replies are read from and written to the response cache.")
    interviewer: Source = Field(default="guided", description="Who interviews: guided, free, external, or imported (recordings).")
    annotator: Literal["rules", "judge"] = Field(
        default="judge", description="Who labels interviewer turns: the rules alone, or the rules and then the judge model."
    )
    recordings: str | None = Field(default=None, description="The imported JSONL file, for runs of recorded interviews.")
    recordings_sha256: str | None = Field(default=None, description="sha256 of the recordings file when it was imported.")
    regrade_of: str | None = Field(default=None, description="The run whose frozen transcripts this run grades again.")
    persona_hashes: dict[str, str] = Field(
        default_factory=dict, description="sha256 of each persona file the plan uses, to refuse a resume after one changed."
    )
    probe: ProbeSettings | None = Field(default=None, description="For a probe run: the run probed and the perturbations.")
    twins: list[NameSet] = Field(
        default_factory=list,
        description="Name sets each persona also ran under (`run --twins`); their trials follow the run's own.",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_first_layout(cls, data: Any) -> Any:
        """Runs stored before RunConfig existed said `no_cache` and keyed prompts as `<role>_prompt`."""
        if isinstance(data, dict) and "no_cache" in data:
            data = {k: v for k, v in data.items() if k != "no_cache"} | {"use_cache": not data["no_cache"]}
            data["prompts"] = {k.removesuffix("_prompt"): v for k, v in data.get("prompts", {}).items()}
        return data

    def prompt_set(self) -> PromptSet:
        """The templates this run renders (raises PromptError when an override file is gone)."""
        return PromptSet({role: Path(path) if path else None for role, path in self.prompts.items()})

    def gateway(self, cache_path: Path) -> Gateway:
        """A gateway for this run's models, with its response cache at `cache_path`."""
        return Gateway(self.models, cache_path=cache_path, use_cache=self.use_cache, concurrency=self.concurrency)


def prompt_overrides(paths: dict[str, Path | None]) -> dict[str, str | None]:
    """Override paths as stored: absolute, so a resume from another directory finds the same files."""
    return {role: str(Path(path).resolve()) if path else None for role, path in paths.items()}
