"""No script gets through: hostile text in every string field, real MkDocs build.

A content tree is written whose every free-text field (company name,
mission, annual and candidate objectives, cycle name, unit names, leads,
maintainers, descriptions, objective and KR titles, owners, notes,
learnings, units and prefixes, check-in notes and authors, health metrics,
the ``.md`` body) holds the classic payload families: script tags, event
handlers, ``javascript:``/``data:`` URLs in Markdown links and images,
attribute-list injection, SVG ``onload``, entity tricks, DOT and HTML-label
injection, template syntax. The site is built with ``okrsite build`` (real
MkDocs + Material, real Graphviz) next to a clean build of the same tree
with harmless text, and the built HTML, SVG and search index are parsed:

* no ``<script>`` beyond the ones the clean build has (Material's own);
* no ``on…=`` event-handler attribute, no ``<iframe>``/``<object>``/``<embed>``;
* no ``javascript:``/``data:``/``vbscript:`` URL in ``href``, ``src``,
  ``xlink:href``, ``action`` or ``formaction``;
* the payload text is still shown to readers, as text.

Run: ``python -m pytest tests/test_xss.py -q`` (about 5 s; needs Graphviz).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from contentkit import write_files

from okrsite.cli import main

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-02-10"

PAYLOADS = [
    '<script>alert("xss-script")</script>',
    "<img src=x onerror=alert('xss-img')>",
    "[click me](javascript:alert('xss-md-link'))",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="javascript:alert(1)">raw link</a>',
    "{: onclick=\"alert('xss-attr-list')\" }",
    "<svg onload=alert('xss-svg')><circle r=5 /></svg>",
    "&#x6a;avascript:alert('xss-entity')",
    '<a href="&#x6a;avascript:alert(2)">entity link</a>',
    "<javascript:alert('xss-autolink')>",
    '"><script>alert(3)</script><b x="',
    "<iframe src=javascript:alert(4)></iframe>",
    "<details open ontoggle=alert(5)>",
    '<<b>html label</b>> "];evil [label="dot \\N \\G',
    "{{ 7*7 }} {% raw %} ${7*7} :smile: ==mark== ^^ins^^ $x$",
]
COMBINED = " ".join(PAYLOADS)
SHORT_UNIT = "<img src=x onerror=alert(6)>"  # KR 'unit' holds at most 32 characters
SHORT_PREFIX = "<b x='"  # KR 'prefix' holds at most 8
BODY = "\n\n".join(
    [
        "<script>alert('xss-body-script')</script>",
        "[ref]: javascript:alert('xss-ref')",
        "A [reference link][ref] and <https://example.com> and <javascript:alert(7)>",
        "Paragraph with attributes\n{: onclick=\"alert('xss-body-attr')\" }",
        '<div markdown="1" onmouseover="alert(8)">*md in html*</div>',
        "![x](javascript:alert(9))",
        COMBINED,
    ]
)
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "poster"}


def hostile(field_name: str) -> str:
    """The payload text for one field, tagged with the field's name."""
    return f"F[{field_name}] {COMBINED}"


def benign(field_name: str) -> str:
    return f"F[{field_name}] plain words"


# ---------------------------------------------------------------------------
# The content tree (written as YAML with JSON-quoted strings)


def _scalar(value: Any) -> str:
    if isinstance(value, dt.date | bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(value, ensure_ascii=False)


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block YAML; strings double-quoted (JSON escapes are YAML escapes)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item) if item != [] else '[]'}\n")
        return "".join(lines)
    lines = []
    for item in value:
        text = to_yaml(item, indent + 2) if isinstance(item, dict | list) else _scalar(item)
        if isinstance(item, dict | list):
            lines.append(f"{pad}- {text.lstrip()}")
        else:
            lines.append(f"{pad}- {text}\n")
    return "".join(lines)


