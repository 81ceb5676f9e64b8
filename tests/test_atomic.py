"""Atomic builds: a failed build leaves the previous site byte-identical.

A small project (the bad-input base content, graphs on) is built once; each
test copies that project and its site, makes the next build fail in one
way, and checks that the site is byte-for-byte what it was and that no
staging directory (``.site.okrsite-*``) is left next to it:

* invalid content;
* Graphviz ``dot`` crashing (a fake ``dot`` first on ``PATH`` that answers
  ``-V`` like Graphviz and exits 1 when asked to render: failure injection
  into the real pipeline, which runs it as a subprocess);
* the disk filling up while MkDocs writes pages (MkDocs' file writer raises
  ``OSError(ENOSPC)`` after a few files);
* Ctrl-C (``KeyboardInterrupt``) from a page producer, and from the writer
  halfway through;
* the final rename failing (the previous site is put back).

Run: ``python -m pytest tests/test_atomic.py -q`` (about 8 s).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import okrsite.site.build
from okrsite.cli import main
from okrsite.engine.build import swap_into_place

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "tests" / "bad_inputs" / "_base"
TODAY = "2026-02-01"
MKDOCS_YML = """\
site_name: Atomic test
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - okrsite
"""


def run(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args)
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if getattr(handler, "_okrsite", False):
            logger.removeHandler(handler)
    return result


def digest(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file (and every directory) under root."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def build_args(project: Path) -> list[str]:
    return [
        "build", "-f", str(project / "mkdocs.yml"), "--site-dir", str(project / "site"),
        "--today", TODAY,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project with a successfully built site, and that site's digest."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    project = tmp_path_factory.mktemp("previous")
    shutil.copytree(BASE / "content", project / "content")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    result = run(build_args(project))
    assert result.exit_code == 0, result.output
    return project, digest(project / "site")


@pytest.fixture
def project(tmp_path: Path, previous: tuple[Path, dict[str, str]]) -> Path:
    """A fresh copy of the project and its site (no graph cache)."""
    source, _ = previous
    shutil.copytree(source, tmp_path / "p", ignore=shutil.ignore_patterns(".okrsite-cache"))
    return tmp_path / "p"


def assert_untouched(project: Path, previous: tuple[Path, dict[str, str]]) -> None:
    """The site is byte-identical to the one built before; nothing else appeared."""
    assert digest(project / "site") == previous[1]
    leftovers = sorted(p.name for p in project.iterdir() if p.name.startswith(".site"))
    assert leftovers == []


def test_previous_site_is_complete(previous: tuple[Path, dict[str, str]]) -> None:
    """The site the failure tests protect is a real build (pages, search, graphs)."""
    files = previous[1]
    assert "index.html" in files and "search/search_index.json" in files
    page = (previous[0] / "site" / "2026-Q1" / "product" / "index.html").read_text("utf-8")
    assert "okrsite-graph" in page


def test_bad_content_keeps_previous_site(
    project: Path, previous: tuple[Path, dict[str, str]]
) -> None:
    """Invalid content: exit 1 with the located error, previous site intact."""
    (project / "content" / "org.yaml").write_text("units: [\n", encoding="utf-8")
    result = run(build_args(project))
    assert result.exit_code == 1
    assert "content/org.yaml:2:1:" in result.output
    assert_untouched(project, previous)


def fake_dot(directory: Path) -> Path:
    """A ``dot`` that looks like Graphviz for ``-V`` and crashes on render."""
    directory.mkdir()
    script = directory / "dot"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-V" ]; then echo "dot - graphviz version 2.43.0 (0)" >&2; exit 0; fi\n'
        'echo "Error: simulated crash" >&2\n'
        "exit 1\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


def test_dot_crash_keeps_previous_site(
    project: Path,
    previous: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Graphviz failing mid-build: exit 1 with dot's error, previous site intact."""
    bin_dir = fake_dot(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = run(build_args(project))
    assert result.exit_code == 1, result.output
    assert "Graphviz dot failed" in result.output
    assert "simulated crash" in result.output
    assert "Traceback" not in result.output
    assert_untouched(project, previous)


def fail_writes(monkeypatch: pytest.MonkeyPatch, after: int, error: BaseException) -> None:
    """Every way a build creates a site file raises ``error`` once ``after``
    files are written: MkDocs' ``write_file`` (its own pages, the search
    index) and okrsite's cache files, which are linked into the site
    (okrsite/engine/siteoutput.py writes every one of them)."""
    import mkdocs.utils

    import okrsite.engine.siteoutput

    count = {"n": 0}

    def failing(real: Callable[..., None]) -> Callable[..., None]:
        def write(*args: Any) -> None:
            count["n"] += 1
            if count["n"] > after:
                raise error
            real(*args)

        return write

    monkeypatch.setattr(mkdocs.utils, "write_file", failing(mkdocs.utils.write_file))
    siteoutput = okrsite.engine.siteoutput
    monkeypatch.setattr(siteoutput, "write_new_file", failing(siteoutput.write_new_file))


def test_disk_full_keeps_previous_site(
    project: Path, previous: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filling up after a few pages: exit 1 with a plain message (no
    traceback), previous site intact, the half-written staging tree removed."""
    fail_writes(monkeypatch, 3, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    result = run(build_args(project))
    assert result.exit_code == 1
    assert "could not write the site" in result.output
    assert "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert_untouched(project, previous)


def test_ctrl_c_in_a_producer_keeps_previous_site(
    project: Path, previous: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt while pages are generated: the build aborts, previous
    site intact, no staging directory."""

    def interrupted(ctx: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(okrsite.site.build, "PRODUCERS", [*okrsite.site.build.PRODUCERS, interrupted])
    result = run(build_args(project))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # click's "Aborted!"
    assert "Aborted" in result.output
    assert_untouched(project, previous)


def test_ctrl_c_while_writing_keeps_previous_site(
    project: Path, previous: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt halfway through writing pages: previous site intact."""
    fail_writes(monkeypatch, 5, KeyboardInterrupt())
    result = run(build_args(project))
    assert result.exit_code == 1
    assert_untouched(project, previous)


def test_ctrl_c_while_the_writer_thread_is_busy_keeps_previous_site(
    project: Path, previous: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt in the page loop while the writer thread still has
    files to place (each slowed down here): MkDocs tells plugins of
    ``Exception``s only, so ``okrsite build`` stops the plugin's writer
    before it removes the staging site; nothing is left behind."""
    import time

    import mkdocs.commands.build

    import okrsite.engine.siteoutput

    real_place = okrsite.engine.siteoutput.SiteOutput.place

    def slow_place(self: Any, source: Path, destination: str) -> None:
        time.sleep(0.02)
        real_place(self, source, destination)

    real_build_page = mkdocs.commands.build._build_page
    built = {"n": 0}

    def interrupted(*args: Any, **kwargs: Any) -> None:
        built["n"] += 1
        if built["n"] > 8:
            raise KeyboardInterrupt
        real_build_page(*args, **kwargs)

    monkeypatch.setattr(okrsite.engine.siteoutput.SiteOutput, "place", slow_place)
    monkeypatch.setattr(mkdocs.commands.build, "_build_page", interrupted)
    result = run(build_args(project))
    assert result.exit_code == 1
    assert built["n"] > 8  # the page loop was reached and interrupted
    time.sleep(0.5)  # a writer left running would place its files meanwhile
    assert_untouched(project, previous)


def test_successful_rebuild_replaces_site(
    project: Path, previous: tuple[Path, dict[str, str]]
) -> None:
    """The control case: a good change is published, with no leftovers."""
    company = project / "content" / "2026-Q1" / "company.yaml"
    company.write_text(
        company.read_text("utf-8").replace("Grow the mid-market", "Grow faster"), "utf-8"
    )
    result = run(build_args(project))
    assert result.exit_code == 0, result.output
    assert digest(project / "site") != previous[1]
    assert "Grow faster" in (project / "site" / "index.html").read_text("utf-8")
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []


def test_failed_rename_puts_previous_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If moving the new site into place fails, the previous site is renamed
    back and the error is raised."""
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old", encoding="utf-8")
    built = tmp_path / ".site.okrsite-new"
    built.mkdir()
    (built / "index.html").write_text("new", encoding="utf-8")
    real_rename = Path.rename

    def rename(self: Path, dest: Any) -> Path:
        if self == built:
            raise OSError(errno.EXDEV, "simulated rename failure")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="simulated"):
        swap_into_place(built, target)
    assert (target / "index.html").read_text(encoding="utf-8") == "old"
    assert not (tmp_path / ".site.okrsite-old").exists()


def test_generate_failure_keeps_previous_output(tmp_path: Path) -> None:
    """``okrsite generate`` with invalid content leaves the previous docs tree
    byte-identical and writes no staging directory."""
    shutil.copytree(BASE / "content", tmp_path / "content")
    out = tmp_path / "out"
    first = run(["generate", "--content", str(tmp_path / "content"), "--out", str(out),
                 "--no-graphs", "--today", TODAY])  # fmt: skip
    assert first.exit_code == 0, first.output
    before = digest(out)
    (tmp_path / "content" / "company.yaml").write_text("name: [\n", encoding="utf-8")
    second = run(["generate", "--content", str(tmp_path / "content"), "--out", str(out),
                  "--no-graphs", "--today", TODAY])  # fmt: skip
    assert second.exit_code == 1
    assert "content/company.yaml:" in second.output
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "out"]
