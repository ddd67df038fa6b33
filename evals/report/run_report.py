"""The full report of one stored run, as titled sections of text, tables and excerpts, and its markdown form.

The report reads what `run` stored (the checks and the interviews as saved) so it shows the
labels and gates the run was judged by. Renderers (markdown here, HTML in `report_html`) only
lay out the sections; every number and sentence is decided once, in `build_report`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from agents.records import InterviewResult, structured_moves
from evals.metrics.checks import compute_checks
from evals.metrics.digest import digest_for
from evals.metrics.level_bias import by_level, in_words
from evals.metrics.registry import headline, metric
from evals.metrics.rows import (
    CheckRow,
    ConformanceDetails,
    ConfusionDetails,
    FlagCounts,
    HireDetails,
    MarginDetails,
    PassKDetails,
    PersonaDetails,
)
from evals.metrics.topic_screen import merge_violations, screen_interviewer_text
from evals.metrics.units import known_results, labels_of
from evals.raters.agreement import human_agreement
from evals.report.blocks import (
    Block,
    Heatmap,
    Quote,
    Section,
    ShiftChart,
    Table,
    TrendChart,
    fmt,
    gate_mark,
    interval,
    markdown_table,
    yes_no,
)
from evals.report.ci_outputs import failed_checks
from evals.report.findings import called_roles, findings, who
from evals.report.grader_words import grader_words_blocks
from evals.report.history import history_table, run_history, trend_chart
from evals.report.mismatches import WORST, worst, worst_mismatches
from evals.report.noise import noise
from evals.report.probes import latest_probe, probe_findings, probe_run_findings, probe_section
from evals.runs.config import ImportConfig, RegradeConfig, SimulateConfig
from evals.runs.twins import twin_blocks
from evals.store.database import RunRecord, Store

COUNTS = ("not_assessed", "not_asked")
CALIBRATION = ("qwk", "exact", "adjacent", "spearman", "mae", "bias", "not_assessed", "not_asked")
COST = ("calls", "prompt_tokens", "completion_tokens", "latency_s", "cache_hits", "cost_usd")


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


def _by(rows: list[CheckRow]) -> dict[tuple[str, str], CheckRow]:
    return {(r.metric, r.scope): r for r in rows}


def _header(run: RunRecord, planned: int, finished: int, rows_of_run: list[CheckRow]) -> Table:
    stamp = lambda t: "-" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))  # noqa: E731
    rows = [
        ["run id", run.run_id],
        ["label", run.label or "-"],
        ["status", run.status],
        ["started / finished", f"{stamp(run.started_at)} / {stamp(run.finished_at)}"],
        ["git commit", run.git_commit or "-"],
        ["interviews", f"{finished} finished of {planned} planned"],
    ]
    rows += [["interviewer source", run.config.interviewer], ["annotator", run.config.annotator]]
    rows += [["run kind", run.config.kind]]
    rows += [["regrade of", run.config.regrade_of]] if isinstance(run.config, RegradeConfig) else []
    rows += [["recordings", run.config.recordings]] if isinstance(run.config, ImportConfig) else []
    rows += [["interview length", run.config.length.describe()]] if isinstance(run.config, SimulateConfig) else []
    called = called_roles(rows_of_run)
    if run.config.interviewer in ("imported", "external"):
        rows += [["interviewer (judged)", who(run, "interviewer").removeprefix("The ")]]
    # A role whose model was never called (the interviewer and candidate of a recording) is not named.
    rows += [[f"{role} model", model] for role, model in run.models.items() if role in called or not rows_of_run]
    rows += [[f"{role} prompt sha256", digest[:16]] for role, digest in sorted(run.prompt_hashes.items())]
    rows += [
        ["scenario", f"{run.scenario_id} (sha256 {run.scenario_hash[:16]})"],
        ["persona-set sha256", run.persona_set_hash[:16]],
    ]
    return Table(["field", "value"], rows)


def _headline(by: dict) -> Table:
    rows = [
        [m.label, fmt(r.value), interval(r), str(r.n or 0), gate_mark(r)] for m in headline() if (r := by.get((m.name, m.scope)))
    ]
    return Table(["metric", "value", "95% CI", "n", "gate"], rows)


def _calibration(by: dict, competencies: list[str]) -> Table:
    def cell(metric: str, scope: str) -> str:
        r = by.get((metric, scope))
        return "-" if r is None else (f"{r.value or 0:.0f}/{r.n}" if metric in COUNTS else fmt(r.value))

    rows = [[scope, *(cell(m, scope) for m in CALIBRATION)] for scope in ["overall", *competencies]]
    return Table(
        ["competency", *CALIBRATION],
        rows,
        "not_assessed counts 'not assessed' grades out of the asked competencies; not_asked counts competencies no "
        "question probed, out of all (expected 'not assessed', left out of agreement). Neither is scored as a number.",
    )


def _levels(rows: list[CheckRow]) -> list[Block]:
    """Intended against graded per level: the mean drift with a bar, the shares graded above and below, and in words
    where the grader is lenient or harsh."""
    levels = by_level(rows)
    if not any(c.cells for c in levels):
        return []
    out = []
    for c in levels:
        out.append([str(c.level), str(c.cells), c.drift(), c.share(c.higher), c.share(c.lower)])
    caption = "In words: " + "; ".join(in_words(levels)) + "."
    return [
        Table(
            ["intended level", "cells", "mean graded - intended", "graded higher [95% CI]", "graded lower [95% CI]"], out, caption
        )
    ]


def _panel(by: dict, rows: list[CheckRow]) -> list[Block]:
    """Each panel member's agreement with the labels beside the panel's, and the members' with each other."""
    members = sorted({r.scope for r in rows if r.metric == "panel_member_qwk"}, key=lambda s: int(s.split(":")[0]))
    if not members:
        return []
    out = [[m, fmt(by[("panel_member_qwk", m)].value), fmt(by[("panel_member_exact", m)].value)] for m in members]
    out.append(
        [
            "panel (median per competency, majority per flag)",
            fmt(by[("qwk", "overall")].value),
            fmt(by[("exact", "overall")].value),
        ]
    )
    alpha = by[("panel_alpha", "overall")]
    caption = (
        f"The members agree with each other at Krippendorff's alpha (ordinal) {fmt(alpha.value)} over {alpha.n} scored "
        "cells. For scale, meta-analyses of structured interviews put a panel's inter-rater reliability near .74 and "
        "separate interviewers' near .44."
    )
    return [Table(["grader", "QWK vs labels", "exact vs labels"], out, caption)]


