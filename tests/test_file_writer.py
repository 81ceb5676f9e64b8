"""The file writer process (okrsite/engine/filewriter.py): a large build's
files are written by a helper interpreter. Real processes and real files
throughout; the small project of tests/test_atomic.py is built with the
process forced on (``FILE_WRITER_PAGES = 0``) and must give the same site as
the writer thread, fail cleanly, and stop at once when interrupted."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import pytest
from test_atomic import (  # the same project and checks as the atomic-build tests
    assert_untouched,
    build_args,
    digest,
    previous,  # noqa: F401 - a fixture
    project,  # noqa: F401 - a fixture
    run,
)

import okrsite.engine.plugin
from okrsite.engine import filewriter
from okrsite.engine.filewriter import FileWriter
from okrsite.engine.pagecache import DETAILS_FILE, read_details
from okrsite.engine.siteoutput import SiteOutput


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[FileWriter]:
    """Every build's files go to a file writer process; the ones started."""
    started: list[FileWriter] = []
    real_init = FileWriter.__init__

    def init(self: FileWriter, output: SiteOutput, interpreters: Any = None) -> None:
        real_init(self, output, interpreters)
        started.append(self)

    monkeypatch.setattr(okrsite.engine.plugin, "FILE_WRITER_PAGES", 0)
    monkeypatch.setattr(FileWriter, "__init__", init)
    return started


def _details(project: Path) -> dict[str, Any]:
    records = read_details((project / ".okrsite-cache" / "pages" / DETAILS_FILE).read_bytes())
    return {key: (r["sha256"], r["anchors"], r["search"]) for key, r in records.items()}


