"""Property tests of the strict loader: no input makes it raise, valid data round-trips.

YAML files come from pull requests, so ``okrsite.source`` must turn *any* bytes
into either a loaded file or a list of located issues, never a traceback.

By default each property runs a bounded number of examples (the whole module
takes a few seconds). To fuzz harder, set ``OKRSITE_FUZZ_EXAMPLES``::

    OKRSITE_FUZZ_EXAMPLES=20000 python -m pytest tests/test_load_fuzz.py -q

Hypothesis keeps failing examples in ``.hypothesis/`` and replays them first.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrsite.source import LoadedFile, parse_unit_file, parse_yaml, yaml_events

EXAMPLES = int(os.environ.get("OKRSITE_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VALID_UNIT_FILE = """\
status: locked                  # draft | review | locked | graded
objectives:
  - id: easier-start
    title: Make it easier for mid-market customers to get started
    owner: Priya Shah
    aligns_to: [company/midmarket]
    key_results:
      - id: time-to-value
        title: "Cut time to first value: days"
        start: 14
        target: 5
        current: 9
        unit: days
        contributes_to: [company/midmarket/retention]
        checkins:
          - {date: 2026-01-19, value: 12, confidence: 0.7, note: Trial checklist live}
        score: 0.6
health_metrics:
  - {title: Ticket first response, target: "< 4h", current: '3.1h', status: ok}
notes: |
  Free text with 'quotes' and: colons.
"""
YAML_ALPHABET = " \t\n\r:-?[]{},#&*!|>'\"%@`~.0123456789abcxyzTFN<=\\\x00\x85\u2028\ufeffé"


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each property runs with the C parser and with PyYAML's pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_events, "_Loader", yaml.SafeLoader)
    return str(request.param)


def check_result(result: tuple[LoadedFile | None, list[Any]], text_lines: int) -> None:
    """The loader's contract: a file or issues; every location is real and 1-based."""
    loaded, issues = result
    assert loaded is not None or issues, "neither a file nor an issue"
    for issue in issues:
        assert issue.location.line >= 1 and issue.location.column >= 1
        assert issue.location.line <= text_lines + 1
        assert issue.message and "Traceback" not in issue.message
    if loaded is not None:
        assert isinstance(loaded.data, dict)
        assert () in loaded.value_locations
        for path in loaded.value_locations:
            resolve(loaded.data, path)  # every recorded path exists in the data
        for path in loaded.key_locations:
            assert path and isinstance(path[-1], str)
            resolve(loaded.data, path)
        for line, column in [*loaded.value_locations.values(), *loaded.key_locations.values()]:
            assert 1 <= line <= text_lines + 1 and column >= 1


