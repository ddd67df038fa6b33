"""Pass/fail gates on metrics: packaged defaults, overridable and extendable from a TOML config.

A gate's direction is its metric's (from the registry), never configured, so a threshold can
only be read one way.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from evals.metrics.registry import REGISTRY, metric
from evals.metrics.rows import CheckRow
from scenarios.strict import FrozenModel

DEFAULTS_FILE = "gates_default.toml"
SUPPORTED_VERSION = 4
CONFIGURABLE = ("threshold", "max_regression")
DEFAULT_MAX_REGRESSION = 0.05


class Gate(FrozenModel):
    """A threshold on one metric, and how far `compare` lets it fall."""

    metric: str = Field(description="Metric name from the registry, e.g. qwk or abs_smd.")
    op: Literal[">=", "<="] = Field(description="The metric's direction: '>=' when higher is better, '<=' when lower is.")
    threshold: float = Field(strict=True, allow_inf_nan=False, description="The point estimate must be on the good side of this.")
    max_regression: float = Field(
        default=DEFAULT_MAX_REGRESSION,
        strict=True,
        ge=0,
        allow_inf_nan=False,
        description="Largest worsening `compare` tolerates.",
    )

    @model_validator(mode="before")
    @classmethod
    def _direction_from_registry(cls, data: Any) -> Any:
        if isinstance(data, dict) and "metric" in data and "op" not in data and data["metric"] in REGISTRY:
            return {**data, "op": metric(data["metric"]).op}
        return data

    @model_validator(mode="after")
    def _known_metric(self) -> Gate:
        if self.metric not in REGISTRY:
            raise ValueError(f"unknown metric {self.metric!r}")
        if self.op != metric(self.metric).op:
            raise ValueError(f"{self.metric} is gated with {metric(self.metric).op}, not {self.op}")
        return self

    def passes(self, value: float | None) -> bool:
        """True when the point estimate meets the threshold; an undefined value (None, NaN) fails."""
        if value is None or math.isnan(value):
            return False
        return value >= self.threshold if self.op == ">=" else value <= self.threshold

    def regressed(self, delta: float | None, low: float | None, high: float | None) -> bool:
        """True when new - base worsens by more than max_regression and the interval excludes 0.

        "Worse" follows the direction: a drop for '>=' metrics, a rise for '<=' ones. Anything
        undefined cannot show a regression and gives False; the caller reports it as not comparable.
        """
        if delta is None or low is None or high is None:
            return False
        if self.op == ">=":
            return delta < -self.max_regression and high < 0
        return delta > self.max_regression and low > 0


def apply_gates(rows: list[CheckRow], gates: dict[str, Gate]) -> None:
    """Set threshold and pass/fail on each gated metric's row at its headline scope."""
    by_key = {(r.metric, r.scope): r for r in rows}
    for name, gate in gates.items():
        declared = metric(name)
        row = by_key.get((name, declared.scope))
        if row is None or (declared.undefined_when_empty and not row.n):
            continue  # e.g. recall with no planted flag: undefined, so the gate does not apply
        row.threshold, row.passed = gate.threshold, gate.passes(row.value)


def _gate(source: str, name: str, table: Any, base: Gate | None) -> Gate:
    if name not in REGISTRY:
        raise ValueError(f"{source}: unknown gate metric 'gates.{name}' (known metrics: {', '.join(sorted(REGISTRY))})")
    if metric(name).direction is None:
        raise ValueError(f"{source}: 'gates.{name}': {name} has no better direction, so it cannot be gated")
    if not isinstance(table, dict):
        raise ValueError(f"{source}: 'gates.{name}' must be a table")
    for key in table:
        if key not in CONFIGURABLE:
            hint = " (the direction belongs to the metric)" if key == "op" else ""
            raise ValueError(f"{source}: unknown key 'gates.{name}.{key}' (allowed: {', '.join(CONFIGURABLE)}){hint}")
    if base is None and "threshold" not in table:
        raise ValueError(f"{source}: 'gates.{name}' adds a gate, so it needs a threshold")
    values = {**(base.model_dump() if base else {"metric": name}), **table}
    try:
        return Gate.model_validate(values)
    except ValidationError as exc:
        keys = ", ".join(f"gates.{name}.{err['loc'][0]}" if err["loc"] else f"gates.{name}" for err in exc.errors())
        raise ValueError(f"{source}: invalid {keys}: {exc.errors()[0]['msg']}") from exc


def _tables(source: str, data: dict[str, Any]) -> dict[str, Any]:
    tables = data.get("gates", {})
    if not isinstance(tables, dict):
        raise ValueError(f"{source}: 'gates' must be a table of [gates.<metric>] tables")
    return tables


def _read_defaults() -> dict[str, Any]:
    data = tomllib.loads(resources.files("evals.metrics").joinpath(DEFAULTS_FILE).read_text(encoding="utf-8"))
    if data.get("version") != SUPPORTED_VERSION:
        raise ValueError(f"{DEFAULTS_FILE}: version {data.get('version')!r} is not {SUPPORTED_VERSION}")
    return data


def defaults_version() -> int:
    """Version of the packaged gate defaults, for recording which gate set judged a run."""
    return int(_read_defaults()["version"])


def load_gates(config_path: Path | None = None) -> dict[str, Gate]:
    """The packaged default gates, with `config_path`'s [gates.<metric>] tables applied.

    A table for a gated metric overrides its threshold or max_regression; a table for any other
    metric that has a direction adds a gate (threshold required). An unknown metric or key, or an
    invalid value, raises ValueError naming the file and the key.
    """
    gates: dict[str, Gate] = {}
    for name, table in _tables(DEFAULTS_FILE, _read_defaults()).items():
        gates[name] = _gate(DEFAULTS_FILE, name, table, None)
    if config_path is not None:
        path = Path(config_path)
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        for name, table in _tables(str(path), config).items():
            gates[name] = _gate(str(path), name, table, gates.get(name))
    return gates
