"""Append a check-in to a unit file without disturbing anything else in it.

Why: a weekly check-in should be one command and one small, reviewable commit.
Loading the YAML and dumping it again would lose comments, reorder keys,
requote strings and reflow lines, so the diff reviewers see would be noise.
Instead we *locate* the key result with ``yaml.compose`` (whose nodes carry
start/end marks) and insert a few lines of text at the right places. Every
other byte of the file stays as it was.

Safety: the check-in note is untrusted text. Strings are always written as
YAML double-quoted scalars with every non-printable character, quote,
backslash and line break escaped, so a note such as ``a: b # c`` or one with
newlines or ``---`` cannot change the structure of the file. After editing we
parse the result again and require it to equal the original data plus exactly
the new check-in (and the new ``current``); otherwise we raise and nothing is
written.

Only :func:`add_checkin_to_file` and :func:`find_unit_file` touch the disk.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from okrsite.analysis.cycles import current_cycle
from okrsite.model import SLUG_RE, CheckIn, Cycle, KeyResult, OkrModel
from okrsite.review.yamltext import Editor as _Editor
from okrsite.review.yamltext import (
    YamlEditError,
    compose,
    content_end,
    dash_column,
    flow_item,
    get_pair,
    is_empty_scalar,
    quote,
    scalar,
    sequence_offset,
    yaml_region,
)
from okrsite.source import UNIT_SUFFIXES
from okrsite.source.files import write_atomically

CheckinError = YamlEditError
"""The check-in cannot be added: unknown objective or key result, an invalid
check-in, a file layout we cannot edit safely, or a refused date or value.
The file is left unchanged."""

__all__ = [
    "CheckinError",
    "CheckinResult",
    "add_checkin",
    "add_checkin_to_file",
    "checkin_refusal",
    "find_unit_file",
    "plan_checkin",
    "quote",
    "resolve_cycle",
]


@dataclass(frozen=True)
class CheckinResult:
    """The edited text and what was written where."""

    text: str
    written: list[tuple[int, str]] = field(default_factory=list)
    """``(line, what)`` per change, lines 1-based in the new text, e.g.
    ``(17, "current: 9 → 12")``."""


# --------------------------------------------------------------------------
# public API


def add_checkin(
    text: str,
    objective_id: str,
    kr_id: str,
    checkin: Mapping[str, Any],
    *,
    front_matter: bool | None = None,
) -> str:
    """Return ``text`` with ``checkin`` appended (see :func:`plan_checkin`)."""
    return plan_checkin(text, objective_id, kr_id, checkin, front_matter=front_matter).text


def plan_checkin(
    text: str,
    objective_id: str,
    kr_id: str,
    checkin: Mapping[str, Any],
    *,
    front_matter: bool | None = None,
) -> CheckinResult:
    """``text`` with ``checkin`` appended to the key result's check-ins, and
    the lines written.

    ``text`` is a unit file: YAML, or Markdown with YAML front matter
    (``front_matter=None`` detects a leading ``---`` block; ``True`` requires
    one; ``False`` treats the whole text as YAML). ``checkin`` holds
    :class:`~okrsite.model.CheckIn` fields, e.g. ``{"date": date(2026, 11,
    23), "value": 12, "confidence": 0.7, "note": "..."}``; ``None`` values are
    left out and ``date`` may be an ISO string.

    What changes, and nothing else:

    * The new item is appended to the key result's ``checkins:`` list, in the
      style of the existing items (block list of flow mappings ``- {…}``,
      block list of block mappings, or a flow list ``[…]``) and at their
      indentation. Without a ``checkins:`` key, one is added at the key
      result's indentation after its last line, holding one ``- {…}`` item.
    * When the check-in has a ``value``, the key result's ``current:`` is set
      to it: if ``current:`` exists only its value token is replaced (its
      comment stays); if not, ``current: <value>`` is added after the
      ``target:`` line (or at the end of the key result). Check-ins without a
      ``value`` (e.g. milestone ``done``) leave ``current`` alone.
    * When the check-in has ``done`` and the key result has a ``done:`` key,
      its value is set to the check-in's (the key result's own ``done`` wins
      over its check-ins, so a "not done" check-in beside ``done: true``
      would change nothing).

    Raises :class:`CheckinError` if the objective or key result does not exist,
    the check-in is invalid, or the result would not parse back to the original
    data plus the new check-in.
    """
    start, end = yaml_region(text, front_matter)
    region = text[start:end]
    root = compose(region)
    fields = _checkin_fields(checkin)
    kr, kr_list_key = _find_key_result(root, objective_id, kr_id)
    editor = _Editor(text, start)
    offset = sequence_offset(editor, kr_list_key, kr)
    tokens = dict(fields)

    _append_checkin(editor, kr, fields, offset)
    if "value" in tokens:
        _set_scalar(editor, kr, "current", tokens["value"], add=True)
    if "done" in tokens:
        _set_scalar(editor, kr, "done", tokens["done"], add=False)

    result = editor.apply()
    new_start, new_end = yaml_region(result, front_matter)
    if result[:new_start] != text[:start] or result[new_end:] != text[end:]:
        raise CheckinError("internal error: the edit left the YAML; file left unchanged")
    _verify(region, result[new_start:new_end], objective_id, kr_id, fields)
    return CheckinResult(result, sorted(editor.placed))


def add_checkin_to_file(
    path: Path, objective_id: str, kr_id: str, checkin: Mapping[str, Any]
) -> list[tuple[int, str]]:
    """Add a check-in to the unit file at ``path`` and write it atomically;
    return what was written where (``(line, what)``, see :class:`CheckinResult`).

    ``.md`` files must have YAML front matter. The new text is written to a
    temporary file in the same directory and moved over the original with
    ``os.replace``, so an interrupted run never leaves a half-written file; the
    original's permission bits are kept.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CheckinError(f"{path}: cannot read the file ({error.strerror})") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CheckinError(f"{path}: not UTF-8 text ({error.reason})") from error
    try:
        planned = plan_checkin(
            text, objective_id, kr_id, checkin, front_matter=path.suffix.lower() == ".md"
        )
    except CheckinError as error:
        raise CheckinError(f"{path}: {error}") from error
    write_atomically(path, planned.text.encode("utf-8"))
    return planned.written