def _humans(store: Store, run: RunRecord, lib) -> list[Block]:
    """People's blind ratings (`serve`'s rating page, or `ratings import`): each rater against the labels and the
    grader, the raters with each other, and the interviews where grader and people differ most."""
    ratings = store.load_ratings(run.run_id)
    if not ratings:
        return ["Nobody has rated this run's interviews yet: `serve` has a blind rating page at /runs/RUN_ID/rate."]
    rated = {(r.persona_id, r.trial) for r in ratings}
    results = store.load_results(run.run_id, sorted(rated))
    personas = lib.personas if lib is not None else {}
    labels = {(r.persona_id, r.trial): labels_of(r, personas) for r in results}
    scenario = lib.scenarios.get(run.scenario_id) if lib is not None else None
    flags = scenario.red_flag_ids if scenario is not None else sorted({f for r in ratings for f in r.red_flags})
    found = human_agreement(ratings, results, labels, flags)
    if found is None:
        return ["The ratings stored for this run name none of its interviews."]
    table = Table(
        ["rater", "interviews", "QWK vs labels", "QWK vs grader", "flags as the grader"],
        [[r.rater, str(r.interviews), fmt(r.with_labels), fmt(r.with_grader), fmt(r.flags_with_grader)] for r in found.raters],
        f"Raters with each other: Krippendorff's alpha (ordinal) {fmt(found.alpha)} over {found.cells} cells two or more "
        "rated. Ratings export and import as JSONL (`interview-harness ratings`).",
    )
    queue = Table(
        ["interview", "mean |grader - people|"],
        [[key, fmt(gap)] for key, gap in found.queue],
        "Where the grader and the people's median differ most: read these first.",
    )
    return [table, queue]


