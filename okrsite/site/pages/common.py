"""View pieces shared by the home and cycle overview pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from okrsite import urls
from okrsite.analysis.alignment import AlignmentIndex, OkrRef
from okrsite.analysis.progress import kr_score, objective_progress, objective_score
from okrsite.model import ROOT_UNIT, Cycle, KeyResult, OkrModel
from okrsite.render.escape import md_inline
from okrsite.site.pages import values
from okrsite.site.pages.components import doc_link, progress_bar


@dataclass
class KrLine:
    link: Markup
    progress: Markup
    range: Markup


@dataclass
class ObjectiveLine:
    link: Markup
    progress: Markup
    key_results: list[KrLine] = field(default_factory=list)


def company_objectives(model: OkrModel, cycle: Cycle, from_doc: str) -> list[ObjectiveLine]:
    """The company's public objectives with progress, linked to the company page."""
    okrs = cycle.okrs.get(ROOT_UNIT)
    if okrs is None:
        return []
    scoring = model.company.scoring
    graded = okrs.content.status == "graded"
    page = urls.unit_link(cycle, ROOT_UNIT)
    lines = []
    for objective in okrs.objectives:
        line = ObjectiveLine(
            link=doc_link(objective.title, from_doc, page, urls.objective_anchor(objective.id)),
            progress=progress_bar(
                objective_progress(objective),
                scoring,
                graded=graded and objective_score(objective) is not None,
            ),
        )
        for kr in objective.key_results:
            line.key_results.append(
                KrLine(
                    link=doc_link(
                        kr.title, from_doc, page, urls.key_result_anchor(objective.id, kr.id)
                    ),
                    progress=progress_bar(
                        kr_score(kr), scoring, graded=graded and kr.score is not None
                    ),
                    range=_range_in_brackets(kr),
                )
            )
        lines.append(line)
    return lines


@dataclass(frozen=True)
class CoverageStats:
    units: int
    objectives: int
    key_results: int
    kr_coverage: str
    objective_coverage: str


def _ratio(part: int, whole: int) -> str:
    if whole == 0:
        return "–"
    return f"{part} of {whole} ({round(100 * part / whole)}%)"


def coverage_stats(model: OkrModel, cycle: Cycle, index: AlignmentIndex) -> CoverageStats:
    """Headline numbers: counts and how much of the company's KRs are supported."""
    objectives = [(unit_id, o) for unit_id, okrs in cycle.okrs.items() for o in okrs.objectives]
    key_results = sum(len(o.key_results) for _, o in objectives)
    company = cycle.okrs.get(ROOT_UNIT)
    company_krs = [
        OkrRef(ROOT_UNIT, o.id, kr.id)
        for o in (company.objectives if company else [])
        for kr in o.key_results
    ]
    supported = sum(1 for ref in company_krs if index.supporters(ref))
    unit_objectives = [(u, o) for u, o in objectives if u != ROOT_UNIT]
    aligned = sum(
        1
        for u, o in unit_objectives
        if index.objective_serves_anything(u, o.id, [kr.id for kr in o.key_results])
    )
    return CoverageStats(
        units=len(model.units),
        objectives=len(objectives),
        key_results=key_results,
        kr_coverage=_ratio(supported, len(company_krs)),
        objective_coverage=_ratio(aligned, len(unit_objectives)),
    )


def _range_in_brackets(kr: KeyResult) -> Markup:
    """``(14 → 9 → 5 days)`` after a KR's bar in a list, nothing without numbers."""
    text = values.range_text(kr)
    return Markup(md_inline(f"({text})")) if text else Markup("")
