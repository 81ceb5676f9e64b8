"""The one set of helpers tests use to write content, projects and git history.

- :func:`write_files`: any tree of files (text, bytes, or YAML from Python data);
- :func:`make_content`: a small valid content tree (``BASE``) with overrides;
- :func:`demo_project`: the demo project (content, docs, mkdocs.yml), optionally
  committed to a git repository at a fixed date;
- :func:`git`: git in a test repository, with a fixed identity (and date).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]

COMPANY = """\
name: Acme
method: hybrid
cycles:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
"""

ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
"""

COMPANY_OKRS = """\
status: locked
objectives:
  - id: grow
    title: Grow mid-market
    owner: CEO
    key_results:
      - {id: customers, title: Mid-market customers, start: 150, target: 350, current: 250, owner: CEO}
"""

PRODUCT_OKRS = """\
status: locked
objectives:
  - id: easier
    title: Make it easy to start
    owner: Priya
    aligns_to: [company/grow]
    key_results:
      - id: ttv
        title: Cut time to first value
        start: 14
        target: 5
        current: 9
        unit: days
        owner: Priya
        contributes_to: [company/grow/customers]
"""

BASE = {
    "company.yaml": COMPANY,
    "org.yaml": ORG,
    "2026-Q1/company.yaml": COMPANY_OKRS,
    "2026-Q1/product.yaml": PRODUCT_OKRS,
}


class _NoAliases(yaml.SafeDumper):
    """Write shared objects out in full (the loader rejects anchors and aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_files(root: Path, files: Mapping[str, Any], *, dedent: bool = False) -> Path:
    """Write ``files`` (relative path → content) under ``root``; returns ``root``.

    Text is written as UTF-8 (dedented with ``dedent``), bytes as they are,
    anything else as YAML (mappings keep their order, no anchors); ``None``
    writes nothing.
    """
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        if data is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(textwrap.dedent(data) if dedent else data, encoding="utf-8")
        else:
            text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)
            path.write_text(text, encoding="utf-8")
    return root


def make_content(root: Path, files: dict[str, str | None], *, base: bool = True) -> Path:
    """Write ``root/content`` from ``BASE`` overlaid with ``files``.

    A value of ``None`` deletes that file from the base. Text is dedented.
    """
    return write_files(root / "content", {**(BASE if base else {}), **files}, dedent=True)


def git(repo: Path, *args: str, author: str = "Alice", date: str | None = None) -> str:
    """Run git in ``repo`` as ``author`` (at ``date``, ISO 8601, if given),
    ignoring the machine's git configuration; returns stdout."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": "a@example.com",
    }
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def demo_project(root: Path, *, config_head: str = "", committed_at: str | None = None) -> Path:
    """The demo project (``content/``, ``docs/site/``, ``mkdocs.yml`` with
    ``config_head`` lines in front) under ``root``. With ``committed_at`` it
    is a git repository whose one commit, of everything, has that date."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "docs" / "site", root / "docs" / "site")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config_head + config, encoding="utf-8")
    if committed_at is not None:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "content", date=committed_at)
    return root


def build_site(config: Path, site: Path, *, today: str = "2026-11-23") -> dict[str, bytes]:
    """``okrsite build --strict`` of ``config`` into ``site`` (a real MkDocs
    build, in process); every file of the site by its path."""
    from click.testing import CliRunner

    from okrsite.cli import main

    result = CliRunner().invoke(
        main, ["build", "-f", str(config), "--site-dir", str(site), "--strict", "--today", today]
    )
    assert result.exit_code == 0, result.output
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def load_synth() -> ModuleType:
    """``bench/synth.py``, the benchmarks' synthetic-org generator (not a
    package: loaded from its file, once per test session)."""
    name = "bench_synth"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
