"""Tests of the strict loader (okrsite/load.py): each rule, its exact message and place.

Run: ``python -m pytest tests/test_load.py -q`` from the repository root.
Property-based tests (random and mutated input) are in ``test_load_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import pytest
import yaml
from contentkit import write_files
from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.errors import ContentError, ContentIssue, SourceLocation
from okrsite.source import (
    LoadCache,
    LoadedFile,
    RawContent,
    load_content,
    parse_unit_file,
    parse_yaml,
    yaml_events,
    yaml_scalars,
)
from okrsite.source.yaml_scalars import PlainScalars

PATH = "content/2026-Q1/product.yaml"


def make_content(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path → text or bytes, as they are) under tmp_path/content."""
    return write_files(tmp_path / "content", files)


def minimal(extra: dict[str, str | bytes] | None = None) -> dict[str, str | bytes]:
    """A valid minimal content tree (company.yaml, org.yaml) plus ``extra`` files."""
    return {"company.yaml": "name: Northwind\n", "org.yaml": "units: []\n", **(extra or {})}


def data(text: str) -> object:
    """Parse text that must load without issues; return its data."""
    loaded, issues = parse_yaml(text, PATH)
    assert issues == []
    assert loaded is not None
    return loaded.data


def problems(source: str | bytes, path: str = PATH) -> list[str]:
    """Parse a file that must fail; return its issues as 'path:line:col: message'."""
    if isinstance(source, bytes) and path.endswith(".md"):
        _, issues = parse_unit_file(source, path)
    else:
        _, issues = parse_yaml(source, path)
    assert issues, "expected issues"
    return [str(issue) for issue in issues]


def at(line: int, column: int, message: str, path: str = PATH) -> str:
    return f"{path}:{line}:{column}: {message}"


@pytest.fixture(params=["libyaml", "pure-python"])
def both_parsers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C parser and again with PyYAML's pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_events, "_Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):  # pragma: no cover
        pytest.skip("PyYAML built without libyaml")
    return str(request.param)


# --------------------------------------------------------------------------
# Scalars: YAML 1.2-like


@pytest.mark.usefixtures("both_parsers")
def test_only_true_and_false_are_booleans() -> None:
    """yes/no/on/off/y/n/NO stay text; true/false in three spellings are booleans."""
    text = "\n".join(
        f"k{i}: {word}"
        for i, word in enumerate(
            [
                "yes",
                "no",
                "on",
                "off",
                "y",
                "n",
                "NO",
                "Yes",
                "OFF",
                "true",
                "True",
                "TRUE",
                "false",
                "False",
                "FALSE",
                "tRUE",
            ]
        )
    )
    assert list(data(text).values()) == [  # type: ignore[attr-defined]
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "NO",
        "Yes",
        "OFF",
        True,
        True,
        True,
        False,
        False,
        False,
        "tRUE",
    ]


@pytest.mark.usefixtures("both_parsers")
def test_nulls() -> None:
    """null, Null, NULL, ~ and an empty value are None; 'none' is text."""
    assert data("a: null\nb: Null\nc: NULL\nd: ~\ne:\nf: none\n") == {
        "a": None,
        "b": None,
        "c": None,
        "d": None,
        "e": None,
        "f": "none",
    }


@pytest.mark.usefixtures("both_parsers")
def test_integers_follow_yaml_1_2() -> None:
    """Decimal, 0o octal and 0x hex are ints; 0777, 1:20, 1_000 and 0b1 stay text."""
    assert data(
        "a: 42\nb: -3\nc: +7\nd: 0\ne: 0o17\nf: 0x1F\n"
        "g: 0777\nh: 1:20\ni: 1_000\nj: 0b101\nk: 190:20:30\n"
    ) == {
        "a": 42,
        "b": -3,
        "c": 7,
        "d": 0,
        "e": 15,
        "f": 31,
        "g": "0777",
        "h": "1:20",
        "i": "1_000",
        "j": "0b101",
        "k": "190:20:30",
    }


def test_huge_integer_stays_text() -> None:
    """An integer with more digits than Python converts stays text (no ValueError)."""
    assert data("a: " + "9" * 5000 + "\n") == {"a": "9" * 5000}


@pytest.mark.usefixtures("both_parsers")
def test_floats_including_inf_and_nan() -> None:
    """0.5, 1e3, .5, -.inf and .nan are floats (the model rejects inf/nan later)."""
    result = data("a: 0.5\nb: 1e3\nc: .5\nd: -.inf\ne: .NaN\nf: 1.\ng: 01.5\nh: 3.1h\n")
    assert result["a"] == 0.5 and result["b"] == 1000.0 and result["c"] == 0.5  # type: ignore[index]
    assert result["d"] == -math.inf and math.isnan(result["e"])  # type: ignore[index]
    assert result["f"] == 1.0  # type: ignore[index]
    assert result["g"] == "01.5" and result["h"] == "3.1h"  # type: ignore[index]


@pytest.mark.usefixtures("both_parsers")
def test_dates_and_timestamps() -> None:
    """YYYY-MM-DD is a date, with a time a datetime; impossible or quoted dates stay text."""
    assert data(
        "a: 2026-01-19\nb: 2026-01-19T10:30:00Z\nc: 2026-01-19 10:30:00\n"
        "d: 2026-02-30\ne: '2026-01-19'\nf: 2026-1-19\ng: 2026-01-19T25:00:00\n"
    ) == {
        "a": dt.date(2026, 1, 19),
        "b": dt.datetime(2026, 1, 19, 10, 30, tzinfo=dt.UTC),
        "c": dt.datetime(2026, 1, 19, 10, 30),
        "d": "2026-02-30",
        "e": "2026-01-19",
        "f": "2026-1-19",
        "g": "2026-01-19T25:00:00",
    }
    assert type(data("a: 2026-01-19\n")["a"]) is dt.date  # type: ignore[index]


