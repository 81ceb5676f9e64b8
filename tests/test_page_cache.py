"""The page cache (okrsite/engine/pagecache.py): unchanged pages are not rendered
again, and a build that uses it is byte-identical to a fresh one."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from okrsite.cli import main
from okrsite.engine.cycleentry import CYCLE_SUFFIX, cycle_entry_bytes, read_stored_entry
from okrsite.engine.pagecache import (
    DETAILS_FILE,
    TEXTS_FILE,
    PageCache,
    StoredBytes,
    details_bytes,
    merge_search_index,
    read_details,
    read_texts,
    texts_bytes,
)
from okrsite.engine.siteoutput import SiteOutput, store_file
from okrsite.site.cache import ClosedCycle

REPO = Path(__file__).resolve().parents[1]
REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "content"


def make_site(root: Path, *, page_cache: bool = True) -> Path:
    """A site repository: the real-world fixture (three quarters, one from
    2023), the demo's mkdocs.yml and one hand-written page."""
    shutil.copytree(REALWORLD, root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not page_cache:
        config = config.replace("content_dir: content", "content_dir: content\n      page_cache: false")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs" / "site").mkdir(parents=True)
    (root / "docs" / "site" / "about.md").write_text("# About\n\nHand-written page.\n")
    return root / "mkdocs.yml"


def build(config: Path, site: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(config), "--site-dir", str(site), "--strict", "--today", "2026-11-23"],
    )
    assert result.exit_code == 0, result.output


def written(files: Mapping[str, object]) -> dict[str, object]:
    """Generated files as their bytes (text is written as UTF-8)."""
    return {path: c.encode("utf-8") if isinstance(c, str) else c for path, c in files.items()}


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def entries(root: Path) -> list[str]:
    """The keys of the stored pages (their records in details.pack)."""
    details = root / ".okrsite-cache" / "pages" / DETAILS_FILE
    if not details.is_file():
        return []
    return sorted(read_details(details.read_bytes()))


def read_cycle_entry(data: bytes) -> tuple[str, ClosedCycle] | None:
    """An entry's cycle id and files as the generated cycle held them (None:
    not a whole, checked entry)."""
    found = read_stored_entry(data)
    if found is None:
        return None
    cycle_id, cycle = found
    files = {path: held.load() for path, held in cycle.stored.items()}
    # The export parts come back as the UTF-8 bytes the entry holds.
    exports = {k: v.decode("utf-8") if isinstance(v, bytes) else v for k, v in cycle.exports.items()}
    return cycle_id, ClosedCycle(files, exports)


def cycle_entries(root: Path) -> dict[str, Path]:
    """Closed-cycle entries of the cache, by cycle id."""
    found = {}
    for path in (root / ".okrsite-cache" / "cycles").glob("*" + CYCLE_SUFFIX):
        entry = read_cycle_entry(path.read_bytes())
        assert entry is not None, path
        found[entry[0]] = path
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The site built without the page cache."""
    root = tmp_path_factory.mktemp("fresh")
    build(make_site(root, page_cache=False), root / "site")
    assert not (root / ".okrsite-cache" / "pages").exists()
    return files_of(root / "site")


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site repository after one build with the page cache (tests copy it)."""
    root = tmp_path_factory.mktemp("cold")
    build(make_site(root), root / "site")
    return root


def copy_of(cold: Path, tmp_path: Path) -> Path:
    shutil.copytree(cold, tmp_path / "repo")
    return tmp_path / "repo"


