"""Preview rebuilds keep graphs, profiles and export parts whose inputs did not change, and no other.

``okrsite serve`` rebuilds the docs tree after every edit with a
``BuildCache``; its ``GraphDots`` keeps a graph's DOT while the units the
graph is drawn from are unchanged (``okrsite/graphs/inputs.py``). Each test
edits content the way an author does, rebuilds the preview, and compares the
whole tree with a plain build of the same content (no cache at all): a graph
kept in error would show as a difference.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from contentkit import make_content
from test_annual_cycles import FILES as ANNUAL_FILES
from test_annual_cycles import TODAY as ANNUAL_TODAY
from test_serve_incremental import _full_build, _html, _serve_build, serving  # noqa: F401 (a fixture)

from okrsite.site.build import build_docs_tree
from okrsite.site.cache import BuildCache
from okrsite.site.options import SiteOptions
from okrsite.site.tree import DocsTree
from okrsite.validate import LoadCache, load_model

REPO = Path(__file__).resolve().parents[1]


def _synthetic_org(root: Path, units: int) -> Path:
    """bench/synth.py's organisation (two quarters, links, overlaps, a private objective)."""
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth  # its dataclasses look their module up
    spec.loader.exec_module(synth)
    synth.write(root, units=units, cycles=2)
    return root / "content"


class Preview:
    """Builds a content directory the way the preview server does, and plainly."""

    def __init__(self, content: Path, options: SiteOptions) -> None:
        self.content, self.options = content, options
        self.loads, self.cache = LoadCache(), BuildCache()

    def rebuild(self) -> DocsTree:
        model = load_model(self.content, cache=self.loads)
        return build_docs_tree(model, self.options, self.cache)

    def plain(self) -> DocsTree:
        return build_docs_tree(load_model(self.content), self.options)

    def check(self, what: str) -> DocsTree:
        """Rebuild, and assert the preview equals a plain build."""
        tree, plain = self.rebuild(), self.plain()
        differ = sorted(p for p in {*tree.files, *plain.files} if tree.files.get(p) != plain.files.get(p))
        assert not differ, f"after {what}: the preview differs from a plain build in {differ[:5]}"
        assert tree.nav == plain.nav, what
        return tree


def _edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the edit did not apply to {path}"
    path.write_text(changed, encoding="utf-8")


def _first(pattern: str, replacement: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)


def _units_by_kind(content: Path) -> dict[str, list[str]]:
    org = yaml.safe_load((content / "org.yaml").read_text(encoding="utf-8"))
    kinds: dict[str, list[str]] = {}
    for unit in org["units"]:
        kinds.setdefault(unit["kind"], []).append(unit["id"])
    return kinds


def test_each_kind_of_edit_gives_the_plain_build(tmp_path: Path) -> None:
    """Title edits, a link removed, a department's and the company's OKRs, a
    unit renamed, a file deleted and restored: after each, the preview's tree
    equals a plain build, and a title edit draws only a few graphs again."""
    content = _synthetic_org(tmp_path / "org", units=40)
    options = SiteOptions(  # sections of 10: the compact directory of large companies
        today=dt.date(2026, 11, 23), graph_cache_dir=tmp_path / "graphs", nav_section_size=10
    )
    preview = Preview(content, options)
    first = preview.check("the first build")
    graphs = preview.cache.graph_dots.drawn
    assert graphs > 40  # every unit's graph, per quarter, the overviews, departments

    kinds = _units_by_kind(content)
    quarter = content / "2026-Q4"
    team = next(quarter / f"{u}.yaml" for u in kinds["team"] if (quarter / f"{u}.yaml").is_file()
                and "contributes_to" in (quarter / f"{u}.yaml").read_text(encoding="utf-8"))
    indexes = preview.cache.alignment.built
    _edit(team, _first(r"^(    title: ).*$", r"\1A retitled team objective"))
    tree = preview.check("a team objective's title")
    assert preview.cache.alignment.built == indexes  # no link changed: every index kept
    assert 0 < preview.cache.graph_dots.drawn < graphs / 4
    assert preview.cache.export_parts.made == 2  # the unit's okrs.json entry and okrs.csv rows
    units = sum(len(ids) for ids in kinds.values())
    assert preview.cache.profiles.reused == units - 1  # every profile but the team's
    # The split quality pages of the other top-level units (both quarters) are kept.
    assert preview.cache.quality_pages.reused >= len(kinds["department"])
    changed = [p for p in tree.files if tree.files[p] != first.files.get(p)]
    assert f"2026-Q4/{team.stem}.md" in changed

    # The link's target loses a supporter: its unit's overlap counts change.
    _edit(team, _first(r"^ *contributes_to: .*\n", ""))
    preview.check("a contributes_to link removed")
    assert preview.cache.alignment.built == indexes + 1  # the quarter's index only

    department = quarter / f"{kinds['department'][0]}.yaml"
    _edit(department, _first(r"^(    title: ).*$", r"\1A retitled department objective"))
    preview.check("a department objective's title")
    assert preview.cache.graph_dots.drawn > 1  # its teams' graphs show it

    _edit(quarter / "company.yaml", _first(r"^(    title: ).*$", r"\1A retitled company goal"))
    preview.check("a company objective's title")

    _edit(content / "org.yaml", _first(r"^(    name: ).*$", r"\1Renamed Unit"))
    preview.check("a unit renamed in org.yaml")

    texts = {path: path.read_text(encoding="utf-8") for path in quarter.glob("*.yaml")}
    lonely = next(  # a team nothing links to: its file may go
        path for path in sorted(texts) if path.stem in kinds["team"]
        and not any(f"{path.stem}/" in text for other, text in texts.items() if other != path)
    )
    kept = lonely.read_bytes()
    lonely.unlink()
    preview.check("a unit file deleted")
    lonely.write_bytes(kept)
    preview.check("the same file restored")
    preview.check("no change at all")
    # Nothing is drawn or made again, not even for the unit with a private
    # objective (its redacted copy is kept too).
    assert preview.cache.graph_dots.drawn == 0 and preview.cache.export_parts.made == 0


