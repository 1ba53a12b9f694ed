"""Issue 27: the apps import one another in one direction only, and ``portal/`` (the shared
library) imports no app. Every module is parsed, imports inside functions included: hiding
an import in a function body does not hide the arrow it draws."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "tenants", "identity", "conventions", "billing", "support", "sve", "rendezvous")


def _imported_modules(tree: ast.AST, module: str) -> set[str]:
    """Every module ``tree`` imports, anywhere in it; relative imports resolved."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> the modules of the first app drawing that arrow."""
    arrows: dict[tuple[str, str], list[str]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(), filename=str(path))
            for name in _imported_modules(tree, module):
                target = name.split(".")[0]
                if target in APPS and target != app:
                    arrows.setdefault((app, target), []).append(module)
    return arrows


def _cycles(arrows) -> list[list[str]]:
    """Each elementary cycle of the app graph once, as the list of its apps."""
    graph = {app: sorted({b for (a, b) in arrows if a == app}) for app in APPS}
    cycles, seen = [], set()

    def walk(start, node, path):
        for nxt in graph[node]:
            if nxt == start:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    cycles.append([*path, start])
            elif nxt not in path and APPS.index(nxt) > APPS.index(start):
                walk(start, nxt, [*path, nxt])

    for app in APPS:
        walk(app, app, [app])
    return cycles


def _where(arrows, cycle) -> str:
    return "; ".join(
        f"{a} -> {b} ({', '.join(sorted(set(arrows[a, b]))[:3])})"
        for a, b in zip(cycle, cycle[1:], strict=False)
    )


def test_the_graph_walker_sees_imports_inside_functions_and_cycles():
    tree = ast.parse("def f():\n    from billing.money import euros\n    from . import x\n")
    assert {"billing.money", "conventions.x"} <= _imported_modules(tree, "conventions.views")
    arrows = {("billing", "conventions"): ["billing.a"], ("conventions", "billing"): ["c.b"]}
    assert _cycles(arrows) == [["conventions", "billing", "conventions"]]


def test_no_import_cycle_between_apps():
    arrows = app_imports()
    cycles = _cycles(arrows)
    assert not cycles, "import cycles: " + " | ".join(_where(arrows, c) for c in cycles)


def test_portal_imports_no_app():
    arrows = app_imports()
    upward = {b: modules for (a, b), modules in arrows.items() if a == "portal"}
    assert not upward, f"portal/ imports apps: {upward}"
