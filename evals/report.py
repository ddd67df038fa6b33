"""The full report of one stored run, as titled sections of text, tables and excerpts, and its markdown form.

The report reads what `run` stored (the checks and the interviews as saved) so it shows the
labels and gates the run was judged by. Renderers (markdown here, HTML in `report_html`) only
lay out the sections; every number and sentence is decided once, in `build_report`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from agents.transcript import InterviewResult
from evals.checks import compute_checks
from evals.conformance import merge_violations, screen_interviewer_text
from evals.flag_metrics import evidence_grounding
from evals.gates import Gate
from evals.store import CheckRow, RunRecord, Store
from evals.units import build_units

HEADLINE = ("qwk", "abs_smd", "exact", "adjacent", "red_flag_recall", "hire_accuracy", "grounding", "conformance", "fidelity")
LABELS = {
    "qwk": "QWK", "abs_smd": "|SMD|", "exact": "exact agreement", "adjacent": "adjacent (±1) agreement",
    "red_flag_recall": "red-flag recall", "hire_accuracy": "hire accuracy", "grounding": "evidence grounding",
    "conformance": "interviewer conformance", "fidelity": "persona fidelity",
}
# Which role's model a failed gate indicts, so the findings name the model that missed the bar.
GATE_ROLE = {**dict.fromkeys(("qwk", "abs_smd", "exact", "adjacent", "red_flag_recall", "hire_accuracy", "grounding"), "grader"),
             "conformance": "interviewer"}
CALIBRATION = ("qwk", "exact", "adjacent", "spearman", "mae", "bias", "not_assessed")
COST = ("calls", "prompt_tokens", "completion_tokens", "latency_s", "cache_hits", "cost_usd")
WORST = 5
MAX_ANSWERS = 4


@dataclass
class Table:
    """A table of already formatted cells."""

    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Quote:
    """Lines quoted from the transcript or the grade, under a label."""

    label: str
    lines: list[str]


@dataclass
class Heatmap:
    """The intended x graded confusion matrix, with the 'not assessed' counts per intended level."""

    labels: list[int]
    matrix: list[list[int]]
    not_assessed: list[int]

    def table(self) -> Table:
        rows = [[f"intended {lab}", *map(str, row), str(na)] for lab, row, na in zip(self.labels, self.matrix, self.not_assessed)]
        return Table(["", *(f"graded {lab}" for lab in self.labels), "not assessed"], rows)


Block = str | Table | Quote | Heatmap


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]


@dataclass
class Report:
    """Everything shown about one run."""

    run: RunRecord
    rows: list[CheckRow]
    findings: list[str]
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Interview-harness report: run {self.run.run_id}" + (f" ({self.run.label})" if self.run.label else "")


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def interval(row: CheckRow) -> str:
    return "-" if row.ci_low is None or row.ci_high is None else f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"


def _op(run: RunRecord, metric: str) -> str:
    return run.config.get("gates", {}).get(metric, {}).get("op") or ("<=" if metric == "abs_smd" else ">=")


def gate_mark(run: RunRecord, row: CheckRow) -> str:
    if row.passed is None:
        return ""
    return f"{'PASS' if row.passed else 'FAIL'} ({_op(run, row.metric)} {row.threshold:g})"


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _by(rows: list[CheckRow]) -> dict[tuple[str, str], CheckRow]:
    return {(r.metric, r.scope): r for r in rows}


# Below this share of personas played as labelled, the report questions the judge as well as the personas.
LOW_FIDELITY = 0.5


def findings(run: RunRecord, rows: list[CheckRow], planned: int, finished: int) -> list[str]:
    """Plain statements of what the run shows, worst first; a failed gate is stated, never softened."""
    out = []
    failed: dict[str, list[CheckRow]] = {}
    for r in (r for r in rows if r.passed is False):
        failed.setdefault(GATE_ROLE.get(r.metric, "system"), []).append(r)
    for role, bad in sorted(failed.items(), key=lambda kv: ("grader", "interviewer", "system").index(kv[0])):
        parts = []
        for r in bad:
            worse = ">" if _op(run, r.metric) == "<=" else "<"
            shown = "undefined" if r.value is None else f"{r.value:.2f} {worse} {r.threshold:.2f}"
            parts.append(f"{LABELS.get(r.metric, r.metric)} {shown} (95% CI {interval(r)}, n={r.n or 0})")
        who = f"The {role} model {run.models.get(role, '?')}" if role in run.models else "The system under test"
        out.append(f"{who} does not meet the bar: " + "; ".join(parts) + ".")
    if run.status != "complete" or finished < planned:
        out.append(f"The run is {run.status}: {finished} of {planned} planned interviews finished; every number covers only those.")
    errors = _by(rows).get(("errors", "overall"))
    if errors and errors.value:
        out.append(f"{errors.value:.0f} interview(s) ended in an error and have no grade: {'; '.join(errors.details.get('errors', [])[:3])}.")
    persona_rows = [r for r in rows if r.metric == "persona"]
    blamed = [r.scope for r in persona_rows if r.details.get("attribution") == "persona"]
    if blamed:
        out.append(f"{len(blamed)} mismatch(es) are attributed to the persona, not the grader, because the judge says "
                   f"they were not played as labelled: {', '.join(blamed)}.")
    fidelity = _by(rows).get(("fidelity", "overall"))
    if fidelity and fidelity.value is not None and fidelity.value < LOW_FIDELITY:
        judge, candidate = run.models.get("judge", "?"), run.models.get("candidate", "?")
        same = " (both roles run on that same model)" if judge == candidate else ""
        out.append(f"Persona fidelity is {fidelity.value:.2f} (95% CI {interval(fidelity)}, n={fidelity.n or 0}): the judge "
                   f"model {judge} says most personas were not played at their labels. Either the candidate model "
                   f"{candidate} did not play them or the judge cannot tell{same}, so every mismatch charged to a "
                   "persona rests on that judge.")
    if persona_rows and all(r.details.get("fidelity_ok") is None for r in persona_rows):
        out.append("The judge gave no fidelity read, so no mismatch can be attributed to a persona.")
    if (gated := [r for r in rows if r.passed is not None]) and not failed:
        out.append(f"All {len(gated)} gates pass.")
    return out


def _header(run: RunRecord, planned: int, finished: int) -> Table:
    stamp = lambda t: "-" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))  # noqa: E731
    rows = [["run id", run.run_id], ["label", run.label or "-"], ["status", run.status],
            ["started / finished", f"{stamp(run.started_at)} / {stamp(run.finished_at)}"],
            ["git commit", run.git_commit or "-"], ["interviews", f"{finished} finished of {planned} planned"]]
    rows += [[f"{role} model", model] for role, model in run.models.items()]
    rows += [[f"{role} prompt sha256", digest[:16]] for role, digest in sorted(run.prompt_hashes.items())]
    rows += [["scenario", f"{run.scenario_id} (sha256 {run.scenario_hash[:16]})"], ["persona-set sha256", run.persona_set_hash[:16]]]
    return Table(["field", "value"], rows)


def _headline(run: RunRecord, by: dict) -> Table:
    rows = [[LABELS[m], fmt(r.value), interval(r), str(r.n or 0), gate_mark(run, r)]
            for m in HEADLINE if (r := by.get((m, "overall")) or by.get((m, "micro")))]
    return Table(["metric", "value", "95% CI", "n", "gate"], rows)


def _calibration(by: dict, competencies: list[str]) -> Table:
    def cell(metric: str, scope: str) -> str:
        r = by.get((metric, scope))
        return "-" if r is None else (f"{r.value:.0f}/{r.n}" if metric == "not_assessed" else fmt(r.value))

    rows = [[scope, *(cell(m, scope) for m in CALIBRATION)] for scope in ["overall", *competencies]]
    return Table(["competency", *CALIBRATION], rows, "not_assessed counts 'not assessed' grades out of all pairs; they are never scored as a number.")


def _flags(by: dict, rows: list[CheckRow]) -> Table:
    scopes = sorted({r.scope for r in rows if r.metric == "red_flag_f1"}, key=lambda s: (s == "micro", s))
    out = []
    for s in scopes:
        d = by[("red_flag_f1", s)].details
        out.append([s, fmt(by[("red_flag_precision", s)].value), fmt(by[("red_flag_recall", s)].value), fmt(by[("red_flag_f1", s)].value),
                    str(d.get("tp", 0)), str(d.get("fp", 0)), str(d.get("fn", 0))])
    return Table(["flag", "precision", "recall", "F1", "tp", "fp", "fn"], out)


def _hire(run: RunRecord, by: dict) -> list[Block]:
    r = by.get(("hire_accuracy", "overall"))
    if r is None:
        return ["No hire recommendations were recorded."]
    return [f"Hire accuracy {fmt(r.value)} (95% CI {interval(r)}, n={r.n}). {gate_mark(run, r)}".strip(),
            Table(["kind", "interviews"], [[k.replace("_", " "), ", ".join(r.details.get(k, [])) or "none"] for k in ("false_hires", "false_rejections", "ungraded")])]


def _personas(rows: list[CheckRow], competencies: list[str]) -> Table:
    out = []
    for r in (r for r in rows if r.metric == "persona"):
        d = r.details
        cells = [r.scope, str(d.get("intended_level", "-"))]
        for c in competencies:
            g = d.get("graded", {}).get(c)
            cells.append(f"{d.get('intended', {}).get(c, '-')}→{'n/a' if g is None else g}")
        cells += [", ".join(d.get("intended_flags", [])) or "-", ", ".join(d.get("graded_flags", [])) or "-",
                  f"{_yes(d.get('hire_intended'))}→{_yes(d.get('hire_graded'))}", _yes(d.get("fidelity_ok")), d.get("attribution", "-")]
        out.append(cells)
    return Table(["interview", "level", *competencies, "flags intended", "flags found", "hire", "fidelity ok", "attribution"], out,
                 "Each competency cell is intended→graded. A mismatch is charged to the persona when the judge says it was not played as labelled.")


def _violations(result: InterviewResult, scenario) -> str:
    """The interviewer text that broke a rule: the text screen's hits (when the scenario is known) and the judge's."""
    found = merge_violations(screen_interviewer_text(result.transcript, scenario) if scenario else [], result.violations or [])
    shown = "; ".join(f"[turn {v.turn_index}] {v.topic}: {v.quote}" for v in found[:3])
    return (shown + (f"; and {len(found) - 3} more" if len(found) > 3 else "")) or "-"


def _conformance(by: dict, rows: list[CheckRow], results: dict, scenario) -> list[Block]:
    lines = [[r.metric.split(".", 1)[1], fmt(r.value), interval(r), str(r.n or 0)] for r in rows if r.metric.startswith("conformance.")]
    for metric in ("conformance", "probe_rate_after_no_metric"):
        if (r := by.get((metric, "overall"))) is not None:
            name = "all checks" if metric == "conformance" else metric
            lines.append([name, fmt(r.value), interval(r), str(r.n or 0)])
    blocks: list[Block] = [Table(["check", "pass rate", "95% CI", "n"], lines)]
    failing = by[("conformance", "overall")].details.get("failing", {}) if ("conformance", "overall") in by else {}
    if failing:
        out = [[key, ", ".join(bad), _violations(results[key], scenario)] for key, bad in failing.items()]
        blocks.append(Table(["interview", "failed checks", "flagged interviewer text"], out, "Interviews that failed a conformance check"))
    else:
        blocks.append("No interview failed a conformance check.")
    return blocks


def _answers(result: InterviewResult, competency: str, scenario) -> list[str]:
    """Candidate turns given while a question probing `competency` was open (asked or probed on)."""
    bank = {q.id: q.competencies for q in scenario.question_bank} if scenario else {}
    out, current = [], False
    for t in result.transcript:
        if t.speaker == "interviewer":
            if t.question_id:
                current = competency in bank.get(t.question_id, [t.competency])
            elif t.action in ("transition", "close"):
                current = False
        elif current and t.segment == "deep_dives":
            out.append(f"[turn {t.index}] {t.text}")
    return out


def _error_key(r: CheckRow) -> tuple:
    d = r.details
    errs = [2 if g is None else abs(g - d["intended"][c]) for c, g in d.get("graded", {}).items()]
    flags = len(set(d.get("intended_flags", [])) ^ set(d.get("graded_flags", [])))
    return (max(errs, default=0), r.value or 0.0, flags, d.get("hire_intended") != d.get("hire_graded"))


def _focus(graded: dict, intended: dict, flags: set[str], scenario) -> tuple[str | None, str]:
    """The competency whose transcript lines explain a mismatch: the worst scored, else where a wrong flag shows."""
    error = lambda c: 2 if graded[c] is None else abs(graded[c] - intended[c])  # noqa: E731
    worst = max(graded, key=error, default=None)
    shown = [(f.id, c) for f in (scenario.red_flags if scenario else []) if f.id in flags for c in f.competencies if c in graded]
    if worst is not None and (error(worst) > 1 or not shown):
        return worst, f"Worst competency: {worst}, intended {intended[worst]}, graded {graded[worst] or 'not assessed'}."
    return (shown[0][1], f"Every score is within ±1; the lines below are on {shown[0][1]}, where {shown[0][0]} shows.") if shown else (None, "")


def _mismatch(r: CheckRow, result: InterviewResult | None, scenario) -> list[Block]:
    d = r.details
    planted, found = set(d.get("intended_flags", [])), set(d.get("graded_flags", []))
    focus, why = _focus(d.get("graded", {}), d.get("intended", {}), planted ^ found, scenario)
    facts = [f"**{r.scope}**, attributed to the {d.get('attribution')} (mean error {fmt(r.value)}).", why]
    for label, ids in (("Missed red flags", planted - found), ("Red flags reported but not planted", found - planted)):
        facts += [f"{label}: {', '.join(sorted(ids))}."] if ids else []
    if d.get("hire_intended") != d.get("hire_graded"):
        facts.append(f"Hire: intended {_yes(d.get('hire_intended'))}, graded {_yes(d.get('hire_graded'))}.")
    blocks: list[Block] = [" ".join(f for f in facts if f)]
    if result is None or result.grade is None or focus is None:
        return blocks
    said = [t.text for t in result.transcript if t.speaker == "candidate"]
    if cg := result.grade.competencies.get(focus):
        blocks.append(Quote(f"Grader's rationale for {focus}", [cg.rationale]))
        marked = [q + ("" if evidence_grounding([q], said).grounded else "  (not found in the candidate's turns)") for q in cg.evidence]
        blocks.append(Quote(f"Grader's evidence for {focus}", marked or ["(no evidence quoted)"]))
    blocks += [Quote(f"Grader's evidence for the unplanted flag {f.id}", f.evidence or ["(none)"]) for f in result.grade.red_flags if f.id in found - planted]
    answers = _answers(result, focus, scenario)
    blocks.append(Quote(f"Candidate's answers to the {focus} question", answers[:MAX_ANSWERS] or ["(no question on this competency was asked)"]))
    return blocks


def _worst(rows: list[CheckRow], results: dict, scenario) -> list[Block]:
    bad = sorted((r for r in rows if r.metric == "persona" and r.details.get("attribution") in ("grader", "persona")), key=_error_key, reverse=True)
    if not bad:
        return ["No graded interview disagrees with its labels beyond ±1, on red flags, or on hire."]
    return [b for r in bad[:WORST] for b in _mismatch(r, results.get(r.scope), scenario)]


def _cost(run: RunRecord, by: dict, rows: list[CheckRow]) -> Table:
    out = []
    for role in sorted({r.scope for r in rows if r.metric == "calls"}):
        v = {m: (by[(m, role)].value if (m, role) in by else 0.0) or 0.0 for m in (*COST, "unknown_cost")}
        out.append([role, run.models.get(role, "-"), *(f"{v[m]:.0f}" for m in COST[:3]), f"{v['latency_s']:.1f}", f"{v['cache_hits']:.0f}",
                    f"{v['cost_usd']:.4f}" + (" (some calls unpriced)" if v["unknown_cost"] else "")])
    return Table(["role", "model", "calls", "prompt tokens", "completion tokens", "model seconds", "cache hits", "cost $"], out)


def build_report(store: Store, run: RunRecord, lib=None) -> Report:
    """Assemble the report of `run`; checks are recomputed in memory when the run never stored any."""
    results, rows = store.load_results(run.run_id), store.load_checks(run.run_id)
    scenario = lib.scenarios.get(run.scenario_id) if lib else None
    if not rows and results and scenario is not None:
        gates = {m: Gate.model_validate(g) for m, g in run.config.get("gates", {}).items()}
        known = [r for r in results if r.persona_id in lib.personas]
        rows = compute_checks(known, build_units(known, lib.personas, scenario), scenario, lib.personas, gates)
    finished = sum(r.status == "completed" for r in results)
    by = _by(rows)
    keyed = {f"{r.persona_id}#{r.trial}": r for r in results}
    competencies = scenario.competency_ids if scenario else sorted({r.scope for r in rows if r.metric == "mae"} - {"overall"})
    conf = by.get(("confusion", "overall"))
    sections = [
        Section("run", "Run", [_header(run, len(run.plan), finished)]),
        Section("headline", "Headline metrics", [_headline(run, by)]),
        Section("calibration", "Grader calibration per competency", [_calibration(by, competencies)]),
        Section("confusion", "Confusion matrix (rows intended level, columns graded score)",
                [Heatmap(conf.details["labels"], conf.details["matrix"], conf.details["not_assessed"])] if conf else ["No graded pairs."]),
        Section("red_flags", "Red-flag detection", [_flags(by, rows)]),
        Section("hire", "Hire recommendation", _hire(run, by)),
        Section("personas", "Per persona", [_personas(rows, competencies)]),
        Section("conformance", "Interviewer conformance", _conformance(by, rows, keyed, scenario)),
        Section("mismatches", f"Worst mismatches (top {WORST} by error)", _worst(rows, keyed, scenario)),
        Section("cost", "Cost and tokens per role", [_cost(run, by, rows)]),
    ]
    return Report(run, rows, findings(run, rows, len(run.plan), finished), sections)


def markdown_table(t: Table) -> list[str]:
    md_cell = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [f"_{t.caption}_", ""] if t.caption else []
    lines += ["| " + " | ".join(map(md_cell, t.headers)) + " |", "|" + "---|" * len(t.headers)]
    return lines + ["| " + " | ".join(map(md_cell, row)) + " |" for row in t.rows] + [""]


def render_markdown(report: Report) -> str:
    """The report as one markdown document."""
    lines = [f"# {report.title}", "", "## Findings", ""]
    lines += [f"- {f}" for f in report.findings] or ["- Nothing to report."]
    for section in report.sections:
        lines += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, (Table, Heatmap)):
                lines += markdown_table(block.table() if isinstance(block, Heatmap) else block)
            elif isinstance(block, Quote):
                lines += [f"{block.label}:", ""] + [f"> {x}".replace("\n", " ") for x in block.lines] + [""]
            else:
                lines += [block, ""]
    return "\n".join(lines).rstrip() + "\n"
