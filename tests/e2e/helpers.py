"""Helpers shared by the browser tests (constants, screenshots, palette, demo copy)."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-23"
CYCLE = "2026-Q4"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}


def okrsite_command(*args: str) -> list[str]:
    """The ``okrsite`` CLI of this interpreter (works without the script on PATH)."""
    return [sys.executable, "-c", "from okrsite.cli import main; main()", *args]


def quiet_env() -> dict[str, str]:
    """Environment for okrsite subprocesses: no MkDocs 2 banner."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def shoot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-artifacts/screenshots/<name>-<scheme>.png``.

    The viewport is stretched to the page's height for the shot (then restored),
    so Material's sticky header sits at the top instead of mid-page.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme') || 'default'")
    label = "dark" if scheme == "slate" else "light"
    path = SCREENSHOTS / f"{name}-{label}.png"
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 200), 8000)})
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    try:
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


def switch_to_dark(page: Page) -> None:
    """Toggle Material's palette to the dark (slate) scheme by clicking the header button."""
    page.locator('label[title="Switch to dark mode"]').click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_demo(dest: Path) -> Path:
    """Copy what ``okrsite serve`` needs (content/, mkdocs.yml, docs/, graph cache) to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copytree(REPO / "docs", dest / "docs")
    shutil.copy2(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    cache = REPO / ".okrsite-cache"
    if cache.is_dir():
        shutil.copytree(cache, dest / ".okrsite-cache")
    return dest