def content_files(text: Any) -> dict[str, str]:
    """A small company whose every string field is ``text(field name)``."""
    company = {
        "name": text("company.name"),
        "mission": text("company.mission"),
        "method": "hybrid",
        "cycles": [
            {
                "id": "2026-Q1",
                "name": text("cycle.name"),
                "start": dt.date(2026, 1, 1),
                "end": dt.date(2026, 3, 31),
            }
        ],
        "annual": [{"year": 2026, "objective": text("annual.objective")}],
        "candidates": [
            {"cycle": "2026-Q2", "objective": text("candidate.objective"),
             "owner": text("candidate.owner")}
        ],
    }
    org = {
        "units": [
            {
                "id": "product",
                "name": text("unit.name"),
                "kind": "department",
                "lead": text("unit.lead"),
                "maintainers": [text("unit.maintainer")],
                "description": text("unit.description"),
            },
            {"id": "support", "name": text("service.name"), "kind": "service"},
        ]
    }

    def key_result(prefix: str, kr_id: str, aligns: list[str]) -> dict[str, Any]:
        return {
            "id": kr_id,
            "title": text(f"{prefix}.kr.title"),
            "start": 10,
            "target": 20,
            "current": 15,
            "unit": SHORT_UNIT if text is hostile else "days",
            "prefix": SHORT_PREFIX if text is hostile else "$",
            "owner": text(f"{prefix}.kr.owner"),
            "note": text(f"{prefix}.kr.note"),
            "description": text(f"{prefix}.kr.description"),
            "contributes_to": aligns,
            "checkins": [
                {
                    "date": dt.date(2026, 1, 19),
                    "value": 12,
                    "confidence": 0.6,
                    "note": text(f"{prefix}.checkin.note"),
                    "author": text(f"{prefix}.checkin.author"),
                },
                {"date": dt.date(2026, 2, 2), "value": 14, "confidence": "high",
                 "note": text(f"{prefix}.checkin2.note")},
            ],
        }

    company_okrs = {
        "status": "locked",
        "objectives": [
            {
                "id": "grow",
                "title": text("company.objective.title"),
                "description": text("company.objective.description"),
                "owner": text("company.objective.owner"),
                "key_results": [key_result("company", "revenue", [])],
            }
        ],
    }
    product = {
        "status": "graded",
        "objectives": [
            {
                "id": "easier-start",
                "title": text("objective.title"),
                "description": text("objective.description"),
                "owner": text("objective.owner"),
                "outcome": "achieved",
                "score": 0.8,
                "learnings": text("objective.learnings"),
                "aligns_to": ["company/grow"],
                "key_results": [key_result("unit", "time-to-value", ["company/grow/revenue"])],
            }
        ],
        "health_metrics": [
            {
                "title": text("health.title"),
                "target": text("health.target"),
                "current": text("health.current"),
                "status": "at-risk",
                "owner": text("health.owner"),
                "note": text("health.note"),
            }
        ],
    }
    support = {"status": "locked", "health_metrics": [{"title": text("support.health")}]}
    body = BODY if text is hostile else "Plain notes."
    return {
        "content/company.yaml": to_yaml(company),
        "content/org.yaml": to_yaml(org),
        "content/2026-Q1/company.yaml": to_yaml(company_okrs),
        "content/2026-Q1/product.md": f"---\n{to_yaml(product)}---\n{body}\n",
        "content/2026-Q1/support.yaml": to_yaml(support),
    }


def build_site(root: Path, files: dict[str, str]) -> Path:
    """Write the project and run ``okrsite build`` in-process; return the site."""
    write_files(root, files)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: docs/site", "docs_dir: docs")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs").mkdir()
    site = root / "site"
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(site), "--today", TODAY],
    )
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if getattr(handler, "_okrsite", False):
            logger.removeHandler(handler)
    assert result.exit_code == 0, result.output
    return site


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(hostile site, clean site), both built once for this module."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    bad = build_site(tmp_path_factory.mktemp("hostile"), content_files(hostile))
    good = build_site(tmp_path_factory.mktemp("clean"), content_files(benign))
    return bad, good


