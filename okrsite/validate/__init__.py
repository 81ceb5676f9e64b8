"""Raw content → validated :class:`~okrsite.model.OkrModel`, or every problem.

Two passes, both collecting rather than stopping:

1. *Shape*: each file against its pydantic schema (``CompanyFile``,
   ``OrgFile``, ``UnitCycleFile``). Pydantic's error ``loc`` tuples are data
   paths; the loader recorded a line/column for every data path, so each
   error lands on the exact key or value.
2. *Meaning*: things no single file can know — unit ids unique, parents
   exist and reach ``company``, unit files match org.yaml units, cycle
   folders match company.yaml cycles, references resolve within their cycle,
   alignment has no cycles.

Only when both passes find nothing is a model returned; otherwise one
:class:`~okrsite.errors.ContentError` lists everything.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from okrsite.errors import ContentError, ContentIssue, SourceLocation
from okrsite.fieldtypes import CYCLE_REF_SEPARATOR
from okrsite.model import (
    ROOT_UNIT,
    CompanyFile,
    Cycle,
    Node,
    OkrModel,
    OrgFile,
    Unit,
    UnitCycleFile,
    UnitDef,
    UnitOkrs,
    split_ref,
)
from okrsite.source.data import DataFiles
from okrsite.source.load import LoadedFile, RawContent, forget_parsed, load_content
from okrsite.validate.measures import apply_measures

DataPath = tuple[str | int, ...]
M = TypeVar("M", bound=Node)

_TYPE_WORDS = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time (YYYY-MM-DD)",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


_BOUND_WORDS = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def load_model(content_dir: Path, *, data: DataFiles | None = None) -> OkrModel:
    """Load and validate a content directory. Raises ContentError with every issue.

    ``data`` reads the data files of measured KRs (default: from the
    repository root, the content directory's parent)."""
    with _gc_paused():
        raw = load_content(content_dir)
        return validate(raw, data=data)


_MANY_NEW_OBJECTS = 100_000
"""Above this many new objects, :func:`_gc_paused` files them as old at once."""


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off while a model is built.

    Loading creates millions of objects and no reference cycles; with the
    collector on, it walks the growing heap again and again (a third of the
    loading time of a 1,000-unit company). Nothing changes but speed: objects
    are still freed by reference counting, and the collector resumes after.

    Turned back on, the collector would walk every one of those new objects
    twice more while promoting them (about 0.5 s at that scale). They are
    long-lived by design, so after a large load they are moved straight to
    the oldest generation instead: ``freeze()`` then ``unfreeze()`` does
    exactly that, in constant time. They stay collectable by every later
    full collection; a small load (a warm ``mkdocs serve`` rebuild) skips it.
    """
    if not gc.isenabled():  # someone else paused it: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > _MANY_NEW_OBJECTS:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def validate(raw: RawContent, *, data: DataFiles | None = None) -> OkrModel:
    """Validate loaded content; raise ContentError listing every issue.

    Measured KRs read their data files through ``data`` (default: files under
    the content directory's parent)."""
    issues: list[ContentIssue] = list(raw.issues)
    company = _shape(raw.company, CompanyFile, issues)
    org = _shape(raw.org, OrgFile, issues)

    units = _resolve_units(org, raw.org, issues) if org is not None else {}
    cycles = _load_cycles(raw, company, org, units, issues)
    if company is not None and org is not None:
        _check_cycle_dates(company, raw.company, issues)
        for cycle in cycles.values():
            _check_references(cycle, raw, units, cycles, issues)
        _check_alignment_cycles(cycles, raw, issues)
        issues.extend(apply_measures(cycles, data or DataFiles(raw.root.parent)))
    if issues or company is None:
        raise ContentError(issues)
    return OkrModel(
        company=company,
        units=units,
        cycles=cycles,
        content_dir=raw.root.name,
    )


# ---------------------------------------------------------------------------
# Pass 1: shape


def _shape(file: LoadedFile | None, schema: type[M], issues: list[ContentIssue]) -> M | None:
    """Validate one file's data against its schema; attach source locations.

    Remembered per loaded file: the loader hands out the same LoadedFile
    object for unchanged bytes, so ``mkdocs serve`` rebuilds validate only
    the files that changed. The returned node is shared and must be treated
    as read-only (``redact`` copies before it changes anything).
    """
    if file is None:
        return None
    key = (schema, id(file))
    found = _SHAPE_MEMO.get(key)
    if found is None or found[0] is not file:
        found = (file, *_validate_shape(file, schema))
        if len(_SHAPE_MEMO) >= 50_000:
            _SHAPE_MEMO.clear()
        _SHAPE_MEMO[key] = found
    issues.extend(found[2])
    return found[1]  # type: ignore[return-value]


_SHAPE_MEMO: dict[tuple[type, int], tuple[LoadedFile, Node | None, list[ContentIssue]]] = {}
# Emptied at exit, before interpreter shutdown runs its garbage collections:
# walking a whole company's nodes there costs more than freeing them here.
atexit.register(_SHAPE_MEMO.clear)


def forget_loaded() -> None:
    """Drop what :func:`load_model` remembers for the next load of the same
    files. A preview server keeps it (fast rebuilds); a one-shot build calls
    this after loading: at 1,000 units the remembered parse trees and
    locations are ~125 MB that the rest of the build can use instead."""
    _SHAPE_MEMO.clear()
    forget_parsed()


def _validate_shape(file: LoadedFile, schema: type[M]) -> tuple[M | None, list[ContentIssue]]:
    try:
        node = schema.model_validate(file.data)
    except ValidationError as err:
        return None, _translate(err, file, schema)
    _attach_sources(node, file, ())
    return node, []


def _translate(
    err: ValidationError, file: LoadedFile, schema: type[BaseModel]
) -> list[ContentIssue]:
    out: list[ContentIssue] = []
    seen: set[DataPath] = set()
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        path = _data_path(file.data, loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            message = f"unknown key '{key}'"
            suggestion = difflib.get_close_matches(key, _fields_at(schema, path[:-1]), n=1)
            if suggestion:
                message += f" (did you mean '{suggestion[0]}'?)"
            out.append(ContentIssue(file.location(path, key=True), message))
            continue
        if path in seen:
            continue  # one message per value is enough (unions report once per branch)
        seen.add(path)
        name = _describe(path)
        if kind == "missing":
            location = file.location(path[:-1])
            out.append(ContentIssue(location, f"missing required key '{path[-1]}'"))
            continue
        location = file.location(path, key=False)
        ctx = error.get("ctx") or {}
        if kind == "string_pattern_mismatch":  # only rule ids have a pattern
            if loc[-1] == "[key]":
                location = file.location(path, key=True)
            message = (
                f"{_show(error.get('input')).removeprefix('text ')} is not a rule id "
                "(write OKR and three digits, e.g. OKR004)"
            )
        elif len(path) < len(loc):
            # A union (e.g. confidence: number or word) failed in every branch.
            message = f"{name}: {_show(error.get('input'))} is not allowed here" + _union_hint(path)
        elif kind in _BOUND_WORDS:
            words, bound = _BOUND_WORDS[kind]
            limit = _limit(ctx.get(bound))
            message = f"{name} should be {words} {limit}, not {_show(error.get('input'))}"
        elif kind == "string_too_short":
            message = f"{name} must not be empty"
        elif kind == "string_too_long":
            length = len(error.get("input") or "")
            message = (
                f"{name} is too long ({length} characters; the limit is {ctx.get('max_length')})"
            )
        elif kind == "too_short":
            minimum = ctx.get("min_length")
            message = f"{name} needs at least {minimum} item{'s' if minimum != 1 else ''}"
        elif kind == "too_long":
            message = (
                f"{name} has {ctx.get('actual_length')} items; the limit is "
                f"{ctx.get('max_length')} (split it up or leave some out)"
            )
        elif kind in _TYPE_WORDS:
            message = f"{name} should be {_TYPE_WORDS[kind]}, not {_show(error.get('input'))}"
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            message = f"{name} should be one of {expected}, not {_show(error.get('input'))}"
        elif kind == "value_error":
            message = str(error["msg"]).removeprefix("Value error, ")
        elif kind == "finite_number":
            message = f"{name} should be a finite number, not {_show(error.get('input'))}"
        else:
            message = f"{name}: {str(error['msg'])[:1].lower()}{str(error['msg'])[1:]}"
        out.append(ContentIssue(location, message))
    return out


def _union_hint(path: DataPath) -> str:
    if path and path[-1] == "confidence":
        return " (use a number from 0 to 1, or low, medium or high)"
    return ""


def _data_path(data: Any, loc: tuple[Any, ...]) -> DataPath:
    """The longest prefix of a pydantic ``loc`` that exists in the data.

    Union branches and ``[key]`` markers add loc parts that are not data keys.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        else:
            break
    return tuple(path)


def _fields_at(schema: type[BaseModel], path: DataPath) -> list[str]:
    """Field names of the model found at ``path`` inside ``schema`` (for hints)."""
    current: Any = schema
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        field = fields.get(part) if isinstance(fields, dict) else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(path: DataPath) -> str:
    """``('objectives', 0, 'key_results', 1, 'target')`` → ``'target'``.

    A list item is named by its position: ``('units', 2)`` → ``item 3 of 'units'``.
    """
    names = [p for p in path if isinstance(p, str)]
    name = f"'{names[-1]}'" if names else "the file"
    if path and isinstance(path[-1], int) and names:
        return f"item {path[-1] + 1} of {name}"
    return name


def _limit(value: Any) -> str:
    """A bound from the schema: ``1.0`` → ``1``, ``1e15`` → ``1000000000000000``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f"text '{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if not hasattr(value, "isoformat") else value.isoformat()


def _attach_sources(node: Node, file: LoadedFile, path: DataPath) -> None:
    """Give every node of a validated file its ``source`` location."""
    found = file.value_locations.get(path)  # the common case of file.location(path)
    if found is None:
        node.set_source(file.location(path))
    else:
        node.set_source(SourceLocation(file.path, found[0], found[1]))
    for name, is_list in _node_fields(type(node)):
        value = getattr(node, name)
        if value is None:
            continue
        if not is_list:
            _attach_sources(value, file, (*path, name))
            continue
        for i, item in enumerate(value):
            _attach_sources(item, file, (*path, name, i))


@functools.cache
def _node_fields(cls: type[Node]) -> tuple[tuple[str, bool], ...]:
    """Fields of ``cls`` holding nodes: (name, is a list). Cached per class,
    so walking 200,000 nodes does not inspect every field of every node."""
    found: list[tuple[str, bool]] = []
    for name, field in cls.model_fields.items():
        inner = _inner_model(field.annotation)
        if inner is None or not issubclass(inner, Node):
            continue
        is_list = getattr(field.annotation, "__origin__", None) is list
        found.append((name, is_list))
    return tuple(found)


# ---------------------------------------------------------------------------
# Pass 2: meaning


def _resolve_units(
    org: OrgFile, file: LoadedFile | None, issues: list[ContentIssue]
) -> dict[str, Unit]:
    assert file is not None
    defs: dict[str, UnitDef] = {}
    for i, unit in enumerate(org.units):
        if unit.id in defs:
            first = defs[unit.id].source.line
            issues.append(
                ContentIssue(
                    file.location(("units", i, "id")),
                    f"duplicate unit id '{unit.id}' (first defined on line {first})",
                )
            )
            continue
        defs[unit.id] = unit

    units: dict[str, Unit] = {}
    index_of = {u.id: i for i, u in enumerate(org.units)}
    for unit_id, unit in defs.items():
        where = file.location(("units", index_of[unit_id], "parent"))
        chain = [unit_id]
        parent = unit.parent
        ok = True
        while parent != ROOT_UNIT:
            if parent not in defs:
                hint = difflib.get_close_matches(parent, list(defs), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                if len(chain) == 1:
                    issues.append(
                        ContentIssue(where, f"parent '{parent}' is not a unit in org.yaml{extra}")
                    )
                ok = False
                break
            if parent in chain:
                if parent == unit_id:
                    loop = " → ".join([*chain, parent])
                    what = (
                        "is its own parent" if len(chain) == 1 else f"is in a parent loop: {loop}"
                    )
                    issues.append(
                        ContentIssue(
                            where, f"unit '{unit_id}' {what}; the chain must end at 'company'"
                        )
                    )
                ok = False
                break
            chain.append(parent)
            parent = defs[parent].parent
        if ok:
            units[unit_id] = Unit(definition=unit, depth=len(chain))
    for resolved in units.values():
        if resolved.parent in units:
            units[resolved.parent].children.append(resolved.id)
    return units


def _load_cycles(
    raw: RawContent,
    company: CompanyFile | None,
    org: OrgFile | None,
    units: dict[str, Unit],
    issues: list[ContentIssue],
) -> dict[str, Cycle]:
    cycles: dict[str, Cycle] = {}
    if company is not None:
        for definition in company.cycles:
            if definition.id not in cycles:
                cycles[definition.id] = Cycle(definition=definition)
    known_units = {u.id for u in org.units} if org is not None else set()
    for folder, files in sorted(raw.cycle_files.items()):
        cycle = cycles.get(folder)
        if cycle is None and company is not None:
            first = next(iter(files.values()), None)
            where = SourceLocation(first.path if first else f"{raw.root.name}/{folder}")
            ids = ", ".join(cycles) or "none"
            issues.append(
                ContentIssue(
                    where, f"folder '{folder}' is not a cycle in company.yaml (cycles: {ids})"
                )
            )
        for unit_id, file in sorted(files.items()):
            if unit_id != ROOT_UNIT and org is not None and unit_id not in known_units:
                hint = difflib.get_close_matches(unit_id, sorted(known_units), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                issues.append(
                    ContentIssue(
                        SourceLocation(file.path),
                        f"no unit '{unit_id}' in org.yaml for this file{extra}",
                    )
                )
                continue
            content = _shape(file, UnitCycleFile, issues)
            if content is None or cycle is None:
                continue
            _check_unique_ids(content, file, issues)
            cycle.okrs[unit_id] = UnitOkrs(
                unit_id=unit_id,
                cycle_id=folder,
                path=file.path,
                content=content,
                notes=file.body,
            )
    return cycles


def _check_unique_ids(content: UnitCycleFile, file: LoadedFile, issues: list[ContentIssue]) -> None:
    seen: dict[str, int] = {}
    for i, objective in enumerate(content.objectives):
        if objective.id in seen:
            issues.append(
                ContentIssue(
                    file.location(("objectives", i, "id")),
                    f"duplicate objective id '{objective.id}' "
                    f"(first used on line {seen[objective.id]})",
                )
            )
        else:
            seen[objective.id] = objective.source.line
        kr_seen: dict[str, int] = {}
        for j, kr in enumerate(objective.key_results):
            if kr.id in kr_seen:
                issues.append(
                    ContentIssue(
                        file.location(("objectives", i, "key_results", j, "id")),
                        f"duplicate key result id '{kr.id}' in objective '{objective.id}' "
                        f"(first used on line {kr_seen[kr.id]})",
                    )
                )
            else:
                kr_seen[kr.id] = kr.source.line


def _check_cycle_dates(
    company: CompanyFile, file: LoadedFile | None, issues: list[ContentIssue]
) -> None:
    assert file is not None
    seen: dict[str, int] = {}
    for i, cycle in enumerate(company.cycles):
        if cycle.id in seen:
            issues.append(
                ContentIssue(
                    file.location(("cycles", i, "id")),
                    f"duplicate cycle id '{cycle.id}' (first defined on line {seen[cycle.id]})",
                )
            )
        seen.setdefault(cycle.id, cycle.source.line)
        if cycle.end < cycle.start:
            issues.append(
                ContentIssue(
                    file.location(("cycles", i, "end")),
                    f"cycle '{cycle.id}' ends ({cycle.end}) before it starts ({cycle.start})",
                )
            )
    # Cycles may nest (a year containing its quarters) but not overlap
    # partly: then a date would belong to two cycles of the same rank.
    ordered = sorted(enumerate(company.cycles), key=lambda pair: (pair[1].start, pair[0]))
    for position, (_, earlier) in enumerate(ordered):
        for j, later in ordered[position + 1 :]:
            if later.start > earlier.end:
                break  # sorted by start: no later cycle overlaps ``earlier``
            if later.id == earlier.id or earlier.contains(later) or later.contains(earlier):
                continue
            issues.append(
                ContentIssue(
                    file.location(("cycles", j, "start")),
                    f"cycle '{later.id}' overlaps cycle '{earlier.id}' "
                    f"({later.start} is before {earlier.id} ends on {earlier.end}); "
                    "cycles may overlap only when one contains the other "
                    "(a year and its quarters)",
                )
            )


def _ref_fields(content: UnitCycleFile) -> list[tuple[DataPath, str, str]]:
    """Every reference in a unit file: (data path, field name, reference text)."""
    out: list[tuple[DataPath, str, str]] = []
    for i, objective in enumerate(content.objectives):
        for field, refs in (("aligns_to", objective.aligns_to), ("related", objective.related)):
            for k, ref in enumerate(refs):
                out.append((("objectives", i, field, k), field, ref))
        for j, kr in enumerate(objective.key_results):
            if not (kr.contributes_to or kr.related):
                continue  # most key results: nothing to list
            for field, refs in (("contributes_to", kr.contributes_to), ("related", kr.related)):
                for k, ref in enumerate(refs):
                    out.append((("objectives", i, "key_results", j, field, k), field, ref))
    return out


def _lookup(cycle: Cycle, ref: str) -> str | None:
    """None when ``ref`` resolves in ``cycle``, else why not."""
    parts = ref.split("/")
    okrs = cycle.okrs.get(parts[0])
    if okrs is None:
        return f"unit '{parts[0]}' has no OKRs in cycle {cycle.id}"
    for objective in okrs.content.objectives:
        if objective.id == parts[1]:
            break
    else:
        return f"unit '{parts[0]}' has no objective '{parts[1]}' in cycle {cycle.id}"
    if len(parts) == 3 and not any(kr.id == parts[2] for kr in objective.key_results):
        return f"objective '{parts[0]}/{parts[1]}' has no key result '{parts[2]}'"
    return None


def _check_references(
    cycle: Cycle,
    raw: RawContent,
    units: dict[str, Unit],
    cycles: dict[str, Cycle],
    issues: list[ContentIssue],
) -> None:
    files = raw.cycle_files.get(cycle.id, {})
    broken = set(files) - set(cycle.okrs)  # files that failed shape validation
    for unit_id, okrs in cycle.okrs.items():
        file = files[unit_id]
        for path, field, ref in _ref_fields(okrs.content):
            if split_ref(ref)[0] is not None:
                across = _cross_cycle_problem(cycle, ref, field, raw, units, cycles)
                if across is not None:
                    issues.append(ContentIssue(file.location(path), f"{field}: {across}"))
                continue
            target_unit = ref.split("/")[0]
            if target_unit in broken:
                continue  # its own errors are already reported
            if target_unit != ROOT_UNIT and target_unit not in units:
                issues.append(
                    ContentIssue(file.location(path), f"{field}: '{ref}' names no unit in org.yaml")
                )
                continue
            own = _own_link_problem(okrs, unit_id, path, field, ref)
            if own is not None:
                issues.append(ContentIssue(file.location(path), f"{field}: {own}"))
                continue
            problem = _lookup(cycle, ref)
            if problem is None:
                continue
            elsewhere = [
                c.id for c in cycles.values() if c.id != cycle.id and _lookup(c, ref) is None
            ]
            containing = [
                c for c in elsewhere if cycles[c].definition.contains(cycle.definition)
            ]
            if containing:
                problem = (
                    f"'{ref}' is in cycle {containing[0]}, which contains {cycle.id}; "
                    f"write '{containing[0]}{CYCLE_REF_SEPARATOR}{ref}'"
                )
            elif elsewhere:
                problem = (
                    f"'{ref}' is in cycle {elsewhere[0]}, not {cycle.id}; "
                    "references must stay within their cycle or point up to one "
                    "that contains it"
                )
            issues.append(ContentIssue(file.location(path), f"{field}: {problem}"))


def _cross_cycle_problem(
    cycle: Cycle,
    ref: str,
    field: str,
    raw: RawContent,
    units: dict[str, Unit],
    cycles: dict[str, Cycle],
) -> str | None:
    """Why a cross-cycle reference (``2026:company/win``) written in ``cycle``
    does not resolve, or None. It may only align up, into a cycle that
    contains ``cycle`` (the year of a quarter): the two are then never
    graded against each other, and no alignment loop can cross cycles."""
    target_id, local = split_ref(ref)
    assert target_id is not None
    if field == "related":
        return (
            f"'{ref}' points into another cycle; related links stay within their "
            "cycle (only aligns_to and contributes_to may point up to a containing cycle)"
        )
    if target_id == cycle.id:
        return f"'{ref}' names this cycle; write '{local}'"
    target = cycles.get(target_id)
    if target is None:
        hint = difflib.get_close_matches(target_id, list(cycles), n=1)
        extra = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"'{ref}' names no cycle in company.yaml{extra}"
    outer, inner = target.definition, cycle.definition
    if not outer.contains(inner):
        return (
            f"'{ref}': cycle {target_id} ({outer.start} to {outer.end}) does not contain "
            f"{cycle.id} ({inner.start} to {inner.end}); a reference may only point up "
            "to a cycle that contains its own"
        )
    target_unit = local.split("/")[0]
    if target_unit != ROOT_UNIT and target_unit not in units:
        return f"'{ref}' names no unit in org.yaml"
    if target_unit in raw.cycle_files.get(target_id, {}) and target_unit not in target.okrs:
        return None  # that file failed validation: its own errors are reported
    problem = _lookup(target, local)
    return None if problem is None else f"'{ref}': {problem}"


def _own_link_problem(
    okrs: UnitOkrs, unit_id: str, path: DataPath, field: str, ref: str
) -> str | None:
    """Why a link inside its own objective is refused, or None if it leaves it.

    Every such link is refused, each with what it really is: a key result and
    its siblings already add up to their objective's progress, so one
    laddering up to another would count twice, and the alignment (drawn
    between objectives) has no edge to show for it.
    """
    target = ref.split("/")
    objective_id = _objective_id(okrs, path)
    if target[:2] != [unit_id, objective_id]:
        return None
    source_kr = _key_result_id(okrs, path)
    target_kr = target[2] if len(target) == 3 else None
    if source_kr == target_kr:
        return f"'{ref}' refers to itself"
    if source_kr is None:
        return (
            f"'{ref}' is a key result of this objective; an objective links to "
            "objectives or key results of other objectives"
        )
    if target_kr is None:
        return (
            f"'{ref}' is this key result's own objective; a key result links to "
            "key results or objectives elsewhere"
        )
    return (
        f"'{ref}' is a sibling key result in the same objective; siblings already "
        "add up to their objective's progress, so link to a key result of another "
        "objective instead"
    )


def _key_result_id(okrs: UnitOkrs, path: DataPath) -> str | None:
    """The key result a reference at ``path`` is written in (None: the objective's own)."""
    if len(path) > 3 and path[2] == "key_results":
        return okrs.objectives[_index(path[1])].key_results[_index(path[3])].id
    return None


def _index(part: str | int) -> int:
    assert isinstance(part, int)
    return part


def _objective_id(okrs: UnitOkrs, path: DataPath) -> str:
    index = path[1]
    assert isinstance(index, int)
    return okrs.objectives[index].id


def _check_alignment_cycles(
    cycles: dict[str, Cycle], raw: RawContent, issues: list[ContentIssue]
) -> None:
    """Objective-level alignment (aligns_to, contributes_to) must be a DAG."""
    for cycle in cycles.values():
        edges: dict[str, list[tuple[str, LoadedFile, DataPath]]] = {}
        files = raw.cycle_files.get(cycle.id, {})
        for unit_id, okrs in cycle.okrs.items():
            for path, field, ref in _ref_fields(okrs.content):
                if field == "related" or _lookup(cycle, ref) is not None:
                    continue
                source = f"{unit_id}/{_objective_id(okrs, path)}"
                target = "/".join(ref.split("/")[:2])
                if source != target:
                    edges.setdefault(source, []).append((target, files[unit_id], path))
        reported: set[frozenset[str]] = set()
        for start in sorted(edges):
            loop = _find_loop(start, edges)
            if loop and frozenset(loop) not in reported:
                reported.add(frozenset(loop))
                last, first = loop[-1], loop[0]
                file, path = next((f, p) for t, f, p in edges[last] if t == first)
                text = " → ".join([*loop, first])
                issues.append(ContentIssue(file.location(path), f"alignment loop: {text}"))


def _find_loop(
    start: str, edges: dict[str, list[tuple[str, LoadedFile, DataPath]]]
) -> list[str] | None:
    """A cycle through ``start`` (as a node list), found by depth-first search."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for target, _, _ in edges.get(node, []):
            if target == start:
                return trail
            if target not in visited:
                visited.add(target)
                stack.append((target, [*trail, target]))
    return None