def test_a_build_from_the_cache_is_byte_identical_to_a_fresh_one(
    cold: Path, tmp_path: Path, fresh: dict[str, bytes]
) -> None:
    """Cold cache, then warm cache: both sites equal the uncached build, file by
    file (pages, search index, sitemap), and every generated page is stored."""
    stored = entries(cold)
    pages = [p for p in fresh if p.endswith(".html") and p not in ("404.html", "about/index.html")]
    assert len(stored) == len(pages)
    root = copy_of(cold, tmp_path)
    build(root / "mkdocs.yml", root / "warm")
    for site in (cold / "site", root / "warm"):
        built = files_of(site)
        assert sorted(built) == sorted(fresh)
        different = [path for path in fresh if built[path] != fresh[path]]
        assert different == [], site
    assert entries(root) == stored  # nothing re-rendered
    # One record file for every page (a file per page cost a creation each).
    pages_dir = root / ".okrsite-cache" / "pages"
    assert sorted(p.name for p in pages_dir.iterdir() if p.suffix != ".html") == [DETAILS_FILE]
    assert sorted(p.stem for p in pages_dir.glob("*.html")) == stored
    # The closed quarters (2023-Q2, 2026-Q3 on 2026-11-23) were stored, and reused as they were.
    assert sorted(cycle_entries(cold)) == ["2023-Q2", "2026-Q3"]
    assert cycle_entries(root) == {
        cycle: root / path.relative_to(cold) for cycle, path in cycle_entries(cold).items()
    }


def test_closed_cycles_pages_are_not_generated_again(cold: Path, tmp_path: Path) -> None:
    """A marker put into a closed cycle's stored overview text appears in the next
    build: the quarter's pages came from the store, not from the content."""
    root = copy_of(cold, tmp_path)
    entry = cycle_entries(root)["2023-Q2"]
    found = read_cycle_entry(entry.read_bytes())
    assert found is not None
    cycle_id, stored = found
    text = stored.files["2023-Q2/index.md"]
    assert isinstance(text, str) and "2023-Q2/engineering.md" in stored.files
    assert "okrs.json" in stored.exports and "okrs.csv" in stored.exports
    assert "2023-Q2/quality.md" not in stored.files  # quality pages print today's date
    stored.files["2023-Q2/index.md"] = text + "\n\nMARKER-FROM-THE-CYCLE-STORE\n"
    entry.write_bytes(cycle_entry_bytes(cycle_id, stored))
    build(root / "mkdocs.yml", root / "warm")
    assert "MARKER-FROM-THE-CYCLE-STORE" in (root / "warm/2023-Q2/index.html").read_text()
    assert "MARKER" not in (root / "warm/2026-Q3/index.html").read_text()


