"""Architecture facts, checked on the source (``ast``), not by convention.

- Layer order: a module never imports from a higher layer, also not inside a
  function (see ``LAYERS`` and docs/ARCHITECTURE.md).
- No import cycles among okrsite modules (function-level imports included;
  the click registration idiom of ``okrsite/cli/__init__.py`` excepted).
- Only ``okrsite/engine/`` imports mkdocs; only ``okrsite/cli/`` imports
  click, prints, or changes process-wide state (GC switches, forks, atexit
  hooks, signal handlers, module-global caches); options reach the engine
  in code, not the environment.
- No module over 600 lines; at most 8 modules loose in ``okrsite/``.
- Every CLI command and option has help text.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from okrsite.cli import load_all_commands, main

PACKAGE = Path(__file__).resolve().parents[1] / "okrsite"
ENGINE = PACKAGE / "engine"
CLI = PACKAGE / "cli"

LAYERS: list[set[str]] = [
    # Base: located errors, the typed model, its field types and links, docs paths,
    # okrsite's own helper interpreters.
    {
        "okrsite", "okrsite.errors", "okrsite.fieldtypes", "okrsite.model", "okrsite.processes",
        "okrsite.refs", "okrsite.urls",
    },
    {"okrsite.source"},  # files and git objects → raw mappings with locations
    {"okrsite.validate"},  # raw → model, or every located error at once
    {"okrsite.analysis"},  # pure facts about a model, each rule defined once
    {"okrsite.checks", "okrsite.render", "okrsite.graphs"},  # rules | text | drawings
    {"okrsite.site", "okrsite.review", "okrsite.intake"},  # docs tree | review | import
    {"okrsite.engine"},  # the one MkDocs adapter
    {"okrsite.cli"},  # the only place that prints and exits
]
"""Lowest first. A module may import from its own layer and the layers below."""

MAX_LINES = 600
MAX_LOOSE_MODULES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def syntax(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports (absolute names), at any depth, with its line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(syntax(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from package import submodule`` imports the submodule.
                submodule = f"{source}.{alias.name}"
                yield (submodule if submodule in modules() else source), node.lineno


def okrsite_imports(path: Path) -> set[str]:
    """The okrsite modules ``path`` imports (resolved to files that exist)."""
    found: set[str] = set()
    for target, _line in imports(path):
        while target and target not in modules():
            target = target.rpartition(".")[0]  # ``from okrsite.x import name``
        if target.startswith("okrsite"):
            found.add(target)
    return found - {module_name(path)}


def layer_of(module: str) -> int:
    candidates = [
        (len(prefix), index)
        for index, layer in enumerate(LAYERS)
        for prefix in layer
        if module == prefix or (prefix != "okrsite" and module.startswith(prefix + "."))
    ]
    if not candidates:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS (and the docs)")
    return max(candidates)[1]


def import_graph() -> dict[str, set[str]]:
    return {name: okrsite_imports(path) for name, path in modules().items()}


def test_every_module_has_a_layer() -> None:
    """New packages must be placed in the layer order on purpose."""
    for name in modules():
        layer_of(name)


def test_lower_layers_never_import_higher_ones() -> None:
    """Imports go down (or sideways within a layer), never up, not even
    inside a function."""
    upward = [
        f"{modules()[source].relative_to(PACKAGE.parent)}:{line}: {source} imports {target}"
        for source, path in modules().items()
        for target, line in imports(path)
        if target.startswith("okrsite.")
        and target in modules()
        and layer_of(target) > layer_of(source)
    ]
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """No set of okrsite modules imports each other in a circle. Excepted:
    ``okrsite.cli`` importing its command modules so they register on
    ``main`` (click's idiom; they import ``main`` back)."""
    graph = import_graph()
    graph["okrsite.cli"] = {m for m in graph["okrsite.cli"] if not m.startswith("okrsite.cli.")}
    assert _cycles(graph) == []


def test_cycle_finder_finds_cycles() -> None:
    """The cycle check itself can fail: a → b → c → a is found, a tree is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_module_over_600_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_few_loose_modules() -> None:
    """Code lives in packages named after its stage; only the base is loose."""
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def test_every_package_is_packaged() -> None:
    """Every okrsite package is listed in pyproject.toml, so the wheel has it."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert sorted(packages - listed) == []


def test_only_the_engine_imports_mkdocs() -> None:
    """MkDocs is reached through ``okrsite/engine/`` only; the CLI calls the
    engine (no mkdocs import in ``okrsite/cli/``, not even in a function)."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in modules().values()
        if ENGINE not in path.parents
        for target, line in imports(path)
        if target == "mkdocs" or target.startswith("mkdocs.")
    ]
    assert offenders == []


def test_core_imports_neither_mkdocs_nor_click() -> None:
    """Outside cli/ and engine/ nothing imports mkdocs or click; click is the CLI's."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
        for path in modules().values()
        if CLI not in path.parents
        for target, line in imports(path)
        if target.split(".")[0] == "click"
        or (target.split(".")[0] == "mkdocs" and ENGINE not in path.parents)
    ]
    assert offenders == []


