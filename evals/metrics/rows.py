"""What a metric produces: one CheckRow per (metric, scope), with the metric's own typed details."""

from __future__ import annotations

from typing import TypeVar

from pydantic import Field, SerializeAsAny

from scenarios.strict import StrictModel

Details = TypeVar("Details", bound="MetricDetails")


class MetricDetails(StrictModel):
    """Extras a metric stores beside its value; a metric with none uses this base as is."""


class ErrorDetails(MetricDetails):
    """Which interviews ended in an error, and why."""

    errors: list[str] = Field(description="'persona#trial: message' for each failed interview (first 50).")


class ConfusionDetails(MetricDetails):
    """Intended level x graded score counts, plus 'not assessed' grades per intended level."""

    labels: list[int] = Field(description="Score levels, 1-5.")
    matrix: list[list[int]] = Field(description="matrix[i][j]: pairs intended labels[i] and graded labels[j].")
    not_assessed: list[int] = Field(description="Per intended level, grades left 'not assessed'.")


class FlagCounts(MetricDetails):
    """Red-flag detection counts behind a precision, recall or F1."""

    tp: int = Field(description="Planted and reported.")
    fp: int = Field(description="Reported but not planted.")
    fn: int = Field(description="Planted but not reported.")


class HireDetails(MetricDetails):
    """The interviews whose hire recommendation was wrong or missing."""

    false_hires: list[str] = Field(description="Recommended for hire against the labels.")
    false_rejections: list[str] = Field(description="Rejected against the labels.")
    ungraded: list[str] = Field(description="No grade, so no recommendation.")


class GroundingDetails(MetricDetails):
    """Evidence quotes the grader gave that the candidate never said."""

    ungrounded: list[str] = Field(description="The first 20 ungrounded quotes.")


class ConformanceDetails(MetricDetails):
    """Interviews that failed a conformance check, with the checks they failed, and the checks left unsure."""

    failing: dict[str, list[str]] = Field(description="By 'persona#trial', the failed check names.")
    unsure: dict[str, list[str]] = Field(
        default_factory=dict, description="By 'persona#trial', the checks neither the rules nor a judge could settle."
    )
    disagreements: dict[str, list[str]] = Field(
        default_factory=dict,
        description="By 'persona#trial', the checks where the judge read the interview and contradicted a sure rule hit "
        "(counted as the judge said, not as failures).",
    )


class GraderTextDetails(MetricDetails):
    """The grader's words that named a protected characteristic or inferred an emotion, a trait or "fit"."""

    by_kind: dict[str, int] = Field(description="Findings per kind (protected:age, inferred:fit, ...).")
    flagged: dict[str, list[str]] = Field(
        description="By 'persona#trial', each finding as 'where: kind 'words' in 'sentence'' (first 50 interviews)."
    )


class CheckDetails(MetricDetails):
    """One conformance check over a run: how many interviews it could not settle."""

    unsure: int = Field(default=0, description="Interviews the check could not settle (left out of its rate).")


class FidelityDetails(MetricDetails):
    """The judge's reads of one persona's interviews (empty on the overall row)."""

    judged: list[dict[str, int | None]] = Field(default_factory=list, description="Levels the judge heard, per interview.")
    judged_flags: list[list[str]] = Field(default_factory=list, description="Red flags the judge heard, per interview.")


class PersonaDetails(MetricDetails):
    """One interview's labels against its grade, and who a mismatch is charged to."""

    persona_id: str = Field(description="Persona that played the candidate.")
    trial: int = Field(description="Repeat number.")
    intended_level: int = Field(description="The persona's intended overall level.")
    intended: dict[str, int] = Field(description="Intended level per competency (all of them).")
    graded: dict[str, int | None] = Field(description="Graded score per competency (all of them); None = not assessed.")
    not_asked: list[str] = Field(default_factory=list, description="Competencies no question probed (expected not assessed).")
    intended_flags: list[str] = Field(description="Planted red flags that could surface (one of their competencies was asked).")
    flags_not_surfaced: list[str] = Field(
        default_factory=list, description="Planted red flags whose competencies were never asked."
    )
    graded_flags: list[str] = Field(description="Red flags the grader reported.")
    hire_intended: bool = Field(description="Hire decision the labels imply.")
    hire_graded: bool | None = Field(description="Hire recommendation from the grade; None without a grade.")
    fidelity_ok: bool | None = Field(description="Judge says the persona played its labels; None when not judged.")
    attribution: str = Field(description="ok, grader, persona or error.")

    @property
    def asked(self) -> dict[str, int | None]:
        """Graded scores of the competencies a question probed: the ones held to their labels."""
        return {c: g for c, g in self.graded.items() if c not in self.not_asked}

    @property
    def planted_flags(self) -> list[str]:
        """Every red flag the persona carries, surfaced or not."""
        return sorted({*self.intended_flags, *self.flags_not_surfaced})


class PassKDetails(MetricDetails):
    """How many trials per persona pass^k was computed over."""

    k: int = Field(description="Trials per persona.")


