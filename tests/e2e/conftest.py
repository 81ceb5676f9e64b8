"""Fixtures for the browser tests: build the demo site once, serve it, drive Chromium.

- ``built_site``: ``okrsite build --strict`` of the demo (``content/`` +
  ``mkdocs.yml``) into a temporary directory, once per session, with a fixed
  ``--today`` so the pages are reproducible.
- ``base_url``: a ``ThreadingHTTPServer`` on ``127.0.0.1`` (free port) serving
  that directory; pytest-playwright's ``page.goto("/…")`` is relative to it.
- ``browser_type_launch_args``: Debian's ``/usr/bin/chromium`` (never
  ``playwright install``), headless, no GPU, no background networking.
- ``offline_guard`` (autouse): every request of every page goes through a
  route; anything not to 127.0.0.1 is aborted, recorded, and fails the test.
  That is the offline-ready proof: no web fonts, CDNs, analytics.

Screenshots go to ``test-artifacts/screenshots/`` (git-ignored) via
:func:`helpers.shoot`.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Route

from .helpers import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, REPO, TODAY, okrsite_command, quiet_env


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once with ``okrsite build --strict``."""
    site = tmp_path_factory.mktemp("e2e") / "site"
    result = subprocess.run(
        okrsite_command(
            "build", "--strict", "--site-dir", str(site), "--today", TODAY,
            "-f", str(REPO / "mkdocs.yml"),
        ),
        cwd=REPO,
        env=quiet_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"okrsite build failed:\n{result.stdout}\n{result.stderr}"
    assert (site / "index.html").is_file()
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the test output is about the pages, not the requests."""


@contextlib.contextmanager
def serve_directory(site: Path) -> Iterator[str]:
    """URL of ``site``'s files, served from 127.0.0.1 on a free port while open."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def build_and_serve(root: Path) -> Iterator[str]:
    """Build the project in ``root`` (a copy of the demo with extra content) with
    ``okrsite build`` into ``root/site`` and serve it while open."""
    site = root / "site"
    result = subprocess.run(
        okrsite_command("build", "--site-dir", str(site), "--today", TODAY,
                        "-f", str(root / "mkdocs.yml")),
        cwd=root, env=quiet_env(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, f"okrsite build failed:\n{result.stdout}\n{result.stderr}"
    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    """URL of the built demo site."""
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium instead of a Playwright download."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop viewport, light colour scheme, no service workers (all requests routed)."""
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "color_scheme": "light",
        "service_workers": "block",
    }


@pytest.fixture(autouse=True)
def offline_guard(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Abort and record every request not to 127.0.0.1; fail the test if there was one."""
    blocked: list[str] = []
    if "context" not in request.fixturenames:
        yield blocked
        return
    context: BrowserContext = request.getfixturevalue("context")

    def guard(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    yield blocked
    with contextlib.suppress(Exception):
        context.unroute("**/*", guard)
    if blocked:
        pytest.fail("requests to other hosts (the site must work offline):\n" + "\n".join(blocked))
