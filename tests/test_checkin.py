"""Round-trip check-in editing (okrsite.review.checkin): only the check-in is added."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from okrsite.errors import OkrsiteError
from okrsite.model import UnitCycleFile
from okrsite.review import checkin as checkin_module
from okrsite.review.checkin import (
    CheckinError,
    add_checkin,
    add_checkin_to_file,
    find_unit_file,
    quote,
)
from okrsite.source import parse_unit_file

CHECKIN = {"date": dt.date(2026, 11, 23), "value": 12, "confidence": 0.7, "note": "On track"}
NEW_FLOW = '{date: 2026-11-23, value: 12, confidence: 0.7, note: "On track"}'

UNIT_FILE = """\
# Product OKRs for Q1 — keep this comment
status: locked                  # draft | review | locked | graded
objectives:
  - id: easier-start            # slug, unique within the unit and cycle
    title: 'Make it easier for mid-market customers to get started'
    owner: "Priya Shah"
    key_results:
      - id: time-to-value
        title: Cut time to first value
        start: 14
        target: 5
        current: 9    # days, from the dashboard
        unit: days
        checkins:
          - {date: 2026-01-19, value: 12, confidence: 0.7, note: Trial checklist live}
          - {date: 2026-01-26, value: 11, confidence: 0.7}   # slow week

        score: 0.6              # set at grading
      - id: activation
        title: Raise activation
        start: 20
        target: 35
        unit: "%"

      # next KR is a draft
      - id: nps
        title: Lift NPS
        target: 40
  - id: second
    title: Second objective
    key_results:
    - id: blocky
      title: Block style check-ins
      current: 3
      checkins:
      - date: 2026-01-01
        value: 3
        note: |
          first week

    - {id: flowy, title: Flow style KR, target: 4}
    - id: listy
      title: Flow list of check-ins
      current: 1
      checkins: [{date: 2026-01-05, value: 1}]
    - id: empty
      title: Empty flow list
      checkins: []
health_metrics:
  - {title: Ticket first response, target: "< 4h", current: "3.1h", status: ok}
"""


def changes(old: str, new: str) -> list[tuple[str, list[str], list[str]]]:
    """Line-level differences as (tag, old lines, new lines), equal runs left out."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        (tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def loaded_kr(text: str, objective_id: str, kr_id: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    objective = next(o for o in data["objectives"] if o["id"] == objective_id)
    return next(k for k in objective["key_results"] if k["id"] == kr_id)


def test_appends_flow_item_after_last_item_and_changes_nothing_else() -> None:
    """A new `- {…}` line lands right after the last item; only `current`'s token changes."""
    new = add_checkin(UNIT_FILE, "easier-start", "time-to-value", CHECKIN)
    expected = UNIT_FILE.replace(
        "        current: 9    # days, from the dashboard\n",
        "        current: 12    # days, from the dashboard\n",
    ).replace(
        "   # slow week\n",
        f"   # slow week\n          - {NEW_FLOW}\n",
    )
    assert new == expected


def test_diff_shows_only_the_expected_lines() -> None:
    """difflib sees one replaced line (current) and one inserted line, nothing else."""
    new = add_checkin(UNIT_FILE, "easier-start", "time-to-value", CHECKIN)
    assert changes(UNIT_FILE, new) == [
        (
            "replace",
            ["        current: 9    # days, from the dashboard\n"],
            ["        current: 12    # days, from the dashboard\n"],
        ),
        ("insert", [], [f"          - {NEW_FLOW}\n"]),
    ]


def test_kr_without_checkins_and_current_gets_both() -> None:
    """`current` goes after `target`; `checkins:` at the KR's indentation after its last line."""
    new = add_checkin(UNIT_FILE, "easier-start", "activation", CHECKIN)
    assert changes(UNIT_FILE, new) == [
        ("insert", [], ["        current: 12\n"]),
        ("insert", [], ["        checkins:\n", f"          - {NEW_FLOW}\n"]),
    ]
    assert new.index("current: 12") > new.index("target: 35")
    assert new.index("checkins:\n          - {date: 2026-11-23") < new.index("# next KR")


def test_last_kr_in_objective_gets_checkins_before_next_objective() -> None:
    """Inserting at the end of the last KR keeps the next objective where it was."""
    new = add_checkin(UNIT_FILE, "easier-start", "nps", CHECKIN)
    kr = loaded_kr(new, "easier-start", "nps")
    assert kr["checkins"][-1]["note"] == "On track"
    assert kr["current"] == 12
    assert new.index(NEW_FLOW) < new.index("  - id: second")


