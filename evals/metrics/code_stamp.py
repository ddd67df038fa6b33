"""Which version of some code made a saved value: a hash of the sources that value depends on.

A saved value (an interview's digest) is still what this harness would compute while none of the code it is
computed by has changed. That code is found by reading import statements (those inside functions too), so a
change to the CLI or the report does not make every saved digest stale, and no list of modules is kept by hand.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from pathlib import Path


def module_path(root: Path, module: str) -> Path | None:
    """The source file of `module` under `root` (a module file or a package's `__init__.py`), if there is one."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _named_imports(path: Path) -> set[str]:
    """Every module an `import` in `path` may name, wherever the statement is; `from a import b` may name `a.b`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def import_closure(root: Path, module: str, packages: Iterable[str]) -> set[str]:
    """`module` and every module of `packages` it imports, directly or through others (and the packages above each,
    whose `__init__` runs first)."""
    ours = set(packages)
    found: set[str] = set()
    pending = [module]
    while pending:
        name = pending.pop()
        path = module_path(root, name)
        if name in found or path is None:
            continue
        found.add(name)
        for imported in _named_imports(path):
            parts = imported.split(".")
            if parts[0] in ours:
                pending += [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    return found


def source_hash(root: Path, modules: Iterable[str], extra: Iterable[Path] = ()) -> str:
    """sha256 over the named modules' sources and the `extra` files, each with its path relative to `root`."""
    files = sorted({path for name in modules if (path := module_path(root, name)) is not None} | set(extra))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