def test_timestamp_with_offset() -> None:
    """A time zone offset gives an aware datetime."""
    value = data("a: 2026-01-19T10:30:00.5+02:00\n")["a"]  # type: ignore[index]
    assert value == dt.datetime(2026, 1, 19, 10, 30, 0, 500000, dt.timezone(dt.timedelta(hours=2)))


def test_typed_scalars_resolve_the_same_when_seen_again() -> None:
    """Resolved plain scalars are remembered by text: a second file gets equal values."""
    text = (
        "a: [0.7, 2026-01-19, 2026-02-30, 12, 0x1F, 0777, .inf, ~, null, true, TRUE, no,"
        " 1e3, -5, 2026-01-19 10:30:00, 99999999999999999999, title, nullable, 1.5.2]\n"
    )
    scalars = PlainScalars()

    def values(table: PlainScalars) -> list[object]:
        loaded, issues = parse_yaml(text, PATH, scalars=table)
        assert loaded is not None and issues == []
        return loaded.data["a"]  # type: ignore[no-any-return]

    first = values(scalars)
    again = values(scalars)
    assert scalars.known  # the second file found them remembered
    fresh = values(PlainScalars())
    for values_seen in (again, fresh):
        assert [(type(v), repr(v)) for v in values_seen] == [(type(v), repr(v)) for v in first]
    assert first[:4] == [0.7, dt.date(2026, 1, 19), "2026-02-30", 12]
    assert first[-2:] == ["nullable", "1.5.2"]


def test_long_typed_looking_text_is_not_remembered() -> None:
    """Only short scalars are remembered, so the cache stays small."""
    scalars = PlainScalars()
    long_text = "2026 " + "x" * 60
    loaded, _ = parse_yaml(f"a: {long_text}\nb: 0.5\n", PATH, scalars=scalars)
    assert loaded is not None and loaded.data == {"a": long_text, "b": 0.5}
    assert list(scalars.known) == ["0.5"]


def test_our_own_bugs_are_not_reported_as_content_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the parser's ValueError becomes an issue; one raised by our code propagates."""

    def broken(text: str) -> object:
        raise ValueError("a bug in okrsite")

    monkeypatch.setattr(yaml_scalars, "_resolve_typed", broken)
    with pytest.raises(ValueError, match="a bug in okrsite"):
        parse_yaml("a: 1\n", PATH)


@pytest.mark.usefixtures("both_parsers")
def test_quoted_and_block_scalars_are_always_text() -> None:
    """Quoting (or a block scalar) keeps true, 1, null and dates as text."""
    assert data(
        "a: 'true'\nb: \"1\"\nc: 'null'\nd: \"2026-01-01\"\ne: |\n  42\nf: >-\n  yes\n"
    ) == {
        "a": "true",
        "b": "1",
        "c": "null",
        "d": "2026-01-01",
        "e": "42\n",
        "f": "yes",
    }


def test_insertion_order_is_kept() -> None:
    """Mappings keep the file's order (pages list things in the author's order)."""
    assert list(data("z: 1\na: 2\nm: 3\n")) == ["z", "a", "m"]  # type: ignore[call-overload]


# --------------------------------------------------------------------------
# Keys


@pytest.mark.usefixtures("both_parsers")
def test_duplicate_key_names_both_lines_and_keeps_first() -> None:
    """A duplicate key is reported at the second key, naming the first line; the first wins."""
    text = "objectives:\n  - id: a\n    owner: Priya\n    title: T\n    owner: Sam\n"
    loaded, issues = parse_yaml(text, PATH)
    assert [str(i) for i in issues] == [at(5, 5, "duplicate key 'owner' (first defined on line 3)")]
    assert loaded is not None
    assert loaded.data["objectives"][0]["owner"] == "Priya"
    assert loaded.location(("objectives", 0, "owner")) == SourceLocation(PATH, 3, 12)


def test_duplicate_key_quoted_and_plain_are_the_same_key() -> None:
    """'a' and a are the same key, so that is a duplicate too."""
    assert problems("a: 1\n'a': 2\n") == [at(2, 1, "duplicate key 'a' (first defined on line 1)")]


@pytest.mark.usefixtures("both_parsers")
def test_non_text_keys_are_errors() -> None:
    """Keys 1, true, null, a date, and an empty key are refused; the rest of the file loads."""
    text = "1: a\ntrue: b\nnull: c\n2026-01-01: d\n?\n: e\nok: f\n"
    loaded, issues = parse_yaml(text, PATH)
    assert [str(i) for i in issues] == [
        at(1, 1, "key '1' is a number, not text; put it in quotes if it is meant as text"),
        at(2, 1, "key 'true' is a boolean, not text; put it in quotes if it is meant as text"),
        at(3, 1, "key 'null' is null, not text; put it in quotes if it is meant as text"),
        at(4, 1, "key '2026-01-01' is a date, not text; put it in quotes if it is meant as text"),
        at(5, 2, "missing key before ':'"),
    ]
    assert loaded is not None and loaded.data == {"ok": "f"}


def test_messages_quote_content_briefly() -> None:
    """Keys echoed in messages are cut to 40 characters and never carry control characters."""
    long_key = "k" * 100
    assert problems(f"{long_key}: 1\n{long_key}: 2\n'a\tb': 1\n'a\tb': 2\n") == [
        at(2, 1, f"duplicate key '{'k' * 39}…' (first defined on line 1)"),
        at(4, 1, "duplicate key 'a?b' (first defined on line 3)"),
    ]


def test_quoted_number_key_is_text() -> None:
    """A quoted key is text, whatever it looks like."""
    assert data("'1': a\n\"true\": b\n") == {"1": "a", "true": "b"}


