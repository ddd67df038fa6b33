"""The code stamp saved digests carry: the sources of what the digest code imports, found by reading imports."""

from __future__ import annotations

from pathlib import Path

from evals.metrics.code_stamp import import_closure, source_hash

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agents", "evals", "scenarios", "personas")


def _tree(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "import json\nfrom pkg import c\n\ndef late():\n    from pkg.sub.b import thing\n    return thing\n",
        "sub/__init__.py": "",
        "sub/b.py": "import pkg.sub.e\nthing = 1\n",
        "c.py": "VALUE = 2\n",
        "d.py": "from pkg import a\n",  # imports a, but a does not import it
        "sub/e.py": "",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    return tmp_path


def test_closure_follows_every_import_of_ours_and_nothing_else(tmp_path):
    root = _tree(tmp_path)
    assert import_closure(root, "pkg.a", ["pkg"]) == {"pkg", "pkg.a", "pkg.c", "pkg.sub", "pkg.sub.b", "pkg.sub.e"}
    # Only modules of the named packages are followed.
    assert import_closure(root, "pkg.a", ["other"]) == {"pkg.a"}


def test_hash_changes_with_the_closure_only(tmp_path):
    root = _tree(tmp_path)
    closure = import_closure(root, "pkg.a", ["pkg"])
    before = source_hash(root, closure)
    (root / "pkg" / "d.py").write_text("from pkg import a  # edited\n")
    assert source_hash(root, closure) == before
    (root / "pkg" / "sub" / "e.py").write_text("x = 1\n")
    changed = source_hash(root, closure)
    assert changed != before
    extra = root / "prompt.j2"
    extra.write_text("{% block system %}{% endblock %}")
    assert source_hash(root, closure, [extra]) != changed


def test_digest_code_covers_what_units_are_built_by_and_not_the_rest():
    closure = import_closure(ROOT, "evals.metrics.digest", PACKAGES)
    assert {
        "evals.metrics.units",
        "evals.metrics.conformance",
        "evals.metrics.topic_screen",
        "agents.models.providers.baseline",
        "agents.records",
    } <= closure
    assert {"scenarios.model", "personas.model", "agents.roles.grader", "agents.prompting"} <= closure
    # The CLI, the reports, the store and the interview loop can change without making saved digests stale.
    elsewhere = {
        "evals.cli",
        "evals.report.run_report",
        "evals.report.compare",
        "evals.store.database",
        "evals.runs.harness",
        "agents.interview.graph",
        "agents.models.gateway",
    }
    assert not closure & elsewhere
