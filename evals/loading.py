"""Loading scenario and persona files, with errors that name the file and the field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from personas.model import Persona, check_against_scenario
from scenarios.model import Scenario
from scenarios.strict import error_fields

# Installed or checked out, the data folders sit beside the `evals` package.
DATA_ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = DATA_ROOT / "scenarios"
PERSONA_DIR = DATA_ROOT / "personas"
SCHEMA_FILES: dict[type[BaseModel], Path] = {
    Scenario: SCENARIO_DIR / "scenario.schema.json",
    Persona: PERSONA_DIR / "persona.schema.json",
}
# The recordings' schema is written beside its model (`evals.runs.recordings`); `evals.api.write_schemas` writes all.


class DataError(Exception):
    """One or more data files are invalid; `problems` holds one readable line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _validation_lines(path: Path, exc: ValidationError) -> list[str]:
    return [f"{_display(path)}: {field}" for field in error_fields(exc, "(top level)")]


# libyaml's C loader when PyYAML was built with it: parsing the library is 10-20x faster than pure Python.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """YAML text as data, with the safe loader (libyaml's when present)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 — a safe loader


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one YAML mapping or raise DataError naming the file."""
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError([f"{_display(path)}: cannot read: {exc.strerror}"]) from exc
    except yaml.YAMLError as exc:
        raise DataError([f"{_display(path)}: not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise DataError([f"{_display(path)}: (top level): expected a mapping of fields"])
    return data


def _parse(path: Path, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise DataError(_validation_lines(path, exc)) from exc


def load_scenario(path: Path) -> Scenario:
    """Load and validate one scenario file."""
    return _parse(path, Scenario)


def load_persona(path: Path, scenario: Scenario | None = None) -> Persona:
    """Load one persona file; with its scenario, also run the cross-checks."""
    persona: Persona = _parse(path, Persona)
    problems = []
    if persona.id != path.stem:
        problems.append(f"{_display(path)}: id: {persona.id!r} does not match the file name {path.stem!r}")
    if scenario is not None:
        problems += [f"{_display(path)}: {loc}: {msg}" for loc, msg in check_against_scenario(persona, scenario)]
    if problems:
        raise DataError(problems)
    return persona


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Library:
    """Every scenario and persona loaded from a set of files, with the problems found."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def scenario(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.scenarios:
            raise DataError([f"unknown scenario {scenario_id!r} (known: {sorted(self.scenarios)})"])
        return self.scenarios[scenario_id]

    def persona(self, persona_id: str) -> Persona:
        if persona_id not in self.personas:
            raise DataError([f"unknown persona {persona_id!r} (see `interview-harness personas`)"])
        return self.personas[persona_id]

    def scenario_hash(self, scenario_id: str) -> str:
        return file_sha256(self.files[f"scenario:{scenario_id}"])

    def persona_set_hash(self, persona_ids: list[str]) -> str:
        """Hash of the exact persona files a run used, independent of order."""
        digest = hashlib.sha256()
        for pid in sorted(set(persona_ids)):
            digest.update(f"{pid}:{file_sha256(self.files[f'persona:{pid}'])}\n".encode())
        return digest.hexdigest()


def _yaml_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.yaml") if p.is_file())
        else:
            found.append(path)
    return found


def _is_persona(path: Path) -> bool:
    try:
        return "scenario_id" in read_yaml(path)
    except DataError:
        return path.parent.name == "personas"


def load_library(paths: list[Path] | None = None) -> Library:
    """Load scenarios and personas from files or folders (default: the shipped data); collect every problem."""
    files = _yaml_files(paths or [SCENARIO_DIR, PERSONA_DIR])
    lib = Library()
    persona_files = [p for p in files if _is_persona(p)]
    scenario_files = [p for p in files if p not in persona_files]
    if paths and not scenario_files:
        scenario_files = _yaml_files([SCENARIO_DIR])  # personas given alone are checked against the shipped scenarios
    for path in scenario_files:
        try:
            scenario = load_scenario(path)
        except DataError as exc:
            lib.problems += exc.problems
            continue
        if scenario.id in lib.scenarios:
            lib.problems.append(f"{_display(path)}: id: scenario {scenario.id!r} is defined twice")
        lib.scenarios[scenario.id] = scenario
        lib.files[f"scenario:{scenario.id}"] = path
    for path in persona_files:
        try:
            persona = load_persona(path)
            own = lib.scenarios.get(persona.scenario_id)
            if own is None:
                raise DataError([f"{_display(path)}: scenario_id: unknown scenario {persona.scenario_id!r}"])
            load_persona(path, own)
        except DataError as exc:
            lib.problems += exc.problems
            continue
        if persona.id in lib.personas:
            lib.problems.append(f"{_display(path)}: id: persona {persona.id!r} is defined twice")
        lib.personas[persona.id] = persona
        lib.files[f"persona:{persona.id}"] = path
    return lib


def load_shipped() -> Library:
    """The shipped scenarios and personas; raises DataError if any is invalid."""
    lib = load_library()
    if lib.problems:
        raise DataError(lib.problems)
    return lib


def schema_text(model: type[BaseModel]) -> str:
    """The JSON Schema editors use to validate a data file type, as written to disk."""
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
