"""The quality report (one page per cycle), the rules reference, and the
per-unit findings badge.

The site runs the quality rules on the model it publishes (already redacted
for public builds), so no finding can mention a private objective; private
objectives only show up as OKR011's count. When ``publish_people`` is false
the owners were removed by redaction, so the owner rules (OKR003, OKR004)
are left out rather than reported for every objective.

Findings are computed once per build and shared through
``SiteContext.extras[FINDINGS_KEY]`` (see :func:`site_findings`), so the unit
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
from collections.abc import Iterable

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.org import subtree, top_level_of, top_level_units
from okrsite.checks import RULES, RULES_BY_ID, SEVERITIES, Finding, Rule, run_checks
from okrsite.checks.engine import count_by_severity
from okrsite.model import ROOT_UNIT, Cycle, OkrModel
from okrsite.render.escape import html_text
from okrsite.site.context import SiteContext
from okrsite.site.pages.components import doc_link
from okrsite.site.pages.render import render
from okrsite.site.pages.scale import is_compact
from okrsite.site.tree import GeneratedFile

FINDINGS_KEY = "check_findings"
"""Key of the build's findings in ``SiteContext.extras``."""
OWNER_RULES = frozenset({"OKR003", "OKR004"})

_SEVERITY_BAND = {"error": "red", "warning": "yellow", "info": "none"}
_RST_LITERAL = re.compile(r"``(.+?)``")


def produce(ctx: SiteContext) -> Iterable[GeneratedFile]:
    """A quality page per cycle and the rules reference page."""
    findings = site_findings(ctx)
    compact = is_compact(ctx.model, ctx.options)
    today = ctx.today.isoformat()
    for cycle in ctx.model.cycles.values():
        yield GeneratedFile(
            urls.quality_page(cycle.id),
            render_quality_page(ctx.model, cycle, findings, today=today, compact=compact),
        )
        if compact:
            for unit_id in top_level_units(ctx.model):
                yield GeneratedFile(
                    urls.quality_unit_page(cycle.id, unit_id),
                    render_quality_unit_page(ctx.model, cycle, findings, unit_id, today=today),
                )
    yield GeneratedFile(urls.RULES, render_rules_page(ctx.model))


def site_findings(ctx: SiteContext) -> list[Finding]:
    """The build's findings (computed on first use, then shared)."""
    cached = ctx.extras.get(FINDINGS_KEY)
    if isinstance(cached, list):
        return cached
    findings = run_checks(ctx.model, today=ctx.today)
    if not ctx.model.company.publish_people:
        findings = [f for f in findings if f.rule_id not in OWNER_RULES]
    ctx.extras[FINDINGS_KEY] = findings
    return findings


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


def _target_link(model: OkrModel, cycle: Cycle, finding: Finding, doc: str) -> Markup | None:
    """A link to the objective or key result a finding is about (or its unit page)."""
    unit_id = finding.unit
    if unit_id is None or (unit_id != ROOT_UNIT and unit_id not in model.units):
        return None
    page = urls.unit_page(cycle.id, unit_id)
    okrs = cycle.okrs.get(unit_id)
    objective = None
    if okrs is not None and finding.objective is not None:
        objective = next((o for o in okrs.objectives if o.id == finding.objective), None)
    if objective is None:
        return doc_link(model.unit_name(unit_id), doc, page)
    if finding.key_result is not None:
        kr = next((k for k in objective.key_results if k.id == finding.key_result), None)
        if kr is not None:
            anchor = urls.key_result_anchor(objective.id, kr.id)
            return doc_link(kr.title, doc, page, anchor)
    return doc_link(objective.title, doc, page, urls.objective_anchor(objective.id))


def _finding_view(
    model: OkrModel, cycle: Cycle | None, finding: Finding, doc: str
) -> dict[str, object]:
    target = _target_link(model, cycle, finding, doc) if cycle is not None else None
    if target is None and finding.unit in model.units:
        assert finding.unit is not None
        target = doc_link(model.unit_name(finding.unit), doc, urls.unit_profile(finding.unit))
    rule = RULES_BY_ID.get(finding.rule_id)
    title = rule.title if rule else finding.rule_id
    return {
        "severity": severity_chip(finding.severity),
        "rule": doc_link(
            f"{finding.rule_id} {title}", doc, urls.RULES, rule_anchor(finding.rule_id)
        ),
        "message": finding.message,
        "hint": finding.hint,
        "target": target,
        "location": f"{finding.location.path}:{finding.location.line}",
    }


def _by_rule(shown: list[Finding], doc: str) -> list[dict[str, object]]:
    by_rule = []
    for rule in RULES:
        hits = [f for f in shown if f.rule_id == rule.id]
        if hits:
            by_rule.append(
                {
                    "rule": doc_link(
                        f"{rule.id} {rule.title}", doc, urls.RULES, rule_anchor(rule.id)
                    ),
                    "severity": Markup(" ").join(
                        severity_chip(s) for s in SEVERITIES if any(f.severity == s for f in hits)
                    ),
                    "count": len(hits),
                }
            )
    return by_rule


def _unit_sections(
    model: OkrModel, cycle: Cycle, mine: list[Finding], unit_ids: list[str], doc: str
) -> list[dict[str, object]]:
    """One section per unit with findings, in the given order."""
    by_unit: dict[str | None, list[Finding]] = {}
    for finding in mine:
        by_unit.setdefault(finding.unit, []).append(finding)
    units: list[dict[str, object]] = []
    for unit_id in unit_ids:
        hits = by_unit.get(unit_id)
        if not hits:
            continue
        units.append(
            {
                "name": model.unit_name(unit_id),
                "anchor": unit_anchor(unit_id),
                "page": doc_link("OKRs", doc, urls.unit_page(cycle.id, unit_id)),
                "counts": counts_text(hits),
                "findings": [_finding_view(model, cycle, f, doc) for f in hits],
            }
        )
    return units


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


def render_quality_unit_page(
    model: OkrModel, cycle: Cycle, findings: list[Finding], top_unit: str, *, today: str
) -> str:
    """Markdown of one top-level unit's quality page in a large company (pure):
    the findings of the unit and every unit below it, one section each."""
    doc = urls.quality_unit_page(cycle.id, top_unit)
    members = subtree(model, top_unit)
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
            model.unit_name(top_unit), doc, urls.unit_page(cycle.id, top_unit)
        ),
        rules_link=doc_link("rules reference", doc, urls.RULES),
        by_rule=_by_rule(mine, doc),
        units=_unit_sections(model, cycle, mine, members, doc),
    )


def render_quality_page(
    model: OkrModel, cycle: Cycle, findings: list[Finding], *, today: str, compact: bool = False
) -> str:
    """Markdown of a cycle's quality page (pure).

    ``findings`` may hold every cycle's findings: this page shows the cycle's
    own plus those about the organisation as a whole (no cycle). When
    ``compact`` (large companies) it lists only the company's own findings and
    a table per top-level unit linking to :func:`render_quality_unit_page`.
    """
    doc = urls.quality_page(cycle.id)
    mine = [f for f in findings if f.cycle == cycle.id]
    general = [f for f in findings if f.cycle is None]
    shown = mine + general

    by_rule = _by_rule(shown, doc)
    unit_ids = [ROOT_UNIT] if compact else [ROOT_UNIT, *model.units]
    units = _unit_sections(model, cycle, mine, unit_ids, doc)
    known = {ROOT_UNIT, *model.units}
    stray = [f for f in mine if f.unit not in known]

    return render(
        "quality.md.j2",
        cycle_title=cycle.title,
        today=today,
        counts=counts_text(shown),
        total=len(shown),
        rules_link=doc_link("rules reference", doc, urls.RULES),
        by_rule=by_rule,
        units=units,
        top_units=_top_unit_rows(model, cycle, mine, doc) if compact else [],
        severities=_severity_rows(shown) if compact else [],
        general=[_finding_view(model, None, f, doc) for f in general]
        + [_finding_view(model, cycle, f, doc) for f in stray],
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