def _trials(by: dict, rows: list[CheckRow]) -> list[Block]:
    """With repeated trials: how stable each persona's verdicts are, the flakiest first."""
    personas = sorted({r.scope for r in rows if r.metric == "trial_hire_flips" and r.scope != "overall"})
    flags = sorted(r.scope for r in rows if r.metric == "trial_flag_flips" and r.scope.startswith("flag/"))
    if not personas:
        return []

    def value(name: str, pid: str) -> float:
        row = by.get((name, pid))
        return row.value if row is not None and row.value is not None else 0.0

    ranked = sorted(
        personas, key=lambda p: (-value("trial_hire_flips", p), -value("trial_flag_flips", p), -value("score_sd", p), p)
    )
    table = Table(
        ["persona", "trials", "hire flips", "red-flag flips", "score spread (sd)"],
        [
            [
                p,
                str(by[("trial_hire_flips", p)].n),
                fmt(value("trial_hire_flips", p)),
                fmt(value("trial_flag_flips", p)),
                fmt(value("score_sd", p)),
            ]
            for p in ranked
        ],
    )
    once, always = by.get(("hire_pass_at_1", "overall")), by.get(("hire_pass_hat_k", "overall"))
    if once is None or always is None:
        return [table]
    k = always.details_as(PassKDetails).k
    said = (
        f"Hire decisions: right in a single trial {fmt(once.value)} {interval(once)} of the time (pass@1); right in all {k} "
        f"trials for {fmt(always.value)} {interval(always)} of the personas (pass^{k}). Flips count trials that differ "
        "from the persona's most common verdict"
        + (
            "; per red flag: " + ", ".join(f"{f.removeprefix('flag/')} {fmt(by[('trial_flag_flips', f)].value)}" for f in flags)
            if flags
            else ""
        )
        + "."
    )
    return [said, table]


def _history(store: Store, run: RunRecord) -> list[Block]:
    """The headline metrics over the runs of this run's scenario and label, up to this one."""
    past = run_history(store, label=run.label, scenario=run.scenario_id, until_run=run.run_id)
    if len(past.points) < 2:
        return ["No earlier finished run with this label and scenario: `interview-harness history` shows every run."]
    title = f"Runs of {run.scenario_id}" + (f" labelled {run.label}" if run.label else "") + ", oldest first"
    return [trend_chart(past, title), history_table(past)]


def _flags(by: dict, rows: list[CheckRow]) -> Table:
    scopes = sorted({r.scope for r in rows if r.metric == "red_flag_f1"}, key=lambda s: (s == "micro", s))
    out = []
    for s in scopes:
        d = by[("red_flag_f1", s)].details_as(FlagCounts)
        out.append(
            [
                s,
                fmt(by[("red_flag_precision", s)].value),
                fmt(by[("red_flag_recall", s)].value),
                fmt(by[("red_flag_f1", s)].value),
                str(d.tp),
                str(d.fp),
                str(d.fn),
            ]
        )
    return Table(["flag", "precision", "recall", "F1", "tp", "fp", "fn"], out)


def _hire(by: dict) -> list[Block]:
    r = by.get(("hire_accuracy", "overall"))
    if r is None:
        return ["No hire recommendations were recorded."]
    d = r.details_as(HireDetails)
    kinds = (("false hires", d.false_hires), ("false rejections", d.false_rejections), ("ungraded", d.ungraded))
    return [
        f"Hire accuracy {fmt(r.value)} (95% CI {interval(r)}, n={r.n}). {gate_mark(r)}".strip(),
        Table(["kind", "interviews"], [[kind, ", ".join(ids) or "none"] for kind, ids in kinds]),
    ]


