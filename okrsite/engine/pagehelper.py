"""A helper process that takes page work off the build's busy thread.

A build has one busy thread; the second core of the machines we build on
idles while MkDocs converts and renders pages. Two per-page jobs need nothing
but text and return plain data, so :class:`PageHelper` runs them in
``python -m okrsite.engine.pagehelper`` (a new interpreter, never a fork),
started once the docs tree is built:

- **converting** a generated page's Markdown with :mod:`okrsite.engine.mdsubset`
  up to its links (``convert_unresolved``): sent as the plugin registers the
  page, answered in order; the build resolves the links with MkDocs' own
  resolver when MkDocs renders the page (``resolve_links``). A reply that is
  missing (the helper died) only means the build converts that page itself;
- **search sections** (:mod:`okrsite.engine.searchworker`): sent as pages are
  built, answered all at once at the end.

Requests go through a writer thread (:class:`~okrsite.engine.writer.PageWriter`),
so a busy helper never blocks the build; replies are pickles on the helper's
stdout, read when the build needs them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from typing import Any

from okrsite.engine.mdresult import Converted, TocSettings
from okrsite.engine.writer import PageWriter
from okrsite.processes import Interpreters, started_by

MODULE = "okrsite.engine.pagehelper"
"""This module's name, also when it runs as ``__main__`` (the helper)."""

MIN_PAGES = 300
"""Fewer generated pages than this: no helper (starting an interpreter
costs ~0.3 s of the second core)."""

TIMEOUT = 600.0
"""Seconds to wait for the helper's search sections after the last page."""

MISSING = object()
"""No reply for a page (the helper is gone): the build converts it itself."""


