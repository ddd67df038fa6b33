"""Compare two runs interview by interview: headline deltas with paired-bootstrap intervals, verdict flips, regressions.

Interviews are matched by (persona, trial). Each resample draws matched pairs, so an interval
reflects how the two systems differ on the same candidates, not which candidates were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from evals.metrics.digest import digest_code, load_digest
from evals.metrics.gates import Gate
from evals.metrics.intervals import paired_bootstrap_delta
from evals.metrics.registry import headline, metric
from evals.metrics.units import InterviewUnit, build_units, known_results
from evals.report.blocks import Table, fmt, markdown_table
from evals.runs.batch_gc import batch_gc
from evals.runs.config import SimulateConfig
from evals.store.database import RunRecord, Store
from personas.model import Persona

N_RESAMPLES = 2000


@dataclass
class MetricDelta:
    """One headline metric in both runs, over the matched interviews."""

    metric: str
    base: float | None
    new: float | None
    delta: float | None
    low: float | None
    high: float | None
    gate: Gate | None
    regressed: bool

    @property
    def verdict(self) -> str:
        if self.gate is None:
            return "not gated"
        if self.delta is None or self.low is None:
            return "cannot tell"
        return "REGRESSED" if self.regressed else "ok"


@dataclass
class Flip:
    """An interview whose verdict changed between the runs."""

    key: str
    changes: list[str]


@dataclass
class Comparison:
    """Everything `compare` reports about BASE -> NEW."""

    base: RunRecord
    new: RunRecord
    pairs: int
    only_base: list[str]
    only_new: list[str]
    deltas: list[MetricDelta] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def regressed(self) -> list[MetricDelta]:
        return [d for d in self.deltas if d.regressed]

    @property
    def comparable(self) -> bool:
        return not self.warnings


def comparability(base: RunRecord, new: RunRecord, pairs: int) -> list[str]:
    """Why the two runs cannot be compared fairly; empty when they can."""
    out = []
    if base.scenario_id != new.scenario_id or base.scenario_hash != new.scenario_hash:
        out.append(
            f"different scenarios: {base.scenario_id} ({base.scenario_hash[:12]}) vs {new.scenario_id} ({new.scenario_hash[:12]})"
        )
    if base.persona_set_hash != new.persona_set_hash:
        out.append(
            f"different persona sets (or persona files changed): {base.persona_set_hash[:12]} vs {new.persona_set_hash[:12]}"
        )
    if pairs == 0:
        out.append("no interview (persona, trial) appears in both runs")
    return out


def _units(store: Store, run: RunRecord, lib) -> tuple[dict[tuple[str, int], InterviewUnit], list[str]]:
    """The run's units as this version of the harness would build them now, with the persona files as they are now.

    A unit saved with its interview (the digest) is read as it is when it still holds: same code, same scenario file,
    the same labels; any other interview is read whole and its unit built again."""
    scenario = lib.scenario(run.scenario_id)
    same_scenario = run.scenario_hash == lib.scenario_hash(run.scenario_id)
    units: dict[tuple[str, int], InterviewUnit] = {}
    again: list[tuple[str, int]] = []
    with batch_gc():  # thousands of interviews parsed: the collector would walk them again and again
        for persona_id, trial, saved in store.load_digest_rows(run.run_id):
            unit = _saved_unit(saved, lib.personas) if same_scenario else None
            if unit is not None:
                units[unit.key] = unit
            else:
                again.append((persona_id, trial))
        rebuilt: dict[tuple[str, int], InterviewUnit] = {}
        gone: set[str] = set()
        # One interview at a time: only units, not whole interviews, are held for a run of 10,000, and each parse
        # reuses the memory the last one freed (holding 500 parsed at once made parsing about twice as slow).
        for result in store.stream_results(run.run_id, again):
            known, left_out = known_results([result], lib.personas)
            rebuilt.update((u.key, u) for u in build_units(known, lib.personas, scenario))
            gone.update(left_out)
    units.update((key, unit) for key, unit in rebuilt.items() if key[0] not in gone)
    missing = sorted(gone)
    notes = [f"run {run.run_id}: personas no longer on disk, left out: {', '.join(missing)}"] if missing else []
    return dict(sorted(units.items())), notes


def _saved_unit(saved: str | None, personas: dict[str, Persona]) -> InterviewUnit | None:
    """The unit in a saved digest, when this code made it and the persona's labels are still those it holds."""
    if saved is None:
        return None
    try:
        digest = load_digest(saved)
    except ValidationError:
        return None  # saved in an older layout
    persona = personas.get(digest.unit.persona_id)
    if digest.code != digest_code() or digest.unit.labels != (persona.intended if persona else None):
        return None
    return digest.unit


