"""okrsite diff: content read from git objects, compared, summarised for a PR.

Every test builds a real git repository in a temp dir, commits a content tree
(``contentkit.make_content``), edits it, and compares the working tree or a
second commit with the first.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
from pathlib import Path

import pytest
from contentkit import git, make_content

from okrsite.cli.review import compute_diff
from okrsite.errors import ContentError, OkrsiteError
from okrsite.review.changes import diff_json
from okrsite.review.markdown import MARKER, diff_markdown
from okrsite.source import load_content
from okrsite.source.gitsource import GitError, load_git_content

TODAY = dt.date(2026, 2, 10)

ORG = """\
units:
  - {id: product, name: Product, kind: department, lead: Priya, maintainers: ["@priya"]}
  - {id: sales, name: Sales, kind: department, maintainers: ["@sam"]}
  - {id: onboarding, name: Onboarding, kind: team, parent: product, maintainers: ["@olu"]}
"""

ONBOARDING = """\
status: locked
objectives:
  - id: smooth
    title: Smooth first week
    owner: Olu
    aligns_to: [product/easier]
    key_results:
      - id: guided
        title: Guided setup adoption
        start: 0
        target: 80
        current: 20
        unit: "%"
        owner: Olu
        contributes_to: [product/easier/ttv]
"""

PRIVATE = """\
  - id: secret
    title: Acquire Initech quietly
    visibility: private
    owner: Olu
    key_results:
      - {id: talks, title: Talks held, start: 0, target: 3, owner: Olu}
"""


def new_repo(tmp_path: Path, files: dict[str, str | None] | None = None) -> Path:
    """A git repository with one commit (tag ``base``) holding a content tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    make_content(repo, {"org.yaml": ORG, "2026-Q1/onboarding.yaml": ONBOARDING, **(files or {})})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    return repo


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in content/``rel``."""
    path = repo / "content" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def raw_summary(repo: Path, base: str = "base", head: str | None = None) -> str:
    """The Markdown summary of the working tree (or ``head``) against ``base``."""
    return diff_markdown(compute_diff(repo / "content", base, head, TODAY))


def summary(repo: Path, base: str = "base", head: str | None = None) -> str:
    """The summary with character references decoded, as a reader sees it."""
    return html.unescape(raw_summary(repo, base, head))


def test_target_cut_after_lock_is_flagged_and_counted(tmp_path: Path) -> None:
    """Lowering an increasing KR's target in a locked unit: 'target 350 → 300', flagged."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 300")
    text = summary(repo)
    assert text.startswith(MARKER + "\n")
    assert "target 350 → 300 — ⚠️ **target cut after lock**" in text
    assert "1 target cut after lock" in text.splitlines()[3]
    assert "1 unit changed" in text.splitlines()[3]


def test_decreasing_target_raised_after_lock_is_a_cut_lowered_is_not(tmp_path: Path) -> None:
    """For a decreasing KR (14 → 5 days) raising the target is the cut; lowering is not."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/product.yaml", "target: 5", "target: 7")
    assert "target 5 days → 7 days — ⚠️ **target cut after lock**" in summary(repo)
    edit(repo, "2026-Q1/product.yaml", "target: 7", "target: 4")
    text = summary(repo)
    assert "target 5 days → 4 days" in text
    assert "cut after lock" not in text


def test_target_change_before_lock_is_not_flagged(tmp_path: Path) -> None:
    """A draft unit may move its targets: the change is listed but not flagged."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "status: locked", "status: draft")
    git(repo, "commit", "-qam", "draft")
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 300")
    text = summary(repo, "HEAD")
    assert "target 350 → 300" in text
    assert "cut after lock" not in text