def find_unit_file(content_dir: Path, cycle_id: str, unit_id: str) -> Path:
    """The file holding ``unit_id``'s OKRs in ``cycle_id``: ``<unit>.yaml|.yml|.md``.

    Why here: the CLI resolves ``okrsite checkin UNIT/OBJ/KR`` to a file; the
    loader accepts these suffixes (``load.UNIT_SUFFIXES``), and more than one
    file for a unit would be ambiguous.
    """
    if not SLUG_RE.match(unit_id):
        raise CheckinError(f"'{unit_id}' is not a unit id")
    if "/" in cycle_id or "\\" in cycle_id or cycle_id in ("", ".", ".."):
        raise CheckinError(f"'{cycle_id}' is not a cycle id")
    folder = content_dir / cycle_id
    found = [folder / f"{unit_id}{suffix}" for suffix in UNIT_SUFFIXES]
    existing = [p for p in found if p.is_file()]
    if len(existing) == 1:
        return existing[0]
    if not existing:
        raise CheckinError(
            f"no file for unit '{unit_id}' in cycle '{cycle_id}' "
            f"(looked for {', '.join(str(p) for p in found)})"
        )
    raise CheckinError(f"{' and '.join(str(p) for p in existing)} all exist; keep one")


# --------------------------------------------------------------------------
# when a check-in is refused (pure, on the validated model)

_VALUE_WORDS = {"value": "a number", "done": "done/not-done", "met": "met/not-met"}
_KIND_WANTS = {"numeric": "value", "milestone": "done", "threshold": "value"}


def _span(cycle: Cycle) -> str:
    return f"{cycle.definition.start.isoformat()} to {cycle.definition.end.isoformat()}"


