"""The README's layout table is the law: each package imports only what its row allows (every
import counts: TYPE_CHECKING ones and those inside functions too), and no module imports itself
back through others."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\|\s*`(\w+)/`\s*\|(.*)\|\s*$")


def allowed_imports(readme: str) -> dict[str, set[str]]:
    """`| `pkg/` | `a`, `b` | ...` rows of the layout table: package -> what it may import."""
    rules = {}
    for line in readme.splitlines():
        match = ROW.match(line)
        if match:
            first_cell = match.group(2).split("|")[0]
            rules[match.group(1)] = set(re.findall(r"`(\w+)`", first_cell))
    return rules


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every module an ast.Import / ImportFrom in the file names, relative ones resolved; for
    `from pkg import x` both `pkg` and `pkg.x` (x may be a submodule)."""
    return {name for base, names in _imports(path, root) for name in (base, *names)}


def _imports(path: Path, root: Path) -> list[tuple[str, list[str]]]:
    """(module, [module.name for each imported name]) per import statement."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [f"{base}.{alias.name}" for alias in node.names]))
    return found


def project_modules(packages: set[str], root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the project modules it imports. `from pkg import mod` (a submodule) counts as an
    edge to pkg.mod only: that it runs pkg/__init__ first is Python's doing, not the code's."""
    files = {module_name(p, root): p for pkg in packages for p in (root / pkg).rglob("*.py")}
    graph = {}
    for mod, path in files.items():
        edges = set()
        for base, names in _imports(path, root):
            submodules = [n for n in names if n in files]
            edges |= set(submodules) if names and len(submodules) == len(names) else {base}
        graph[mod] = {e for e in edges if e in files and e != mod}
    return graph


def layout_violations(rules: dict[str, set[str]], root: Path = ROOT) -> list[str]:
    """Imports of a project package (or singer_sdk) that its row does not allow."""
    watched = set(rules) | {"singer_sdk"}
    problems = []
    for pkg, allowed in rules.items():
        for path in (root / pkg).rglob("*.py"):
            for name in imports_of(path, root):
                top = name.split(".")[0]
                if top in watched and top != pkg and top not in allowed:
                    problems.append(f"{module_name(path, root)} imports {name}")
    return sorted(set(problems))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


RULES = allowed_imports((ROOT / "README.md").read_text(encoding="utf-8"))
# The emulator's handlers still name EloquaEmulator behind TYPE_CHECKING (the README says so);
# every package that ships the plugins is held to no cycles.
NOT_YET_CYCLE_FREE = {"eloqua_emulator"}


def test_the_readme_draws_every_package() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks",
                                                                      "demo", "hub"}
    assert set(RULES) == packages, "the README's layout table must have one row per package"


def test_packages_import_only_what_the_readme_allows() -> None:
    assert layout_violations(RULES) == []


def test_no_import_cycles() -> None:
    assert cycles(project_modules(set(RULES) - NOT_YET_CYCLE_FREE)) == []


def test_the_check_sees_a_forbidden_import_and_a_cycle(tmp_path: Path) -> None:
    """The checker itself can fail: a TYPE_CHECKING import of a forbidden package, an SDK import
    where none is allowed, and a cycle hidden behind TYPE_CHECKING are all found."""
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "low" / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from high.a import A\n")
    (tmp_path / "low" / "b.py").write_text("def f():\n    import singer_sdk\n")
    (tmp_path / "high" / "__init__.py").write_text("")
    (tmp_path / "high" / "a.py").write_text("from . import c\nfrom low import b\n")
    (tmp_path / "high" / "c.py").write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from .a import A\n")
    rules = {"low": set(), "high": {"low"}}
    assert layout_violations(rules, tmp_path) == ["low imports high.a", "low imports high.a.A",
                                                  "low.b imports singer_sdk"]
    assert cycles(project_modules(set(rules), tmp_path)) == [["high.a", "high.c"]]