def test_the_process_writes_the_site_the_thread_writes(
    project: Path,
    previous: tuple[Path, dict[str, str]],
    processes: list[FileWriter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cold, then warm (pages served from the cache and linked): both sites
    equal the one written by the thread, page by page, and the page cache
    records the same pages; stored pages' stats are the files' own. The
    graphs and exports went to the process before MkDocs converted pages
    (``on_nav``), none of them again when MkDocs copied static files."""
    handed: list[int] = []
    real_hand_over = okrsite.engine.plugin.hand_over_early

    def hand_over(files: Any, writes: Any, *, dirty: bool) -> int:
        handed.append(real_hand_over(files, writes, dirty=dirty))
        return handed[-1]

    copies: list[str] = []
    real_blob = FileWriter.blob

    def blob(self: FileWriter, data: bytes, destination: str) -> None:
        copies.append(destination)
        real_blob(self, data, destination)

    monkeypatch.setattr(okrsite.engine.plugin, "hand_over_early", hand_over)
    monkeypatch.setattr(FileWriter, "blob", blob)
    result = run(build_args(project))
    assert result.exit_code == 0, result.output
    assert len(processes) == 1
    assert handed[0] > 5 and len(copies) == handed[0] == len(set(copies))
    assert any(name.endswith("okrs.json") for name in copies)
    assert digest(project / "site") == previous[1]
    assert _details(project) == _details(previous[0])
    records = read_details((project / ".okrsite-cache" / "pages" / DETAILS_FILE).read_bytes())
    for key, record in records.items():
        found = (project / ".okrsite-cache" / "pages" / f"{key}.html").stat()
        assert record["stat"] == [found.st_size, found.st_mtime_ns, found.st_ino]
    page = project / "site" / "2026-Q1" / "product" / "index.html"
    cached = project / ".okrsite-cache" / "pages"
    assert any(page.stat().st_ino == p.stat().st_ino for p in cached.glob("*.html"))

    result = run(build_args(project))
    assert result.exit_code == 0, result.output
    assert len(processes) == 2
    assert digest(project / "site") == previous[1]


def test_a_write_failing_in_the_process_fails_the_build_cleanly(
    project: Path, previous: tuple[Path, dict[str, str]], processes: list[FileWriter]
) -> None:
    """The blob folder is a file: the helper's first blob fails, the build
    exits 1 with the error and no traceback, and the site is untouched."""
    (project / ".okrsite-cache").mkdir()
    (project / ".okrsite-cache" / "files").write_text("in the way", encoding="utf-8")
    result = run(build_args(project))
    assert processes
    assert result.exit_code == 1
    assert "could not write the site" in result.output
    assert "Traceback" not in result.output
    assert_untouched(project, previous)


def test_ctrl_c_while_the_process_writes_keeps_previous_site(
    project: Path,
    previous: tuple[Path, dict[str, str]],
    processes: list[FileWriter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """KeyboardInterrupt in the page loop while the helper still has jobs:
    it is killed before the staging site goes, and writes nothing after."""
    import mkdocs.commands.build

    real_build_page = mkdocs.commands.build._build_page
    built = {"n": 0}

    def interrupted(*args: Any, **kwargs: Any) -> None:
        built["n"] += 1
        if built["n"] > 8:
            raise KeyboardInterrupt
        real_build_page(*args, **kwargs)

    monkeypatch.setattr(mkdocs.commands.build, "_build_page", interrupted)
    result = run(build_args(project))
    assert result.exit_code == 1
    assert built["n"] > 8 and processes
    assert all(p._process.poll() is not None for p in processes)  # none left running
    time.sleep(0.3)
    assert_untouched(project, previous)


def test_jobs_run_in_order_and_report_what_they_did(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    output = SiteOutput(cache / "files")
    writer = FileWriter(output)
    stored = cache / "pages" / "k.html"
    writer.store(str(stored), b"<p>page</p>", str(site / "a" / "index.html"))
    writer.blob(b"<svg/>", str(site / "a" / "alignment.svg"))
    writer.place(str(stored), str(site / "b" / "index.html"))
    writer.write(str(site / "c" / "index.html"), b"first")
    writer.write(str(site / "c" / "index.html"), b"second")  # the later write wins
    written = writer.finish()
    assert written.error is None
    assert (site / "a" / "index.html").read_bytes() == b"<p>page</p>"
    assert (site / "b" / "index.html").stat().st_ino == stored.stat().st_ino
    assert (site / "a" / "alignment.svg").read_bytes() == b"<svg/>"
    assert (site / "c" / "index.html").read_bytes() == b"second"
    found = stored.stat()
    assert written.stored[str(stored)][0] == hashlib.sha256(b"<p>page</p>").hexdigest()
    assert written.stored[str(stored)][1] == [found.st_size, found.st_mtime_ns, found.st_ino]
    assert written.linked == 3 and written.linking
    assert written.used == {hashlib.sha256(b"<svg/>").hexdigest()}


def test_the_first_failure_stops_the_jobs_after_it(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    writer = FileWriter(SiteOutput(tmp_path / "files"))
    writer.write(str(tmp_path / "blocked" / "x.html"), b"x")
    writer.write(str(tmp_path / "after.html"), b"y")
    written = writer.finish()
    assert written.error is not None and "blocked" in written.error
    assert not (tmp_path / "after.html").exists()


def test_a_helper_that_died_is_reported(tmp_path: Path) -> None:
    writer = FileWriter(SiteOutput(tmp_path / "files"))
    writer._process.kill()
    writer._process.wait()
    for n in range(50):  # a full pipe would block; a closed one fails quietly
        writer.write(str(tmp_path / f"{n}.html"), b"x" * 100_000)
    written = writer.finish()
    assert written.error is not None and "file writer process stopped" in written.error


def test_the_helper_imports_no_mkdocs(tmp_path: Path) -> None:
    """It starts in ~0.1 s: only okrsite's file code, not MkDocs or Material."""
    import subprocess
    import sys

    code = (
        "import sys, okrsite.engine.filewriter; "
        "print(any(m.startswith(('mkdocs', 'material', 'pydantic')) for m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr
    assert filewriter.PIPE_BYTES >= 1 << 16
