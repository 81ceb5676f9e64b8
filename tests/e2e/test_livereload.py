"""``okrsite serve`` rebuilds and reloads the open page when a content file changes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import CYCLE, TODAY, copy_demo, free_port, okrsite_command, quiet_env

pytestmark = pytest.mark.browser

UNIT_FILE = f"content/{CYCLE}/product-onboarding.yaml"
OLD_LINE = "        current: 62\n"  # Onboarding completion: 40% → 62% → 75%
NEW_LINE = "        current: 71\n"


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers 200, failing early if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"okrsite serve exited with {proc.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"okrsite serve did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def served_copy(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A copy of the demo repository served by ``okrsite serve`` on a free port."""
    root = copy_demo(tmp_path / "demo")
    port = free_port()
    proc = subprocess.Popen(
        okrsite_command("serve", "-a", f"127.0.0.1:{port}", "--today", TODAY),
        cwd=root,
        env=quiet_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/{CYCLE}/product-onboarding/", proc)
        yield root, base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_serve_reloads_the_page_when_a_kr_changes(
    page: Page, served_copy: tuple[Path, str]
) -> None:
    """With the Onboarding page open, changing a KR's ``current:`` in the copied YAML
    makes the open page show the new value (rebuild + live reload, no restart)."""
    root, base = served_copy
    page.goto(f"{base}/{CYCLE}/product-onboarding/")
    expect(page.get_by_text("40% → 62% → 75%")).to_be_visible()
    expect(page.get_by_text("40% → 71% → 75%")).to_have_count(0)

    path = root / UNIT_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_LINE) == 1, "the demo KR changed; update OLD_LINE"
    path.write_text(text.replace(OLD_LINE, NEW_LINE), encoding="utf-8")

    expect(page.get_by_text("40% → 71% → 75%")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("40% → 62% → 75%")).to_have_count(0)
