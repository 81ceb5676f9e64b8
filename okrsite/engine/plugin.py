"""The MkDocs plugin ``okrsite``: adapts the docs tree to MkDocs. No OKR logic.

Hooks used, and why:

- ``on_config``: make sure the Markdown extensions our pages need are on
  (``attr_list`` for anchors, ``tables``, ``admonition``, ``md_in_html``)
  and add our stylesheet to ``extra_css``.
- ``on_files``: load and validate the content, build the docs tree (pure
  core; options from the one factory, :mod:`okrsite.engine.options`, which
  ``okrsite generate`` uses too), add each file as a virtual ``File.generated``; set the navigation
  unless ``mkdocs.yml`` has its own. Invalid content raises ``PluginError``
  with every ``file:line:column`` problem, so the build fails (never a
  "successful" build with a log line).
- ``on_post_page``: put the parked raw HTML (graphs, check-in charts and
  tables) back into the page, then drop the theme's indentation
  (``compact_html``, option ``compact_html``). ``on_files`` swaps those
  blocks of a generated page for placeholder comments
  (:mod:`okrsite.engine.htmlpost`), so Python-Markdown and the search indexer never
  scan them (a fifth to a third of the build at company scale; it also keeps
  check-in tables out of the search index); the blocks ride along on the
  page's ``File`` object, which is created anew for every build.
- Finished HTML (``fast_pages``): ``on_files`` creates each generated page
  as a :class:`~okrsite.engine.fastpage.FinishedPage`, whose ``render``
  converts the Markdown subset okrsite writes without Python-Markdown (same
  HTML and TOC; other pages and other Markdown setups take Python-Markdown).
- ``on_env``: with ``fast_nav`` and ``compact_html``, Material's
  ``partials/nav.html``, ``tabs.html`` and ``toc.html`` are rendered in Python
  (:mod:`okrsite.engine.navhtml`; same HTML once compacted); Material's
  translations are looked up once per key (:mod:`okrsite.engine.translations`),
  its header and page-independent blocks rendered once per place
  (:mod:`okrsite.engine.partialmemo`, :mod:`okrsite.engine.blockmemo`).
- ``on_page_content``: put back the inline spans (progress bars, chips)
  that ``on_files`` swapped for plain-word tokens (``park_inline``), before
  the search indexer reads the page, so search sees them as before (and keep
  a copy with attribute-free spans, ``search_view``, for the indexer).
- ``on_page_context``, first (``fast_search``): index the page for Material's
  search (:mod:`okrsite.engine.searchworker`; same entries, Material's plugin
  is told to skip it until the last ``on_page_context``).
- ``on_page_context`` (last): give generated pages an explicit, escaped
  ``meta.title``. Material prints ``page.title | striptags`` in ``<title>``, and
  ``striptags`` *unescapes* the nav title we escaped; ``meta.title`` as is.
- The second core: site and page-cache writes on a writer thread
  (:mod:`okrsite.engine.writer`), page conversion and search sections in a
  helper process (:mod:`okrsite.engine.pagehelper`); the first
  ``on_post_build`` waits for both. A large cold build starts its helper
  processes as ``on_files`` begins, while the content loads
  (:mod:`okrsite.engine.prestart`); ``on_nav`` (MkDocs has settled which files
  the build includes) gives graphs and exports to the file writer process
  before MkDocs converts pages (:mod:`okrsite.engine.generatedfile`).
- ``on_serve``: watch the content directory and measured KRs' data files.
- Page cache (``page_cache``, on by default; not under ``serve``): a
  generated page whose inputs are unchanged since the last build is not
  rendered again (:mod:`okrsite.engine.pagecache`). ``on_files`` looks each
  page up; for a hit, ``on_page_markdown`` hands MkDocs an empty page with a
  blank template and keeps it out of the search indexer,
  ``on_page_content`` restores its anchors, and the last ``on_post_page``
  links the stored file into ``site/`` and returns nothing (MkDocs then
  writes nothing for the page; its note saying so is filtered); a page
  rendered this time is stored and linked the same way, and generated
  graphs and exports are linked from ``<cache_dir>/files``
  (:mod:`okrsite.engine.siteoutput`: creating files is what costs). The last
  ``on_post_build`` puts the stored search entries back in build order and
  stores the pages rendered this time.
  Before that, ``on_files`` opens the closed-cycle store of the same cache
  (:class:`~okrsite.engine.pagecache.CycleStore`) and passes it to
  ``build_docs_tree``: closed quarters' pages are not even generated.
  ``on_pre_build`` stashes the closed quarters' folders the last build left
  in ``site/`` (before MkDocs empties it) and ``on_files`` moves back, whole,
  those holding what this build would put there
  (:mod:`okrsite.engine.sitefolders`, :mod:`okrsite.engine.pagecacherun`).
- ``on_startup`` / ``on_post_build``: incremental preview. Under
  ``mkdocs serve --dirty`` (the default of ``okrsite serve``) MkDocs only
  renders pages whose ``File.is_modified()`` is true; for generated pages
  that is "their text differs from what the last successful build of the same
  site wrote" (its text is kept). Editing one unit file thus re-renders the
  few pages whose text changed, not all of them (the others are handed to
  MkDocs unparked, without a finished page: it only lists them). Any change
  to the navigation or to ``mkdocs.yml`` makes every page count as changed.
  The theme's compiled templates are kept for the server's life too
  (``on_env``: a Jinja bytecode cache, :mod:`okrsite.engine.templatecache`).

MkDocs reuses the plugin object across ``serve`` rebuilds (and, because it
has ``on_startup``, across builds in one process). Kept on ``self``, and
only under a dirty preview: that preview record, keyed by site directory and
configuration (it can only make MkDocs skip a page in a dirty build, whose output
is still on disk), and the preview's :class:`~okrsite.site.cache.BuildCache`,
created in ``on_startup`` and passed to every rebuild's ``build_docs_tree``
(fragments are reused only while the model objects they came from are the very
same). A plain build keeps nothing (see STYLE.md, practice 12).

The plugin's options (:class:`~okrsite.engine.options.OkrsitePluginConfig`)
are read from ``mkdocs.yml``; ``okrsite build|serve|generate`` lay their
command-line choices over them in code (:mod:`okrsite.engine.build`,
:mod:`okrsite.engine.preview`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, cast

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from okrsite import urls
from okrsite.engine.blockmemo import block_templates
from okrsite.engine.fastpage import (
    FinishedPage,
    escape_titles,
    fast_path_setup,
    nav_titles,
    shorten_toc,
)
from okrsite.engine.generatedfile import GeneratedFile, hand_over_early
from okrsite.engine.htmlpost import (
    compact_html,
    park_html,
    park_inline,
    search_view,
    unpark_html,
    unpark_inline,
)
from okrsite.engine.navhtml import nav_templates
from okrsite.engine.options import OkrsitePluginConfig, load_site_content, site_options
from okrsite.engine.pagecache import (
    CachedPage,
    CycleStore,
    PageCache,
    open_cycle_store,
    setup_digest,
)
from okrsite.engine.pagecacherun import (
    BUILD_LOGGER,
    PageCacheRun,
    PluginTemplates,
    finish_page_cache,
    kept_folders,
    place_stored,
    skipped_note,
    store_page,
    take_folders,
)
from okrsite.engine.pagehelper import PageHelper
from okrsite.engine.pagelinks import file_at
from okrsite.engine.partialmemo import header_templates
from okrsite.engine.prestart import helpers_ahead
from okrsite.engine.previewrecord import unchanged_texts
from okrsite.engine.searchworker import PageIndexer
from okrsite.engine.sitefolders import KeptFolders
from okrsite.engine.siteoutput import SiteOutput
from okrsite.engine.templatecache import MemoryBytecodeCache
from okrsite.engine.translations import translation_templates
from okrsite.engine.writer import FILE_WRITER_PAGES, SiteWrites
from okrsite.errors import OkrsiteError
from okrsite.processes import Interpreters
from okrsite.site.build import build_docs_tree
from okrsite.site.cache import BuildCache
from okrsite.site.navigation import nav_to_mkdocs
from okrsite.site.tree import FileContent
from okrsite.source.data import measure_files
from okrsite.validate import LoadCache

log = logging.getLogger("mkdocs.plugins.okrsite")

REQUIRED_EXTENSIONS = ("attr_list", "tables", "admonition", "md_in_html")
CACHED_TEMPLATE = "okrsite-cached-page.html"
"""A blank template for pages served from the page cache (their HTML is stored)."""


class OkrsitePlugin(BasePlugin[OkrsitePluginConfig]):
    def __init__(self) -> None:
        super().__init__()
        # Preview record: (site dir, config digest) → page path → its text,
        # of the last successful build; and the same for the running build.
        # Texts, not digests: most are the very objects the preview's caches
        # hand out again (compared by identity, at no cost), and hashing the
        # whole tree on every rebuild cost tenths of a second at company scale.
        self._written: dict[tuple[str, str], dict[str, FileContent]] = {}
        self._pending: tuple[tuple[str, str], dict[str, FileContent]] | None = None
        self._serving = False
        self._dirty = False
        # Kept between the rebuilds of one preview server (only there is the
        # same content loaded and built again in this process): parsed and
        # validated files, and page fragments.
        self._load_cache: LoadCache | None = None
        self._cache: BuildCache | None = None
        self._templates: MemoryBytecodeCache | None = None
        # Search indexing and the page helper, for the running build only.
        self._search: PageIndexer | None = None
        self._helper: PageHelper | None = None
        # The page cache's state for the running build only (on_files → on_post_build).
        self._pages: PageCacheRun | None = None
        # Pages written on a second thread, for the running build only (engine/writer.py).
        self._writes: SiteWrites | None = None
        # The closed cycles' folders this build stashed (on_pre_build → on_files).
        self._folders: KeptFolders | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve" and dirty
        self._dirty = dirty
        self._load_cache = LoadCache() if self._serving else None
        self._cache = BuildCache() if self._serving else None
        self._templates = MemoryBytecodeCache() if command == "serve" else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if urls.STYLESHEET not in config.extra_css:
            config.extra_css.append(urls.STYLESHEET)
        present = {str(script) for script in config.extra_javascript}
        for script in urls.SCRIPTS:
            if script not in present:
                config.extra_javascript.append(script)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Before MkDocs empties ``site/``: keep the closed cycles' folders the
        last build recorded (:mod:`okrsite.engine.sitefolders`)."""
        self._folders = None
        if self.config.page_cache and not self._serving and not self._dirty:
            base = Path(config.config_file_path or ".").resolve().parent
            self._folders = kept_folders(base / self.config.cache_dir)
            self._folders.stash_from(Path(config.site_dir))
            self._folders.survey()  # their listings, on a second thread until on_files

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        base = Path(config.config_file_path or ".").resolve().parent
        # A large cold build's helpers import while the content loads (engine/prestart.py).
        ahead = helpers_ahead(self.config, base=base, one_shot=not (self._serving or self._dirty))
        try:
            return self._files(files, config, base, ahead)
        finally:
            ahead.close()  # the helpers nobody took

    def _files(self, files: Files, config: MkDocsConfig, base: Path, ahead: Interpreters) -> Files:
        try:
            model = load_site_content(self.config, base=base, kept=self._load_cache)
            options = site_options(self.config, base=base, repo_url=config.repo_url)
            cycles: CycleStore | None = None
            if self.config.page_cache and not self._serving:
                cycles = open_cycle_store(
                    base / self.config.cache_dir / "cycles",
                    base / self.config.content_dir,
                    model,
                    options,
                )
            tree = build_docs_tree(model, options, self._cache, cycles, ahead)
        except OkrsiteError as err:
            raise PluginError(f"okrsite: {err}") from None
        generated = tree.paths()
        hand_written = [f for f in files.documentation_pages() if f.src_uri not in generated]
        if not config.nav:
            config.nav = escape_titles(nav_to_mkdocs(tree.nav)) + sorted(
                f.src_uri for f in hand_written
            )
        self._end_page_cache()
        self._end_helpers(abandon=True)  # a build that ended without on_post_build
        self._writes = SiteWrites() if self._post_page_is_last(config) else None
        setup = ""
        if self.config.page_cache and not self._serving:
            copy = self._post_page_is_last(config)
            stash = self._folders or kept_folders(base / self.config.cache_dir)
            self._pages = PageCacheRun(
                PageCache(base / self.config.cache_dir / "pages"),
                SiteOutput(base / self.config.cache_dir / "files"),
                cycles=cycles,
                folders=stash if copy else None,
                copy=copy,
            )
            logging.getLogger("mkdocs").addHandler(self._pages.warnings)
            logging.getLogger(BUILD_LOGGER).addFilter(self._pages.skipped)
            setup = setup_digest(
                config_file=Path(config.config_file_path) if config.config_file_path else None,
                nav=config.nav,
                theme_dirs=[config.theme.custom_dir] if config.theme.custom_dir else [],
                hand_written={
                    f.src_uri: Path(f.abs_src_path) for f in hand_written if f.abs_src_path
                },
                # Where the cache lives does not change a page.
                plugin_options=sorted((k, v) for k, v in self.config.items() if k != "cache_dir"),
            )
        fast = fast_path_setup(config) if self.config.fast_pages else None
        stored = (
            self._pages.cache.look_up(setup, tree.files, tree.stored)
            if self._pages is not None
            else {}
        )
        # A helper pays off for many pages to render (a rebuild renders few).
        pages = sum(p.endswith(".md") and stored.get(p, ("", None))[1] is None for p in generated)
        self._helper = None if self._serving else PageHelper.start(fast, pages, ahead)
        titles = nav_titles(config.nav) if fast is not None else {}
        unchanged = self._unchanged(config, tree.files) if self._serving else set()
        for path in sorted(generated):
            held = tree.stored.get(path)  # a closed cycle's file: read only if needed
            content: FileContent = tree.files[path] if held is None else b""
            existing = file_at(files, path)
            if existing is not None:
                log.info("okrsite: keeping hand-written %s instead of the generated page", path)
                continue
            if path in unchanged:
                # A dirty rebuild skips it (its output is on disk, see is_modified):
                # no parking, no fast page, MkDocs only lists it in the navigation.
                kept = cast(GeneratedFile, GeneratedFile.generated(config, path, content=content))
                if os.path.isfile(kept.abs_dest_path):
                    kept.unchanged = True
                    files.append(kept)
                    continue
            parked: list[str] = []
            inline: list[str] = []
            markdown = content
            cached: CachedPage | None = None
            key: str | None = None
            if path.endswith(".md") and (isinstance(content, str) or held is not None):
                key, cached = stored.get(path, (None, None))
                if cached is not None:
                    markdown = ""  # MkDocs renders nothing for it (on_page_markdown)
                else:  # parked pieces are only needed to render the page
                    text = held.load() if held is not None else content
                    markdown, parked = park_html(str(text))
                    markdown, inline, prefix = park_inline(markdown)
                held = None
            file = cast(GeneratedFile, GeneratedFile.generated(config, path, content=markdown))
            file.held = held
            file.parked = tuple(parked)
            if inline:
                file.inline = (tuple(inline), prefix)
            file.cache_key, file.cached = key, cached
            if self._pages is not None:
                file.output = self._pages.output
            file.writes = self._writes
            files.append(file)
            if fast is not None and path.endswith(".md"):
                page = FinishedPage(titles.get(path), file, config, fast)  # sets file.page
                page.served = cached is not None
                if self._helper and cached is None and isinstance(markdown, str):
                    page.ask(self._helper, markdown)
        if self._pages is not None:
            take_folders(self._pages, files, config.site_dir)
            if self._writes and pages >= FILE_WRITER_PAGES and self._pages.copy:
                self._writes.use_process(self._pages.output, ahead)
        if self.config.fast_search:
            self._search = PageIndexer.start(config, self._helper)
        return files

    @event_priority(-100)  # last: no plugin changes the build's files after this
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # The file writer idles while MkDocs converts pages: graphs and exports now.
        hand_over_early(files, self._writes, dirty=self._dirty)
        return nav

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        if self._helper is not None:  # every page is converted by now
            self._helper.end_conversions()
        if self._templates is not None:  # compiled once per preview server, not per rebuild
            env.bytecode_cache = self._templates
        # Every {% include %} of every page would stat the template's file to
        # see whether it changed; within one build it cannot (a rebuild makes
        # a new environment). ~37,000 look-ups at 1,000 units.
        env.auto_reload = False
        templates: dict[str, str] = {}
        if self._pages is not None:
            templates[CACHED_TEMPLATE] = ""
        if self.config.fast_nav and env.loader is not None:
            templates.update(translation_templates(env, config))  # same text, compacted or not
            templates.update(header_templates(env, config) | block_templates(env, config))
            if self.config.compact_html:
                templates.update(nav_templates(env, config))
        if templates and env.loader is not None:
            blank = frozenset({CACHED_TEMPLATE})  # rendered by nothing (pagecacherun.BlankTemplate)
            env.loader = jinja2.ChoiceLoader([PluginTemplates(templates, blank), env.loader])
        return env

    @event_priority(100)  # first: nothing else needs to see a page that is not rendered
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if isinstance(page.file, GeneratedFile) and page.file.cached is not None:
            page.meta["template"] = CACHED_TEMPLATE
            page.meta["search"] = {"exclude": True}  # its stored entries go back in later
            return ""
        return markdown

    def _unchanged(self, config: MkDocsConfig, texts: dict[str, FileContent]) -> set[str]:
        """See :func:`~okrsite.engine.previewrecord.unchanged_texts`; records this build's texts."""
        key, unchanged = unchanged_texts(self._written, config, texts)
        self._pending = (key, dict(texts))
        return unchanged

    @event_priority(1000)  # before any plugin's on_post_build reads site/
    def _finish_helpers(self, *, config: MkDocsConfig) -> None:
        """Every write is on disk and every search entry in the index (or the build fails)."""
        self._end_helpers(abandon=False)

    def _end_helpers(self, *, abandon: bool) -> None:
        writes, search, helper = self._writes, self._search, self._helper
        self._writes = self._search = self._helper = None
        try:
            if search is not None and not abandon:
                search.finish()  # the helper's search sections (PluginError if it failed)
        except BaseException:
            abandon = True
            raise
        finally:
            if helper is not None:
                helper.close()
            if writes is not None:
                writes.end(abandon=abandon)

    @event_priority(-100)  # after the search plugin has written its index
    def _finish_build(self, *, config: MkDocsConfig) -> None:
        if self._pending is not None:
            key, written = self._pending
            self._written = {key: written}
            self._pending = None
        if self._pages is not None:
            finish_page_cache(self._pages, Path(config.site_dir))
        self._end_page_cache()

    def on_build_error(self, *, error: Exception) -> None:
        self.end_build()

    def end_build(self) -> None:
        """A failed build: stop the writer thread (it would go on placing files)
        and the helpers, and drop the page cache's state. MkDocs runs
        ``on_build_error`` for an ``Exception`` only; ``okrsite build`` calls
        this for any failure (Ctrl-C too) before it removes the staging site."""
        self._end_helpers(abandon=True)
        self._end_page_cache()

    def _end_page_cache(self) -> None:
        if self._pages is not None:
            logging.getLogger("mkdocs").removeHandler(self._pages.warnings)
            logging.getLogger(BUILD_LOGGER).removeFilter(self._pages.skipped)
            self._pages = None

    @event_priority(50)  # before Material's search plugin
    def _index_page(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Index the page for Material's search with :mod:`okrsite.engine.searchfeed`
        (Material's parser handlers, a faster tokenizer), and tell Material's
        plugin the page is done; ``_page_context`` restores ``meta.search``."""
        if self._search is not None:
            self._search.index(page)
        return context

    @event_priority(-100)  # after the search indexer, before the template renders
    def _page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self._search is not None:
            self._search.restore(page)
        if self._pages is not None:
            self._pages.order.append(page.url)
        if page.file.generated_by is not None and page.title:
            # page.title is the nav title, HTML-escaped by escape_titles.
            page.meta["title"] = page.title
        return context

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # Before the search indexer reads the page: it sees the spans' text.
        if isinstance(page.file, GeneratedFile):
            if page.file.cached is not None:  # links to its anchors are still checked
                page.present_anchor_ids = set(page.file.cached.anchors)
                return ""
            shorten_toc(page.toc)
            spans, prefix = page.file.inline
            if spans and self.config.fast_search:  # what _index_page reads (same sections)
                lighter = [search_view(span) for span in spans]
                page.file.search_content = unpark_inline(html, lighter, prefix)
            return unpark_inline(html, spans, prefix)
        return html

    def _finish_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if isinstance(page.file, GeneratedFile):
            output = unpark_html(output, page.file.parked)
        return compact_html(output) if self.config.compact_html else output

    @event_priority(-100)  # last: the page exactly as it is written to site/
    def _cached_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        file = page.file
        if self._pages is None or not isinstance(file, GeneratedFile) or file.cache_key is None:
            return self._writes.page(output, page.file) if self._writes else output
        if file.cached is not None:
            self._pages.served[page.url] = file.cached
            if not self._pages.copy:
                return self._pages.cache.html(file.cached)
            # Placed as stored (unless its folder moved in whole: nothing to
            # hand the writer thread); the empty result tells MkDocs not to write
            # the page itself (its "Page skipped" note is filtered, see
            # pagecacherun.SkippedNote).
            if not self._pages.output.holds(file.abs_dest_path):
                place_stored(self._pages, self._writes, file.cached, file.abs_dest_path)
            self._pages.skipped.notes.add(skipped_note(file.src_uri))
            return ""
        anchors = sorted(page.present_anchor_ids or ())
        if not self._pages.copy:
            store_page(self._pages, file.cache_key, page.url, anchors, output, None)
            return output
        # The page is in the cache now: linked into site/ like a stored one
        # (one file created instead of two), off this thread if it can be.
        store_page(
            self._pages, file.cache_key, page.url, anchors, output, file.abs_dest_path,
            self._writes,
        )
        self._pages.skipped.notes.add(skipped_note(file.src_uri))
        return ""

    def _post_page_is_last(self, config: MkDocsConfig) -> bool:
        """Whether :meth:`_cached_page` runs after every other ``on_post_page``."""
        methods = config.plugins.events.get("post_page") or []
        last = methods[-1] if methods else None
        return getattr(last, "__self__", None) is self and (
            getattr(last, "__func__", None) is OkrsitePlugin._cached_page
        )

    on_post_page = CombinedEvent(_finish_page, _cached_page)
    on_page_context = CombinedEvent(_index_page, _page_context)
    on_post_build = CombinedEvent(_finish_helpers, _finish_build)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        base = Path(config.config_file_path or ".").resolve().parent
        content = base / self.config.content_dir
        server.watch(str(content))
        for data_file in measure_files(content):  # measured KRs' data (measure: file)
            server.watch(str(data_file))
        return server


