"""Files → plain data with source locations (the strict loader).

This is the only place that reads content files. It turns each file into
plain Python data (dicts, lists, str, int, float, bool, None, dates) plus a
map from every data path to its ``(line, column)``, so that ``validate.py``
can report ``content/2026-Q1/sales.yaml:12:5: …`` for any problem it finds.

Content is untrusted input, so the YAML dialect is deliberately small:

* **Safe and tag-free.** We never call a PyYAML constructor. We read the
  *event stream* (libyaml's C parser when available) and build the data
  ourselves in one iterative pass: no recursion (so deep nesting cannot crash
  anything; more than ``MAX_DEPTH`` levels is an error anyway), no anchors,
  aliases or explicit tags (``!!python/object``, ``!foo``, even ``!!str``).
  One pass over events is about twice as fast as "scan events, compose nodes,
  walk nodes", and it records a location for every value and key on the way.
* **YAML 1.2-like scalars.** Only ``true``/``false`` (three spellings) are
  booleans: ``yes``/``no``/``on``/``off`` stay text (Norway stays ``NO``).
  ``null``/``~``/empty are ``None``. Integers are decimal without leading
  zeros, ``0o`` octal or ``0x`` hex; ``0777`` and sexagesimal ``1:20`` stay
  text. Floats include ``.inf``/``.nan`` (the model rejects those with a
  location). ``YYYY-MM-DD`` is a :class:`datetime.date`; with a time it is a
  :class:`datetime.datetime` (which the model rejects as "not a date"); an
  impossible date such as ``2026-02-30`` stays text. Quoted scalars are
  always text.
* **Keys** must be text; duplicate keys and merge keys (``<<``) are errors.
* **Files**: at most 1 MiB, UTF-8 without byte-order mark, no control
  characters, exactly one YAML document whose top level is a mapping.

Nothing here raises for a content problem and nothing prints: every problem
becomes a :class:`~okrsite.errors.ContentIssue`, so the user sees all of them
at once. Callers turn a non-empty issue list into a failed build (the only
exception raised here is for a content directory that does not exist).

``parse_yaml`` returns ``(None, issues)`` when a file cannot be read as data
at all (syntax, encoding, tags…). For problems confined to one mapping entry
(a duplicate, non-text or merge key) it returns the data *and* the issues:
the entry is left out (for a duplicate, the first value is kept) so the
validator can still report the rest of the file in the same run.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import marshal
import os
import pickle
import re
import signal
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import yaml
from yaml import events as ev

from okrsite.errors import ContentError, ContentIssue, SourceLocation

log = logging.getLogger(__name__)

try:  # libyaml is ~5x faster; the pure-Python parser behaves the same here.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 1024 * 1024
"""Larger files are refused unread: no OKR file needs a megabyte."""
MAX_DEPTH = 32
"""Deepest allowed nesting of mappings and lists (real files need about 6)."""
UNIT_SUFFIXES = (".yaml", ".yml", ".md")
REQUIRED_FILES = ("company.yaml", "org.yaml")

DataPath = tuple[str | int, ...]
Location = tuple[int, int]

BOM_MESSAGE = "file starts with a byte-order mark; save it as UTF-8 without BOM"
_BOMS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff")
# What YAML (and libyaml) refuse to read; checked up front for a clear message.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# Characters we never echo back in a message (control, line breaks, surrogates).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# YAML's line breaks: PyYAML and libyaml count lines by these.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


# --------------------------------------------------------------------------
# Results


@dataclass
class LoadedFile:
    """One content file as plain data, with where every value and key is."""

    path: str
    """Display path: relative to the content directory's parent, '/'-separated."""
    data: Any
    value_locations: dict[DataPath, Location] = field(default_factory=dict)
    """Data path → 1-based (line, column) of the value; ``()`` is the root."""
    key_locations: dict[DataPath, Location] = field(default_factory=dict)
    """Data path of a mapping entry → 1-based (line, column) of its key."""
    body: str = ""
    """Markdown after the front matter of a ``.md`` unit file, else ``""``."""

    def location(self, path: tuple[str | int, ...], *, key: bool = False) -> SourceLocation:
        """The location of ``path``, or of its nearest known ancestor.

        Validation errors often name paths that do not exist in the file (a
        missing required field): those point at the enclosing mapping. With
        ``key=True`` an existing entry points at its key (for "unknown key").
        """
        path = tuple(path)
        if key and path in self.key_locations:
            line, column = self.key_locations[path]
            return SourceLocation(self.path, line, column)
        for end in range(len(path), -1, -1):
            found = self.value_locations.get(path[:end])
            if found is not None:
                return SourceLocation(self.path, found[0], found[1])
        return SourceLocation(self.path, 1, 1)


@dataclass
class RawContent:
    """Everything in a content directory, loaded but not yet validated."""

    root: Path
    company: LoadedFile | None
    """``content/company.yaml`` (None if missing or unreadable: see issues)."""
    org: LoadedFile | None
    """``content/org.yaml`` (None if missing or unreadable: see issues)."""
    cycle_files: dict[str, dict[str, LoadedFile]]
    """Cycle folder name → unit id (file stem) → file, both sorted by name."""
    issues: list[ContentIssue]
    """Every problem found while loading, sorted by location."""


# --------------------------------------------------------------------------
# Scalars (YAML 1.2-like core schema)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_FLOATS = {
    **{
        f"{sign}.{word}": float(f"{sign or '+'}inf")
        for sign in ("", "+", "-")
        for word in ("inf", "Inf", "INF")
    },
    **{f".{word}": float("nan") for word in ("nan", "NaN", "NAN")},
}
# Leading zeros are refused (``0777`` stays text: YAML 1.1 read it as octal).
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?"
    r"(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?\Z"
)
# A plain scalar starting with anything else is text; skips the regexes.
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")


_RESOLVED: dict[str, Any] = {}
"""Text → value of the plain scalars that may be typed (``0.7``, ``2026-01-19``).

Such values repeat a lot (confidences, check-in dates, nulls, ``title``
keys), so each distinct text is resolved once. Every value is immutable.
"""
_RESOLVED_LIMIT = 20_000
_UNRESOLVED: Any = object()


