"""The MkDocs world is forking: the plugin must run unchanged on ProperDocs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_properdocs_builds_the_demo_with_the_plugin_unchanged(tmp_path: Path) -> None:
    """`properdocs build --strict` of the demo (same mkdocs.yml, same plugin) succeeds
    with no warnings and produces the generated pages, without the private objective."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "docs" / "site", tmp_path / "docs" / "site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "properdocs",
            "build",
            "--strict",
            "-f",
            "mkdocs.yml",
            "-d",
            str(tmp_path / "site"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    unit_page = (tmp_path / "site/2026-Q4/product-onboarding/index.html").read_text()
    assert "Onboarding completion" in unit_page
    assert "okr-progress" in unit_page
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".svg", ".csv"}:
            assert "CANARY-PRIVATE" not in path.read_text(errors="replace"), path
