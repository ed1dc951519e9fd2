"""The layering contract, checked on the source (an import-linter equivalent without the dependency).

- no import cycles between dataprep's modules (lazy imports inside functions count; TYPE_CHECKING ones do not);
- the CLI is on top: nothing outside dataprep.cli imports it;
- report renderers import only the report model and the core types;
- the validation core never imports conversion.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dataprep"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> Iterator[str]:
    """Every dataprep module `path` imports at run time (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dataprep"):
                    yield _resolve(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dataprep"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield candidate if candidate in MODULES else _resolve(node.module)


def _resolve(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


@functools.cache
def _graph() -> dict[str, list[str]]:
    """Built on first use, not at import: every pytest-xdist worker imports this module to collect it."""
    return {name: sorted(set(_imports(path)) - {name}) for name, path in MODULES.items()}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its modules is not a dependency of those modules on each other.
    graph = {
        n: [d for d in deps if not _is_package(d) or d == "dataprep.tokens"] for n, deps in _graph().items()
    }
    graph = {n: deps for n, deps in graph.items() if n != "dataprep"}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_cli_is_imported_by_nothing_outside_it() -> None:
    users = [
        f"{name} imports {dep}"
        for name, deps in _graph().items()
        if not name.startswith("dataprep.cli") and name != "dataprep.__main__"
        for dep in deps
        if dep.startswith("dataprep.cli")
    ]
    assert users == []


def test_report_renderers_import_only_the_report_model() -> None:
    # A renderer may use helpers of its own in dataprep.report (charts), which obey the same rule.
    allowed = {"dataprep.report.model", "dataprep.types", "dataprep.report"}
    exempt = ("dataprep.report.model", "dataprep.report.formats")
    bad = [
        f"{name} imports {dep}"
        for name, deps in _graph().items()
        if name.startswith("dataprep.report.") and name not in exempt
        for dep in deps
        if dep not in allowed and not (dep.startswith("dataprep.report.") and dep not in exempt)
    ]
    assert bad == []


def test_validation_core_never_imports_conversion() -> None:
    core = ("dataprep.validation", "dataprep.rules", "dataprep.schema", "dataprep.tokens", "dataprep.dedup")
    reached: set[str] = set()
    todo = [name for name in MODULES if name.startswith(core)]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo.extend(d for d in _graph().get(name, []) if d != "dataprep")
    assert not [name for name in reached if name.startswith(("dataprep.conversion", "dataprep.cli"))]


def test_ray_is_imported_only_by_its_executor_and_only_lazily() -> None:
    """Ray is an optional extra and slow to import: one module may import it, inside a function."""
    where: list[str] = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "ray" or n.startswith("ray.") for n in names):
                where.append(f"{name}{' (at the top)' if id(node) in top_level else ''}")
    assert where == ["dataprep.validation.ray_executor"]
