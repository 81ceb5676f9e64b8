"""Closed cycles' check-in dates kept in a build's store (okrsite/site/checkindates.py):
the home page's "what changed this week" and the feed read a closed quarter's
unit file only when its kept dates say it may hold one of their check-ins, and
give exactly what they give without a store, also after an archived file is
edited and on a day when a closed quarter still has recent check-ins."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from okrsite import urls
from okrsite.analysis.history import checkin_span, recent_checkins
from okrsite.engine.pagecache import CycleStore, open_cycle_store
from okrsite.render.feed import checkins_atom
from okrsite.site.build import build_docs_tree
from okrsite.site.checkindates import closed_checkin_spans
from okrsite.site.context import SiteContext
from okrsite.site.options import SiteOptions
from okrsite.validate import load_model

REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "content"
FEED = "feed.xml"
LATE = "Late check-in after the quarter closed"
"""The note of a check-in added to a closed quarter's file (dated after its end)."""


def content_copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REALWORLD, content)
    return content


def add_late_checkin(content: Path, day: str = "2026-09-29") -> None:
    """2026-Q3 (closed from October on) gets a check-in dated ``day``."""
    path = content / "2026-Q3" / "cs-support.yaml"
    text = path.read_text(encoding="utf-8")
    late = f"    checkins:\n    - date: {day}\n      value: 7.1\n      note: {LATE}\n"
    path.write_text(text.replace("    checkins:\n", late, 1), encoding="utf-8")


def site_of(
    content: Path, today: dt.date, store_dir: Path | None
) -> tuple[dict[str, bytes], CycleStore | None]:
    """Every generated file of a build on ``today`` (a closed cycle's files
    read back from the store when it served them), and the build's store
    (none: a build without one, the full walks)."""
    model = load_model(content)
    options = SiteOptions(today=today, graphs=False)
    store = None if store_dir is None else open_cycle_store(store_dir, content, model, options)
    tree = build_docs_tree(model, options, closed=store)
    if store is not None:
        store.prune()  # as after a clean build: the texts this build used are kept
    files = dict(tree.files)
    files.update({path: held.load() for path, held in tree.stored.items()})
    # As written (a warm build's exports are bytes: their closed parts as stored).
    return {p: c.encode("utf-8") if isinstance(c, str) else c for p, c in files.items()}, store


def stored_spans(store: CycleStore) -> dict[str, dict[str, object]]:
    """The store's texts that are check-in dates (JSON objects by unit id), by key."""
    found = {}
    for key, text in store._texts_used.items():
        try:
            rows = json.loads(text)
        except ValueError:
            continue
        if isinstance(rows, dict) and rows and all(
            v is None or (isinstance(v, list) and len(v) == 2) for v in rows.values()
        ):
            found[key] = rows
    return found


@pytest.mark.parametrize(
    ("today", "late"), [(dt.date(2026, 11, 23), "2026-11-20"), (dt.date(2026, 10, 2), "2026-09-29")]
)
def test_a_warm_build_gives_the_site_of_a_build_without_a_store(
    tmp_path: Path, today: dt.date, late: str
) -> None:
    """Cold store, warm store (the dates read back), no store: the same
    files. 2026-Q3 is closed on both days, and its late check-in is one of
    the week's, so that file is read; dated 20 November it is also one of
    the feed's newest (on 29 September, 2026-Q4's later ones fill the feed)."""
    content = content_copy(tmp_path)
    add_late_checkin(content, late)
    full, _ = site_of(content, today, None)
    cold, store = site_of(content, today, tmp_path / "store")
    assert store is not None and len(stored_spans(store)) == 2  # 2023-Q2 and 2026-Q3
    warm, _ = site_of(content, today, tmp_path / "store")
    assert cold == full and warm == full
    assert LATE in full[urls.HOME].decode()
    assert (LATE in full[FEED].decode()) is (late == "2026-11-20")


