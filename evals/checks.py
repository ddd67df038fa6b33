"""Every metric of a run as check rows: grader calibration, red flags, hire, grounding, conformance, fidelity, repeats, cost."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable

from agents.transcript import InterviewResult
from evals.agreement import (
    adjacent_agreement, confusion_matrix, exact_agreement, mean_absolute_error, quadratic_weighted_kappa,
    signed_bias, spearman_rho, standardized_mean_difference, within,
)
from evals.conformance import CONFORMANCE_CHECKS
from evals.flag_metrics import hire_accuracy, red_flag_scores
from evals.gates import Gate
from evals.intervals import bootstrap_interval, wilson_interval
from evals.store import CheckRow
from evals.units import InterviewUnit, conformant

Statistic = Callable[[list[InterviewUnit]], float | None]


def _pairs(units: list[InterviewUnit], competency: str | None = None) -> tuple[list[int], list[int]]:
    a, b = [], []
    for u in units:
        for cid, i, g in zip(u.competencies, u.intended, u.graded):
            if u.completed and g is not None and (competency is None or cid == competency):
                a.append(i)
                b.append(g)
    return a, b


def _pooled(metric) -> Statistic:
    return lambda units: metric(*_pairs(units))


def _abs_smd(units):
    smd = standardized_mean_difference(*_pairs(units))
    return None if smd is None else abs(smd)


def _rate(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _flag_recall(units):
    done = [u for u in units if u.completed]
    flag_ids = sorted({f for u in done for f in u.intended_flags | u.found_flags})
    return red_flag_scores([u.intended_flags for u in done], [u.found_flags for u in done], flag_ids)["micro"]["recall"]


def _grounding(units):
    total = sum(u.quotes_total for u in units)
    return sum(u.quotes_grounded for u in units) / total if total else None


# The gated headline metrics as functions of a set of interviews, so `compare` can bootstrap their change.
HEADLINE: dict[str, Statistic] = {
    "qwk": _pooled(quadratic_weighted_kappa),
    "exact": _pooled(exact_agreement),
    "adjacent": _pooled(adjacent_agreement),
    "abs_smd": _abs_smd,
    "red_flag_recall": _flag_recall,
    "grounding": _grounding,
    "conformance": lambda units: _rate([conformant(u) for u in units if u.conformance]),
    "hire_accuracy": lambda units: _rate([u.hire_graded == u.hire_intended for u in units]),
}


class _Rows:
    def __init__(self, gates: dict[str, Gate]):
        self.gates, self.rows = gates, []

    def add(self, metric, scope, value, ci=(None, None), n=None, details=None, gate=None):
        gate_obj = self.gates.get(gate) if gate else None
        self.rows.append(CheckRow(
            metric=metric, scope=scope, value=value, ci_low=ci[0], ci_high=ci[1], n=n,
            threshold=gate_obj.threshold if gate_obj else None,
            passed=gate_obj.passes(value) if gate_obj else None, details=details or {}))


def _calibration(out: _Rows, units: list[InterviewUnit], competencies: list[str]) -> None:
    by_persona: dict[str, list[InterviewUnit]] = defaultdict(list)
    for u in units:
        by_persona[u.persona_id].append(u)
    groups = list(by_persona.values())
    for scope in ["overall", *competencies]:
        comp = None if scope == "overall" else scope
        a, b = _pairs(units, comp)
        total = sum(1 for u in units for c in u.competencies if comp in (None, c))
        gated = scope == "overall"

        def boot(metric, comp=comp):
            stat = lambda gs: metric(*_pairs([u for g in gs for u in g], comp))  # noqa: E731
            return bootstrap_interval(groups, stat, n_resamples=1000)

        out.add("qwk", scope, quadratic_weighted_kappa(a, b) if a else None, boot(quadratic_weighted_kappa), len(a), gate="qwk" if gated else None)
        out.add("exact", scope, exact_agreement(a, b), wilson_interval(within(a, b, 0), len(a)), len(a), gate="exact" if gated else None)
        out.add("adjacent", scope, adjacent_agreement(a, b), wilson_interval(within(a, b, 1), len(a)), len(a), gate="adjacent" if gated else None)
        out.add("spearman", scope, spearman_rho(a, b), boot(spearman_rho), len(a))
        out.add("mae", scope, mean_absolute_error(a, b), n=len(a))
        out.add("bias", scope, signed_bias(a, b), n=len(a))
        out.add("not_assessed", scope, float(total - len(a)), n=total)
        if gated:
            smd = standardized_mean_difference(a, b)
            out.add("smd", scope, smd, n=len(a))
            out.add("abs_smd", scope, None if smd is None else abs(smd), bootstrap_interval(groups, lambda gs: _abs_smd([u for g in gs for u in g]), n_resamples=1000), len(a), gate="abs_smd")
            intended_all = [i for u in units if u.completed for i in u.intended]
            graded_all = [g for u in units if u.completed for g in u.graded]
            conf = confusion_matrix(intended_all, graded_all)
            out.add("confusion", scope, None, n=len(a), details={"labels": list(conf.labels), "matrix": conf.matrix, "not_assessed": conf.not_assessed})


def _flags_and_hire(out: _Rows, units: list[InterviewUnit], flag_ids: list[str]) -> None:
    done = [u for u in units if u.completed]
    scores = red_flag_scores([u.intended_flags for u in done], [u.found_flags for u in done], flag_ids)
    for scope, s in scores.items():
        counts = {"tp": s["tp"], "fp": s["fp"], "fn": s["fn"]}
        out.add("red_flag_precision", scope, s["precision"], wilson_interval(s["tp"], s["tp"] + s["fp"]), s["tp"] + s["fp"], counts)
        planted = s["tp"] + s["fn"]
        # With no planted flag in the run, recall is undefined and its gate does not apply.
        out.add("red_flag_recall", scope, s["recall"], wilson_interval(s["tp"], planted), planted, counts,
                gate="red_flag_recall" if scope == "micro" and planted else None)
        out.add("red_flag_f1", scope, s["f1"], n=s["tp"] + s["fp"] + s["fn"], details=counts)
    hire = hire_accuracy([u.hire_intended for u in units], [u.hire_graded for u in units], [f"{u.persona_id}#{u.trial}" for u in units])
    out.add("hire_accuracy", "overall", hire["accuracy"], wilson_interval(hire["correct"], hire["n"]), hire["n"],
            {k: hire[k] for k in ("false_hires", "false_rejections", "ungraded")}, gate="hire_accuracy")
    grounded, total = sum(u.quotes_grounded for u in done), sum(u.quotes_total for u in done)
    ungrounded = [q for u in done for q in u.ungrounded][:20]
    out.add("grounding", "overall", grounded / total if total else None, wilson_interval(grounded, total), total,
            {"ungrounded": ungrounded}, gate="grounding")


def _conformance(out: _Rows, units: list[InterviewUnit]) -> None:
    checked = [u for u in units if u.conformance]
    passing = sum(conformant(u) for u in checked)
    failing = {f"{u.persona_id}#{u.trial}": [c for c, ok in u.conformance.items() if not ok] for u in checked if not conformant(u)}
    out.add("conformance", "overall", passing / len(checked) if checked else None, wilson_interval(passing, len(checked)),
            len(checked), {"failing": failing}, gate="conformance")
    for check in CONFORMANCE_CHECKS:
        ok = sum(u.conformance.get(check, False) for u in checked)
        out.add(f"conformance.{check}", "overall", ok / len(checked) if checked else None, wilson_interval(ok, len(checked)), len(checked))
    hits, chances = sum(u.probe_hits for u in units), sum(u.probe_chances for u in units)
    out.add("probe_rate_after_no_metric", "overall", hits / chances if chances else None, wilson_interval(hits, chances), chances)


def _personas(out: _Rows, units: list[InterviewUnit], personas: dict) -> None:
    judged = [u for u in units if u.fidelity_ok is not None]
    ok = sum(bool(u.fidelity_ok) for u in judged)
    out.add("fidelity", "overall", ok / len(judged) if judged else None, wilson_interval(ok, len(judged)), len(judged))
    by_persona: dict[str, list[InterviewUnit]] = defaultdict(list)
    for u in units:
        by_persona[u.persona_id].append(u)
    for pid, group in sorted(by_persona.items()):
        fid = [u.fidelity_ok for u in group if u.fidelity_ok is not None]
        if fid:
            out.add("fidelity", pid, sum(fid) / len(fid), n=len(fid),
                    details={"judged": [u.judged_levels for u in group], "judged_flags": [u.judged_flags for u in group]})
        for u in group:
            errors = [abs(i - g) for i, g in u.pairs]
            out.add("persona", f"{pid}#{u.trial}", sum(errors) / len(errors) if errors else None, n=len(errors), details={
                "persona_id": pid, "trial": u.trial, "intended_level": personas[pid].intended.overall_level,
                "intended": dict(zip(u.competencies, u.intended)), "graded": dict(zip(u.competencies, u.graded)),
                "intended_flags": sorted(u.intended_flags), "graded_flags": sorted(u.found_flags),
                "hire_intended": u.hire_intended, "hire_graded": u.hire_graded, "fidelity_ok": u.fidelity_ok,
                "attribution": u.attribution})


def _repeats(out: _Rows, units: list[InterviewUnit]) -> None:
    by_persona: dict[str, list[InterviewUnit]] = defaultdict(list)
    for u in units:
        by_persona[u.persona_id].append(u)
    if max((len(g) for g in by_persona.values()), default=0) < 2:
        return
    for pid, group in sorted(by_persona.items()):
        means = [statistics.mean(g for _, g in u.pairs) for u in group if u.pairs]
        out.add("score_sd", pid, statistics.stdev(means) if len(means) > 1 else None, n=len(means))
    passed = sum(all(u.within_tolerance for u in group) for group in by_persona.values())
    out.add("pass_k", "overall", passed / len(by_persona), wilson_interval(passed, len(by_persona)), len(by_persona),
            {"k": max(len(g) for g in by_persona.values())})


def _cost(out: _Rows, results: list[InterviewResult]) -> None:
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in results:
        for c in r.calls:
            t = totals[c.role]
            t["cost_usd"] += c.cost_usd
            t["prompt_tokens"] += c.prompt_tokens
            t["completion_tokens"] += c.completion_tokens
            t["calls"] += 1
            t["latency_s"] += c.latency_s
            t["cache_hits"] += c.cache_hit
            t["unknown_cost"] += not c.cost_known
    for role, t in sorted(totals.items()):
        for metric, value in t.items():
            out.add(metric, role, value, n=int(t["calls"]))


def compute_checks(results: list[InterviewResult], units: list[InterviewUnit], scenario, personas: dict, gates: dict[str, Gate]) -> list[CheckRow]:
    """All check rows for one run."""
    out = _Rows(gates)
    errors = [f"{r.persona_id}#{r.trial}: {r.error}" for r in results if r.status != "completed"]
    out.add("errors", "overall", float(len(errors)), n=len(results), details={"errors": errors[:50]})
    _calibration(out, units, scenario.competency_ids)
    _flags_and_hire(out, units, scenario.red_flag_ids)
    _conformance(out, units)
    _personas(out, units, personas)
    _repeats(out, units)
    _cost(out, results)
    return out.rows
