"""MkDocs' link resolution for generated pages, plain links taken the short way.

A 1,000-unit site's generated pages hold ~45,000 links, nearly all of them
plain relative links to other pages (``../team.md``, ``../team.md#o1-kr2``)
or to a heading of the page itself (``#o1-kr2``).
MkDocs resolves each with ``_RelativePathTreeprocessor.path_to_url``, which
splits and unquotes the URL, builds a generator of guesses and looks the
target up through ``pathlib``: ~34 µs a link, 1.5 s of the build's main
thread. :class:`PageLinks` answers those plain links itself, with the same
steps MkDocs takes for a link whose target exists, and hands every other
link (external, absolute, with a query or an escape, a self-link, a missing
or excluded target: everything that can warn) to MkDocs unchanged, so the
pages and the warnings are MkDocs' own (``tests/test_page_links.py``
compares both on every kind of link).
"""

from __future__ import annotations

import posixpath
import re

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import _RelativePathTreeprocessor
from mkdocs.utils import get_relative_url

_PLAIN_LINK = re.compile(r"([A-Za-z0-9_.~/-]*)(?:#([A-Za-z0-9_.~-]+))?")
"""A relative link MkDocs would neither split differently nor unquote: no
scheme (no ``:``), no query, no ``%`` escape, at most a plain anchor; or
only a plain anchor (a link within the page)."""


class PageLinks(_RelativePathTreeprocessor):
    """Link resolution for one page (MkDocs' own, see the module doc)."""

    def path_to_url(self, url: str) -> str:
        plain = _PLAIN_LINK.fullmatch(url)
        if plain is None or url.startswith("/"):
            return super().path_to_url(url)
        path, anchor = plain.group(1), plain.group(2)
        if not path:
            if anchor is None:
                return super().path_to_url(url)
            # A link within the page: registered for the anchor check, as is.
            self.links_to_anchors.setdefault(self.file, {}).setdefault(anchor, url)
            return url
        # As MkDocs' first guess (``_target_uri``): the link read relative to
        # the page's source file. The result is already normalised POSIX, so
        # the files' own table answers as ``Files.get_file_from_path`` would.
        target_uri = posixpath.normpath(
            posixpath.join(posixpath.dirname(self.file.src_uri), path).lstrip("/")
        )
        target = self.files.src_uris.get(target_uri)
        if target is None or target.inclusion.is_excluded():
            return super().path_to_url(url)  # MkDocs warns, and guesses
        relative = get_relative_url(target.url, self.file.url)
        if anchor is None:
            return relative
        self.links_to_anchors.setdefault(target, {}).setdefault(anchor, url)
        return f"{relative}#{anchor}"


def file_at(files: Files, path: str) -> File | None:
    """``files.get_file_from_path(path)``: for a path that is already normal
    POSIX (``posixpath.normpath`` leaves it as it is, no backslash) straight
    from the files' own table, as ``PurePath(path).as_posix()`` would leave it
    too; any other path MkDocs' way. Asked for every generated file of a
    build (~1,800 at 100 units × 8 quarters), the ``PurePath`` was ~5 µs each."""
    if "\\" not in path and posixpath.normpath(path) == path:
        return files.src_uris.get(path)
    return files.get_file_from_path(path)
