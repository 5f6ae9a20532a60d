"""The architecture's rules, read from the source (AST only: nothing is imported or run).

1. Production never imports a lab: no module under tools/rollout/ outside lab/, netlab/, bench/
   and cli/ (and no Ansible plugin) imports rollout.lab or rollout.netlab, by any import,
   including one inside a function or under TYPE_CHECKING.
2. No import cycles between the package's modules (all imports, including those inside
   functions); a package's __init__ importing modules of its own package does not count.
3. No module of the package is longer than MAX_LINES lines.
4. The Ansible plugins (plugins/) use public rollout names only.

Each rule lists every offender; docs/architecture.md explains the layers behind the rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "rollout"
LABS = ("rollout.lab", "rollout.netlab")
LAB_USERS = ("rollout.lab", "rollout.netlab", "rollout.bench", "rollout.cli")
"""The only parts of the package that may import a lab: the labs themselves, the bench, the CLI."""
MAX_LINES = 500


@dataclass(frozen=True)
class Module:
    name: str  # dotted: rollout.inventory.loader; a package is named by its __init__
    path: Path
    shown: str  # the path as messages show it (relative to the repository)
    is_package: bool = False


@dataclass(frozen=True)
class Import:
    source: Module
    module: str  # the dotted name as written (made absolute if relative)
    names: tuple[str, ...]  # what `from module import ...` takes; () for `import module`
    line: int

    def targets(self) -> Iterator[str]:
        """module, and module.name for each name (a name may be a submodule)."""
        yield self.module
        for name in self.names:
            yield f"{self.module}.{name}"

    def where(self) -> str:
        return f"{self.source.shown}:{self.line}"


def package_modules(tools: Path) -> dict[str, Module]:
    """Every module of the package under tools/ (tools/rollout/...), by dotted name."""
    found: dict[str, Module] = {}
    for path in sorted((tools / PACKAGE).rglob("*.py")):
        parts = path.relative_to(tools).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        shown = path.relative_to(tools.parent).as_posix()
        found[name] = Module(name, path, shown, is_package)
    return found


def _in(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _base(module: Module, level: int) -> str:
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    return ".".join(parts[: len(parts) - level + 1])


def imports_of(module: Module) -> Iterator[Import]:
    """Every import in the module: top level, in functions, under TYPE_CHECKING, and
    importlib.import_module("...") with a literal name."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(p for p in (_base(module, node.level), base) if p)
            yield Import(module, base, tuple(a.name for a in node.names), node.lineno)
        elif isinstance(node, ast.Call) and (name := _imported_by_call(node)):
            yield Import(module, name, (), node.lineno)


def _imported_by_call(call: ast.Call) -> str:
    """The module of importlib.import_module("name") when the name is written out, else ""."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else ""
    called = func.id if isinstance(func, ast.Name) else called
    if called != "import_module" or not call.args:
        return ""
    arg = call.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""


def rollout_imports(modules: Iterable[Module]) -> list[Import]:
    return [imp for module in modules for imp in imports_of(module) if _in(imp.module, (PACKAGE,))]


def _resolve(target: str, modules: dict[str, Module]) -> str | None:
    """The module a dotted name lands in: itself, or the nearest enclosing module."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


# --- rule 1: production never imports a lab ------------------------------------------------


def lab_imports(imports: Iterable[Import]) -> list[str]:
    found: dict[tuple[str, int, str], str] = {}
    for imp in imports:
        if _in(imp.source.name, LAB_USERS):
            continue
        lab = next((t for t in imp.targets() if _in(t, LABS)), None)
        if lab is not None:
            key = (imp.source.shown, imp.line, lab)
            found[key] = f"{imp.where()}: {imp.source.name} imports {lab}"
    return [found[k] for k in sorted(found)]


# --- rule 2: no import cycles ----------------------------------------------------------------


Graph = dict[str, dict[str, str]]
"""module -> {module it imports: where (file:line)}"""


