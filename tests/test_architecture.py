"""The shape of the code: imports point one way, and every metric is declared once and read from one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evals.metrics.registry import REGISTRY, declare, headline, metric

ROOT = Path(__file__).resolve().parents[1]
# Lowest first; a module may import its own layer or any lower one, never a higher one.
LAYERS = ("scenarios", "personas", "agents", "evals", "evals.web", "evals.terminal", "evals.cli")
PACKAGES = ("scenarios", "personas", "agents", "evals")


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


def modules(root: Path = ROOT) -> list[tuple[str, Path]]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports: at the top, inside functions and under TYPE_CHECKING alike."""
    names = dict(modules(root))
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        targets = set()
        for target in imports(path):
            # `from a.b import c` names a.b.c when that is a module, else the module a.b.
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


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
    bad.write_text("def f():\n    from evals.store.database import Store\n")
    assert any(layer(t) == LAYERS.index("evals") for t in imports(bad))


def test_a_metric_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        declare("qwk", "QWK", "again", "score pair")
    assert metric("qwk").label == "QWK"


def test_every_metric_name_is_declared_once_in_the_source():
    source = (ROOT / "evals" / "metrics" / "registry.py").read_text(encoding="utf-8")
    literal = re.findall(r'^declare\("([a-z_.]+)"', source, re.M)
    assert len(literal) == len(set(literal))
    assert set(literal) <= set(REGISTRY)
    # No second list of metric names elsewhere: the other modules read the registry.
    for path in (ROOT / "evals").rglob("*.py"):
        if path.name != "registry.py":
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


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


def test_the_cycle_check_catches_a_planted_cycle(tmp_path):
    package = tmp_path / "evals"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from evals.b import thing\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from evals import a\n")
    (package / "c.py").write_text("def f():\n    from evals.a import thing\n")
    assert cycles(import_graph(tmp_path)) == [["evals.a", "evals.b"]]


def test_cli_commands_share_no_policy():
    """Only the app's entry imports the command modules; a command imports the library and `evals.terminal`."""
    offending = [
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        if name.startswith("evals.cli.")
        for target in targets
        if target == "evals.cli" or target.startswith("evals.cli.")
    ]
    assert offending == []


@pytest.mark.parametrize("package", ["agents", "evals"])
def test_top_levels_stay_small(package):
    top = [p.name for p in (ROOT / package).glob("*.py")]
    assert len(top) <= 8, top
    for sub in (ROOT / package).iterdir():
        if sub.is_dir() and (sub / "__init__.py").exists():
            assert ast.get_docstring(ast.parse((sub / "__init__.py").read_text(encoding="utf-8"))), f"{sub} has no docstring"