def resolve(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def line_count(raw: bytes | str) -> int:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return len(re.split("\r\n|[\r\n\x85\u2028\u2029]", raw))


# --------------------------------------------------------------------------
# (1) Random input never raises


@FUZZ
@given(raw=st.binary(max_size=600))
def test_random_bytes_never_raise(parser: str, raw: bytes) -> None:
    """Any bytes give a file or located issues, as .yaml and as .md."""
    check_result(parse_yaml(raw, "c/x.yaml"), line_count(raw))
    check_result(parse_unit_file(raw, "c/x.md"), line_count(raw))


@FUZZ
@given(text=st.text(alphabet=YAML_ALPHABET, max_size=300))
def test_random_yaml_like_text_never_raises(parser: str, text: str) -> None:
    """Text made of YAML's special characters (reaching deep parser paths) never raises."""
    check_result(parse_yaml(text, "c/x.yaml"), line_count(text))
    raw = text.encode("utf-8", "surrogatepass")
    check_result(parse_unit_file(b"---\n" + raw + b"\n---\n", "c/x.md"), line_count(text) + 3)


# --------------------------------------------------------------------------
# (2) Plain data dumped by yaml.safe_dump round-trips


# YAML 1.2 numbers that YAML 1.1 (and so yaml.safe_dump) writes unquoted: we
# read these as numbers, by design. Independent of the loader's own regexes.
YAML12_ONLY_NUMBER = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# What a YAML file may contain at all (YAML's printable set): escapes for the rest are refused.
PRINTABLE = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def honest_text() -> st.SearchStrategy[str]:
    """Strings that mean text under both YAML 1.1 and our YAML 1.2-like reading.

    Also left out: U+0085/U+2028/U+2029. They are YAML line breaks, and
    ``safe_dump(allow_unicode=True)`` writes them raw inside quotes, where YAML
    folds them into spaces (an emitter quirk, not a loader bug).
    """
    return st.text(max_size=40).filter(
        lambda s: (
            PRINTABLE.fullmatch(s) is not None
            and not YAML12_ONLY_NUMBER.fullmatch(s)
            and not any(c in s for c in "\x85\u2028\u2029")
        )
    )


# Text that YAML 1.1 or 1.2 could read as something else, and YAML punctuation.
TRICKY_TEXT = [
    *("yes", "no", "on", "off", "NO", "y", "n", "~", "null", "true", "<<"),
    *("0777", "1:20", "2026-01-19", "0x1F", "- a", "a: b", "#x", "'", '"', "", " "),
    *("@x", "%x", "!x", "&x", "*x", "|", ">", "? x", "[", "{"),
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.dates()
    | honest_text()
    | st.sampled_from(TRICKY_TEXT)
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists and text-keyed mappings of ``children`` (the recursive step)."""
    return st.lists(children, max_size=4) | st.dictionaries(honest_text(), children, max_size=4)


PLAIN_DATA = st.recursive(SCALARS, containers, max_leaves=25)


@FUZZ
@given(value=PLAIN_DATA, style=st.sampled_from([None, False, True]))
def test_safe_dump_round_trips(parser: str, value: Any, style: bool | None) -> None:
    """yaml.safe_dump of plain data (block, flow or mixed style) loads back equal."""
    document = {"root": value}
    text = yaml.safe_dump(document, default_flow_style=style, allow_unicode=True, sort_keys=False)
    loaded, issues = parse_yaml(text.encode("utf-8"), "c/x.yaml")
    assert issues == [], text
    assert loaded is not None
    assert loaded.data == document
    assert same_types(loaded.data, document), text


def same_types(left: Any, right: Any) -> bool:
    """Equal is not enough: True == 1 and a date is not a datetime."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same_types(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return all(same_types(a, b) for a, b in zip(left, right, strict=True))
    return True


@FUZZ
@given(value=PLAIN_DATA)
def test_safe_dump_round_trips_as_front_matter(parser: str, value: Any) -> None:
    """The same data as .md front matter loads back equal, with the body intact."""
    front = yaml.safe_dump({"root": value}, allow_unicode=True, sort_keys=False)
    raw = f"---\n{front}---\n# Notes\n\nbody\n".encode()
    loaded, issues = parse_unit_file(raw, "c/x.md")
    assert issues == [] and loaded is not None
    assert loaded.data == {"root": value} and loaded.body == "# Notes\n\nbody\n"


def test_round_trip_strategy_produces_dates_and_booleans() -> None:
    """The round-trip property really covers typed scalars (guards the strategy)."""
    text = yaml.safe_dump({"a": dt.date(2026, 1, 19), "b": True, "c": "yes", "d": None})
    assert parse_yaml(text, "x")[0].data == {  # type: ignore[union-attr]
        "a": dt.date(2026, 1, 19),
        "b": True,
        "c": "yes",
        "d": None,
    }


# --------------------------------------------------------------------------
# (3) Mutated valid YAML never raises


@st.composite
def mutated(draw: st.DrawFn, source: str = VALID_UNIT_FILE) -> str:
    """VALID_UNIT_FILE with a few random deletions, insertions and replacements."""
    text = source
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        length = draw(st.integers(min_value=1, max_value=4))
        insert = draw(
            st.text(alphabet=YAML_ALPHABET, min_size=1, max_size=4)
            | st.text(min_size=1, max_size=2)
        )
        if action == "delete":
            text = text[:position] + text[position + length :]
        elif action == "insert":
            text = text[:position] + insert + text[position:]
        else:
            text = text[:position] + insert + text[position + length :]
    return text


@FUZZ
@given(text=mutated())
def test_mutated_yaml_never_raises(parser: str, text: str) -> None:
    """Random edits of a valid unit file give a file or located issues, never an exception."""
    raw = text.encode("utf-8", "surrogatepass")
    check_result(parse_yaml(raw, "c/x.yaml"), line_count(text))
    check_result(parse_yaml(text, "c/x.yaml"), line_count(text))
    check_result(parse_unit_file(b"---\n" + raw + b"---\nbody\n", "c/x.md"), line_count(text) + 3)


def test_unmutated_source_is_valid() -> None:
    """The seed of the mutation test loads cleanly (so mutations start from valid YAML)."""
    loaded, issues = parse_yaml(VALID_UNIT_FILE, "c/x.yaml")
    assert issues == [] and loaded is not None
    assert loaded.data["objectives"][0]["key_results"][0]["checkins"][0]["date"] == dt.date(
        2026, 1, 19
    )