def test_rename_same_id_and_id_change_same_title(tmp_path: Path) -> None:
    """Same id + new title is a rename; same title + new id is an id change."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/product.yaml", "Make it easy to start", "Make starting effortless")
    edit(repo, "2026-Q1/company.yaml", "id: grow", "id: grow-midmarket")
    for rel in ("2026-Q1/product.yaml",):
        edit(repo, rel, "company/grow", "company/grow-midmarket")
    text = summary(repo)
    assert "renamed: “Make it easy to start” → “Make starting effortless”" in text
    assert "id changed: grow → grow-midmarket" in text
    assert "removed" not in text.split("Other units affected")[0]


def test_owner_start_unit_and_kr_added_removed(tmp_path: Path) -> None:
    """Owner, start and unit changes are listed; KRs added and removed by id."""
    repo = new_repo(tmp_path)
    edit(
        repo,
        "2026-Q1/product.yaml",
        "owner: Priya\n        contributes",
        "owner: Sam\n        contributes",
    )
    edit(repo, "2026-Q1/product.yaml", "start: 14", "start: 15")
    edit(repo, "2026-Q1/product.yaml", "unit: days", "unit: hours")
    edit(
        repo,
        "2026-Q1/company.yaml",
        "      - {id: customers,",
        "      - {id: nps, title: Net promoter score, start: 20, target: 40, owner: CEO}\n"
        "      - {id: customers,",
    )
    edit(repo, "2026-Q1/onboarding.yaml", "        contributes_to: [product/easier/ttv]\n", "")
    text = summary(repo)
    assert "owner Priya → Sam" in text
    assert "start 14 days → 15 hours" in text
    assert "unit days → hours" in text
    assert "➕ key result “Net promoter score” (nps) added" in text
    assert "no longer contributes to product/easier/ttv (Cut time to first value)" in text


def test_alignment_change_pings_old_and_new_parents(tmp_path: Path) -> None:
    """Re-aligning an objective: 'now aligns to …', 'no longer supports …', both parents affected."""
    repo = new_repo(tmp_path)
    edit(
        repo, "2026-Q1/onboarding.yaml", "aligns_to: [product/easier]", "aligns_to: [company/grow]"
    )
    text = summary(repo)
    assert "now aligns to company/grow (Grow mid-market)" in text
    assert "no longer supports product/easier (Make it easy to start)" in text
    affected = text.split("Other units affected")[1]
    assert "**Product** (product) — maintainers: @priya" in affected
    assert "**Acme** (company)" in affected
    assert "3 units changed" not in text


def test_removed_objective_pings_its_supporters(tmp_path: Path) -> None:
    """Removing an objective others align to lists those units (with maintainers) as affected."""
    repo = new_repo(
        tmp_path,
        {
            "2026-Q1/onboarding.yaml": ONBOARDING.replace(
                "product/easier/ttv", "company/grow/customers"
            ).replace("product/easier", "company/grow")
        },
    )
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 400")
    text = summary(repo)
    affected = text.split("Other units affected")[1]
    assert "**Onboarding** (onboarding) — maintainers: @olu" in affected
    assert "supports company/grow/customers, which changed its target" in affected
    assert "**Product** (product)" in affected


def test_deleted_unit(tmp_path: Path) -> None:
    """A unit removed from org.yaml with its file: org 'deleted', objectives removed, parent pinged."""
    repo = new_repo(tmp_path)
    (repo / "content/2026-Q1/onboarding.yaml").unlink()
    edit(
        repo,
        "org.yaml",
        '  - {id: onboarding, name: Onboarding, kind: team, parent: product, maintainers: ["@olu"]}\n',
        "",
    )
    text = summary(repo)
    assert "1 unit deleted" in text.splitlines()[3]
    assert "➖ Onboarding (onboarding) deleted (was under Product)" in text
    assert "2026-Q1 · Onboarding (onboarding) — removed" in text
    assert "➖ objective “Smooth first week” (smooth) removed" in text
    assert "child unit onboarding was deleted" in text


def test_unit_moved_to_another_department(tmp_path: Path) -> None:
    """A parent change in org.yaml is a move; the old and new department are affected."""
    repo = new_repo(tmp_path)
    edit(repo, "org.yaml", "parent: product", "parent: sales")
    text = summary(repo)
    assert "1 unit moved" in text.splitlines()[3]
    assert (
        "Onboarding (onboarding) moved to another department: Product (product) → Sales (sales)"
        in text
    )
    assert "onboarding moved from here to sales" in text
    assert "onboarding moved here from product" in text


def test_private_objective_change_is_only_a_count(tmp_path: Path) -> None:
    """A change to a private objective shows as a count; its title and ids never appear."""
    repo = new_repo(tmp_path, {"2026-Q1/onboarding.yaml": ONBOARDING + PRIVATE})
    edit(repo, "2026-Q1/onboarding.yaml", "target: 3,", "target: 5,")
    edit(repo, "2026-Q1/onboarding.yaml", "Acquire Initech quietly", "Acquire Initech now")
    result = compute_diff(repo / "content", "base", None, TODAY)
    for text in (diff_markdown(result), diff_json(result)):
        assert "1 private objective changed" in text
        assert "Initech" not in text and "secret" not in text and "talks" not in text


def test_objective_made_private_is_not_shown_as_removed(tmp_path: Path) -> None:
    """Turning a public objective private counts as a private change, not a removal."""
    repo = new_repo(tmp_path)
    edit(
        repo,
        "2026-Q1/onboarding.yaml",
        "    owner: Olu\n    aligns_to: [product/easier]\n",
        "    owner: Olu\n    visibility: private\n",
    )
    text = summary(repo)
    assert "1 private objective changed" in text
    assert "Smooth first week" not in text


def test_hostile_titles_are_escaped(tmp_path: Path) -> None:
    """Markdown/HTML in titles and notes cannot become links, tags or close the <details>."""
    repo = new_repo(tmp_path)
    hostile = "</summary></details><script>x</script> [click](javascript:alert(1)) *b* @everyone"
    edit(
        repo, "2026-Q1/product.yaml", "Make it easy to start", json.dumps(hostile)[1:-1].join('""')
    )
    edit(repo, "org.yaml", "name: Product", 'name: "<img src=x onerror=alert(1)>"')
    text = raw_summary(repo)
    assert "<script>" not in text and "</summary></details><script>" not in text
    assert "](javascript" not in text
    assert not re.search(r"(?<!\\)<img", text)  # only as the escaped, literal \<img
    assert "\\<script\\>" in text  # a backslash escape: inert, and readable in a terminal
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # inside <summary>: HTML-escaped


def test_checkin_progress_and_confidence(tmp_path: Path) -> None:
    """A new check-in shows progress and confidence changes and the check-in itself."""
    repo = new_repo(tmp_path)
    edit(
        repo,
        "2026-Q1/product.yaml",
        "current: 9",
        "current: 8\n        checkins:\n          - {date: 2026-02-02, value: 8, confidence: low, note: Slow}",
    )
    text = summary(repo)
    assert "progress 56% → 67%" in text
    assert "confidence no forecast → low" in text
    assert "new check-in 2026-02-02: 8 days, confidence low — Slow" in text


def test_new_and_fixed_findings(tmp_path: Path) -> None:
    """Removing an owner adds a warning; putting it back fixes it (compared both ways)."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "    owner: CEO\n", "")
    git(repo, "commit", "-qam", "no owner")
    result = compute_diff(repo / "content", "base", "HEAD", TODAY)
    assert [f.rule for f in result.new_findings] == ["OKR003"]
    assert "1 new warning" in result.headline()
    back = compute_diff(repo / "content", "HEAD", "base", TODAY)
    assert [f.rule for f in back.fixed_findings] == ["OKR003"]
    assert "1 finding fixed" in back.headline()


