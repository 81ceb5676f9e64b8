"""One-way imports: the core knows neither MkDocs nor click (STYLE.md, practice 1)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "okrsite"
ENGINE = PACKAGE / "engine"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else "")
            if node.module.startswith("okrsite.cli"):
                names.add("okrsite.cli")
    return names


def core_modules() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if not {"cli", "engine"} & set(p.relative_to(PACKAGE).parts)
    ]


def test_core_imports_neither_mkdocs_nor_click() -> None:
    """No core module imports mkdocs or click."""
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in core_modules()
        if {"mkdocs", "click"} & imported_modules(p)
    ]
    assert offenders == []


def test_plugin_and_cli_do_not_import_each_other() -> None:
    """The plugin never imports the CLI, and no CLI module imports the plugin."""
    for path in ENGINE.glob("*.py"):
        assert "okrsite.cli" not in path.read_text(encoding="utf-8"), path
    for path in (PACKAGE / "cli").glob("*.py"):
        assert "engine.plugin" not in path.read_text(encoding="utf-8"), path


def test_only_cli_prints() -> None:
    """print() is not called outside the CLI (the core logs or returns text)."""
    offenders = []
    for path in [*core_modules(), *ENGINE.glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []
