"""Built pages written on a second thread (okrsite/engine/writer.py): the same
site as MkDocs writing them itself, in the same order, and a failed write fails
the build instead of leaving a page missing."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsite.cli import main
from okrsite.engine.writer import Backlog, PageWriter

REPO = Path(__file__).resolve().parents[1]
REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "content"


def make_site(root: Path, hooks: str | None = None) -> Path:
    """The real-world fixture with the demo's mkdocs.yml, a hand-written page
    and optionally a hooks file."""
    shutil.copytree(REALWORLD, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if hooks is not None:
        (root / "hooks.py").write_text(hooks, encoding="utf-8")
        config += "\nhooks:\n  - hooks.py\n"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    (root / "docs" / "site" / "about.md").write_text("# About\n\nHand-written page.\n")
    return root / "mkdocs.yml"


def build(config: Path, site: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(config), "--site-dir", str(site), "--strict", "--today", "2026-11-23"],
    )
    return result.exit_code, result.output


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_jobs_run_in_the_order_they_were_queued(tmp_path: Path) -> None:
    """A later write of the same path wins, as it does when written in place,
    and parent directories are made."""
    writer = PageWriter()
    target = tmp_path / "a" / "b" / "index.html"
    seen: list[int] = []
    for number in range(50):
        writer.write(str(target), f"version {number}".encode())
        writer.call(seen.append, number)
    writer.finish()
    assert target.read_bytes() == b"version 49"
    assert seen == list(range(50))


def test_a_full_backlog_makes_the_caller_wait_for_the_writer() -> None:
    """Past ``high`` queued jobs, ``call`` returns only once the writer is down
    to ``low`` (a build whose writer fell behind held every page in memory)."""
    writer = PageWriter(Backlog(high=4, low=1))
    gate = threading.Event()
    ran: list[int] = []
    queued: list[int] = []

    def produce() -> None:
        writer.call(gate.wait)  # the writer is stuck until the gate opens
        for number in range(10):
            writer.call(ran.append, number)
            queued.append(number)

    producer = threading.Thread(target=produce)
    producer.start()
    deadline = time.monotonic() + 10
    while len(queued) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert queued == [0, 1, 2]  # the gate job and three pages wait; the fourth page waits to be queued
    gate.set()
    producer.join(10)
    writer.finish()
    assert ran == list(range(10))


def test_the_first_failure_is_raised_and_later_jobs_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a directory should be")
    writer = PageWriter()
    writer.write(str(tmp_path / "first.html"), b"1")
    writer.write(str(tmp_path / "taken" / "index.html"), b"2")
    writer.write(str(tmp_path / "after.html"), b"3")
    with pytest.raises(OSError):
        writer.finish()
    assert (tmp_path / "first.html").read_bytes() == b"1"
    assert not (tmp_path / "after.html").exists()
    with pytest.raises(RuntimeError):
        writer.write(str(tmp_path / "late.html"), b"4")


def test_an_abandoned_writer_drops_what_is_queued(tmp_path: Path) -> None:
    writer = PageWriter()
    gate: list[int] = []
    writer.call(gate.append, 1)
    writer.abandon()
    writer.finish()  # nothing to report after abandoning
    assert gate in ([], [1])


def test_the_site_is_the_same_as_when_mkdocs_writes_each_page(tmp_path: Path) -> None:
    """With an ``on_post_page`` hook after ours, pages stay with MkDocs (a
    page leaves the build's thread only once no plugin can change it); the
    hook changes nothing, so both sites must be equal byte for byte, and the
    threaded build prints no "Page skipped" note for the pages it wrote."""
    threaded = make_site(tmp_path / "threaded")
    code, output = build(threaded, tmp_path / "threaded" / "site")
    assert code == 0, output
    assert "Page skipped" not in output
    in_place = make_site(
        tmp_path / "in_place",
        "from mkdocs.plugins import event_priority\n\n\n"
        "@event_priority(-200)\n"
        "def on_post_page(output, page, config):\n"
        "    return output\n",
    )
    code, output = build(in_place, tmp_path / "in_place" / "site")
    assert code == 0, output
    written = files_of(tmp_path / "threaded" / "site")
    assert len([p for p in written if p.endswith(".html")]) > 20
    assert written == files_of(tmp_path / "in_place" / "site")


def test_a_page_that_cannot_be_written_fails_the_build(tmp_path: Path) -> None:
    """A file where a page's directory must go (made by a hook before the
    pages are written): the build fails with a message, no traceback."""
    config = make_site(
        tmp_path,
        "import os\n\n\n"
        "def on_env(env, config, files):\n"
        "    os.makedirs(config.site_dir, exist_ok=True)\n"
        "    with open(os.path.join(config.site_dir, '2023-Q2'), 'w') as handle:\n"
        "        handle.write('in the way')\n"
        "    return env\n",
    )
    code, output = build(config, tmp_path / "site")
    assert code == 1, output
    assert "could not write the site" in output
    assert "Traceback" not in output
