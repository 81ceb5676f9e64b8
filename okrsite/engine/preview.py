"""The preview server ``okrsite serve`` runs: MkDocs' live-reload server, our config.

This is MkDocs' own ``serve`` loop (``mkdocs.commands.serve``, 1.6) with two
differences: every rebuild loads ``mkdocs.yml`` through
:func:`okrsite.engine.build.load_site_config`, so the CLI's choices reach
the plugin in code on every rebuild (MkDocs' ``serve`` reloads the
configuration itself and offers no way in); and the installed theme's
directories are listed once per server, not on every rebuild
(:class:`ThemeListings`). The plugin object outlives the
rebuilds (MkDocs keeps plugins that have ``on_startup``); under a dirty
preview it owns the :class:`~okrsite.site.cache.BuildCache` that lets a
rebuild reuse the previous one's fragments (see :mod:`okrsite.engine.plugin`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.theme import Theme

from okrsite.engine.build import load_site_config
from okrsite.engine.options import Choices
from okrsite.errors import BuildError

log = logging.getLogger("mkdocs.commands.serve")

POLLING_INTERVAL = 0.25
"""Seconds between two looks at the watched files (MkDocs: 0.5). An edit
waits half of it on average before the rebuild starts; a look at a content
directory of a thousand files costs a few milliseconds."""


class _HideDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be stale. Under
    ``okrsite serve --dirty`` the plugin re-renders every page whenever the
    navigation changes, so the warning would only be noise.

    Matched by its text because nothing else tells it apart: MkDocs logs it
    with ``log.warning`` from ``build()`` itself, under the same logger as
    warnings a user must see, and offers no option to turn it off. The
    filter is installed only for the duration of our own dirty rebuilds."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


class ThemeListings:
    """Every template name in the installed theme's directories, listed once
    per preview server.

    Each MkDocs build asks the theme's Jinja loader for every file of every
    theme directory (``Files.add_files_from_theme``) to copy its assets:
    Material ships ~14,500 files (its icon sets), a walk of a few tenths of
    a second per rebuild. The installed theme does not change while a server
    runs (the server does not even watch it), so its listing is kept; the
    project's ``custom_dir``, which an author may edit, is listed on every
    rebuild. Template *loading* is untouched: the loader reads templates as
    Jinja's own does.
    """

    def __init__(self) -> None:
        self._names: dict[str, list[str]] = {}

    def use_for(self, theme: Theme) -> None:
        """Make ``theme``'s environments list templates through this object."""
        make_env: Callable[[], jinja2.Environment] = theme.get_env
        fresh = {theme.custom_dir} if theme.custom_dir else set()

        def get_env() -> jinja2.Environment:
            env = make_env()
            env.loader = _KeptListingLoader(theme.dirs, self._names, fresh)
            return env

        # This configuration object's own theme (a rebuild loads a new one).
        theme.get_env = get_env  # type: ignore[method-assign]


class _KeptListingLoader(jinja2.FileSystemLoader):
    """Jinja's file-system loader whose listing of each directory not in
    ``fresh`` is made once and kept in ``names``."""

    def __init__(self, dirs: list[str], names: dict[str, list[str]], fresh: set[str]) -> None:
        super().__init__(dirs)
        self._names = names
        self._fresh = fresh

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for directory in self.searchpath:
            listed = self._names.get(directory)
            if listed is None or directory in self._fresh:
                listed = jinja2.FileSystemLoader(directory).list_templates()
                if directory not in self._fresh:
                    self._names[directory] = listed
            found.update(listed)
        return sorted(found)


def serve(
    config_file: Path, choices: Choices, *, dev_addr: str | None = None, dirty: bool = True
) -> None:
    """Serve the site with live reload until interrupted; ``dirty`` re-renders
    only pages whose generated text changed. Raises
    :class:`~okrsite.errors.BuildError` when the configuration is invalid or
    the first build fails (later failed rebuilds are reported by the server,
    which keeps serving the last good site)."""
    site_dir = tempfile.mkdtemp(prefix="okrsite_")
    listings = ThemeListings()

    def get_config() -> MkDocsConfig:
        config = load_site_config(config_file, choices, site_dir=Path(site_dir), dev_addr=dev_addr)
        listings.use_for(config.theme)
        return config

    try:
        config = get_config()
        config.plugins.on_startup(command="serve", dirty=dirty)
        host, port = config.dev_addr
        mount_path = urlsplit(config.site_url or "/").path
        serve_url = _serve_url(host, port, mount_path)
        config.site_url = serve_url
        hide = _HideDirtyWarning()

        def builder(config: MkDocsConfig | None = None) -> None:
            log.info("Building documentation...")
            if config is None:
                config = get_config()
                config.site_url = serve_url
            build_logger = logging.getLogger("mkdocs.commands.build")
            build_logger.addFilter(hide)
            try:
                mkdocs_build(config, serve_url=serve_url, dirty=dirty)
            finally:
                build_logger.removeFilter(hide)

        server = LiveReloadServer(
            builder=builder,
            host=host,
            port=port,
            root=site_dir,
            mount_path=mount_path,
            polling_interval=POLLING_INTERVAL,
        )

        def error_page(code: int) -> bytes | None:
            page = Path(site_dir) / f"{code}.html"
            return page.read_bytes() if code in (404, 500) and page.is_file() else None

        server.error_handler = error_page
        try:
            try:
                builder(config)
            except MkDocsException as err:
                raise BuildError(str(err)) from None
            server.watch(config.docs_dir)
            if config.config_file_path:
                server.watch(config.config_file_path)
            server = config.plugins.on_serve(server, config=config, builder=builder)
            for item in config.watch:
                server.watch(item)
            try:
                server.serve()
            except KeyboardInterrupt:
                log.info("Shutting down...")
            finally:
                server.shutdown()
        finally:
            config.plugins.on_shutdown()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)


def _serve_url(host: str, port: int, mount_path: str) -> str:
    """The site's URL under the preview server, as MkDocs' ``serve`` makes it."""
    return f"http://{host}:{port}" + ("/" + mount_path.lstrip("/")).rstrip("/") + "/"
