"""Incremental preview builds (``okrsite serve`` = ``mkdocs serve --dirty``).

Real MkDocs dirty builds of the demo site into one site directory, as the
preview server runs them: after an edit only pages whose text changed are
rendered again, and the result equals a fresh full build of the edited
content, page for page.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from okrsite.site.cache import IdentityMemo

REPO = Path(__file__).resolve().parents[1]
OLD = 1_000_000_000  # an mtime long before any build


def _project(root: Path, *, page_cache: bool = True) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    (root / "docs" / "site").mkdir(parents=True)
    (root / "docs" / "site" / "about.md").write_text("# About\n\nHand-written page.\n")
    config = root / "mkdocs.yml"
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not page_cache:
        text = text.replace("content_dir: content", "content_dir: content\n      page_cache: false")
        assert "page_cache: false" in text
    config.write_text(text, encoding="utf-8")
    return config


def _config(config_file: Path, site: Path) -> MkDocsConfig:
    return load_config(str(config_file), site_dir=str(site))


@pytest.fixture
def serving() -> Iterator[None]:
    """Fresh plugin instances for a dirty preview, and fresh ones again after it.

    MkDocs keeps plugins that have ``on_startup`` in a process-wide cache:
    okrsite's and Material's search plugin, which after a dirty build keeps
    the previous search index and merges it into every later build. Emptying
    the cache keeps the preview's state out of other tests' builds."""
    cache = MkDocsConfig.plugins.plugin_cache
    cache.clear()
    yield
    cache.clear()


def _html(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def _age_all(site: Path) -> None:
    for page in site.rglob("*.html"):
        os.utime(page, (OLD, OLD))


def _rendered(site: Path) -> set[str]:
    return {p for p, path in _paths(site).items() if path.stat().st_mtime > OLD + 1}


def _paths(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*.html")}


def _serve_build(config_file: Path, site: Path, *, first: bool = False) -> None:
    config = _config(config_file, site)
    if first:
        config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)


def _full_build(config_file: Path, site: Path) -> dict[str, bytes]:
    config = _config(config_file, site)
    build(config)
    return _html(site)


def test_editing_one_unit_renders_only_changed_pages(tmp_path: Path, serving: None) -> None:
    config_file = _project(tmp_path / "repo")
    site = tmp_path / "preview"
    _serve_build(config_file, site, first=True)
    pages = set(_paths(site))
    assert len(pages) > 30

    unit_file = tmp_path / "repo" / "content" / "2026-Q4" / "product-onboarding.yaml"
    text = unit_file.read_text(encoding="utf-8")
    edited = text.replace("title: Onboarding completion", "title: Onboarding completion rate", 1)
    assert edited != text
    unit_file.write_text(edited, encoding="utf-8")
    _age_all(site)
    _serve_build(config_file, site)

    rendered = _rendered(site)
    assert "2026-Q4/product-onboarding/index.html" in rendered
    assert "Onboarding completion rate" in (
        site / "2026-Q4/product-onboarding/index.html"
    ).read_text(encoding="utf-8")
    # Pages that do not show that KR are not rendered again …
    assert "2026-Q3/product-onboarding/index.html" not in rendered
    assert "2026-Q4/sales/index.html" not in rendered
    assert len(rendered) < len(pages) / 2
    # … and yet the preview equals a fresh full build, page for page.
    assert _html(site) == _full_build(config_file, tmp_path / "fresh")


def test_navigation_change_renders_every_page(tmp_path: Path, serving: None) -> None:
    config_file = _project(tmp_path / "repo")
    site = tmp_path / "preview"
    _serve_build(config_file, site, first=True)
    org = tmp_path / "repo" / "content" / "org.yaml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace("name: Onboarding", "name: Activation", 1), encoding="utf-8")
    _age_all(site)
    _serve_build(config_file, site)
    assert _rendered(site) == set(_paths(site))
    assert _html(site) == _full_build(config_file, tmp_path / "fresh")


def test_plain_builds_render_everything(tmp_path: Path) -> None:
    """Without a dirty preview, nothing is skipped (MkDocs' own default). The
    page cache is off: its hits are linked from the cache with the cache
    entry's modification time (tests/test_page_cache.py covers them)."""
    config_file = _project(tmp_path / "repo", page_cache=False)
    site = tmp_path / "site"
    build(_config(config_file, site))
    _age_all(site)
    build(_config(config_file, site))
    assert _rendered(site) == set(_paths(site))


def test_identity_memo_needs_the_same_objects() -> None:
    memo: IdentityMemo[str] = IdentityMemo(limit=3)
    a, b = ["x"], ["x"]
    memo.put((a, "k"), "value")
    assert memo.get(a, "k") == "value"
    assert memo.get(b, "k") is None  # equal, not identical
    for i in range(3):
        memo.put(([i],), str(i))
    assert len(memo) <= 3


def test_build_cache_reuses_fragments_and_changes_nothing(tmp_path: Path) -> None:
    """A preview server's BuildCache makes the second build reuse the first's
    fragments (the very same objects), and the tree equals a plain build's."""
    import datetime as dt

    from okrsite.site.build import build_docs_tree
    from okrsite.site.cache import BuildCache
    from okrsite.site.options import SiteOptions
    from okrsite.validate import load_model

    model = load_model(REPO / "content")
    options = SiteOptions(
        today=dt.date(2026, 11, 20), graph_cache_dir=tmp_path / "graphs", inline_graph_limit=2_000
    )
    plain = build_docs_tree(model, options)
    cache = BuildCache()
    first = build_docs_tree(model, options, cache)
    assert len(cache.checkins) > 10 and cache.graph_svgs and len(cache.graph_files) > 0
    reused = dict(cache.graph_svgs)
    second = build_docs_tree(model, options, cache)
    assert first.files == plain.files == second.files
    assert first.nav == plain.nav == second.nav
    # The unchanged graphs are the same string objects as before: reused, not redrawn.
    assert all(cache.graph_svgs[key] is svg for key, svg in reused.items())
    # A second server's cache starts empty: nothing is shared through module state.
    assert len(BuildCache().checkins) == 0 and not BuildCache().graph_svgs


def _supporting_link(model: object) -> tuple[str, str, str, str]:
    """(cycle, supporter unit, supporter objective title, supported unit) of the
    current demo quarter: an objective of one unit that aligns to another's."""
    from okrsite.analysis.alignment import AlignmentIndex
    from okrsite.model import OkrModel

    assert isinstance(model, OkrModel)
    cycle = model.cycles["2026-Q4"]
    index = AlignmentIndex.build(cycle, include_private=True)
    for link in index.links:
        crosses_units = link.source.unit != link.target.unit
        if link.kind == "aligns_to" and crosses_units and link.source.key_result is None:
            okrs = cycle.okrs[link.source.unit]
            title = next(o.title for o in okrs.objectives if o.id == link.source.objective)
            return cycle.id, link.source.unit, title, link.target.unit
    raise AssertionError("the demo has no aligned objective")


def test_preview_reuses_unit_pages_whose_inputs_did_not_change(tmp_path: Path) -> None:
    """A preview rebuild reuses a unit page only when nothing it reads changed
    (its dependency record): editing one unit's objective title re-makes that
    unit's page and the page of the unit it supports (its "Supported by" line
    shows the title), reuses most others, and the tree equals a plain build's."""
    import datetime as dt

    from okrsite.site.build import build_docs_tree
    from okrsite.site.cache import BuildCache
    from okrsite.site.options import SiteOptions
    from okrsite.validate import LoadCache, load_model

    shutil.copytree(REPO / "content", tmp_path / "content")
    options = SiteOptions(today=dt.date(2026, 11, 20), graph_cache_dir=tmp_path / "graphs")
    loads, cache = LoadCache(), BuildCache()
    first = build_docs_tree(load_model(tmp_path / "content", cache=loads), options, cache)
    cycle, source, title, target = _supporting_link(load_model(tmp_path / "content"))
    unit_file = tmp_path / "content" / cycle / f"{source}.yaml"
    text = unit_file.read_text(encoding="utf-8")
    assert f"title: {title}\n" in text
    unit_file.write_text(text.replace(f"title: {title}\n", "title: Retitled upstream goal\n", 1))

    cache.unit_pages.reused = 0
    second = build_docs_tree(load_model(tmp_path / "content", cache=loads), options, cache)
    plain = build_docs_tree(load_model(tmp_path / "content"), options)
    assert second.files == plain.files and second.nav == plain.nav
    for unit in (source, target):
        page = f"{cycle}/{unit}.md"
        assert "Retitled upstream goal" in str(second.files[page])
        assert second.files[page] != first.files[page]
    model = load_model(tmp_path / "content")
    unit_pages = sum(len(c.okrs) for c in model.cycles.values())  # one per unit with OKRs
    # Made again: the two units, the pages that roll them up (parent chain,
    # company) and those whose graph shows the title; the rest reused.
    assert 2 <= unit_pages - cache.unit_pages.reused <= 6 < unit_pages

    # A unit renamed in org.yaml: every page that names it is made again.
    org = tmp_path / "content" / "org.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("name: Onboarding", "name: Activation"))
    third = build_docs_tree(load_model(tmp_path / "content", cache=loads), options, cache)
    assert third.files == build_docs_tree(load_model(tmp_path / "content"), options).files


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _poll(url: str, marker: str, server: subprocess.Popen[bytes], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "okrsite serve exited"
        body = _get(url)
        if body is not None and marker in body:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{url} did not show {marker!r} within {seconds} s")


def test_a_real_preview_server_shows_each_edit(tmp_path: Path) -> None:
    """``okrsite serve`` as a user runs it (a subprocess, HTTP): after each of
    two edits to a unit file the page served shows the new title, the page of
    the company, whose KR it contributes to, shows it too (its "Supported by" line, a page reused
    from the dependency record otherwise), and untouched pages are still served."""
    import socket
    import sys

    config_file = _project(tmp_path / "repo")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unit_file = tmp_path / "repo" / "content" / "2026-Q4" / "product-onboarding.yaml"
    text = unit_file.read_text(encoding="utf-8")
    assert "title: Onboarding completion\n" in text
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", "from okrsite.cli import main; main()", "serve", "-f", str(config_file),
         "-a", f"127.0.0.1:{port}", "--today", "2026-11-23"],
        cwd=tmp_path / "repo", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        page = f"{base}/2026-Q4/product-onboarding/"
        _poll(page, "Onboarding completion", server, 300)
        for n in (1, 2):
            time.sleep(1.0)  # the watcher settles after a build
            title = f"Onboarding completion, edit {n}"
            unit_file.write_text(
                text.replace("title: Onboarding completion\n", f"title: {title}\n", 1), "utf-8"
            )
            _poll(page, title, server, 120)
        assert "Onboarding completion, edit 2" in (_get(f"{base}/2026-Q4/company/") or "")
        assert "<h1" in (_get(f"{base}/2026-Q4/sales/") or "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
