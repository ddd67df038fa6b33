"""The findings of a report: plain statements of what a run shows, worst first; a failed gate is stated, never softened."""

from __future__ import annotations

from evals.metrics.registry import REGISTRY, metric
from evals.metrics.rows import CheckRow, ErrorDetails, MarginDetails, PersonaDetails
from evals.report.blocks import fmt, interval
from evals.runs.config import ImportConfig
from evals.store.database import RunRecord


def _by(rows: list[CheckRow]) -> dict[tuple[str, str], CheckRow]:
    return {(r.metric, r.scope): r for r in rows}


# Failed gates are stated per role whose model missed the bar, in this order.
FINDING_ORDER = ("grader", "interviewer", "candidate", "judge", "system")
# Below this share of personas played as labelled, the report questions the judge as well as the personas.
LOW_FIDELITY = 0.5


def who(run: RunRecord, role: str) -> str:
    """Who plays a role in the run, as the report names it: for the interviewer of imported interviews the recording,
    for an external interviewer its endpoint or callable, else the role's model. Never a model that was not called."""
    if role == "interviewer" and run.config.interviewer == "imported":
        source = run.config.recordings if isinstance(run.config, ImportConfig) else "the recordings of the original run"
        return f"The recorded interviewer ({source})"
    if role == "interviewer" and run.config.interviewer == "external":
        own = run.config.models.interviewer
        return f"The external interviewer {own.api_base or own.model.removeprefix('callable/')}"
    if role in run.models:
        named = run.models[role]
        return f"The {role} panel ({named})" if "," in named else f"The {role} model {named}"
    return "The system under test"


def called_roles(rows: list[CheckRow]) -> set[str]:
    """The roles whose model was called in the run (their call count is stored)."""
    return {r.scope for r in rows if r.metric == "calls" and (r.value or 0) > 0}


def findings(run: RunRecord, rows: list[CheckRow], planned: int, finished: int) -> list[str]:
    """Plain statements of what the run shows, worst first; a failed gate is stated, never softened."""
    out = []
    failed: dict[str, list[CheckRow]] = {}
    for r in (r for r in rows if r.passed is False):
        failed.setdefault(metric(r.metric).judges or "system", []).append(r)
    order = {m.name: k for k, m in enumerate(REGISTRY.values())}
    for role, bad in sorted(failed.items(), key=lambda kv: FINDING_ORDER.index(kv[0])):
        parts = []
        for r in sorted(bad, key=lambda r: order[r.metric]):
            worse = ">" if metric(r.metric).op == "<=" else "<"
            shown = "undefined" if r.value is None else f"{r.value:.2f} {worse} {r.threshold:.2f}"
            parts.append(f"{metric(r.metric).label} {shown} (95% CI {interval(r)}, n={r.n or 0})")
        out.append(f"{who(run, role)} does not meet the bar: " + "; ".join(parts) + ".")
    if run.status != "complete" or finished < planned:
        out.append(
            f"The run is {run.status}: {finished} of {planned} planned interviews finished; every number covers only those."
        )
    errors = _by(rows).get(("errors", "overall"))
    if errors and errors.value:
        out.append(
            f"{errors.value:.0f} interview(s) ended in an error and have no grade: "
            f"{'; '.join(errors.details_as(ErrorDetails).errors[:3])}."
        )
    persona_rows = [r for r in rows if r.metric == "persona"]
    blamed = [r.scope for r in persona_rows if r.details_as(PersonaDetails).attribution == "persona"]
    if blamed:
        out.append(
            f"{len(blamed)} mismatch(es) are attributed to the persona, not the grader, because the judge says "
            f"they were not played as labelled: {', '.join(blamed)}."
        )
    not_asked, hidden = _by(rows).get(("not_asked", "overall")), _by(rows).get(("flags_not_surfaced", "overall"))
    if (not_asked and not_asked.value) or (hidden and hidden.value):
        out.append(
            f"Expectations follow what was asked: {fmt(not_asked.value if not_asked else 0, 0)} of {not_asked.n if not_asked else 0} "
            f"competency slots were never asked (expected 'not assessed', left out of agreement), and "
            f"{fmt(hidden.value if hidden else 0, 0)} of {hidden.n if hidden else 0} planted red flags never had a question "
            "where they could surface (left out of red-flag recall and precision)."
        )
    margin = _by(rows).get(("baseline_margin", "qwk"))
    if margin and margin.details_as(MarginDetails).grader is not None and not (margin.ci_low or 0) > 0:
        d = margin.details_as(MarginDetails)
        out.append(
            f"The grader model {run.models.get('grader', '?')} does not beat a grader that only counts words and "
            f"figures: QWK {fmt(d.grader)} against the counting baseline's {fmt(d.counting)} on the same transcripts "
            f"(margin {fmt(margin.value)}, 95% CI {interval(margin)})."
        )
    fidelity = _by(rows).get(("fidelity", "overall"))
    if fidelity and fidelity.value is not None and fidelity.value < LOW_FIDELITY:
        judge, candidate = run.models.get("judge", "?"), run.models.get("candidate", "?")
        same = " (both roles run on that same model)" if judge == candidate else ""
        out.append(
            f"Persona fidelity is {fidelity.value:.2f} (95% CI {interval(fidelity)}, n={fidelity.n or 0}): the judge "
            f"model {judge} says most personas were not played at their labels. Either the candidate model "
            f"{candidate} did not play them or the judge cannot tell{same}, so every mismatch charged to a "
            "persona rests on that judge."
        )
    if persona_rows and all(r.details_as(PersonaDetails).fidelity_ok is None for r in persona_rows):
        out.append("The judge gave no fidelity read, so no mismatch can be attributed to a persona.")
    if (gated := [r for r in rows if r.passed is not None]) and not failed:
        out.append(f"All {len(gated)} gates pass.")
    return out
