"""The import graph of ``src/shumao``: no cycle between modules or between packages, and no
import inside a function without a comment saying why (outside the CLI, only a heavy or
order-sensitive third-party library may be deferred, never a shumao module).

Edges are read with ``ast`` from every import that runs (module level and inside functions;
``if TYPE_CHECKING:`` blocks do not run). Importing ``a.b.c`` runs ``a/__init__`` and
``a/b/__init__`` too, so it is also an edge to those packages (not to the importer's own).
A package is ``shumao.<name>``; the root modules (``shumao.config`` …) are packages of one.

The known violations below (none left since issue 14) would each be named with its reason, and
an entry that no longer occurs fails the test, so the lists only shrink. Do not add to them:
break the cycle (move the shared code down a layer, or register through a hook) instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# (importer, imported) module edges left out of the module cycle check.
KNOWN_MODULE_EDGES: dict[tuple[str, str], str] = {}
# (importer, imported) package edges left out of the package cycle check.
KNOWN_PACKAGE_EDGES: dict[tuple[str, str], str] = {}
# (module, imported) shumao modules imported inside functions outside the CLI.
KNOWN_IN_FUNCTION: dict[tuple[str, str], str] = {}


@dataclass
class Graph:
    edges: dict[str, set[str]] = field(default_factory=dict)
    # (module, imported, line, has a comment saying why)
    in_function: list[tuple[str, str, int, bool]] = field(default_factory=list)


def modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def targets(node: ast.Import | ast.ImportFrom, module: str, known: dict[str, Path]) -> list[str]:
    """The modules an import statement names (``from p import m`` names ``p.m`` if it is one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        here = module if known[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            here = here.rpartition(".")[0]
        base = f"{here}.{base}" if base else here
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def resolved(name: str, known: dict[str, Path], importer: str) -> Iterator[str]:
    """The module ``name`` and the packages whose ``__init__`` importing it runs."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    while name:
        if name in known and not (importer == name or importer.startswith(name + ".")):
            yield name
        name = name.rpartition(".")[0]


def commented(lines: list[str], lineno: int) -> bool:
    """An import says why if its line has a comment, or the run of import lines right above it
    starts under a comment line."""
    index = lineno - 1
    while True:
        if "#" in lines[index]:
            return True
        above = lines[index - 1].strip() if index else ""
        if above.startswith("#"):
            return True
        if not above.startswith(("import ", "from ")):
            return False
        index -= 1


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def read_module(module: str, path: Path, known: dict[str, Path], result: Graph) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    edges = result.edges.setdefault(module, set())

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                names = targets(child, module, known)
                for name in names:
                    edges.update(resolved(name, known, module))
                if in_function:
                    why = commented(lines, child.lineno)
                    result.in_function.extend((module, n, child.lineno, why) for n in names)
            elif not is_type_checking(child):
                walk(
                    child,
                    in_function
                    or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda),
                )

    walk(ast.parse("\n".join(lines)), False)


@cache
def graph(root: Path = SRC, package: str = "shumao") -> Graph:
    known = modules(root, package)
    result = Graph()
    for module, path in known.items():
        read_module(module, path, known, result)
    return result


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                found.append(sorted([node, *component]))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def without(edges: dict[str, set[str]], known: dict[tuple[str, str], str]) -> dict[str, set[str]]:
    return {a: {b for b in bs if (a, b) not in known} for a, bs in edges.items()}


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for a, bs in edges.items():
        if a != "shumao":
            packages.setdefault(package_of(a), set()).update(
                package_of(b) for b in bs if b != "shumao" and package_of(b) != package_of(a)
            )
    return packages


def explain(component: list[str], edges: dict[str, set[str]]) -> str:
    inside = set(component)
    return "\n".join(
        f"  {a} -> {b}" for a in component for b in sorted(edges.get(a, ())) if b in inside
    )


def test_no_import_cycle_between_modules() -> None:
    edges = without(graph().edges, KNOWN_MODULE_EDGES)
    found = cycles(edges)
    assert not found, "import cycles (move what both need into a third module):\n" + "\n".join(
        explain(c, edges) for c in found
    )


def test_no_import_cycle_between_packages() -> None:
    edges = without(package_edges(graph().edges), KNOWN_PACKAGE_EDGES)
    found = cycles(edges)
    assert not found, "package cycles (a package imports one that imports it back):\n" + (
        "\n".join(explain(c, edges) for c in found)
    )


def test_no_import_inside_a_function_outside_the_cli() -> None:
    found = sorted(
        {
            f"{module}:{line} imports {name}"
            for module, name, line, why in graph().in_function
            if not module.startswith("shumao.cli")
            and (module, name) not in KNOWN_IN_FUNCTION
            and (name.startswith("shumao") or not why)
        }
    )
    assert not found, (
        "imports inside functions (import at the top of the module; only a heavy "
        "third-party library may wait, with a comment saying why):\n" + "\n".join(found)
    )


def test_deferred_cli_imports_say_why() -> None:
    found = sorted(
        f"{module}:{line} imports {name}"
        for module, name, line, why in graph().in_function
        if module.startswith("shumao.cli") and not why
    )
    assert not found, (
        "a deferred import in the CLI needs a comment saying why (or import it at the "
        "top):\n" + "\n".join(found)
    )


def test_known_violations_still_occur() -> None:
    edges = graph().edges
    packages = package_edges(edges)
    in_function = {(module, name) for module, name, _, _ in graph().in_function}
    gone = [f"module edge {k}" for k in KNOWN_MODULE_EDGES if k[1] not in edges.get(k[0], ())]
    gone += [f"package edge {k}" for k in KNOWN_PACKAGE_EDGES if k[1] not in packages.get(k[0], ())]
    gone += [f"in-function import {k}" for k in KNOWN_IN_FUNCTION if k not in in_function]
    assert not gone, "fixed: remove these from the known violations:\n" + "\n".join(gone)


def test_the_check_finds_a_cycle_an_import_in_a_function_and_a_silent_deferral(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from demo.sub import b\n")
    (pkg / "a.py").write_text("from demo.sub import b\n")
    (pkg / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo import c\n\n"
        "def f():\n    # deferred: heavy\n    import json\n    from . import b2\n\n"
        "def g():\n    from .. import a\n"
    )
    (pkg / "sub" / "b2.py").write_text("")
    (pkg / "c.py").write_text("import demo.sub.b2\n")
    found = graph(tmp_path, "demo")
    assert found.edges["demo.a"] == {"demo.sub", "demo.sub.b"}
    assert found.edges["demo.c"] == {"demo.sub", "demo.sub.b2"}
    assert cycles(found.edges) == [["demo.a", "demo.sub", "demo.sub.b"]]  # sub/__init__ runs b
    assert sorted(found.in_function) == [
        ("demo.sub.b", "demo.a", 11, False),
        ("demo.sub.b", "demo.sub.b2", 8, True),
        ("demo.sub.b", "json", 7, True),
    ]
    assert package_edges(found.edges)["demo.c"] == {"demo.sub"}
    assert cycles(package_edges(found.edges)) == [["demo.a", "demo.sub"]]
