"""The rule engine: findings, rules, the context rules read, and the run.

A rule is one small function ``check(ctx) -> Iterable[Finding]`` wrapped by
the :func:`rule` decorator, which records its id, name, default severity,
fix hint, the methods it applies to and its documentation (the function's
docstring, shown on the rules reference page). Rules create findings with
:meth:`CheckContext.finding`, which fills in the rule's id, severity and hint.

:func:`run_rules` then applies the company's configuration, in this order:

1. ``company.checks[rule_id] == "off"`` skips the rule.
2. A rule whose ``methods`` do not include the company's method is skipped,
   unless ``company.checks`` gives it an explicit severity (opting in).
3. An explicit severity in ``company.checks`` replaces the rule's own
   (including its per-method severities).
4. ``allow: [OKR00X]`` on an objective drops that rule's findings for the
   objective *and its key results*; on a key result, for that key result.

The result is sorted (file, line, column, rule id, …) and free of duplicates,
so the same content and ``today`` always give the same list.

Everything here is pure: the model and a date in, findings out.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from okrsite.analysis.alignment import AlignmentIndex
from okrsite.errors import SourceLocation, one_line
from okrsite.model import (
    ROOT_UNIT,
    Cycle,
    KeyResult,
    Method,
    Objective,
    OkrModel,
    UnitOkrs,
)

_new = object.__new__

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""Severities from most to least severe."""
ALL_METHODS: frozenset[Method] = frozenset({"cascade", "align", "hybrid"})


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found by one rule, at one place in the content.

    ``message`` is one line of plain text; content quoted in it is untrusted
    and renderers escape it. ``cycle``/``unit``/``objective``/``key_result``
    name the offending node (``None`` where they do not apply), so pages can
    link to it.
    """

    location: SourceLocation
    rule_id: str
    severity: Severity
    message: str
    hint: str
    cycle: str | None = None
    unit: str | None = None
    objective: str | None = None
    key_result: str | None = None

    def sort_key(self) -> tuple[object, ...]:
        """A total order that never compares ``None`` with text.

        The location is spelled out (``SourceLocation`` orders by path, line,
        column): the same order, without a dataclass comparison per step."""
        location = self.location
        return (
            location.path,
            location.line,
            location.column,
            self.rule_id,
            SEVERITIES.index(self.severity),
            self.message,
            self.hint,
            self.cycle or "",
            self.unit or "",
            self.objective or "",
            self.key_result or "",
        )

    def __str__(self) -> str:
        return f"{self.location}: {self.severity} {self.rule_id}: {one_line(self.message)}"


CheckFunction = Callable[["CheckContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A quality rule: metadata plus the function that finds problems."""

    id: str
    """Stable id, ``OKR`` and three digits; used in config and ``allow``."""
    name: str
    """Short kebab-case name, e.g. ``activity-not-outcome``."""
    severity: Severity
    """Default severity."""
    hint: str
    """One-line fix hint (a finding may give a more specific one)."""
    methods: frozenset[Method]
    """Methods (cascade/align/hybrid) the rule runs for by default."""
    doc: str
    """A paragraph explaining the rule, for the rules reference page."""
    check: CheckFunction = field(compare=False, repr=False)
    severity_by_method: Mapping[Method, Severity] = field(
        default_factory=dict, compare=False, hash=False
    )
    """Per-method default severities that differ from ``severity``."""
    label: str = ""
    """Human title for pages, e.g. "Activity, not outcome" (default: from ``name``)."""

    def severity_for(self, method: Method) -> Severity:
        """Default severity of this rule under ``method``."""
        return self.severity_by_method.get(method, self.severity)

    @property
    def title(self) -> str:
        """The human title: ``label``, else ``activity-not-outcome`` → ``Activity not outcome``."""
        return self.label or self.name.replace("-", " ").capitalize()


def rule(
    id: str,
    name: str,
    *,
    severity: Severity,
    hint: str,
    methods: Iterable[Method] = ALL_METHODS,
    severity_by_method: Mapping[Method, Severity] | None = None,
    title: str = "",
) -> Callable[[CheckFunction], Rule]:
    """Decorator turning a check function into a :class:`Rule`.

    The function's docstring becomes the rule's documentation paragraph.
    """

    def wrap(check: CheckFunction) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        return Rule(
            id=id,
            name=name,
            severity=severity,
            hint=hint,
            methods=frozenset(methods),
            doc=doc,
            check=check,
            severity_by_method=dict(severity_by_method or {}),
            label=title,
        )

    return wrap


