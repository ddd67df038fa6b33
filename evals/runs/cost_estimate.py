"""What a run will cost before it starts: calls and tokens per role per interview, times each model's prices.

Usage comes from the last complete run of the same scenario with the same prompts and interviewer when there
is one (what those interviews really used), else from the prompt sizes: every turn the format allows, each
prompt as long as the conversation can grow and each reply at its token budget, so an upper bound. Prices
come from the role's configured `input_usd_per_mtok`/`output_usd_per_mtok`, else litellm's price map; the
embedded model, the baselines and the fakes cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.interview.format_rules import MAX_CANDIDATE_QUESTIONS
from agents.models.config import CHARS_PER_TOKEN, ModelsConfig, RoleModel
from agents.models.providers import via_litellm
from agents.prompting import PromptSet
from agents.records import ROLES
from agents.roles.preflight import longest_prompt_chars
from evals.loading import Library
from evals.runs.choices import InputError
from evals.runs.config import RunConfig, SimulateConfig
from evals.runs.plan import Budget
from evals.store.database import RunRecord, Store
from scenarios.model import QuestionRule, Scenario

RECENT_RUNS = 200


@dataclass(frozen=True)
class RoleUsage:
    """One role's model use per interview."""

    calls: float
    prompt_tokens: float
    completion_tokens: float


@dataclass(frozen=True)
class RoleEstimate:
    """One role's share of a run: its model, use and cost (None when the model's price is unknown)."""

    role: str
    model: str
    calls: float
    prompt_tokens: float
    completion_tokens: float
    usd: float | None


@dataclass(frozen=True)
class Estimate:
    """A run's estimated use and cost, and where the usage figures came from."""

    interviews: int
    roles: list[RoleEstimate]
    source: str

    @property
    def usd(self) -> float | None:
        costs = [r.usd for r in self.roles]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    @property
    def usd_per_interview(self) -> float | None:
        return None if self.usd is None or not self.interviews else self.usd / self.interviews

    @property
    def unpriced(self) -> list[str]:
        return [f"{r.role} ({r.model})" for r in self.roles if r.usd is None]


def _measured(
    store: Store, scenario_hash: str, prompt_hashes: dict[str, str], interviewer: str
) -> tuple[RunRecord, dict[str, RoleUsage]] | None:
    for run in store.list_runs(RECENT_RUNS):
        if run.status != "complete" or run.config.kind in ("probe", "regrade"):
            continue
        if run.scenario_hash != scenario_hash or run.prompt_hashes != prompt_hashes or run.config.interviewer != interviewer:
            continue
        interviews = store.count_interviews(run.run_id)
        rows = store.query(
            "SELECT role, count(*), sum(prompt_tokens), sum(completion_tokens) FROM model_calls WHERE run_id = ? GROUP BY role",
            [run.run_id],
        )
        if interviews and rows:
            return run, {role: RoleUsage(n / interviews, (p or 0) / interviews, (c or 0) / interviews) for role, n, p, c in rows}
    return None


def _from_prompts(
    scenario: Scenario, prompts: PromptSet, models: ModelsConfig, annotator: str, rule: QuestionRule
) -> dict[str, RoleUsage]:
    exchanges = 1 + rule.max_questions * (1 + rule.max_probes_per_question) + 1 + MAX_CANDIDATE_QUESTIONS + 1
    full = longest_prompt_chars(scenario, prompts, models, 2 * exchanges) / CHARS_PER_TOKEN
    judge_calls = 3 if annotator == "judge" else 2  # topics and fidelity, and the turn annotations
    calls = {"interviewer": exchanges, "candidate": exchanges - 1, "grader": 1, "judge": judge_calls}
    # The conversation grows turn by turn, so a conversational prompt is half the full one on average.
    prompt = {"interviewer": full / 2, "candidate": full / 2, "grader": full, "judge": full}
    return {
        role: RoleUsage(calls[role], calls[role] * prompt[role], calls[role] * models.role(role).max_tokens) for role in ROLES
    }


def role_cost(config: RoleModel, prompt_tokens: float, completion_tokens: float) -> float | None:
    """What these tokens cost on a role's model: its configured prices, else litellm's map (an in-process model is
    free); None when neither knows the price."""
    if config.priced:
        return config.cost(prompt_tokens, completion_tokens)
    if not via_litellm(config.model):
        return 0.0
    from agents.models.providers.litellm_provider import import_litellm

    cost_map = import_litellm().model_cost
    known = cost_map.get(config.model) or cost_map.get(config.model.split("/", 1)[-1])
    if not known or known.get("input_cost_per_token") is None:
        return None
    return prompt_tokens * float(known["input_cost_per_token"]) + completion_tokens * float(
        known.get("output_cost_per_token") or 0.0
    )


def estimate(
    store: Store,
    scenario: Scenario,
    scenario_hash: str,
    prompts: PromptSet,
    models: ModelsConfig,
    interviews: int,
    *,
    interviewer: str,
    annotator: str,
    rule: QuestionRule | None = None,
) -> Estimate:
    """The estimate for `interviews` interviews of `scenario` on `models`; `rule` is the scenario's question rule
    narrowed to the run's interview length (default: the scenario's)."""
    measured = _measured(store, scenario_hash, prompts.hashes(), interviewer)
    if measured is not None:
        run, usage = measured
        source = f"measured in run {run.run_id} (same scenario, prompts and interviewer)"
    else:
        usage = _from_prompts(scenario, prompts, models, annotator, rule or scenario.question_rule)
        source = "from the prompt sizes: every turn the format allows, every reply at its token budget (an upper bound)"
    roles = []
    for role in ROLES:
        config, use = models.role(role), usage.get(role, RoleUsage(0, 0, 0))
        per = role_cost(config, use.prompt_tokens, use.completion_tokens)
        roles.append(
            RoleEstimate(
                role,
                config.model,
                use.calls * interviews,
                use.prompt_tokens * interviews,
                use.completion_tokens * interviews,
                None if per is None else per * interviews,
            )
        )
    return Estimate(interviews, roles, source)


def run_estimate(
    store: Store, lib: Library, scenario_id: str, config: RunConfig, prompts: PromptSet, interviews: int
) -> Estimate:
    """The estimate for `interviews` interviews of the scenario on the config's models."""
    scenario = lib.scenario(scenario_id)
    return estimate(
        store,
        scenario,
        lib.scenario_hash(scenario_id),
        prompts,
        config.models,
        interviews,
        interviewer=config.interviewer,
        annotator=config.annotator,
        rule=config.length.rule(scenario.question_rule) if isinstance(config, SimulateConfig) else None,
    )


def budget_for(found: Estimate, max_cost: float) -> Budget:
    """The Budget that caps spending at `max_cost`; InputError when a model's price is unknown (the cap could not
    be kept)."""
    if found.usd_per_interview is None:
        raise InputError(
            f"--max-cost needs a price for every role's model; none for {', '.join(found.unpriced)}: "
            "set input_usd_per_mtok and output_usd_per_mtok in its [models.<role>] table"
        )
    return Budget(max_cost, found.usd_per_interview)