def _personas(rows: list[CheckRow], competencies: list[str]) -> Table:
    out = []
    for r in (r for r in rows if r.metric == "persona"):
        d = r.details_as(PersonaDetails)
        cells = [r.scope, str(d.intended_level)]
        for c in competencies:
            g = d.graded.get(c)
            cells.append("not asked" if c in d.not_asked else f"{d.intended.get(c, '-')}→{'n/a' if g is None else g}")
        cells += [
            ", ".join(d.intended_flags) or "-",
            ", ".join(d.graded_flags) or "-",
            f"{yes_no(d.hire_intended)}→{yes_no(d.hire_graded)}",
            yes_no(d.fidelity_ok),
            d.attribution,
        ]
        out.append(cells)
    return Table(
        ["interview", "level", *competencies, "flags intended", "flags found", "hire", "fidelity ok", "attribution"],
        out,
        "Each competency cell is intended→graded, or 'not asked' when no question probed it (then it is expected not assessed). A mismatch is charged to the persona when the judge says it was not played as labelled.",
    )


def _violations(result: InterviewResult, scenario) -> str:
    """The interviewer text that broke a rule: the text screen's hits (when the scenario is known) and the judge's."""
    found = merge_violations(screen_interviewer_text(result.transcript, scenario) if scenario else [], result.violations or [])
    shown = "; ".join(f"[turn {v.turn_index}] {v.topic}: {v.quote}" for v in found[:3])
    return (shown + (f"; and {len(found) - 3} more" if len(found) > 3 else "")) or "-"


# Checks the guided interviewer cannot fail: the harness's format rules choose its moves.
ENFORCED_WHEN_GUIDED = ("question_count", "competency_coverage", "segment_order", "candidate_questions_offered")


def _key(quoted: str) -> tuple[str, int]:
    persona_id, _, trial = quoted.rpartition("#")
    return persona_id, int(trial)


def _conformance(run: RunRecord, by: dict, rows: list[CheckRow], results: Mapping[str, InterviewResult], scenario) -> list[Block]:
    note: list[Block] = []
    if structured_moves(run.config.interviewer):
        note.append(
            f"The guided interviewer's moves are narrowed by the harness each turn, so {', '.join(ENFORCED_WHEN_GUIDED)} "
            "are enforced by the format rules and are no evidence about the interviewer model; run with "
            "--interviewer-source free or external to judge a model's own format keeping."
        )
    else:
        note.append(f"Interviewer source: {run.config.interviewer}; checks read the annotator's labels of each turn.")
    lines = [
        [r.metric.split(".", 1)[1], fmt(r.value), interval(r), str(r.n or 0)] for r in rows if r.metric.startswith("conformance.")
    ]
    for name in ("conformance", "probe_rate_after_no_metric", "probe_depth", "talk_time_share"):
        if (r := by.get((name, "overall"))) is not None:
            shown = "all checks" if name == "conformance" else name
            lines.append([shown, fmt(r.value), interval(r), str(r.n or 0)])
    blocks: list[Block] = [*note, Table(["check", "value", "95% CI", "n"], lines)]
    failing = failed_checks(rows)
    if failing:
        out = [[key, ", ".join(bad), _violations(results[key], scenario)] for key, bad in failing.items()]
        blocks.append(
            Table(["interview", "failed checks", "flagged interviewer text"], out, "Interviews that failed a conformance check")
        )
    else:
        blocks.append("No interview failed a conformance check.")
    overall = by.get(("conformance", "overall"))
    if overall is not None:
        d = overall.details_as(ConformanceDetails)
        if d.unsure:
            blocks.append(
                f"{len(d.unsure)} interview(s) had checks neither the rules nor a judge could settle (not failures, not "
                "passes): " + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(d.unsure.items())[:20])
            )
        if d.disagreements:
            blocks.append(
                "The judge read these interviews and contradicted a rule's hit, which is counted as the judge said: "
                + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(d.disagreements.items())[:20])
            )
    return blocks


