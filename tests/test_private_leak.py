"""Private never leaks; ``--audience`` and ``publish_people`` do what they say.

The demo content has a private objective in Sales 2026-Q4
(``canary-private-pricing``) whose title, description, key results,
check-in notes and KR note carry the canary ``CANARY-PRIVATE``. A copy of
the demo adds more canaries (learnings, check-in author, KR unit, a public
objective that aligns to the private one) and sets ``publish_people: false``.

Every byte of every file of the built site is scanned — pages, inline and
standalone SVGs, the search index, sitemap (and its gzip), exports and
feeds — for the canary, case-insensitively (so the objective's id, which
would show in links and anchors, counts too).

Run: ``python -m pytest tests/test_private_leak.py -q`` (about 8 s; three
real MkDocs builds with Graphviz).
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsite.cli import main
from okrsite.validate import load_model

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
CANARY = b"canary-private"
SALES_Q4 = "content/2026-Q4/sales.yaml"


def build(config: Path, site: Path, *extra: str) -> Path:
    """``okrsite build`` in-process; fails the test on a non-zero exit."""
    result = CliRunner().invoke(
        main, ["build", "-f", str(config), "--site-dir", str(site), "--today", TODAY, *extra]
    )
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if getattr(handler, "_okrsite", False):
            logger.removeHandler(handler)
    assert result.exit_code == 0, result.output
    return site


def site_bytes(site: Path) -> dict[str, bytes]:
    """Every file of a site (gzip files also decompressed), by relative path."""
    out: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            data = path.read_bytes()
            out[rel] = data
            if path.suffix == ".gz":
                out[rel + ":decompressed"] = gzip.decompress(data)
    return out


def leaks(site: Path, needle: bytes) -> list[str]:
    return [rel for rel, data in site_bytes(site).items() if needle in data.lower()]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def demo_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site as published (public audience), built once."""
    return build(REPO / "mkdocs.yml", tmp_path_factory.mktemp("demo") / "site")


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo project with more canaries and publish_people: false."""
    root = tmp_path_factory.mktemp("variant")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "docs" / "site", root / "docs" / "site")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    sales = root / SALES_Q4
    _edit(
        sales,
        "    visibility: private\n",
        "    visibility: private\n"
        "    learnings: 'CANARY-PRIVATE-LEARNINGS: keep it quiet'\n",
    )
    _edit(
        sales,
        "        unit: interviews\n",
        "        unit: CANARY-PRIVATE-UNIT\n",
    )
    _edit(
        sales,
        "note: CANARY-PRIVATE first interviews booked}",
        "note: x, author: Canary-Private Author}",
    )
    _edit(
        root / "content/2026-Q4/sales-midmarket.yaml",
        "aligns_to: [sales/close-midmarket]",
        "aligns_to: [sales/close-midmarket, sales/canary-private-pricing]\n"
        "    related: [sales/canary-private-pricing]",
    )
    _edit(root / "content/company.yaml", "method: hybrid", "publish_people: false\nmethod: hybrid")
    return root


@pytest.fixture(scope="module")
def variant_public(variant: Path) -> Path:
    return build(variant / "mkdocs.yml", variant / "site-public", "--audience", "public")


@pytest.fixture(scope="module")
def variant_internal(variant: Path) -> Path:
    return build(variant / "mkdocs.yml", variant / "site-internal", "--audience", "internal")


def test_demo_content_has_the_canary() -> None:
    """The demo's private objective really carries the canary (else the scans
    below prove nothing)."""
    text = (REPO / SALES_Q4).read_text(encoding="utf-8")
    assert "CANARY-PRIVATE" in text
    assert "visibility: private" in text


def test_demo_public_build_has_no_canary(demo_public: Path) -> None:
    """No file of the public demo site (pages, SVGs, search index, sitemap,
    exports, feeds) contains the canary or the private objective's id."""
    files = site_bytes(demo_public)
    assert "search/search_index.json" in files
    assert any(rel.endswith(".svg") or b"<svg" in data for rel, data in files.items())
    assert leaks(demo_public, CANARY) == []


def test_demo_public_build_counts_private_objectives(demo_public: Path) -> None:
    """The public Sales 2026-Q4 page says that one private objective is not
    shown (only the count survives)."""
    page = (demo_public / "2026-Q4" / "sales" / "index.html").read_text(encoding="utf-8")
    assert "1 private objective not shown" in page


def test_variant_public_build_has_no_canary(variant_public: Path) -> None:
    """With canaries in learnings, a check-in author, a KR unit, a lateral
    link and an alignment from another unit, the public build still holds
    none of them anywhere."""
    assert leaks(variant_public, CANARY) == []


def test_internal_build_contains_private_objective(variant_internal: Path) -> None:
    """The internal build does publish the private objective (its graph node
    and key results on the Sales 2026-Q4 page)."""
    page = (variant_internal / "2026-Q4" / "sales" / "index.html").read_text(encoding="utf-8")
    assert "CANARY-PRIVATE: prepare the 2027 packaging" in page
    assert leaks(variant_internal, CANARY)


def test_internal_build_shows_private_marked(variant_internal: Path) -> None:
    """The internal build shows the private objective and its key results on
    the unit page, marked private."""
    page = (variant_internal / "2026-Q4" / "sales" / "index.html").read_text(encoding="utf-8")
    assert "CANARY-PRIVATE-LEARNINGS" in page
    assert "CANARY-PRIVATE packaging model approved" in page
    heading = page.index('id="obj-canary-private-pricing"')
    next_heading = page.find("<h2", heading)
    section = page[heading : next_heading if next_heading > 0 else len(page)]
    assert re.search(r'class="okr-chip okr-private"[^>]*>\s*private', section)


def people(root: Path) -> set[str]:
    """Every person named in the content: leads, owners, check-in authors."""
    model = load_model(root / "content")
    names = {u.definition.lead for u in model.units.values() if u.definition.lead}
    for cycle in model.cycles.values():
        for okrs in cycle.okrs.values():
            names |= {m.owner for m in okrs.content.health_metrics if m.owner}
            for objective in okrs.objectives:
                names |= {objective.owner} if objective.owner else set()
                for kr in objective.key_results:
                    names |= {kr.owner} if kr.owner else set()
                    names |= {c.author for c in kr.checkins if c.author}
    return names


def test_publish_people_false_drops_names(variant: Path, variant_public: Path) -> None:
    """With ``publish_people: false`` no person's name (unit leads, owners,
    check-in authors) appears in any file of the public build."""
    names = people(variant) - candidate_owners(variant)
    assert len(names) >= 5
    found = {
        name: rel
        for rel, data in site_bytes(variant_public).items()
        for name in names
        if name.encode() in data
    }
    assert found == {}


def candidate_owners(root: Path) -> set[str]:
    model = load_model(root / "content")
    return {c.owner for c in model.company.candidates if c.owner}


def test_publish_people_false_drops_candidate_owners(variant: Path, variant_public: Path) -> None:
    """With ``publish_people: false`` the owners of candidate objectives are not
    published either."""
    owners = candidate_owners(variant)
    assert owners
    pages = b"".join(site_bytes(variant_public).values())
    assert [name for name in owners if name.encode() in pages] == []


def test_internal_build_keeps_names(variant: Path, variant_internal: Path) -> None:
    """The internal build keeps people's names (publish_people applies to
    public builds only)."""
    pages = b"".join(site_bytes(variant_internal).values())
    assert all(name.encode() in pages for name in people(variant) if "Canary" not in name)
