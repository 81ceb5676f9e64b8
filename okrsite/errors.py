"""Errors are values: every problem with the content carries where it is.

The core never prints. It raises :class:`ContentError` holding *all* the
problems it found; the CLI and the MkDocs plugin format them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""What a one-line message cannot show (control characters, line and
paragraph separators, lone surrogates): content quoted in a message shows
them as '?'."""


def one_line(message: str) -> str:
    """``message`` as one printable line: content it quotes may hold line
    breaks (a reference may end in one), and every issue is printed as one
    ``file:line:column: message`` line."""
    return UNSHOWABLE.sub("?", message)


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a content file. ``line`` and ``column`` are 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class ContentIssue:
    """One problem in the content, at one place."""

    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {one_line(self.message)}"


class OkrsiteError(Exception):
    """Base class of every error okrsite expects and explains (no traceback)."""


class ContentError(OkrsiteError):
    """The content is invalid. Holds every issue found, sorted by location."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        self.issues = sorted(set(issues))
        count = len(self.issues)
        noun = "error" if count == 1 else "errors"
        lines = [str(issue) for issue in self.issues]
        super().__init__("\n".join([*lines, f"{count} {noun} in the content"]))


class BuildError(OkrsiteError):
    """The site could not be built for a reason other than the content."""


@dataclass(frozen=True, order=True)
class RowIssue(ContentIssue):
    """A problem in a row of a spreadsheet: shown as ``FILE:ROW: message``
    (the header row is 1, as spreadsheets number it)."""

    def __str__(self) -> str:
        return f"{self.location.path}:{self.location.line}: {one_line(self.message)}"
