"""The package layout is the architecture: these rules keep it that way.

Imports are read from the source (module level and inside functions; ``if
TYPE_CHECKING:`` blocks are typing only and left out), so a rule is broken as soon
as a file imports what it must not, whether or not a test runs that line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tsrm"


def module_name(file: Path) -> str:
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every runtime import in ``tree``."""
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.module or "", [a.name for a in node.names]))
        stack.extend(ast.iter_child_nodes(node))
    return found


MODULES = {module_name(f): f for f in PACKAGE.rglob("*.py")}


def imports_of(module: str) -> set[str]:
    """The tsrm modules (or packages) ``module`` imports, and the other top-level packages."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = set()
    for target, names in _imports(tree):
        submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
        out.update(submodules or [target])
    return out


def importers(prefix: str) -> dict[str, set[str]]:
    return {m: imports_of(m) for m in MODULES if m == prefix or m.startswith(prefix + ".")}


SHARED = ("tsrm.core", "tsrm._", "tsrm.exceptions")
RULES = {
    # the recursion engine knows no domain: it imports nothing else of tsrm
    "tsrm.core": lambda name: name.startswith("tsrm.") and not name.startswith("tsrm.core"),
    # the puzzles wing shares only the engine and the small shared helpers
    "tsrm.puzzles": lambda name: (
        name == "tsrm"
        or name.startswith("tsrm.")
        and not name.startswith(SHARED + ("tsrm.puzzles",))
    ),
    # the forecasting wing never imports the puzzles
    "tsrm.forecasting": lambda name: name.startswith("tsrm.puzzles"),
    # data handling knows no model
    "tsrm.forecasting.series": lambda name: name.startswith(
        ("tsrm.forecasting.neural", "tsrm.forecasting.models")
    ),
    "tsrm.forecasting.datasets": lambda name: name.startswith(
        ("tsrm.forecasting.neural", "tsrm.forecasting.models", "torch", "lightning")
    ),
    "tsrm.puzzles.data": lambda name: name.startswith(
        ("torch", "lightning", "tsrm.puzzles.module", "tsrm.puzzles.lightning_module")
    ),
    # the shared machinery of window models knows no particular model
    "tsrm.forecasting.neural": lambda name: name.startswith("tsrm.forecasting.models"),
    # the shared helpers import only each other
    "tsrm._files": lambda name: name.startswith("tsrm.") and not name.startswith(SHARED),
    "tsrm._config": lambda name: name.startswith("tsrm."),
    "tsrm.exceptions": lambda name: name.startswith("tsrm."),
}


@pytest.mark.parametrize("prefix", sorted(RULES))
def test_import_rules(prefix):
    bad = sorted(
        f"{module} imports {name}"
        for module, names in importers(prefix).items()
        for name in names
        if RULES[prefix](name)
    )
    assert not bad, bad


def test_rules_see_imports():
    # guards the checker itself: it sees a function-level import and a submodule import
    assert "tsrm.core" in imports_of("tsrm.puzzles.module")
    assert "tsrm._trainer" in imports_of("tsrm.forecasting.neural.estimator")
    assert "tsrm.forecasting.neural.inference" in imports_of("tsrm.forecasting.neural.estimator")
    assert RULES["tsrm.puzzles"]("tsrm.forecasting.models")


def import_cycles() -> list[list[str]]:
    """Every cycle of imports between tsrm modules (strongly connected components > 1)."""
    graph = {m: {n for n in imports_of(m) if n in MODULES and n != m} for m in MODULES}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles():
    assert import_cycles() == []


def test_cycle_finder_finds_a_cycle(monkeypatch):
    fake = {"tsrm.a": {"tsrm.b"}, "tsrm.b": {"tsrm.a"}, "tsrm.c": {"tsrm.a"}}
    monkeypatch.setattr(sys.modules[__name__], "MODULES", dict.fromkeys(fake, None))
    monkeypatch.setattr(sys.modules[__name__], "imports_of", fake.__getitem__)
    assert import_cycles() == [["tsrm.a", "tsrm.b"]]


def _fresh_import(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_importing_the_puzzles_loads_no_forecasting_and_no_lightning():
    loaded = _fresh_import(
        "import sys, tsrm.puzzles; "
        "print(sorted(m for m in sys.modules if m.startswith(('tsrm.forecasting', 'lightning'))))"
    )
    assert loaded == "[]"


def test_importing_tsrm_loads_neither_torch_nor_a_wing():
    loaded = _fresh_import(
        "import sys, tsrm; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'lightning') or m.startswith(('tsrm.forecasting', 'tsrm.puzzles'))))"
    )
    assert loaded == "[]"


def test_public_names_load_on_first_use():
    out = _fresh_import(
        "import sys, tsrm; before = 'tsrm.forecasting.models.linear.estimator' in sys.modules; "
        "cls = tsrm.DLinear; print(before, cls.__module__, 'DLinear' in dir(tsrm))"
    )
    assert out == "False tsrm.forecasting.models.linear.estimator True"


def code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function without its docstring (public API documents itself at length)."""
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def test_no_function_is_longer_than_80_lines():
    long = [
        f"{module}.{fn.name}: {code_lines(fn)} lines"
        for module, file in MODULES.items()
        for fn in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and code_lines(fn) > 80
    ]
    assert not long, long


def test_estimators_are_at_most_two_classes_below_the_contract():
    from tsrm.forecasting.base import BaseForecaster
    from tsrm.forecasting.models.registry import MODELS, model_class

    for name in MODELS:
        cls = model_class(name)
        below = cls.__mro__.index(BaseForecaster)
        assert below <= 2, f"{cls.__name__}: {[c.__name__ for c in cls.__mro__[:below]]}"


def test_comments_speak_of_the_code_not_of_issues():
    words = ("(issue", "issue #", "issues/", "reference.md", "../shared")
    mentions = [
        f"{module}: {line.strip()}"
        for module, file in MODULES.items()
        for line in file.read_text(encoding="utf-8").splitlines()
        if any(word in line.lower() for word in words)
    ]
    assert not mentions, mentions


def test_the_command_line_starts_without_torch():
    loaded = _fresh_import(
        "import sys, tsrm.cli; tsrm.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'lightning')))"
    )
    assert loaded == "[]"