@pytest.mark.usefixtures("both_parsers")
def test_complex_keys_are_errors() -> None:
    """A list or mapping used as a key is refused at the key's position."""
    loaded, issues = parse_yaml("? [a, b]\n: 1\n? {x: 1}\n: 2\nok: 3\n", PATH)
    assert [str(i) for i in issues] == [
        at(1, 3, "a key must be plain text, not a list or mapping"),
        at(3, 3, "a key must be plain text, not a list or mapping"),
    ]
    assert loaded is not None and loaded.data == {"ok": 3}


@pytest.mark.usefixtures("both_parsers")
def test_merge_keys_are_errors() -> None:
    """'<<' merge keys are refused (they need anchors, which are refused too)."""
    loaded, issues = parse_yaml("a: 1\n<<: {b: 2}\n", PATH)
    assert [str(i) for i in issues] == [
        at(2, 1, "merge keys ('<<') are not allowed; write the keys out")
    ]
    assert loaded is not None and loaded.data == {"a": 1}


# --------------------------------------------------------------------------
# Safety: tags, anchors, aliases, depth


@pytest.mark.usefixtures("both_parsers")
@pytest.mark.parametrize(
    ("text", "tag", "column"),
    [
        ("a: !!python/object/apply:os.system ['echo hi']\n", "!!python/object/apply:os.system", 4),
        ("a: !!python/name:os.system\n", "!!python/name:os.system", 4),
        ("a: !foo bar\n", "!foo", 4),
        ("a: !!str 42\n", "!!str", 4),
        ("a: ! 42\n", "!", 4),
        ("a: !!map {b: 1}\n", "!!map", 4),
        ("a: !!set\n  ? b\n", "!!set", 4),
        ("a: !<tag:example.com,2000:x> 1\n", "tag:example.com,2000:x", 4),
    ],
)
def test_every_explicit_tag_is_refused(text: str, tag: str, column: int) -> None:
    """Any explicit tag, from !!python/… to !!str, is an error at the tagged node."""
    assert problems(text) == [
        at(1, column, f"tags such as '{tag}' are not allowed; remove the tag")
    ]


@pytest.mark.usefixtures("both_parsers")
def test_anchors_and_aliases_are_refused() -> None:
    """Anchors and aliases are errors at their positions; no data is returned."""
    loaded, issues = parse_yaml("base: &b {x: 1}\nother: *b\n", PATH)
    assert loaded is None
    assert [str(i) for i in issues] == [
        at(1, 7, "anchors (&b) are not allowed; write the value out"),
        at(2, 8, "aliases (*b) are not allowed; write the value out"),
    ]


def test_billion_laughs_is_refused_quickly() -> None:
    """The classic alias bomb is refused without expanding anything."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    loaded, issues = parse_yaml("\n".join(lines) + "\n", PATH)
    assert loaded is None
    assert str(issues[0]) == at(1, 5, "anchors (&a0) are not allowed; write the value out")


@pytest.mark.usefixtures("both_parsers")
def test_depth_limit() -> None:
    """32 levels of nesting load; the 33rd is an error at its opening bracket."""
    assert parse_yaml("a: " + "[" * 31 + "]" * 31 + "\n", PATH)[1] == []
    assert problems("a: " + "[" * 32 + "]" * 32 + "\n") == [
        at(1, 35, "too deeply nested (more than 32 levels)")
    ]


def test_very_deep_nesting_does_not_crash() -> None:
    """200,000 nested brackets are refused without recursion (no crash, no hang)."""
    assert problems("a: " + "[" * 200_000) == [at(1, 35, "too deeply nested (more than 32 levels)")]
    assert problems("a:\n" + "".join(" " * i + "- \n" for i in range(1, 40)))[0].endswith(
        "too deeply nested (more than 32 levels)"
    )


class _ParserWithItsOwnDepthLimit(yaml.SafeLoader):
    """A parser that, like libyaml in PyYAML 6.0.4, stops deep flow nesting in
    its scanner at its own limit (here 40 levels), ahead of any event."""

    def fetch_flow_collection_start(self, token_class: type) -> None:
        if self.flow_level >= 40:
            raise yaml.scanner.ScannerError(
                "while increasing flow level", None,
                "exceeded maximum nesting depth", self.get_mark(),
            )
        super().fetch_flow_collection_start(token_class)


def test_depth_limit_is_ours_whatever_the_parser_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser release with its own (scanner-level) depth limit still gives
    okrsite's message at the 33rd level, not the parser's wording and place."""
    monkeypatch.setattr(yaml_events, "_Loader", _ParserWithItsOwnDepthLimit)
    assert problems("a: " + "[" * 200) == [at(1, 35, "too deeply nested (more than 32 levels)")]
    assert problems("a: {b: " + "[" * 50) == [at(1, 38, "too deeply nested (more than 32 levels)")]


# --------------------------------------------------------------------------
# Whole-file rules


