"""Experiment: the floor build with one more navigation level.

With ``navigation.tabs`` + ``navigation.sections``, Material renders every
second-level section of the active tab *expanded* on every page —
``navigation.prune`` only drops collapsed subtrees. okrsite's nav puts each
department section directly under its cycle tab, so every page of a cycle
carries links to every unit of that cycle. This rewrites a floor config
(``bench/run.py --work DIR`` leaves ``DIR/floor/mkdocs.yml``) so the
department sections sit one level lower, under one "Departments and services"
section, where they are collapsible and pruned::

    python bench/nested_nav.py DIR/floor/mkdocs.yml > DIR/floor/mkdocs-nested.yml
    mkdocs build -q -f DIR/floor/mkdocs-nested.yml -d DIR/floor/site-nested
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def _is_section(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(next(iter(item.values())), list)


def nest(nav: list[Any], title: str = "Departments and services") -> list[Any]:
    """Move the sections under each top-level tab into one ``title`` section."""
    out: list[Any] = []
    for top in nav:
        if not _is_section(top):
            out.append(top)
            continue
        ((name, items),) = top.items()
        pages = [i for i in items if not _is_section(i)]
        sections = [i for i in items if _is_section(i)]
        out.append({name: pages + ([{title: sections}] if sections else [])})
    return out


def main(argv: list[str]) -> int:
    """Print the nested config of the floor config ``argv[0]``."""
    config = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))
    config["nav"] = nest(config["nav"])
    sys.stdout.write(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
