"""Property test of the whole pipeline: content tree → located errors or a site.

Hypothesis writes random content trees built from the format's vocabulary
(company, org units, cycles, unit files as ``.yaml`` or ``.md`` with
objectives, key results, check-ins, health metrics, references between
them), with random strings including hostile ones (markup, YAML syntax,
control characters, look-alike ids, reserved names), then mutates some of
them: delete a key, add an unknown key, retype a value, swap in a hostile
string, and at the text level duplicate or delete a line, insert a tab or
a stray character. For every tree, ``load_model`` either

* raises :class:`~okrsite.errors.ContentError` whose every issue is located
  (``content/…:line:column: message``, line and column ≥ 1, in a file
  that exists), or
* returns a model from which the quality checks run and
  ``okrsite.site.build_docs_tree`` (graphs off, for speed) builds pages;

never any other exception. A second property runs a few trees through a
real ``okrsite build`` (MkDocs + Material).

By default the main property runs 150 examples and the MkDocs one 3 (a few
seconds in CI). To fuzz harder::

    OKRSITE_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz_build.py -q

(the MkDocs property then runs a fiftieth as many). Hypothesis keeps failing
examples in ``.hypothesis/`` and replays them first.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from contentkit import write_files
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from okrsite.checks import run_checks
from okrsite.cli import main
from okrsite.errors import ContentError
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.validate import load_model

EXAMPLES = int(os.environ.get("OKRSITE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = dt.date(2026, 2, 10)
LOCATED = re.compile(r"content/[^\n]+:[1-9][0-9]*:[1-9][0-9]*: \S[^\n]*")

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "{: onclick=alert(1) }",
    "&#x6a;avascript:",
    '"];evil[label=<<b>x</b>>',
    "yes", "no", "NO", "on", "off", "~", "null", "true", "0777", "1:20", ".nan", "-.inf",
    "2026-02-30", "2026-01-01T10:00:00", "1e400", "9" * 40,
    "- a", "a: b", "{a: 1}", "[1, 2", "'", '"', "#", "&anchor", "*alias", "!!python/object",
    "<<", "---", "...", "%YAML", "@", "`", "|", ">", "\t", "\u00a0", "\u200b", "\u2028",
    "\ufeff", "\x00", "\x1b[31m", "\ud7ff", "é", "东京", "🙂", "a" * 2100,
]  # fmt: skip
IDS = [
    "product", "product-onboarding", "sales", "company", "grow", "revenue", "a", "b",
    "index", "search", "con", "..", "a/b", "Sales", "s\u0430les", "x--y", "-x", "",
]  # fmt: skip
KEYS = {
    "company": ["name", "mission", "method", "scoring", "cadence", "cycles", "annual",
                "candidates", "checks", "check_limits", "publish_people", "version"],
    "unit": ["id", "name", "kind", "parent", "lead", "maintainers", "description"],
    "file": ["status", "locked_on", "objectives", "health_metrics"],
    "objective": ["id", "title", "description", "owner", "visibility", "weight",
                  "aligns_to", "related", "key_results", "score", "outcome", "learnings",
                  "allow"],
    "kr": ["id", "title", "kind", "start", "target", "current", "unit", "prefix",
           "direction", "done", "owner", "weight", "confidence", "contributes_to",
           "related", "checkins", "score", "note", "allow"],
}  # fmt: skip

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(alphabet="abc -:#'\"[]{}<>&*!|\\\t\n", max_size=20),
)
TITLE = st.one_of(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40), text)
NUMBER = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 0.5, 1e15, -1e15, 2**70]),
)
scalar = st.one_of(text, NUMBER, st.booleans(), st.none(), st.dates())
any_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
SAFE_TEXT = [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "{: onclick=alert(1) }",
    "&#x6a;avascript:", '"];evil[label=<<b>x</b>>', "yes", "NO", "~", "null", "0777",
    "- a", "a: b", "#", "*alias", "<<", "---", "é 东京 🙂", "{{ 7*7 }}",
]  # fmt: skip
safe_title = st.one_of(
    st.sampled_from(SAFE_TEXT),
    st.text(
        alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"), max_codepoint=0x2FFF),
        min_size=1,
        max_size=30,
    ),
)
safe_number = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6))
slug = st.one_of(st.sampled_from(IDS), st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4})?", fullmatch=True))


@st.composite
def key_result(draw: st.DrawFn, refs: list[str], kr_id: str, valid: bool) -> dict[str, Any]:
    title = safe_title if valid else TITLE
    number = safe_number if valid else NUMBER
    kr: dict[str, Any] = {"id": kr_id, "title": draw(title)}
    kind = draw(st.sampled_from(["numeric", "milestone", "threshold", None]))
    if kind == "milestone":
        kr["kind"] = "milestone"
        kr["done"] = draw(st.booleans())
    else:
        kr["start"] = draw(number)
        kr["target"] = draw(number)
        if draw(st.booleans()):
            kr["current"] = draw(number)
        if kind == "threshold":
            kr["kind"] = "threshold"
            kr["direction"] = draw(st.sampled_from(["above", "below"]))
    if draw(st.booleans()):
        kr["unit"] = draw(st.sampled_from(["%", "days", "M", "customers", "<b>"]))
    if draw(st.booleans()):
        kr["owner"] = draw(title)
    if refs and draw(st.booleans()):
        kr["contributes_to"] = draw(st.lists(st.sampled_from(refs), max_size=2))
    if draw(st.booleans()):
        kr["checkins"] = [
            {
                "date": draw(st.dates(dt.date(2025, 12, 1), dt.date(2026, 4, 30))),
                "value": draw(number),
                "confidence": draw(st.one_of(st.floats(0, 1), st.sampled_from(["low", "high"]))),
                "note": draw(title),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.booleans()):
        kr["score"] = draw(st.floats(0, 1))
    return kr


@st.composite
def unit_file(
    draw: st.DrawFn, refs: list[str], valid: bool, objective_ids: list[str]
) -> dict[str, Any]:
    title = safe_title if valid else TITLE
    data: dict[str, Any] = {"status": draw(st.sampled_from(["draft", "locked", "graded"]))}
    objectives = []
    count = draw(st.integers(1 if objective_ids else 0, 3))
    for i in range(count):
        objective_id = objective_ids[i] if i < len(objective_ids) else draw(slug)
        if valid and i >= len(objective_ids):
            objective_id = f"extra-{i}"
        objective: dict[str, Any] = {"id": objective_id, "title": draw(title)}
        for key in ("description", "owner", "learnings"):
            if draw(st.booleans()):
                objective[key] = draw(title)
        if draw(st.integers(0, 4)) == 0:
            objective["visibility"] = "private"
        if refs and draw(st.booleans()):
            objective["aligns_to"] = draw(st.lists(st.sampled_from(refs), max_size=2))
        if refs and draw(st.integers(0, 3)) == 0:
            objective["related"] = [draw(st.sampled_from(refs))]
        objective["key_results"] = [
            draw(key_result(refs, f"kr-{j}" if valid else draw(slug), valid))
            for j in range(draw(st.integers(0, 3)))
        ]
        objectives.append(objective)
    data["objectives"] = objectives
    if draw(st.integers(0, 3)) == 0:
        data["health_metrics"] = [
            {"title": draw(title), "target": draw(title), "current": draw(title),
             "status": draw(st.sampled_from(["ok", "at-risk", "off-track"]))}
        ]  # fmt: skip
    return data


@st.composite
def mutate(draw: st.DrawFn, data: Any, vocabulary: list[str]) -> Any:
    """Apply one random structural mutation somewhere inside ``data`` (in place)."""
    containers = []

    def walk(node: Any) -> None:
        if isinstance(node, dict | list):
            containers.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(data)
    target = draw(st.sampled_from(containers))
    operation = draw(st.sampled_from(["delete", "unknown", "retype", "hostile", "append"]))
    if isinstance(target, dict):
        keys = list(target)
        if operation == "delete" and keys:
            del target[draw(st.sampled_from(keys))]
        elif operation == "unknown":
            target[draw(st.sampled_from([*vocabulary, "ownr", "titel", "<<", "1"]))] = draw(
                any_value
            )
        elif operation in ("retype", "hostile") and keys:
            key = draw(st.sampled_from(keys))
            target[key] = draw(any_value if operation == "retype" else st.sampled_from(HOSTILE))
    elif target:
        index = draw(st.integers(0, len(target) - 1))
        if operation == "delete":
            del target[index]
        elif operation == "append":
            target.append(draw(any_value))
        else:
            target[index] = draw(any_value if operation == "retype" else st.sampled_from(HOSTILE))
    return data


@st.composite
def text_mutation(draw: st.DrawFn, source: str) -> str:
    """Duplicate or delete a line, or insert a tab, quote or stray character."""
    lines = source.splitlines(keepends=True)
    if not lines:
        return source
    index = draw(st.integers(0, len(lines) - 1))
    operation = draw(st.sampled_from(["duplicate", "delete", "insert"]))
    if operation == "duplicate":
        lines.insert(index, lines[index])
    elif operation == "delete":
        del lines[index]
    else:
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(st.sampled_from(["\t", "'", '"', ":", "- ", "&a ", "\x07"])) + line[at:]
    return "".join(lines)


@st.composite
def content_tree(draw: st.DrawFn) -> dict[str, str]:
    """A content tree (relative path → text): valid, or random and mutated.

    Valid trees use safe ids, a parent chain without loops and references
    only to company objectives (so alignment cannot loop); their strings are
    still hostile markup.
    """
    valid = draw(st.booleans())
    title = safe_title if valid else TITLE
    if valid:
        unit_ids = draw(st.lists(st.sampled_from(["product", "sales", "ops", "x-1"]), max_size=4, unique=True))
    else:
        unit_ids = draw(st.lists(slug, max_size=4, unique=True))
    units = [
        {
            "id": unit_id,
            "name": draw(title),
            "kind": draw(st.sampled_from(["department", "team", "service"])),
            "parent": draw(st.sampled_from(["company", *(unit_ids[:i] if valid else unit_ids)])),
            **({"lead": draw(title)} if draw(st.booleans()) else {}),
        }
        for i, unit_id in enumerate(unit_ids)
    ]
    company: dict[str, Any] = {
        "name": draw(title),
        "method": draw(st.sampled_from(["cascade", "align", "hybrid"])),
        "cycles": [{"id": "2026-Q1", "start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31)}],
    }
    if draw(st.booleans()):
        company["mission"] = draw(title)
    if draw(st.booleans()):
        company["publish_people"] = draw(st.booleans())
    owners = ["company", *unit_ids]
    files: dict[str, Any] = {"company.yaml": company, "org.yaml": {"units": units}}
    if valid:
        files["2026-Q1/company.yaml"] = draw(unit_file([], True, ["grow", "keep"]))
        refs = [f"company/{o['id']}" for o in files["2026-Q1/company.yaml"]["objectives"]]
        refs += [
            f"company/{o['id']}/{kr['id']}"
            for o in files["2026-Q1/company.yaml"]["objectives"]
            for kr in o["key_results"]
        ]
        for owner in draw(st.lists(st.sampled_from(unit_ids), max_size=3, unique=True)) if unit_ids else []:
            suffix = draw(st.sampled_from([".yaml", ".md"]))
            files[f"2026-Q1/{owner}{suffix}"] = draw(unit_file(refs, True, []))
    else:
        objective_ids = [draw(slug) for _ in range(3)]
        refs = [f"{u}/{o}" for u in owners for o in objective_ids[:2]] + [
            f"{owners[0]}/{objective_ids[0]}/{draw(slug)}"
        ]
        for owner in draw(st.lists(st.sampled_from(owners), max_size=3, unique=True)):
            suffix = draw(st.sampled_from([".yaml", ".md"]))
            files[f"2026-Q1/{owner}{suffix}"] = draw(unit_file(refs, False, objective_ids))
    mutated = 0 if valid else draw(st.integers(0, 3))
    names = sorted(files)
    for _ in range(mutated):
        name = draw(st.sampled_from(names))
        kind = "company" if name == "company.yaml" else "unit" if name == "org.yaml" else "file"
        vocabulary = KEYS[kind] + KEYS["objective"] + KEYS["kr"]
        files[name] = draw(mutate(files[name], vocabulary))
    out: dict[str, str] = {}
    for name, data in files.items():
        source = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        if not valid and draw(st.integers(0, 5)) == 0:
            source = draw(text_mutation(source))
        if name.endswith(".md"):
            body = draw(st.sampled_from(["", "Notes.\n", "<script>x</script>\n", "---\n"]))
            source = f"---\n{source}---\n{body}"
        out[name] = source
    return out


def write_tree(root: Path, files: dict[str, str]) -> Path:
    # Bytes: generated text may hold lone surrogates (invalid UTF-8 on purpose).
    encoded = {name: source.encode("utf-8", "surrogatepass") for name, source in files.items()}
    return write_files(root / "content", encoded)


def check_outcome(content: Path) -> bool:
    """Assert the property for one tree; True when it built a docs tree."""
    try:
        model = load_model(content)
    except ContentError as err:
        assert err.issues, "ContentError without issues"
        for issue in err.issues:
            assert LOCATED.fullmatch(str(issue)), str(issue)
            path = content.parent / issue.location.path
            assert path.exists() or path.is_symlink() or path.name in (
                "company.yaml",
                "org.yaml",
            ), str(issue)
        return False
    run_checks(model, today=TODAY)
    tree = build_docs_tree(model, SiteOptions(graphs=False, today=TODAY))
    assert "index.md" in tree.files
    assert all(isinstance(text, str | bytes) and text for text in tree.files.values())
    return True


@FUZZ
@given(files=content_tree())
# Found by this test in CI: a quoted value with line breaks made an issue print
# as several lines (errors.ContentIssue now prints every message as one line).
@example(
    files={
        "company.yaml": "name: '0'\nmethod: cascade\ncycles:\n- '\n\n  '\n",
        "org.yaml": "units: []\n",
    }
)
def test_any_tree_gives_located_errors_or_a_site(files: dict[str, str]) -> None:
    """Random valid and mutated trees: ContentError with every issue located
    (in an existing file, line and column ≥ 1), or checks + docs tree build;
    never another exception."""
    with tempfile.TemporaryDirectory() as tmp:
        check_outcome(write_tree(Path(tmp), files))


def test_generator_makes_both_outcomes() -> None:
    """The strategy reaches both outcomes (valid sites and located errors), so
    the property exercises the build, not just the validator."""
    outcomes: set[bool] = set()

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(files=content_tree())
    def collect(files: dict[str, str]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            outcomes.add(check_outcome(write_tree(Path(tmp), files)))

    collect()
    assert outcomes == {True, False}


MKDOCS_YML = """\
site_name: Fuzz
docs_dir: docs
theme:
  name: material
  font: false
markdown_extensions: [attr_list, tables, admonition, md_in_html, {toc: {permalink: true}}]
plugins:
  - search
  - okrsite:
      graphs: false
"""


@settings(
    max_examples=max(3, EXAMPLES // 50),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=content_tree())
def test_real_mkdocs_build_succeeds_or_fails_cleanly(files: dict[str, str]) -> None:
    """A few random trees through ``okrsite build``: exit 0 with a site, or
    exit 1 with located errors; never a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        (root / "docs").mkdir()
        (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        result = CliRunner().invoke(
            main,
            ["build", "-f", str(root / "mkdocs.yml"), "--today", TODAY.isoformat()],
        )
        logger = logging.getLogger("mkdocs")
        for handler in list(logger.handlers):
            if getattr(handler, "_okrsite", False):
                logger.removeHandler(handler)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            assert (root / "site" / "index.html").exists()
        else:
            assert result.exit_code == 1, result.output
            assert LOCATED.search(result.output), result.output
            assert not (root / "site").exists()
        assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []
