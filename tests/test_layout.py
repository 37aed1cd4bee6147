"""The package's layers point one way: apps -> publish -> model -> inputs, with money, errors and
paths as shared ground below them all, and no module importing another that imports it back.

Every import is read from the source (module level and inside functions alike), relative imports
resolved, so a late ``from ..publish import x`` inside a model function is caught too.
"""

import ast
from pathlib import Path

import pytest

import feemodel

ROOT = Path(feemodel.__file__).resolve().parent
LAYERS = ["shared", "inputs", "model", "publish", "apps"]   # each may import only itself and those to its left
SHARED = {"money", "errors", "paths"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "feemodel":
        return None
    if parts[1] in SHARED:
        return "shared"
    return parts[1] if parts[1] in LAYERS else None


def imports_of(path: Path) -> set[str]:
    """Every feemodel module ``path`` imports (``from a.b import c`` counts as a.b.c when c is a module)."""
    me = module_name(path)
    return imports_in(path.read_text(encoding="utf-8"), me, path.name == "__init__.py")


def imports_in(source: str, me: str, is_package: bool = False) -> set[str]:
    package = me if is_package else me.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("feemodel")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("feemodel"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                is_module = (ROOT.parent / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    ROOT.parent / Path(*sub.split(".")) / "__init__.py").exists()
                out.add(sub if is_module else target)
    return out - {me}


GRAPH = {module_name(p): imports_of(p) for p in sorted(ROOT.rglob("*.py"))}


def test_every_module_is_in_a_layer():
    loose = sorted(m for m in GRAPH if m != "feemodel" and m != "feemodel.__main__" and layer(m) is None)
    assert not loose, f"modules outside inputs/model/publish/apps and the shared ground: {loose}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    mine = layer(module)
    if mine is None:  # the package itself and `python -m feemodel`
        return
    allowed = LAYERS[: LAYERS.index(mine) + 1]
    upward = sorted(t for t in GRAPH[module] if layer(t) not in (*allowed, None))
    assert not upward, f"{module} ({mine}) imports a higher layer: {upward}"


def test_no_circles():
    # depth-first search for a cycle among feemodel modules
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(GRAPH.get(m, ())):
            if t not in GRAPH:
                continue
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " -> ".join(stack[stack.index(t):] + [t]))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)


def test_the_checker_sees_an_upward_import_inside_a_function():
    # the rule itself, on planted source: a model module importing publish late must be reported
    found = imports_in("def f():\n    from ..publish import labels\n", "feemodel.model.rates")
    assert found == {"feemodel.publish.labels"}
    assert layer("feemodel.publish.labels") not in LAYERS[: LAYERS.index("model") + 1]
    assert imports_in("from . import case\n", "feemodel.model.uplift") == {"feemodel.model.case"}
