"""Pass 2, references: every ``aligns_to``/``contributes_to``/``related``
resolves within its cycle (or, written ``CYCLE:unit/objective``, in a cycle
that contains it), nothing links inside its own objective, and
objective-level alignment has no loops.
"""

from __future__ import annotations

import difflib

from okrsite.errors import ContentIssue
from okrsite.fieldtypes import CYCLE_REF_SEPARATOR
from okrsite.model import ROOT_UNIT, Cycle, Unit, split_ref
from okrsite.refs import Link, unit_links
from okrsite.source import LoadedFile, RawContent
from okrsite.source.loaded import DataPath


class Lookups:
    """:func:`_lookup` remembered for one validation run.

    A thousand teams align to a few dozen parent objectives and key results,
    so the same reference is looked up again and again; and the loop check
    reuses the links the reference check walked (the cycles do not change
    between the two passes).
    """

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], str | None] = {}
        self._links: dict[str, list[tuple[str, Link]]] = {}

    def problem(self, cycle: Cycle, ref: str) -> str | None:
        """``_lookup(cycle, ref)``: None when ``ref`` resolves in ``cycle``, else why not."""
        key = (cycle.id, ref)
        try:
            return self._found[key]
        except KeyError:
            found = self._found[key] = _lookup(cycle, ref)
            return found

    def links(self, cycle: Cycle) -> list[tuple[str, Link]]:
        """(unit id, link) of every link written in the cycle's unit files."""
        found = self._links.get(cycle.id)
        if found is None:
            found = self._links[cycle.id] = [
                (unit_id, link)
                for unit_id, okrs in cycle.okrs.items()
                for link in unit_links(unit_id, okrs.objectives)
            ]
        return found


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


def check_references(
    cycle: Cycle,
    raw: RawContent,
    units: dict[str, Unit],
    cycles: dict[str, Cycle],
    issues: list[ContentIssue],
    lookups: Lookups | None = None,
) -> None:
    lookups = lookups or Lookups()
    files = raw.cycle_files.get(cycle.id, {})
    broken = set(files) - set(cycle.okrs)  # files that failed shape validation
    for unit_id, link in lookups.links(cycle):
        file = files[unit_id]
        path, field, ref = link.path, link.kind, link.written
        if link.target_cycle is not None:
            across = _cross_cycle_problem(cycle, ref, field, raw, units, cycles)
            if across is not None:
                issues.append(ContentIssue(file.location(path), f"{field}: {across}"))
            continue
        target_unit = link.target.unit
        if target_unit in broken:
            continue  # its own errors are already reported
        if target_unit != ROOT_UNIT and target_unit not in units:
            issues.append(
                ContentIssue(file.location(path), f"{field}: '{ref}' names no unit in org.yaml")
            )
            continue
        own = _own_link_problem(link)
        if own is not None:
            issues.append(ContentIssue(file.location(path), f"{field}: {own}"))
            continue
        problem = lookups.problem(cycle, ref)
        if problem is None:
            continue
        elsewhere = [
            c.id for c in cycles.values() if c.id != cycle.id and lookups.problem(c, ref) is None
        ]
        containing = [c for c in elsewhere if cycles[c].definition.contains(cycle.definition)]
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


def _own_link_problem(link: Link) -> str | None:
    """Why a link inside its own objective is refused, or None if it leaves it.

    Every such link is refused, each with what it really is: a key result and
    its siblings already add up to their objective's progress, so one
    laddering up to another would count twice, and the alignment (drawn
    between objectives) has no edge to show for it.
    """
    source, target = link.source, link.target
    if target.objective != source.objective or target.unit != source.unit:
        return None  # (objective_ref compared, without making the refs)
    ref = link.written
    source_kr, target_kr = source.key_result, target.key_result
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


def check_alignment_cycles(
    cycles: dict[str, Cycle],
    raw: RawContent,
    issues: list[ContentIssue],
    lookups: Lookups | None = None,
) -> None:
    """Objective-level alignment (aligns_to, contributes_to) must be a DAG."""
    lookups = lookups or Lookups()
    for cycle in cycles.values():
        edges: dict[str, list[tuple[str, LoadedFile, DataPath]]] = {}
        files = raw.cycle_files.get(cycle.id, {})
        for unit_id, link in lookups.links(cycle):
            if link.kind == "related" or link.target_cycle is not None:
                continue  # lateral, or up into a containing cycle: no loop
            if lookups.problem(cycle, link.written) is not None:
                continue
            # str(ref.objective_ref), without making the refs
            source = f"{link.source.unit}/{link.source.objective}"
            target = f"{link.target.unit}/{link.target.objective}"
            if source != target:
                edges.setdefault(source, []).append((target, files[unit_id], link.path))
        if not has_loop(edges):
            continue  # the usual case, told in one walk: no search from every objective
        reported: set[frozenset[str]] = set()
        for start in sorted(edges):
            loop = _find_loop(start, edges)
            if loop and frozenset(loop) not in reported:
                reported.add(frozenset(loop))
                last, first = loop[-1], loop[0]
                file, path = next((f, p) for t, f, p in edges[last] if t == first)
                text = " → ".join([*loop, first])
                issues.append(ContentIssue(file.location(path), f"alignment loop: {text}"))


def has_loop(edges: dict[str, list[tuple[str, LoadedFile, DataPath]]]) -> bool:
    """Whether the graph has a cycle: one depth-first walk over every node and
    edge (colouring nodes open while their descendants are walked), instead
    of :func:`_find_loop` from each of a company's thousands of objectives."""
    done: set[str] = set()
    open_: set[str] = set()
    for root in edges:
        if root in done:
            continue
        open_.add(root)
        stack = [(root, iter(edges[root]))]
        while stack:
            node, targets = stack[-1]
            for target, _, _ in targets:
                if target in open_:
                    return True
                if target not in done:
                    open_.add(target)
                    stack.append((target, iter(edges.get(target, ()))))
                    break
            else:
                stack.pop()
                open_.discard(node)
                done.add(node)
    return False


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