def import_graph(imports: Iterable[Import], modules: dict[str, Module]) -> Graph:
    """module -> {imported module: where}; a package __init__'s imports of its own modules
    are left out (re-exporting a submodule's names is not a cycle)."""
    graph: Graph = {name: {} for name in modules}
    for imp in imports:
        src = imp.source
        for name in imp.names or (imp.module,):
            full = f"{imp.module}.{name}" if imp.names else name
            target = full if full in modules else _resolve(imp.module, modules)
            if target is None or target == src.name:
                continue
            if src.is_package and target.startswith(src.name + "."):
                continue
            graph[src.name].setdefault(target, imp.where())
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def cycle_report(graph: Graph) -> list[str]:
    lines = []
    for group in cycles(graph):
        members = set(group)
        edges = [
            f"    {src} -> {dst} ({where})"
            for src in group
            for dst, where in sorted(graph[src].items())
            if dst in members
        ]
        lines.append(" <-> ".join(group) + "\n" + "\n".join(edges))
    return lines


# --- rule 3: small modules -------------------------------------------------------------------


def long_modules(modules: Iterable[Module], limit: int = MAX_LINES) -> list[str]:
    found = []
    for module in modules:
        count = len(module.path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            found.append(f"{module.shown}: {count} lines (at most {limit})")
    return sorted(found)


# --- rule 4: plugins use public names only ---------------------------------------------------


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in dotted.split("."))


