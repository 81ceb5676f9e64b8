"""okrsite: publish a company's OKRs from YAML in git as a static site."""

from __future__ import annotations

__version__ = "0.1.0"
