"""Rules with one owner in okrsite/analysis/: the link walker, the current
cycle, org subtree walks. Every other module asks these, so they are tested
here on messy content once."""

from __future__ import annotations

from pathlib import Path

from contentkit import make_content

from okrsite.analysis.alignment import AlignmentIndex, OkrRef, cycle_links, unit_links
from okrsite.validate import load_model

PLATFORM_OKRS = """\
status: draft
objectives:
  - id: infra
    title: Reliable platform
    owner: Sam
    aligns_to: [company/grow, product/easier]
    related: [product/easier/ttv]
    key_results:
      - id: uptime
        title: "Uptime (see [runbook](https://example.com))"
        kind: milestone
        owner: Sam
      - id: deploys
        title: Faster deploys
        start: 10
        target: 2
        owner: Ana
        contributes_to: [product/easier/ttv, company/grow/customers]
        related: [company/grow]
"""

ORG_WITH_PLATFORM = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
  - {id: platform, name: Platform (infra), kind: team, parent: product}
"""


def test_link_walker_yields_every_written_link_with_its_place(tmp_path: Path) -> None:
    """unit_links walks aligns_to, related, contributes_to in file order and
    says where each reference stands (for error locations)."""
    content = make_content(
        tmp_path, {"org.yaml": ORG_WITH_PLATFORM, "2026-Q1/platform.yaml": PLATFORM_OKRS}
    )
    model = load_model(content)
    okrs = model.cycles["2026-Q1"].okrs["platform"]
    got = [
        (str(link.source), link.kind, str(link.target), link.path)
        for link in unit_links("platform", okrs.objectives)
    ]
    assert got == [
        ("platform/infra", "aligns_to", "company/grow", ("objectives", 0, "aligns_to", 0)),
        ("platform/infra", "aligns_to", "product/easier", ("objectives", 0, "aligns_to", 1)),
        ("platform/infra", "related", "product/easier/ttv", ("objectives", 0, "related", 0)),
        (
            "platform/infra/deploys",
            "contributes_to",
            "product/easier/ttv",
            ("objectives", 0, "key_results", 1, "contributes_to", 0),
        ),
        (
            "platform/infra/deploys",
            "contributes_to",
            "company/grow/customers",
            ("objectives", 0, "key_results", 1, "contributes_to", 1),
        ),
        (
            "platform/infra/deploys",
            "related",
            "company/grow",
            ("objectives", 0, "key_results", 1, "related", 0),
        ),
    ]
    # The cycle walk is the union of every unit's walk; the index is built from it.
    every = set(cycle_links(model.cycles["2026-Q1"]))
    assert len(every) == 6 + 2  # product's aligns_to and contributes_to
    index = AlignmentIndex.build(model.cycles["2026-Q1"])
    assert set(index.links) == every
    assert index.supporting_units(OkrRef("product", "easier", "ttv")) == ["platform"]
    assert index.lateral(OkrRef("product", "easier", "ttv")) == [OkrRef("platform", "infra")]
