"""A YAML event stream → plain data with a location for every value and key.

Content is untrusted input, so we never call a PyYAML constructor. We read
the *event stream* (libyaml's C parser when available) and build the data
ourselves in one iterative pass: no recursion (so deep nesting cannot crash
anything; more than ``MAX_DEPTH`` levels is an error anyway), no anchors,
aliases or explicit tags (``!!python/object``, ``!foo``, even ``!!str``).
One pass over events is about twice as fast as "scan events, compose nodes,
walk nodes", and it records a location for every value and key on the way.

Keys must be text; duplicate keys and merge keys (``<<``) are errors confined
to their entry (the entry is left out, the rest of the file still builds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml import events as ev

from okrsite.errors import ContentIssue
from okrsite.source.loaded import MAX_DEPTH, DataPath, Location
from okrsite.source.text import NON_PRINTABLE, issue, short
from okrsite.source.yaml_scalars import MAYBE_TYPED, UNRESOLVED, PlainScalars, describe_non_text

try:  # libyaml is ~5x faster; the pure-Python parser behaves the same here.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class Abort(Exception):
    """Stops the event walk after an issue that makes the rest meaningless."""


_NO_KEY: Any = object()  # a mapping frame waiting for its next key
_BAD_KEY: Any = object()  # the pending key was refused: drop its value


class _Frame:
    """One open mapping or sequence while walking the events."""

    __slots__ = ("container", "is_key", "is_map", "key", "key_path", "path", "record", "start")

    def __init__(
        self,
        container: dict[str, Any] | list[Any],
        path: DataPath,
        record: bool,
        start: Location,
        is_key: bool = False,
    ) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.record = record  # False inside a dropped subtree: no locations, no key checks
        self.start = start
        self.is_key = is_key  # a list or mapping used as a mapping key (refused)
        self.key: Any = _NO_KEY
        self.key_path: DataPath = path  # data path of the accepted pending key


class ParserCrash(yaml.YAMLError):
    """PyYAML's pure-Python scanner raised a non-YAML error (e.g. ValueError
    from chr() on the escape "\\U0011FFFF"): still a content problem."""


_PARSER_CRASHES = (ValueError, OverflowError, UnicodeError)
"""Non-YAML exceptions that only the parser (never our code) turns into ParserCrash."""


def too_deep_message() -> str:
    return f"too deeply nested (more than {MAX_DEPTH} levels)"


def is_parser_depth_limit(exc: yaml.YAMLError) -> bool:
    """The parser's own nesting limit (not a syntax error in the content)."""
    return isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" in (exc.problem or "")


def mark_of(exc: yaml.YAMLError) -> tuple[int, int] | None:
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else (mark.line + 1, mark.column + 1)


def _open_parser(text: str, loader: type) -> Any:
    """A YAML parser over ``text``."""
    try:
        return loader(text)
    except _PARSER_CRASHES as exc:
        raise ParserCrash(str(exc)) from exc


