"""Raw content → validated :class:`~okrsite.model.OkrModel`, or every problem.

Two passes, both collecting rather than stopping:

1. *Shape* (:mod:`~okrsite.validate.shape`): each file against its pydantic
   schema (``CompanyFile``, ``OrgFile``, ``UnitCycleFile``). Pydantic's error
   ``loc`` tuples are data paths; the loader recorded a line/column for every
   data path, so each error lands on the exact key or value
   (:mod:`~okrsite.validate.located`).
2. *Meaning*: things no single file can know — unit ids unique, parents
   exist and reach ``company``, unit files match org.yaml units, cycle
   folders match company.yaml cycles (:mod:`~okrsite.validate.org`);
   references resolve within their cycle, alignment has no loops
   (:mod:`~okrsite.validate.references`).

Only when both passes find nothing is a model returned; otherwise one
:class:`~okrsite.errors.ContentError` lists everything.
"""

from __future__ import annotations

from pathlib import Path

from okrsite.errors import ContentError, ContentIssue
from okrsite.model import CompanyFile, Cycle, OkrModel, OrgFile, Unit
from okrsite.source import LoadCache, RawContent, load_content
from okrsite.source.data import DataFiles
from okrsite.validate.kept import KeptCycles
from okrsite.validate.measures import apply_measures
from okrsite.validate.org import check_cycle_dates, load_cycles, resolve_units
from okrsite.validate.references import Lookups, check_alignment_cycles, check_references
from okrsite.validate.shape import Shaper

__all__ = ["LoadCache", "Lookups", "load_model", "reference_issues", "validate"]


def load_model(
    content_dir: Path,
    *,
    cache: LoadCache | None = None,
    data: DataFiles | None = None,
    kept: KeptCycles | None = None,
) -> OkrModel:
    """Load and validate a content directory. Raises ContentError with every issue.

    Pass a :class:`~okrsite.source.LoadCache` when the same directory is
    loaded again in this process (a preview server): unchanged files are then
    neither parsed nor validated again. ``data`` reads the data files of
    measured KRs (default: from the repository root, the content directory's
    parent). ``kept`` (one build's :class:`~okrsite.validate.kept.KeptCycles`)
    holds cycles validated by an earlier build from the same files: their
    folders are not read; the caller saves it after a successful load.
    """
    skip = frozenset(kept.kept) if kept is not None else frozenset()
    raw = load_content(content_dir, cache, skip=skip)
    return validate(raw, cache=cache, data=data, kept=kept)


def validate(
    raw: RawContent,
    *,
    cache: LoadCache | None = None,
    data: DataFiles | None = None,
    kept: KeptCycles | None = None,
    references: bool = True,
    checkins: bool = True,
    share_fields_sets: bool = True,
) -> OkrModel:
    """Validate loaded content; raise ContentError listing every issue.

    Measured KRs read their data files through ``data`` (default: files under
    the content directory's parent). Cycles in ``kept`` come validated (see
    :mod:`okrsite.validate.kept`): their OKRs are put in place, and the
    checks that read their files are skipped (an earlier load of the same
    inputs found nothing); new cycles are captured into it.

    ``references=False`` leaves out the reference and loop checks: the
    caller runs them on the model with :func:`reference_issues` (``okrsite
    check`` does, in another process, while it runs rules) and, when they
    find something, validates again with them to report every issue at once
    (without them, issues of other kinds may come alone).

    ``checkins=False`` leaves out the key results' check-ins: they are
    neither validated nor in the model, and measured key results do not read
    their data files (which make check-ins). For work that never reads them,
    beside a full validation of the same content that reports every issue
    (``okrsite check``'s rules child); the model is otherwise the same, and
    shape validation takes less than half the time (a company's check-ins
    are most of its nodes).

    ``share_fields_sets=False`` leaves each node the fields set pydantic made
    for it instead of one shared set per class and fields given
    (``model.content.share_fields_set``). Sharing saves the memory and the
    garbage collector's walks of ~75,000 sets at 1,000 units for a model
    that is kept (a build, a preview server, kept cycles); it costs ~0.05 s
    of validation there, for nothing when the model is used once by a
    process that collects no garbage and ends without freeing it (``okrsite
    check``). The model is equal either way (the sets hold the same names)."""
    if kept is not None and not (references and checkins):
        raise ValueError("kept cycles are captured only from a fully checked load")
    issues: list[ContentIssue] = list(raw.issues)
    shaper = Shaper(cache, checkins=checkins, share_fields_sets=share_fields_sets)
    company = shaper.shape(raw.company, CompanyFile, issues)
    org = shaper.shape(raw.org, OrgFile, issues)

    units = resolve_units(org, raw.org, issues) if org is not None else {}
    cycles = load_cycles(raw, company, org, units, issues, shaper)
    reused = kept.kept if kept is not None else {}
    for folder, okrs in reused.items():
        if folder in cycles:
            cycles[folder].okrs = okrs
    if company is not None and org is not None:
        check_cycle_dates(company, raw.company, issues)
        lookups = Lookups()  # shared by both passes: one walk, each reference looked up once
        checked = {cycle_id: c for cycle_id, c in cycles.items() if cycle_id not in reused}
        if references:
            _check_links(checked, raw, units, cycles, issues, lookups)
        if kept is not None and not issues:
            kept.capture(cycles, raw.cycle_files)  # before measures change them
        if checkins:
            issues.extend(apply_measures(cycles, data or DataFiles(raw.root.parent)))
    if issues or company is None:
        raise ContentError(issues)
    return OkrModel(
        company=company,
        units=units,
        cycles=cycles,
        content_dir=raw.root.name,
    )


def reference_issues(
    raw: RawContent, model: OkrModel, lookups: Lookups | None = None
) -> list[ContentIssue]:
    """The issues of the checks ``validate(references=False)`` left out:
    references that do not resolve, links inside their own objective,
    alignment loops. ``model`` is what that call returned for ``raw``;
    ``lookups`` keeps each cycle's links for the caller (``lookups.links``)."""
    issues: list[ContentIssue] = []
    _check_links(model.cycles, raw, model.units, model.cycles, issues, lookups or Lookups())
    return issues


def _check_links(
    checked: dict[str, Cycle],
    raw: RawContent,
    units: dict[str, Unit],
    cycles: dict[str, Cycle],
    issues: list[ContentIssue],
    lookups: Lookups,
) -> None:
    """The reference and loop checks of the ``checked`` cycles (references
    may point into any of ``cycles``)."""
    for cycle in checked.values():
        check_references(cycle, raw, units, cycles, issues, lookups)
    check_alignment_cycles(checked, raw, issues, lookups)