def _resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar, YAML 1.2-style (see module doc)."""
    if text and text[0] not in _MAYBE_TYPED:
        return text
    found = _RESOLVED.get(text, _UNRESOLVED)
    if found is _UNRESOLVED:
        found = _resolve_typed(text)
        if len(text) <= 40:  # dates and numbers, not long text that starts with one
            if len(_RESOLVED) >= _RESOLVED_LIMIT:
                _RESOLVED.clear()
            _RESOLVED[text] = found
    return found


def _resolve_typed(text: str) -> Any:
    """:func:`_resolve_plain` for text that may be typed (not cached)."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    try:
        if _INT_RE.match(text):
            return int(text)
        if _OCT_RE.match(text):
            return int(text[2:], 8)
        if _HEX_RE.match(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts: leave it as text
        return text
    if _FLOAT_RE.match(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1].isdigit():
        return _resolve_date(text)
    return text


def _resolve_date(text: str) -> Any:
    """A date or a date-time; text if it only looks like one (2026-02-30)."""
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _DATETIME_RE.match(text)
        if not match:
            return text
        fraction = int((match[7] or "0")[:6].ljust(6, "0"))
        tzinfo = None
        if match[8] == "Z":
            tzinfo = dt.UTC
        elif match[8]:
            offset = dt.timedelta(hours=int(match[10]), minutes=int(match[11] or 0))
            tzinfo = dt.timezone(-offset if match[9] == "-" else offset)
        return dt.datetime(
            int(match[1]),
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            int(match[6]),
            fraction,
            tzinfo,
        )
    except ValueError:
        return text


def _describe_non_text(value: Any) -> str:
    """How a resolved non-text key reads in a message ('a number'…)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    return "not text"  # pragma: no cover - every resolved type is listed above


# --------------------------------------------------------------------------
# Text positions


def _line_col(text: str, index: int) -> Location:
    """1-based (line, column) of ``text[index]``, counting lines like YAML."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = match.end()
    return line, index - line_start + 1


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based (line, column) from a PyYAML mark, or ''."""
    lines = _LINE_BREAK.split(text)
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _short(text: str, limit: int = 40) -> str:
    """Content quoted in a message, cut to keep messages one line."""
    text = _UNSHOWABLE.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _issue(path: str, message: str, line: int = 1, column: int = 1) -> ContentIssue:
    return ContentIssue(SourceLocation(path, line, column), message)


def _decode(raw: bytes, path: str) -> tuple[str | None, list[ContentIssue]]:
    """UTF-8 text of a file, or the issue that stops us reading it."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [_issue(path, f"file is too large ({len(raw)} bytes; the limit is 1 MiB)")]
    if raw.startswith(_BOMS):
        return None, [_issue(path, BOM_MESSAGE)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_col(prefix + "?", len(prefix))
        message = f"invalid UTF-8 (byte 0x{raw[exc.start]:02X}); save the file as UTF-8"
        return None, [_issue(path, message, line, column)]
    return text, []


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _check_text(text: str, path: str) -> list[ContentIssue]:
    """Problems with decoded text that must stop parsing (BOM, size, control chars)."""
    if text.startswith("\ufeff"):
        return [_issue(path, BOM_MESSAGE)]
    if len(text) > MAX_FILE_BYTES // 4 and _utf8_size(text) > MAX_FILE_BYTES:
        return [_issue(path, "file is too large (the limit is 1 MiB)")]
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line, column = _line_col(text, bad.start())
        code = ord(bad.group())
        return [
            _issue(path, f"character U+{code:04X} is not allowed here; remove it", line, column)
        ]
    return []


# --------------------------------------------------------------------------
# Syntax errors → one short human message


def _printable(text: str) -> str:
    """Keep PyYAML's wording but no escapes or control characters."""
    return re.sub(r"[^\x20-\x7e]", "?", text)


def _syntax_issue(exc: yaml.YAMLError, text: str, path: str) -> ContentIssue:
    """A PyYAML error as a ContentIssue at its problem mark, in plain words."""
    if not isinstance(exc, yaml.MarkedYAMLError) or not exc.problem:
        return _issue(path, "invalid YAML: the file could not be parsed (check quotes and escapes)")
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or "invalid YAML")
    context = str(getattr(exc, "context", None) or "")
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    started = f" (it started on line {context_mark.line + 1})" if context_mark else ""
    context_line = f", line {context_mark.line + 1}" if context_mark else ""

    if "cannot start any token" in problem or "tab character" in problem:
        char = _char_at(text, line, column)
        before = _LINE_BREAK.split(text)[line][:column] if char else ""
        if char == "\t" and not before.strip(" \t-?:"):
            message = "tab used for indentation; indent with spaces"
        elif char == "\t" or "tab character" in problem:
            message = "a tab cannot start a value here; use spaces"
        elif char:
            message = f"'{char}' cannot start a plain value; put the value in quotes"
        else:
            message = "unexpected character; put the value in quotes"
    elif "mapping values are not allowed" in problem:
        message = (
            "unexpected ':'; put a value that contains ': ' in quotes, "
            "and check the indentation of the lines above"
        )
    elif "could not find expected ':'" in problem:
        message = f"expected ':' after a key{started}; put multi-line text in quotes"
    elif "unexpected end of stream" in problem and "quoted" in context and context_mark:
        line, column = context_mark.line, context_mark.column
        message = "unclosed quote: this quoted text never ends"
    elif _char_at(text, line, column) in ("]", "}") and "block" in context:
        char = _char_at(text, line, column)
        message = f"unexpected '{char}' without a matching opening bracket"
    elif "block mapping" in context:
        message = f"bad indentation: this line does not line up with the mapping{started}"
    elif "block collection" in context or "'-' indicator" in problem:
        message = f"bad indentation: expected a '- ' list item here{started}"
    elif "flow sequence" in context:
        message = f"expected ',' or ']' in the list in brackets{started}"
    elif "flow mapping" in context:
        message = f"expected ',' or '}}' in the mapping in braces{started}"
    elif "Unicode character escape" in problem or ("hex" in problem and "quoted" in context):
        message = "invalid escape in double-quoted text: \\u and \\x need a valid character code"
    elif "escape character" in problem:
        message = (
            "unknown escape sequence in double-quoted text; use single quotes, "
            "or write a backslash as \\\\"
        )
    else:
        cleaned = _printable(re.sub(r"'?<([a-z ]+)>'?", r"\1", problem))[:120]
        message = f"invalid YAML: {cleaned}"
        if context:
            message += f" ({_printable(context)[:80]}{context_line})"
    return _issue(path, message, line + 1, column + 1)


# --------------------------------------------------------------------------
# Events → data


class _Abort(Exception):
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


class _ParserCrash(yaml.YAMLError):
    """PyYAML's pure-Python scanner raised a non-YAML error (e.g. ValueError
    from chr() on the escape "\\U0011FFFF"): still a content problem."""


_PARSER_CRASHES = (ValueError, OverflowError, UnicodeError)
"""Non-YAML exceptions that only the parser (never our code) turns into _ParserCrash."""


def _too_deep_message() -> str:
    return f"too deeply nested (more than {MAX_DEPTH} levels)"


def _is_parser_depth_limit(exc: yaml.YAMLError) -> bool:
    """The parser's own nesting limit (not a syntax error in the content)."""
    return isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" in (exc.problem or "")


def _mark_of(exc: yaml.YAMLError) -> tuple[int, int] | None:
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else (mark.line + 1, mark.column + 1)


def _open_parser(text: str, loader: type) -> Any:
    """A YAML parser over ``text``."""
    try:
        return loader(text)
    except _PARSER_CRASHES as exc:
        raise _ParserCrash(str(exc)) from exc


class _Builder:
    """Builds plain data from a YAML event stream, recording locations.

    Iterative (an explicit stack), so nesting depth costs no recursion.
    """

    def __init__(self, path: str) -> None:
        self.path = path
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
        self.issues.append(_issue(self.path, message, *where))
        self.fatal = self.fatal or fatal

    def run(self, text: str, loader: type | None = None) -> None:
        """Parse ``text`` into data; lets yaml.YAMLError (syntax) and _Abort through."""
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
        maybe_typed, resolve = _MAYBE_TYPED, _resolve_plain
        resolved, unresolved = _RESOLVED, _UNRESOLVED
        crashes = _PARSER_CRASHES
        while True:
            try:
                event = get_event()
            except crashes as exc:
                raise _ParserCrash(str(exc)) from exc
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
                    else:  # _resolve_plain, with its cache lookup inlined
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
                    self.add_issue(_too_deep_message(), where, fatal=True)
                    raise _Abort
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
                    f"aliases (*{_short(event.anchor)}) are not allowed; write the value out",
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
                    raise _Abort
            elif event is None:
                return

    def check_escapes(self, value: str, where: Location) -> None:
        """Escapes ("\\0", "\\uD800") must not smuggle in what the file may not hold.

        Control characters and lone surrogates would break pages (and UTF-8
        output) far downstream; refuse them here, where we know the place.
        """
        bad = _NON_PRINTABLE.search(value)
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
                f"anchors (&{_short(event.anchor)}) are not allowed; write the value out",
                where,
                fatal=True,
            )
        if event.tag is not None:
            tag = _short(event.tag.replace("tag:yaml.org,2002:", "!!"), 60)
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
                    f"key '{_short(text)}' is {_describe_non_text(value)}, not text; "
                    "put it in quotes if it is meant as text"
                )
            self.add_issue(message, where)
            return _BAD_KEY
        path = (*parent.path, value)
        if value in parent.container:
            first = self.keys[path][0]
            self.add_issue(
                f"duplicate key '{_short(value)}' (first defined on line {first})", where
            )
            return _BAD_KEY
        self.keys[path] = where
        parent.key_path = path
        return value