# ---------------------------------------------------------------------------
# Parsing the output


@dataclass
class Scan:
    """What an HTML/SVG document contains, as a browser's parser sees it."""

    scripts: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Scanner(HTMLParser):
    """Collects scripts, handlers, URLs and visible text.

    ``<title>`` and ``<textarea>`` are raw text to a browser (RCDATA): markup
    inside them is shown, not parsed, so it is treated as text here too.
    """

    CDATA_CONTENT_ELEMENTS = ("script", "style", "title", "textarea")

    def __init__(self, scan: Scan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src") or ""
            self.scan.scripts.append(src or f"inline:{dict(attrs).get('id') or ''}")
        embed = tag in ("iframe", "object", "embed", "foreignobject", "base", "meta-refresh")
        if embed and not _is_own_graph_file(tag, dict(attrs)):
            self.scan.embeds.append(tag)
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.scan.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value is not None:
                self.scan.urls.append((name, value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.scan.text.append(data)


OWN_GRAPH_FILE = re.compile(r"[a-z0-9_-]+\.svg")
"""The file name okrsite gives a graph shown with ``<object>`` (next to its page)."""


def _is_own_graph_file(tag: str, attrs: dict[str, str | None]) -> bool:
    """An ``<object>`` showing a graph file okrsite wrote beside the page: a
    bare same-directory ``.svg`` name of type SVG (that file is scanned like
    every other SVG of the site by :func:`markup_files`)."""
    data = attrs.get("data") or ""
    return (
        tag == "object"
        and attrs.get("type") == "image/svg+xml"
        and OWN_GRAPH_FILE.fullmatch(data) is not None
    )


def graph_svg(site: Path, page_dir: str) -> str:
    """The alignment graph of the page in ``page_dir``: inline, or the SVG file
    its ``<object>`` shows."""
    page = (site / page_dir / "index.html").read_text(encoding="utf-8")
    if 'class="okrsite-graph"' in page:
        svg = page[page.index('class="okrsite-graph"') :]
        return svg[: svg.index("</svg>")]
    found = re.search(r'<object class="okr-graph__file" data="([^"]+)"', page)
    assert found, f"{page_dir}: no alignment graph"
    return (site / page_dir / found.group(1)).read_text(encoding="utf-8")


def scan_markup(text: str) -> Scan:
    scan = Scan()
    parser = _Scanner(scan)
    parser.feed(text)
    parser.close()
    return scan


def markup_files(site: Path) -> Iterator[tuple[str, str]]:
    """Every HTML and SVG file of a site, and each search-index entry's HTML."""
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix in (".html", ".svg", ".xml"):
            yield rel, path.read_text(encoding="utf-8")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for i, doc in enumerate(index["docs"]):
        yield f"search#{i}:{doc['location']}", f"{doc['title']}\n{doc['text']}"


def _normalised_url(value: str) -> str:
    """What a browser would see as the scheme: no whitespace/controls, lowercased."""
    return "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()


def site_text(site: Path) -> str:
    return "\n".join(
        " ".join(scan_markup(text).text) for _, text in markup_files(site) if "search#" not in _
    )


# ---------------------------------------------------------------------------
# Tests


def test_payloads_reach_every_kind_of_output(sites: tuple[Path, Path]) -> None:
    """The hostile build really is hostile: payload text is in pages, the
    search index and the inline graph SVGs (so the checks below are not
    vacuous)."""
    bad, _ = sites
    page = (bad / "2026-Q1" / "product" / "index.html").read_text(encoding="utf-8")
    assert "xss-script" in page
    index = (bad / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "xss-img" in index
    assert "F[objective.title]" in graph_svg(bad, "2026-Q1/product")


def test_no_scripts_beyond_materials_own(sites: tuple[Path, Path]) -> None:
    """Each page of the hostile build has exactly the script elements of the
    same page in the clean build (Material's bundle, config and inline
    helpers); search-index entries have none."""
    bad, good = sites
    clean_scripts = {rel: Counter(scan_markup(text).scripts) for rel, text in markup_files(good)}
    for rel, text in markup_files(bad):
        scripts = Counter(scan_markup(text).scripts)
        expected = clean_scripts.get(rel, Counter())
        assert scripts == expected, f"{rel}: scripts {scripts} != clean build {expected}"


def test_no_event_handlers_or_embeds(sites: tuple[Path, Path]) -> None:
    """No element anywhere in the hostile build carries an on…= attribute, and
    there is no iframe/object/embed/foreignObject/base element."""
    bad, good = sites
    for site in (good, bad):
        for rel, text in markup_files(site):
            scan = scan_markup(text)
            assert scan.handlers == [], f"{rel}: {scan.handlers[:3]}"
            assert scan.embeds == [], f"{rel}: {scan.embeds}"


def test_no_dangerous_urls(sites: tuple[Path, Path]) -> None:
    """No href/src/xlink:href/action/formaction value is a javascript:, data:
    or vbscript: URL, after entity decoding and removing the whitespace and
    control characters browsers ignore."""
    bad, _ = sites
    checked = 0
    for rel, text in markup_files(bad):
        for name, value in scan_markup(text).urls:
            checked += 1
            assert not _normalised_url(value).startswith(DANGEROUS_SCHEMES), (
                f"{rel}: {name}={value!r}"
            )
    assert checked > 100  # the pages do have links (and graph node links)


MARKDOWN_FIELDS = [
    "unit.description",
    "company.objective.description",
    "objective.description",
    "objective.learnings",
    "company.kr.description",
    "company.kr.note",
    "unit.kr.description",
    "unit.kr.note",
    "unit.checkin2.note",
]
"""Fields authors write as Markdown: rendered (links become links), then sanitised.
(``unit.checkin.note`` is an older check-in: shown in the check-in table only.)"""

FIELDS_SHOWN = [
    "company.name",
    "company.mission",
    "annual.objective",
    "candidate.objective",
    "candidate.owner",
    "cycle.name",
    "unit.name",
    "unit.lead",
    "service.name",
    "company.objective.title",
    "company.objective.owner",
    "company.kr.title",
    "objective.title",
    "objective.owner",
    "unit.kr.title",
    "unit.kr.owner",
    "health.title",
    "health.target",
    "health.current",
    "health.owner",
    "support.health",
]


@pytest.mark.parametrize("field_name", FIELDS_SHOWN)
def test_payload_is_visible_as_text(sites: tuple[Path, Path], field_name: str) -> None:
    """Readers see the hostile text literally (escaped, not dropped): the
    field's payload appears in the site's visible text with its script tag
    and Markdown link syntax intact."""
    bad, _ = sites
    text = " ".join(site_text(bad).split())
    marker = f"F[{field_name}] " + " ".join(PAYLOADS[:4])
    assert marker in text


@pytest.mark.parametrize("field_name", MARKDOWN_FIELDS)
def test_markdown_payload_is_rendered_inert(sites: tuple[Path, Path], field_name: str) -> None:
    """A Markdown field is rendered, and what it held stays visible: raw HTML
    (script, img) as typed text, the javascript:/data: links as link texts
    without their URL (Markdown reads the payload's "(\'xss-md-link')" as a title
    and leaves one ')'). No raw ``[text](url)``."""
    bad, _ = sites
    text = " ".join(site_text(bad).split())
    marker = f"F[{field_name}] " + " ".join([*PAYLOADS[:2], "click me ) pic"])
    assert marker in text
    start = text.index(marker)
    shown = text[start : text.find("F[", start + 2)]
    assert "](javascript:" not in shown and "](data:" not in shown


def test_body_payloads_are_text(sites: tuple[Path, Path]) -> None:
    """The .md body is Markdown: its raw HTML and attribute lists stay visible
    text; its reference link to javascript: is a link text without a URL."""
    bad, _ = sites
    page = (bad / "2026-Q1" / "product" / "index.html").read_text(encoding="utf-8")
    text = " ".join(" ".join(scan_markup(page).text).split())
    assert "<script>alert('xss-body-script')</script>" in text
    assert "A reference link and https://example.com and" in text
    assert "{: onclick=\"alert('xss-body-attr')\" }" in text
    assert "javascript:alert('xss-ref')" not in page


def test_template_syntax_is_not_evaluated(sites: tuple[Path, Path]) -> None:
    """Jinja-looking content is data: '{{ 7*7 }}' is shown, never rendered as 49."""
    bad, _ = sites
    text = site_text(bad)
    assert "{{ 7*7 }} {% raw %} ${7*7}" in " ".join(text.split())


def test_graph_links_survive_sanitising(sites: tuple[Path, Path]) -> None:
    """The sanitiser keeps what makes graphs useful: node links are relative
    xlink:href values with target="_top"."""
    bad, _ = sites
    graph = graph_svg(bad, "2026-Q1")
    links = [value for name, value in scan_markup("<svg " + graph).urls if name == "xlink:href"]
    assert links, "no node links in the overview graph"
    assert all(not _normalised_url(v).startswith(("http", "//", *DANGEROUS_SCHEMES)) for v in links)
    assert 'target="_top"' in graph


FRAGMENTS = [
    '<script>alert(1)</script><p>ok</p>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6a;avascript:alert(1)">x</a>',
    '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="https://evil.example/">x</a>',
    '<svg onload="alert(1)"><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>',
    '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    '<svg><use href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/></svg>',
    '<svg><style>@import "//evil";</style><script>alert(1)</script></svg>',
    '<div style="background:url(javascript:alert(1));width:10%">x</div>',
    '<details open ontoggle=alert(1)><summary>s</summary></details>',
    '<iframe src="javascript:alert(1)"></iframe><object data="x.swf"></object>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<!--<img src=x onerror=alert(1)>--><p>after comment</p>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">b</button></form>',
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_sanitiser_removes_active_content(fragment: str) -> None:
    """okrsite.render.sanitize.clean leaves no script, no on… handler, no embed and
    no URL that is not relative, whatever the trick."""
    from okrsite.render.sanitize import clean

    scan = scan_markup(clean(fragment))
    assert scan.scripts == []
    assert scan.handlers == []
    assert scan.embeds == []
    for _, value in scan.urls:
        url = _normalised_url(value)
        assert not url.startswith((*DANGEROUS_SCHEMES, "//", "http"))
    assert "<style" not in clean(fragment)


def test_sanitiser_keeps_safe_markup() -> None:
    """Our own fragments pass unchanged in meaning: classes, markdown="0",
    relative and anchor links, SVG geometry and the allowed style properties."""
    from okrsite.render.sanitize import clean

    html = (
        '<div class="okr-x" markdown="0"><a href="../a/#b" target="_top">l</a>'
        '<span style="width:40%">p</span><svg viewBox="0 0 1 1"><a xlink:href="#n">'
        '<polygon points="0,0 1,1" fill="#fff"></polygon></a></svg></div>'
    )
    assert clean(html) == html


def test_page_title_cannot_break_out(tmp_path: Path) -> None:
    """A unit name that closes <title> and opens <script> stays text in every
    page's <head> (no script element holds the payload)."""
    base = REPO / "tests" / "bad_inputs" / "_base"
    shutil.copytree(base / "content", tmp_path / "content")
    org = tmp_path / "content" / "org.yaml"
    org.write_text(
        org.read_text(encoding="utf-8").replace(
            "name: Product\n", 'name: "</title><script>alert(\\"xss-title\\")</script>"\n'
        ),
        encoding="utf-8",
    )
    files = {
        str(p.relative_to(tmp_path)): p.read_text(encoding="utf-8")
        for p in (tmp_path / "content").rglob("*.yaml")
    }
    site = build_site(tmp_path / "project", files)
    for path in sorted(site.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        assert 'xss-title")</script>' not in page.split("</head>")[0], path