def resolve_cycle(model: OkrModel, day: dt.date, cycle_id: str | None = None) -> Cycle:
    """The cycle a check-in dated ``day`` belongs to: ``cycle_id`` when given
    (``day`` must fall within it), else the innermost cycle containing ``day``.

    Raises :class:`CheckinError` saying why and what to do when there is none:
    a check-in outside every cycle is almost always a mistyped date, and one
    filed under the wrong cycle is invisible where people look for it.
    """
    cycles = list(model.cycles.values())
    containing = [c for c in cycles if c.definition.start <= day <= c.definition.end]
    if cycle_id is not None:
        cycle = model.cycles.get(cycle_id)
        if cycle is None:
            known = ", ".join(model.cycles) or "none"
            raise CheckinError(f"no cycle '{cycle_id}' in company.yaml (cycles: {known})")
        if cycle not in containing:
            instead = ", ".join(c.id for c in containing)
            hint = f" or leave out --cycle to use {instead}" if instead else ""
            raise CheckinError(
                f"the check-in date {day.isoformat()} is outside {cycle.id} ({_span(cycle)}); "
                f"nothing was written. Give --date within {cycle.id}{hint}."
            )
        return cycle
    if not containing:
        first = min(cycles, key=lambda c: c.definition.start)
        last = max(cycles, key=lambda c: c.definition.end)
        raise CheckinError(
            f"the check-in date {day.isoformat()} falls in no cycle (company.yaml's cycles run "
            f"from {first.definition.start.isoformat()} to {last.definition.end.isoformat()}); "
            "nothing was written. Give the date the check-in is for with --date YYYY-MM-DD, "
            "or add its cycle to company.yaml first."
        )
    found = current_cycle((c.definition for c in containing), day)
    assert found is not None
    return model.cycles[found.id]


def _key_result(cycle: Cycle, unit_id: str, objective_id: str, kr_id: str) -> KeyResult | None:
    okrs = cycle.okrs.get(unit_id)
    objective = next((o for o in okrs.objectives if o.id == objective_id), None) if okrs else None
    if objective is None:
        return None
    return next((k for k in objective.key_results if k.id == kr_id), None)


def checkin_refusal(
    model: OkrModel,
    cycle: Cycle,
    target: tuple[str, str, str],
    field_name: str,
    *,
    today: dt.date,
) -> str | None:
    """Why a check-in of ``field_name`` (``value``, ``done`` or ``met``) on
    ``target`` (unit, objective, key result ids) in ``cycle`` must not be
    written, with what to do instead; ``None`` when it may be.

    Refused: a check-in in a cycle that has ended (before ``today``) and
    whose unit file is ``status: graded`` — the grade is final, a check-in
    would change nothing anyone reads; done/not-done on a key result that is
    not a milestone, met/not-met on one that is not a threshold, and a number
    on a milestone. Unknown units or key results are left to the file edit,
    which lists the ids it knows.
    """
    unit_id, objective_id, kr_id = target
    okrs = cycle.okrs.get(unit_id)
    if okrs is None:
        return None
    if cycle.definition.end < today and okrs.content.status == "graded":
        return (
            f"{cycle.id} ended on {cycle.definition.end.isoformat()} and "
            f"{model.unit_name(unit_id)}'s OKRs for it are graded ('status: graded' in "
            f"{okrs.path}); a check-in would not change the grade, so nothing was written. "
            "To correct a result, edit the key result's 'score' (or 'done'); to reopen the "
            "cycle, set 'status: locked' first. Check in on this cycle's key results instead."
        )
    kr = _key_result(cycle, unit_id, objective_id, kr_id)
    if kr is None:
        return None
    kind = kr.effective_kind
    wanted = _KIND_WANTS[kind]
    if field_name == "met" and kind == "threshold":
        return None
    if field_name == wanted:
        return None
    ref = f"{unit_id}/{objective_id}/{kr_id}"
    if kind == "milestone":
        example = f"okrsite checkin {ref} done (or not-done)"
    elif kind == "threshold":
        example = f"okrsite checkin {ref} 99.9 (or met / not-met)"
    else:
        shown = [f"{x:g}" for x in (kr.start, kr.target) if x is not None]
        example = f"okrsite checkin {ref} {shown[-1] if shown else 42}"
    return (
        f"key result {quote(kr.title)} is a {kind} key result: {_VALUE_WORDS[field_name]} "
        f"does not apply to it, so nothing was written. Give {_VALUE_WORDS[wanted]}"
        f"{' or met/not-met' if kind == 'threshold' else ''} instead, e.g. `{example}`."
    )


# --------------------------------------------------------------------------
# locating nodes