def test_json_format(tmp_path: Path) -> None:
    """JSON has the version, headline, counts and structured changes."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 300")
    data = json.loads(diff_json(compute_diff(repo / "content", "base", None, TODAY)))
    assert data["version"] == 1
    assert data["counts"]["targets_cut_after_lock"] == 1
    assert data["counts"]["units_changed"] == 1
    kr = data["units"][0]["objectives"][0]["key_results"][0]
    assert kr["fields"] == [{"field": "target", "old": "350", "new": "300"}]
    assert kr["target_cut"] is True


def test_output_is_deterministic(tmp_path: Path) -> None:
    """The same change gives the same bytes twice."""
    repo = new_repo(tmp_path)
    edit(repo, "org.yaml", "parent: product", "parent: sales")
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 300")
    assert summary(repo) == summary(repo)


def test_no_changes(tmp_path: Path) -> None:
    """An unchanged tree says so."""
    repo = new_repo(tmp_path)
    text = summary(repo)
    assert "**no OKR changes**" in text
    assert "No changes to the OKRs." in text


def test_content_absent_at_base_means_everything_is_added(tmp_path: Path) -> None:
    """A base without the content directory: every unit and objective is new."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("x\n")
    git(repo, "add", "README")
    git(repo, "commit", "-qm", "empty")
    make_content(repo, {})
    text = summary(repo, "HEAD")
    assert "No OKR content at the base: everything is new." in text
    assert "2026-Q1 · Product (product) — new" in text
    assert "➕ objective “Make it easy to start” (easier) added" in text


def test_unknown_ref_is_a_clear_error(tmp_path: Path) -> None:
    """A ref that names no commit raises GitError naming the ref, no traceback."""
    repo = new_repo(tmp_path)
    with pytest.raises(OkrsiteError, match="git ref 'origin/nope' not found"):
        compute_diff(repo / "content", "origin/nope", None, TODAY)
    with pytest.raises(GitError, match="not a git revision"):
        load_git_content(repo, "--output=/tmp/x", "content")