def test_an_archived_file_edited_with_a_recent_checkin_shows(tmp_path: Path) -> None:
    """The store was made before 2026-Q3's file got a check-in dated inside
    the week: its dates are kept under the quarter's input files, so the edit
    is a miss, and home and feed show the new check-in as a full build does."""
    content = content_copy(tmp_path)
    today = dt.date(2026, 11, 23)
    before, _ = site_of(content, today, tmp_path / "store")
    assert LATE not in before[urls.HOME].decode()
    add_late_checkin(content, "2026-11-20")
    after, _ = site_of(content, today, tmp_path / "store")
    full, _ = site_of(content, today, None)
    assert after == full
    assert LATE in after[urls.HOME].decode() and LATE in after[FEED].decode()


def test_the_kept_dates_are_what_the_walks_read(tmp_path: Path) -> None:
    """Dates planted in the store decide: a file said to have no check-ins
    is not read (its late check-in is missing from home and feed), so the
    build really skipped the walk; entries that are not what the build
    writes are a miss and give the full site again."""
    content = content_copy(tmp_path)
    add_late_checkin(content, "2026-11-20")
    today = dt.date(2026, 11, 23)
    full, _ = site_of(content, today, None)
    _, store = site_of(content, today, tmp_path / "store")
    assert store is not None
    key, rows = next((k, r) for k, r in stored_spans(store).items() if "cs-support" in r)
    assert rows["cs-support"] == ["2026-07-09", "2026-11-20"]
    texts = dict(store._texts_used)
    for planted, same in (
        ({**rows, "cs-support": None}, False),
        ({**rows, "cs-support": ["2026-11-20", "2026-07-09"]}, True),  # first after last
        ({**rows, "cs-support": ["2026-07-09"]}, True),
        ({**rows, "cs-support": [20260709, 20261120]}, True),
        ({k: v for k, v in rows.items() if k != "cs-support"}, True),  # a unit missing
        ([rows], True),
    ):
        texts[key] = json.dumps(planted)
        again = tmp_path / f"store-{len(json.dumps(planted))}"
        shutil.copytree(tmp_path / "store", again)
        (again / "texts.pack").write_bytes(_texts_bytes(texts))
        got, _ = site_of(content, today, again)
        assert (got == full) is same
        if not same:
            assert LATE not in got[urls.HOME].decode() and LATE not in got[FEED].decode()


def _texts_bytes(texts: dict[str, str]) -> bytes:
    from okrsite.engine.pagecache import texts_bytes

    return texts_bytes(texts)


@pytest.mark.parametrize(
    "today", [dt.date(2026, 11, 23), dt.date(2026, 10, 2), dt.date(2026, 8, 14), dt.date(2023, 7, 3)]
)
def test_recent_checkins_and_feed_with_every_files_dates_equal_the_full_walk(
    tmp_path: Path, today: dt.date
) -> None:
    """Given every unit file's dates (not only closed cycles'), the walks
    give the full result on days before, inside and after the quarters,
    including days whose window ends on a file's first or last check-in."""
    content = content_copy(tmp_path)
    add_late_checkin(content)
    model = load_model(content)
    spans = {
        (cycle.id, unit_id): checkin_span(okrs)
        for cycle in model.cycles.values()
        for unit_id, okrs in cycle.okrs.items()
    }
    assert spans[("2026-Q3", "cs-support")] == (dt.date(2026, 7, 9), dt.date(2026, 9, 29))
    edges = {today, dt.date(2026, 7, 9), dt.date(2026, 9, 29), dt.date(2026, 10, 6)}
    for day in sorted(edges):
        for days in (1, 7, 30):
            full = recent_checkins(model, day, days=days, limit=30)
            assert recent_checkins(model, day, days=days, limit=30, spans=spans) == full
    assert checkins_atom(model, None, spans=spans) == checkins_atom(model, None)


def test_without_a_store_no_dates_are_kept(tmp_path: Path) -> None:
    """A build without a store (generate, a preview server) walks every file."""
    model = load_model(REALWORLD)
    ctx = SiteContext(model=model, options=SiteOptions(graphs=False), today=dt.date(2026, 11, 23))
    assert closed_checkin_spans(ctx) == {}
