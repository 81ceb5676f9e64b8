"""The quality report (one page per cycle), the rules reference, and the
per-unit findings badge.

The site runs the quality rules on the model it publishes (already redacted
for public builds), so no finding can mention a private objective; private
objectives only show up as OKR011's count. When ``publish_people`` is false
the owners were removed by redaction, so the owner rules (OKR003, OKR004)
are left out rather than reported for every objective.

Findings are computed once per build and shared through
``SiteContext.extras`` (see :func:`okrsite.site.findings.site_findings`), so the unit
pages can show a badge without running the rules again.

Large companies (more units than ``SiteOptions.nav_section_size``, see
``pages/scale.py``) get a summary page per cycle (counts by severity, by rule
and by top-level unit, plus the company's own findings) and one page per
top-level unit (``urls.quality_unit_page``) with its subtree's findings, so
no page grows with the number of units. The ``#unit-<id>`` anchors live on
whichever page holds the unit (:func:`quality_section_page`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import cast

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.org import OrgTree, top_level_of, top_level_units
from okrsite.checks import RULES, SEVERITIES, Finding, Rule
from okrsite.checks.engine import count_by_severity
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.render.escape import html_text, md_inline
from okrsite.site.context import SiteContext
from okrsite.site.findings import closed_cycle_findings, closed_cycles, site_findings
from okrsite.site.pages.components import doc_link, grouped_links
from okrsite.site.pages.render import render
from okrsite.site.pages.scale import is_compact
from okrsite.site.tree import GeneratedFile

OPEN_GROUPS_UP_TO = 20
"""Pages with at most this many findings show their rule groups open."""

LISTED_PER_UNIT_PAGE = 60
"""At most about this many findings are listed one by one on a top-level
unit's quality page: a department with 150 findings made a 120 KB page. Each
rule group then lists its first findings (in org order) and says how many
more there are; the units table keeps every unit's counts, and ``okrsite
check`` lists everything."""

LISTED_PER_GROUP_AT_LEAST = 5

_SEVERITY_BAND = {"error": "red", "warning": "yellow", "info": "none"}
_RST_LITERAL = re.compile(r"``(.+?)``")


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    """A quality page per cycle (split per top-level unit when large) and the
    rules reference page."""
    findings = site_findings(ctx)
    split = split_cycles(
        ctx.model, findings, compact=is_compact(ctx.model, ctx.options),
        threshold=ctx.options.quality_split_findings,
    )
    today = ctx.today.isoformat()
    # Each split page's findings, in one pass (its dependency record needs them).
    by_top: dict[tuple[str | None, str], list[Finding]] = {}
    if split:
        for finding in findings:
            if finding.unit is not None:
                top = top_level_of(ctx.model, finding.unit)
                by_top.setdefault((finding.cycle, top), []).append(finding)
    closed = set(closed_cycles(ctx)) if ctx.stored is not None else set()
    general = [repr(f) for f in findings if f.cycle is None] if closed else []
    for cycle in ctx.model.cycles.values():
        compact = cycle.id in split
        make = partial(
            render_quality_page, ctx.model, cycle, findings, today=today, compact=compact
        )
        yield GeneratedFile(
            urls.quality_page(cycle.id),
            _kept_page(ctx, cycle.id, general, today, compact, make)
            if cycle.id in closed
            else make(),
        )
        if compact:
            for unit_id in top_level_units(ctx.model):
                path = urls.quality_unit_page(cycle.id, unit_id)
                make = partial(
                    render_quality_unit_page,
                    ctx.model,
                    cycle,
                    findings,
                    unit_id,
                    today=today,
                    tree=ctx.org_tree(),
                )
                record = partial(
                    quality_unit_inputs, cycle, by_top.get((cycle.id, unit_id), []), unit_id,
                    ctx.below(), today,
                )
                yield GeneratedFile(
                    path, ctx.page(lambda kept: kept.quality_pages, path, record, make)
                )
    yield GeneratedFile(urls.RULES, render_rules_page(ctx.model))


def _kept_page(
    ctx: SiteContext,
    cycle_id: str,
    general: list[str],
    today: str,
    compact: bool,
    make: Callable[[], str],
) -> str:
    """A closed cycle's quality page, kept in the build's store under its
    inputs: the cycle's input files (the store adds them: its units' files,
    ``company.yaml``, ``org.yaml``, okrsite's code), the day it prints, the
    layout, the cycle's findings and those of no cycle (``general``, as
    ``repr``)."""
    assert ctx.stored is not None
    context = "\n".join(
        ["okrsite-quality-page 1", today, str(compact), ctx.options.audience,
         closed_cycle_findings(ctx, cycle_id), *general]
    )
    key = ctx.stored.key(cycle_id, context)
    return make() if key is None else ctx.stored_text(key, make)


def split_cycles(
    model: OkrModel, findings: Iterable[Finding], *, compact: bool, threshold: int
) -> set[str]:
    """Cycles whose quality report is split per top-level unit: every cycle of
    a large company (``compact``), else those with more than ``threshold``
    findings (``SiteOptions.quality_split_findings``), so no quality page
    grows with them."""
    if compact:
        return set(model.cycles)
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.cycle is not None:
            counts[finding.cycle] = counts.get(finding.cycle, 0) + 1
    return {cycle_id for cycle_id, n in counts.items() if n > threshold}


def unit_anchor(unit_id: str) -> str:
    """Anchor of a unit's section on the quality page."""
    return f"unit-{unit_id}"