def test_file_over_one_mib_is_refused_unparsed() -> None:
    """More than 1 MiB is an error at 1:1 (the file is not parsed)."""
    raw = b"a: " + b"x" * (1024 * 1024) + b"\n"
    assert problems(raw) == [at(1, 1, f"file is too large ({len(raw)} bytes; the limit is 1 MiB)")]


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfa: 1\n",
        "a: 1\n".encode("utf-16"),
        "a: 1\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
        "a: 1\n".encode("utf-32"),
        b"\x00\x00\xfe\xff" + "a: 1\n".encode("utf-32-be"),
    ],
    ids=["utf-8", "utf-16", "utf-16-be", "utf-32", "utf-32-be"],
)
def test_byte_order_marks_are_refused(raw: bytes) -> None:
    """A UTF-8, UTF-16 or UTF-32 byte-order mark is one clear error at 1:1."""
    assert problems(raw) == [
        at(1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
    ]


def test_bom_in_text_input_is_refused() -> None:
    """Text (already decoded) that starts with U+FEFF gets the same message."""
    assert problems("\ufeffa: 1\n") == [
        at(1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
    ]


def test_invalid_utf8_points_at_first_bad_byte() -> None:
    """Non-UTF-8 bytes: error at the line and (character) column of the first bad byte."""
    raw = "name: ok\ntitle: Zürich ".encode() + b"\xe9t\xe9\n"
    assert problems(raw) == [at(2, 15, "invalid UTF-8 (byte 0xE9); save the file as UTF-8")]


def test_control_characters_are_refused() -> None:
    """A NUL or other control character is an error at its position."""
    assert problems("a: 1\nb: x\x00y\n") == [
        at(2, 5, "character U+0000 is not allowed here; remove it")
    ]
    assert problems(b"a: \x1b[31m\n") == [
        at(1, 4, "character U+001B is not allowed here; remove it")
    ]


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n  # another\n", "---\n", "---\n...\n"]
)
def test_empty_file(text: str) -> None:
    """An empty file, or one with only comments, is 'file is empty' at 1:1."""
    assert problems(text) == [at(1, 1, "file is empty")]


@pytest.mark.parametrize(
    ("text", "what", "line"),
    [
        ("- a\n- b\n", "a list", 1),
        ("just text\n", "a single value", 1),
        ("# c\n42\n", "a single value", 2),
        ("~\n", "a single value", 1),
    ],
)
def test_top_level_must_be_a_mapping(text: str, what: str, line: int) -> None:
    """The top level of a file must be a mapping."""
    assert problems(text) == [
        at(line, 1, f"the file must be a mapping of keys to values (like 'name: …'), not {what}")
    ]


@pytest.mark.usefixtures("both_parsers")
def test_multiple_documents_are_refused() -> None:
    """A second document ('---') is an error at its separator."""
    assert problems("a: 1\n---\nb: 2\n") == [
        at(
            2,
            1,
            "a file may hold only one YAML document; remove this '---' and what follows, "
            "or move it to another file",
        )
    ]


def test_single_document_with_markers_is_fine() -> None:
    """An explicit '---' start and '...' end around one document are allowed."""
    assert data("---\na: 1\n...\n") == {"a": 1}


# --------------------------------------------------------------------------
# Syntax errors


@pytest.mark.usefixtures("both_parsers")
@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a:\n\tb: 1\n", 2, 1, "tab used for indentation; indent with spaces"),
        (
            "objectives:\n  - id: x\n  \t title: y\n",
            3,
            3,
            "tab used for indentation; indent with spaces",
        ),
        ("a: 'unclosed\nb: 2\n", 1, 4, "unclosed quote: this quoted text never ends"),
        (
            "a: b: c\n",
            1,
            5,
            "unexpected ':'; put a value that contains ': ' in quotes, "
            "and check the indentation of the lines above",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            3,
            2,
            "bad indentation: this line does not line up with the mapping (it started on line 1)",
        ),
        (
            "items:\n  - 1\n  b: 2\n",
            3,
            3,
            "bad indentation: expected a '- ' list item here (it started on line 2)",
        ),
        (
            "key: [1, 2\n",
            2,
            1,
            "expected ',' or ']' in the list in brackets (it started on line 1)",
        ),
        (
            "key: {a: 1\n",
            2,
            1,
            "expected ',' or '}' in the mapping in braces (it started on line 1)",
        ),
        ("a: [1, 2]]\n", 1, 10, "unexpected ']' without a matching opening bracket"),
        ("a: @handle\n", 1, 4, "'@' cannot start a plain value; put the value in quotes"),
        ("a: `code`\n", 1, 4, "'`' cannot start a plain value; put the value in quotes"),
        (
            'a: "\\x4"\n',
            1,
            7,
            "invalid escape in double-quoted text: \\u and \\x need a valid character code",
        ),
    ],
)
def test_syntax_errors_are_located_and_readable(
    text: str, line: int, column: int, message: str
) -> None:
    """Each YAML syntax error becomes one short message at the problem's line:column."""
    assert problems(text) == [at(line, column, message)]


def test_syntax_error_messages_have_no_python_noise() -> None:
    """No '<unicode string>', no reprs, no 'while scanning' boilerplate in messages."""
    for text in ['a: "\\q"\n', "%FOO\na: 1\n", "a: [b\n", "- a\nb: 1\n", "a:\n  - b\n c\n"]:
        for message in problems(text):
            assert "<unicode string>" not in message and "\\" not in message.replace("\\\\", "")
            assert "<" not in message.split(": ", 1)[1] and "Error" not in message


@pytest.mark.usefixtures("both_parsers")
@pytest.mark.parametrize(
    ("text", "code", "column"),
    [('a: "x\\0y"\n', "0000", 4), ('"\\x1b": 1\n', "001B", 1), ('a: ["\\x7f"]\n', "007F", 5)],
)
def test_escapes_cannot_smuggle_control_characters(text: str, code: str, column: int) -> None:
    """A double-quoted escape for a control character is refused at that scalar."""
    loaded, issues = parse_yaml(text, PATH)
    assert loaded is None
    assert [str(i) for i in issues] == [
        at(1, column, f"escaped character U+{code} is not allowed in text; remove it")
    ]


def test_escaped_lone_surrogate_is_refused(both_parsers: str) -> None:
    """An escaped lone surrogate never reaches the data (it would break UTF-8 output).

    libyaml refuses it as a syntax error; the pure-Python parser decodes it,
    and our escape check refuses it.
    """
    loaded, issues = parse_yaml('a: ["\\uDC00"]\n', PATH)
    assert loaded is None
    expected = (
        at(1, 5, "escaped character U+DC00 is not allowed in text; remove it")
        if both_parsers == "pure-python"
        else at(
            1,
            8,
            "invalid escape in double-quoted text: \\u and \\x need a valid character code",
        )
    )
    assert [str(i) for i in issues] == [expected]


