"""References between OKRs, and the one walk over the links a unit file writes.

A reference names an objective or key result: ``unit/objective[/kr]``, or
``CYCLE:unit/objective[/kr]`` for one in a containing cycle (the syntax and
its check are in :mod:`okrsite.fieldtypes`). A *link* is a reference written
in a unit file: its source (the objective or key result it is written in),
its target, its kind (``aligns_to``, ``contributes_to`` or ``related``) and
where it stands in the file.

:func:`unit_links` is the only code that walks those fields: validation
(which reports broken links with their location), the alignment index
(:mod:`okrsite.analysis.alignment`), the quality rules and the diff's
impact all read links through it. It lives beside the model, not in
``analysis/``, because validation runs before analysis and needs it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from okrsite.fieldtypes import CYCLE_REF_SEPARATOR
from okrsite.model import Cycle, Objective, split_ref

LinkKind = Literal["aligns_to", "contributes_to", "related"]


@dataclass(frozen=True)
class OkrRef:
    """An objective (``key_result`` is None) or a key result of a unit."""

    unit: str
    objective: str
    key_result: str | None = None

    @classmethod
    def parse(cls, text: str) -> OkrRef:
        """``unit/objective[/kr]``; see :func:`parse_ref` for a reference that
        may name another cycle."""
        parts = text.split("/")
        return _ref(parts[0], parts[1], parts[2] if len(parts) > 2 else None)

    @property
    def objective_ref(self) -> OkrRef:
        return _ref(self.unit, self.objective, None)

    def __str__(self) -> str:
        tail = f"/{self.key_result}" if self.key_result else ""
        return f"{self.unit}/{self.objective}{tail}"


DataPath = tuple[str | int, ...]


# The links of every unit file are walked twice per load (validation, the
# alignment index): 50,000 refs and links at company scale. A frozen
# dataclass's ``__init__`` sets each field through ``object.__setattr__``;
# filling the new instance's ``__dict__`` gives the very same object in half
# the time. Used only here, where refs and links are made in bulk.
_new = object.__new__


def _ref(unit: str, objective: str, key_result: str | None) -> OkrRef:
    """``OkrRef(unit, objective, key_result)``, made in bulk (see above)."""
    ref = _new(OkrRef)
    fields = ref.__dict__
    fields["unit"] = unit
    fields["objective"] = objective
    fields["key_result"] = key_result
    return ref


@dataclass(frozen=True)
class Link:
    """One reference written in a unit file: ``source`` serves (or, for
    ``related``, sits beside) ``target``."""

    source: OkrRef
    target: OkrRef
    kind: LinkKind
    target_cycle: str | None = None
    """The cycle of a cross-cycle reference (``2026:company/grow`` → ``2026``);
    None for the usual reference within the source's own cycle."""
    path: DataPath = field(default=(), compare=False)
    """Where the reference stands in its unit file, e.g.
    ``("objectives", 0, "key_results", 2, "contributes_to", 0)`` (for error
    locations); not part of the link's identity."""
    source_cycle: str | None = None
    """Set on links from a cycle inside an indexed one (a year's quarter, see
    :meth:`~okrsite.analysis.alignment.AlignmentIndex.build_with_inner`): the
    cycle of ``source``; None when it is the indexed cycle itself."""

    @property
    def written(self) -> str:
        """The reference as written in the file: ``2026:company/grow``."""
        prefix = f"{self.target_cycle}{CYCLE_REF_SEPARATOR}" if self.target_cycle else ""
        return f"{prefix}{self.target}"


def unit_links(unit_id: str, objectives: Iterable[Objective]) -> Iterator[Link]:
    """Every link written in one unit's file, in file order.

    This is the one walk over ``aligns_to``, ``contributes_to`` and
    ``related``: validation, the alignment index, the quality rules and the
    diff all read links through it, so a new link field is added here once.
    References must have the ``[CYCLE:]unit/objective[/kr]`` shape (the model
    checks it); whether their target exists is for the caller to decide.
    """
    for i, objective in enumerate(objectives):
        objective_ref = _ref(unit_id, objective.id, None)
        objective_fields: tuple[tuple[LinkKind, list[str]], ...] = (
            ("aligns_to", objective.aligns_to),
            ("related", objective.related),
        )
        for kind, refs in objective_fields:
            for k, text in enumerate(refs):
                yield _link(objective_ref, text, kind, ("objectives", i, kind, k))
        for j, kr in enumerate(objective.key_results):
            if not (kr.contributes_to or kr.related):
                continue  # most key results: nothing to walk
            kr_ref = _ref(unit_id, objective.id, kr.id)
            kr_fields: tuple[tuple[LinkKind, list[str]], ...] = (
                ("contributes_to", kr.contributes_to),
                ("related", kr.related),
            )
            for kind, refs in kr_fields:
                for k, text in enumerate(refs):
                    path = ("objectives", i, "key_results", j, kind, k)
                    yield _link(kr_ref, text, kind, path)


def parse_ref(text: str) -> tuple[str | None, OkrRef]:
    """A reference as written → (its cycle, or None for the same cycle; the ref)."""
    target_cycle, ref = split_ref(text)
    return target_cycle, OkrRef.parse(ref)


def _link(source: OkrRef, text: str, kind: LinkKind, path: DataPath) -> Link:
    """``Link(source, target, kind, target_cycle, path)`` of a reference as
    written, made in bulk (see :func:`_ref`)."""
    target_cycle, target = parse_ref(text)
    link = _new(Link)
    fields = link.__dict__
    fields["source"] = source
    fields["target"] = target
    fields["kind"] = kind
    fields["target_cycle"] = target_cycle
    fields["path"] = path
    fields["source_cycle"] = None
    return link


def cycle_links(cycle: Cycle) -> Iterator[Link]:
    """Every link written in a cycle's unit files (private objectives included)."""
    for unit_id, okrs in cycle.okrs.items():
        yield from unit_links(unit_id, okrs.objectives)
