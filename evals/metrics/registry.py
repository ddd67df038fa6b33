"""The metric registry: every metric the harness reports, declared once.

A declaration says what the metric is called and shown as, which way is better, which role's
model it judges, what one item of it is (its unit of analysis), the type of its details and,
for headline metrics, the scope shown in summaries and the function `compare` bootstraps.
Checks, gates, the terminal summary, the report and `compare` all read it; adding a metric
means one `declare(...)` here plus the code that computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evals.metrics import unit_stats
from evals.metrics.agreement import adjacent_agreement, exact_agreement, quadratic_weighted_kappa
from evals.metrics.conformance import CONFORMANCE_CHECKS
from evals.metrics.rows import (
    AttackDetails,
    CheckDetails,
    ConformanceDetails,
    ConfusionDetails,
    ErrorDetails,
    FidelityDetails,
    FlagCounts,
    GraderTextDetails,
    GroundingDetails,
    HireDetails,
    ImpactDetails,
    MarginDetails,
    MetricDetails,
    PassKDetails,
    PersonaDetails,
    PlaceboDetails,
    ShiftDetails,
)

Direction = Literal["higher", "lower"]
Judged = Literal["grader", "interviewer", "candidate", "judge"]


@dataclass(frozen=True)
class Metric:
    """One metric's declaration."""

    name: str
    label: str
    description: str
    unit: str
    judges: Judged | None = None
    direction: Direction | None = None
    details: type[MetricDetails] = MetricDetails
    headline: bool = False
    scope: str = "overall"
    statistic: unit_stats.Statistic | None = None
    undefined_when_empty: bool = False

    @property
    def op(self) -> str:
        """The comparison a gate on this metric uses: '>=' when higher is better, '<=' when lower is."""
        if self.direction is None:
            raise ValueError(f"metric {self.name!r} has no better direction, so it cannot be gated")
        return ">=" if self.direction == "higher" else "<="


REGISTRY: dict[str, Metric] = {}


def declare(name: str, label: str, description: str, unit: str, **fields) -> Metric:
    """Register a metric; a second declaration of the same name is a programming error."""
    if name in REGISTRY:
        raise ValueError(f"metric {name!r} is declared twice")
    REGISTRY[name] = Metric(name, label, description, unit, **fields)
    return REGISTRY[name]


