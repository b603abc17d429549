"""The layer rules of docs/ARCHITECTURE.md, read from the source: every import of every module.

An arrow may only point down (shell → handlers → services → broadcasts → models), the sandbox
is test equipment, and no two units import each other, directly or round a longer loop. A
failure names each offending import by file and line.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "broadcasts", "models", "sandbox")
FIRST_PARTY = {*PACKAGES, "migrations", "bench", "tests"}
SHELL = {"app", "runtime", "demo", "migrate", "delivery"}  # bot/<name>.py: the application shell
APART = {"cli", "web", "middlewares"}  # bot/<name>/: a unit each


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "broadcasts.outbox"
    target: str  # the imported module, e.g. "models.audit"
    path: str  # relative to the repository
    line: int
    lazy: bool  # inside a function or under `if TYPE_CHECKING:`, so not run at import time

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve(node: ast.ImportFrom, source: str, package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = source.split(".")
    base = parts if package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(node: ast.AST, source: str, package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        module = _resolve(node, source, package)
        # `from handlers import common` is an arrow to handlers.common, not to handlers/__init__
        subs = [f"{module}.{a.name}" for a in node.names if is_module(f"{module}.{a.name}")]
        return subs if len(subs) == len(node.names) else [module, *subs]
    return []


def _walk(node: ast.AST, lazy: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, lazy
        inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            inner = True
        yield from _walk(child, inner)


def imports_of(path: Path) -> Iterator[Import]:
    source = module_name(path)
    package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node, lazy in _walk(tree):
        for target in _targets(node, source, package):
            if target.split(".")[0] in FIRST_PARTY:
                rel = str(path.relative_to(ROOT))
                yield Import(source, target, rel, getattr(node, "lineno", 0), lazy)


def all_imports() -> list[Import]:
    found: list[Import] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.extend(imports_of(path))
    return found


def unit(module: str) -> str | None:
    """The unit a module belongs to: a capability package, a part of the shell, or a layer."""
    p = module.split(".")
    if p[0] == "bot":
        if len(p) > 2 and p[1] == "services":
            return ".".join(p[:3])
        if len(p) > 1 and p[1] == "__main__":
            return "bot.cli.main"  # `python -m bot` is the command line
        if len(p) > 1 and p[1] in APART:
            return ".".join(p[:2])
        if len(p) > 1 and p[1] in SHELL:
            return "bot.shell"
        return "bot.services" if p[1:] == ["services"] else "bot.base"
    if p[0] == "handlers":
        if len(p) == 1:
            return "handlers"  # __init__: the router order, above every capability
        if (ROOT / "handlers" / p[1]).is_dir():
            return ".".join(p[:2])
        return "handlers.common"  # the top-level helper modules and last routers
    return p[0] if p[0] in PACKAGES else None


def within(target: str, *prefixes: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def report(title: str, bad: list[Import]) -> str:
    return title + ":\n" + "\n".join(f"  {i}" for i in bad)


def test_broadcasts_imports_only_models_and_itself() -> None:
    bad = [
        i
        for i in all_imports()
        if within(i.source, "broadcasts") and not within(i.target, "broadcasts", "models")
    ]
    assert not bad, report("broadcasts/ is the lower layer; it imports models and itself", bad)


def test_models_import_no_upper_layer() -> None:
    bad = [
        i
        for i in all_imports()
        if within(i.source, "models") and within(i.target, "bot", "handlers", "broadcasts")
    ]
    assert not bad, report("models/ is the bottom layer: no bot, handlers or broadcasts", bad)


def test_services_know_no_telegram_and_no_shell() -> None:
    upper = ["handlers", "bot.__main__", *(f"bot.{n}" for n in (*SHELL, *APART))]
    bad = [
        i for i in all_imports() if within(i.source, "bot.services") and within(i.target, *upper)
    ]
    bad += [  # third-party: aiogram is the handlers' business
        i
        for path in sorted((ROOT / "bot" / "services").rglob("*.py"))
        for i in aiogram_imports(path)
    ]
    assert not bad, report("bot/services/ imports no aiogram, handlers or shell module", bad)


def aiogram_imports(path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            if within(name, "aiogram"):
                rel = str(path.relative_to(ROOT))
                yield Import(module_name(path), name, rel, node.lineno, False)


def test_only_the_demo_imports_the_sandbox_and_lazily() -> None:
    """The Docker image leaves sandbox/ out: nothing the image runs may need it at import time."""
    bad = [
        i
        for i in all_imports()
        if not within(i.source, "sandbox")
        and within(i.target, "sandbox")
        and not (i.source == "bot.demo" and i.lazy)
    ]
    assert not bad, report("only bot/demo.py imports the sandbox, inside a function", bad)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; returns the components of more than one unit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_cycle_between_units() -> None:
    arrows: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for i in all_imports():
        a, b = unit(i.source), unit(i.target)
        if a and b and a != b:
            arrows[a, b].append(i)
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in arrows:
        graph[a].add(b)
    lines = []
    for component in strongly_connected(graph):
        lines.append("cycle between " + ", ".join(component) + ":")
        for (a, b), found in sorted(arrows.items()):
            if a in component and b in component:
                lines += [f"  {a} -> {b}: {i}" for i in found]
    assert not lines, "\n".join(lines)


def test_the_rules_see_every_kind_of_import() -> None:
    """The reader itself: relative, lazy and TYPE_CHECKING imports are all found."""
    found = {(i.source, i.target): i for i in all_imports()}
    assert ("sandbox.webhook", "sandbox.builders") in found  # `from .builders import ...`
    assert found["bot.cli.broadcast", "bot.delivery"].lazy  # inside a function
    assert unit("bot.__main__") == "bot.cli.main" and unit("bot.delivery") == "bot.shell"
    assert unit("handlers.notices.acks") == "handlers.notices"