def test_block_style_items_are_matched() -> None:
    """Existing block-mapping items make the new item block style at the same columns."""
    new = add_checkin(UNIT_FILE, "second", "blocky", CHECKIN)
    assert changes(UNIT_FILE, new) == [
        ("replace", ["      current: 3\n"], ["      current: 12\n"]),
        (
            "insert",
            [],
            [
                "      - date: 2026-11-23\n",
                "        value: 12\n",
                "        confidence: 0.7\n",
                '        note: "On track"\n',
            ],
        ),
    ]
    # The block scalar's trailing blank line stays below the new item.
    assert '        note: "On track"\n\n    - {id: flowy' in new
    assert loaded_kr(new, "second", "blocky")["checkins"][0]["note"] == "first week\n"


def test_flow_list_of_checkins_is_extended_in_place() -> None:
    """`checkins: [{…}]` gets `, {…}` inside the brackets on the same line."""
    new = add_checkin(UNIT_FILE, "second", "listy", CHECKIN)
    assert changes(UNIT_FILE, new) == [
        (
            "replace",
            ["      current: 1\n", "      checkins: [{date: 2026-01-05, value: 1}]\n"],
            [
                "      current: 12\n",
                f"      checkins: [{{date: 2026-01-05, value: 1}}, {NEW_FLOW}]\n",
            ],
        ),
    ]


def test_empty_flow_list_gets_its_first_item() -> None:
    """`checkins: []` becomes `checkins: [{…}]`, and `current` is added."""
    new = add_checkin(UNIT_FILE, "second", "empty", CHECKIN)
    assert f"      checkins: [{NEW_FLOW}]\n" in new
    assert loaded_kr(new, "second", "empty")["current"] == 12


def test_flow_style_kr_gets_keys_inside_its_braces() -> None:
    """A KR written as `- {id: …}` keeps one line with `current` and `checkins` appended."""
    new = add_checkin(UNIT_FILE, "second", "flowy", CHECKIN)
    assert changes(UNIT_FILE, new) == [
        (
            "replace",
            ["    - {id: flowy, title: Flow style KR, target: 4}\n"],
            [
                "    - {id: flowy, title: Flow style KR, target: 4, current: 12, "
                f"checkins: [{NEW_FLOW}]}}\n"
            ],
        ),
    ]


def test_checkin_without_value_leaves_current_alone() -> None:
    """A milestone check-in (`done`) changes no `current:` line."""
    new = add_checkin(
        UNIT_FILE, "easier-start", "time-to-value", {"date": "2026-11-23", "done": True}
    )
    assert changes(UNIT_FILE, new) == [
        ("insert", [], ["          - {date: 2026-11-23, done: true}\n"]),
    ]


def test_empty_current_gets_a_value() -> None:
    """`current:` with no value (null) gets the value after the colon, comment kept."""
    text = UNIT_FILE.replace(
        "        current: 9    # days, from the dashboard\n", "        current:    # days\n"
    )
    new = add_checkin(text, "easier-start", "time-to-value", CHECKIN)
    assert "        current: 12    # days\n" in new
    assert loaded_kr(new, "easier-start", "time-to-value")["current"] == 12


@pytest.mark.parametrize(
    "note",
    [
        "a: b # c",
        "'; rm -rf /",
        'say "hi" \\ bye',
        "line one\nline two\n---\nstatus: draft",
        "- {date: 2020-01-01}\n  - x",
        "}]{[,",
        "tab\tcarriage\rnel\x85ls\u2028ps\u2029del\x7fbom\ufeffnul\x00",
        "  leading and trailing spaces  ",
        "&anchor *alias !!python/object:os.system",
        "é ü 日本 😀",
    ],
)
def test_hostile_notes_cannot_break_the_file(note: str) -> None:
    """Any note is one quoted line: it loads back exactly and adds no keys or lines."""
    new = add_checkin(UNIT_FILE, "easier-start", "time-to-value", {**CHECKIN, "note": note})
    assert len(new.splitlines()) == len(UNIT_FILE.splitlines()) + 1
    kr = loaded_kr(new, "easier-start", "time-to-value")
    assert kr["checkins"][-1] == {
        "date": dt.date(2026, 11, 23),
        "value": 12,
        "confidence": 0.7,
        "note": note,
    }
    assert yaml.safe_load(new)["status"] == "locked"


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_note_round_trips(note: str) -> None:
    """Property: for any string, the note loads back unchanged and the file grows one line."""
    new = add_checkin(UNIT_FILE, "second", "listy", {"date": "2026-11-23", "note": note})
    assert loaded_kr(new, "second", "listy")["checkins"][-1]["note"] == note
    assert new.count("\n") == UNIT_FILE.count("\n")