def metric(name: str) -> Metric:
    """The declaration of `name`; KeyError naming the known metrics otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r} (known: {', '.join(sorted(REGISTRY))})") from None


def headline() -> list[Metric]:
    """The headline metrics, in the order summaries show them."""
    return [m for m in REGISTRY.values() if m.headline]


PAIR = "score pair (interview x competency)"
INTERVIEW = "interview"
CALL = "model call"

# Headline metrics, in display order.
declare(
    "qwk",
    "QWK",
    "Quadratic weighted kappa of graded scores against intended levels.",
    PAIR,
    judges="grader",
    direction="higher",
    headline=True,
    statistic=unit_stats.pooled(quadratic_weighted_kappa),
)
declare(
    "abs_smd",
    "|SMD|",
    "Absolute standardized mean difference of graded against intended (overall severity bias).",
    PAIR,
    judges="grader",
    direction="lower",
    headline=True,
    statistic=unit_stats.abs_smd,
)
declare(
    "exact",
    "exact agreement",
    "Share of score pairs graded exactly at the intended level.",
    PAIR,
    judges="grader",
    direction="higher",
    headline=True,
    statistic=unit_stats.pooled(exact_agreement),
)
declare(
    "adjacent",
    "adjacent (±1) agreement",
    "Share of score pairs graded within one of the intended level.",
    PAIR,
    judges="grader",
    direction="higher",
    headline=True,
    statistic=unit_stats.pooled(adjacent_agreement),
)
declare(
    "red_flag_recall",
    "red-flag recall",
    "Share of planted red flags the grader reported.",
    "planted red flag",
    judges="grader",
    direction="higher",
    details=FlagCounts,
    headline=True,
    scope="micro",
    statistic=unit_stats.flag_recall,
    undefined_when_empty=True,
)
declare(
    "hire_accuracy",
    "hire accuracy",
    "Share of interviews whose hire recommendation matches the labels.",
    INTERVIEW,
    judges="grader",
    direction="higher",
    details=HireDetails,
    headline=True,
    statistic=unit_stats.hire_rate,
)
declare(
    "grounding",
    "evidence grounding",
    "Share of the grader's evidence quotes found verbatim in the candidate's turns.",
    "evidence quote",
    judges="grader",
    direction="higher",
    details=GroundingDetails,
    headline=True,
    statistic=unit_stats.grounding,
)
declare(
    "conformance",
    "interviewer conformance",
    "Share of interviews that fail no conformance check; a check the rules and the judge could not settle is neither a "
    "pass nor a failure, and counted apart.",
    INTERVIEW,
    judges="interviewer",
    direction="higher",
    details=ConformanceDetails,
    headline=True,
    statistic=unit_stats.conformance_rate,
)
declare(
    "fidelity",
    "persona fidelity",
    "Share of judged interviews the judge says were played at their labels.",
    INTERVIEW,
    judges="candidate",
    direction="higher",
    details=FidelityDetails,
    headline=True,
    statistic=unit_stats.fidelity_rate,
)

# Grader calibration beyond the headline (overall and per competency).
declare(
    "spearman",
    "Spearman rho",
    "Rank correlation of graded scores with intended levels.",
    PAIR,
    judges="grader",
    direction="higher",
)
declare("mae", "mean absolute error", "Mean |graded - intended| over assessed pairs.", PAIR, judges="grader", direction="lower")
declare("bias", "signed bias", "Mean graded - intended; positive is lenient.", PAIR, judges="grader")
declare(
    "not_assessed",
    "not assessed",
    "Competencies the grader left 'not assessed' (n counts all pairs).",
    PAIR,
    judges="grader",
    direction="lower",
)
declare(
    "not_asked",
    "not asked",
    "Competency slots no question probed: expected 'not assessed', so left out of agreement (n counts all slots).",
    PAIR,
    judges="interviewer",
)
declare(
    "flags_not_surfaced",
    "red flags not surfaced",
    "Planted red flags none of whose competencies was asked: left out of recall and precision (n counts planted flags).",
    "planted red flag",
    judges="interviewer",
)
declare("smd", "SMD", "Signed standardized mean difference of graded against intended.", PAIR, judges="grader")
declare("confusion", "confusion matrix", "Intended level x graded score counts.", PAIR, judges="grader", details=ConfusionDetails)
declare(
    "red_flag_precision",
    "red-flag precision",
    "Share of reported red flags that were planted.",
    "reported red flag",
    judges="grader",
    direction="higher",
    details=FlagCounts,
)
declare(
    "panel_member_qwk",
    "panel member QWK",
    "One grading panel member's QWK against the intended levels (scope: member number and model).",
    PAIR,
    judges="grader",
    direction="higher",
)
declare(
    "panel_member_exact",
    "panel member exact agreement",
    "One grading panel member's share of score pairs graded exactly at the intended level.",
    PAIR,
    judges="grader",
    direction="higher",
)
declare(
    "panel_alpha",
    "panel inter-rater alpha",
    "Krippendorff's alpha (ordinal) among the grading panel's members over every scored cell: how far they agree "
    "with each other, whatever the labels say.",
    "scored cell (interview x competency)",
    judges="grader",
    direction="higher",
)
declare(
    "red_flag_f1",
    "red-flag F1",
    "Harmonic mean of red-flag precision and recall.",
    "planted or reported red flag",
    judges="grader",
    direction="higher",
    details=FlagCounts,
)
declare(
    "persona",
    "mean error per interview",
    "Mean |graded - intended| of one interview, with its labels and grade.",
    PAIR,
    judges="grader",
    direction="lower",
    details=PersonaDetails,
)
declare(
    "score_sd",
    "score spread across trials",
    "Standard deviation of one persona's mean score over its trials.",
    "trial",
    judges="grader",
    direction="lower",
)
declare(
    "baseline_margin",
    "margin over the counting baseline",
    "How much better the grader does than the counting baseline on the same transcripts (scope: the calibration metric).",
    PAIR,
    judges="grader",
    direction="higher",
    details=MarginDetails,
)
declare(
    "pass_k",
    "pass^k",
    "Share of personas graded within ±1 everywhere in every one of their trials.",
    "persona",
    judges="grader",
    direction="higher",
    details=PassKDetails,
)
declare(
    "trial_hire_flips",
    "hire flip rate across trials",
    "Share of a persona's trials whose hire verdict differs from its most common one (overall: over all trials).",
    "trial",
    judges="grader",
    direction="lower",
)
declare(
    "trial_flag_flips",
    "red-flag flip rate across trials",
    "Share of a persona's (trial, red flag) verdicts that differ from the flag's most common verdict for it (scope "
    "flag/<id>: one flag over every persona).",
    "trial x red flag",
    judges="grader",
    direction="lower",
)
declare(
    "hire_pass_at_1",
    "hire pass@1",
    "Share of trials whose hire recommendation matches the labels (the chance one trial is right).",
    "trial",
    judges="grader",
    direction="higher",
    details=PassKDetails,
)
declare(
    "hire_pass_hat_k",
    "hire pass^k",
    "Share of personas whose hire recommendation is right in every one of their k trials.",
    "persona",
    judges="grader",
    direction="higher",
    details=PassKDetails,
)

# Interviewer conformance, one rate per check.
for _check in CONFORMANCE_CHECKS:
    declare(
        f"conformance.{_check}",
        f"conformance: {_check.replace('_', ' ')}",
        f"Share of the interviews {_check} settled that pass it.",
        INTERVIEW,
        judges="interviewer",
        direction="higher",
        details=CheckDetails,
    )
declare(
    "probe_rate_after_no_metric",
    "probes after an answer without figures",
    "Share of candidate answers without a figure that the interviewer followed with a probe.",
    "candidate answer without a figure",
    judges="interviewer",
    direction="higher",
)

declare(
    "annotator_accuracy",
    "annotator accuracy",
    "On guided interviews, share of interviewer turns the annotator labels as the interviewer did (scope: action, question, segment).",
    "interviewer turn",
    judges="judge",
    direction="higher",
)
declare(
    "probe_depth",
    "probes per question",
    "Follow-up probes per bank question asked in the deep dives (the seed: probe deeply for specifics and mechanisms).",
    "bank question asked",
    judges="interviewer",
)
declare(
    "talk_time_share",
    "interviewer talk-time share",
    "Share of the spoken words that are the interviewer's; the candidate should do most of the talking.",
    INTERVIEW,
    judges="interviewer",
    direction="lower",
)
declare(
    "grader_text_flags",
    "grader words flagged",
    "Share of graded interviews whose rationales or feedback name a protected characteristic or infer an emotion, "
    "a personality trait or 'fit' (evals/metrics/grader_text.py).",
    INTERVIEW,
    judges="grader",
    direction="lower",
    details=GraderTextDetails,
)

# The run itself: failures and what the models cost (scope: the role).
declare(
    "errors",
    "failed interviews",
    "Interviews that ended in an error (n counts all interviews).",
    INTERVIEW,
    direction="lower",
    details=ErrorDetails,
)
for _name, _label in (
    ("calls", "model calls"),
    ("prompt_tokens", "prompt tokens"),
    ("completion_tokens", "completion tokens"),
    ("latency_s", "model seconds"),
    ("cache_hits", "cache hits"),
    ("cost_usd", "cost in USD"),
    ("unknown_cost", "calls without a known price"),
):
    declare(_name, _label, f"Sum of {_label} over the role's calls.", CALL)

# Robustness and fairness probes (a probe run's own rows; see evals/probe_stats.py). The perturbation
# is the scope ('verbosity', 'name_swap:black_woman', 'verbosity/ownership' per competency); the gated ones
# say it in their name.
PROBE = "interview (perturbed copies paired with their original)"
_PROBE_METRICS: list[tuple[str, str, str, Direction | None, type[MetricDetails]]] = [
    ("shift", "mean score shift", "Mean perturbed - original score over assessed pairs.", None, ShiftDetails),
    ("hire_flip_rate", "hire flips", "Share of perturbed copies whose hire recommendation changed.", None, ShiftDetails),
    ("flag_change_rate", "red-flag changes", "Share of perturbed copies whose reported red flags changed.", None, ShiftDetails),
    (
        "verbosity_shift",
        "verbosity shift",
        "Mean score shift when answers are padded with no new evidence.",
        "lower",
        ShiftDetails,
    ),
    ("order_abs_shift", "order |shift|", "Mean |score shift| when the question blocks are reordered.", "lower", ShiftDetails),
    (
        "evidence_removed_shift",
        "evidence-removed shift",
        "Mean score shift with figures and outcomes removed.",
        "lower",
        ShiftDetails,
    ),
    (
        "name_swap_hire_flips",
        "name-swap hire flips",
        "Share of name-swapped copies whose hire call changed.",
        "lower",
        ShiftDetails,
    ),
    (
        "injection_asr",
        "injection success rate",
        "Share of injected copies with a score up 1+, hire flipped to yes or a planted flag dropped.",
        "lower",
        AttackDetails,
    ),
    (
        "impact_ratio",
        "impact ratio",
        "Lowest ratio of a group's hire or scoring rate to the highest group's, over name sets.",
        "higher",
        ImpactDetails,
    ),
    (
        "name_effect_over_placebo",
        "name effect over placebo",
        "Mean |score difference| between names of different groups minus that between two names of one group.",
        "lower",
        PlaceboDetails,
    ),
]
for _name, _label, _description, _direction, _details in _PROBE_METRICS:
    declare(_name, _label, _description, PROBE, judges="grader", direction=_direction, details=_details)
