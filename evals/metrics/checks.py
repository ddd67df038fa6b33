"""Every metric of a run as check rows: grader calibration, red flags, hire, grounding, conformance, fidelity, repeats, cost.

Each row's metric is declared in `evals.metrics.registry`; gates are applied afterwards by `evals.metrics.gates.apply_gates`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable

from agents.records import CallRecord
from evals.metrics.agreement import (
    adjacent_agreement,
    confusion_matrix,
    exact_agreement,
    krippendorff_alpha_ordinal,
    mean_absolute_error,
    paired_scores,
    quadratic_weighted_kappa,
    signed_bias,
    spearman_rho,
    standardized_mean_difference,
    within,
)
from evals.metrics.baseline_margin import margins
from evals.metrics.conformance import CONFORMANCE_CHECKS
from evals.metrics.digest import InterviewDigest, call_totals
from evals.metrics.flags import hire_accuracy, red_flag_scores
from evals.metrics.gates import Gate, apply_gates
from evals.metrics.intervals import bootstrap_interval, wilson_interval
from evals.metrics.registry import metric
from evals.metrics.rows import (
    CheckDetails,
    CheckRow,
    ConformanceDetails,
    ConfusionDetails,
    ErrorDetails,
    FidelityDetails,
    FlagCounts,
    GraderTextDetails,
    GroundingDetails,
    HireDetails,
    MarginDetails,
    MetricDetails,
    PassKDetails,
    PersonaDetails,
)
from evals.metrics.unit_stats import PairMetric, abs_smd, pooled, score_pairs
from evals.metrics.units import InterviewUnit, conformant
from personas.model import Persona
from scenarios.model import Scenario


class _Rows:
    """Collects check rows; every name must be a declared metric with details of its declared type."""

    def __init__(self) -> None:
        self.rows: list[CheckRow] = []

    def add(
        self,
        name: str,
        scope: str,
        value: float | None,
        ci: tuple[float | None, float | None] = (None, None),
        n: int | None = None,
        details: MetricDetails | None = None,
    ) -> None:
        declared = metric(name)
        details = details if details is not None else declared.details()
        if not isinstance(details, declared.details):
            raise TypeError(f"{name} declares {declared.details.__name__} details, got {type(details).__name__}")
        self.rows.append(CheckRow(metric=name, scope=scope, value=value, ci_low=ci[0], ci_high=ci[1], n=n, details=details))


def _by_persona(units: list[InterviewUnit]) -> dict[str, list[InterviewUnit]]:
    groups: dict[str, list[InterviewUnit]] = defaultdict(list)
    for u in units:
        groups[u.persona_id].append(u)
    return groups


def _calibration(out: _Rows, units: list[InterviewUnit], competencies: list[str]) -> None:
    # Bootstrap over personas, not score pairs: a persona's scores are not independent of each other.
    groups = list(_by_persona(units).values())

    def boot(pair_metric: PairMetric, comp: str | None) -> tuple[float | None, float | None]:
        return bootstrap_interval(groups, pooled(pair_metric, comp), n_resamples=1000)

    for scope in ["overall", *competencies]:
        comp = None if scope == "overall" else scope
        a, b = score_pairs(units, comp)
        total = sum(1 for u in units for c in u.competencies if comp in (None, c))
        out.add("qwk", scope, quadratic_weighted_kappa(a, b) if a else None, boot(quadratic_weighted_kappa, comp), len(a))
        out.add("exact", scope, exact_agreement(a, b), wilson_interval(within(a, b, 0), len(a)), len(a))
        out.add("adjacent", scope, adjacent_agreement(a, b), wilson_interval(within(a, b, 1), len(a)), len(a))
        out.add("spearman", scope, spearman_rho(a, b), boot(spearman_rho, comp), len(a))
        out.add("mae", scope, mean_absolute_error(a, b), n=len(a))
        out.add("bias", scope, signed_bias(a, b), n=len(a))
        out.add("not_assessed", scope, float(total - len(a)), n=total)
        done = [u for u in units if u.completed]
        slots = sum(1 for u in done for c in (*u.competencies, *u.not_asked) if comp in (None, c))
        out.add("not_asked", scope, float(sum(1 for u in done for c in u.not_asked if comp in (None, c))), n=slots)
    a, b = score_pairs(units)
    smd = standardized_mean_difference(a, b)
    out.add("smd", "overall", smd, n=len(a))
    out.add(
        "abs_smd",
        "overall",
        None if smd is None else abs(smd),
        bootstrap_interval(groups, abs_smd, n_resamples=1000),
        len(a),
    )
    done = [u for u in units if u.completed]
    conf = confusion_matrix([i for u in done for i in u.intended], [g for u in done for g in u.graded])
    out.add(
        "confusion",
        "overall",
        None,
        n=len(a),
        details=ConfusionDetails(labels=list(conf.labels), matrix=conf.matrix, not_assessed=conf.not_assessed),
    )


def _panel(out: _Rows, units: list[InterviewUnit]) -> None:
    """With a grading panel: each member's agreement with the labels, and the members' with each other (Krippendorff's
    alpha, ordinal, over every scored cell), beside the panel's own rows (qwk, exact, ...)."""
    done = [u for u in units if u.completed and u.panel]
    members = sorted({m for u in done for m in u.panel}, key=lambda m: int(m.split(":")[0]))
    if not members:
        return

    def votes(unit: InterviewUnit, member: str) -> list[int | None]:
        """A member's scores for the unit's competencies; all unassessed when its call failed on this interview."""
        return unit.panel.get(member) or [None] * len(unit.competencies)

    for member in members:
        pairs = [pair for u in done for pair in paired_scores(u.intended, votes(u, member)).pairs]
        a, b = [i for i, _ in pairs], [g for _, g in pairs]
        out.add("panel_member_qwk", member, quadratic_weighted_kappa(a, b) if a else None, n=len(a))
        out.add("panel_member_exact", member, exact_agreement(a, b), wilson_interval(within(a, b, 0), len(a)), len(a))
    cells = [[votes(u, m)[k] for m in members] for u in done for k in range(len(u.competencies))]
    out.add("panel_alpha", "overall", krippendorff_alpha_ordinal(cells), n=len(cells))


