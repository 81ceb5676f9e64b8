"""Per-build memos of the docs tree: each value computed once, pages unchanged.

A one-shot build shares one objective-progress memo (``SiteContext.progress``)
between unit pages, profiles and the overview, and one alignment index per
cycle (``SiteContext.cycle_index``) between the graphs and the pages. These
tests use the real-world fixture (links in text, KRs without numbers,
co-owners, graded old quarters) and the annual-cycles shape (quarters that
align up to their year).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from okrsite.analysis.progress import ObjectiveProgressMemo, ProgressOf
from okrsite.analysis.redact import redact
from okrsite.model import KeyResult, Objective, OkrModel
from okrsite.site.build import build_docs_tree
from okrsite.site.context import SiteContext
from okrsite.site.options import SiteOptions
from okrsite.site.pages.directory import render_profile
from okrsite.site.pages.unit import render_unit_page
from okrsite.validate import load_model

REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "content"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def model() -> OkrModel:
    return redact(load_model(REALWORLD), "public")


def test_profiles_and_unit_pages_read_progress_through_the_builds_memo(model: OkrModel) -> None:
    """Profiles and unit pages get every objective's progress from the
    build's memo (``SiteContext.progress``), several times each (a unit page's
    objective and roll-up, a profile's trend and list), so it is computed
    once; the pages are the same bytes as pages made without a memo."""
    ctx = SiteContext(model=model, options=SiteOptions(today=TODAY), today=TODAY)

    def pages(progress: ProgressOf | None) -> dict[tuple[str, str], str]:
        extra = {} if progress is None else {"progress": progress}
        made = {("profile", u): render_profile(model, u, **extra) for u in model.units}
        for cycle in model.cycles.values():
            for unit_id in cycle.okrs:
                made[(cycle.id, unit_id)] = render_unit_page(
                    model, cycle, unit_id, ctx.alignment(cycle), ctx.options, **extra
                )
        return made

    memo = ObjectiveProgressMemo()
    asked: Counter[int] = Counter()

    def progress(objective: Objective) -> float | None:
        asked[id(objective)] += 1
        return memo(objective)

    assert pages(progress) == pages(None)
    objectives = [
        o for c in model.cycles.values() for ok in c.okrs.values() for o in ok.objectives
    ]
    assert objectives
    assert min(asked[id(o)] for o in objectives) >= 2


def test_the_graphs_and_the_pages_share_one_index_per_cycle(model: OkrModel) -> None:
    """``cycle_index`` builds a cycle's own index once; ``alignment`` of a
    cycle with nothing inside it is that very index (no second build), and
    it holds the private links the graphs need."""
    ctx = SiteContext(model=model, options=SiteOptions(today=TODAY), today=TODAY)
    for cycle in model.cycles.values():
        own = ctx.cycle_index(cycle)
        assert ctx.cycle_index(cycle) is own
        inner = [
            c for c in model.cycles.values() if cycle.definition.contains(c.definition)
        ]
        if not inner:
            assert ctx.alignment(cycle) is own


def test_a_quarter_still_links_up_to_its_year_through_the_shared_index(tmp_path: Path) -> None:
    """A quarter whose KR aligns up to the year's objective: its unit page links
    the year's objective and its graph draws the year's box, with the
    cross-cycle look-ups built on the shared index; a cycle with no such link
    draws none."""
    from contentkit import make_content

    content = make_content(
        tmp_path,
        {
            "company.yaml": (
                "name: Acme\nmethod: hybrid\ncycles:\n"
                "  - {id: '2026', start: 2026-01-01, end: 2026-12-31}\n"
                "  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}\n"
                "  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}\n"
            ),
            "org.yaml": "units:\n  - {id: sales, name: Sales, kind: department}\n",
            "2026/company.yaml": (
                "objectives:\n  - id: win\n    title: Win the mid-market\n"
                "    key_results:\n      - {id: arr, title: Reach 5M ARR, start: 1, target: 5,"
                " current: 2}\n"
            ),
            "2026-Q1/sales.yaml": (
                "objectives:\n  - id: grow\n    title: Grow pipeline\n"
                "    aligns_to: ['2026:company/win']\n"
                "    key_results:\n      - {id: leads, title: Get 400 leads, start: 0,"
                " target: 400, current: 120, contributes_to: ['2026:company/win/arr']}\n"
            ),
            "2026-Q2/sales.yaml": (
                "objectives:\n  - id: keep\n    title: Keep customers\n"
                "    key_results:\n      - {id: churn, title: Churn below 2%, start: 4,"
                " target: 2, current: 3}\n"
            ),
        },
        base=False,
    )
    model = load_model(content)
    tree = build_docs_tree(model, SiteOptions(today=dt.date(2026, 2, 10), graphs=False))
    q1 = str(tree.files["2026-Q1/sales.md"])
    q2 = str(tree.files["2026-Q2/sales.md"])
    assert "Win the mid-market" in q1 and "Year" not in q2
    from okrsite import graphs

    public = redact(model, "public")
    dot_q1 = graphs.unit_dot(public, "2026-Q1", "sales")
    dot_q2 = graphs.unit_dot(public, "2026-Q2", "sales")
    assert any("Win the mid-market" in line for line in dot_q1.splitlines())
    assert "Win the mid-market" not in dot_q2


def test_lateral_partners_found_in_one_pass_are_each_items_partners(tmp_path: Path) -> None:
    """``AlignmentIndex.lateral`` answers from a table made once: for every
    objective and KR (with and without ``related`` links), the partners it
    names are exactly the ``related`` links' other ends, in either direction,
    sorted."""
    from contentkit import load_synth

    from okrsite.analysis.alignment import AlignmentIndex
    from okrsite.refs import OkrRef

    load_synth().write(tmp_path, units=40, seed=3, cycles=2)
    model = load_model(tmp_path / "content")
    with_partners = 0
    for cycle in model.cycles.values():
        index = AlignmentIndex.build(cycle, include_private=True)
        related = [link for link in [*index.links, *index.across] if link.kind == "related"]
        for unit_id, okrs in cycle.okrs.items():
            for objective in okrs.objectives:
                refs = [OkrRef(unit_id, objective.id)] + [
                    OkrRef(unit_id, objective.id, kr.id) for kr in objective.key_results
                ]
                for ref in refs:
                    expected = {link.target for link in related if link.source == ref} | {
                        link.source for link in related if link.target == ref
                    }
                    assert index.lateral(ref) == sorted(expected, key=str)
                    with_partners += bool(expected)
    assert with_partners, "the fixture has no related links: the test would prove nothing"


def test_exports_compute_each_krs_progress_once(
    model: OkrModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """okrs.json and okrs.csv compute a KR's progress once each (the
    objective's progress, computed progress and score and the KR's own entry
    all read that one value): a KR's check-ins are searched for its newest
    value or ``done`` at most twice per export (its progress, its latest
    value), where each of those five computations searched them again; and
    the exports say the same bytes."""
    from okrsite.analysis import progress as progress_module
    from okrsite.render import exports

    before_json, before_csv = exports.okrs_json(model), exports.krs_csv(model)
    searched: Counter[int] = Counter()
    newest = progress_module.newest_checkin_field

    def counted(kr: KeyResult, name: str) -> object:
        searched[id(kr)] += 1
        return newest(kr, name)

    # latest_value / latest_done look the function up in their module.
    monkeypatch.setattr(progress_module, "newest_checkin_field", counted)
    krs = [
        kr
        for c in model.cycles.values()
        for ok in c.okrs.values()
        for o in ok.objectives
        if not o.is_private
        for kr in o.key_results
    ]
    assert exports.okrs_json(model) == before_json
    assert searched and set(searched) <= {id(kr) for kr in krs}
    assert max(searched.values()) <= 2
    searched.clear()
    assert exports.krs_csv(model) == before_csv
    assert searched and max(searched.values()) <= 2
