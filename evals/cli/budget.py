"""`run --dry-run` and `run --max-cost`: a run's estimated calls, tokens and cost, and the budget that caps it."""

from __future__ import annotations

from evals.cli.options import fail


def run_estimate(store, lib, scenario_id: str, config, prompts, interviews: int):
    """The estimate for `interviews` interviews of the scenario on the config's models."""
    from evals.cost_estimate import estimate

    return estimate(
        store,
        lib.scenario(scenario_id),
        lib.scenario_hash(scenario_id),
        prompts,
        config.models,
        interviews,
        interviewer=config.interviewer,
        annotator=config.annotator,
    )


def print_estimate(found, personas: int, trials: int) -> None:
    """The plan and its estimate, one row per role."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    console.print(f"Plan: {found.interviews} interview(s): {personas} persona(s) x {trials} trial(s).", highlight=False)
    table = Table("role", "model", "calls", "prompt tokens", "completion tokens", "cost $", title="Estimate")
    for r in found.roles:
        cost = "unknown price" if r.usd is None else f"{r.usd:.4f}"
        table.add_row(r.role, r.model, f"{r.calls:,.0f}", f"{r.prompt_tokens:,.0f}", f"{r.completion_tokens:,.0f}", cost)
    total = "unknown" if found.usd is None else f"{found.usd:.4f}"
    table.add_row("total", "", f"{sum(r.calls for r in found.roles):,.0f}", "", "", total)
    console.print(table)
    console.print(f"Usage {found.source}.", highlight=False, markup=False)
    if found.unpriced:
        console.print(
            f"No price for {', '.join(found.unpriced)}: set input_usd_per_mtok and output_usd_per_mtok in its [models.<role>] table.",
            highlight=False,
            markup=False,
        )


def budget_for(found, max_cost: float):
    """The Budget for --max-cost; exit 2 when a model's price is unknown (the cap could not be kept)."""
    from evals.harness import Budget

    if found.usd_per_interview is None:
        fail(
            f"--max-cost needs a price for every role's model; none for {', '.join(found.unpriced)}: "
            "set input_usd_per_mtok and output_usd_per_mtok in its [models.<role>] table"
        )
    return Budget(max_cost, found.usd_per_interview)