def quality_section_page(model: OkrModel, cycle_id: str, unit_id: str, *, compact: bool) -> str:
    """The quality page holding ``unit_id``'s section (``#unit-<id>``)."""
    top = top_level_of(model, unit_id)
    if not compact or top == ROOT_UNIT:
        return urls.quality_page(cycle_id)
    return urls.quality_unit_page(cycle_id, top)


def rule_anchor(rule_id: str) -> str:
    """Anchor of a rule on the rules page (``OKR001`` → ``okr001``)."""
    return rule_id.lower()


def severity_chip(severity: str) -> Markup:
    """``warning`` as a coloured chip (the word is always shown)."""
    band = _SEVERITY_BAND.get(severity, "none")
    return Markup(
        f'<span class="okr-chip okr-band--{band} okr-finding--{html_text(severity)}">'
        f"{html_text(severity)}</span>"
    )


def counts_text(findings: Iterable[Finding]) -> str:
    """``2 errors · 5 warnings · 1 info`` (zero counts left out)."""
    counts = count_by_severity(findings)
    parts = []
    for severity in SEVERITIES:
        n = counts[severity]
        if n:
            noun = severity if severity == "info" or n == 1 else f"{severity}s"
            parts.append(f"{n} {noun}")
    return " · ".join(parts) or "no findings"


def unit_badge(
    findings: Iterable[Finding],
    cycle_id: str,
    unit_id: str,
    from_doc: str,
    page: str | None = None,
) -> Markup | None:
    """A small link to the unit's section of the quality page, e.g.
    "2 warnings · 1 info", or ``None`` when the unit has no findings.
    ``page`` is the page holding that section (default: the cycle's quality
    page; see :func:`quality_section_page`)."""
    mine = [f for f in findings if f.cycle == cycle_id and f.unit == unit_id]
    if not mine:
        return None
    worst = min(SEVERITIES.index(f.severity) for f in mine)
    chip_band = _SEVERITY_BAND[SEVERITIES[worst]]
    link = doc_link(
        f"Quality: {counts_text(mine)}",
        from_doc,
        page or urls.quality_page(cycle_id),
        unit_anchor(unit_id),
    )
    opening = Markup(f'<span class="okr-chip okr-band--{chip_band} okr-quality-badge">')
    return opening + link + Markup("</span>")


def _target(model: OkrModel, cycle: Cycle | None, finding: Finding) -> tuple[str, str | None]:
    """The page (and anchor) a finding is about: its objective or key result,
    else its unit's page for the cycle, else the unit's profile; ``("", None)``
    when it is about nothing on the site (company settings, org.yaml)."""
    unit_id = finding.unit
    if unit_id is None or (unit_id != ROOT_UNIT and unit_id not in model.units):
        return "", None
    if cycle is None:
        return (urls.unit_profile(unit_id), None) if unit_id in model.units else ("", None)
    page = urls.unit_link(cycle, unit_id)
    okrs = cycle.okrs.get(unit_id)
    objective = None
    if okrs is not None and finding.objective is not None:
        objective = next((o for o in okrs.objectives if o.id == finding.objective), None)
    if objective is None:
        return page, None
    if finding.key_result is not None:
        kr = next((k for k in objective.key_results if k.id == finding.key_result), None)
        if kr is not None:
            return page, urls.key_result_anchor(objective.id, kr.id)
    return page, urls.objective_anchor(objective.id)