@dataclass
class _Shared:
    """Look-ups computed once per run and shared by every rule."""

    alignment: dict[str, AlignmentIndex] = field(default_factory=dict)
    objectives: dict[tuple[str, str, str], Objective] = field(default_factory=dict)
    # Every rule walks the model: the walks are made once, as lists (a
    # thousand-unit company has ten thousand key results, and a generator
    # per level costs more than the rules' own tests).
    objective_walk: list[tuple[Cycle, UnitOkrs, Objective]] | None = None
    key_result_walk: list[tuple[Cycle, UnitOkrs, Objective, KeyResult]] | None = None
    # ``allow:`` lists by node, only where they are not empty (almost nowhere):
    # the engine asks for every finding (10,000 at company scale).
    objective_allow: dict[tuple[str, str, str], list[str]] | None = None
    key_result_allow: dict[tuple[str, str, str, str], list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    """What a rule can see: the model, today's date, the company's settings,
    shared look-ups, and (set by the engine) the rule being run."""

    model: OkrModel
    today: dt.date
    rules: Mapping[str, Rule] = field(default_factory=dict)
    """Every known rule by id (for rules that defer to another rule)."""
    rule: Rule | None = None
    scope: frozenset[str] | None = None
    """The cycles whose findings are wanted (None: every cycle). Rules walk
    only these (:meth:`cycles`) and report only on them; what they look up
    (objectives, alignment of containing cycles) still comes from the whole
    model. A build takes the findings of closed cycles it kept from its
    store and runs the rules on the rest."""
    _shared: _Shared = field(default_factory=_Shared, repr=False)
    _defaults: tuple[Severity, str] | None = field(default=None, repr=False)
    """The rule's severity under the company's method and its hint with
    whitespace collapsed, made once per rule by the engine (see :meth:`finding`)."""

    # -- settings ---------------------------------------------------------

    @property
    def method(self) -> Method:
        return self.model.company.method

    def setting(self, rule_id: str) -> str | None:
        """The company's setting for a rule (``off``/a severity), if any."""
        return self.model.company.checks.get(rule_id)

    def is_active(self, rule_id: str) -> bool:
        """Whether a rule runs at all for this company (method and config)."""
        known = self.rules.get(rule_id)
        if known is None:
            return False
        setting = self.setting(rule_id)
        if setting == "off":
            return False
        return setting is not None or self.method in known.methods

    def is_allowed(
        self, rule_id: str, cycle: str | None, unit: str | None,
        objective: str | None, key_result: str | None = None,
    ) -> bool:
        """Whether ``allow:`` on the objective or key result exempts it from a rule."""
        if cycle is None or unit is None or objective is None:
            return False
        shared = self._shared
        if shared.objective_allow is None:
            self._index_allow_lists()
        assert shared.objective_allow is not None
        if rule_id in shared.objective_allow.get((cycle, unit, objective), ()):
            return True
        if key_result is not None:
            return rule_id in shared.key_result_allow.get((cycle, unit, objective, key_result), ())
        return False

    def _index_allow_lists(self) -> None:
        """The non-empty ``allow:`` lists, for :meth:`is_allowed`: an objective's
        as :meth:`objective` finds it, a key result's from the first key result
        of its objective with that id."""
        self.objective("", "", "")  # makes the objectives' table
        shared = self._shared
        objective_allow: dict[tuple[str, str, str], list[str]] = {}
        key_result_allow = shared.key_result_allow
        for key, found in shared.objectives.items():
            if found.allow:
                objective_allow[key] = found.allow
            if any(kr.allow for kr in found.key_results):
                for kr in reversed(found.key_results):  # the first of an id wins
                    key_result_allow[(*key, kr.id)] = kr.allow
        shared.objective_allow = objective_allow

    def reports(
        self, rule_id: str, cycle: str, unit: str, objective: str,
        key_result: str | None = None,
    ) -> bool:
        """Whether ``rule_id`` would report a finding on this node (active and
        not allowed there), so related rules can avoid reporting it twice."""
        return self.is_active(rule_id) and not self.is_allowed(
            rule_id, cycle, unit, objective, key_result
        )

    # -- look-ups ---------------------------------------------------------

    def alignment(self, cycle: Cycle) -> AlignmentIndex:
        """Who supports what in a cycle, private objectives included; for a
        cycle that contains others (a year), support from their OKRs through
        cross-cycle references (``2026:company/win``) counts too."""
        index = self._shared.alignment.get(cycle.id)
        if index is None:
            index = AlignmentIndex.build_with_inner(
                self.model.cycles.values(), cycle, include_private=True
            )
            self._shared.alignment[cycle.id] = index
        return index

    def objective(self, cycle: str, unit: str, objective: str) -> Objective | None:
        """An objective by cycle, unit and id."""
        if not self._shared.objectives:
            for cyc in self.model.cycles.values():
                for unit_id, okrs in cyc.okrs.items():
                    for obj in okrs.objectives:
                        self._shared.objectives[(cyc.id, unit_id, obj.id)] = obj
        return self._shared.objectives.get((cycle, unit, objective))

    def cycles(self) -> Iterator[Cycle]:
        """The cycles rules report on: every cycle, or those in :attr:`scope`."""
        scope = self.scope
        for cycle in self.model.cycles.values():
            if scope is None or cycle.id in scope:
                yield cycle

    def unit_files(self) -> Iterator[tuple[Cycle, UnitOkrs]]:
        """Every unit file (the company's too) of every cycle in scope."""
        for cycle in self.cycles():
            for okrs in cycle.okrs.values():
                yield cycle, okrs

    def objectives(self) -> Iterator[tuple[Cycle, UnitOkrs, Objective]]:
        """Every objective of every unit file."""
        shared = self._shared
        if shared.objective_walk is None:
            shared.objective_walk = [
                (cycle, okrs, objective)
                for cycle, okrs in self.unit_files()
                for objective in okrs.objectives
            ]
        return iter(shared.objective_walk)

    def key_results(self) -> Iterator[tuple[Cycle, UnitOkrs, Objective, KeyResult]]:
        """Every key result of every objective."""
        shared = self._shared
        if shared.key_result_walk is None:
            shared.key_result_walk = [
                (cycle, okrs, objective, kr)
                for cycle, okrs, objective in self.objectives()
                for kr in objective.key_results
            ]
        return iter(shared.key_result_walk)

    def is_current(self, cycle: Cycle) -> bool:
        """Whether ``today`` falls within the cycle (both ends included)."""
        return cycle.definition.start <= self.today <= cycle.definition.end

    def unit_label(self, unit_id: str) -> str:
        """``company`` → the company's name; other units by name."""
        return self.model.unit_name(unit_id)

    def is_unit(self, unit_id: str) -> bool:
        """True for units of the organisation, false for the company root."""
        return unit_id != ROOT_UNIT

    # -- findings ---------------------------------------------------------

    def finding(
        self,
        location: SourceLocation,
        message: str,
        *,
        cycle: str | None = None,
        unit: str | None = None,
        objective: str | None = None,
        key_result: str | None = None,
        severity: Severity | None = None,
        hint: str | None = None,
    ) -> Finding:
        """A finding of the rule being run (its id, severity and hint)."""
        rule = self.rule
        assert rule is not None, "finding() is only available inside a rule"
        defaults = self._defaults
        if defaults is None:
            defaults = (rule.severity_for(self.method), " ".join(rule.hint.split()))
        return filled_finding(
            location,
            rule.id,
            severity or defaults[0],
            " ".join(message.split()),
            defaults[1] if not hint else " ".join(hint.split()),
            cycle,
            unit,
            objective,
            key_result,
        )


def filled_finding(
    location: SourceLocation,
    rule_id: str,
    severity: Severity,
    message: str,
    hint: str,
    cycle: str | None,
    unit: str | None,
    objective: str | None,
    key_result: str | None,
) -> Finding:
    """``Finding(...)`` with its fields put in place one by one: a frozen
    dataclass's ``__init__`` sets each of the nine through
    ``object.__setattr__``, which took longer than the rules themselves spend
    on most findings (10,000 at company scale; a closed quarter's stored
    findings are read back the same way, ``site/findings.py``). The same
    object, fields in the same order."""
    found = _new(Finding)
    fields = found.__dict__
    fields["location"] = location
    fields["rule_id"] = rule_id
    fields["severity"] = severity
    fields["message"] = message
    fields["hint"] = hint
    fields["cycle"] = cycle
    fields["unit"] = unit
    fields["objective"] = objective
    fields["key_result"] = key_result
    return found


def run_rules(
    rules: Iterable[Rule],
    model: OkrModel,
    *,
    today: dt.date,
    alignment: Mapping[str, AlignmentIndex] | None = None,
    only: Collection[str] | None = None,
    cycles: Iterable[str] | None = None,
) -> list[Finding]:
    """Run ``rules`` on ``model`` as of ``today`` and apply the company's
    configuration (see the module docstring). Sorted and deterministic.
    ``alignment``: cycles' indexes the caller has already (see
    :meth:`CheckContext.alignment`), used instead of building them again.
    ``only``: run just these rule ids; the other ``rules`` stay known to the
    rules that defer to them (:meth:`CheckContext.reports`), so the findings
    are exactly those rules' part of a full run (a run split in parts gives,
    merged and sorted, the full run's list). ``cycles``: only these cycles'
    findings (see :attr:`CheckContext.scope`), with those of no cycle."""
    by_id = {r.id: r for r in rules}
    scope = None if cycles is None else frozenset(cycles)
    ctx = CheckContext(model=model, today=today, rules=by_id, scope=scope)
    if alignment is not None:
        ctx._shared.alignment.update(alignment)
    found: set[Finding] = set()
    for rule_id in sorted(by_id):
        if only is not None and rule_id not in only:
            continue
        current = by_id[rule_id]
        if not ctx.is_active(rule_id):
            continue
        setting = ctx.setting(rule_id)
        override: Severity | None = setting if setting in SEVERITIES else None  # type: ignore[assignment]
        defaults = (current.severity_for(ctx.method), " ".join(current.hint.split()))
        rule_ctx = replace(ctx, rule=current, _defaults=defaults)
        for item in current.check(rule_ctx):
            if ctx.is_allowed(rule_id, item.cycle, item.unit, item.objective, item.key_result):
                continue
            if override is not None and item.severity != override:
                item = replace(item, severity=override)
            found.add(item)
    return sorted(found, key=Finding.sort_key)


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """``{"error": n, "warning": n, "info": n}`` (every key present)."""
    counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
    for item in findings:
        counts[item.severity] += 1
    return counts