def _flags_and_hire(out: _Rows, units: list[InterviewUnit], flag_ids: list[str]) -> None:
    done = [u for u in units if u.completed]
    labelled = [u for u in units if u.labelled]
    scores = red_flag_scores(
        [u.intended_flags for u in done if u.labelled], [u.found_flags for u in done if u.labelled], flag_ids
    )
    for scope, s in scores.items():
        counts = FlagCounts(tp=s["tp"], fp=s["fp"], fn=s["fn"])
        out.add(
            "red_flag_precision", scope, s["precision"], wilson_interval(s["tp"], s["tp"] + s["fp"]), s["tp"] + s["fp"], counts
        )
        out.add("red_flag_recall", scope, s["recall"], wilson_interval(s["tp"], s["tp"] + s["fn"]), s["tp"] + s["fn"], counts)
        out.add("red_flag_f1", scope, s["f1"], n=s["tp"] + s["fp"] + s["fn"], details=counts)
    planted = sum(len(u.intended_flags | u.flags_not_surfaced) for u in done)
    out.add("flags_not_surfaced", "overall", float(sum(len(u.flags_not_surfaced) for u in done)), n=planted)
    hire = hire_accuracy(
        [u.hire_intended for u in labelled], [u.hire_graded for u in labelled], [f"{u.persona_id}#{u.trial}" for u in labelled]
    )
    out.add(
        "hire_accuracy",
        "overall",
        hire["accuracy"],
        wilson_interval(hire["correct"], hire["n"]),
        hire["n"],
        HireDetails(false_hires=hire["false_hires"], false_rejections=hire["false_rejections"], ungraded=hire["ungraded"]),
    )
    grounded, total = sum(u.quotes_grounded for u in done), sum(u.quotes_total for u in done)
    ungrounded = [q for u in done for q in u.ungrounded][:20]
    out.add(
        "grounding",
        "overall",
        grounded / total if total else None,
        wilson_interval(grounded, total),
        total,
        GroundingDetails(ungrounded=ungrounded),
    )


def _conformance(out: _Rows, units: list[InterviewUnit]) -> None:
    checked = [u for u in units if u.conformance]
    passing = sum(conformant(u) for u in checked)
    failing = {
        f"{u.persona_id}#{u.trial}": [c for c, ok in u.conformance.items() if ok is False] for u in checked if not conformant(u)
    }
    unsure = {
        f"{u.persona_id}#{u.trial}": names for u in checked if (names := [c for c, ok in u.conformance.items() if ok is None])
    }
    out.add(
        "conformance",
        "overall",
        passing / len(checked) if checked else None,
        wilson_interval(passing, len(checked)),
        len(checked),
        ConformanceDetails(
            failing=failing,
            unsure=unsure,
            disagreements={f"{u.persona_id}#{u.trial}": u.disagreements for u in checked if u.disagreements},
        ),
    )
    for check in CONFORMANCE_CHECKS:
        settled = [u.conformance[check] for u in checked if u.conformance.get(check) is not None]
        ok = sum(bool(v) for v in settled)
        out.add(
            f"conformance.{check}",
            "overall",
            ok / len(settled) if settled else None,
            wilson_interval(ok, len(settled)),
            len(settled),
            CheckDetails(unsure=len(checked) - len(settled)),
        )
    hits, chances = sum(u.probe_hits for u in units), sum(u.probe_chances for u in units)
    out.add("probe_rate_after_no_metric", "overall", hits / chances if chances else None, wilson_interval(hits, chances), chances)