# --------------------------------------------------------------------------
# One file


def _parse_text(
    text: str, path: str, *, empty_message: str = "file is empty", body: str = ""
) -> tuple[LoadedFile | None, list[ContentIssue]]:
    """Parse checked text (see :func:`parse_yaml`)."""
    builder = _Builder(path)
    try:
        builder.run(text)
    except _Abort:
        return None, builder.issues
    except yaml.YAMLError as exc:
        if not _is_parser_depth_limit(exc):
            return None, [*builder.issues, _syntax_issue(exc, text, path)]
        # Some libyaml releases (PyYAML 6.0.4) stop deep flow nesting in the
        # scanner, which reads ahead of the events our own depth check sees.
        # Nesting that deep is over MAX_DEPTH anyway: parse again with the
        # pure-Python parser, which yields events lazily, so the refusal
        # carries our message at the place where level MAX_DEPTH + 1 opens.
        builder = _Builder(path)
        try:
            builder.run(text, yaml.SafeLoader)
        except _Abort:
            return None, builder.issues
        except yaml.YAMLError as again:
            where = _mark_of(again) or _mark_of(exc) or (1, 1)
            return None, [_issue(path, _too_deep_message(), *where)]
    if builder.fatal:
        return None, builder.issues
    if not builder.has_root or builder.root_is_empty:
        return None, [_issue(path, empty_message)]
    if not isinstance(builder.root, dict):
        what = "a list" if isinstance(builder.root, list) else "a single value"
        line, column = builder.values[()]
        message = f"the file must be a mapping of keys to values (like 'name: …'), not {what}"
        return None, [_issue(path, message, line, column)]
    loaded = LoadedFile(path, builder.root, builder.values, builder.keys, body)
    return loaded, builder.issues


