"""A preview keeps each cycle's alignment index while its links are the same, and no longer.

``KeptAlignment`` (``okrsite/site/alignmemo.py``) hands a preview rebuild
the index of its previous rebuild when no unit file's links changed. Each
test edits content the way an author does, reloads it the way the preview
server does (``LoadCache``: unchanged files keep their objects), and
compares what the memo hands out with an index built from scratch —
including where each link stands in its file, which link equality ignores
but the quality rules' locations read.
"""

from __future__ import annotations

import re
from pathlib import Path

from contentkit import make_content
from test_annual_cycles import FILES as ANNUAL_FILES

from okrsite.analysis.alignment import AlignmentIndex, OkrRef
from okrsite.graphs.dot import overview_dot, unit_dot
from okrsite.graphs.labels import LabelText
from okrsite.graphs.lookups import CycleLookups
from okrsite.model import OkrModel
from okrsite.site.alignmemo import KeptAlignment
from okrsite.validate import LoadCache, load_model

TEAM = """\
status: locked
objectives:
  - id: speed
    title: Faster onboarding
    owner: Tomás
    aligns_to: [product/self-serve]
    key_results:
      - id: days
        title: Cut time to first value from 9 days to 3
        start: 9
        target: 3
        current: 6
        contributes_to: [product/self-serve/activation]
      - {id: docs, title: Publish the setup guide, done: false, related: [legal/terms]}
  - id: quality
    title: Fewer support tickets
    owner: Tomás
    key_results:
      - {id: tickets, title: Tickets per new workspace from 2.0 to 1.2, start: 2, target: 1.2}
"""

QUARTER_FILES = {
    **ANNUAL_FILES,
    "2026-Q2/product.yaml": """\
status: locked
objectives:
  - id: self-serve
    title: Self-serve for everyone
    owner: Priya
    aligns_to: [company/convert, "2026:product/self-serve"]
    key_results:
      - {id: activation, title: Raise activation to 50%, start: 30, target: 50, current: 41}
""",
    "2026-Q2/legal.yaml": """\
status: locked
objectives:
  - id: terms
    title: Clear terms for self-serve buyers
    owner: Lee
    key_results:
      - {id: terms, title: Ship the click-through terms, done: true}
""",
    "2026-Q2/onboarding.yaml": TEAM,
}


def _shape(index: AlignmentIndex) -> object:
    """Everything an index answers, with each link's place in its file."""
    def links(found: list) -> list:  # type: ignore[type-arg]
        return [(link, link.path, link.source_cycle) for link in found]

    return (
        links(index.links),
        links(index.across),
        {target: links(found) for target, found in index._by_target.items()},
        {source: links(found) for source, found in index._by_source.items()},
    )


class Content:
    """A content directory reloaded the way the preview server reloads it."""

    def __init__(self, root: Path) -> None:
        self.root = make_content(root, QUARTER_FILES)
        self.loads = LoadCache()
        self.kept = KeptAlignment()

    def load(self) -> OkrModel:
        return load_model(self.root, cache=self.loads)

    def edit(self, path: str, pattern: str, replacement: str) -> None:
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert changed != text, f"the edit did not apply to {path}"
        file.write_text(changed, encoding="utf-8")

    def check(self) -> dict[str, AlignmentIndex]:
        """Every cycle's index and index with inner support equal fresh ones."""
        model = self.load()
        cycles = model.cycles.values()
        indexes = {}
        for cycle in cycles:
            index = self.kept.index(cycle)
            assert _shape(index) == _shape(AlignmentIndex.build(cycle, include_private=True))
            inner = self.kept.with_inner(cycles, cycle)
            fresh = AlignmentIndex.build_with_inner(cycles, cycle, include_private=True)
            assert _shape(inner) == _shape(fresh), cycle.id
            indexes[cycle.id] = index
        return indexes


def test_a_title_edit_keeps_every_index(tmp_path: Path) -> None:
    content = Content(tmp_path)
    first = content.check()
    built = content.kept.built
    assert built == len(first) == 3
    content.edit("2026-Q2/onboarding.yaml", r"title: Faster onboarding", "title: Quicker starts")
    again = content.check()
    assert content.kept.built == built  # nothing built again
    assert all(again[cycle_id] is first[cycle_id] for cycle_id in first)


def test_links_moved_in_their_file_give_a_new_index(tmp_path: Path) -> None:
    """An objective inserted before the linked ones: the same links, but each
    now stands elsewhere in the file (the quality rules point there)."""
    content = Content(tmp_path)
    first = content.check()
    content.edit(
        "2026-Q2/onboarding.yaml",
        r"^objectives:\n",
        "objectives:\n  - id: first\n    title: A new first objective\n    owner: Tomás\n"
        "    key_results:\n      - {id: one, title: One thing done, done: false}\n",
    )
    again = content.check()
    assert again["2026-Q2"] is not first["2026-Q2"]
    assert again["2026-Q2"].links == first["2026-Q2"].links  # equal, yet placed elsewhere
    assert again["2026"] is first["2026"]