def test_pure_python_parser_crash_becomes_an_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML's pure-Python scanner raises ValueError on "\\U0011FFFF": still an issue."""
    monkeypatch.setattr(yaml_events, "_Loader", yaml.SafeLoader)
    assert problems('a: "\\U0011FFFF"\n') == [
        at(1, 1, "invalid YAML: the file could not be parsed (check quotes and escapes)")
    ]


def test_tabs_inside_values_are_fine() -> None:
    """A tab inside text (not indentation) is allowed."""
    assert data('a: x\ty\nb: "p\\tq"\n') == {"a": "x\ty", "b": "p\tq"}


# --------------------------------------------------------------------------
# Locations


@pytest.mark.usefixtures("both_parsers")
def test_value_and_key_locations_of_nested_data() -> None:
    """Every value and key has its 1-based line and column, in block and flow style."""
    text = (
        "status: locked\n"  # 1
        "objectives:\n"  # 2
        "  - id: easier-start\n"  # 3
        "    key_results:\n"  # 4
        "      - id: ttv\n"  # 5
        "        target: 5\n"  # 6
        "        checkins:\n"  # 7
        "          - {date: 2026-01-19, value: 12}\n"  # 8
    )
    loaded, issues = parse_yaml(text, PATH)
    assert issues == [] and loaded is not None
    values, keys = loaded.value_locations, loaded.key_locations
    assert values[()] == (1, 1)
    assert values[("status",)] == (1, 9) and keys[("status",)] == (1, 1)
    assert values[("objectives",)] == (3, 3)
    assert values[("objectives", 0)] == (3, 5)
    assert values[("objectives", 0, "id")] == (3, 9) and keys[("objectives", 0, "id")] == (3, 5)
    kr = ("objectives", 0, "key_results", 0)
    assert values[(*kr, "target")] == (6, 17) and keys[(*kr, "target")] == (6, 9)
    checkin = (*kr, "checkins", 0)
    assert values[checkin] == (8, 13)
    assert values[(*checkin, "value")] == (8, 39) and keys[(*checkin, "value")] == (8, 32)
    assert loaded.data["objectives"][0]["key_results"][0]["checkins"][0]["date"] == dt.date(
        2026, 1, 19
    )


def test_location_walks_up_to_nearest_known_path() -> None:
    """location() returns the path's own place, its key with key=True, or its nearest ancestor."""
    loaded, _ = parse_yaml("objectives:\n  - id: a\n    ownr: X\n", PATH)
    assert loaded is not None
    assert loaded.location(("objectives", 0, "ownr")) == SourceLocation(PATH, 3, 11)
    assert loaded.location(("objectives", 0, "ownr"), key=True) == SourceLocation(PATH, 3, 5)
    # A missing field points at its mapping; a missing key falls back to the value walk.
    assert loaded.location(("objectives", 0, "title")) == SourceLocation(PATH, 2, 5)
    assert loaded.location(("objectives", 0, "title"), key=True) == SourceLocation(PATH, 2, 5)
    assert loaded.location(("nothing", 3, "x")) == SourceLocation(PATH, 1, 1)
    assert loaded.location(()) == SourceLocation(PATH, 1, 1)


def test_location_of_an_empty_loaded_file_defaults_to_start() -> None:
    """A LoadedFile built by hand without locations still answers 1:1."""
    assert LoadedFile("x.yaml", {}, {}, {}).location(("a",)) == SourceLocation("x.yaml", 1, 1)


def test_crlf_line_endings_count_lines_correctly() -> None:
    """Windows line endings give the same line numbers."""
    loaded, _ = parse_yaml(b"a: 1\r\nb:\r\n  c: 2\r\n", PATH)
    assert loaded is not None and loaded.data == {"a": 1, "b": {"c": 2}}
    assert loaded.value_locations[("b", "c")] == (3, 6)


def test_columns_count_characters_not_bytes() -> None:
    """A column after non-ASCII text counts characters (what editors show)."""
    loaded, _ = parse_yaml("title: Größe\nx: {ä: 1, b: 2}\n".encode(), PATH)
    assert loaded is not None and loaded.key_locations[("x", "b")] == (2, 11)


# --------------------------------------------------------------------------
# Markdown unit files

MD_PATH = "content/2026-Q1/product.md"


def test_markdown_front_matter_and_body() -> None:
    """A .md file's front matter is the data; the text after it is the body."""
    raw = b"---\nstatus: draft\nobjectives:\n  - id: a\n---\n# Notes\n\nSome *text*.\n"
    loaded, issues = parse_unit_file(raw, MD_PATH)
    assert issues == [] and loaded is not None
    assert loaded.data == {"status": "draft", "objectives": [{"id": "a"}]}
    assert loaded.body == "# Notes\n\nSome *text*.\n"
    assert loaded.path == MD_PATH


def test_markdown_front_matter_lines_are_real_file_lines() -> None:
    """Locations in front matter are the file's lines (the opening '---' is line 1)."""
    loaded, issues = parse_unit_file(b"---\nstatus: draft\nstatus: locked\n---\n", MD_PATH)
    assert [str(i) for i in issues] == [
        at(3, 1, "duplicate key 'status' (first defined on line 2)", MD_PATH)
    ]
    assert loaded is not None and loaded.value_locations[("status",)] == (2, 9)
    assert problems(b"---\na: 1\nb: [1\n---\nbody\n", MD_PATH) == [
        at(4, 1, "expected ',' or ']' in the list in brackets (it started on line 3)", MD_PATH)
    ]


