"""The shape of the code: imports point one way, and every metric is declared once and read from one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evals.metrics import REGISTRY, declare, headline, metric

ROOT = Path(__file__).resolve().parents[1]
# Lowest first; a module may import its own layer or any lower one, never a higher one.
LAYERS = ("scenarios", "personas", "agents", "evals", "evals.web", "evals.cli")


def layer(module: str) -> int | None:
    best = None
    for rank, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            best = rank
    return best


def imports(path: Path) -> list[str]:
    """Every module a file imports, lazy imports inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def modules() -> list[tuple[str, Path]]:
    out = []
    for package in ("scenarios", "personas", "agents", "evals"):
        for path in sorted((ROOT / package).rglob("*.py")):
            out.append((".".join(path.relative_to(ROOT).with_suffix("").parts), path))
    return out


def test_no_module_imports_a_higher_layer():
    upward = []
    for name, path in modules():
        own = layer(name)
        assert own is not None, name
        for target in imports(path):
            rank = layer(target)
            if rank is not None and rank > own:
                upward.append(f"{name} imports {target}")
    assert not upward, upward


def test_agents_never_import_evals():
    offending = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "agents").rglob("*.py")
        if re.search(r"^\s*(from|import) evals\b", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offending == []


def test_the_layer_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from evals.store import Store\n")
    assert any(layer(t) == LAYERS.index("evals") for t in imports(bad))


def test_a_metric_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        declare("qwk", "QWK", "again", "score pair")
    assert metric("qwk").label == "QWK"


def test_every_metric_name_is_declared_once_in_the_source():
    source = (ROOT / "evals" / "metrics.py").read_text(encoding="utf-8")
    literal = re.findall(r'^declare\("([a-z_.]+)"', source, re.M)
    assert len(literal) == len(set(literal))
    assert set(literal) <= set(REGISTRY)
    # No second list of metric names elsewhere: the other modules read the registry.
    for path in (ROOT / "evals").rglob("*.py"):
        if path.name != "metrics.py":
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"HEADLINE\s*[:=]", text), path
            assert '== "abs_smd"' not in text and "== 'abs_smd'" not in text, path


def test_headline_metrics_are_directional_and_comparable():
    names = [m.name for m in headline()]
    assert names == [
        "qwk",
        "abs_smd",
        "exact",
        "adjacent",
        "red_flag_recall",
        "hire_accuracy",
        "grounding",
        "conformance",
        "fidelity",
    ]
    for m in headline():
        assert m.direction is not None and m.statistic is not None and m.judges is not None
    assert metric("abs_smd").op == "<=" and metric("qwk").op == ">="
    with pytest.raises(ValueError, match="cannot be gated"):
        _ = metric("bias").op