def test_link_edits_follow_every_kind_of_link(tmp_path: Path) -> None:
    content = Content(tmp_path)
    content.check()
    # A contributes_to link removed, a related one retargeted, a link up to the year added.
    content.edit("2026-Q2/onboarding.yaml", r"^ +contributes_to: .*\n", "")
    content.check()
    content.edit("2026-Q2/onboarding.yaml", r"related: \[legal/terms\]", "related: [company/convert]")
    content.check()
    content.edit(
        "2026-Q2/legal.yaml", r"    owner: Lee\n", "    owner: Lee\n    aligns_to: [2026:company/win-midmarket]\n"
    )
    indexes = content.check()
    model = content.load()
    year = content.kept.with_inner(model.cycles.values(), model.cycles["2026"])
    supporters = year.supporters(OkrRef("company", "win-midmarket"))
    assert any(link.source.unit == "legal" and link.source_cycle == "2026-Q2" for link in supporters)
    assert indexes["2026-Q2"].across
    # A unit file deleted, then restored.
    legal = tmp_path / "content" / "2026-Q2" / "legal.yaml"
    kept = legal.read_bytes()
    legal.unlink()
    content.check()
    legal.write_bytes(kept)
    content.check()


def test_lookups_are_kept_with_fresh_text(tmp_path: Path) -> None:
    """The graphs' look-ups of a kept index are reused (their rows too: each
    row checks its unit's content itself), but every rebuild gets its own
    label text; a changed shared stamp (org, names, cycles) makes them again."""
    content = Content(tmp_path)
    model = content.load()
    cycle = model.cycles["2026-Q2"]
    stamp = object()
    first = content.kept.lookups(model, cycle, stamp, LabelText())
    text = LabelText()
    again = content.kept.lookups(model, cycle, stamp, text)
    assert again.index is first.index and again.descendants is first.descendants
    assert again.text is text and again.rows is first.rows
    fresh = CycleLookups.build(model, cycle)
    assert (again.ancestors, again.descendants, again.org_key, again.overlap, again.links_from) == (
        fresh.ancestors, fresh.descendants, fresh.org_key, fresh.overlap, fresh.links_from
    )
    renewed = content.kept.lookups(model, cycle, object(), LabelText())
    assert renewed.ancestors is not first.ancestors


def test_graphs_from_kept_lookups_equal_fresh_ones(tmp_path: Path) -> None:
    """Graph rows kept with the look-ups are made again for an edited file:
    a retitled objective, a new KR value and a file graded meanwhile show in
    every graph drawn from the kept look-ups exactly as from fresh ones."""
    content = Content(tmp_path)
    stamp = object()

    def graphs() -> None:
        model = content.load()
        kept = content.kept.lookups(model, model.cycles["2026-Q2"], stamp, LabelText())
        for focus in ["company", "product", "onboarding", "legal"]:
            assert unit_dot(model, "2026-Q2", focus, lookups=kept) == unit_dot(
                model, "2026-Q2", focus
            ), focus
        assert overview_dot(model, "2026-Q2", lookups=kept) == overview_dot(model, "2026-Q2")

    graphs()
    content.edit("2026-Q2/onboarding.yaml", r"title: Faster onboarding", "title: Quicker starts")
    graphs()
    content.edit("2026-Q2/onboarding.yaml", r"current: 6", "current: 4")
    graphs()
    content.edit("2026-Q2/legal.yaml", r"status: locked", "status: graded")
    graphs()
    content.edit("2026-Q2/product.yaml", r"title: Self-serve for everyone", "title: Self-serve & <more>")
    graphs()


def test_objective_serves_anything_matches_its_links(tmp_path: Path) -> None:
    """The table behind ``objective_serves_anything`` answers as the links
    do, for every objective and for an objective asked about without its KRs:
    upwards within the cycle or into the year counts, lateral does not."""
    model = Content(tmp_path).load()
    asked = 0
    for cycle in model.cycles.values():
        index = AlignmentIndex.build_with_inner(model.cycles.values(), cycle, include_private=True)
        for unit_id, okrs in cycle.okrs.items():
            for objective in okrs.objectives:
                for krs in ([kr.id for kr in objective.key_results], []):
                    refs = [OkrRef(unit_id, objective.id), *(OkrRef(unit_id, objective.id, k) for k in krs)]
                    expected = any(index.serves(ref) or index.serves_across(ref) for ref in refs)
                    assert index.objective_serves_anything(unit_id, objective.id, krs) == expected
                    asked += expected
    assert asked >= 4
    quarter = model.cycles["2026-Q2"]
    index = AlignmentIndex.build(quarter, include_private=True)
    # Onboarding's "quality" objective and its KR link nowhere; Legal's only laterally (inbound).
    assert not index.objective_serves_anything("onboarding", "quality", ["tickets"])
    assert index.objective_serves_anything("onboarding", "speed", ["docs"])  # the objective aligns
    assert not index.objective_serves_anything("legal", "terms", ["terms"])