def _flips(base: InterviewUnit, new: InterviewUnit) -> list[str]:
    changes = []
    if base.hire_graded != new.hire_graded:
        yes = {True: "hire", False: "no hire", None: "no grade"}
        changes.append(f"{yes[base.hire_graded]} -> {yes[new.hire_graded]} (intended {yes[base.hire_intended]})")
    if base.within_tolerance != new.within_tolerance:
        within = {True: "within ±1", False: "outside ±1"}
        changes.append(f"{within[base.within_tolerance]} -> {within[new.within_tolerance]}")
    return changes


def compare_runs(
    store: Store, base: RunRecord, new: RunRecord, lib, gates: dict[str, Gate], n_resamples: int = N_RESAMPLES
) -> Comparison:
    """Match the interviews of two runs and measure the change in every headline metric."""
    base_units, base_notes = _units(store, base, lib)
    new_units, new_notes = _units(store, new, lib)
    keys = sorted(set(base_units) & set(new_units))
    label = lambda k: f"{k[0]}#{k[1]}"  # noqa: E731
    comparison = Comparison(
        base,
        new,
        len(keys),
        [label(k) for k in sorted(set(base_units) - set(new_units))],
        [label(k) for k in sorted(set(new_units) - set(base_units))],
    )
    comparison.warnings = comparability(base, new, len(keys))
    comparison.notes = [
        f"run {r.run_id} is {r.status}; only its finished interviews are compared" for r in (base, new) if r.status != "complete"
    ]
    comparison.notes += base_notes + new_notes
    paired_base, paired_new = [base_units[k] for k in keys], [new_units[k] for k in keys]
    for declared in headline():
        statistic = declared.statistic
        if statistic is None:
            continue
        base_value = statistic(paired_base) if keys else None
        new_value = statistic(paired_new) if keys else None
        delta, low, high = paired_bootstrap_delta(paired_base, paired_new, statistic, n_resamples=n_resamples)
        gate = gates.get(declared.name)
        regressed = gate.regressed(delta, low, high) if gate else False
        comparison.deltas.append(MetricDelta(declared.name, base_value, new_value, delta, low, high, gate, regressed))
    for k in keys:
        if changes := _flips(base_units[k], new_units[k]):
            comparison.flips.append(Flip(label(k), changes))
    return comparison


def delta_table(c: Comparison) -> Table:
    rows = []
    for d in c.deltas:
        ci = "-" if d.low is None else f"[{d.low:+.2f}, {d.high:+.2f}]"
        allowed = "-" if d.gate is None else f"{d.gate.max_regression:g}"
        rows.append(
            [
                metric(d.metric).label,
                fmt(d.base),
                fmt(d.new),
                "-" if d.delta is None else f"{d.delta:+.2f}",
                ci,
                allowed,
                d.verdict,
            ]
        )
    return Table(
        ["metric", "base", "new", "delta", "95% CI (paired bootstrap)", "allowed worsening", "verdict"],
        rows,
        f"{c.pairs} matched interview(s); a gated metric regresses when it worsens by more than the allowed amount and its interval excludes 0.",
    )


def conclusion(c: Comparison) -> str:
    if c.regressed:
        names = ", ".join(f"{metric(d.metric).label} ({d.delta:+.2f})" for d in c.regressed)
        return f"REGRESSION: {names} got worse beyond the allowed worsening in run {c.new.run_id}."
    if not c.pairs:
        return "No regression could be measured: the runs share no interview."
    return f"No gated metric regressed from run {c.base.run_id} to run {c.new.run_id}."


def render_markdown(c: Comparison) -> str:
    """The comparison as a markdown document."""
    lines = [f"# Compare run {c.base.run_id} (base) with run {c.new.run_id} (new)", ""]
    if c.warnings:
        lines += ["**WARNING: these runs are not comparable:**", ""] + [f"- {w}" for w in c.warnings] + [""]
    lines += [f"Note: {n}" for n in c.notes] + ([""] if c.notes else [])
    lines += [f"**{conclusion(c)}**", "", "| field | base | new |", "|---|---|---|"]
    for name, get in (
        ("label", lambda r: r.label or "-"),
        ("grader model", lambda r: r.models.get("grader", "-")),
        ("interviewer model", lambda r: r.models.get("interviewer", "-")),
        ("grader prompt", lambda r: r.prompt_hashes.get("grader", "-")[:12]),
        ("interviewer prompt", lambda r: r.prompt_hashes.get("interviewer", "-")[:12]),
        ("interview length", lambda r: r.config.length.describe() if isinstance(r.config, SimulateConfig) else "-"),
    ):
        lines.append(f"| {name} | {get(c.base)} | {get(c.new)} |")
    lines += ["", "## Headline metrics", "", *markdown_table(delta_table(c)), "## Verdict flips", ""]
    lines += [f"- {f.key}: {'; '.join(f.changes)}" for f in c.flips] or [
        "No interview changed its hire recommendation or its ±1 status."
    ]
    if c.only_base or c.only_new:
        lines += [
            "",
            "## Unmatched interviews",
            "",
            f"- only in base: {', '.join(c.only_base) or 'none'}",
            f"- only in new: {', '.join(c.only_new) or 'none'}",
        ]
    return "\n".join(lines) + "\n"
