"""Does build cost follow what changed, or how much history there is? (issue 16)

Usage::

    python bench/history.py [--units 100] [--quarters 1 4 8] [--work DIR] [--json]
    python bench/history.py --pythonpath /tmp/snap      # benchmark an exported commit
    python bench/history.py --command okrsite           # as the example CI workflows build
    python bench/history.py --repeat 3                  # median of 3 edit + rebuild rounds
    python bench/history.py --seed 7                    # another org of the same shape

For each number of quarters, one synthetic org (``bench/synth.py``: the last
quarter in progress, the earlier ones graded) and, each command in a fresh
subprocess (wall time, CPU time and peak RSS, as in ``bench/run.py``):

1. **cold**: ``mkdocs build`` in a fresh directory (no caches at all), or
   with ``--command okrsite`` ``okrsite build --strict``, the command the
   example CI workflows run (an atomic build into a staging directory; the
   CLI also raises the garbage collector's thresholds, which a plain
   ``mkdocs build`` process does not get: worth ~1 s at 8 quarters);
2. **edit**: one key result's ``current`` value in the current quarter's
   first unit file changes (what a weekly check-in does);
3. **rebuild**: the same command again, as CI does on merge with its cache
   directory (``.okrsite-cache``) kept. The run fails unless the new value
   is on the rebuilt page and every quarter's unit pages are still there.
   With ``--repeat N`` steps 2–3 run N times (the value alternating between
   two numbers, so each rebuild follows a real edit) and the median counts:
   on a shared machine single rebuilds move by ±15 %.

It prints a Markdown table; the figure of merit is the rebuild at the most
quarters divided by the rebuild at one (issue 16's target: at most 1.5).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load("run")

EDITED_VALUE = 987654
"""The new ``current`` value: no synthetic org has it anywhere else (repeated
rounds alternate it with ``EDITED_VALUE + 1``)."""
_CURRENT_RE = re.compile(r"(current:\s*)([-0-9.]+)")


def edit_one_value(content: Path, value: int = EDITED_VALUE) -> Path:
    """Change the ``current`` value of the first public key result with one in
    the current quarter's first such unit file (not the company's) to
    ``value``; return that file. The same key result every time."""
    current = sorted(p for p in content.iterdir() if p.is_dir())[-1]
    for path in sorted(current.glob("*.yaml")):
        if path.stem == "company":
            continue
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        for objective in data.get("objectives") or []:
            if objective.get("visibility", "public") != "public":
                continue
            for kr in objective.get("key_results") or []:
                if isinstance(kr.get("current"), int | float) and "checkins" not in kr:
                    at = text.index(f"id: {kr['id']}")
                    match = _CURRENT_RE.search(text, at)
                    if match is None:
                        continue
                    edited = text[: match.start(2)] + str(value) + text[match.end(2) :]
                    path.write_text(edited, encoding="utf-8")
                    return path
    raise run.BenchError(f"no public 'current:' value to edit in {current}")


def check_rebuilt(site: Path, edited: Path, quarters: int, value: int = EDITED_VALUE) -> None:
    """The edit shows on its unit page and every quarter still has its unit pages."""
    cycle, unit = edited.parent.name, edited.stem
    pages = sorted(site.glob(f"{cycle}/{unit}/**/index.html")) or sorted(
        site.glob(f"{cycle}/**/{unit}/index.html")
    )
    if not any(
        f"{value:,}" in p.read_text(encoding="utf-8") or str(value) in p.read_text(encoding="utf-8")
        for p in pages
    ):
        raise run.BenchError(f"the edited value is not on the rebuilt page of {cycle}/{unit}")
    cycles = [p.name for p in site.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-Q\d", p.name)]
    if len(cycles) != quarters:
        raise run.BenchError(f"expected {quarters} quarters in the site, found {sorted(cycles)}")


def build_command(command: str) -> list[str]:
    """The build each step runs (in the work directory)."""
    if command == "okrsite":
        return [*run._okrsite(), "build", "--strict", "-f", "mkdocs.yml", "--site-dir", "site"]
    return [*run._mkdocs(), "build", "-q", "-f", "mkdocs.yml", "-d", "site"]


def measure(
    units: int,
    quarters: int,
    work: Path,
    pythonpath: Path | None,
    command: str = "mkdocs",
    repeat: int = 1,
    seed: int = 1,
) -> dict[str, Any]:
    synth = _load("synth")
    if work.exists():
        shutil.rmtree(work)
    synth.write(work, units=units, seed=seed, cycles=quarters)
    runner = run.Runner(work, pythonpath)
    build = build_command(command)
    cold = runner.measure("cold", build)
    stats = run.site_stats(work / "site")
    rounds = []
    for number in range(max(1, repeat)):
        value = EDITED_VALUE + number % 2
        edited = edit_one_value(work / "content", value)
        rounds.append(runner.measure("rebuild", build))
        check_rebuilt(work / "site", edited, quarters, value)
    again = {
        "seconds": statistics.median(r["seconds"] for r in rounds),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in rounds),
        "rss_mb": max(r["rss_mb"] for r in rounds),
    }
    return {
        "quarters": quarters,
        "cold_s": cold["seconds"],
        "cold_cpu_s": cold["cpu_seconds"],
        "cold_rss_mb": cold["rss_mb"],
        "rebuild_s": again["seconds"],
        "rebuild_cpu_s": again["cpu_seconds"],
        "rebuild_rss_mb": again["rss_mb"],
        "rebuild_rounds_cpu_s": [r["cpu_seconds"] for r in rounds],
        "html_pages": stats["html_pages"],
        "largest_page_kb": stats["largest_page_kb"],
    }


def table(units: int, rows: list[dict[str, Any]], command: str = "mkdocs") -> str:
    lines = [
        f"History at {units} units (`bench/history.py`, `{command} build`)",
        "",
        "| Quarters | Cold build | Cold CPU | Cold peak RSS | Rebuild after one edit | "
        "Rebuild CPU | HTML pages |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['quarters']} | {row['cold_s']:.1f} s | {row['cold_cpu_s']:.1f} s | "
            f"{row['cold_rss_mb']:.0f} MB | {row['rebuild_s']:.1f} s | "
            f"{row['rebuild_cpu_s']:.1f} s | {row['html_pages']:,} |"
        )
    first, last = rows[0], rows[-1]
    if len(rows) > 1:
        lines += [
            "",
            f"Rebuild at {last['quarters']} quarters / at {first['quarters']}: "
            f"{last['rebuild_s'] / first['rebuild_s']:.2f}× wall, "
            f"{last['rebuild_cpu_s'] / first['rebuild_cpu_s']:.2f}× CPU (target ≤ 1.5×).",
            # The ratio moves with the machine's speed; what history adds does less.
            f"What the {last['quarters'] - first['quarters']} extra quarters add: "
            f"{last['rebuild_s'] - first['rebuild_s']:+.2f} s wall, "
            f"{last['rebuild_cpu_s'] - first['rebuild_cpu_s']:+.2f} s CPU.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--quarters", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--work", type=Path, help="work directory (kept); default: a temp dir")
    parser.add_argument("--pythonpath", type=Path, help="import okrsite from here")
    parser.add_argument(
        "--command",
        choices=("mkdocs", "okrsite"),
        default="mkdocs",
        help="build with `mkdocs build` (default) or `okrsite build --strict` (as CI does)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="edit + rebuild rounds per org (median reported)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="synthetic org seed (issue 16 is judged on another org)"
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="okrsite-history-"))
    rows = [
        measure(
            args.units,
            quarters,
            (work / f"q{quarters}").resolve(),
            args.pythonpath,
            args.command,
            args.repeat,
            args.seed,
        )
        for quarters in args.quarters
    ]
    print(json.dumps(rows, indent=2) if args.json else table(args.units, rows, args.command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