def test_markdown_with_crlf_front_matter() -> None:
    """Front matter delimiters with Windows line endings are recognised."""
    loaded, issues = parse_unit_file(b"---\r\nstatus: draft\r\n---\r\nbody\r\n", MD_PATH)
    assert issues == [] and loaded is not None
    assert loaded.data == {"status": "draft"} and loaded.body == "body\r\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"# Notes\nstatus: draft\n",
            "a .md unit file must start with YAML front matter: "
            "a line '---', the YAML, then another line '---'",
        ),
        (
            b"",
            "a .md unit file must start with YAML front matter: "
            "a line '---', the YAML, then another line '---'",
        ),
        (b"---\nstatus: draft\n", "front matter is not closed: add a line '---' after the YAML"),
        (b"---\n---\nbody\n", "front matter is empty"),
        (b"---\n# just a comment\n---\n", "front matter is empty"),
    ],
)
def test_markdown_without_usable_front_matter(raw: bytes, message: str) -> None:
    """A .md without front matter, unclosed or empty front matter: one error at 1:1."""
    assert problems(raw, MD_PATH) == [at(1, 1, message, MD_PATH)]


def test_markdown_byte_checks_apply() -> None:
    """The BOM and UTF-8 rules apply to .md files too."""
    assert problems(b"\xef\xbb\xbf---\na: 1\n---\n", MD_PATH) == [
        at(1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM", MD_PATH)
    ]
    assert problems(b"---\na: \xff\n---\n", MD_PATH) == [
        at(2, 4, "invalid UTF-8 (byte 0xFF); save the file as UTF-8", MD_PATH)
    ]


def test_yml_and_yaml_unit_files_parse_as_yaml() -> None:
    """parse_unit_file reads .yaml and .yml as plain YAML (body stays empty)."""
    for path in ("content/c/x.yaml", "content/c/x.yml"):
        loaded, issues = parse_unit_file(b"status: draft\n", path)
        assert issues == [] and loaded is not None and loaded.body == ""


# --------------------------------------------------------------------------
# The content directory


def test_load_content_happy_path(tmp_path: Path) -> None:
    """Company, org and every cycle's unit files load, sorted, with display paths."""
    root = make_content(
        tmp_path,
        minimal(
            {
                "2026-Q2/sales.yaml": "status: draft\n",
                "2026-Q1/product.yaml": "status: locked\n",
                "2026-Q1/company.yml": "status: locked\n",
                "2026-Q1/design.md": "---\nstatus: review\n---\nNotes\n",
                "README.md": "# Our OKRs\n",
                ".hidden": "x",
                "2026-Q1/.DS_Store": b"\x00\x01",
                "_drafts/anything.txt": "ignored",
                ".git/config": "ignored",
            }
        ),
    )
    raw = load_content(root)
    assert raw.issues == []
    assert raw.root == root
    assert raw.company is not None and raw.company.path == "content/company.yaml"
    assert raw.company.data == {"name": "Northwind"}
    assert raw.org is not None and raw.org.data == {"units": []}
    assert list(raw.cycle_files) == ["2026-Q1", "2026-Q2"]
    assert list(raw.cycle_files["2026-Q1"]) == ["company", "design", "product"]
    design = raw.cycle_files["2026-Q1"]["design"]
    assert design.path == "content/2026-Q1/design.md" and design.body == "Notes\n"
    assert raw.cycle_files["2026-Q2"]["sales"].path == "content/2026-Q2/sales.yaml"


def test_empty_cycle_folder_is_listed(tmp_path: Path) -> None:
    """A cycle folder with no unit files is present with no units."""
    root = make_content(tmp_path, minimal())
    (root / "2026-Q3").mkdir()
    assert load_content(root).cycle_files == {"2026-Q3": {}}


def test_missing_required_files(tmp_path: Path) -> None:
    """No company.yaml or org.yaml: 'missing file' at each path, 1:1."""
    root = make_content(tmp_path, {"2026-Q1/product.yaml": "status: draft\n"})
    raw = load_content(root)
    assert raw.company is None and raw.org is None
    assert [str(i) for i in raw.issues] == [
        "content/company.yaml:1:1: missing file",
        "content/org.yaml:1:1: missing file",
    ]
    assert "product" in raw.cycle_files["2026-Q1"]


def test_broken_company_file_is_none_with_its_issue(tmp_path: Path) -> None:
    """A required file that does not parse is None, its issue recorded; others still load."""
    root = make_content(tmp_path, minimal({"company.yaml": "name: [x\n"}))
    raw = load_content(root)
    assert raw.company is None and raw.org is not None
    assert [str(i) for i in raw.issues] == [
        "content/company.yaml:2:1: expected ',' or ']' in the list in brackets "
        "(it started on line 1)"
    ]


def test_required_file_that_is_a_folder(tmp_path: Path) -> None:
    """company.yaml as a folder is reported, not walked as a cycle."""
    root = make_content(tmp_path, {"org.yaml": "units: []\n", "company.yaml/x.yaml": "a: 1\n"})
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        "content/company.yaml:1:1: expected a file, found a folder"
    ]
    assert raw.cycle_files == {}


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_content_dir_must_be_a_directory(tmp_path: Path, kind: str) -> None:
    """A missing content directory or a file in its place raises ContentError at 1:1."""
    target = tmp_path / "content"
    if kind == "file":
        target.write_text("x")
    with pytest.raises(ContentError) as info:
        load_content(target)
    message = (
        "content directory not found" if kind == "missing" else ("content path is not a directory")
    )
    assert info.value.issues == [ContentIssue(SourceLocation(str(target), 1, 1), message)]


def test_stray_top_level_files(tmp_path: Path) -> None:
    """Files at the top besides company.yaml/org.yaml/README are errors (with a hint)."""
    root = make_content(
        tmp_path,
        minimal({"company.yml": "name: x\n", "notes.txt": "x", "_private.yaml": "a: 1\n"}),
    )
    expected = (
        "unexpected file: the content directory holds company.yaml, org.yaml and one "
        "folder per cycle"
    )
    assert [str(i) for i in load_content(root).issues] == [
        f"content/_private.yaml:1:1: {expected}",
        f"content/company.yml:1:1: {expected} (did you mean company.yaml?)",
        f"content/notes.txt:1:1: {expected}",
    ]