def _items_by_id(
    parent: yaml.MappingNode, list_key: str, what: str, wanted: str, where: str
) -> tuple[yaml.Node, yaml.MappingNode]:
    """The key node of ``list_key`` and the list item whose ``id`` is ``wanted``."""
    pair = get_pair(parent, list_key)
    if pair is None or not isinstance(pair[1], yaml.SequenceNode):
        raise CheckinError(f"{what} '{wanted}' not found: {where} has no '{list_key}' list")
    key_node, sequence = pair
    ids: list[str] = []
    matches: list[yaml.MappingNode] = []
    for item in sequence.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        id_pair = get_pair(item, "id")
        if id_pair is None or not isinstance(id_pair[1], yaml.ScalarNode):
            continue
        ids.append(id_pair[1].value)
        if id_pair[1].value == wanted:
            matches.append(item)
    if not matches:
        known = ", ".join(repr(i) for i in ids[:20]) or "none"
        raise CheckinError(f"{what} '{wanted}' not found in {where} ({list_key}: {known})")
    if len(matches) > 1:
        raise CheckinError(f"{what} id '{wanted}' appears more than once in {where}")
    return key_node, matches[0]


def _find_key_result(
    root: yaml.MappingNode, objective_id: str, kr_id: str
) -> tuple[yaml.MappingNode, yaml.Node]:
    """The key result's mapping node and the ``key_results`` key above it."""
    _, objective = _items_by_id(root, "objectives", "objective", objective_id, "this file")
    kr_key, kr = _items_by_id(
        objective, "key_results", "key result", kr_id, f"objective '{objective_id}'"
    )
    return kr, kr_key


# --------------------------------------------------------------------------
# formatting the new check-in


