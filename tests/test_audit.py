"""`audit RUN_ID`: one document (markdown, HTML, JSON) with every section, and the bias audit as the LL144 rules ask."""

from __future__ import annotations

import json
from importlib import resources

import yaml
from typer.testing import CliRunner

from agents.models.providers.scripted import FunctionModel, register_scripted
from evals.cli import app
from tests.test_probes import PERSONAS, Grader, base_run, newest, probe

runner = CliRunner()
SECTIONS = [
    "1. The tool and its configuration",
    "2. How the test data was made",
    "3. Accuracy against the labels",
    "4. Robustness probes",
    "5. Bias audit",
    "6. Interviewer checks",
    "7. The grader's own words",
    "8. The log of every model call",
    "9. What synthetic test data can and cannot show",
]
RARE = "Keala Kahale"


class RareFails(Grader):
    """Favours the white_man names, and fails to grade every copy under the rare set's one name but the first."""

    def __init__(self):
        super().__init__("name_bias")
        self.rare_seen = 0

    def __call__(self, role: str, messages: list[dict], schema: dict | None) -> dict:
        if RARE in "\n".join(m["content"] for m in messages):
            self.rare_seen += 1
            if self.rare_seen > 1:
                raise ValueError("the scripted grader refuses this copy")
        return super().__call__(role, messages, schema)


def name_sets_file(tmp_path):
    """The packaged name sets and one more, of one name, whose copies will be too few to count."""
    packaged = yaml.safe_load(resources.files("evals.probes").joinpath("name_sets.yaml").read_text("utf-8"))
    rare = {"id": "rare_woman", "race": "pacific_islander", "gender": "woman", "pronouns": "she/her", "source": "neutral"}
    packaged["sets"].append({**rare, "names": [RARE]})
    path = tmp_path / "sets.yaml"
    path.write_text(yaml.safe_dump(packaged), encoding="utf-8")
    return path


def test_the_audit_of_a_probed_run_has_every_section_and_the_bias_audit_the_rules_ask_for(tmp_path):
    grader = RareFails()
    register_scripted("audit-grader", FunctionModel(grader))
    run_id, db = base_run(tmp_path, "scripted/audit-grader")
    probed = probe(run_id, db, "--suite", "name_swap", "--name-sets", str(name_sets_file(tmp_path)))
    assert probed.exit_code == 1, probed.output  # the impact-ratio gate fails
    probe_id = newest(db)
    result = runner.invoke(app, ["audit", run_id, "--db", db, "--out", str(tmp_path / "audit")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "audit" / f"audit-{run_id}.md").read_text()
    assert [line.removeprefix("## ") for line in text.splitlines() if line.startswith("## ")] == ["Findings", *SECTIONS]
    # The favoured group is the highest; a passed-over group's ratio, its p-values and the four-fifths verdict.
    assert "hire rate, intersection: white man" in text
    assert "Four-fifths verdict: adverse impact (below 4/5)." in text
    assert "intersection black woman, selection rate: ratio 0.00, Fisher p 0.002, paired p 0.031" in text
    # The rare group: 1 graded copy of 55 (five failed), under 2%, left out of the ratios and listed with its count.
    assert "race/ethnicity: pacific_islander (1 copies, 1.8% of the data)" in text
    assert "| race/ethnicity | pacific_islander (excluded: under the minimum share) | 1 | " in text
    assert "55 graded copies; 5 not graded" in text and "race/ethnicity 6" in text  # the they/them set has no race
    assert f"probe run | {probe_id} (name_swap" in text and "prompt template sha256" in text
    assert "table model_calls" in text and "What it cannot show" in text and "Rater agreement" in text
    page = (tmp_path / "audit" / f"audit-{run_id}.html").read_text()
    assert page.count("<section id=") == len(SECTIONS) + 1 and '<section id="bias">' in page
    data = json.loads((tmp_path / "audit" / f"audit-{run_id}.json").read_text())
    assert [s["title"] for s in data["sections"]] == SECTIONS and data["probe_run"] == probe_id
    impact = next(r for r in data["probe_checks"] if r["metric"] == "impact_ratio")
    assert impact["details"]["excluded"] and impact["details"]["not_graded"] == 5


def test_an_unprobed_run_is_audited_and_says_what_is_missing(tmp_path):
    run_id, db = base_run(tmp_path, "baseline/counting", personas=PERSONAS[:2])
    result = runner.invoke(app, ["audit", run_id, "--db", db])
    assert result.exit_code == 0, result.output
    text = (tmp_path / f"audit-{run_id}.md").read_text()
    assert "Not probed" in text and "Not audited: the run has no complete probe run" in text
    other, _ = base_run(tmp_path, "baseline/counting", personas=PERSONAS[:1])
    refused = runner.invoke(app, ["audit", run_id, "--probe", other, "--db", db])
    assert refused.exit_code == 2 and "is not a probe run of" in refused.output


def test_an_imported_run_says_where_its_labels_came_from(tmp_path):
    """The corpus's own file brings the labellers' agreement table; any other recording says the harness has none."""
    from pathlib import Path

    from tests.conftest_helpers import register_script
    from tests.test_import_regrade import LINES, write

    db = str(tmp_path / "h.duckdb")
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "holdout.jsonl"
    sources = {"corpus": corpus, "elsewhere": write(tmp_path / "rec.jsonl", LINES)}
    texts = {}
    for name, path in sources.items():
        imported = runner.invoke(
            app,
            ["import", str(path), "--annotator", "rules", "--grader-model", "baseline/constant"]
            + ["--judge-model", register_script(), "--no-gate", "--db", db],
        )
        assert imported.exit_code == 0, imported.output
        run_id = newest(db)
        result = runner.invoke(app, ["audit", run_id, "--db", db, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        texts[name] = (tmp_path / name / f"audit-{run_id}.md").read_text()
    assert f"Recorded interviews from {corpus}" in texts["corpus"]
    assert "labelled blind by two raters" in texts["corpus"] and "| red flags | kappa" in texts["corpus"]
    assert "The harness holds no record of how these labels were checked" in texts["elsewhere"]
    assert "labelled blind by two raters" not in texts["elsewhere"]