def test_not_a_unit_file(tmp_path: Path) -> None:
    """A non-unit file in a cycle folder is reported; hidden files are ignored."""
    root = make_content(
        tmp_path,
        minimal(
            {
                "2026-Q1/notes.txt": "x",
                "2026-Q1/.swp": "x",
                "2026-Q1/product.json": "{}",
                "2026-Q1/.yaml": "a: 1\n",
            }
        ),
    )
    assert [str(i) for i in load_content(root).issues] == [
        "content/2026-Q1/notes.txt:1:1: not a unit file: expected <unit>.yaml or <unit>.md",
        "content/2026-Q1/product.json:1:1: not a unit file: expected <unit>.yaml or <unit>.md",
    ]


def test_two_files_for_one_unit(tmp_path: Path) -> None:
    """product.md and product.yaml: the second (by name) is reported and not loaded."""
    root = make_content(
        tmp_path,
        minimal(
            {
                "2026-Q1/product.yaml": "status: locked\n",
                "2026-Q1/product.md": "---\nstatus: draft\n---\n",
                "2026-Q1/sales.yaml": "status: draft\n",
                "2026-Q1/sales.yml": "status: draft\n",
            }
        ),
    )
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        "content/2026-Q1/product.yaml:1:1: unit 'product' already has a file in this cycle "
        "(product.md); keep only one",
        "content/2026-Q1/sales.yml:1:1: unit 'sales' already has a file in this cycle "
        "(sales.yaml); keep only one",
    ]
    assert raw.cycle_files["2026-Q1"]["product"].data == {"status": "draft"}


def test_nested_folder_in_cycle(tmp_path: Path) -> None:
    """A folder inside a cycle folder is an error and is not walked."""
    root = make_content(tmp_path, minimal({"2026-Q1/product/x.yaml": "a: 1\n"}))
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        "content/2026-Q1/product:1:1: unexpected folder inside cycle folder '2026-Q1': "
        "unit files go directly in the cycle folder"
    ]
    assert raw.cycle_files == {"2026-Q1": {}}


def test_symlink_outside_content_is_not_read(tmp_path: Path) -> None:
    """A link to a file or folder outside the content directory is reported and not read."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (tmp_path / "elsewhere").mkdir()
    root = make_content(tmp_path, minimal())
    (root / "2026-Q1").mkdir()
    (root / "2026-Q1" / "product.yaml").symlink_to(secret)
    (root / "2026-Q2").symlink_to(tmp_path / "elsewhere")
    (root / "org.yaml").unlink()
    (root / "org.yaml").symlink_to("/etc/hostname")
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        "content/2026-Q1/product.yaml:1:1: symbolic link points outside the content directory",
        "content/2026-Q2:1:1: symbolic link points outside the content directory",
        "content/org.yaml:1:1: symbolic link points outside the content directory",
    ]
    assert raw.cycle_files == {"2026-Q1": {}} and raw.org is None


def test_symlink_inside_content_is_followed(tmp_path: Path) -> None:
    """A relative link to another file inside the content directory is read."""
    root = make_content(tmp_path, minimal({"2026-Q1/product.yaml": "status: draft\n"}))
    (root / "2026-Q2").mkdir()
    (root / "2026-Q2" / "product.yaml").symlink_to("../2026-Q1/product.yaml")
    raw = load_content(root)
    assert raw.issues == []
    assert raw.cycle_files["2026-Q2"]["product"].data == {"status": "draft"}
    assert raw.cycle_files["2026-Q2"]["product"].path == "content/2026-Q2/product.yaml"


def test_broken_symlink(tmp_path: Path) -> None:
    """A link to nothing is reported."""
    root = make_content(tmp_path, minimal())
    (root / "2026-Q1").mkdir()
    (root / "2026-Q1" / "gone.yaml").symlink_to("nowhere.yaml")
    assert [str(i) for i in load_content(root).issues] == [
        "content/2026-Q1/gone.yaml:1:1: broken symbolic link (its target does not exist)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    """A FIFO named like a unit file is reported instead of blocking the build."""
    root = make_content(tmp_path, minimal())
    (root / "2026-Q1").mkdir()
    os.mkfifo(root / "2026-Q1" / "product.yaml")
    assert [str(i) for i in load_content(root).issues] == [
        "content/2026-Q1/product.yaml:1:1: not a regular file"
    ]


def test_large_unit_file_in_directory(tmp_path: Path) -> None:
    """A unit file over 1 MiB is reported by size without being parsed."""
    root = make_content(tmp_path, minimal({"2026-Q1/big.yaml": b"a: " + b"x" * (1 << 20)}))
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        f"content/2026-Q1/big.yaml:1:1: file is too large ({(1 << 20) + 3} bytes; "
        "the limit is 1 MiB)"
    ]
    assert raw.cycle_files["2026-Q1"] == {}


def test_all_issues_collected_and_sorted(tmp_path: Path) -> None:
    """Problems in many files are all reported, sorted, and good files still load."""
    root = make_content(
        tmp_path,
        minimal(
            {
                "2026-Q1/b.yaml": "a: 1\na: 2\n",
                "2026-Q1/a.yaml": "x: !!python/object:os.system 1\n",
                "2026-Q1/c.yaml": "status: draft\n",
            }
        ),
    )
    raw = load_content(root)
    assert [str(i) for i in raw.issues] == [
        "content/2026-Q1/a.yaml:1:4: tags such as '!!python/object:os.system' are not allowed; "
        "remove the tag",
        "content/2026-Q1/b.yaml:2:1: duplicate key 'a' (first defined on line 1)",
    ]
    assert set(raw.cycle_files["2026-Q1"]) == {"b", "c"}
    assert raw.cycle_files["2026-Q1"]["b"].data == {"a": 1}


def test_display_path_uses_content_dir_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths are relative to the content dir's parent, also when given as '.'."""
    root = make_content(tmp_path, minimal())
    (root.parent / "okrs").mkdir()
    monkeypatch.chdir(root)
    raw = load_content(Path("."))
    assert raw.company is not None and raw.company.path == "content/company.yaml"


