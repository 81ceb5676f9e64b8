"""What a preview keeps per unit file answers exactly as computing it afresh.

``okrsite serve`` keeps, between rebuilds, objectives' progress
(``ObjectiveProgressMemo``) and each unit file's recent check-ins (the home
page's "what changed this week", ``recent_checkins(kept=)``), keyed by the
content objects the loader hands out again for unchanged files. Each test
edits content the way an author does, reloads it the way the server does
(``LoadCache``), and compares the kept answers with fresh ones.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from test_serve_graphs import _synthetic_org

from okrsite.analysis.history import (
    CycleSummary,
    RecentByUnit,
    RecentCheckin,
    SummaryParts,
    cycle_summary,
    recent_checkins,
)
from okrsite.analysis.progress import (
    ObjectiveProgressMemo,
    objective_progress,
    pooled_progress,
)
from okrsite.analysis.redact import redact
from okrsite.model import OkrModel
from okrsite.render.feed import FEED_LIMIT, FeedParts, checkins_atom
from okrsite.validate import LoadCache, load_model


class Org:
    """bench/synth.py's organisation (two quarters, weekly check-ins), reloaded like a preview."""

    def __init__(self, root: Path) -> None:
        self.content = _synthetic_org(root, units=30)
        self.loads = LoadCache()
        self.quarter = self.content / "2026-Q4"

    def load(self) -> OkrModel:
        return load_model(self.content, cache=self.loads)

    def unit_files(self) -> list[Path]:
        return sorted(p for p in self.quarter.glob("*.yaml") if "checkins:" in p.read_text("utf-8"))

    def edit(self, path: Path, pattern: str, replacement: str) -> None:
        text = path.read_text(encoding="utf-8")
        changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert changed != text, f"the edit did not apply to {path}"
        path.write_text(changed, encoding="utf-8")


def _newest_checkin(org: Org) -> dt.date:
    dates = re.findall(r"\{date: (\d{4}-\d\d-\d\d)", "".join(p.read_text("utf-8") for p in org.unit_files()))
    return max(dt.date.fromisoformat(d) for d in dates)


def test_recent_checkins_kept_per_file_equal_fresh_ones(tmp_path: Path) -> None:
    """Several windows and limits (a limit below one file's count of recent
    check-ins too), then a check-in edited, one added, a file deleted."""
    org = Org(tmp_path)
    kept: RecentByUnit = {}
    today = _newest_checkin(org)

    def check(model: OkrModel) -> list[RecentCheckin]:
        last: list[RecentCheckin] = []
        for when, days, limit in [(today, 7, 30), (today, 7, 3), (today, 21, 30), (today, 7, 30)]:
            fresh = recent_checkins(model, when, days=days, limit=limit)
            assert recent_checkins(model, when, days=days, limit=limit, kept=kept) == fresh
            last = list(fresh)
        assert len(last) == 30  # a full page of check-ins: the limit bites
        return last

    first = check(org.load())
    unit_file = next(p for p in org.unit_files() if f"date: {today}" in p.read_text("utf-8"))
    org.edit(unit_file, rf"(\{{date: {today}, value: )[0-9.]+", r"\g<1>12345")
    again = check(org.load())
    assert again != first
    assert any(item.checkin.value == 12345 for item in again)
    # A check-in added today at the end of a KR's list, another file removed.
    other = org.unit_files()[-1]
    org.edit(other, r"^(        checkins:\n)", rf"\g<1>          - {{date: {today}, value: 1, note: Added}}\n")
    check(org.load())
    texts = {path: path.read_text("utf-8") for path in org.quarter.glob("*.yaml")}
    lonely = next(  # a file nothing links to may go
        path for path in org.unit_files()
        if not any(f"{path.stem}/" in text for other, text in texts.items() if other != path)
    )
    lonely.unlink()
    check(org.load())


