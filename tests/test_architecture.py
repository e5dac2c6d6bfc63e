"""The shape of the code, measured from its syntax trees (issue 15): small modules, thin callbacks, imports at the top,
no import cycles, a domain without Dash, and a dashboard that reads the domain through its public faces.

Each check names what breaks it, so a change that erodes the shape fails here with the file and line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("layers", "dashboard")
MAX_LINES = 400
MAX_CALLBACK_LINES = 15
MAX_CALLBACK_PARAMETERS = 8
MAX_IMPORTS_INSIDE_FUNCTIONS = 10
# The faces the dashboard reads the domain through: package `__init__` re-exports with `__all__` (STYLE.md: GeoPandas).
PUBLIC_FACES = ("layers", "layers.bundle", "layers.spatial", "layers.sources", "layers.segregation", "layers.education",
                "layers.infrastructure", "layers.accommodation", "layers.scenario")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def imported_modules(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Project modules an import statement of `module` loads (a `from package import submodule` names the submodule)."""
    known = modules()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if not str(known[module][0]).endswith("__init__.py"):
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    out = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.append(name)
    return out


def lazy_face_modules(module: str, tree: ast.Module) -> set[str]:
    """The submodules a lazy face (`layers.lazy.attach(__name__, {submodule: names})`) loads on first use."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "attach" and len(node.args) == 2:
            table = node.args[1]
            if isinstance(table, ast.Name):  # `attach(__name__, _PUBLIC)`
                table = next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == table.id)
            for key in table.keys:
                found.add(imported_modules(module, ast.ImportFrom(module=key.value.lstrip("."), names=[ast.alias("x")],
                                                                   level=1 + len(key.value) - len(key.value.lstrip("."))))[0])
    return found


def functions(tree: ast.AST):
    return (node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))


def registered_callbacks(tree: ast.Module) -> set[str]:
    """Names of the functions a module registers with ``app.callback(...)(fn)`` (also wrapped: ``(when_active(..., fn))``)."""
    names = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Call) and isinstance(node.func.func, ast.Attribute)
                and node.func.func.attr == "callback" and node.args):
            target = node.args[0]
            if isinstance(target, ast.Call) and target.args:
                target = target.args[-1]
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def body_lines(function: ast.FunctionDef) -> int:
    """Lines of a function's body, its docstring not counted."""
    body = function.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    return function.end_lineno - body[0].lineno + 1


def test_no_module_over_400_lines():
    long = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines()) for path, _ in modules().values()}
    assert {name: n for name, n in long.items() if n > MAX_LINES} == {}


def test_callbacks_are_thin():
    thick = []
    for path, tree in modules().values():
        names = registered_callbacks(tree)
        for function in functions(tree):
            if function.name in names:
                parameters = len(function.args.args) + len(function.args.kwonlyargs)
                if function.args.vararg or function.args.kwarg:  # *args/**kwargs hide how many arguments arrive
                    parameters = MAX_CALLBACK_PARAMETERS + 1
                if body_lines(function) > MAX_CALLBACK_LINES or parameters > MAX_CALLBACK_PARAMETERS:
                    thick.append(f"{path.relative_to(ROOT)}:{function.lineno} {function.name}: {body_lines(function)} lines, "
                                 f"{parameters} parameters")
    assert thick == []
    assert sum(len(registered_callbacks(tree)) for _, tree in modules().values()) > 30  # the scan sees the app's callbacks


def test_project_imports_sit_at_the_top():
    inside = [f"{path.relative_to(ROOT)}:{node.lineno}" for module, (path, tree) in modules().items()
              for function in functions(tree) for node in ast.walk(function)
              if isinstance(node, (ast.Import, ast.ImportFrom)) and imported_modules(module, node)]
    assert len(inside) <= MAX_IMPORTS_INSIDE_FUNCTIONS, inside


def test_no_import_cycles():
    """Module-level imports (a package's `__init__` counts as the package) form no cycle."""
    edges = {module: {target for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
                      for target in imported_modules(module, node)} | lazy_face_modules(module, tree)
             for module, (_, tree) in modules().items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


IMPORT_EACH_ALONE = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("layers", "dashboard")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""


def test_every_module_imports_on_its_own():
    """Each module imports with none of the project's modules loaded before it: a cycle through a package's `__init__`
    can work in one order and fail in another (`import layers.public_space` alone failed while the infrastructure
    package, which re-exports public space, held the settings public space imports)."""
    # dashboard.wsgi builds the app from the configured bundle when imported: an entry point, not a module to import
    names = sorted(name for name in modules() if name != "dashboard.wsgi")
    run = subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, *names], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(names) > 100 and run.stdout.strip() == ""


def test_the_domain_imports_no_dash():
    dash = [f"{path.relative_to(ROOT)}:{node.lineno}" for module, (path, tree) in modules().items() if module.startswith("layers")
            for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            and any((alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0] in ("dash", "dash_bootstrap_components", "flask")
                    for alias in node.names)]
    assert dash == []


def test_the_dashboard_reads_the_domain_through_its_faces():
    reached = {}
    for module, (path, tree) in modules().items():
        if not module.startswith("dashboard"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "layers":
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                for name in [node.module] + [n for n in names if n in modules()]:  # a submodule named through a face counts
                    reached.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "layers":
                        reached.setdefault(alias.name, f"{path.relative_to(ROOT)}:{node.lineno}")
    assert {name: where for name, where in reached.items() if name not in PUBLIC_FACES} == {}
    assert len(PUBLIC_FACES) <= 10


@pytest.mark.parametrize("face", PUBLIC_FACES)
def test_every_face_lists_what_it_offers(face):
    import importlib

    loaded = importlib.import_module(face)
    assert loaded.__all__, face
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []
