"""Issue 27: a view parses input, calls one service and renders; none runs over 30 lines
(the logic goes to selectors and services), in every app and API; and no module of the
project runs over 600 lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("identity", "tenants", "support", "conventions", "billing", "sve", "rendezvous", "portal")
VIEW_MODULES = [
    path
    for app in APPS
    for pattern in ("views*.py", "views/*.py", "api*.py", "**/views*.py")
    for path in sorted(set((ROOT / app).glob(pattern)))
    if "migrations" not in path.parts
]
MAX_LINES = 30
MAX_MODULE_LINES = 600


def long_functions(path: Path, limit: int = MAX_LINES) -> list[str]:
    """Module-level functions of ``path`` over ``limit`` lines, from ``def`` to their last
    line (decorators left out)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    # The module's functions and its classes' methods (an API view's get/post).
    nodes = [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]
    return [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in nodes
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > limit
    ]


def test_the_measure_counts_a_function_from_def_to_its_last_line(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("@wraps\ndef view(request):\n" + "    x = 1\n" * 30)
    assert long_functions(module) == ["views.py:view (31 lines)"]
    assert long_functions(module, limit=31) == []
    module.write_text("class Api:\n    def post(self):\n" + "        x = 1\n" * 30)
    assert long_functions(module) == ["views.py:post (31 lines)"]


def test_no_view_over_30_lines():
    assert len(VIEW_MODULES) > 10
    found = [f"{path.parent.name}/{name}" for path in VIEW_MODULES for name in long_functions(path)]
    assert not found, "views over 30 lines: " + "; ".join(found)


def test_no_module_over_600_lines():
    modules = [
        path
        for directory in (*APPS, "bench", "data")
        for path in (ROOT / directory).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert len(modules) > 100
    found = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for path in modules
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not found, "modules over 600 lines: " + "; ".join(found)