def parse_yaml(
    text_or_bytes: str | bytes, path: str
) -> tuple[LoadedFile | None, list[ContentIssue]]:
    """One YAML file → (data with locations, issues); never raises for bad input.

    ``path`` is only used in locations. Also used by ``okrsite diff`` on git
    blobs, hence bytes or text. The file is None when it cannot be used at
    all; entry-level issues (duplicate/non-text/merge keys) come with data.
    """
    if isinstance(text_or_bytes, bytes):
        text, issues = _decode(text_or_bytes, path)
        if text is None:
            return None, issues
    else:
        text = text_or_bytes
    issues = _check_text(text, path)
    if issues:
        return None, issues
    return _parse_text(text, path)


_FRONT_MATTER_HELP = (
    "a .md unit file must start with YAML front matter: a line '---', "
    "the YAML, then another line '---'"
)


def parse_unit_file(raw: bytes, path: str) -> tuple[LoadedFile | None, list[ContentIssue]]:
    """A unit file → data: ``.md`` files by their front matter, others as YAML.

    The front matter is parsed with its opening ``---`` line replaced by an
    empty line, so every line number reported is the real line in the file.
    """
    if PurePosixPath(path).suffix.lower() != ".md":
        return parse_yaml(raw, path)
    text, issues = _decode(raw, path)
    if text is None:
        return None, issues
    issues = _check_text(text, path)
    if issues:
        return None, issues
    first_end = text.find("\n")
    if text[: first_end if first_end >= 0 else len(text)].rstrip(" \t\r") != "---":
        return None, [_issue(path, _FRONT_MATTER_HELP)]
    position = first_end + 1
    while position < len(text):
        line_end = text.find("\n", position)
        next_position = len(text) if line_end < 0 else line_end + 1
        if text[position:next_position].rstrip(" \t\r\n") == "---":
            front_matter = "\n" + text[first_end + 1 : position]
            return _parse_text(
                front_matter, path, empty_message="front matter is empty", body=text[next_position:]
            )
        position = next_position
    return None, [_issue(path, "front matter is not closed: add a line '---' after the YAML")]


# --------------------------------------------------------------------------
# The content directory