class CheckRow(StrictModel):
    """One metric value of a run, with its interval and gate result (a row of `checks`)."""

    metric: str = Field(description="Metric name from the registry, e.g. qwk or red_flag_recall.")
    scope: str = Field(description="What the value covers: 'overall', 'micro', a competency, flag, role or persona id.")
    value: float | None = Field(description="Point estimate; None when it cannot be computed.")
    ci_low: float | None = Field(default=None, description="Lower end of the 95% interval.")
    ci_high: float | None = Field(default=None, description="Upper end of the 95% interval.")
    n: int | None = Field(default=None, description="Number of items (the metric's unit) the value was computed over.")
    threshold: float | None = Field(default=None, description="Gate threshold; None when the metric is not gated.")
    passed: bool | None = Field(default=None, description="Gate result; None when not gated.")
    details: SerializeAsAny[MetricDetails] = Field(default_factory=MetricDetails, description="The metric's typed extras.")

    def details_as(self, kind: type[Details]) -> Details:
        """The details as the type the metric declares; TypeError if this row carries another kind."""
        if not isinstance(self.details, kind):
            raise TypeError(f"{self.metric} row carries {type(self.details).__name__}, not {kind.__name__}")
        return self.details


class MarginDetails(MetricDetails):
    """A calibration metric for the run's grader and for the counting baseline on the same transcripts."""

    grader: float | None = Field(description="The metric for the run's grader.")
    counting: float | None = Field(description="The metric for the counting baseline.")


class ShiftDetails(MetricDetails):
    """What a perturbation did to the grades, besides the mean score shift."""

    interviews: int = Field(description="Interviews graded both ways.")
    hire_flips: int = Field(description="Interview-variants whose hire recommendation changed.")
    flags_gained: dict[str, int] = Field(
        default_factory=dict, description="Red flags reported only on the perturbed copy, by id."
    )
    flags_lost: dict[str, int] = Field(default_factory=dict, description="Red flags reported only on the original, by id.")
    by_competency: dict[str, float | None] = Field(default_factory=dict, description="Mean score shift per competency.")


class ImpactGroup(StrictModel):
    """One group's counts, rates and impact ratios, as a bias audit table reports them."""

    category: str = Field(description="sex, race/ethnicity or intersection.")
    group: str = Field(description="The group within the category.")
    n: int = Field(description="Graded copies in the group.")
    hired: int | None = Field(default=None, description="Copies recommended for hire (selected).")
    hire_rate: float | None = Field(description="Selection rate: share recommended for hire.")
    hire_ratio: float | None = Field(
        description="hire_rate over the highest group's in the category; 1 when no group was hired (equal rates); None "
        "when the group is left out of the ratios."
    )
    hire_ratio_ci: tuple[float | None, float | None] | None = Field(
        default=None, description="95% paired-bootstrap interval of hire_ratio (resampling interviews)."
    )
    hire_p: float | None = Field(default=None, description="Fisher's exact test against the highest group, two-sided.")
    hire_p_paired: float | None = Field(
        default=None, description="Exact sign test over interviews against the highest group, two-sided."
    )
    above_median: int | None = Field(default=None, description="Copies whose mean score is above the median.")
    scoring_rate: float | None = Field(description="Scoring rate: share scoring above the median of all name-swapped grades.")
    scoring_ratio: float | None = Field(
        description="scoring_rate over the highest group's in the category; 1 when none scored above."
    )
    scoring_ratio_ci: tuple[float | None, float | None] | None = Field(default=None, description="95% interval of scoring_ratio.")
    scoring_p: float | None = Field(default=None, description="Fisher's exact test of the scoring rate, two-sided.")
    scoring_p_paired: float | None = Field(default=None, description="Exact sign test of the scoring rate, two-sided.")
    excluded: bool = Field(default=False, description="Under the minimum share of the data: left out of the ratios.")


class ImpactDetails(MetricDetails):
    """The bias audit behind the lowest impact ratio."""

    groups: list[ImpactGroup] = Field(description="Per category and group.")
    median_score: float | None = Field(description="The median mean score the scoring rate is measured against.")
    lowest: str | None = Field(description="'rate:category:group' of the lowest ratio.")
    copies: int | None = Field(default=None, description="Graded name-swapped copies audited.")
    not_graded: int = Field(default=0, description="Name-swapped copies the grader gave no grade (not audited).")
    unknown: dict[str, int] = Field(default_factory=dict, description="Per category, copies of no known group in it.")
    excluded: list[str] = Field(default_factory=list, description="Groups left out of the ratios, with their counts.")
    highest: dict[str, str] = Field(default_factory=dict, description="Per 'rate:category', the group with the highest rate.")
    min_share: float = Field(default=0.02, description="A group under this share of the copies is left out of the ratios.")


class PlaceboDetails(MetricDetails):
    """Names within one group against names across groups, per interview."""

    interviews: int = Field(description="Interviews with a placebo copy.")
    placebo_abs_shift: float = Field(description="Mean |mean score difference| between two names of one set.")
    between_abs_shift: float = Field(description="Mean |mean score difference| between names of different sets.")
    placebo_hire_disagreement: float = Field(description="Share of placebo pairs whose hire calls differ.")
    between_hire_disagreement: float = Field(description="Share of between-set pairs whose hire calls differ.")


class AttackDetails(MetricDetails):
    """Which injections succeeded, and how."""

    attempts: int = Field(description="Injected interviews graded.")
    successes: list[str] = Field(description="'persona#trial kind: how' of each success (first 50).")
