"""A run's effective configuration, stored with the run so it can be resumed, reported and compared honestly.

A run is of one kind, and its configuration says which: `simulate` (personas interviewed by the harness's or your
interviewer), `import` (recorded interviews), `regrade` (another run's frozen transcripts graded again), `probe`
(counterfactual copies of a run's transcripts) or `practice` (a person's session). `RunConfig` is the union of the
five, discriminated by `kind`; what every kind shares is in `RunSettings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from agents.models.config import ModelsConfig
from agents.models.gateway import Gateway
from agents.prompting import PromptSet
from agents.records import Source
from evals.metrics.gates import Gate
from evals.probes.name_sets import NameSet
from evals.probes.settings import ProbeSettings
from scenarios.model import InterviewLength
from scenarios.strict import StrictModel

RunKind = Literal["simulate", "import", "regrade", "probe", "practice"]


class RunSettings(StrictModel):
    """What every run records, whatever its kind."""

    models: ModelsConfig = Field(description="Model and parameters per role.")
    prompts: dict[str, str | None] = Field(
        default_factory=dict, description="Template file per overridable role (interviewer, candidate, grader); None = packaged."
    )
    gates: dict[str, Gate] = Field(description="The gates the run is judged by, resumed or not.")
    gates_version: int = Field(description="Version of the packaged gate defaults the gates started from.")
    concurrency: int = Field(ge=1, description="Interviews run at once.")
    trials: int = Field(default=1, ge=1, description="Interviews per persona (simulated runs; 1 for the other kinds).")
    use_cache: bool = Field(default=True, description="Whether model replies are read from and written to the response cache.")
    interviewer: Source = Field(
        default="guided",
        description="Who interviewed: guided, free or external (simulated), imported (a recording), practice (a person "
        "answered); a regrade or probe keeps its original run's.",
    )
    annotator: Literal["rules", "judge"] = Field(
        default="judge", description="Who labels interviewer turns: the rules alone, or the rules and then the judge model."
    )

    def prompt_set(self) -> PromptSet:
        """The templates this run renders (raises PromptError when an override file is gone)."""
        return PromptSet({role: Path(path) if path else None for role, path in self.prompts.items()})

    def gateway(self, cache_path: Path, record_dir: Path | None = None) -> Gateway:
        """A gateway for this run's models, with its response cache at `cache_path` (recording to `record_dir`)."""
        return Gateway(
            self.models, cache_path=cache_path, use_cache=self.use_cache, concurrency=self.concurrency, record_dir=record_dir
        )

    def settings(self) -> dict[str, Any]:
        """The shared settings as fields, to start a run of another kind from this one."""
        return {name: getattr(self, name) for name in RunSettings.model_fields}


class SimulateConfig(RunSettings):
    """Personas of the library interviewed by the harness's interviewer (guided or free) or by yours (external)."""

    kind: Literal["simulate"] = "simulate"
    persona_hashes: dict[str, str] = Field(
        default_factory=dict, description="sha256 of each persona file the plan uses, to refuse a resume after one changed."
    )
    twins: list[NameSet] = Field(
        default_factory=list,
        description="Name sets each persona also ran under (`run --twins`); their trials follow the run's own.",
    )
    length: InterviewLength = Field(
        default_factory=InterviewLength,
        description="How much of the scenario's question range the interviews used (`run --questions`, `--probes`).",
    )


class ImportConfig(RunSettings):
    """Recorded interviews read from a JSONL file, annotated, graded and checked."""

    kind: Literal["import"] = "import"
    recordings: str = Field(description="The imported JSONL file (absolute path).")
    recordings_sha256: str = Field(description="sha256 of the recordings file when it was imported.")


class RegradeConfig(RunSettings):
    """Another run's frozen transcripts graded again (another grader model or prompt)."""

    kind: Literal["regrade"] = "regrade"
    regrade_of: str = Field(description="The run whose frozen transcripts this run grades again.")
    samples: int = Field(
        default=1,
        ge=1,
        description="Grades per transcript, each drawn with its own seed: sample s of the original's trial t is trial "
        "t * samples + s, so the report's repeated-trial statistics measure the grader's own noise.",
    )


class ProbeConfig(RunSettings):
    """Counterfactual copies of a run's graded transcripts, each graded as the original was."""

    kind: Literal["probe"] = "probe"
    probe: ProbeSettings = Field(description="The run probed and the perturbations.")


class PracticeConfig(RunSettings):
    """A person's practice session, stored as a run of one interview."""

    kind: Literal["practice"] = "practice"


RunConfig = Annotated[SimulateConfig | ImportConfig | RegradeConfig | ProbeConfig | PracticeConfig, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[RunConfig] = TypeAdapter(RunConfig)
_JSON_OBJECT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
_KINDS: dict[str, type[RunSettings]] = {
    "simulate": SimulateConfig,
    "import": ImportConfig,
    "regrade": RegradeConfig,
    "probe": ProbeConfig,
    "practice": PracticeConfig,
}


def _legacy_kind(data: dict[str, Any]) -> str:
    """The kind of a configuration stored before runs had kinds: read from which optional field was set."""
    if data.get("probe"):
        return "probe"
    if data.get("regrade_of"):
        return "regrade"
    if data.get("recordings"):
        return "import"
    return "practice" if data.get("interviewer") == "practice" else "simulate"


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """A stored configuration in today's form. Two older forms are read: the first (`no_cache`, prompts keyed
    `<role>_prompt`) and the one before kinds (optional `recordings`, `regrade_of`, `probe` and `twins` on one model)."""
    if "no_cache" in data:
        data = {k: v for k, v in data.items() if k != "no_cache"} | {"use_cache": not data["no_cache"]}
        data["prompts"] = {k.removesuffix("_prompt"): v for k, v in data.get("prompts", {}).items()}
    if "kind" not in data:
        kind = _legacy_kind(data)
        fields = _KINDS[kind].model_fields
        data = {k: v for k, v in data.items() if k in fields} | {"kind": kind}
    return data


def parse_run_config(data: dict[str, Any] | str | bytes) -> RunConfig:
    """A configuration as stored (JSON text or a dict), in any of its stored forms."""
    return _ADAPTER.validate_python(migrate(_JSON_OBJECT.validate_json(data) if isinstance(data, str | bytes) else data))


def prompt_overrides(paths: dict[str, Path | None]) -> dict[str, str | None]:
    """Override paths as stored: absolute, so a resume from another directory finds the same files."""
    return {role: str(Path(path).resolve()) if path else None for role, path in paths.items()}
