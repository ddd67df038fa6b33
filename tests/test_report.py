"""`interview-harness report`: the self-contained HTML with a real heatmap, the markdown sections, and the findings."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from evals.cli import app
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY, run_harness
from tests.scripted_agents import InterviewScript

runner = CliRunner()
SECTIONS = (
    "## Findings",
    "## Run",
    "## Headline metrics",
    "## Grader calibration per competency",
    "## Confusion matrix",
    "## Red-flag detection",
    "## Hire recommendation",
    "## Per persona",
    "## Interviewer conformance",
    "## Worst mismatches",
    "## Cost and tokens per role",
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("report") / "harness.duckdb"
    return {
        "db": db,
        "lenient": run_harness(db, InterviewScript(grader="lenient")),
        "oracle": run_harness(db, InterviewScript(grader="oracle")),
        "prohibited": run_harness(
            db,
            InterviewScript(
                grader="no_flags", extra_interviewer_text="How old are you?", judge_flags={"How old are you?": "age"}
            ),
            "mei-defects",
            "dana-ranking",
        ),
        "doubting_judge": run_harness(db, InterviewScript(grader="oracle", judge="all1")),
    }


def checks(db: Path, run_id: str) -> dict:
    with Store.open(db) as store:
        return {(r.metric, r.scope): r for r in store.load_checks(run_id)}


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def report(runs: dict, run_id: str, tmp_path: Path, *extra: str):
    md, html = tmp_path / "out" / "report.md", tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", run_id, "--markdown", str(md), "--html", str(html), *extra, "--db", str(runs["db"])])
    assert result.exit_code == 0, result.output
    return result, md.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def test_html_is_one_self_contained_file_with_a_real_heatmap_image(runs, tmp_path) -> None:
    _, _, html = report(runs, runs["lenient"], tmp_path)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.md"]
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 1
    picture = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert picture.format == "PNG" and picture.width > 300 and picture.height > 200
    assert len(picture.convert("RGB").getcolors(maxcolors=1 << 20)) > 20  # a drawn heatmap, not a blank placeholder
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert not re.search(r"<link\b|<script\b|@import|url\(", html, re.I)
    assert "<style>" in html
    matrix = checks(runs["db"], runs["lenient"])[("confusion", "overall")].details.matrix
    for level, row in enumerate(matrix, start=1):
        cells = "".join(f"<td>{n}</td>" for n in row)
        assert f"<td>intended {level}</td>{cells}" in html


def test_markdown_report_has_every_section_and_states_the_failed_grader_gates(runs, tmp_path) -> None:
    result, md, _ = report(runs, runs["lenient"], tmp_path)
    positions = [md.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    by = checks(runs["db"], runs["lenient"])
    exact = by[("exact", "overall")]
    assert exact.passed is False
    findings = section(md, "## Findings")
    with Store.open(runs["db"]) as store:
        model = store.get_run(runs["lenient"]).models["grader"]
    assert f"The grader model {model} does not meet the bar" in findings
    assert f"exact agreement {exact.value:.2f} < 0.60" in findings
    assert f"exact agreement {exact.value:.2f} < 0.60" in result.output
    labels = {
        "qwk": "QWK ",
        "abs_smd": "|SMD| ",
        "exact": "exact agreement ",
        "adjacent": "adjacent (±1) agreement ",
        "red_flag_recall": "red-flag recall ",
        "grounding": "evidence grounding ",
    }
    grader_line = next(line for line in findings.splitlines() if "The grader model" in line)
    for metric, label in labels.items():
        assert (label in grader_line) == (by[(metric, "overall" if metric != "red_flag_recall" else "micro")].passed is False), (
            metric
        )
    assert not re.search(r"\bNone\b|\bnan\b", md)
    headline = section(md, "## Headline metrics")
    assert (
        f"| exact agreement | {exact.value:.2f} | [{exact.ci_low:.2f}, {exact.ci_high:.2f}] | {exact.n} | FAIL (>= 0.6) |"
        in headline
    )
    calibration = section(md, "## Grader calibration per competency")
    for cid in LIBRARY.scenario("microsoft-ai-engineer-behavioral").competency_ids:
        qwk = by[("qwk", cid)].value  # None for a competency no interview asked about
        assert f"| {cid} | {'-' if qwk is None else f'{qwk:.2f}'} |" in calibration


def test_per_persona_table_and_worst_mismatches_quote_the_stored_transcript(runs, tmp_path) -> None:
    _, md, _ = report(runs, runs["lenient"], tmp_path)
    by = checks(runs["db"], runs["lenient"])
    persona_rows = [r for (m, _), r in by.items() if m == "persona"]
    table = section(md, "## Per persona")
    for row in persona_rows:
        assert re.search(
            rf"^\| {re.escape(row.scope)} \| {row.details.intended_level} \|.*\| {row.details.attribution} \|$", table, re.M
        )
    mismatched = [r for r in persona_rows if r.details.attribution in ("grader", "persona")]
    assert mismatched, "a lenient grader must disagree with some labels"
    worst = section(md, "## Worst mismatches")
    said, rationales = set(), set()
    with Store.open(runs["db"]) as store:
        for row in mismatched[:5]:
            assert f"**{row.scope}**, attributed to the {row.details.attribution}" in worst
            key = [runs["lenient"], row.details.persona_id, row.details.trial]
            said |= {
                t
                for (t,) in store.query(
                    "SELECT text FROM turns WHERE run_id = ? AND persona_id = ? AND trial = ? AND speaker = 'candidate'", key
                )
            }
            rationales |= {
                t for (t,) in store.query("SELECT rationale FROM grades WHERE run_id = ? AND persona_id = ? AND trial = ?", key)
            }
    quoted = re.findall(r"^> \[turn \d+\] (.*)$", worst, re.M)
    assert quoted and set(quoted) <= said
    assert any(f"> {r}" in worst for r in rationales)


def test_conformance_table_lists_failing_interviews_with_their_checks_and_the_offending_text(runs, tmp_path) -> None:
    _, md, html = report(runs, runs["prohibited"], tmp_path)
    conformance = checks(runs["db"], runs["prohibited"])[("conformance", "overall")]
    failing = conformance.details.failing
    assert set(failing) == {"mei-defects#0", "dana-ranking#0"}
    table = section(md, "## Interviewer conformance")
    for key, bad in failing.items():
        assert "no_prohibited_topics" in bad
        assert re.search(rf"^\| {re.escape(key)} \| {re.escape(', '.join(bad))} \| .*How old are you", table, re.M)
    rate = checks(runs["db"], runs["prohibited"])[("conformance.no_prohibited_topics", "overall")]
    assert f"| no_prohibited_topics | {rate.value:.2f} |" in table
    assert "The interviewer model" in section(md, "## Findings")
    assert "How old are you" in html


def test_a_missed_red_flag_is_explained_by_the_answers_where_the_flag_shows(runs, tmp_path) -> None:
    _, md, _ = report(runs, runs["prohibited"], tmp_path)
    planted = LIBRARY.persona("dana-ranking").intended.red_flags
    worst = section(md, "## Worst mismatches")
    assert "**dana-ranking#0**, attributed to the grader" in worst
    assert f"Missed red flags: {', '.join(sorted(planted))}." in worst
    shown = [c for f in LIBRARY.scenario("microsoft-ai-engineer-behavioral").red_flags if f.id in planted for c in f.competencies]
    focus = re.search(r"the lines below are on (\w+), where (\w+) shows", worst)
    assert focus and focus.group(1) in shown and focus.group(2) in planted
    with Store.open(runs["db"]) as store:
        said = {
            t
            for (t,) in store.query(
                "SELECT text FROM turns WHERE run_id = ? AND persona_id = 'dana-ranking' AND speaker = 'candidate'",
                [runs["prohibited"]],
            )
        }
    quoted = re.findall(r"^> \[turn \d+\] (.*)$", worst.split(f"answers to the {focus.group(1)} question")[1], re.M)
    assert quoted and set(quoted) <= said
    assert "The grader model" in section(md, "## Findings") and "red-flag recall 0.00 < 0.90" in md


def test_oracle_report_has_no_grader_finding_and_no_mismatch(runs, tmp_path) -> None:
    _, md, _ = report(runs, runs["oracle"], tmp_path)
    assert "The grader model" not in section(md, "## Findings")
    assert "No graded interview disagrees with its labels" in section(md, "## Worst mismatches")


def test_without_paths_both_reports_are_written_beside_the_database(runs) -> None:
    result = runner.invoke(app, ["report", runs["oracle"][:6], "--db", str(runs["db"])])
    assert result.exit_code == 0, result.output
    for suffix in ("html", "md"):
        path = runs["db"].parent / f"report-{runs['oracle']}.{suffix}"
        assert path.exists() and f"wrote {path}" in result.output


def test_incomplete_run_without_stored_checks_is_reported_from_its_finished_interviews(runs, tmp_path) -> None:
    db = tmp_path / "partial.duckdb"
    run_id = run_harness(db, InterviewScript(grader="lenient"), "mei-defects")
    with Store.open(db) as store:
        store.query("DELETE FROM checks WHERE run_id = ?", [run_id])
        store.finish_run(run_id, "incomplete")
    result = runner.invoke(app, ["report", run_id, "--markdown", str(tmp_path / "r.md"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "The run is incomplete: 1 of 1 planned interviews finished" in section(md, "## Findings")
    assert "| exact agreement | 0.00 |" in section(md, "## Headline metrics")


@pytest.mark.parametrize("run_id", ["feedfacecafe", ""])
def test_unknown_run_id_exits_2(runs, run_id) -> None:
    result = runner.invoke(app, ["report", run_id, "--db", str(runs["db"])])
    assert result.exit_code == 2
    assert "no run" in result.output


def test_missing_database_exits_2_without_creating_one(tmp_path) -> None:
    db = tmp_path / "nowhere.duckdb"
    result = runner.invoke(app, ["report", "abc", "--db", str(db)])
    assert result.exit_code == 2 and "no results database" in result.output
    assert not db.exists()


def test_low_persona_fidelity_questions_the_judge_too(runs, tmp_path) -> None:
    _, md, _ = report(runs, runs["doubting_judge"], tmp_path)
    fidelity = checks(runs["db"], runs["doubting_judge"])[("fidelity", "overall")]
    assert fidelity.value is not None and fidelity.value < 0.5  # only the weakest personas sound like what the judge hears
    findings = section(md, "## Findings")
    assert f"Persona fidelity is {fidelity.value:.2f}" in findings
    assert (
        "Either the candidate model scripted/" in findings
        and "every mismatch charged to a persona rests on that judge" in findings
    )
    _, oracle_md, _ = report(runs, runs["oracle"], tmp_path)
    assert "Persona fidelity is" not in section(oracle_md, "## Findings")