def _personas(out: _Rows, units: list[InterviewUnit], personas: dict[str, Persona]) -> None:
    judged = [u for u in units if u.fidelity_ok is not None]
    ok = sum(bool(u.fidelity_ok) for u in judged)
    out.add("fidelity", "overall", ok / len(judged) if judged else None, wilson_interval(ok, len(judged)), len(judged))
    for pid, group in sorted(_by_persona(units).items()):
        fid = [u.fidelity_ok for u in group if u.fidelity_ok is not None]
        if fid:
            out.add(
                "fidelity",
                pid,
                sum(fid) / len(fid),
                n=len(fid),
                details=FidelityDetails(judged=[u.judged_levels for u in group], judged_flags=[u.judged_flags for u in group]),
            )
        for u in group:
            labels = u.labels
            if labels is None:
                continue  # an unlabelled recording has nothing to be graded against
            errors = [abs(i - g) for i, g in u.pairs]
            out.add(
                "persona",
                f"{pid}#{u.trial}",
                sum(errors) / len(errors) if errors else None,
                n=len(errors),
                details=PersonaDetails(
                    persona_id=pid,
                    trial=u.trial,
                    intended_level=labels.overall_level,
                    intended=dict(labels.competency_levels),
                    graded=u.graded_all,
                    not_asked=u.not_asked,
                    intended_flags=sorted(u.intended_flags),
                    flags_not_surfaced=sorted(u.flags_not_surfaced),
                    graded_flags=sorted(u.found_flags),
                    hire_intended=u.hire_intended,
                    hire_graded=u.hire_graded,
                    fidelity_ok=u.fidelity_ok,
                    attribution=u.attribution,
                ),
            )


def _repeats(out: _Rows, units: list[InterviewUnit]) -> None:
    by_persona = _by_persona(units)
    if max((len(g) for g in by_persona.values()), default=0) < 2:
        return
    for pid, group in sorted(by_persona.items()):
        means = [statistics.mean(g for _, g in u.pairs) for u in group if u.pairs]
        out.add("score_sd", pid, statistics.stdev(means) if len(means) > 1 else None, n=len(means))
    passed = sum(all(u.within_tolerance for u in group) for group in by_persona.values())
    k = PassKDetails(k=max(len(g) for g in by_persona.values()))
    out.add("pass_k", "overall", passed / len(by_persona), wilson_interval(passed, len(by_persona)), len(by_persona), k)
    _flips(out, by_persona, k)


def _flips(out: _Rows, by_persona: dict[str, list[InterviewUnit]], k: PassKDetails) -> None:
    """How stable the grader's verdicts are over repeated trials: hire and flag flips against each persona's most
    common verdict, and the hire decision right in one trial (pass@1) against right in all of them (pass^k)."""
    hire_flips = flag_flips = hire_total = flag_total = 0
    right_once = trials = right_always = labelled = 0
    per_flag: dict[str, list[int]] = {}  # flag -> [verdicts that differ from the persona's usual one, verdicts]
    for pid, group in sorted(by_persona.items()):
        done = [u for u in group if u.completed]
        if len(done) < 2:
            continue
        hires = [u.hire_graded for u in done]
        common = max(set(hires), key=hires.count)
        flips = sum(h != common for h in hires)
        flags = sorted({f for u in done for f in u.found_flags | u.intended_flags})
        changes = {
            f: sum((f in u.found_flags) != (2 * sum(f in v.found_flags for v in done) > len(done)) for u in done) for f in flags
        }
        for f, n in changes.items():
            per_flag.setdefault(f, [0, 0])
            per_flag[f][0] += n
            per_flag[f][1] += len(done)
        flag_changes = sum(changes.values())
        out.add("trial_hire_flips", pid, flips / len(done), n=len(done))
        out.add("trial_flag_flips", pid, flag_changes / (len(done) * len(flags)) if flags else 0.0, n=len(done) * len(flags))
        hire_flips, hire_total = hire_flips + flips, hire_total + len(done)
        flag_flips, flag_total = flag_flips + flag_changes, flag_total + len(done) * len(flags)
        if all(u.labelled for u in done):
            right = [u.hire_graded == u.hire_intended for u in done]
            right_once, trials = right_once + sum(right), trials + len(right)
            right_always, labelled = right_always + all(right), labelled + 1
    if not hire_total:
        return
    out.add("trial_hire_flips", "overall", hire_flips / hire_total, wilson_interval(hire_flips, hire_total), hire_total)
    out.add("trial_flag_flips", "overall", flag_flips / flag_total if flag_total else 0.0, n=flag_total)
    for flag, (changed, seen) in sorted(per_flag.items()):
        out.add("trial_flag_flips", f"flag/{flag}", changed / seen, wilson_interval(changed, seen), seen)
    if labelled:
        out.add("hire_pass_at_1", "overall", right_once / trials, wilson_interval(right_once, trials), trials, k)
        out.add("hire_pass_hat_k", "overall", right_always / labelled, wilson_interval(right_always, labelled), labelled, k)


