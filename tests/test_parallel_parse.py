"""``okrsite check`` on two cores: a helper process parses part of the unit files.

The load through a helper must equal a load without one (data, locations,
issues), use every result the helper sent, and parse here whatever the
helper did not deliver. The parse cache a check with a helper writes after
a load that succeeded must be the very cache a check without it writes;
after a load that failed, nothing is written.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_parse_store import same_content, stored_entries

from okrsite.cli import parallel
from okrsite.cli.parallel import (
    MIN_FILES,
    finish,
    parse_with_helper,
    unit_files,
    usable_cores,
)
from okrsite.source import LoadCache, ParseStore, load_content
from okrsite.source.cache import ParseKey

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic company with more unit files than the helper's minimum,
    one of them broken (its issues must come through the helper too)."""
    out = tmp_path_factory.mktemp("org")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), "--units", "260", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    content = out / "content"
    last = sorted(unit_files(content))[-1][0]
    Path(last).write_text("status: locked\nobjectives: [\n", encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def valid_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic company with enough unit files for a helper, all valid."""
    out = tmp_path_factory.mktemp("valid-org")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synth.py"), "--units", "230", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out / "content"


CHECK_CODE = (
    "import os, sys; from okrsite.cli import main, run; "
    "os.environ.get('ONE_CORE') and os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
    "sys.argv[0] = 'okrsite'; "
    "run() if os.environ.get('CONSOLE') else main(sys.argv[1:])"
)
"""``okrsite check`` in a new process, on one core when ``ONE_CORE`` is set (no
helper); as the console script (``run()``: a forked helper) when ``CONSOLE`` is
set, else as ``main`` called in process (a helper started as a new interpreter)."""


def run_check(
    args: list[str], *, one_core: bool, console: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ONE_CORE": "1" if one_core else "", "CONSOLE": "1" if console else ""}
    return subprocess.run(
        [sys.executable, "-c", CHECK_CODE, "check", *args], capture_output=True, text=True, env=env
    )


def cache_files(root: Path) -> dict[str, bytes]:
    parsed = root / ".okrsite-cache" / "parsed"
    return {entry.name: entry.read_bytes() for entry in sorted(parsed.iterdir())}


@pytest.mark.parametrize("fork", [False, True], ids=["interpreter", "forked"])
def test_a_load_with_the_helper_equals_a_load_without(company: Path, fork: bool) -> None:
    assert len(unit_files(company)) >= MIN_FILES
    cache = LoadCache()
    helper = parse_with_helper(company, cache, fork=fork)
    try:
        shared = load_content(company, cache)
    finally:
        finish(helper)
    if usable_cores() < 2:
        assert helper is None
    else:
        assert helper is not None and helper.returncode == 0
        assert (helper.process is None) is fork
        assert cache._fetch is None and cache._fetched == {}  # every result was used
    alone = load_content(company)
    assert any("objectives" in str(issue) or "YAML" in str(issue) for issue in alone.issues)
    same_content(alone, shared)


def test_results_the_helper_did_not_deliver_are_parsed_here(company: Path) -> None:
    cache = LoadCache()
    displays = [display for _, display in unit_files(company)]
    cache.parse_elsewhere(displays, lambda: ({}, True))  # a helper that sent nothing
    same_content(load_content(company), load_content(company, cache))


def test_check_output_is_the_same_with_and_without_a_helper(company: Path, tmp_path: Path) -> None:
    """The whole check, in processes with all cores (a forked helper, a new
    interpreter) and one core (none)."""
    args = ["--content", str(company), "--today", "2026-11-23", "--no-parse-cache"]
    runs = [
        run_check(args, one_core=one_core, console=console)
        for one_core, console in ((True, True), (False, True), (False, False))
    ]
    assert [run.returncode for run in runs] == [1, 1, 1]
    for run in runs[1:]:
        assert run.stdout == runs[0].stdout and run.stderr == runs[0].stderr
    assert "Traceback" not in runs[0].stderr and "content/" in runs[0].stderr
    small = tmp_path / "content"
    small.mkdir()
    assert parse_with_helper(small, LoadCache()) is None  # too few files


def test_a_check_with_a_helper_writes_the_same_parse_cache_as_a_check_alone(
    valid_company: Path,
) -> None:
    """With a helper, the parse cache holds every entry, byte for byte what a
    check on one core writes, and a check reading that cache prints the same."""
    if usable_cores() < 2:
        pytest.skip("the helper needs two usable cores")  # the CI machine has them
    root = valid_company.parent
    args = ["--content", str(valid_company), "--today", "2026-11-23"]
    alone = run_check(args, one_core=True)
    assert alone.returncode == 0, alone.stderr
    written_alone = cache_files(root)
    entries = stored_entries(root / ".okrsite-cache" / "parsed")
    assert len(entries) == len(unit_files(valid_company)) + 2  # + company, org
    shutil.rmtree(root / ".okrsite-cache")
    helped = run_check(args, one_core=False)
    assert helped.returncode == 0, helped.stderr
    assert cache_files(root) == written_alone
    warm = run_check(args, one_core=False)
    assert warm.stdout == helped.stdout == alone.stdout and warm.returncode == 0


def test_a_check_of_invalid_content_with_a_helper_writes_no_cache(company: Path) -> None:
    if usable_cores() < 2:
        pytest.skip("the helper needs two usable cores")
    root = company.parent
    shutil.rmtree(root / ".okrsite-cache", ignore_errors=True)
    run = run_check(["--content", str(company), "--today", "2026-11-23"], one_core=False)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert not (root / ".okrsite-cache").exists()


def test_the_helpers_results_are_stored_by_this_process(valid_company: Path, tmp_path: Path) -> None:
    """The helper sends its results and exits; the load keeps them for its own
    store, which writes nothing until flushed, then exactly the entries a
    load without a helper stores."""
    if usable_cores() < 2:
        pytest.skip("the helper needs two usable cores")
    store = ParseStore(tmp_path / "helped")
    cache = LoadCache(store=store)
    helper = parse_with_helper(valid_company, cache, fork=True)
    assert helper is not None
    try:
        load_content(valid_company, cache)
    finally:
        finish(helper)
    assert helper.delivered and helper.returncode == 0
    assert not store.directory.exists()  # a load writes nothing: flush does
    store.flush()
    alone = ParseStore(tmp_path / "alone")
    load_content(valid_company, LoadCache(store=alone))
    alone.flush()
    helped = stored_entries(store.directory)
    assert len(helped) == len(unit_files(valid_company)) + 2  # + company, org
    assert helped == stored_entries(alone.directory)


def test_a_helper_whose_results_are_not_needed_is_stopped(valid_company: Path) -> None:
    """A load that never asks for the results (it failed first) leaves no
    helper behind."""
    if usable_cores() < 2:
        pytest.skip("the helper needs two usable cores")
    for fork in (False, True):
        helper = parse_with_helper(valid_company, LoadCache(), fork=fork)
        assert helper is not None
        finish(helper)
        assert not helper.delivered and helper.returncode is not None
        with pytest.raises(ChildProcessError):  # reaped: no such child any more
            os.waitpid(helper.pid, os.WNOHANG)


GC_CODE = """
import gc, os, sys
from okrsite.cli import CHECK_GC_THRESHOLDS, run
passes = []
gc.callbacks.append(
    lambda phase, info: phase == "start"
    and gc.get_threshold() == CHECK_GC_THRESHOLDS
    and passes.append(info["generation"])
)
real_exit = os._exit
def report_and_exit(code):  # the console script's fast exit, with the model still alive
    print(len(passes), gc.get_count()[0], CHECK_GC_THRESHOLDS[0], file=sys.stderr, flush=True)
    real_exit(code)
os._exit = report_and_exit
sys.argv = ["okrsite", *sys.argv[1:]]
run()
"""


def test_a_check_runs_no_collection_with_room_for_ten_times_the_company(
    valid_company: Path,
) -> None:
    """``okrsite check`` sets collector thresholds under which it runs no
    collection (a pass over every object allocated so far freed nothing and
    cost up to a second at 1,000 units), with room for a company ten times
    this one (two quarters of 230 units) before the first one."""
    args = ["check", "--content", str(valid_company), "--today", "2026-11-23", "--no-parse-cache"]
    done = subprocess.run([sys.executable, "-c", GC_CODE, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    passes, allocated, threshold = map(int, done.stderr.split("\n")[-2].split())
    assert passes == 0
    assert allocated > 100_000  # the count really is the check's
    assert allocated * 10 < threshold


def test_the_load_takes_the_helpers_batches_as_it_reaches_their_files(
    valid_company: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are fetched one at a time, each when the walk reaches its first
    file (not all before the first is used), and the load equals one
    without a helper: every batch used, nothing left."""
    import okrsite.source.walk as walk_module

    files = unit_files(valid_company)
    start = len(files) - 40
    batches = parallel.parsed_batches(files[start:], size=7)
    read: list[str] = []
    real_read = walk_module.Walk.read_bytes

    def counted(self: object, file_path: str, display: str) -> bytes | None:
        read.append(display)
        return real_read(self, file_path, display)  # type: ignore[arg-type]

    monkeypatch.setattr(walk_module.Walk, "read_bytes", counted)
    seen_at: list[int] = []

    def fetch() -> tuple[dict[ParseKey, bytes], bool]:
        seen_at.append(len(read))
        results, last = pickle.loads(next(batches))
        return results, last

    cache = LoadCache()
    cache.parse_elsewhere([display for _, display in files[start:]], fetch)
    helped = load_content(valid_company, cache)
    first = read.index(files[start][1]) + 1  # the helper's first file, read here
    assert seen_at == [first + 7 * i for i in range(6)]  # 40 files: 6 batches
    assert cache._fetch is None and cache._fetched == {}
    same_content(load_content(valid_company), helped)


def test_a_helper_parses_on_while_nobody_reads_its_results() -> None:
    """The batches go to a file and only their lengths to the pipe: making
    them never waits for a reader (here the pipe refuses to wait: a write
    that does not fit would raise), and the reader then gets them all,
    whole and in order, and then the end."""
    readable, writable = os.pipe()
    os.set_blocking(writable, False)
    data = parallel._scratch_file()
    assert data is not None
    blobs = [pickle.dumps(({(f"f{i}", "p", b"x"): bytes([i]) * 100_000}, i == 4)) for i in range(5)]
    parallel.send_batches(blobs, data, writable)  # each more than a pipe holds
    os.close(writable)
    batches = parallel._Batches(readable, data, 10.0)
    got = [batches.next() for _ in range(6)]
    assert got == [(pickle.loads(blob)[0], i == 4) for i, blob in enumerate(blobs)] + [None]
    os.close(readable)
    os.close(data)


def test_a_cut_or_garbled_batch_ends_the_helpers_results() -> None:
    """What is not a whole batch (cut short, not a batch's pickle, a length
    cut short) is no result: the load parses those files itself."""
    whole = pickle.dumps(({("a", "p", b"x"): b"entry"}, False))
    for lengths, sent in (
        ((len(whole), len(whole)), whole + whole[:-3]),  # the second cut short
        ((len(whole), 5), whole + b"nope!"),  # not a pickle
        ((len(whole), None), whole),  # a length cut short
    ):
        readable, writable = os.pipe()
        data = parallel._scratch_file()
        assert data is not None
        os.write(data, sent)
        for length in lengths:
            os.write(writable, b"\x00\x00" if length is None else length.to_bytes(8, "big"))
        os.close(writable)
        batches = parallel._Batches(readable, data, 10.0)
        assert batches.next() == ({("a", "p", b"x"): b"entry"}, False)
        assert batches.next() is None
        os.close(readable)
        os.close(data)