def test_progress_memo_follows_edited_files(tmp_path: Path) -> None:
    """The memo gives ``objective_progress`` for every objective; after an
    edit the reloaded file's objectives are new objects with new values,
    the others are answered from the memo."""
    org = Org(tmp_path)
    memo = ObjectiveProgressMemo()

    def pooled(model: OkrModel) -> tuple[float | None, float | None]:
        files = [okrs for cycle in model.cycles.values() for okrs in cycle.okrs.values()]
        for okrs in files:
            for objective in okrs.objectives:
                assert memo(objective) == objective_progress(objective)
        return (
            pooled_progress(files, include_private=True, progress=memo),
            pooled_progress(files, include_private=True),
        )

    kept, fresh = pooled(org.load())
    assert kept == fresh is not None
    unit_file = org.unit_files()[0]
    org.edit(unit_file, r"(current: )[0-9.]+", r"\g<1>0")
    org.edit(unit_file, r"(\{date: \d{4}-\d\d-\d\d, value: )[0-9.]+(, confidence)", r"\g<1>0\2")
    edited = pooled(org.load())
    assert edited[0] == edited[1] and edited[0] != kept


def _reference_feed_ids(model: OkrModel) -> list[str]:
    """The feed's entries by definition: every public check-in, newest first,
    ties by cycle, unit, objective and KR ids, then as listed; the first 50."""
    entries = [
        (-checkin.date.toordinal(), cycle.id, unit_id, objective.id, kr.id, n, checkin.date)
        for cycle in model.cycles.values()
        for unit_id, okrs in cycle.okrs.items()
        for objective in okrs.public_objectives
        for kr in objective.key_results
        for n, checkin in enumerate(kr.checkins)
    ]
    entries.sort(key=lambda e: e[:6])
    return [f"{c}/{u}/{o}/{k}/{day}" for _, c, u, o, k, _, day in entries[:FEED_LIMIT]]


def test_feed_kept_per_file_equals_a_fresh_feed(tmp_path: Path) -> None:
    """``feed.xml`` from entries kept per unit file is the fresh feed, byte
    for byte, and lists the newest check-ins by definition; after a check-in
    is added (two on one KR and day: numbered), edited, and a file deleted."""
    org = Org(tmp_path)
    kept: FeedParts = {}

    def check() -> str:
        model = redact(org.load(), "public")
        feed = checkins_atom(model, "https://okrs.example.com/", kept)
        assert feed == checkins_atom(model, "https://okrs.example.com/")
        ids = re.findall(r"<id>tag:okrsite,\d+:(.*?/\d{4}-\d\d-\d\d)(?:-\d+)?</id>", feed)
        assert ids == _reference_feed_ids(model)
        return feed

    first = check()
    today = _newest_checkin(org)
    unit_file = next(p for p in org.unit_files() if f"date: {today}" in p.read_text("utf-8"))
    org.edit(unit_file, r"^(        checkins:\n)", rf"\g<1>          - {{date: {today}, value: 7, note: Twice today}}\n")
    second = check()
    assert second != first and "Twice today" in second
    org.edit(unit_file, r"note: Twice today", "note: Edited again")
    assert "Edited again" in check()
    texts = {path: path.read_text("utf-8") for path in org.quarter.glob("*.yaml")}
    lonely = next(
        path for path in org.unit_files()
        if path != unit_file
        and not any(f"{path.stem}/" in text for other, text in texts.items() if other != path)
    )
    lonely.unlink()
    check()


def test_cycle_summary_kept_per_file_equals_a_fresh_one(tmp_path: Path) -> None:
    """The overview's counts, share on track, mean score and distribution from
    per-file parts kept between rebuilds, after a value, a grade and an
    outcome are edited and a file deleted: as computed afresh."""
    org = Org(tmp_path)
    kept: SummaryParts = {}

    def check() -> dict[str, CycleSummary]:
        model = redact(org.load(), "public")
        out = {}
        for cycle in model.cycles.values():
            out[cycle.id] = cycle_summary(model, cycle, kept)
            assert out[cycle.id] == cycle_summary(model, cycle)
        assert len(kept) == sum(len(c.okrs) for c in model.cycles.values())
        return out

    first = check()
    assert first["2026-Q3"].mean_score is not None  # the graded quarter has scores
    team = org.unit_files()[-1]
    org.edit(team, r"(current: )[0-9.]+", r"\g<1>0")
    assert check()["2026-Q4"] != first["2026-Q4"]
    graded = sorted(p for p in (org.content / "2026-Q3").glob("*.yaml") if "score:" in p.read_text("utf-8"))[0]
    org.edit(graded, r"(score: )[0-9.]+", r"\g<1>0.05")
    assert check()["2026-Q3"] != first["2026-Q3"]
    org.edit(graded, r"outcome: (achieved|missed)", "outcome: postponed")
    assert check()["2026-Q3"].postponed == first["2026-Q3"].postponed + 1
