"""PyYAML syntax errors → one short message in plain words, at the right place."""

from __future__ import annotations

import re

import yaml

from okrsite.errors import ContentIssue
from okrsite.source.text import LINE_BREAK, char_at, issue


def _printable(text: str) -> str:
    """Keep PyYAML's wording but no escapes or control characters."""
    return re.sub(r"[^\x20-\x7e]", "?", text)


def syntax_issue(exc: yaml.YAMLError, text: str, path: str) -> ContentIssue:
    """A PyYAML error as a ContentIssue at its problem mark, in plain words."""
    if not isinstance(exc, yaml.MarkedYAMLError) or not exc.problem:
        return issue(path, "invalid YAML: the file could not be parsed (check quotes and escapes)")
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or "invalid YAML")
    context = str(getattr(exc, "context", None) or "")
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    started = f" (it started on line {context_mark.line + 1})" if context_mark else ""
    context_line = f", line {context_mark.line + 1}" if context_mark else ""

    if "cannot start any token" in problem or "tab character" in problem:
        char = char_at(text, line, column)
        before = LINE_BREAK.split(text)[line][:column] if char else ""
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
    elif char_at(text, line, column) in ("]", "}") and "block" in context:
        char = char_at(text, line, column)
        message = f"unexpected '{char}' without a matching opening bracket"
    elif "block mapping" in context:
        message = f"bad indentation: this line does not line up with the mapping{started}"
    elif "block collection" in context or "'-' indicator" in problem:
        message = f"bad indentation: expected a '- ' list item here{started}"
    elif "flow sequence" in context:
        message = f"expected ',' or ']' in the list in brackets{started}"
    elif "flow mapping" in context:
        message = f"expected ',' or '}}' in the mapping in braces{started}"
    elif "document start" in problem:
        # libyaml's words ("did not find expected <document start>") name its
        # grammar, not the writer's mistake: a '%' directive line or a second
        # document without its '---'.
        lines_before = LINE_BREAK.split(text)[:line]
        if any(previous.startswith("%") for previous in lines_before):
            message = (
                "expected '---' before this line: a '%' directive line must be followed "
                "by '---'; remove the directive (okrsite files need none)"
            )
        else:
            message = "expected '---' to start a new document here; a file holds one mapping"
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
    return issue(path, message, line + 1, column + 1)