@pytest.mark.parametrize(
    "text",
    ["plain", "a: b # c", "x\ny", "\x00\x7f\x85\u2028\ufeff", "😀", '"\\'],
)
def test_quote_is_one_line_and_round_trips(text: str) -> None:
    """quote() yields a single-line double-quoted scalar that YAML reads back as the input."""
    token = quote(text)
    assert "\n" not in token and "\r" not in token
    assert token.startswith('"') and token.endswith('"')
    assert yaml.safe_load(f"k: {token}  # comment") == {"k": text}


def test_missing_objective_is_a_clear_error() -> None:
    """An unknown objective id raises an OkrsiteError naming it and the known ids."""
    with pytest.raises(CheckinError) as info:
        add_checkin(UNIT_FILE, "nope", "time-to-value", CHECKIN)
    assert isinstance(info.value, OkrsiteError)
    assert "objective 'nope' not found" in str(info.value)
    assert "'easier-start'" in str(info.value) and "'second'" in str(info.value)


def test_missing_kr_is_a_clear_error() -> None:
    """An unknown key result id raises an OkrsiteError naming it, its objective and the ids."""
    with pytest.raises(CheckinError) as info:
        add_checkin(UNIT_FILE, "easier-start", "missing-kr", CHECKIN)
    message = str(info.value)
    assert "key result 'missing-kr' not found in objective 'easier-start'" in message
    assert "'time-to-value'" in message and "'nps'" in message


def test_kr_of_another_objective_is_not_found() -> None:
    """KR ids are looked up inside the named objective only."""
    with pytest.raises(CheckinError, match="key result 'blocky' not found"):
        add_checkin(UNIT_FILE, "easier-start", "blocky", CHECKIN)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"date": "2026-13-40"}, "not YYYY-MM-DD"),
        ({"date": "2026-11-23", "confidence": 1.5}, "confidence"),
        ({"date": "2026-11-23", "mood": "great"}, "unknown check-in field"),
        ({"value": 3}, "date"),
        ({"date": "2026-11-23", "value": float("nan")}, "value"),
        ({"date": "2026-11-23", "note": ""}, "note"),
    ],
)
def test_invalid_checkin_is_rejected(bad: dict[str, Any], message: str) -> None:
    """A check-in the model would reject raises CheckinError before any edit."""
    with pytest.raises(CheckinError, match=message):
        add_checkin(UNIT_FILE, "easier-start", "time-to-value", bad)


def test_markdown_front_matter_only_yaml_is_edited() -> None:
    """In a .md file the check-in goes into the front matter; the body is byte-identical."""
    body = "\n# Notes\n\nSome text with --- and `checkins:` in it.\n\n---\n\nMore.\n"
    text = "---\n" + UNIT_FILE + "---\n" + body
    new = add_checkin(text, "easier-start", "activation", CHECKIN, front_matter=True)
    assert new.endswith("---\n" + body)
    front = new[4 : new.index("\n---\n") + 1]
    assert loaded_kr(front, "easier-start", "activation")["checkins"][0]["note"] == "On track"
    assert changes(text, new) == changes(
        UNIT_FILE, add_checkin(UNIT_FILE, "easier-start", "activation", CHECKIN)
    )


def test_front_matter_detected_automatically() -> None:
    """With front_matter=None a leading `---` block is found and the body left alone."""
    text = "---\n" + UNIT_FILE + "---\nobjectives: this is body text, not YAML\n"
    new = add_checkin(text, "easier-start", "time-to-value", CHECKIN)
    assert new.endswith("---\nobjectives: this is body text, not YAML\n")
    assert NEW_FLOW in new


def test_markdown_without_front_matter_is_an_error() -> None:
    """front_matter=True without a closing `---` raises instead of guessing."""
    with pytest.raises(CheckinError, match="front matter"):
        add_checkin("# Just markdown\n", "a", "b", CHECKIN, front_matter=True)


def test_crlf_line_endings_are_kept() -> None:
    """A CRLF file stays CRLF: the inserted lines use CRLF too."""
    text = UNIT_FILE.replace("\n", "\r\n")
    new = add_checkin(text, "easier-start", "activation", CHECKIN)
    assert "\n" not in new.replace("\r\n", "")
    assert new.count("\r\n") == text.count("\r\n") + 3


def test_file_without_final_newline() -> None:
    """A KR on the last, unterminated line still gets a well-formed check-in."""
    text = (
        "objectives:\n- id: o\n  title: O\n  key_results:\n  - id: k\n    title: K\n    target: 3"
    )
    new = add_checkin(text, "o", "k", CHECKIN)
    assert new.startswith(text + "\n")
    assert new == text + f"\n    current: 12\n    checkins:\n    - {NEW_FLOW}\n"


