"""Pass/fail gates on the headline metrics: packaged defaults, overridable from a TOML config."""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULTS_FILE = "gates_default.toml"
SUPPORTED_VERSION = 1
OVERRIDABLE = ("threshold", "max_regression")


class Gate(BaseModel):
    """A threshold on one metric, and how far `compare` lets it fall."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(description="Metric id, e.g. qwk or abs_smd.")
    op: Literal[">=", "<="] = Field(description="'>=' when higher is better, '<=' when lower is better.")
    threshold: float = Field(strict=True, allow_inf_nan=False, description="The point estimate must be on the good side of this.")
    max_regression: float = Field(strict=True, ge=0, allow_inf_nan=False, description="Largest worsening `compare` tolerates.")

    def passes(self, value: float | None) -> bool:
        """True when the point estimate meets the threshold; an undefined value (None, NaN) fails."""
        if value is None or math.isnan(value):
            return False
        return value >= self.threshold if self.op == ">=" else value <= self.threshold

    def regressed(self, delta: float | None, low: float | None, high: float | None) -> bool:
        """True when new - base worsens by more than max_regression and the interval excludes 0.

        "Worse" follows `op`: a drop for '>=' metrics, a rise for '<=' ones. Anything undefined
        cannot show a regression and gives False; the caller should report it as not comparable.
        """
        if delta is None or low is None or high is None:
            return False
        if self.op == ">=":
            return delta < -self.max_regression and high < 0
        return delta > self.max_regression and low > 0


def _read_defaults() -> dict[str, Any]:
    text = resources.files("evals").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if data.get("version") != SUPPORTED_VERSION:
        raise ValueError(f"{DEFAULTS_FILE}: version {data.get('version')!r} is not {SUPPORTED_VERSION}")
    return data


def defaults_version() -> int:
    """Version of the packaged gate defaults, for recording which gate set judged a run."""
    return int(_read_defaults()["version"])


def _apply_overrides(gates: dict[str, Gate], config_path: Path) -> dict[str, Gate]:
    with config_path.open("rb") as fh:
        try:
            config = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{config_path}: not valid TOML: {exc}") from exc
    tables = config.get("gates", {})
    if not isinstance(tables, dict):
        raise ValueError(f"{config_path}: 'gates' must be a table of [gates.<metric>] tables")
    result = dict(gates)
    for metric, table in tables.items():
        if metric not in gates:
            raise ValueError(f"{config_path}: unknown gate metric 'gates.{metric}' (known: {', '.join(gates)})")
        if not isinstance(table, dict):
            raise ValueError(f"{config_path}: 'gates.{metric}' must be a table")
        for key in table:
            if key not in OVERRIDABLE:
                raise ValueError(
                    f"{config_path}: unknown key 'gates.{metric}.{key}' (allowed: {', '.join(OVERRIDABLE)})"
                )
        try:
            result[metric] = Gate.model_validate({**gates[metric].model_dump(), **table})
        except ValidationError as exc:
            keys = ", ".join(f"gates.{metric}.{err['loc'][0]}" for err in exc.errors())
            raise ValueError(f"{config_path}: invalid {keys}: {exc.errors()[0]['msg']}") from exc
    return result


def load_gates(config_path: Path | None = None) -> dict[str, Gate]:
    """The packaged default gates, with any [gates.<metric>] overrides from `config_path` applied.

    The gate direction (`op`) belongs to the metric and cannot be overridden. An unknown
    metric or key, or an invalid value, raises ValueError naming the file and the key.
    """
    data = _read_defaults()
    gates = {}
    for metric, table in data.get("gates", {}).items():
        try:
            gates[metric] = Gate(metric=metric, **table)
        except (TypeError, ValidationError) as exc:
            raise ValueError(f"{DEFAULTS_FILE}: invalid 'gates.{metric}': {exc}") from exc
    if config_path is not None:
        gates = _apply_overrides(gates, Path(config_path))
    return gates