class HelperError(Exception):
    """The helper process did not deliver every page's search sections."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class PageHelper:
    """The helper process of one build."""

    def __init__(
        self,
        toc: TocSettings | None = None,
        block_tags: frozenset[str] = frozenset(),
        interpreters: Interpreters | None = None,
    ):
        self._process = started_by(interpreters, MODULE)
        self._sender = PageWriter()
        self._replies: dict[int, Any] = {}
        self._asked = 0
        self._received = 0
        self._reading = True
        self._done = False
        self.indexed = 0
        """Pages sent for search sections."""
        self.converts = False
        """Whether pages can be sent for conversion (the settings pickled)."""
        if toc is not None:
            try:
                self._send(("setup", toc, block_tags))
                self.converts = True
            except (pickle.PicklingError, AttributeError, TypeError):
                pass  # a slugify function that does not pickle: convert here

    @classmethod
    def start(
        cls, fast: Any, pages: int, interpreters: Interpreters | None = None
    ) -> PageHelper | None:
        """A helper for a build of ``pages`` generated pages, when it pays
        (two usable cores, at least :data:`MIN_PAGES` pages); ``fast`` is the
        fast path's ``FastPathSetup`` (its ``toc``, ``block_tags``), without
        which it only makes search sections; ``interpreters``: where its
        interpreter may already be waiting."""
        if pages < MIN_PAGES or usable_cores() < 2:
            return None
        try:
            if fast is None:
                return cls(interpreters=interpreters)
            return cls(fast.toc, fast.block_tags, interpreters)
        except OSError:  # no interpreter to start: everything here
            return None

    def _send(self, message: object) -> None:
        self._sender.call(self._write, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, data: bytes) -> None:
        """On the sender thread: the whole message, flushed (the helper waits for it)."""
        assert self._process.stdin is not None
        self._process.stdin.write(data)
        self._process.stdin.flush()

    # -- conversion --------------------------------------------------------

    def convert(self, markdown: str) -> int | None:
        """Ask for a page's conversion; returns its number for :meth:`converted`
        (None: this helper does not convert)."""
        if not self.converts:
            return None
        number = self._asked
        self._asked += 1
        self._send(("convert", number, markdown))
        return number

    def converted(self, number: int) -> tuple[Converted, list[str]] | object | None:
        """``convert_unresolved``'s answer for page ``number`` (None: the page
        leaves the subset), or :data:`MISSING`."""
        while number not in self._replies and self._reading and self._received < self._asked:
            self._read_reply()
        return self._replies.pop(number, MISSING)

    def end_conversions(self) -> None:
        """Read (and drop) the replies nobody asked for, so the helper's
        output pipe never stalls it while it makes search sections."""
        while self._reading and self._received < self._asked:
            self._read_reply()
        self._replies.clear()

    def _read_reply(self) -> None:
        assert self._process.stdout is not None
        try:
            _, number, result = pickle.load(self._process.stdout)
        except Exception:
            self._reading = False
            return
        self._received += 1
        self._replies[number] = result

    # -- search sections ---------------------------------------------------

    def make_entries(self, config: dict[str, Any]) -> bool:
        """Have the helper make search entries (Material's ``SearchIndex`` with
        ``config``) for pages indexed with a view; False if ``config`` does
        not pickle (then it only makes sections)."""
        try:
            self._send(("search", config))
        except (pickle.PicklingError, AttributeError, TypeError):
            return False
        return True

    def index(self, html: str, fallback: str | None, view: object = None) -> bool:
        """Ask for a page's search sections from ``html`` (Material's parser
        on ``fallback``, if given, where the fast feed refuses ``html``), or,
        with ``view`` (``searchworker.EntryView``), for its entries made from
        them. False when ``view`` does not pickle: sections were asked for."""
        self.indexed += 1
        try:
            self._send(("index", html, fallback, view))
        except (pickle.PicklingError, AttributeError, TypeError):
            self._send(("index", html, fallback, None))
            return False
        return True

    def sections(self) -> list[list[Any]]:
        """Every indexed page's sections (or entries, see :meth:`index`), in
        order; ends the helper."""
        self._done = True
        self.end_conversions()
        try:
            self._send(None)
            assert self._process.stdin is not None
            self._sender.call(self._process.stdin.close)
            self._sender.finish()
        except OSError:
            pass  # the helper is gone: reported below with its stderr
        with contextlib.suppress(OSError):  # closed by the sender unless it failed
            assert self._process.stdin is not None
            self._process.stdin.close()
        self._process.stdin = None  # communicate() must not flush it again
        try:
            output, errors = self._process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            output, errors = self._process.communicate()
        if self._process.returncode == 0:
            try:
                results: list[list[Any]] = pickle.loads(output)
            except Exception:
                results = []
            if len(results) == self.indexed:
                return results
        detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise HelperError(
            f"the page helper process failed (exit {self._process.returncode}): {detail[0]}"
        )

    def close(self) -> None:
        """End the helper without its search sections (none asked, or the build failed)."""
        if self._done:
            return
        self._done = True
        if self._process.poll() is None:
            self._process.kill()  # first: a write blocked on a full pipe then fails
        self._sender.abandon()
        with contextlib.suppress(OSError):
            self._process.communicate()


def _serve() -> None:
    """The helper: answer ``convert`` requests at once, collect ``index``
    requests' sections, write them all after the closing ``None``."""
    from material.plugins.search.plugin import Parser, SearchIndex

    from okrsite.engine.mdsubset import convert_unresolved
    from okrsite.engine.searchfeed import TagMemo, make_entries, page_sections

    source, out = sys.stdin.buffer, sys.stdout.buffer
    toc: Any = None
    block_tags: frozenset[str] = frozenset()
    index: Any = None
    sections: list[list[Any]] = []
    tags: TagMemo = {}  # the tags read so far, for the helper's life
    while True:
        message = pickle.load(source)
        if message is None:
            break
        if message[0] == "setup":
            _, toc, block_tags = message
        elif message[0] == "search":
            index = SearchIndex(**message[1])
        elif message[0] == "convert":
            result = convert_unresolved(message[2], toc, block_tags)
            out.write(pickle.dumps(("converted", message[1], result), pickle.HIGHEST_PROTOCOL))
            out.flush()
        else:
            _, html, fallback, view = message
            found = page_sections(html, tags)
            if found is None:  # as Material's add_entry_from_context indexes page.content
                parser = Parser()
                parser.feed(html if fallback is None else fallback)
                parser.close()
                found = parser.data
            # Entries (plain dicts) when asked for: made here, not by the build.
            sections.append(found if view is None else make_entries(index, found, view))
    out.write(pickle.dumps(sections, protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()


if __name__ == "__main__":
    _serve()