def private_names(plugin: Module) -> list[str]:
    """Private rollout names a plugin file reaches: imported (from rollout.x import _y,
    import rollout._x) or read off an imported rollout module (module._y)."""
    tree = ast.parse(plugin.path.read_text(encoding="utf-8"), str(plugin.path))
    where = plugin.shown
    found: list[str] = []
    bound: dict[str, str] = {}  # local name -> rollout dotted name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _in(alias.name, (PACKAGE,)):
                    bound[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else PACKAGE
                    )
                    if _private(alias.name):
                        found.append(f"{where}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and _in(node.module or "", (PACKAGE,)):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                bound[alias.asname or alias.name] = full
                if _private(full):
                    found.append(f"{where}:{node.lineno}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and node.attr.startswith("_")
            and not (node.attr.startswith("__") and node.attr.endswith("__"))
        ):
            found.append(f"{where}:{node.lineno}: {bound[node.value.id]}.{node.attr}")
    return found


def plugin_modules(repo: Path) -> list[Module]:
    """The Ansible plugins (plugins/), named by their path."""
    return [
        Module(".".join(rel.with_suffix("").parts), repo / rel, rel.as_posix())
        for rel in sorted(p.relative_to(repo) for p in (repo / "plugins").rglob("*.py"))
    ]


# --- the rules on this repository --------------------------------------------------------------


def _check(rule: str, offenders: list[str]) -> None:
    if offenders:
        pytest.fail(f"{rule}: {len(offenders)} offender(s)\n" + "\n".join(offenders), False)


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return package_modules(REPO / "tools")


def test_production_never_imports_a_lab(modules: dict[str, Module]) -> None:
    imports = rollout_imports([*modules.values(), *plugin_modules(REPO)])
    offenders = lab_imports(imports)
    _check(
        "production code imports a lab (move what it needs out of the lab, into a production "
        "module the lab also uses, or have the lab write a record production reads)",
        offenders,
    )


def test_no_import_cycles(modules: dict[str, Module]) -> None:
    graph = import_graph(rollout_imports(modules.values()), modules)
    offenders = cycle_report(graph)
    _check(
        "import cycles (break each: move what both sides need into a module of its own, or "
        "pass it in as an argument)",
        offenders,
    )


def test_no_module_is_too_long(modules: dict[str, Module]) -> None:
    offenders = long_modules(modules.values())
    _check(f"modules over {MAX_LINES} lines (split by job)", offenders)


def test_plugins_use_public_names_only() -> None:
    plugins = plugin_modules(REPO)
    assert plugins, "no plugins found under plugins/"
    offenders = [line for plugin in plugins for line in private_names(plugin)]
    _check("plugins reach private rollout names (make the name public where it lives)", offenders)


# --- the checkers themselves, on a small tree with known violations ------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


SYNTHETIC = {
    "tools/rollout/__init__.py": "",
    "tools/rollout/lab/__init__.py": "from rollout.lab.manager import Lab\n",
    # a submodule importing its package back: only the package's re-export edge is left out
    "tools/rollout/lab/manager.py": "import rollout.lab.day0\n\nclass Lab: ...\n",
    "tools/rollout/lab/day0.py": "X = 1\n",
    "tools/rollout/netlab/__init__.py": "",
    "tools/rollout/cli/main.py": "from rollout.lab import Lab\nimport rollout.netlab\n",
    "tools/rollout/bench/run.py": "from rollout.lab.manager import Lab\n",
    "tools/rollout/targets.py": (
        "def lab_target() -> None:\n    from rollout.lab.manager import Lab\n"
    ),
    "tools/rollout/sla.py": "from rollout import netlab\n",
    "tools/rollout/typed.py": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import rollout.lab\n"
    ),
    "tools/rollout/dynamic.py": (
        "import importlib\nm = importlib.import_module('rollout.netlab.wan')\n"
    ),
    "tools/rollout/a.py": "from rollout.b import B\nA = 1\n",
    "tools/rollout/b.py": "B = 1\ndef later() -> None:\n    from . import a\n",
    "tools/rollout/c.py": "from rollout import d\n",
    "tools/rollout/d.py": "from rollout.e import E\n",
    "tools/rollout/e.py": "import rollout.c\nE = 1\n",
    "tools/rollout/fine.py": "from rollout.a import A\nfrom rollout.lab_notes import N\n",
    "tools/rollout/lab_notes.py": "N = 1\n",
    "tools/rollout/long.py": "x = 1\n" * (MAX_LINES + 1),
    "tools/rollout/full.py": "x = 1\n" * MAX_LINES,
    "plugins/modules/device.py": (
        "from rollout.ops import run, _step\n"
        "import rollout._hidden\n"
        "from rollout import ops\n"
        "import rollout.drift as drift\n"
        "def main() -> None:\n"
        "    ops._engine()\n"
        "    drift.__name__\n"
        "    drift.report()\n"
    ),
    "plugins/lookup/config.py": "from rollout.netlab.lab import lab_router\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _write(tmp_path, SYNTHETIC)
    return tmp_path


def test_the_lab_rule_finds_every_kind_of_lab_import(tree: Path) -> None:
    modules = package_modules(tree / "tools")
    found = lab_imports(rollout_imports([*modules.values(), *plugin_modules(tree)]))
    assert found == [
        "plugins/lookup/config.py:1: plugins.lookup.config imports rollout.netlab.lab",
        "tools/rollout/dynamic.py:2: rollout.dynamic imports rollout.netlab.wan",
        "tools/rollout/sla.py:1: rollout.sla imports rollout.netlab",
        "tools/rollout/targets.py:2: rollout.targets imports rollout.lab.manager",
        "tools/rollout/typed.py:3: rollout.typed imports rollout.lab",
    ]


def test_the_cycle_rule_finds_cycles_through_functions_and_modules(tree: Path) -> None:
    modules = package_modules(tree / "tools")
    graph = import_graph(rollout_imports(modules.values()), modules)
    assert cycles(graph) == [
        ["rollout.a", "rollout.b"],
        ["rollout.c", "rollout.d", "rollout.e"],
    ]
    report = cycle_report(graph)
    assert report[0].splitlines() == [
        "rollout.a <-> rollout.b",
        "    rollout.a -> rollout.b (tools/rollout/a.py:1)",
        "    rollout.b -> rollout.a (tools/rollout/b.py:3)",
    ]


def test_a_package_re_exporting_its_modules_is_no_cycle(tree: Path) -> None:
    modules = package_modules(tree / "tools")
    graph = import_graph(rollout_imports(modules.values()), modules)
    assert "rollout.lab.manager" not in graph["rollout.lab"]
    assert graph["rollout.lab.manager"] == {"rollout.lab.day0": "tools/rollout/lab/manager.py:1"}
    _write(tree, {"tools/rollout/lab/day0.py": "from rollout.lab import Lab\n"})
    graph = import_graph(rollout_imports(modules.values()), modules)
    assert cycles(graph) == [
        ["rollout.a", "rollout.b"],
        ["rollout.c", "rollout.d", "rollout.e"],
    ]


def test_the_length_rule_counts_lines(tree: Path) -> None:
    modules = package_modules(tree / "tools")
    assert long_modules(modules.values()) == [
        f"tools/rollout/long.py: {MAX_LINES + 1} lines (at most {MAX_LINES})"
    ]


def test_the_plugin_rule_finds_private_names(tree: Path) -> None:
    found = [line for plugin in plugin_modules(tree) for line in private_names(plugin)]
    assert sorted(found) == [
        "plugins/modules/device.py:1: from rollout.ops import _step",
        "plugins/modules/device.py:2: import rollout._hidden",
        "plugins/modules/device.py:6: rollout.ops._engine",
    ]
