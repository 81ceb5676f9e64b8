"""Helper interpreters started before the content loads (okrsite/processes.py
``Interpreters``, okrsite/engine/prestart.py): which ones a build starts, that
the graph worker, page helper and file writer use them (same site, same
drawings), and that none is left running after the build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from contentkit import build_site
from test_graphs import CYCLE, small_model

from okrsite import graphs, processes
from okrsite.engine import pagehelper, plugin, prestart
from okrsite.engine.options import OkrsitePluginConfig
from okrsite.engine.pagehelper import usable_cores
from okrsite.processes import Interpreters

REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO / "tests" / "fixtures" / "realworld" / "content"
TWO_CORES = usable_cores() >= 2


def _config(tmp_path: Path, **options: object) -> OkrsitePluginConfig:
    config = OkrsitePluginConfig()
    config.load_dict({"content_dir": "content", **options})
    errors, warnings = config.validate()
    assert errors == [] and warnings == []
    return config


def _unit_files(tmp_path: Path, count: int) -> None:
    cycle = tmp_path / "content" / "2026-Q1"
    cycle.mkdir(parents=True)
    (tmp_path / "content" / "org.yaml").write_text("units: []\n", encoding="utf-8")
    for number in range(count):
        (cycle / f"team-{number}.yaml").write_text("objectives: []\n", encoding="utf-8")
    (cycle / "notes.txt").write_text("not a unit file\n", encoding="utf-8")


def test_interpreters_hand_out_what_they_started_and_end_the_rest() -> None:
    """``take`` returns the process started for that module (once), a new one
    afterwards; ``close`` ends every one nobody took."""
    module = "okrsite.engine.filewriter"
    ahead = Interpreters((module, "okrsite.engine.pagehelper"))
    assert ahead.waiting() == (module, "okrsite.engine.pagehelper")
    started = ahead._waiting[module]
    taken = ahead.take(module)
    assert taken is started
    again = ahead.take(module)
    assert again is not started
    left = ahead._waiting["okrsite.engine.pagehelper"]
    ahead.close()
    assert ahead.waiting() == ()
    assert left.poll() is not None
    for process in (taken, again):
        process.kill()
        process.communicate()


def test_an_interpreter_that_died_is_started_again() -> None:
    module = "okrsite.engine.filewriter"
    ahead = Interpreters((module,))
    dead = ahead._waiting[module]
    dead.kill()
    dead.wait()
    fresh = ahead.take(module)
    assert fresh is not dead and fresh.poll() is None
    fresh.kill()
    fresh.communicate()


def test_a_large_cold_build_starts_every_helper_ahead(tmp_path: Path) -> None:
    """150 unit files and no caches: graph worker, page helper and file
    writer; files that are not unit files do not count."""
    _unit_files(tmp_path, prestart.MIN_UNIT_FILES)
    ahead = prestart.helpers_ahead(_config(tmp_path), base=tmp_path, one_shot=True)
    try:
        expected = (
            (prestart.GRAPH_WORKER, prestart.PAGE_HELPER, "okrsite.engine.filewriter")
            if TWO_CORES
            else ()
        )
        assert ahead.waiting() == expected
    finally:
        ahead.close()


@pytest.mark.parametrize(
    ("count", "options", "caches", "one_shot", "expected"),
    [
        (prestart.MIN_UNIT_FILES - 1, {}, (), True, ()),
        (prestart.MIN_UNIT_FILES, {}, (), False, ()),
        (
            prestart.MIN_UNIT_FILES,
            {},
            ("graphs",),
            True,
            (prestart.PAGE_HELPER, "okrsite.engine.filewriter"),
        ),
        (prestart.MIN_UNIT_FILES, {}, ("pages",), True, (prestart.GRAPH_WORKER,)),
        (prestart.MIN_UNIT_FILES, {"graphs": False}, ("pages",), True, ()),
        (prestart.MIN_UNIT_FILES, {"page_cache": False}, ("pages",), True,
         (prestart.GRAPH_WORKER, prestart.PAGE_HELPER)),
    ],
)
def test_helpers_are_started_ahead_only_where_a_build_will_need_them(
    tmp_path: Path,
    count: int,
    options: dict[str, object],
    caches: tuple[str, ...],
    one_shot: bool,
    expected: tuple[str, ...],
) -> None:
    """Too few unit files, a preview's rebuilds, a warm graph cache (few
    drawings), a warm page cache (few pages to render; with the page cache
    off every page renders, but nothing is written through the file writer)."""
    _unit_files(tmp_path, count)
    for name in caches:
        (tmp_path / ".okrsite-cache" / name).mkdir(parents=True)
    ahead = prestart.helpers_ahead(_config(tmp_path, **options), base=tmp_path, one_shot=one_shot)
    try:
        assert ahead.waiting() == (expected if TWO_CORES else ())
    finally:
        ahead.close()


def test_a_missing_content_directory_starts_nothing(tmp_path: Path) -> None:
    ahead = prestart.helpers_ahead(_config(tmp_path), base=tmp_path, one_shot=True)
    assert ahead.waiting() == ()


def test_the_graph_worker_draws_in_the_interpreter_started_ahead(tmp_path: Path) -> None:
    """Same drawing as from a worker started when needed, and the waiting
    interpreter is the one used."""
    source = graphs.overview_dot(small_model(), CYCLE)
    with graphs.GraphDrawing(cache_dir=tmp_path / "a", worker_from=1) as drawing:
        drawing.submit("overview.md", source)
        expected = drawing.finish()
    ahead = Interpreters(("okrsite.graphs.worker",))
    try:
        with graphs.GraphDrawing(
            cache_dir=tmp_path / "b", worker_from=1, interpreters=ahead
        ) as drawing:
            drawing.submit("overview.md", source)
            assert ahead.waiting() == ()  # taken by the worker
            assert drawing.finish() == expected
    finally:
        ahead.close()
    assert (tmp_path / "b").is_dir() and sorted(p.name for p in (tmp_path / "b").iterdir()) == (
        sorted(p.name for p in (tmp_path / "a").iterdir())
    )


@pytest.mark.skipif(not TWO_CORES, reason="helpers need two usable cores")
def test_a_build_with_helpers_started_ahead_is_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real-world site built with every helper started before its
    content loads (thresholds lowered so this small site uses the page helper
    and the file writer, and has a graph worker waiting it does not use) is
    byte-identical to the site built without; the page helper and the file
    writer took their waiting interpreters, and no interpreter outlives the
    build."""
    for name in ("one", "two"):
        (tmp_path / name / "docs" / "site").mkdir(parents=True)
        shutil.copytree(REALWORLD, tmp_path / name / "content")
        (tmp_path / name / "mkdocs.yml").write_text(
            (REPO / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    plain = build_site(tmp_path / "one" / "mkdocs.yml", tmp_path / "one" / "site")

    started: list[tuple[str, subprocess.Popen[bytes]]] = []
    taken: list[tuple[str, bool]] = []
    start_module = processes.start_module

    def recording_start(module: str) -> subprocess.Popen[bytes]:
        process = start_module(module)
        started.append((module, process))
        return process

    take = Interpreters.take

    def recording_take(self: Interpreters, module: str) -> subprocess.Popen[bytes]:
        taken.append((module, module in self.waiting()))
        return take(self, module)

    monkeypatch.setattr(processes, "start_module", recording_start)
    monkeypatch.setattr(Interpreters, "take", recording_take)
    monkeypatch.setattr(prestart, "MIN_UNIT_FILES", 1)
    monkeypatch.setattr(pagehelper, "MIN_PAGES", 1)
    monkeypatch.setattr(plugin, "FILE_WRITER_PAGES", 1)
    ahead = build_site(tmp_path / "two" / "mkdocs.yml", tmp_path / "two" / "site")

    assert ahead == plain
    assert [module for module, _ in started[:3]] == [
        prestart.GRAPH_WORKER, prestart.PAGE_HELPER, "okrsite.engine.filewriter"
    ]
    assert (prestart.PAGE_HELPER, True) in taken
    assert ("okrsite.engine.filewriter", True) in taken
    assert all(process.poll() is not None for _, process in started)
