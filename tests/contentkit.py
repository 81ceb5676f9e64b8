"""Inline fixture helpers: small content trees written to a temp directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

COMPANY = """\
name: Acme
method: hybrid
cycles:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
"""

ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya}
  - {id: onboarding, name: Onboarding, kind: team, parent: product}
"""

COMPANY_OKRS = """\
status: locked
objectives:
  - id: grow
    title: Grow mid-market
    owner: CEO
    key_results:
      - {id: customers, title: Mid-market customers, start: 150, target: 350, current: 250, owner: CEO}
"""

PRODUCT_OKRS = """\
status: locked
objectives:
  - id: easier
    title: Make it easy to start
    owner: Priya
    aligns_to: [company/grow]
    key_results:
      - id: ttv
        title: Cut time to first value
        start: 14
        target: 5
        current: 9
        unit: days
        owner: Priya
        contributes_to: [company/grow/customers]
"""

BASE = {
    "company.yaml": COMPANY,
    "org.yaml": ORG,
    "2026-Q1/company.yaml": COMPANY_OKRS,
    "2026-Q1/product.yaml": PRODUCT_OKRS,
}


def make_content(root: Path, files: dict[str, str | None], *, base: bool = True) -> Path:
    """Write ``root/content`` from ``BASE`` overlaid with ``files``.

    A value of ``None`` deletes that file from the base. Text is dedented.
    """
    content = root / "content"
    merged: dict[str, str | None] = {**(BASE if base else {}), **files}
    for rel, text in merged.items():
        if text is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return content
