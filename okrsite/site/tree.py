"""The docs tree: okrsite's engine-neutral output.

Every generated file (docs path → text or bytes) and the navigation
outline. :mod:`okrsite.engine` hands it to MkDocs as virtual files;
``okrsite generate`` writes it to disk for any MkDocs-compatible engine.
These types import nothing else from okrsite, so every producer can use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

FileContent = str | bytes


class StoredContent(Protocol):
    """A file's content kept on disk by a store of closed cycles, read only
    when something needs it (a page the page cache does not hold, a graph
    file not already in ``site/``): most builds never read it."""

    @property
    def sha256(self) -> str:
        """The sha256 of its bytes (UTF-8 for text), known without reading it."""
        ...

    def load(self) -> FileContent: ...


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
    stored: dict[str, StoredContent] = field(default_factory=dict)
    """Files of closed cycles taken from a store (``okrsite build`` only):
    not in :attr:`files`, so that nothing reads them by accident."""

    def paths(self) -> set[str]:
        return {*self.files, *self.stored}

    def add(self, generated: Iterable[GeneratedFile]) -> None:
        for item in generated:
            if item.path in self.files:
                raise ValueError(f"two generators produced {item.path}")
            self.files[item.path] = item.content