class Builder:
    """Builds plain data from a YAML event stream, recording locations.

    Iterative (an explicit stack), so nesting depth costs no recursion.
    """

    def __init__(self, path: str, scalars: PlainScalars) -> None:
        self.path = path
        self.scalars = scalars
        self.values: dict[DataPath, Location] = {}
        self.keys: dict[DataPath, Location] = {}
        self.issues: list[ContentIssue] = []
        self.fatal = False  # an issue after which no data is returned
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.has_root = False
        self.root_is_empty = False
        self.documents = 0

    def add_issue(self, message: str, where: Location, *, fatal: bool = False) -> None:
        self.issues.append(issue(self.path, message, *where))
        self.fatal = self.fatal or fatal

    def run(self, text: str, loader: type | None = None) -> None:
        """Parse ``text`` into data; lets yaml.YAMLError (syntax) and Abort through."""
        parser = _open_parser(text, loader or _Loader)
        try:
            self.consume(parser.get_event)
        finally:
            parser.dispose()

    def consume(self, get_event: Callable[[], Any]) -> None:
        """Consume every event until ``get_event`` returns None.

        This loop sees every scalar of every file (about 700,000 events for a
        1,000-unit company), so it calls the parser directly rather than
        through ``yaml.parse``'s generator, and handles the common cases
        inline: a text key, a value under an accepted key, a list item, all
        where locations are recorded. Everything else goes through
        :meth:`place`, which handles every case.
        """
        scalar, alias = ev.ScalarEvent, ev.AliasEvent
        mapping_start, sequence_start = ev.MappingStartEvent, ev.SequenceStartEvent
        mapping_end, sequence_end = ev.MappingEndEvent, ev.SequenceEndEvent
        document_start = ev.DocumentStartEvent
        stack, values, keys = self.stack, self.values, self.keys
        no_key, bad_key = _NO_KEY, _BAD_KEY
        maybe_typed, resolve = MAYBE_TYPED, self.scalars.resolve
        resolved, unresolved = self.scalars.known, UNRESOLVED
        crashes = _PARSER_CRASHES
        while True:
            try:
                event = get_event()
            except crashes as exc:
                raise ParserCrash(str(exc)) from exc
            kind = type(event)
            if kind is scalar:
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                text = event.value
                plain = event.implicit[0]
                if event.anchor is not None or event.tag is not None:
                    self.node_properties(event, where)
                    plain = False
                if plain:  # plain style, so never double-quoted
                    if text and text[0] not in maybe_typed:
                        value = text
                    else:  # PlainScalars.resolve, with its table lookup inlined
                        value = resolved.get(text, unresolved)
                        if value is unresolved:
                            value = resolve(text)
                else:
                    value = text
                    if event.style == '"':
                        self.check_escapes(text, where)
                if stack:
                    parent = stack[-1]
                    if parent.record:
                        container = parent.container
                        if not parent.is_map:
                            values[(*parent.path, len(container))] = where
                            container.append(value)  # type: ignore[union-attr]
                            continue
                        key = parent.key
                        if key is no_key:
                            if (
                                type(value) is str
                                and (text != "<<" or not plain)
                                and value not in container
                            ):
                                path = parent.key_path = (*parent.path, value)
                                keys[path] = where
                                parent.key = value
                                continue
                        elif key is not bad_key:
                            parent.key = no_key
                            container[key] = value  # type: ignore[call-overload]
                            values[parent.key_path] = where
                            continue
                self.place(value, where, plain=plain, text=text)
            elif kind is mapping_end or kind is sequence_end:
                frame = stack.pop()
                if frame.is_key:
                    self.close(frame)
            elif kind is mapping_start or kind is sequence_start:
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                if event.anchor is not None or event.tag is not None:
                    self.node_properties(event, where)
                if len(stack) >= MAX_DEPTH:
                    self.add_issue(too_deep_message(), where, fatal=True)
                    raise Abort
                node: dict[str, Any] | list[Any] = {} if kind is mapping_start else []
                if stack:
                    parent = stack[-1]
                    if parent.record:
                        container = parent.container
                        if not parent.is_map:
                            path = (*parent.path, len(container))
                            values[path] = where
                            container.append(node)  # type: ignore[union-attr]
                            stack.append(_Frame(node, path, True, where))
                            continue
                        key = parent.key
                        if key is not no_key and key is not bad_key:
                            parent.key = no_key
                            path = parent.key_path
                            container[key] = node  # type: ignore[call-overload]
                            values[path] = where
                            stack.append(_Frame(node, path, True, where))
                            continue
                self.place(node, where, opening=True)
            elif kind is alias:
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                self.add_issue(
                    f"aliases (*{short(event.anchor)}) are not allowed; write the value out",
                    where,
                    fatal=True,
                )
                self.place(None, where, text="*")
            elif kind is document_start:
                self.documents += 1
                if self.documents > 1:
                    mark = event.start_mark
                    self.add_issue(
                        "a file may hold only one YAML document; remove this '---' "
                        "and what follows, or move it to another file",
                        (mark.line + 1, mark.column + 1),
                        fatal=True,
                    )
                    raise Abort
            elif event is None:
                return

    def check_escapes(self, value: str, where: Location) -> None:
        """Escapes ("\\0", "\\uD800") must not smuggle in what the file may not hold.

        Control characters and lone surrogates would break pages (and UTF-8
        output) far downstream; refuse them here, where we know the place.
        """
        bad = NON_PRINTABLE.search(value)
        if bad:
            code = ord(bad.group())
            self.add_issue(
                f"escaped character U+{code:04X} is not allowed in text; remove it",
                where,
                fatal=True,
            )

    def node_properties(self, event: Any, where: Location) -> None:
        """Anchors and explicit tags are refused (they are how YAML gets unsafe)."""
        if event.anchor is not None:
            self.add_issue(
                f"anchors (&{short(event.anchor)}) are not allowed; write the value out",
                where,
                fatal=True,
            )
        if event.tag is not None:
            tag = short(event.tag.replace("tag:yaml.org,2002:", "!!"), 60)
            self.add_issue(
                f"tags such as '{tag}' are not allowed; remove the tag", where, fatal=True
            )

    def place(
        self,
        value: Any,
        where: Location,
        *,
        opening: bool = False,
        plain: bool = False,
        text: str = "",
    ) -> None:
        """Attach a new node to its parent (or make it the root)."""
        stack = self.stack
        if not stack:
            self.root, self.has_root = value, True
            self.root_is_empty = plain and text == ""
            self.values[()] = where
            if opening:
                stack.append(_Frame(value, (), True, where))
            return
        parent = stack[-1]
        if not parent.is_map:
            path = (*parent.path, len(parent.container))
            parent.container.append(value)  # type: ignore[union-attr]
            if parent.record:
                self.values[path] = where
            if opening:
                stack.append(_Frame(value, path, parent.record, where))
            return
        if parent.key is _NO_KEY:  # this node is the key of the next entry
            if opening:  # a list or mapping as key: built aside, refused when it ends
                stack.append(_Frame(value, parent.path, False, where, is_key=True))
            else:
                parent.key = self.check_key(parent, value, where, plain, text)
            return
        key, parent.key = parent.key, _NO_KEY
        keep = parent.record and key is not _BAD_KEY
        path = parent.key_path if keep else parent.path  # set by check_key
        if keep:
            parent.container[key] = value  # type: ignore[call-overload]
            self.values[path] = where
        if opening:
            stack.append(_Frame(value, path, keep, where))

    def close(self, frame: _Frame) -> None:
        """A mapping or sequence ended; one used as a key is refused now."""
        if frame.is_key:
            parent = self.stack[-1]
            if parent.record:
                self.add_issue("a key must be plain text, not a list or mapping", frame.start)
            parent.key = _BAD_KEY

    def check_key(self, parent: _Frame, value: Any, where: Location, plain: bool, text: str) -> Any:
        """Validate a scalar key; returns the key or ``_BAD_KEY``."""
        if not parent.record:
            return value if isinstance(value, str) else _BAD_KEY
        if plain and text == "<<":
            self.add_issue("merge keys ('<<') are not allowed; write the keys out", where)
            return _BAD_KEY
        if not isinstance(value, str):
            if text == "*":
                return _BAD_KEY  # an alias as key: already reported
            if plain and text == "":
                message = "missing key before ':'"
            else:
                message = (
                    f"key '{short(text)}' is {describe_non_text(value)}, not text; "
                    "put it in quotes if it is meant as text"
                )
            self.add_issue(message, where)
            return _BAD_KEY
        path = (*parent.path, value)
        if value in parent.container:
            first = self.keys[path][0]
            self.add_issue(f"duplicate key '{short(value)}' (first defined on line {first})", where)
            return _BAD_KEY
        self.keys[path] = where
        parent.key_path = path
        return value
