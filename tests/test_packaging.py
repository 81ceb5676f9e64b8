"""The wheel ships the templates (top-level templates/) and the starter."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_contains_templates_and_starter(tmp_path: Path) -> None:
    """Every template and starter file is in the wheel, with the console script."""
    # Build from a copy: pip builds in-tree and would leave build/ in the repo.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for name in ("okrsite", "templates"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("okrsite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {f"okrsite/templates/{p.name}" for p in (REPO / "templates").iterdir() if p.is_file()}
    assert templates - {"okrsite/templates/__init__.py"} <= names
    assert "okrsite/starter/.gitignore" in names
    assert "okrsite/starter/content/company.yaml" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "okrsite = okrsite.cli:run" in text
    assert "okrsite = okrsite.engine.plugin:OkrsitePlugin" in text