def test_invalid_head_and_invalid_base(tmp_path: Path) -> None:
    """Head errors lead the summary; an invalid base is noted and diffed against nothing."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "    owner: CEO\n", "    ownr: CEO\n")
    broken = compute_diff(repo / "content", "base", None, TODAY)
    text = html.unescape(diff_markdown(broken))
    assert "content is invalid: 1 error" in text
    assert "- content/2026-Q1/company.yaml:5:5: unknown key 'ownr'" in text
    git(repo, "commit", "-qam", "broken")
    edit(repo, "2026-Q1/company.yaml", "    ownr: CEO\n", "    owner: CEO\n")
    fixed = compute_diff(repo / "content", "HEAD", None, TODAY)
    assert fixed.base_missing and fixed.base_issues
    assert "The base content was invalid (1 error): compared with nothing" in diff_markdown(fixed)


def test_git_tree_loads_like_the_directory(tmp_path: Path) -> None:
    """Same data, display paths and located issues from git objects as from disk."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "status: locked", "status: locked\nstatus: draft")
    (repo / "content/2026-Q1/notes.txt").write_text("x")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dup")
    from_git = load_git_content(repo, "HEAD", "content")
    from_disk = load_content(repo / "content")
    assert from_git is not None
    assert from_git.issues == from_disk.issues
    assert str(from_git.issues[0]).startswith("content/2026-Q1/company.yaml:2:1: duplicate key")
    assert (
        from_git.cycle_files["2026-Q1"]["product"].data
        == from_disk.cycle_files["2026-Q1"]["product"].data
    )
    assert from_git.cycle_files["2026-Q1"]["product"].path == "content/2026-Q1/product.yaml"


def test_symlinks_in_git_trees_are_refused(tmp_path: Path) -> None:
    """A committed symbolic link (mode 120000) is an issue, never followed."""
    repo = new_repo(tmp_path)
    (repo / "content/2026-Q1/sales.yaml").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    raw = load_git_content(repo, "HEAD", "content")
    assert raw is not None
    assert any(
        i.location.path == "content/2026-Q1/sales.yaml" and "symbolic link" in i.message
        for i in raw.issues
    )
    assert "sales" not in raw.cycle_files["2026-Q1"]


def test_content_path_that_is_a_file_at_the_ref(tmp_path: Path) -> None:
    """A content path that is a file at the ref is a ContentError, as on disk."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "content").write_text("x\n")
    git(repo, "add", "content")
    git(repo, "commit", "-qm", "file")
    with pytest.raises(ContentError, match="content path is not a directory"):
        load_git_content(repo, "HEAD", "content")


def test_shallow_clone_diffs_what_it_has_and_explains_what_it_lacks(tmp_path: Path) -> None:
    """In a depth-1 clone HEAD is readable; an older ref fails with a shallow-clone hint."""
    repo = new_repo(tmp_path)
    edit(repo, "2026-Q1/company.yaml", "target: 350", "target: 300")
    git(repo, "commit", "-qam", "cut")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    edit(clone, "2026-Q1/company.yaml", "target: 300", "target: 250")
    assert "target 300 → 250" in summary(clone, "HEAD")
    sha = git(repo, "rev-parse", "base").strip()
    with pytest.raises(GitError, match="shallow clone"):
        compute_diff(clone / "content", sha, None, TODAY)


def test_changed_detail_in_a_finding_is_not_new_or_fixed(tmp_path: Path) -> None:
    """A finding on the same rule and node whose message changed (a stale
    check-in warning whose day count grew) is neither new nor fixed; a second
    finding of that rule on that node is new."""
    from okrsite.checks import Finding
    from okrsite.errors import SourceLocation
    from okrsite.review.compare import diff_models
    from okrsite.validate import load_model

    model = load_model(make_content(tmp_path, {}))

    def stale(days: int) -> Finding:
        return Finding(
            SourceLocation("content/2026-Q1/product.yaml", 8, 9),
            "OKR012",
            "warning",
            f"key result 'Cut time to first value' has no check-in for {days} days",
            "Add a check-in",
            cycle="2026-Q1",
            unit="product",
            objective="easier",
            key_result="ttv",
        )

    same = diff_models(model, model, base_findings=[stale(9)], head_findings=[stale(16)])
    assert same.new_findings == [] and same.fixed_findings == []
    more = diff_models(
        model, model, base_findings=[stale(9)], head_findings=[stale(9), stale(16)]
    )
    assert [f.message for f in more.new_findings] == [stale(16).message]
    assert more.fixed_findings == []