class Walk:
    """State of one :func:`load_content` run (display paths, issues, reading).

    This one walks a directory on disk; ``gitsource.GitWalk`` overrides
    :meth:`entries`, :meth:`kind` and :meth:`read_bytes` to walk a git tree,
    so both share every per-file rule (:meth:`cycle`, :func:`load_walk`).
    An entry is anything with ``name`` and ``path`` attributes.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()
        name = Path(os.path.abspath(root)).name
        self.prefix = f"{name}/" if name else ""
        self.issues: list[ContentIssue] = []

    def display(self, *parts: str) -> str:
        return self.prefix + "/".join(parts)

    def problem(self, display: str, message: str) -> None:
        self.issues.append(_issue(display, message))

    def entries(self, directory: str) -> list[Any]:
        """Directory entries sorted by name, hidden ones ('.x') left out."""
        try:
            with os.scandir(directory) as scan:
                return sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            self.problem(self.display(), f"cannot read folder ({exc.strerror or exc})")
            return []

    def kind(self, entry: Any, display: str) -> str | None:
        """'file' or 'dir' for an entry that is safe to use, else None (issue recorded).

        Symbolic links are followed only within the content directory, so a
        pull request cannot publish /etc/passwd through a link.
        """
        try:
            if entry.is_symlink():
                try:
                    target = Path(entry.path).resolve(strict=True)
                except (OSError, RuntimeError):
                    self.problem(display, "broken symbolic link (its target does not exist)")
                    return None
                if not target.is_relative_to(self.real_root):
                    self.problem(display, "symbolic link points outside the content directory")
                    return None
            mode = os.stat(entry.path).st_mode
        except OSError as exc:
            self.problem(display, f"cannot read ({exc.strerror or exc})")
            return None
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISREG(mode):
            return "file"
        self.problem(display, "not a regular file")
        return None

    def read_bytes(self, file_path: str, display: str) -> bytes | None:
        """The bytes of one file, or None (issue recorded); size checked first."""
        try:
            with open(file_path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    self.problem(display, f"file is too large ({size} bytes; the limit is 1 MiB)")
                    return None
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.problem(display, f"cannot read file ({exc.strerror or exc})")
            return None
        return raw

    def read(
        self,
        file_path: str,
        display: str,
        parse: Callable[[bytes, str], tuple[LoadedFile | None, list[ContentIssue]]],
    ) -> LoadedFile | None:
        """Read and parse one file (once; unchanged bytes are parsed once per process)."""
        raw = self.read_bytes(file_path, display)
        if raw is None:
            return None
        loaded, issues = _memo_parse(parse, raw, display)
        self.issues.extend(issues)
        return loaded

    def cycle(self, entry: Any) -> dict[str, LoadedFile]:
        """Every unit file of one cycle folder, by unit id."""
        files: dict[str, LoadedFile] = {}
        seen: dict[str, str] = {}  # unit id -> first file name
        todo: list[tuple[str, bytes, str]] = []  # unit id, bytes, display path
        for item in self.entries(entry.path):
            display = self.display(entry.name, item.name)
            kind = self.kind(item, display)
            if kind is None:
                continue
            if kind == "dir":
                self.problem(
                    display,
                    f"unexpected folder inside cycle folder '{entry.name}': "
                    "unit files go directly in the cycle folder",
                )
                continue
            stem, suffix = os.path.splitext(item.name)
            if suffix not in UNIT_SUFFIXES or not stem:
                self.problem(display, "not a unit file: expected <unit>.yaml or <unit>.md")
                continue
            if stem in seen:
                self.problem(
                    display,
                    f"unit '{stem}' already has a file in this cycle ({seen[stem]}); keep only one",
                )
                continue
            seen[stem] = item.name
            raw = self.read_bytes(item.path, display)
            if raw is not None:
                todo.append((stem, raw, display))
        # Parsed together, so that a large cycle can use two processes.
        results = _memo_parse_many(parse_unit_file, [(raw, shown) for _, raw, shown in todo])
        for (stem, _, _), (loaded, issues) in zip(todo, results, strict=True):
            self.issues.extend(issues)
            if loaded is not None:
                files[stem] = loaded
        return files


_ParseResult = tuple["LoadedFile | None", list[ContentIssue]]
_PARSE_MEMO: dict[tuple[str, str, bytes], _ParseResult] = {}
_PARSE_MEMO_LIMIT = 50_000
# Emptied at exit, before interpreter shutdown runs its garbage collections
# (which would otherwise walk every remembered file, slowly).
atexit.register(_PARSE_MEMO.clear)


def forget_parsed() -> None:
    """Drop remembered parse results (a one-shot build needs the memory more)."""
    _PARSE_MEMO.clear()


def _memo_parse(
    parse: Callable[[bytes, str], _ParseResult], raw: bytes, display: str
) -> _ParseResult:
    """``parse(raw, display)``, remembered by the file's path and content hash.

    ``mkdocs serve`` rebuilds in the same process after every edit; with
    thousands of unit files, re-parsing the unchanged ones would dominate the
    rebuild. The key is the content itself (sha256), so a hit is always the
    same answer; results are treated as read-only downstream.
    """
    return _memo_parse_many(parse, [(raw, display)])[0]


def _memo_parse_many(
    parse: Callable[[bytes, str], _ParseResult], jobs: list[tuple[bytes, str]]
) -> list[_ParseResult]:
    """:func:`_memo_parse` for each ``(raw, display)`` job, in order."""
    keys = [(display, parse.__name__, hashlib.sha256(raw).digest()) for raw, display in jobs]
    found = [_PARSE_MEMO.get(key) for key in keys]
    new = [i for i, result in enumerate(found) if result is None]
    parsed = _parse_all(parse, [jobs[i] for i in new])
    for i, result in zip(new, parsed, strict=True):
        if len(_PARSE_MEMO) >= _PARSE_MEMO_LIMIT:
            _PARSE_MEMO.clear()
        found[i] = _PARSE_MEMO[keys[i]] = result
    return [(result[0], list(result[1])) for result in found if result is not None]


# --------------------------------------------------------------------------
# Many files at once: two processes when it pays

_FORK_MIN_FILES = 200
"""Fewer new files than this are parsed in this process: a fork would not pay."""
_CHILD_SHARE = 0.44
"""Share of the files the forked process parses; it also encodes its results,
and this process decodes them, so it takes a little less than half."""


def _parse_all(
    parse: Callable[[bytes, str], _ParseResult], jobs: list[tuple[bytes, str]]
) -> list[_ParseResult]:
    """``parse`` of every job, in order; in two processes when that pays.

    Parsing is pure and CPU-bound (a 1,000-unit company: 1,000 files, about
    a second). A forked child parses the first part while this process
    parses the rest, then sends its results back: the data and issues
    pickled, the locations marshalled (most of the volume, and marshal is
    several times faster for tuples). The results are equal to a serial run's.

    Only on Linux, with one running thread (forking a multi-threaded
    process, e.g. under ``mkdocs serve``, is unsafe), for enough files, and
    with a CPU to spare (:func:`_fork_pays`). If the child fails in any way,
    its part is parsed here: same results, only slower.
    """
    if not _fork_pays(len(jobs)):
        return [parse(raw, display) for raw, display in jobs]
    split = int(len(jobs) * _CHILD_SHARE)
    theirs = None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse the first part, send it, and vanish
        status = 1
        try:
            os.close(read_end)
            with open(write_end, "wb") as pipe:
                _send([parse(raw, display) for raw, display in jobs[:split]], pipe)
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flushing the parent's buffers
    os.close(write_end)
    with open(read_end, "rb") as pipe:
        try:
            mine = [parse(raw, display) for raw, display in jobs[split:]]
            blob = pipe.read()
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            raise
        finally:
            try:
                status = os.waitpid(pid, 0)[1]
            except ChildProcessError:  # reaped by someone else: trust nothing it sent
                status = -1
    if status == 0:
        theirs = _received(blob)
    if theirs is None or len(theirs) != split:
        log.debug("parsing in a second process failed (status %s); parsing here", status)
        theirs = [parse(raw, display) for raw, display in jobs[:split]]
    for i, (raw, display) in enumerate(jobs[:split]):
        if _MAY_HOLD_NAN.search(raw):  # keep NaN the one shared object (nan != nan)
            theirs[i] = parse(raw, display)
    return theirs + mine


_MAY_HOLD_NAN = re.compile(rb"\.(?:nan|NaN|NAN)")


def _fork_pays(count: int) -> bool:
    """Whether parsing ``count`` files in two processes is safe and worth it.

    Worth it only with a CPU to spare: when every CPU is already busy, the
    child's encoding and this process's decoding are pure overhead (measured
    on two CPUs: 0.2 s faster when one is idle, 0.3 s slower when none is).
    The load average tells whether one is likely idle.
    """
    if count < _FORK_MIN_FILES or sys.platform != "linux" or threading.active_count() != 1:
        return False
    cpus = len(os.sched_getaffinity(0))
    return cpus > 1 and os.getloadavg()[0] < cpus - 0.5


def _send(results: list[_ParseResult], pipe: BinaryIO) -> None:
    """Write parse results for :func:`_received`: a length, a pickle, a marshal."""
    heads: list[Any] = []
    locations: list[Any] = []
    for loaded, issues in results:
        if loaded is None:
            heads.append((None, issues))
            locations.append(None)
        else:
            heads.append(((loaded.path, loaded.data, loaded.body), issues))
            locations.append((loaded.value_locations, loaded.key_locations))
    head = pickle.dumps(heads, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(head).to_bytes(8, "little"))
    pipe.write(head)
    pipe.write(marshal.dumps(locations))


def _received(blob: bytes) -> list[_ParseResult] | None:
    """The results written by :func:`_send`, or None if ``blob`` is not whole."""
    if len(blob) < 8:
        return None
    size = int.from_bytes(blob[:8], "little")
    if len(blob) < 8 + size:
        return None
    heads = pickle.loads(blob[8 : 8 + size])
    locations = marshal.loads(blob[8 + size :])
    results: list[_ParseResult] = []
    for (head, issues), where in zip(heads, locations, strict=True):
        if head is None:
            results.append((None, issues))
        else:
            path, data, body = head
            results.append((LoadedFile(path, data, where[0], where[1], body), issues))
    return results


def load_content(content_dir: Path) -> RawContent:
    """Load every file of a content directory; problems go to ``issues``.

    Layout: ``company.yaml`` and ``org.yaml`` (required), one folder per cycle
    (any folder not starting with '.' or '_') holding ``<unit>.yaml|.yml|.md``
    files, and optionally a README. Everything is visited in name order so
    results (and issue lists) are deterministic.

    Raises ContentError only when ``content_dir`` is not a directory.
    """
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        display = str(PurePosixPath(*content_dir.parts)) if content_dir.parts else "."
        message = (
            "content directory not found"
            if not content_dir.exists()
            else "content path is not a directory"
        )
        raise ContentError([_issue(display, message)])
    return load_walk(Walk(content_dir), content_dir)


def load_walk(walk: Walk, content_dir: Path) -> RawContent:
    """The content layout rules of :func:`load_content`, over any :class:`Walk`."""
    top: dict[str, LoadedFile | None] = dict.fromkeys(REQUIRED_FILES)
    cycle_files: dict[str, dict[str, LoadedFile]] = {}
    found: set[str] = set()
    for entry in walk.entries(str(content_dir)):
        display = walk.display(entry.name)
        kind = walk.kind(entry, display)
        if kind is None:
            found.update({entry.name} & set(REQUIRED_FILES))
            continue
        if kind == "dir":
            if entry.name in REQUIRED_FILES:
                found.add(entry.name)
                walk.problem(display, "expected a file, found a folder")
            elif not entry.name.startswith("_"):
                cycle_files[entry.name] = walk.cycle(entry)
        elif entry.name in REQUIRED_FILES:
            found.add(entry.name)
            top[entry.name] = walk.read(entry.path, display, parse_yaml)
        elif entry.name.lower() not in ("readme.md", "readme", "readme.txt"):
            stem = os.path.splitext(entry.name)[0]
            hint = f" (did you mean {stem}.yaml?)" if f"{stem}.yaml" in REQUIRED_FILES else ""
            walk.problem(
                display,
                "unexpected file: the content directory holds company.yaml, "
                f"org.yaml and one folder per cycle{hint}",
            )
    for name in REQUIRED_FILES:
        if name not in found:
            walk.problem(walk.display(name), "missing file")
    log.debug(
        "loaded %d cycle folders, %d unit files from %s",
        len(cycle_files),
        sum(len(units) for units in cycle_files.values()),
        content_dir,
    )
    return RawContent(
        root=content_dir,
        company=top["company.yaml"],
        org=top["org.yaml"],
        cycle_files=cycle_files,
        issues=sorted(walk.issues),
    )
