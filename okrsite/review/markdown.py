"""A change set → Markdown for a pull request comment. Pure.

Content is untrusted: every content string is escaped for GitHub/GitLab
Markdown (:func:`~okrsite.render.escape.gfm_inline`; inside ``<summary>``,
:func:`~okrsite.render.escape.gfm_html_text`), so no title, note or id can
create a link, image, HTML or mention. The escapes are backslashes and code
spans, not character references, so the comment also reads cleanly where it
is not rendered (``okrsite diff`` in a terminal, CI logs, e-mail).

The only mentions are deliberate: the maintainers of affected units, as
``org.yaml`` lists them, when they are valid CODEOWNERS handles or e-mails.
Output is deterministic.
"""

from __future__ import annotations

from okrsite.render.escape import gfm_html_text, gfm_inline
from okrsite.review.changes import (
    FieldChange,
    FindingChange,
    ItemChange,
    KrChange,
    ModelDiff,
    ObjectiveChange,
    OrgChange,
    UnitChange,
    plural,
)
from okrsite.review.codeowners import is_valid_owner

MARKER = "<!-- okrsite-diff -->"
"""First line of the Markdown summary; CI finds its sticky comment by it."""


def _md(text: object) -> str:
    return gfm_inline(text)


def _mention(owner: str) -> str:
    """A maintainer to notify, verbatim (a validated handle or e-mail: only
    ``_`` could be read as emphasis)."""
    return owner.replace("_", "\\_")


def _arrow(old: str, new: str) -> str:
    return f"{_md(old)} → {_md(new)}"


def _details(summary: str, lines: list[str], *, open_: bool = False) -> list[str]:
    """A collapsible section; ``summary`` is already HTML-escaped."""
    return [
        f"<details{' open' if open_ else ''}><summary>{summary}</summary>",
        "",
        *lines,
        "",
        "</details>",
        "",
    ]


def _field_line(f: FieldChange) -> str:
    if f.new in ("added", "removed", "changed") and f.old in ("", "present"):
        return f"{_md(f.field)} {f.new}"
    return f"{_md(f.field)} {_arrow(f.old, f.new)}"


def _identity_lines(change: ItemChange, indent: str) -> list[str]:
    """A new id and a new title, as list items at ``indent``."""
    lines = []
    if change.old_id:
        lines.append(f"{indent}- id changed: {_arrow(change.old_id, change.id)}")
    if change.old_title:
        lines.append(f"{indent}- renamed: “{_md(change.old_title)}” → “{_md(change.title)}”")
    return lines


def _kr_lines(kr: KrChange) -> list[str]:
    title = f"“{_md(kr.title)}” ({_md(kr.id)})"
    if kr.status == "added":
        return [f"  - ➕ key result {title} added"]
    if kr.status == "removed":
        return [f"  - ➖ key result {title} removed"]
    lines = [f"  - key result {title}", *_identity_lines(kr, "    ")]
    for f in kr.fields:
        flag = " — ⚠️ **target cut after lock**" if f.field == "target" and kr.target_cut else ""
        lines.append(f"    - {_field_line(f)}{flag}")
    if kr.progress:
        lines.append(f"    - progress {_arrow(*kr.progress)}")
    if kr.confidence:
        lines.append(f"    - confidence {_arrow(*kr.confidence)}")
    lines += [f"    - new check-in {_md(c)}" for c in kr.new_checkins]
    lines += [f"    - {_md(t.text)}" for t in [*kr.links_added, *kr.links_removed]]
    return lines


def _objective_lines(o: ObjectiveChange) -> list[str]:
    title = f"“{_md(o.title)}” ({_md(o.id)})"
    if o.status == "removed":
        lines = [f"- ➖ objective {title} removed"]
        lines += [f"  - {_md(t.text)}" for t in o.links_removed]
        return lines
    verb = "➕ objective" if o.status == "added" else "objective"
    lines = [f"- {verb} {title}{' added' if o.status == 'added' else ''}"]
    lines += _identity_lines(o, "  ")
    lines += [f"  - {_field_line(f)}" for f in o.fields]
    lines += [f"  - {_md(t.text)}" for t in [*o.links_added, *o.links_removed]]
    for kr in o.key_results:
        lines += _kr_lines(kr)
    return lines


def _unit_summary(u: UnitChange) -> str:
    status = {"added": " — new", "removed": " — removed", "changed": ""}[u.status]
    extra = f" — {plural(u.targets_cut, 'target')} cut after lock" if u.targets_cut else ""
    where = f"{gfm_html_text(u.cycle)} · {gfm_html_text(u.name)} ({gfm_html_text(u.unit)})"
    return f"{where}{status}{extra}"


def _org_line(c: OrgChange) -> str:
    who = f"{_md(c.name)} ({_md(c.unit)})"
    if c.kind == "added":
        return f"- ➕ {who} added under {_md(c.new)}"
    if c.kind == "deleted":
        return f"- ➖ {who} deleted (was under {_md(c.old)})"
    if c.kind == "moved":
        return f"- 🔀 {who} moved to another department: {_arrow(c.old, c.new)}"
    return f"- {who}: {_md(c.kind)} {_arrow(c.old, c.new)}"


def _finding_line(f: FindingChange) -> str:
    return f"- {_md(f.severity)} {_md(f.rule)}: {_md(f.message)} ({_md(f.location)})"


def diff_markdown(d: ModelDiff) -> str:
    """The summary as Markdown for a PR comment (every content string escaped)."""
    lines = [MARKER, "### OKR changes", "", f"**{_md(d.headline())}**", ""]
    if d.head_issues:
        lines += [
            "❌ **The OKR content in this change does not validate.** "
            "Fix these errors (`okrsite check` shows them locally):",
            "",
            *[f"- {_md(i)}" for i in d.head_issues],
            "",
        ]
    if d.base_issues:
        lines += _details(
            f"The base content was invalid ({plural(len(d.base_issues), 'error')}): "
            "compared with nothing",
            [f"- {_md(i)}" for i in d.base_issues],
        )
    elif d.base_missing and not d.head_issues:
        lines += ["No OKR content at the base: everything is new.", ""]
    if d.org:
        lines += _details(
            f"Organisation: {plural(len(d.org), 'change')}", [_org_line(c) for c in d.org]
        )
    for u in d.units:
        body: list[str] = []
        body += [f"- {_field_line(f)}" for f in u.fields]
        for o in u.objectives:
            body += _objective_lines(o)
        if u.private_changed:
            body.append(f"- {plural(u.private_changed, 'private objective')} changed")
        body.append(f"- file: {_md(u.path)}")
        lines += _details(_unit_summary(u), body)
    if d.affected:
        body = []
        for a in d.affected:
            people = ", ".join(
                _mention(m.strip()) for m in a.maintainers if is_valid_owner(m.strip())
            )
            who = f" — maintainers: {people}" if people else ""
            body.append(f"- **{_md(a.name)}** ({_md(a.unit)}){who}")
            body += [f"  - {_md(r)}" for r in a.reasons]
        lines += _details(f"Other units affected: {len(d.affected)}", body)
    if d.new_findings:
        lines += _details(
            f"New check findings: {len(d.new_findings)}",
            [_finding_line(f) for f in d.new_findings],
        )
    if d.fixed_findings:
        lines += _details(
            f"Fixed check findings: {len(d.fixed_findings)}",
            [_finding_line(f) for f in d.fixed_findings],
        )
    if d.is_empty:
        lines += ["No changes to the OKRs.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
