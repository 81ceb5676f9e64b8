"""One content file → (plain data with locations, issues); never raises for bad input.

``parse_yaml`` returns ``(None, issues)`` when a file cannot be read as data
at all (syntax, encoding, tags…). For problems confined to one mapping entry
(a duplicate, non-text or merge key) it returns the data *and* the issues:
the entry is left out (for a duplicate, the first value is kept) so the
validator can still report the rest of the file in the same run.

Files: at most 1 MiB, UTF-8 without byte-order mark, no control characters,
exactly one YAML document whose top level is a mapping; a ``.md`` unit file
is YAML front matter followed by a Markdown body.
"""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath

from okrsite.source.loaded import DataPath, LoadedFile, Location, ParseResult
from okrsite.source.text import check_text, decode, issue
from okrsite.source.yaml_fast import read_simple
from okrsite.source.yaml_scalars import PlainScalars

# PyYAML and the strict reader built on it (yaml_events, yaml_syntax) are
# imported where a file needs them, not here: nearly every file is read by
# the fast reader, and importing PyYAML (its reader compiles a large pattern)
# was a fiftieth of ``okrsite check`` in each of its two processes.


def _parse_text(
    text: str,
    path: str,
    scalars: PlainScalars,
    *,
    empty_message: str = "file is empty",
    body: str = "",
    fast: bool = True,
) -> ParseResult:
    """Parse checked text (see :func:`parse_yaml`)."""
    simple = read_simple(text, scalars) if fast else None
    if simple is not None:
        data, nodes = simple
        return LoadedFile(
            path, data, body=body, node_locations=nodes, locate=partial(_locate, text, path)
        ), []
    import yaml

    from okrsite.source.yaml_events import (
        Abort,
        Builder,
        is_parser_depth_limit,
        mark_of,
        too_deep_message,
    )
    from okrsite.source.yaml_syntax import syntax_issue

    builder = Builder(path, scalars)
    try:
        builder.run(text)
    except Abort:
        return None, builder.issues
    except yaml.YAMLError as exc:
        if not is_parser_depth_limit(exc):
            return None, [*builder.issues, syntax_issue(exc, text, path)]
        # Some libyaml releases (PyYAML 6.0.4) stop deep flow nesting in the
        # scanner, which reads ahead of the events our own depth check sees.
        # Nesting that deep is over MAX_DEPTH anyway: parse again with the
        # pure-Python parser, which yields events lazily, so the refusal
        # carries our message at the place where level MAX_DEPTH + 1 opens.
        builder = Builder(path, scalars)
        try:
            builder.run(text, yaml.SafeLoader)
        except Abort:
            return None, builder.issues
        except yaml.YAMLError as again:
            where = mark_of(again) or mark_of(exc) or (1, 1)
            return None, [issue(path, too_deep_message(), *where)]
    if builder.fatal:
        return None, builder.issues
    if not builder.has_root or builder.root_is_empty:
        return None, [issue(path, empty_message)]
    if not isinstance(builder.root, dict):
        what = "a list" if isinstance(builder.root, list) else "a single value"
        line, column = builder.values[()]
        message = f"the file must be a mapping of keys to values (like 'name: …'), not {what}"
        return None, [issue(path, message, line, column)]
    loaded = LoadedFile(path, builder.root, builder.values, builder.keys, body)
    return loaded, builder.issues


def _locate(text: str, path: str) -> tuple[dict[DataPath, Location], dict[DataPath, Location]]:
    """Where every value and key of ``text`` is, by the strict reader.

    Only called for text the fast reader accepted, which the strict reader
    reads without an issue (the tests hold both to the same data).
    """
    from okrsite.source.yaml_events import Builder  # see the imports above

    builder = Builder(path, PlainScalars())
    builder.run(text)
    return builder.values, builder.keys


def parse_yaml(
    text_or_bytes: str | bytes,
    path: str,
    *,
    scalars: PlainScalars | None = None,
    fast: bool = True,
) -> ParseResult:
    """One YAML file → (data with locations, issues); never raises for bad input.

    ``path`` is only used in locations. Also used by ``okrsite diff`` on git
    blobs, hence bytes or text. The file is None when it cannot be used at
    all; entry-level issues (duplicate/non-text/merge keys) come with data.
    ``scalars`` lets the files of one load share resolved scalars (a fresh
    table otherwise); it never changes the result. ``fast=False`` skips the
    fast reader (:mod:`~okrsite.source.yaml_fast`): every location is then
    recorded while parsing.
    """
    if isinstance(text_or_bytes, bytes):
        text, issues = decode(text_or_bytes, path)
        if text is None:
            return None, issues
    else:
        text = text_or_bytes
    issues = check_text(text, path)
    if issues:
        return None, issues
    return _parse_text(text, path, scalars or PlainScalars(), fast=fast)


_FRONT_MATTER_HELP = (
    "a .md unit file must start with YAML front matter: a line '---', "
    "the YAML, then another line '---'"
)


def parse_unit_file(
    raw: bytes, path: str, *, scalars: PlainScalars | None = None, fast: bool = True
) -> ParseResult:
    """A unit file → data: ``.md`` files by their front matter, others as YAML.

    The front matter is parsed with its opening ``---`` line replaced by an
    empty line, so every line number reported is the real line in the file.
    """
    if PurePosixPath(path).suffix.lower() != ".md":
        return parse_yaml(raw, path, scalars=scalars, fast=fast)
    text, issues = decode(raw, path)
    if text is None:
        return None, issues
    issues = check_text(text, path)
    if issues:
        return None, issues
    first_end = text.find("\n")
    if text[: first_end if first_end >= 0 else len(text)].rstrip(" \t\r") != "---":
        return None, [issue(path, _FRONT_MATTER_HELP)]
    position = first_end + 1
    while position < len(text):
        line_end = text.find("\n", position)
        next_position = len(text) if line_end < 0 else line_end + 1
        if text[position:next_position].rstrip(" \t\r\n") == "---":
            front_matter = "\n" + text[first_end + 1 : position]
            return _parse_text(
                front_matter,
                path,
                scalars or PlainScalars(),
                empty_message="front matter is empty",
                body=text[next_position:],
                fast=fast,
            )
        position = next_position
    return None, [issue(path, "front matter is not closed: add a line '---' after the YAML")]