def test_load_content_does_not_print(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The loader never prints, even with many problems."""
    root = make_content(tmp_path, {"x.txt": "x", "2026-Q1/a.yaml": "a: [\n"})
    load_content(root)
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------
# A LoadCache (kept by a preview server across rebuilds)

MIXED_UNIT_FILES: dict[str, str | bytes] = {
    "2026-Q1/a-good.yaml": "status: locked\nobjectives: []\n",
    "2026-Q1/b-dates.yaml": "a: [2026-01-19, 0.7, .nan, 0x1F, 2026-01-19 10:30:00+02:00]\n",
    "2026-Q1/c-duplicate.yaml": "a: 1\na: 2\nb: {c: [1, {d: e}]}\n",
    "2026-Q1/d-syntax.yaml": "a: [1, 2\nb: 3\n",
    "2026-Q1/e-tag.yaml": "x: !!python/object:os.system 1\n",
    "2026-Q1/f-notes.md": "---\nstatus: review\n---\nNotes\n",
    "2026-Q1/g-bytes.yaml": b"a: \xff\n",
    "2026-Q1/h-empty.yaml": "",
    "2026-Q1/i-list.yaml": "- 1\n",
    "2026-Q1/j-keys.yaml": "1: x\n[a]: y\n<<: {z: 1}\nok: fine\n",
    "2026-Q1/k.txt": "not a unit file",
    "2026-Q2/sales.yaml": "status: draft\n",
}


def _same_content(one: RawContent, other: RawContent) -> None:
    """Data, locations (in order), bodies and issues are equal."""
    assert [str(i) for i in other.issues] == [str(i) for i in one.issues]
    assert list(other.cycle_files) == list(one.cycle_files)
    for cycle, files in one.cycle_files.items():
        assert list(other.cycle_files[cycle]) == list(files)
        for unit, loaded in files.items():
            twin = other.cycle_files[cycle][unit]
            assert repr(twin.data) == repr(loaded.data)
            assert twin.body == loaded.body
            assert list(twin.value_locations.items()) == list(loaded.value_locations.items())
            assert list(twin.key_locations.items()) == list(loaded.key_locations.items())


def test_a_cached_load_gives_exactly_the_uncached_results(tmp_path: Path) -> None:
    """With a cache, first and repeated loads equal a load without one, issues included."""
    root = make_content(tmp_path, minimal(MIXED_UNIT_FILES))
    plain = load_content(root)
    cache = LoadCache()
    first = load_content(root, cache)
    again = load_content(root, cache)
    assert len(plain.issues) > 8  # the mixed files really are full of problems
    for loaded in (first, again):
        _same_content(plain, loaded)


def test_a_cache_parses_only_changed_files_again(tmp_path: Path) -> None:
    """Unchanged bytes give the very same file object; an edited file is read afresh."""
    root = make_content(tmp_path, minimal(MIXED_UNIT_FILES))
    cache = LoadCache()
    first = load_content(root, cache)
    (root / "2026-Q1" / "a-good.yaml").write_text("status: draft\nobjectives: []\n")
    second = load_content(root, cache)
    q1_before, q1_after = first.cycle_files["2026-Q1"], second.cycle_files["2026-Q1"]
    assert q1_after["b-dates"] is q1_before["b-dates"]
    assert q1_after["a-good"] is not q1_before["a-good"]
    assert q1_after["a-good"].data == {"status": "draft", "objectives": []}
    assert load_content(root).cycle_files["2026-Q1"]["b-dates"] is not q1_before["b-dates"]


def test_issue_lists_from_a_cache_are_the_callers_own(tmp_path: Path) -> None:
    """Changing the issues of one load does not change what the next load reports."""
    root = make_content(tmp_path, minimal({"2026-Q1/a.yaml": "a: 1\na: 2\n"}))
    cache = LoadCache()
    first = load_content(root, cache)
    first.issues.clear()
    assert [str(i) for i in load_content(root, cache).issues] == [
        "content/2026-Q1/a.yaml:2:1: duplicate key 'a' (first defined on line 1)"
    ]


def test_document_start_errors_are_in_okrsite_words() -> None:
    """libyaml's "did not find expected <document start>" (its grammar's words,
    which change between releases) becomes okrsite's own located message."""
    assert problems("%YAML 1.1\nname: Acme\n") == [
        at(2, 1, "expected '---' before this line: a '%' directive line must be followed "
           "by '---'; remove the directive (okrsite files need none)")
    ]
    assert problems("a: 1\n... x\n") == [
        at(2, 5, "expected '---' to start a new document here; a file holds one mapping")
    ]


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(["\x00", "\x0b", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\ufffe"]),
            st.sampled_from(["\uffff", "\ufffd", "\ud800", "\udfff", "\U0001f600", "é", "°", "\t"]),
        ),
        max_size=40,
    )
)
def test_the_quick_look_at_text_agrees_with_the_pattern(text: str) -> None:
    """``check_text`` skips the pattern when its UTF-8 bytes show the text
    clean: never for a text the pattern refuses, and the issue is the same."""
    from okrsite.source.text import NON_PRINTABLE, _surely_printable, check_text

    if _surely_printable(text):
        assert NON_PRINTABLE.search(text) is None
    assert bool(check_text(text, "x.yaml")) is (
        NON_PRINTABLE.search(text) is not None or text.startswith("\ufeff")
    )
    if text.isascii() and NON_PRINTABLE.search(text) is None:
        assert _surely_printable(text)  # the usual file: the pattern is skipped
