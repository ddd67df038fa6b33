"""`interview-harness history`: every run's headline metrics over time, the first run that failed each gate, the trend
in the terminal, the HTML report and the web viewer; each run records its commit, branch and dirty state."""

from __future__ import annotations

import json
import re

from starlette.testclient import TestClient
from typer.testing import CliRunner

from evals.cli import app
from evals.store.database import Store
from evals.web.app import create_app
from tests.conftest_helpers import register_script, role_flags, serve_settings
from tests.scripted_agents import InterviewScript

runner = CliRunner()


def three_runs(db) -> list[str]:
    """Three runs of one suite under one label, graded by an oracle, then a lenient grader, then one that says 3."""
    ids = []
    for grader in ("oracle", "lenient", "all3"):
        model = register_script(InterviewScript(grader=grader))
        args = ["run", "--tag", "core", "--label", "nightly", *role_flags(model), "--db", str(db), "--no-cache", "--no-gate"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        ids.append(result.output.split("run id: ")[-1].split()[0])
    return ids


def test_history_has_a_point_per_run_and_names_the_first_failing_run(tmp_path):
    db = tmp_path / "h.duckdb"
    ids = three_runs(db)
    listed = json.loads(runner.invoke(app, ["history", "--label", "nightly", "--json", "--db", str(db)]).output)
    assert [p["run_id"] for p in listed] == ids
    assert all(p["metrics"]["qwk"]["value"] is not None for p in listed)
    # The lenient grader keeps the order (QWK passes) but not the levels; the grader of 3s loses both.
    assert [p["metrics"]["qwk"]["passed"] for p in listed] == [True, True, False]
    assert [p["metrics"]["exact"]["passed"] for p in listed] == [True, False, False]
    assert re.fullmatch(r"[0-9a-f]{40}", listed[0]["git_commit"]) and isinstance(listed[0]["git_dirty"], bool)
    shown = runner.invoke(app, ["history", "--label", "nightly", "--metric", "qwk", "--metric", "exact", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert re.search(rf"qwk .* first failing run {ids[2]}", shown.output)
    assert re.search(rf"exact .* first failing run {ids[1]}", shown.output)
    assert re.search(r"qwk\s+[▁▂▃▄▅▆▇█]{3}", shown.output)  # one spark per run
    # Each grader is its own group: a grader change is never mistaken for a drift of one grader.
    assert shown.output.count("graded by scripted/") == 3
    bad = runner.invoke(app, ["history", "--metric", "qkw", "--db", str(db)])
    assert bad.exit_code == 2 and "unknown metric 'qkw'" in bad.output


def test_the_trend_is_in_the_report_and_on_a_page_of_the_viewer(tmp_path):
    db = tmp_path / "h.duckdb"
    ids = three_runs(db)
    report = tmp_path / "r.html"
    assert runner.invoke(app, ["report", ids[-1], "--html", str(report), "--db", str(db)]).exit_code == 0
    html = report.read_text()
    section = html.split('<section id="history">', 1)[1].split("</section>", 1)[0]
    assert 'class="chart trend"' in section and all(i in section for i in ids)
    with TestClient(create_app(serve_settings(db))) as http:
        page = http.get("/history?label=nightly")
        assert page.status_code == 200 and 'class="chart trend"' in page.text and all(i in page.text for i in ids)
        assert http.get("/history?metric=qkw").status_code == 400
    with Store.open(db) as store:
        assert store.get_run(ids[0]).git_commit is not None