def test_cross_cycle_boxes_follow_the_year(tmp_path: Path) -> None:
    """A quarter's graphs draw the year's objectives its items align up to:
    a retitled annual objective, and a quarter's link up to the year removed,
    show in the preview as in a plain build."""
    content = make_content(tmp_path, ANNUAL_FILES)
    options = SiteOptions(today=ANNUAL_TODAY, graph_cache_dir=tmp_path / "graphs")
    preview = Preview(content, options)
    preview.check("the first build")

    _edit(content / "2026" / "product.yaml", _first(r"^(    title: ).*$", r"\1Self-serve, retitled"))
    tree = preview.check("an annual objective's title")
    assert any("Self-serve, retitled" in str(text) for path, text in tree.files.items()
               if path.startswith("2026-Q2/"))

    _edit(
        content / "2026-Q2" / "onboarding.yaml",
        lambda text: text.replace("2026:product/self-serve, ", ""),
    )
    preview.check("a link up to the year removed")


def test_demo_edits_give_the_plain_build(tmp_path: Path) -> None:
    """The demo content (internal audience: private objectives drawn too):
    an objective's title and a key result's value edited."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    options = SiteOptions(
        today=dt.date(2026, 11, 20), audience="internal", graph_cache_dir=tmp_path / "graphs"
    )
    preview = Preview(tmp_path / "content", options)
    preview.check("the first build")
    unit_file = tmp_path / "content" / "2026-Q4" / "product-onboarding.yaml"
    _edit(unit_file, lambda t: t.replace("title: Onboarding completion", "title: Activation", 1))
    preview.check("a KR title")
    _edit(unit_file, _first(r"^(\s+current: )\S+$", r"\g<1>1"))
    preview.check("a KR's current value")


@pytest.mark.usefixtures("serving")  # fresh plugin objects, as a new server has
def test_dirty_mkdocs_rebuilds_equal_plain_builds(tmp_path: Path) -> None:
    """The whole preview as MkDocs writes it (dirty rebuilds into one site
    directory, as ``okrsite serve`` runs them) equals a plain build of the
    same content, page for page, after a department's and a team's edits."""
    content = _synthetic_org(tmp_path / "org", units=20)
    config_file = tmp_path / "org" / "mkdocs.yml"
    site = tmp_path / "preview"
    _serve_build(config_file, site, first=True)
    kinds = _units_by_kind(content)
    quarter = content / "2026-Q4"
    department = quarter / f"{kinds['department'][0]}.yaml"
    _edit(department, _first(r"^(    title: ).*$", r"\1A retitled department objective"))
    _serve_build(config_file, site)
    assert _html(site) == _full_build(config_file, tmp_path / "plain-1")
    team = next(quarter / f"{u}.yaml" for u in kinds["team"] if (quarter / f"{u}.yaml").is_file())
    _edit(team, _first(r"^(\s+current: )\S+$", r"\g<1>0"))
    _serve_build(config_file, site)
    preview = _html(site)
    assert preview == _full_build(config_file, tmp_path / "plain-2")
    assert "A retitled department objective" in preview[f"2026-Q4/{department.stem}/index.html"].decode()