def cost_rows(calls: Iterable[CallRecord]) -> list[CheckRow]:
    """Calls, tokens, model seconds, cache hits and cost per role."""
    return _cost_rows(call_totals(calls))


def _cost_rows(totals: dict[str, dict[str, float]]) -> list[CheckRow]:
    out = _Rows()
    for role, t in sorted(totals.items()):
        for name, value in t.items():
            out.add(name, role, value, n=int(t["calls"]))
    return out.rows


def _annotator(out: _Rows, digests: list[InterviewDigest]) -> None:
    """How often the annotator reads a guided interviewer's turn as the interviewer labelled it itself."""
    for scope in ("action", "question", "segment"):
        agreed = sum(d.annotator[scope][0] for d in digests if scope in d.annotator)
        n = sum(d.annotator[scope][1] for d in digests if scope in d.annotator)
        if n:
            out.add("annotator_accuracy", scope, agreed / n, wilson_interval(agreed, n), n)


def _interviewer_habits(out: _Rows, digests: list[InterviewDigest]) -> None:
    """How deep the interviewer probed, and its share of the words spoken."""
    questions = sum(d.questions for d in digests)
    out.add("probe_depth", "overall", sum(d.probes for d in digests) / questions if questions else None, n=questions)
    shares = [d.talk_share for d in digests if d.talk_share is not None]
    out.add("talk_time_share", "overall", sum(shares) / len(shares) if shares else None, n=len(shares))


def _grader_text(out: _Rows, digests: list[InterviewDigest]) -> None:
    """How many graded interviews the grader wrote about in words a hiring decision must not rest on."""
    graded = [d for d in digests if d.unit.completed]
    flagged = {f"{d.unit.persona_id}#{d.unit.trial}": [str(h) for h in d.grader_text] for d in graded if d.grader_text}
    kinds = Counter(h.kind for d in graded for h in d.grader_text)
    share = len(flagged) / len(graded) if graded else None
    details = GraderTextDetails(by_kind=dict(sorted(kinds.items())), flagged=dict(list(flagged.items())[:50]))
    out.add("grader_text_flags", "overall", share, wilson_interval(len(flagged), len(graded)), len(graded), details)


def _baseline_margins(out: _Rows, digests: list[InterviewDigest], units: list[InterviewUnit]) -> None:
    for m in margins(units, [d.baseline_unit for d in digests]):
        out.add(
            "baseline_margin",
            m.name,
            m.margin,
            (m.low, m.high),
            n=len(score_pairs(units)[0]),
            details=MarginDetails(grader=m.grader, counting=m.counting),
        )


def compute_checks(
    digests: list[InterviewDigest], scenario: Scenario, personas: dict[str, Persona], gates: dict[str, Gate]
) -> list[CheckRow]:
    """All check rows for one run, from its interviews' digests, with `gates` applied."""
    out = _Rows()
    units = [d.unit for d in digests]
    errors = [f"{d.unit.persona_id}#{d.unit.trial}: {d.error}" for d in digests if d.status != "completed"]
    out.add("errors", "overall", float(len(errors)), n=len(digests), details=ErrorDetails(errors=errors[:50]))
    _calibration(out, units, scenario.competency_ids)
    _flags_and_hire(out, units, scenario.red_flag_ids)
    _panel(out, units)
    _conformance(out, units)
    _personas(out, units, personas)
    _repeats(out, units)
    _baseline_margins(out, digests, units)
    _annotator(out, digests)
    _interviewer_habits(out, digests)
    _grader_text(out, digests)
    totals: dict[str, dict[str, float]] = {}
    for d in digests:
        for role, more in d.calls.items():
            mine = totals.setdefault(role, dict.fromkeys(more, 0.0))
            for name, value in more.items():
                mine[name] += value
    out.rows += _cost_rows(totals)
    apply_gates(out.rows, gates)
    return out.rows
