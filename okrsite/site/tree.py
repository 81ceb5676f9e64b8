"""The docs tree: okrsite's engine-neutral output.

Every generated file (docs path → text or bytes) and the navigation
outline. :mod:`okrsite.engine` hands it to MkDocs as virtual files;
``okrsite generate`` writes it to disk for any MkDocs-compatible engine.
These types import nothing else from okrsite, so every producer can use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

FileContent = str | bytes


@dataclass
class NavItem:
    """A navigation entry: a page (``path``) or a section (``children``)."""

    title: str
    path: str | None = None
    children: list[NavItem] = field(default_factory=list)


@dataclass(frozen=True)
class GeneratedFile:
    path: str
    content: FileContent


@dataclass
class DocsTree:
    """Generated files by docs path, and the navigation outline."""

    files: dict[str, FileContent] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)

    def add(self, generated: Iterable[GeneratedFile]) -> None:
        for item in generated:
            if item.path in self.files:
                raise ValueError(f"two generators produced {item.path}")
            self.files[item.path] = item.content