def test_invalid_yaml_is_refused() -> None:
    """A file that is not YAML raises CheckinError rather than being edited."""
    with pytest.raises(CheckinError, match="not valid YAML"):
        add_checkin("objectives: [\n", "a", "b", CHECKIN)


def test_broken_edit_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """If an edit changed other data, the re-parse check raises instead of returning it."""
    original_apply = checkin_module._Editor.apply

    def sloppy_apply(self: Any) -> str:
        return original_apply(self).replace("target: 5", "target: 6")

    monkeypatch.setattr(checkin_module._Editor, "apply", sloppy_apply)
    with pytest.raises(CheckinError, match="internal error"):
        add_checkin(UNIT_FILE, "easier-start", "time-to-value", CHECKIN)


def test_add_checkin_to_file_writes_atomically(tmp_path: Path) -> None:
    """The file gets the new text, keeps its mode, and no temporary file is left."""
    path = tmp_path / "product.yaml"
    path.write_bytes(UNIT_FILE.encode("utf-8"))
    os.chmod(path, 0o640)
    add_checkin_to_file(path, "easier-start", "time-to-value", CHECKIN)
    assert path.read_text(encoding="utf-8") == add_checkin(
        UNIT_FILE, "easier-start", "time-to-value", CHECKIN
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["product.yaml"]


def test_add_checkin_to_md_file_uses_front_matter(tmp_path: Path) -> None:
    """A .md unit file is edited in its front matter; its Markdown body is untouched."""
    path = tmp_path / "product.md"
    body = "\nBody with objectives: and ---\n"
    path.write_text("---\n" + UNIT_FILE + "---\n" + body, encoding="utf-8")
    add_checkin_to_file(path, "easier-start", "nps", CHECKIN)
    assert path.read_text(encoding="utf-8").endswith("---\n" + body)
    assert NEW_FLOW in path.read_text(encoding="utf-8")


def test_failed_edit_leaves_file_untouched(tmp_path: Path) -> None:
    """On an error the file keeps its bytes, the error names the file, and no temp file stays."""
    path = tmp_path / "product.yaml"
    path.write_text(UNIT_FILE, encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        add_checkin_to_file(path, "easier-start", "ghost", CHECKIN)
    assert str(path) in str(info.value)
    assert path.read_text(encoding="utf-8") == UNIT_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["product.yaml"]


def test_find_unit_file(tmp_path: Path) -> None:
    """Finds <unit>.yaml or <unit>.md in the cycle folder; refuses none or both."""
    cycle = tmp_path / "2026-Q1"
    cycle.mkdir()
    (cycle / "product.yaml").write_text("objectives: []\n", encoding="utf-8")
    (cycle / "sales.md").write_text("---\nobjectives: []\n---\n", encoding="utf-8")
    assert find_unit_file(tmp_path, "2026-Q1", "product") == cycle / "product.yaml"
    assert find_unit_file(tmp_path, "2026-Q1", "sales") == cycle / "sales.md"
    with pytest.raises(CheckinError, match="no file for unit 'legal'"):
        find_unit_file(tmp_path, "2026-Q1", "legal")
    (cycle / "product.md").write_text("---\n---\n", encoding="utf-8")
    with pytest.raises(CheckinError, match="keep one"):
        find_unit_file(tmp_path, "2026-Q1", "product")
    with pytest.raises(CheckinError, match="not a unit id"):
        find_unit_file(tmp_path, "2026-Q1", "../etc")


@pytest.mark.parametrize(
    ("objective_id", "kr_id"),
    [
        ("easier-start", "time-to-value"),
        ("easier-start", "activation"),
        ("second", "blocky"),
        ("second", "flowy"),
        ("second", "listy"),
        ("second", "empty"),
    ],
)
@pytest.mark.parametrize("suffix", [".yaml", ".md"])
def test_edited_file_passes_okrsites_own_loader_and_model(
    objective_id: str, kr_id: str, suffix: str
) -> None:
    """The strict content loader reads the edited file without issues and the model accepts it."""
    text = UNIT_FILE if suffix == ".yaml" else "---\n" + UNIT_FILE + "---\nBody\n"
    note = "hostile: # note\n'quoted' \"double\" \\ 😀"
    new = add_checkin(text, objective_id, kr_id, {**CHECKIN, "note": note})
    loaded, issues = parse_unit_file(new.encode("utf-8"), f"content/2026-Q1/product{suffix}")
    assert issues == []
    assert loaded is not None
    unit = UnitCycleFile.model_validate(loaded.data)
    objective = next(o for o in unit.objectives if o.id == objective_id)
    kr = next(k for k in objective.key_results if k.id == kr_id)
    assert kr.checkins[-1].note == note
    assert kr.checkins[-1].date == dt.date(2026, 11, 23)
    assert kr.current == 12
