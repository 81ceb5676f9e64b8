"""The preview server ``okrsite serve`` runs: MkDocs' live-reload server, our config.

This is MkDocs' own ``serve`` loop (``mkdocs.commands.serve``, 1.6) with one
difference: every rebuild loads ``mkdocs.yml`` through
:func:`okrsite.engine.build.load_site_config`, so the CLI's choices reach
the plugin in code on every rebuild (MkDocs' ``serve`` reloads the
configuration itself and offers no way in). The plugin object outlives the
rebuilds (MkDocs keeps plugins that have ``on_startup``); under a dirty
preview it owns the :class:`~okrsite.site.cache.BuildCache` that lets a
rebuild reuse the previous one's fragments (see :mod:`okrsite.engine.plugin`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer

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


def serve(
    config_file: Path, choices: Choices, *, dev_addr: str | None = None, dirty: bool = True
) -> None:
    """Serve the site with live reload until interrupted; ``dirty`` re-renders
    only pages whose generated text changed. Raises
    :class:`~okrsite.errors.BuildError` when the configuration is invalid or
    the first build fails (later failed rebuilds are reported by the server,
    which keeps serving the last good site)."""
    site_dir = tempfile.mkdtemp(prefix="okrsite_")

    def get_config() -> MkDocsConfig:
        return load_site_config(config_file, choices, site_dir=Path(site_dir), dev_addr=dev_addr)

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