def _annotator(by: dict) -> list[Block]:
    found = [
        (scope, by[("annotator_accuracy", scope)])
        for scope in ("action", "question", "segment")
        if ("annotator_accuracy", scope) in by
    ]
    if not found:
        return ["No guided interview to measure the annotator against."]
    caption = (
        "On guided interviews the turns carry the interviewer's own labels; this is how often the annotator "
        "(rules, then the judge) reads them the same way. It is the accuracy behind every unguided run's checks."
    )
    return [
        Table(
            ["label", "agreement", "95% CI", "turns"], [[s, fmt(r.value), interval(r), str(r.n or 0)] for s, r in found], caption
        )
    ]


def _noise(store: Store, run: RunRecord) -> list[Block]:
    found = noise(store, run)
    if not found:
        return [
            "No repeat of this run is stored: regrade it with the same grader to see grader noise, and rerun it "
            "with the same configuration to see simulation noise."
        ]
    rows = [[n.kind, n.other, str(n.paired), fmt(n.mean_abs_change), fmt(n.hire_flips)] for n in found]
    caption = (
        "Against stored repeats of this run with the same grader: a regrade grades the same transcripts again "
        "(grader noise); a rerun simulates the interviews again (simulation noise on top)."
    )
    return [Table(["noise", "other run", "paired interviews", "mean |score change|", "hire flips"], rows, caption)]


def _cost(run: RunRecord, by: dict, rows: list[CheckRow]) -> Table:
    out = []
    for role in sorted({r.scope for r in rows if r.metric == "calls"}):
        v = {m: (by[(m, role)].value if (m, role) in by else 0.0) or 0.0 for m in (*COST, "unknown_cost")}
        out.append(
            [
                role,
                run.models.get(role, "-"),
                *(f"{v[m]:.0f}" for m in COST[:3]),
                f"{v['latency_s']:.1f}",
                f"{v['cache_hits']:.0f}",
                f"{v['cost_usd']:.4f}" + (" (some calls unpriced)" if v["unknown_cost"] else ""),
            ]
        )
    return Table(["role", "model", "calls", "prompt tokens", "completion tokens", "model seconds", "cache hits", "cost $"], out)


def _margins(rows: list[CheckRow]) -> Table:
    out = []
    for r in (r for r in rows if r.metric == "baseline_margin"):
        d = r.details_as(MarginDetails)
        out.append([metric(r.scope).label, fmt(d.grader), fmt(d.counting), fmt(r.value), interval(r)])
    caption = (
        "The counting baseline grades the same transcripts by word and figure counts alone (no model). "
        "Margin: how much better the grader does (positive = better, for every metric); paired bootstrap interval."
    )
    return Table(["metric", "grader", "counting baseline", "margin", "95% CI"], out, caption)


def _heatmap(row: CheckRow) -> Heatmap:
    d = row.details_as(ConfusionDetails)
    return Heatmap(d.labels, d.matrix, d.not_assessed)


