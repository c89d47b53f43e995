"""The layout stays walkable: domain subpackages in layers, no upward import, no import circle.

Layers, lowest first: core; db and llm (adapters); knowledge; strategy and goals (use cases that
read each other: the map is built with the OKR reader, drafting reads the map); alignment,
review (check-ins, grades: they read goals and the map) and scenarios (stress tests of the
map; the review pack lists their decisions); ui;
cli. A module may import its own layer and any lower one; every import counts, also those inside
functions or under TYPE_CHECKING. The product never imports the eval harness, except the
`keel eval` command, which loads it lazily like a plugin.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
LAYERS = [{"core"}, {"db", "llm"}, {"knowledge"}, {"strategy", "goals"},
          {"alignment", "review", "scenarios"}, {"ui"}, {"cli"}]


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(), str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; use absolute `assistant.…` imports")
        found += [(name, id(node) in top) for name in names]
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m, _ in _imports(path) if m in modules and m != name}
            for name, path in modules.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return next((rank for rank, names in enumerate(LAYERS) if len(parts) > 1
                 and parts[1] in names), None)


def test_every_module_lives_in_a_layer() -> None:
    loose = [m for m in _graph() if m != "assistant" and _layer(m) is None]
    assert not loose, f"modules outside the domain subpackages: {loose}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = [f"{m} -> {dep}" for m, deps in _graph().items() for dep in deps
              if m != "assistant" and (_layer(dep) or 0) > (_layer(m) or 0)]
    assert not upward, "imports from a higher layer:\n" + "\n".join(sorted(upward))


def test_no_import_circles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    # the package facade imports its subpackages, which import one another through it
    circles = [c for c in circles if c != ["assistant"]]
    assert not circles, f"import circles: {circles}"


def test_the_product_loads_the_eval_harness_only_lazily_from_keel_eval() -> None:
    for path in PACKAGE.rglob("*.py"):
        for name, top_level in _imports(path):
            if name.split(".")[0] == "evals":
                assert path.name == "evals.py" and path.parent.name == "cli", path
                assert not top_level, f"{path}: imports {name} at module level"