def test_a_unit_renamed_in_org_yaml_shows_on_archived_pages(cold: Path, tmp_path: Path) -> None:
    """org.yaml is outside every cycle folder, yet archived pages print unit
    names: a rename reaches them, and the result equals a fresh build."""
    root = copy_of(cold, tmp_path)
    org = root / "content" / "org.yaml"
    text = org.read_text(encoding="utf-8")
    assert "name: Data Platform\n" in text  # platform-data has a 2023-Q2 file
    org.write_text(text.replace("name: Data Platform\n", "name: Renamed Unit Zeta\n"), "utf-8")
    build(root / "mkdocs.yml", root / "warm")
    stored = read_cycle_entry(cycle_entries(root)["2023-Q2"].read_bytes())
    assert stored is not None
    assert "Renamed Unit Zeta" in str(stored[1].files["2023-Q2/platform-data.md"])
    page = (root / "warm/2023-Q2/platform-data/index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Renamed Unit Zeta" in page.split("<h1", 1)[1]
    assert sorted(cycle_entries(root)) == ["2023-Q2", "2026-Q3"]  # replaced, not piled up

    other = tmp_path / "other"
    other.mkdir()
    make_site(other, page_cache=False)
    shutil.copy(org, other / "content" / "org.yaml")
    build(other / "mkdocs.yml", other / "site")
    assert files_of(root / "warm") == files_of(other / "site")


def test_a_warm_build_really_serves_stored_pages(cold: Path, tmp_path: Path) -> None:
    """A marker put into a stored entry appears in the next build (so the page
    was not rendered again), and its search entries are back in the index."""
    root = copy_of(cold, tmp_path)
    page = (root / "site" / "2023-Q2" / "index.html").read_text(encoding="utf-8")
    stored = next(
        p for p in (root / ".okrsite-cache" / "pages").glob("*.html")
        if p.read_text(encoding="utf-8") == page
    )
    records_file = root / ".okrsite-cache" / "pages" / DETAILS_FILE
    records = read_details(records_file.read_bytes())
    details = records[stored.stem]
    assert details["search"], "the overview has search entries"
    marked = page.replace("</body>", "<!-- from the page cache --></body>").encode("utf-8")
    stored.unlink()  # it is linked into site/: replace it, do not write through
    stored.write_bytes(marked)
    details["sha256"] = hashlib.sha256(marked).hexdigest()  # as if stored so
    records_file.write_bytes(details_bytes(records))
    build(root / "mkdocs.yml", root / "warm")
    assert "<!-- from the page cache -->" in (root / "warm/2023-Q2/index.html").read_text()
    cold_index = (root / "site/search/search_index.json").read_bytes()
    assert (root / "warm/search/search_index.json").read_bytes() == cold_index


def test_an_edit_to_an_archived_file_still_shows(cold: Path, tmp_path: Path) -> None:
    """Changing a unit file of the 2023 quarter re-renders what it changes; the
    result equals a fresh build of the edited content; stale entries are dropped."""
    root = copy_of(cold, tmp_path)
    before = set(entries(root))
    archived = sorted((root / "content" / "2023-Q2").glob("*.yaml"))[0]
    text = archived.read_text(encoding="utf-8")
    title = next(
        line.split("title:", 1)[1].strip().strip("'\"")
        for line in text.splitlines()
        if line.strip().startswith("title:")
    )
    archived.write_text(text.replace(title, "Renamed in the archive", 1), encoding="utf-8")
    build(root / "mkdocs.yml", root / "warm")
    unit_page = root / "warm" / "2023-Q2" / archived.stem / "index.html"
    assert "Renamed in the archive" in unit_page.read_text(encoding="utf-8")
    after = set(entries(root))
    assert after != before and len(after) == len(before)  # replaced, not piled up
    # The edited quarter's entry was replaced; the other closed quarter's kept.
    assert cycle_entries(root)["2023-Q2"] != root / cycle_entries(cold)["2023-Q2"].relative_to(cold)
    assert cycle_entries(root)["2026-Q3"] == root / cycle_entries(cold)["2026-Q3"].relative_to(cold)

    other = tmp_path / "other"
    other.mkdir()
    make_site(other, page_cache=False)
    shutil.copy(archived, other / "content" / "2023-Q2" / archived.name)
    build(other / "mkdocs.yml", other / "site")
    assert files_of(root / "warm") == files_of(other / "site")


def test_a_build_with_warnings_stores_no_page(tmp_path: Path) -> None:
    """Under --strict a warning fails the build after every page is written; had
    those pages been stored, the next build would serve them without the warning."""
    config = make_site(tmp_path)
    (tmp_path / "docs" / "site" / "about.md").write_text("# About\n\n[gone](missing.md)\n")
    result = CliRunner().invoke(
        main, ["build", "-f", str(config), "--site-dir", str(tmp_path / "site"), "--strict"]
    )
    assert result.exit_code == 1, result.output
    assert "missing.md" in result.output
    assert entries(tmp_path) == []


def test_merge_search_index_puts_entries_back_in_build_order() -> None:
    """Stored entries go where their page was built; the rest keep their order."""
    index = json.dumps(
        {
            "config": {"lang": ["en"]},
            "docs": [
                {"location": "", "title": "Home", "text": ""},
                {"location": "c/", "title": "C", "text": ""},
                {"location": "c/#x", "title": "X", "text": "x"},
            ],
        },
        separators=(",", ":"),
    )
    stored = {"b/": '{"location":"b/","title":"B","text":""}'}
    merged, pages = merge_search_index(index, ["", "b/", "c/"], stored)
    locations = [e["location"] for e in json.loads(merged)["docs"]]
    assert locations == ["", "b/", "c/", "c/#x"]
    assert [e["title"] for e in json.loads("[" + pages["c/"] + "]")] == ["C", "X"]
    # A page's text is its entries as Material writes each one, joined by ",".
    own = json.loads(index)["docs"][1:]
    assert pages["c/"] == ",".join(json.dumps(e, separators=(",", ":")) for e in own)
    assert merged.startswith('{"config":{"lang":["en"]},"docs":[')


def test_the_cycle_store_follows_inputs_across_a_year_and_its_quarters(tmp_path: Path) -> None:
    """A year contains its quarters: its pages list the quarters' support. With
    the year and Q1 closed and Q2 current, a second build takes both closed
    cycles from the store; an edit to Q2 makes the year again (its dates
    overlap Q2's) but not Q1; every tree equals one built without a store."""
    import datetime as dt

    from contentkit import make_content
    from test_annual_cycles import FILES

    from okrsite.engine.pagecache import CycleStore, cycle_input_digests
    from okrsite.site.build import build_docs_tree
    from okrsite.site.options import SiteOptions
    from okrsite.validate import load_model

    content = make_content(tmp_path, FILES)
    options = SiteOptions(today=dt.date(2027, 1, 15), graph_cache_dir=tmp_path / "graphs")

    def build_with_store() -> tuple[dict[str, object], list[str]]:
        model = load_model(content)
        store = CycleStore(tmp_path / "cycles", cycle_input_digests(content, model))
        tree = build_docs_tree(model, options, closed=store)
        files = {**tree.files, **{path: held.load() for path, held in tree.stored.items()}}
        # As written: with closed parts from the store the exports are bytes.
        assert written(files) == written(build_docs_tree(model, options).files)
        return files, sorted(store.hits)

    assert build_with_store()[1] == []
    assert build_with_store()[1] == ["2026", "2026-Q1"]
    onboarding = content / "2026-Q2" / "onboarding.yaml"
    text = onboarding.read_text(encoding="utf-8")
    onboarding.write_text(text.replace("A guided first week", "A guided first fortnight"))
    files, hits = build_with_store()
    assert hits == ["2026-Q1"]
    assert "A guided first fortnight" in str(files["2026/product.md"])


def test_a_cycle_entry_reads_back_exactly_and_a_damaged_one_is_a_miss() -> None:
    """Text (any Unicode) and bytes (not UTF-8) come back as they went in; an
    entry cut short, with bytes added, of another format or with a broken
    header reads as nothing (the cache is untrusted: a miss, never a crash)."""
    cycle = ClosedCycle(
        files={
            "2025-Q1/a.md": "# Ünïcode — “quotes” & <b>\n\n" * 3,
            "2025-Q1/a/alignment.svg": b"\xff\x00<svg/>\n",
            "2025-Q1/empty.md": "",
        },
        exports={"okrs.json": '{"cycle": "2025-Q1"}', "okrs.csv": "a,b\n"},
    )
    data = cycle_entry_bytes("2025-Q1", cycle)
    assert read_cycle_entry(data) == ("2025-Q1", cycle)
    for damaged in (
        data[:-1],
        data + b"x",
        data.replace(b"okrsite-cycle", b"okrsite-cyclf", 1),
        data.replace(b'"files"', b'"filez"', 1),
        data.split(b"\n", 1)[0],
        b"",
    ):
        assert read_cycle_entry(damaged) is None


def test_a_warm_build_copies_stored_pages_without_a_note_per_page(
    cold: Path, tmp_path: Path, fresh: dict[str, bytes]
) -> None:
    """Stored pages are copied into the site by the plugin and MkDocs writes
    nothing for them; its "Page skipped" note (INFO, which `okrsite build` prints)
    would then come once per archived page, so the plugin filters it,
    and the pages are the fresh build's bytes."""
    root = copy_of(cold, tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(root / "warm"),
            "--strict", "--today", "2026-11-23",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Page skipped" not in result.output
    built = files_of(root / "warm")
    assert [p for p in fresh if built.get(p) != fresh[p]] == []


def test_a_plugin_after_ours_still_sees_stored_pages(tmp_path: Path) -> None:
    """With an ``on_post_page`` hook that runs after the okrsite plugin's last
    one, stored pages are not copied (the copy would miss the hook's change):
    they go through the hook like rendered ones, and the warm site equals the
    cold one."""
    config = make_site(tmp_path)
    (tmp_path / "hooks.py").write_text(
        "from mkdocs.plugins import event_priority\n\n\n"
        "@event_priority(-200)\n"
        "def on_post_page(output, page, config):\n"
        "    return output.replace('</body>', '<!-- late hook --></body>')\n",
        encoding="utf-8",
    )
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - hooks.py\n")
    build(config, tmp_path / "cold")
    build(config, tmp_path / "warm")
    page = (tmp_path / "warm" / "2023-Q2" / "index.html").read_text(encoding="utf-8")
    assert page.count("<!-- late hook -->") == 1
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    assert len(entries(tmp_path)) > 0  # the pages were stored, and served


def test_site_files_are_links_to_the_cache_and_a_file_rewritten_in_place_is_not_served(
    cold: Path, tmp_path: Path, fresh: dict[str, bytes]
) -> None:
    """A warm build links stored pages and generated graphs into the site
    (readable like MkDocs' own files). A later step that rewrites site files
    in place rewrites the cache's bytes too: the next build notices and
    renders them again, and still equals the fresh build."""
    root = copy_of(cold, tmp_path)
    build(root / "mkdocs.yml", root / "warm")
    cached = {p.stat().st_ino for p in (root / ".okrsite-cache").rglob("*") if p.is_file()}
    site = root / "warm"
    pages = [p for p in site.rglob("index.html") if p.parent != site / "search"]
    linked = [p for p in pages if p.stat().st_ino in cached]
    assert len(linked) >= 0.9 * len(pages), f"{len(linked)} of {len(pages)} pages linked"
    graphs = sorted(site.glob("2023-Q2/**/*.svg"))
    assert graphs and all(p.stat().st_ino in cached for p in graphs)
    page = site / "2023-Q2" / "index.html"
    mkdocs_written = (site / "sitemap.xml").stat().st_mode & 0o777
    assert page.stat().st_mode & 0o777 == mkdocs_written == graphs[0].stat().st_mode & 0o777

    for path in (page, graphs[0]):
        with open(path, "r+b") as handle:  # in place: through the link
            handle.write(b"<!-- rewritten -->")
    build(root / "mkdocs.yml", root / "again")
    assert files_of(root / "again") == fresh


def _plant_in_stored_profiles(root: Path) -> dict[str, str]:
    """Append a marker to every unit profile kept in texts.pack; return the
    texts as they were."""
    texts_file = root / ".okrsite-cache" / "cycles" / TEXTS_FILE
    texts = read_texts(texts_file.read_bytes())
    profiles = sorted((root / "site" / "units").glob("*/index.html"))
    # The store's other texts are closed quarters' findings, calibration
    # samples and redaction (JSON lists), their check-in dates and the
    # calibration report (JSON objects), their quality pages, their entries'
    # stat, and the input files' digests by stat (a JSON object).
    profile_keys = {
        key for key, text in texts.items()
        if not text.startswith(("[", "{")) and not text.startswith("# Quality · ")
    }
    entry_stats = {key for key in texts if key.startswith("entry-stat ")}
    assert len(entry_stats) == 2  # two closed quarters
    assert texts["file-digests"].startswith("{")
    assert len(texts) - len(profile_keys) == 5 * 2 + 1 + len(entry_stats) + 1
    assert len(profile_keys) == len(profiles) > 10
    marked = {
        key: text + "\n\nPlanted in the store.\n" if key in profile_keys else text
        for key, text in texts.items()
    }
    texts_file.write_bytes(texts_bytes(marked))
    return texts


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unit_profiles_are_kept_and_made_again_when_their_unit_changes(
    cold: Path, tmp_path: Path
) -> None:
    """Profiles span every cycle, so they are kept by a digest of what they are
    made from (texts.pack): a marker planted in every stored profile shows in
    the next build (not made again), except on the profile of the unit whose
    current file changed, which is made again and shows the change."""
    root = copy_of(cold, tmp_path)
    texts = _plant_in_stored_profiles(root)
    _replace_in(
        root / "content" / "2026-Q4" / "platform-data.yaml",
        "Make Data Platform the team others rely on",
        "A renamed current objective",
    )
    build(root / "mkdocs.yml", root / "warm")
    edited = (root / "warm/units/platform-data/index.html").read_text(encoding="utf-8")
    assert "A renamed current objective" in edited and "Planted in the store" not in edited
    other = (root / "warm/units/sales-na/index.html").read_text(encoding="utf-8")
    assert "Planted in the store" in other
    kept = read_texts((root / ".okrsite-cache/cycles" / TEXTS_FILE).read_bytes())
    assert len(kept) == len(texts)  # the old text of the edited profile was dropped


def test_an_archived_edit_makes_the_profiles_again(cold: Path, tmp_path: Path) -> None:
    """A closed quarter counts in a profile's digest by the cycle store's key
    (all its input files), not by its content as JSON: an edit to an archived
    file makes every profile again, and the edited unit's shows the change."""
    root = copy_of(cold, tmp_path)
    _plant_in_stored_profiles(root)
    _replace_in(
        root / "content" / "2023-Q2" / "platform-data.yaml",
        "Delight customers with faster data platform",
        "A renamed archived objective",
    )
    build(root / "mkdocs.yml", root / "warm")
    edited = (root / "warm/units/platform-data/index.html").read_text(encoding="utf-8")
    assert "A renamed archived objective" in edited
    for profile in (root / "warm" / "units").glob("*/index.html"):
        assert "Planted in the store" not in profile.read_text(encoding="utf-8"), profile


def _stored_once(directory: Path) -> PageCache:
    """A cache directory holding one page, ``k``, as a build leaves it."""
    cache = PageCache(directory)
    stored: dict[str, tuple[str, list[int]]] = {}
    path = cache.page_path("k")
    store_file(SiteOutput(directory / "files"), path, b"<p>stored page</p>", None, stored)
    cache.put_details("k", '{"location":"x/"}', ["top"], StoredBytes(*stored[str(path)]))
    cache.prune()
    return PageCache(directory)


def test_a_stored_page_rewritten_in_place_is_not_served(tmp_path: Path) -> None:
    """Same size, other bytes, written through the file (as a site file
    rewritten through its link would be): its mtime moved, so it is hashed,
    and the hash no longer matches."""
    cache = _stored_once(tmp_path)
    page = tmp_path / "k.html"
    before = page.stat().st_mtime_ns
    with open(page, "r+b") as handle:
        handle.write(b"<p>STORED page</p>")
    os.utime(page, ns=(before + 10**9, before + 10**9))
    assert cache.get("k") is None


def test_a_stored_page_with_other_stat_but_same_bytes_is_served_and_rerecorded(
    tmp_path: Path,
) -> None:
    """A cache restored from an archive (CI) has new inodes and mtimes: the
    bytes are hashed once, and the next build trusts the new stat."""
    cache = _stored_once(tmp_path)
    page = tmp_path / "k.html"
    copy = tmp_path / "copy"
    shutil.copy(page, copy)
    os.replace(copy, page)  # same bytes, another inode
    found = cache.get("k")
    assert found is not None and found.anchors == ["top"]
    cache.prune()
    record = read_details((tmp_path / DETAILS_FILE).read_bytes())["k"]
    assert record["stat"][2] == page.stat().st_ino
    assert record["sha256"] == hashlib.sha256(b"<p>stored page</p>").hexdigest()


def _merged_the_long_way(index: dict[str, Any], order: list[str], cached: dict[str, list[Any]]) -> str:
    """What merge_search_index gives, by decoding everything: pages in build
    order, a cached page's entries in place of the indexer's, the rest after."""
    by_page: dict[str, list[Any]] = {}
    for entry in index["docs"]:
        by_page.setdefault(entry["location"].split("#")[0], []).append(entry)
    by_page.update(cached)
    docs = [e for url in order for e in by_page.pop(url, [])]
    docs.extend(e for rest in by_page.values() for e in rest)
    return json.dumps({**index, "docs": docs}, separators=(",", ":"), default=str)


@pytest.mark.parametrize("separator", ["[\\s\\-]+", "\0okrsite: the search entries go here\0"])
def test_merging_stored_entries_as_text_gives_the_index_a_full_decode_gives(
    separator: str,
) -> None:
    """Entries with quotes, non-ASCII text, HTML and several per page; a page
    with none; a page the indexer also saw (the stored entries win); a page
    not in the build order (last). The second separator is the very mark the
    fast path uses: then it takes the long way, with the same result."""
    def entry(location: str, title: str) -> dict[str, Any]:
        return {"location": location, "title": title, "text": f'<p>"{title}" — naïve ✓</p>'}

    index = {
        "config": {"lang": ["en"], "separator": separator, "pipeline": ["stopWordFilter"]},
        "docs": [entry("b/", "B"), entry("b/#x", "B x"), entry("c/", "C fresh"), entry("z/", "Z")],
    }
    cached = {
        "a/": [entry("a/", "A"), entry("a/#y", "A y")],
        "c/": [entry("c/", "C stored")],
        "e/": [],
    }
    order = ["e/", "c/", "a/", "b/"]
    as_text = {
        url: ",".join(json.dumps(e, separators=(",", ":")) for e in entries)
        for url, entries in cached.items()
    }
    merged, fresh = merge_search_index(
        json.dumps(index, separators=(",", ":")), order, as_text
    )
    assert merged == _merged_the_long_way(index, order, cached)
    assert json.loads("[" + fresh["b/"] + "]") == index["docs"][:2]


def test_page_records_keep_their_search_entries_as_bytes_beside_the_json() -> None:
    """details.pack: the records as JSON, the search entries (most of the
    file: ~4 MB at 100 units x 8 quarters) as plain bytes beside it, so they
    are not escaped into JSON and back on every build. Read back equal; a
    cut, padded or foreign file reads as no records (a miss, never an error)."""
    from okrsite.engine.textpack import pack, unpack

    entries = '{"location":"2026-Q1/sales/","title":"Ünïcode \\"q\\" <b>","text":"a\\nb"}'
    records = {
        "k1": {"search": entries, "anchors": ["top", "ü"], "sha256": "ab", "stat": [1, 2, 3]},
        "k2": {"search": "", "anchors": [], "sha256": "cd", "stat": [4, 5, 6]},
    }
    data = details_bytes(records)
    assert read_details(data) == records
    assert data.count(entries.encode("utf-8")) == 1  # as is, not escaped
    for damaged in (data[:-1], data + b"x", b"{}", b"", data.replace(b"okrsite-pack", b"x")):
        assert read_details(damaged) == {}
    assert unpack(pack([1, "x"], ["", "é\n"])) == ([1, "x"], ["", "é\n"])
    assert unpack(pack({}, ["é"])[:-1]) is None  # a cut UTF-8 sequence