def _checkin_fields(checkin: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Validate the check-in and return ``(key, YAML token)`` in model field order."""
    fields = CheckIn.model_fields
    unknown = sorted(str(k) for k in checkin if k not in fields)
    if unknown:
        raise CheckinError(
            f"unknown check-in field(s): {', '.join(unknown)} (allowed: {', '.join(fields)})"
        )
    values = {k: v for k, v in checkin.items() if v is not None}
    date = values.get("date")
    if isinstance(date, str):
        try:
            values["date"] = dt.date.fromisoformat(date)
        except ValueError as error:
            raise CheckinError(f"check-in date {date!r} is not YYYY-MM-DD") from error
    elif isinstance(date, dt.datetime):
        raise CheckinError("check-in date must be a date, not a date and time")
    try:
        CheckIn.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'check-in'}: {e['msg']}"
            for e in error.errors()
        )
        raise CheckinError(f"invalid check-in: {problems}") from error
    return [(name, scalar(values[name])) for name in fields if name in values]


# --------------------------------------------------------------------------
# editing

# Order of insertions that land at the same offset: an item appended to an
# existing list must stay inside that list, so it goes before a new
# ``current:`` line; a brand-new ``checkins:`` key reads best after it.
_ORDER_APPEND_ITEM = 0
_ORDER_CURRENT = 1
_ORDER_NEW_CHECKINS = 2


def _append_checkin(
    editor: _Editor, kr: yaml.MappingNode, fields: list[tuple[str, str]], offset: int
) -> None:
    flow = flow_item(fields)
    pair = get_pair(kr, "checkins")
    if kr.flow_style:
        if pair is None:
            last = kr.value[-1][1]
            editor.insert(
                editor.pos(last.end_mark), f", checkins: [{flow}]", _ORDER_NEW_CHECKINS,
                label=f"check-in {flow}",
            )
            return
        _append_to_flow_sequence(editor, pair[1], flow)
        return

    indent = int(kr.value[0][0].start_mark.column)
    if pair is None:
        at = editor.after_line(content_end(editor, kr))
        # Two insertions at one place keep their order (a stable sort), so
        # the check-in's own line, not the new key's, is the one reported.
        editor.insert_lines(at, [" " * indent + "checkins:"], _ORDER_NEW_CHECKINS)
        label = f"check-in {flow} (new 'checkins:')"
        item = " " * (indent + offset) + "- " + flow
        editor.insert_lines(at, [item], _ORDER_NEW_CHECKINS, label=label)
        return

    key, value = pair
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        _append_to_flow_sequence(editor, value, flow)
    elif isinstance(value, yaml.SequenceNode):
        _append_to_block_sequence(editor, value, fields)
    elif is_empty_scalar(value):
        at = editor.after_line(editor.pos(key.end_mark))
        editor.insert_lines(
            at, [" " * (indent + offset) + "- " + flow], _ORDER_APPEND_ITEM,
            label=f"check-in {flow}",
        )
    else:
        line = key.start_mark.line + 1
        raise CheckinError(f"'checkins' (line {line} of the YAML) is not a list")


def _append_to_flow_sequence(editor: _Editor, sequence: yaml.Node, flow: str) -> None:
    if not isinstance(sequence, yaml.SequenceNode):
        raise CheckinError("'checkins' is not a list")
    label = f"check-in {flow}"
    if sequence.value:
        editor.insert(
            editor.pos(sequence.value[-1].end_mark), f", {flow}", _ORDER_APPEND_ITEM, label
        )
    else:
        editor.insert(editor.pos(sequence.start_mark) + 1, flow, _ORDER_APPEND_ITEM, label)


def _append_to_block_sequence(
    editor: _Editor, sequence: yaml.SequenceNode, fields: list[tuple[str, str]]
) -> None:
    """Append after the last item, copying its dash column and its style."""
    last = sequence.value[-1]
    dash = dash_column(editor, last)
    if dash is None:
        raise CheckinError(
            "cannot tell how the check-in list is indented (is the item on the line "
            "after its '-'?); add the check-in by hand"
        )
    content = int(last.start_mark.column)
    lead = " " * dash + "-" + " " * (content - dash - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style:
        lines = [
            lead + f"{k}: {v}" if i == 0 else " " * content + f"{k}: {v}"
            for i, (k, v) in enumerate(fields)
        ]
    else:
        lines = [lead + flow_item(fields)]
    at = editor.after_line(content_end(editor, last))
    editor.insert_lines(at, lines, _ORDER_APPEND_ITEM, label=f"check-in {flow_item(fields)}")


def _set_scalar(editor: _Editor, kr: yaml.MappingNode, key: str, token: str, *, add: bool) -> None:
    """Replace the value token of ``key:`` (its comment stays); if there is no
    such key and ``add``, add ``key: token`` (after ``target:``, else at the
    end of the key result; see :func:`plan_checkin`)."""
    pair = get_pair(kr, key)
    if pair is not None:
        key_node, value = pair
        if not isinstance(value, yaml.ScalarNode):
            raise CheckinError(f"'{key}' (line {key_node.start_mark.line + 1}) is not a value")
        old = "(empty)" if is_empty_scalar(value) else value.value
        label = f"{key}: {old} → {token}"
        lead = " " if is_empty_scalar(value) else ""
        start, end = editor.pos(value.start_mark), editor.pos(value.end_mark)
        editor.replace(start, end, lead + token, label)
        return
    if not add:
        return
    label = f"{key}: {token} (added)"
    if kr.flow_style:
        last = kr.value[-1][1]
        editor.insert(editor.pos(last.end_mark), f", {key}: {token}", _ORDER_CURRENT, label)
        return
    indent = int(kr.value[0][0].start_mark.column)
    target = get_pair(kr, "target")
    anchor = target[1] if target is not None else kr
    at = editor.after_line(content_end(editor, anchor))
    editor.insert_lines(at, [" " * indent + f"{key}: {token}"], _ORDER_CURRENT, label)


# --------------------------------------------------------------------------
# verification and writing


def _verify(
    old_region: str,
    new_region: str,
    objective_id: str,
    kr_id: str,
    fields: list[tuple[str, str]],
) -> None:
    """Require new data == old data + the check-in (+ current, done); never
    write otherwise."""
    try:
        before = yaml.safe_load(old_region)
        after = yaml.safe_load(new_region)
        item = yaml.safe_load(flow_item(fields))
    except Exception as error:  # a constructor error (bad date…) in the old or new file
        raise CheckinError(
            f"the edited file would not load ({error}); file left unchanged"
        ) from error
    expected = copy.deepcopy(before)
    try:
        objective = next(o for o in expected["objectives"] if o.get("id") == objective_id)
        kr = next(k for k in objective["key_results"] if k.get("id") == kr_id)
    except (KeyError, TypeError, AttributeError, StopIteration) as error:
        raise CheckinError("cannot find the key result in the loaded file") from error
    if kr.get("checkins") is None:
        kr["checkins"] = []
    kr["checkins"].append(item)
    if "value" in item:
        kr["current"] = item["value"]
    if "done" in item and "done" in kr:
        kr["done"] = item["done"]
    if after != expected:
        raise CheckinError(
            "internal error: the edit would change more than the check-in; "
            "file left unchanged (please report this with the file)"
        )