def _finding_line(
    model: OkrModel, cycle: Cycle | None, finding: Finding, doc: str, *, mixed: bool
) -> Markup:
    """One finding as one short Markdown list item body: unit, the message as
    a link to what it is about, the file and line. The rule, its severity and
    its fix hint are said once by the group, which keeps 600 findings light;
    the severity is repeated only in a group that mixes severities."""
    page, anchor = _target(model, cycle, finding)
    message = doc_link(finding.message, doc, page, anchor) if page else md_inline(finding.message)
    where = md_inline(f"{finding.location.path}:{finding.location.line}")
    unit = md_inline(model.unit_name(finding.unit)) if finding.unit else "Organisation"
    chip = severity_chip(finding.severity) + " " if mixed else ""
    return Markup(f"{chip}**{unit}** · {message} · <small>{where}</small>")


def _here(text: str, anchor: str) -> Markup:
    """A link to an anchor on the same page."""
    return Markup(f"[{md_inline(text)}](#{anchor})")


def group_anchor(rule_id: str) -> str:
    """Anchor of a rule's group of findings on a quality page (``rule-okr015``)."""
    return f"rule-{rule_id.lower()}"


def _rule_groups(
    model: OkrModel,
    cycle: Cycle | None,
    shown: list[Finding],
    unit_order: list[str],
    doc: str,
    *,
    listed: int | None = None,
) -> list[dict[str, object]]:
    """One collapsible group per rule that fired (rule id order): its count,
    severities, fix hint once, and its findings ordered by unit (the org's
    order) then by file and line. Groups start open on small pages. With
    ``listed`` and more findings than that, each group lists an equal share
    of it (at least :data:`LISTED_PER_GROUP_AT_LEAST`) and counts the rest."""
    rank = {unit_id: n for n, unit_id in enumerate(unit_order)}
    is_open = len(shown) <= OPEN_GROUPS_UP_TO
    fired = [rule for rule in RULES if any(f.rule_id == rule.id for f in shown)]
    share = None
    if listed is not None and len(shown) > listed and fired:
        share = max(LISTED_PER_GROUP_AT_LEAST, listed // len(fired))
    groups = []
    for rule in fired:
        hits = [f for f in shown if f.rule_id == rule.id]
        hits.sort(key=lambda f: (rank.get(f.unit or "", len(rank)), f.sort_key()))
        more = 0 if share is None else max(0, len(hits) - share)
        severities = [s for s in SEVERITIES if any(f.severity == s for f in hits)]
        noun = "finding" if len(hits) == 1 else "findings"
        groups.append(
            {
                "anchor": group_anchor(rule.id),
                "open": is_open,
                "summary": Markup(
                    f"{html_text(rule.id)} {html_text(rule.title)} · {len(hits)} {noun} "
                )
                + Markup(" ").join(severity_chip(s) for s in severities),
                "hint": rule.hint,
                "rule_link": doc_link(
                    f"{rule.id} in the rules reference", doc, urls.RULES, rule_anchor(rule.id)
                ),
                "findings": [
                    _finding_line(
                        model, cycle if f.cycle is not None else None, f, doc,
                        mixed=len(severities) > 1,
                    )
                    for f in hits[: len(hits) - more]
                ],
                "more": more,
            }
        )
    return groups


def _by_rule(shown: list[Finding], doc: str, *, groups_here: bool) -> list[dict[str, object]]:
    """Rows of the "By rule" table; each rule links to its group on this page
    (``groups_here``) or else to the rules reference."""
    by_rule = []
    for rule in RULES:
        hits = [f for f in shown if f.rule_id == rule.id]
        if hits:
            label = f"{rule.id} {rule.title}"
            link = (
                _here(label, group_anchor(rule.id))
                if groups_here
                else doc_link(label, doc, urls.RULES, rule_anchor(rule.id))
            )
            by_rule.append(
                {
                    "rule": link,
                    "severity": Markup(" ").join(
                        severity_chip(s) for s in SEVERITIES if any(f.severity == s for f in hits)
                    ),
                    "count": len(hits),
                }
            )
    return by_rule


def _unit_rows(
    model: OkrModel, cycle: Cycle, mine: list[Finding], unit_ids: list[str], doc: str
) -> list[dict[str, object]]:
    """One row per unit with findings (in the given order), anchored
    ``#unit-<id>`` for the unit pages' badges: its counts and which rules
    fired, linked to their groups."""
    by_unit: dict[str | None, list[Finding]] = {}
    for finding in mine:
        by_unit.setdefault(finding.unit, []).append(finding)
    rows: list[dict[str, object]] = []
    for unit_id in unit_ids:
        hits = by_unit.get(unit_id)
        if not hits:
            continue
        per_rule: dict[str, int] = {}
        for f in hits:
            per_rule[f.rule_id] = per_rule.get(f.rule_id, 0) + 1
        rules = Markup(" · ").join(
            _here(f"{rule_id} ×{n}" if n > 1 else rule_id, group_anchor(rule_id))
            for rule_id, n in sorted(per_rule.items())
        )
        name = doc_link(model.unit_name(unit_id), doc, urls.unit_link(cycle, unit_id))
        rows.append(
            {
                "name": name + Markup(f"{{#{unit_anchor(unit_id)}}}"),
                "counts": counts_text(hits),
                "findings": len(hits),
                "rules": rules,
            }
        )
    return rows


def _top_unit_rows(
    model: OkrModel, cycle: Cycle, mine: list[Finding], doc: str
) -> list[dict[str, object]]:
    """Per top-level unit: its subtree's findings, linked to its quality page."""
    by_top: dict[str, list[Finding]] = {}
    for finding in mine:
        if finding.unit is not None and finding.unit in model.units:
            by_top.setdefault(top_level_of(model, finding.unit), []).append(finding)
    rows = []
    for unit_id in top_level_units(model):
        hits = by_top.get(unit_id, [])
        rows.append(
            {
                "link": doc_link(
                    model.unit_name(unit_id), doc, urls.quality_unit_page(cycle.id, unit_id)
                ),
                "units": len({f.unit for f in hits}),
                "count": len(hits),
                "counts": counts_text(hits),
            }
        )
    return rows


def quality_unit_inputs(
    cycle: Cycle,
    findings: list[Finding],
    top_unit: str,
    below: Mapping[str, list[str]],
    today: str,
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The dependency record of :func:`render_quality_unit_page` (the caller
    adds what every page shares: unit names and org, the company, the
    cycles), as ``(objects compared by identity, values compared by
    equality)``: the OKRs of the unit and every unit below it (findings link
    to their objectives and KRs), which of them have a page in the cycle,
    their findings and the date. ``below``:
    :func:`okrsite.analysis.org.all_descendants`. ``findings`` may be all of
    them or those of the unit's subtree already. Keep it in step with
    :func:`render_quality_unit_page` (``tests/test_serve_graphs.py``)."""
    members = [top_unit, *below.get(top_unit, [])]
    member_set = set(members)
    okrs = [cycle.okrs.get(unit_id) for unit_id in members]
    same = tuple(found.content if found is not None else None for found in okrs)
    mine = tuple(f for f in findings if f.cycle == cycle.id and f.unit in member_set)
    equal = (cycle.id, today, tuple(members), tuple(found is not None for found in okrs), mine)
    return same, equal


def render_quality_unit_page(
    model: OkrModel,
    cycle: Cycle,
    findings: list[Finding],
    top_unit: str,
    *,
    today: str,
    tree: OrgTree | None = None,
) -> str:
    """Markdown of one top-level unit's quality page (pure), for a split
    cycle: the findings of the unit and every unit below it, grouped by rule
    (``tree``: the org's, made once by a caller rendering many of them)."""
    doc = urls.quality_unit_page(cycle.id, top_unit)
    members = (tree or OrgTree(model)).subtree(top_unit)
    member_set = set(members)
    mine = [f for f in findings if f.cycle == cycle.id and f.unit in member_set]
    return render(
        "quality_unit.md.j2",
        cycle_title=cycle.title,
        unit_name=model.unit_name(top_unit),
        today=today,
        counts=counts_text(mine),
        total=len(mine),
        member_count=len(members),
        summary_link=doc_link(f"Quality · {cycle.title}", doc, urls.quality_page(cycle.id)),
        unit_link=doc_link(
            model.unit_name(top_unit), doc, urls.unit_link(cycle, top_unit)
        ),
        rules_link=doc_link("rules reference", doc, urls.RULES),
        by_rule=_by_rule(mine, doc, groups_here=True),
        groups=_rule_groups(model, cycle, mine, members, doc, listed=LISTED_PER_UNIT_PAGE),
        **_units_listing(_unit_rows(model, cycle, mine, members, doc)),
    )


UNITS_TABLE_MAX = 60
"""Most units with findings a top-level unit's quality page shows as a table
(counts and the rules that fired); more are listed by their counts, as
anchored links only (``#unit-<id>``, where the unit pages' badges point): a
department of 380 teams on another synthetic org (``bench/synth.py --seed
3``) made a 46 KB table and an 83 KB page."""


def _units_listing(rows: list[dict[str, object]]) -> dict[str, object]:
    """The template's ``units`` (table rows) or ``units_by_counts``: (counts,
    the anchored unit links with those counts), most findings first."""
    if len(rows) <= UNITS_TABLE_MAX:
        return {"units": rows, "units_by_counts": [], "units_listed": len(rows)}
    most_first = sorted(rows, key=lambda row: -cast(int, row["findings"]))  # stable
    return {
        "units": [],
        "units_by_counts": grouped_links(
            (row["counts"], Markup(row["name"])) for row in most_first
        ),
        "units_listed": len(rows),
    }


def render_quality_page(
    model: OkrModel, cycle: Cycle, findings: list[Finding], *, today: str, compact: bool = False
) -> str:
    """Markdown of a cycle's quality page (pure).

    ``findings`` may hold every cycle's findings: this page shows the cycle's
    own plus those about the organisation as a whole (no cycle), grouped by
    rule (collapsible ``<details>``, open on small pages), then a table of
    the units with findings. When ``compact`` (a split cycle: a large company,
    or many findings, see :func:`split_cycles`) the groups hold only the
    company's own and the organisation's findings, and a table per top-level
    unit links to :func:`render_quality_unit_page`.
    """
    doc = urls.quality_page(cycle.id)
    mine = [f for f in findings if f.cycle == cycle.id]
    general = [f for f in findings if f.cycle is None]
    shown = mine + general
    known = {ROOT_UNIT, *model.units}
    if compact:
        here = [f for f in mine if f.unit == ROOT_UNIT or f.unit not in known] + general
    else:
        here = shown
    unit_ids = [ROOT_UNIT] if compact else [ROOT_UNIT, *model.units]
    return render(
        "quality.md.j2",
        cycle_title=cycle.title,
        today=today,
        counts=counts_text(shown),
        total=len(shown),
        compact=compact,
        rules_link=doc_link("rules reference", doc, urls.RULES),
        by_rule=_by_rule(shown, doc, groups_here=not compact),
        groups=_rule_groups(model, cycle, here, [ROOT_UNIT, *model.units], doc),
        units=_unit_rows(model, cycle, mine, unit_ids, doc),
        top_units=_top_unit_rows(model, cycle, mine, doc) if compact else [],
        severities=_severity_rows(shown) if compact else [],
    )


def _severity_rows(shown: list[Finding]) -> list[dict[str, object]]:
    counts = count_by_severity(shown)
    return [
        {"severity": severity_chip(s), "count": counts[s]} for s in SEVERITIES if counts[s]
    ]


def _doc_markdown(text: str) -> Markup:
    """A rule's docstring (trusted: our own code) as Markdown: ``x`` → `x`."""
    return Markup(_RST_LITERAL.sub(r"`\1`", text))


def _methods_text(rule: Rule) -> str:
    parts = []
    for method in ("cascade", "align", "hybrid"):
        if method in rule.methods:
            severity = rule.severity_for(method)
            parts.append(method if severity == rule.severity else f"{method} ({severity})")
    return ", ".join(parts)


def _effective(model: OkrModel, rule: Rule) -> str:
    """What the rule does for this company: off, or its severity."""
    setting = model.company.checks.get(rule.id)
    method = model.company.method
    if setting == "off":
        return "off (company.yaml)"
    if setting is not None:
        return f"{setting} (company.yaml)"
    if method not in rule.methods:
        return f"off for the {method} method"
    return rule.severity_for(method)


def render_rules_page(model: OkrModel) -> str:
    """Markdown of the rules reference, generated from the rules' own docs (pure)."""
    rules = [
        {
            "id": rule.id,
            "anchor": rule_anchor(rule.id),
            "title": rule.title,
            "name": rule.name,
            "severity": rule.severity,
            "methods": _methods_text(rule),
            "effective": _effective(model, rule),
            "doc": _doc_markdown(rule.doc),
            "hint": rule.hint,
        }
        for rule in RULES
    ]
    return render("rules.md.j2", rules=rules, method=model.company.method)