def test_plugin_and_cli_do_not_import_each_other() -> None:
    """The engine never imports the CLI; the CLI never imports the plugin
    (it calls ``engine.build`` / ``engine.preview``)."""
    for path in ENGINE.rglob("*.py"):
        assert not any(m.startswith("okrsite.cli") for m in okrsite_imports(path)), path
    for path in CLI.rglob("*.py"):
        assert "okrsite.engine.plugin" not in okrsite_imports(path), path


PROCESS_WIDE = {
    ("gc", "disable"),
    ("gc", "freeze"),
    ("os", "fork"),
    ("os", "forkpty"),
    ("os", "_exit"),
    ("atexit", "register"),
    ("signal", "signal"),
}
"""Calls that change the whole process: the CLI's to make, never a library's."""


def process_wide_calls(tree: ast.Module, where: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in PROCESS_WIDE:
                found.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if (node.module, alias.name) in PROCESS_WIDE:
                    found.append(f"{where}:{node.lineno}: {node.module}.{alias.name}")
    return found


def test_no_process_wide_state_outside_the_cli() -> None:
    """No gc.disable/freeze, os.fork, atexit.register or signal handlers in
    library code (including the engine)."""
    offenders = [
        hit
        for path in modules().values()
        if CLI not in path.parents
        for hit in process_wide_calls(syntax(path), str(path.relative_to(PACKAGE.parent)))
    ]
    assert offenders == []


def test_process_wide_check_sees_calls_and_imports() -> None:
    """The check can fail: both spellings are found, inside functions too."""
    code = "import gc\nfrom os import fork\n\ndef f():\n    gc.freeze()\n"
    hits = process_wide_calls(ast.parse(code), "x.py")
    assert sorted(hits) == ["x.py:2: os.fork", "x.py:5: gc.freeze"]


_MEMO_DECORATORS = {"functools.cache", "functools.lru_cache", "cache", "lru_cache"}


def module_global_caches(tree: ast.Module, where: str) -> list[str]:
    """Module-level memo containers (a name with MEMO or CACHE bound to a
    container or an object) and memoised functions with arguments. A
    ``functools.cache`` on a function without arguments builds a constant
    once (a template environment) and is not a cache of data."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            takes = node.args.args or node.args.kwonlyargs or node.args.vararg
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(called) in _MEMO_DECORATORS and takes:
                    found.append(f"{where}:{node.lineno}: {node.name}")
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            container = isinstance(node.value, ast.Dict | ast.Set | ast.List | ast.Call)
            if container and any(word in n.upper() for n in names for word in ("MEMO", "CACHE")):
                found.append(f"{where}:{node.lineno}: {names[0]}")
    return found


def test_no_module_global_caches_outside_the_cli() -> None:
    """Caches are objects passed in by their owner (``LoadCache``,
    ``BuildCache``), never module state that outlives a build."""
    offenders = [
        hit
        for path in modules().values()
        if CLI not in path.parents
        for hit in module_global_caches(syntax(path), str(path.relative_to(PACKAGE.parent)))
    ]
    assert offenders == []


def test_module_global_cache_check_can_fail() -> None:
    code = (
        "import functools\n_PARSE_MEMO: dict[str, int] = {}\nCACHE_FORMAT = 'v1'\n"
        "@functools.lru_cache(maxsize=9)\ndef f(x): return x\n"
        "@functools.cache\ndef env(): return 1\n"
    )
    assert module_global_caches(ast.parse(code), "x.py") == ["x.py:2: _PARSE_MEMO", "x.py:5: f"]


def test_only_cli_prints() -> None:
    """print() is not called outside the CLI (the core logs or returns text)."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for path in modules().values()
        if CLI not in path.parents
        for node in ast.walk(syntax(path))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
    ]
    assert offenders == []


def test_no_environment_variables_between_cli_and_engine() -> None:
    """Options travel in code: no okrsite module reads or sets an
    ``OKRSITE_*`` environment variable."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for path in modules().values()
        for node in ast.walk(syntax(path))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("OKRSITE_")
    ]
    assert offenders == []


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    # ``main`` imports a command's module only when it is used: load them all.
    commands = load_all_commands() if group is main else group.commands
    for name, command in sorted(commands.items()):
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")


@pytest.mark.parametrize(
    "name,command", [pytest.param(name, cmd, id=name) for name, cmd in _commands(main)]
)
def test_every_command_and_option_has_help(name: str, command: click.Command) -> None:
    """``okrsite <command> --help`` explains the command and each of its options."""
    assert (command.help or "").strip(), f"{name} has no help"
    undocumented = [
        param.opts[0]
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
    ]
    assert undocumented == [], f"{name}: options without help"