def build_report(store: Store, run: RunRecord, lib=None, *, with_probe: bool = True) -> Report:
    """Assemble the report of `run`; checks are recomputed in memory when the run never stored any. With
    `with_probe`, the run's latest probe run is shown too (the audit leaves it out and shows the probe it is given)."""
    rows = store.load_checks(run.run_id)
    scenario = lib.scenarios.get(run.scenario_id) if lib else None
    if not rows and lib is not None and scenario is not None and (results := store.load_results(run.run_id)):
        known, _ = known_results(results, lib.personas)
        digests = [digest_for(r, lib.personas, scenario) for r in known]
        rows = compute_checks(digests, scenario, lib.personas, run.config.gates)
    if run.config.kind == "probe":
        return _probe_report(store, run, rows)
    finished = store.count_interviews(run.run_id, "completed")
    by = _by(rows)
    # Only the interviews the report quotes are read: a run of 10,000 would take seconds and gigabytes to read whole.
    quoted = [*failed_checks(rows), *(r.scope for r in worst(rows))]
    keyed = {f"{r.persona_id}#{r.trial}": r for r in store.load_results(run.run_id, [_key(k) for k in quoted])} if quoted else {}
    competencies = scenario.competency_ids if scenario else sorted({r.scope for r in rows if r.metric == "mae"} - {"overall"})
    conf = by.get(("confusion", "overall"))
    sections = [
        Section("run", "Run", [_header(run, len(run.plan), finished, rows)]),
        Section("headline", "Headline metrics", [_headline(by)]),
        Section("calibration", "Grader calibration per competency", [_calibration(by, competencies)]),
        Section("levels", "Grader calibration per level", _levels(rows)),
        Section("panel", "Grading panel", _panel(by, rows)),
        Section(
            "confusion",
            "Confusion matrix (rows intended level, columns graded score)",
            [_heatmap(conf)] if conf else ["No graded pairs."],
        ),
        Section("baseline", "Margin over the counting baseline", [_margins(rows)]),
        Section("red_flags", "Red-flag detection", [_flags(by, rows)]),
        Section("hire", "Hire recommendation", _hire(by)),
        Section("personas", "Per persona", [_personas(rows, competencies)]),
        Section("trials", "Repeated trials", _trials(by, rows)),
        Section("conformance", "Interviewer conformance", _conformance(run, by, rows, keyed, scenario)),
        Section("annotator", "Annotator accuracy", _annotator(by)),
        Section("grader_text", "The grader's own words", grader_words_blocks(by.get(("grader_text_flags", "overall")))),
        Section("humans", "Human raters", _humans(store, run, lib)),
        Section("history", "History", _history(store, run)),
        Section("noise", "Grader noise and simulation noise", _noise(store, run)),
        Section("mismatches", f"Worst mismatches (top {WORST} by error)", worst_mismatches(rows, keyed, scenario)),
        Section("cost", "Cost and tokens per role", [_cost(run, by, rows)]),
    ]
    if isinstance(run.config, SimulateConfig) and run.config.twins and scenario is not None:
        blocks = twin_blocks(store.load_results(run.run_id), scenario, run.config.trials, run.config.twins)
        sections.insert(-1, Section("twins", "Twins: the interviewer under each name set", blocks))
    stated = findings(run, rows, len(run.plan), finished)
    probe = latest_probe(store, run) if with_probe else None
    if probe is not None:
        probe_rows = store.load_checks(probe.run_id)
        sections.insert(-1, probe_section(probe, probe_rows, own=False))
        stated += probe_run_findings(probe, probe_rows)
    return Report(run, rows, stated, [s for s in sections if s.blocks])  # a section with nothing to show is left out


def _probe_report(store: Store, run: RunRecord, rows: list[CheckRow]) -> Report:
    probed = len({(p.persona_id, p.trial) for p in store.load_probe_grades(run.run_id) if p.status == "completed"})
    sections = [
        Section("run", "Run", [_header(run, len(run.plan), probed, rows)]),
        probe_section(run, rows, own=True),
        Section("cost", "Cost and tokens per role", [_cost(run, _by(rows), rows)]),
    ]
    return Report(run, rows, findings(run, rows, len(run.plan), probed) + probe_findings(run, rows), sections)


def render_markdown(report: Report) -> str:
    """The report as one markdown document."""
    lines = [f"# {report.title}", "", "## Findings", ""]
    lines += [f"- {f}" for f in report.findings] or ["- Nothing to report."]
    for section in report.sections:
        lines += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, (Table, Heatmap, ShiftChart, TrendChart)):
                lines += markdown_table(block if isinstance(block, Table) else block.table())
            elif isinstance(block, Quote):
                lines += [f"{block.label}:", ""] + [f"> {x}".replace("\n", " ") for x in block.lines] + [""]
            else:
                lines += [block, ""]
    return "\n".join(lines).rstrip() + "\n"
