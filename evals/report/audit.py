"""The audit document of one run: what an auditor or a regulator of an automated employment decision tool asks for,
in one place.

The tool and its configuration, how the test data was made and checked, the grader's accuracy with intervals, the
robustness probes, the bias audit, the interviewer checks, the screen of the grader's own words, where the log of
every model call is kept, and what synthetic test data can and cannot show. Every number comes from what the run
and its probe run stored; the sections reuse the run report's, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from evals.metrics.rows import CheckRow, ImpactDetails
from evals.report.bias_audit import FOUR_FIFTHS, four_fifths
from evals.report.blocks import Block, Heatmap, Quote, Section, ShiftChart, Table, TrendChart, fmt, gate_mark
from evals.report.findings import who
from evals.report.probes import bias_blocks, probe_run_findings, probe_section
from evals.report.run_report import Report, build_report
from evals.runs.config import ImportConfig, ProbeConfig, RegradeConfig, SimulateConfig
from evals.store.database import RunRecord, Store

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("interviewer", "candidate", "grader", "judge", "annotator")
ACCURACY = ("headline", "calibration", "levels", "panel", "confusion", "baseline", "red_flags", "hire", "humans")
LIMITS = [
    "What this test data can show: whether the grader's scores, red flags and hire calls agree with labels a person "
    "wrote and two other people checked blind, on interviews whose level is known; whether the grader moves when only "
    "a name, the padding, the order or the evidence changes; whether the interviewer kept the format. These are "
    "properties of the tool under controlled inputs, measured with intervals.",
    "What it cannot show: how the tool treats real applicants. The personas and their names are synthetic; their "
    "groups are the perceived race and sex of a name, not any person's self-identification; every group answered "
    "the same interviews, so the rates above are counterfactual rates, not the historical selection rates of a "
    "bias audit of real use. Synthetic interviews cover the situations their writers thought of; a real candidate "
    "pool has accents, disabilities, interruptions and topics no writer planted. A pass here is necessary, not "
    "sufficient: an audit of the tool in use needs its own data, with the categories applicants report.",
    "The labels are a reference, not the truth: the raters' agreement (above) bounds how well any grader can be "
    "shown to agree with them.",
]


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _markdown_table(path: Path, heading: str) -> Table | None:
    """The first markdown table under `heading` in `path`, as a Table; None when either is missing."""
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((k for k, line in enumerate(lines) if line.strip().lstrip("#").strip() == heading), None)
    if start is None:
        return None
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            if rows:
                break
            continue
        if not set(line.replace("|", "").strip()) <= set("-: "):  # not the separator under the header
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return Table(rows[0], rows[1:], f"From {path.relative_to(ROOT)}, section '{heading}'.") if rows else None


def _tool(run: RunRecord, probe: RunRecord | None) -> list[Block]:
    try:
        version = metadata.version("interview-harness")
    except metadata.PackageNotFoundError:
        version = "unknown"
    dirty = {True: " (uncommitted changes)", False: "", None: " (unknown whether clean)"}[run.git_dirty]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at))
    rows = [
        ["tool", f"interview-harness {version}"],
        ["code commit", f"{run.git_commit or 'unknown'}{dirty}" + (f" on {run.git_branch}" if run.git_branch else "")],
        ["run", f"{run.run_id} ({run.config.kind}, {run.status}, started {stamp})"],
        ["scenario", f"{run.scenario_id} (sha256 {run.scenario_hash[:16]})"],
        ["persona set", f"sha256 {run.persona_set_hash[:16]}"],
        ["interviews planned", str(len(run.plan))],
        ["gates", ", ".join(f"{g.metric} {g.op} {g.threshold:g}" for g in run.config.gates.values()) or "-"],
    ]
    if probe is not None and isinstance(probe.config, ProbeConfig):
        settings = probe.config.probe
        names = f"; name sets sha256 {settings.name_sets_sha256[:16]}" if settings.name_sets_sha256 else ""
        rows.append(["probe run", f"{probe.run_id} ({', '.join(settings.suite)}{names})"])
    roles = [
        [role, who(run, role), (run.prompt_hashes.get(role) or "-")[:16]]
        for role in ROLES
        if role in run.models or role in run.prompt_hashes
    ]
    return [
        Table(["", "value"], rows, "The tool as it ran: every figure below comes from this configuration."),
        Table(
            ["role", "played by", "prompt template sha256"],
            roles,
            "Every run records the hash of each prompt template; a changed prompt is a new configuration.",
        ),
    ]


def _data(store: Store, run: RunRecord, lib) -> list[Block]:
    config = run.config
    if isinstance(config, RegradeConfig):
        original = store.get_run(config.regrade_of)
        intro = f"Run {run.run_id} grades again the frozen transcripts of run {config.regrade_of}."
        return [intro, *(_data(store, original, lib) if original is not None else [])]
    if isinstance(config, ImportConfig):
        path = Path(config.recordings)
        blocks: list[Block] = [
            f"Recorded interviews from {path} (sha256 {config.recordings_sha256[:16]} when imported), each with the labels "
            "of its writer: levels per competency (null where the interview cannot show one), red flags, the hire "
            "call, and for every interviewer turn its segment, action and bank question."
        ]
        corpus = ROOT / "corpus"
        if path.resolve().is_relative_to(corpus.resolve()):
            blocks.append(
                "The file is the project's corpus of realistic interviews, written by several writers from the seed "
                "scenario alone and labelled blind by two raters who saw no labels (corpus/README.md):"
            )
            if (table := _markdown_table(corpus / "README.md", "How far the labellers agreed")) is not None:
                blocks.append(table)
        else:
            blocks.append("The harness holds no record of how these labels were checked: ask their writer.")
        return blocks
    personas = sorted({p for p, _ in run.plan})
    library = lib.personas if lib is not None else {}
    levels: dict[int, int] = {}
    flags = 0
    for pid in personas:
        if pid in library:
            for level in library[pid].intended.competency_levels.values():
                levels[level] = levels.get(level, 0) + 1
            flags += len(library[pid].intended.red_flags)
    guide = ROOT / "personas" / "LABELING.md"
    digest = _sha256(guide)
    spread = ", ".join(f"level {k}: {v}" for k, v in sorted(levels.items())) or "unknown"
    blocks = [
        f"Synthetic candidates: {len(personas)} personas, each written to intended levels per competency and planted "
        f"red flags by personas/LABELING.md (sha256 {digest[:16] if digest else 'not found'}); competency cells by "
        f"intended level: {spread}; {flags} red flags planted. The candidate model plays each persona from its "
        "story bank; the judge checks that it played its level (persona fidelity, below)."
        + (
            f" Twins: every persona also ran under {len(config.twins)} name sets."
            if isinstance(config, SimulateConfig) and config.twins
            else ""
        ),
        "The labels were checked by two raters who saw only the rubric and the stories, never the labels:",
    ]
    if (table := _markdown_table(guide, "Rater agreement")) is not None:
        blocks.append(table)
    return blocks


def _bias(probe: RunRecord | None, rows: list[CheckRow]) -> list[Block]:
    if probe is None:
        return ["Not audited: the run has no complete probe run with name swaps (interview-harness probe RUN_ID)."]
    blocks = bias_blocks(rows)
    if not blocks:
        return [f"Probe run {probe.run_id} swapped no names, so there is no bias audit (its suite lacked name_swap)."]
    impact = next(r for r in rows if r.metric == "impact_ratio" and r.scope == "overall")
    d = impact.details_as(ImpactDetails)
    below = []
    for g in d.groups:
        for rate, ratio, p, paired in (
            ("selection", g.hire_ratio, g.hire_p, g.hire_p_paired),
            ("scoring", g.scoring_ratio, g.scoring_p, g.scoring_p_paired),
        ):
            if ratio is not None and ratio < FOUR_FIFTHS:
                below.append(
                    f"{g.category} {g.group}, {rate} rate: ratio {ratio:.2f}, Fisher p {fmt(p, 3)}, paired p {fmt(paired, 3)}"
                )
    verdict = (
        f"Four-fifths verdict: {four_fifths(impact.value)}. "
        + (("Below four-fifths: " + "; ".join(below) + ".") if below else "No group is below four-fifths.")
        + f" Gate: {gate_mark(impact) or 'none'}."
    )
    intro = (
        "Every interview was graded again under each name set (perceived race and sex of a name), so the groups differ "
        "in the name alone. Categories and rates follow the New York City Local Law 144 rules for a bias audit; the "
        "tests and intervals are beyond what they require."
    )
    return [intro, verdict, *blocks]


def _log(store: Store, run: RunRecord, probe: RunRecord | None, probe_rows: list[CheckRow]) -> list[Block]:
    # The probe run's grader calls are counted in its stored cost rows; its graded copies need not be read.
    probe_calls = next((int(r.value or 0) for r in probe_rows if r.metric == "calls" and r.scope == "grader"), 0)
    ids = [run.run_id] + ([probe.run_id] if probe is not None else [])
    rows = []
    for run_id in ids:
        for role, calls, hits in store.query(
            "SELECT role, count(*), count(*) FILTER (WHERE cache_hit) FROM model_calls WHERE run_id = ? GROUP BY role ORDER BY role",
            [run_id],
        ):
            rows.append([run_id, role, str(calls), str(hits)])
    return [
        f"Every model call is logged in the results database {store.path}, table model_calls (one row per call: run, "
        "interview, role, model, prompt and completion tokens, latency, cost, cache hit, retries, error, start time); "
        "the transcripts in turns, the grades in grades and red_flags, the checks in checks"
        + (f", and the probe run's {probe_calls} grader calls with its graded copies in probe_grades" if probe else "")
        + ". Example: SELECT role, model, count(*) FROM model_calls WHERE run_id = '"
        + run.run_id
        + "' GROUP BY ALL.",
        Table(["run", "role", "calls", "cache hits"], rows, "Calls logged for the run."),
    ]


@dataclass
class Audit(Report):
    """The audit document: a report's shape (so it renders as markdown and HTML the same way) under its own title,
    with the probe run it shows and that run's rows."""

    probe: RunRecord | None = None
    probe_rows: list[CheckRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Audit of the interview grader: run {self.run.run_id}" + (f" ({self.run.label})" if self.run.label else "")


def build_audit(store: Store, run: RunRecord, lib, probe: RunRecord | None) -> Audit:
    """The audit of `run`, with `probe` (one of its probe runs, or None) for the probes and the bias audit."""
    report = build_report(store, run, lib, with_probe=False)
    by_key = {s.key: s for s in report.sections}
    probe_rows = store.load_checks(probe.run_id) if probe is not None else []

    def picked(keys: tuple[str, ...]) -> list[Block]:
        """The report's sections of `keys`, each under its title when there are several."""
        shown = [by_key[key] for key in keys if key in by_key]
        return [block for s in shown for block in ([f"{s.title}:"] if len(keys) > 1 else []) + s.blocks]

    probes: list[Block] = (
        probe_section(probe, probe_rows, own=False, with_bias=False).blocks
        if probe is not None
        else ["Not probed: interview-harness probe RUN_ID perturbs the transcripts and grades every copy."]
    )
    sections = [
        Section("tool", "1. The tool and its configuration", _tool(run, probe)),
        Section("data", "2. How the test data was made", _data(store, run, lib)),
        Section("accuracy", "3. Accuracy against the labels", picked(ACCURACY) or ["No graded interview."]),
        Section("probes", "4. Robustness probes", probes),
        Section("bias", "5. Bias audit", _bias(probe, probe_rows)),
        Section(
            "interviewer",
            "6. Interviewer checks",
            picked(("conformance", "annotator"))
            + ["How far each check can be trusted is measured on the labelled corpus: interview-harness meta."],
        ),
        Section("grader_text", "7. The grader's own words", picked(("grader_text",)) or ["No graded interview."]),
        Section("log", "8. The log of every model call", _log(store, run, probe, probe_rows)),
        Section("limits", "9. What synthetic test data can and cannot show", list(LIMITS)),
    ]
    stated = report.findings + (probe_run_findings(probe, probe_rows) if probe is not None else [])
    return Audit(run, report.rows, stated, sections, probe, probe_rows)


def _block_json(block: Block) -> Any:
    if isinstance(block, str):
        return {"text": block}
    if isinstance(block, Quote):
        return {"quote": block.label, "lines": block.lines}
    table = block if isinstance(block, Table) else block.table()
    assert isinstance(block, (Table, Heatmap, ShiftChart, TrendChart))
    return {"headers": table.headers, "rows": table.rows, "caption": table.caption}


def audit_json(audit: Audit) -> dict[str, Any]:
    """The audit as JSON: every section's blocks, and the rows they were computed from."""
    return {
        "title": audit.title,
        "run": audit.run.model_dump(mode="json"),
        "probe_run": audit.probe.run_id if audit.probe is not None else None,
        "findings": audit.findings,
        "sections": [{"key": s.key, "title": s.title, "blocks": [_block_json(b) for b in s.blocks]} for s in audit.sections],
        "checks": [r.model_dump(mode="json") for r in audit.rows],
        "probe_checks": [r.model_dump(mode="json") for r in audit.probe_rows],
    }
