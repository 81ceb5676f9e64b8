"""The benchmark harness (bench/run.py) runs end to end at a tiny size and
reports every metric. Not a timed test: CI only proves the harness works."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

RUN_PATH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def _load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", RUN_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench_run = _load_run()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed"),
]


def test_harness_reports_every_metric(tmp_path: Path) -> None:
    """`bench/run.py --units 12 --json` exits 0 and reports every metric of the
    table; the Markdown table has a row with a value for each of them."""
    proc = subprocess.run(
        [sys.executable, str(RUN_PATH), "--units", "12", "--work", str(tmp_path / "w"), "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    metrics = report["metrics"]
    assert {"date", "cpu", "cores", "mkdocs", "mkdocs-material"} <= set(report["machine"])
    for key, label, _ in bench_run.ROWS:
        assert metrics.get(key) is not None, f"missing metric {key} ({label})"
    assert metrics["units"] == 12
    assert metrics["html_pages"] > 12
    assert metrics["full_dot_renders"] > 0, "the dot shim counted the cold build's renders"
    assert metrics["rebuild_dot_renders"] == 0, "a no-change rebuild renders no graph"
    assert 0 < metrics["serve_reload_s"] <= metrics["serve_reload_max_s"]
    table = bench_run.table(metrics)
    for _, label, _ in bench_run.ROWS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
        assert row.split("|")[2].strip() not in ("", "not measured"), row


def test_floor_config_drops_only_the_okrsite_plugin(tmp_path: Path) -> None:
    """The floor build keeps theme, extensions and search, adds the generated
    stylesheet and nav, and has no okrsite plugin."""
    docs = tmp_path / "docs"
    (docs / "assets" / "okrsite").mkdir(parents=True)
    (docs / "assets" / "okrsite" / "okrsite.css").write_text("", encoding="utf-8")
    full = {
        "site_name": "x",
        "theme": {"name": "material", "features": ["navigation.prune"]},
        "markdown_extensions": ["attr_list"],
        "plugins": ["search", {"okrsite": {"content_dir": "content"}}],
    }
    floor = bench_run.floor_config(full, docs, [{"Home": "index.md"}])
    assert floor["plugins"] == ["search"]
    assert floor["theme"] == full["theme"]
    assert floor["markdown_extensions"] == ["attr_list"]
    assert floor["extra_css"] == ["assets/okrsite/okrsite.css"]
    assert floor["nav"] == [{"Home": "index.md"}]
    assert full["plugins"][1] == {"okrsite": {"content_dir": "content"}}, "input untouched"


def test_simple_floor_has_one_plain_page_per_unit(tmp_path: Path) -> None:
    """Issue 16's floor: one simple Markdown page per unit of org.yaml (in a
    folder per top-level unit), plus a home page; theme and extensions kept,
    okrsite plugin and nav dropped."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "org.yaml").write_text(
        "units:\n"
        "  - {id: sales, name: Sales, kind: department, parent: company, lead: Ana}\n"
        "  - {id: sales-emea, name: 'EMEA *deals*', kind: team, parent: sales}\n"
        "  - {id: sales-emea-north, name: North, kind: team, parent: sales-emea}\n"
        "  - {id: support, name: Support, kind: service}\n",
        encoding="utf-8",
    )
    full = {
        "site_name": "x",
        "theme": {"name": "material", "features": ["navigation.tabs"]},
        "markdown_extensions": ["attr_list", {"toc": {"permalink": True}}],
        "plugins": ["search", {"okrsite": {"content_dir": "content"}}],
        "nav": [{"Home": "index.md"}],
    }
    config = bench_run.simple_floor(full, content, tmp_path / "simple")
    docs = tmp_path / "simple" / "docs"
    pages = sorted(str(p.relative_to(docs)) for p in docs.rglob("*.md"))
    assert pages == [
        "index.md",
        "sales/sales-emea-north.md",
        "sales/sales-emea.md",
        "sales/sales.md",
        "support/support.md",
    ]
    assert (docs / "sales" / "sales.md").read_text(encoding="utf-8").startswith("# Sales\n")
    assert config["plugins"] == ["search"]
    assert config["theme"] == full["theme"]
    assert config["markdown_extensions"] == full["markdown_extensions"]
    assert "nav" not in config and config["docs_dir"] == str(docs)


HISTORY_PATH = RUN_PATH.parent / "history.py"


@pytest.mark.parametrize("command", ["mkdocs", "okrsite"])
def test_history_harness_rebuilds_after_real_edits(tmp_path: Path, command: str) -> None:
    """`bench/history.py` at a tiny size with two edit + rebuild rounds: every
    round's edit (two different values) is checked on the rebuilt page by the
    harness itself (it fails otherwise), the 2-quarter site keeps both
    quarters, and the rows report the median of the rounds. The okrsite run
    is on another org (``--seed 7``)."""
    seed = ["--seed", "7"] if command == "okrsite" else []
    proc = subprocess.run(
        [
            sys.executable, str(HISTORY_PATH), "--units", "12", "--quarters", "1", "2",
            "--repeat", "2", "--command", command, "--work", str(tmp_path), "--json", *seed,
        ],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [row["quarters"] for row in rows] == [1, 2]
    for row in rows:
        rounds = row["rebuild_rounds_cpu_s"]
        assert len(rounds) == 2 and all(cpu > 0 for cpu in rounds)
        assert min(rounds) <= row["rebuild_cpu_s"] <= max(rounds)
    assert rows[1]["html_pages"] > rows[0]["html_pages"]
    site = tmp_path / "q2" / "site"
    assert len([p for p in site.iterdir() if p.is_dir() and p.name[:2] == "20"]) == 2
    # The last round wrote EDITED_VALUE + 1: the page shows it, not the first value.
    edited = next(p for p in site.rglob("index.html") if "987,655" in p.read_text("utf-8"))
    assert "987,654" not in edited.read_text("utf-8")
    # The org is the seed's: seed 1 makes another org.yaml.
    made = (tmp_path / "q2" / "content" / "org.yaml").read_bytes()
    spec = importlib.util.spec_from_file_location("bench_synth_seed", RUN_PATH.parent / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth  # its dataclasses look their module up
    spec.loader.exec_module(synth)
    synth.write(tmp_path / "seed1", units=12, seed=1, cycles=2)
    assert ((tmp_path / "seed1" / "content" / "org.yaml").read_bytes() == made) == (not seed)


def test_history_table_reports_the_ratio_and_what_history_adds() -> None:
    """The table's closing lines: the issue's ratio, and the seconds the
    extra quarters add (the figure that does not move with the machine)."""
    spec = importlib.util.spec_from_file_location("bench_history_table", HISTORY_PATH)
    assert spec is not None and spec.loader is not None
    history = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = history
    spec.loader.exec_module(history)
    row = {"cold_s": 5.0, "cold_cpu_s": 6.0, "cold_rss_mb": 90.0, "html_pages": 214}
    rows = [
        {**row, "quarters": 1, "rebuild_s": 2.0, "rebuild_cpu_s": 2.5},
        {**row, "quarters": 8, "rebuild_s": 2.9, "rebuild_cpu_s": 3.0},
    ]
    text = history.table(100, rows)
    assert "Rebuild at 8 quarters / at 1: 1.45× wall, 1.20× CPU" in text
    assert "What the 7 extra quarters add: +0.90 s wall, +0.50 s CPU." in text
