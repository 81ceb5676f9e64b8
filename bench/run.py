"""Benchmark okrsite at company scale, against the plain-MkDocs floor, in one run.

Usage::

    python bench/run.py --units 1000 [--seed 1] [--cycles 2] [--work DIR] [--json]
    taskset -c 1 python bench/run.py --units 1000     # pin everything to one core

For one synthetic org (``bench/synth.py``) it measures, each command in a
fresh subprocess (wall time and peak RSS of the process tree's largest
process, from ``getrusage(RUSAGE_CHILDREN)`` in a small wrapper):

1. ``okrsite check`` (load + validate);
2. ``okrsite generate --nav-file`` — the same docs tree written to disk;
3. **floor**: plain ``mkdocs build`` of that tree with the same theme,
   Markdown extensions, stylesheet and navigation, *without* the okrsite
   plugin (MkDocs + Material + search only);
4. **simple**: issue 16's floor, a plain MkDocs + Material build of one
   simple page per unit (:func:`simple_floor`);
5. **full**: ``mkdocs build`` with the okrsite plugin, graph cache cold;
6. **rebuild**: the same build again with nothing changed (cache warm);
7. **serve**: ``okrsite serve`` (dirty preview rebuilds); after its first
   build, one unit file's objective title is edited twice and the time from
   writing the file until the server returns the page with the new title is
   measured (HTTP polling every 50 ms), with the server's peak RSS.

``dot`` processes are counted honestly: a shim named ``dot`` placed first on
``PATH`` appends its arguments to a log and ``exec``s the real Graphviz
``dot``. ``dot -V`` (the version probe okrsite uses for its cache key) is
counted separately from renders.

It prints a Markdown table of every metric with the targets of issue 8
(``--json`` prints the metrics as JSON instead). ``--profile FILE`` adds a
cProfile run of the full build and a summary of where the time goes.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from html import escape as html_escape
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent

# Runs a command, then writes its wall time, CPU time (user + system, the
# whole process tree) and peak RSS (KiB on Linux) as JSON.
_WRAPPER = """\
import json, resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    json.dump({"seconds": seconds, "rss_kb": usage.ru_maxrss,
               "cpu_seconds": usage.ru_utime + usage.ru_stime, "returncode": proc.returncode,
               "stderr": proc.stderr.decode("utf-8", "replace")[-4000:]}, f)
"""

_DOT_SHIM = """\
#!/bin/sh
# okrsite benchmark: count dot processes, then run the real dot.
printf '%s\\n' "$*" >> "$OKRSITE_BENCH_DOT_LOG"
exec {real} "$@"
"""

# Issue 8's targets: (metric, units it applies to or None for all, limit).
TARGETS: list[tuple[str, int | None, float]] = [
    ("full_build_s", 1000, 12.0),
    ("full_build_s", 5000, 90.0),
    ("full_build_cpu_s", 1000, 12.0),
    ("full_build_cpu_s", 5000, 90.0),
    ("check_cpu_s", 1000, 2.0),
    ("ratio", 1000, 1.3),
    ("ratio_cpu", 1000, 1.3),
    ("simple_ratio", 1000, 2.5),
    ("simple_ratio_cpu", 1000, 2.5),
    ("check_s", 1000, 2.0),
    ("largest_page_kb", None, 80.0),
    ("full_build_rss_mb", 1000, 500.0),
    ("full_build_rss_mb", 5000, 1024.0),
    ("serve_reload_s", 1000, 3.0),
    ("rebuild_dot_renders", None, 0),
    ("rebuild_dot_processes", None, 0),
]

ROWS: list[tuple[str, str, str]] = [
    # (metric key, label, format)
    ("units", "Units", "{:,}"),
    ("objectives", "Objectives (all cycles)", "{:,}"),
    ("key_results", "Key results (all cycles)", "{:,}"),
    ("checkins", "Check-ins (all cycles)", "{:,}"),
    ("content_mb", "Content size", "{:.1f} MB"),
    ("synth_s", "Generate synthetic org (bench/synth.py)", "{:.2f} s"),
    ("check_s", "`okrsite check`", "{:.2f} s"),
    ("check_cpu_s", "`okrsite check`, CPU", "{:.2f} s"),
    ("check_rss_mb", "`okrsite check` peak RSS", "{:.0f} MB"),
    ("generate_s", "`okrsite generate` (docs tree to disk, graphs cold)", "{:.2f} s"),
    ("generate_cpu_s", "`okrsite generate`, CPU", "{:.2f} s"),
    ("generate_rss_mb", "`okrsite generate` peak RSS", "{:.0f} MB"),
    ("floor_build_s", "Floor: plain `mkdocs build` of the same Markdown", "{:.2f} s"),
    ("floor_build_cpu_s", "Floor, CPU", "{:.2f} s"),
    ("floor_build_rss_mb", "Floor peak RSS", "{:.0f} MB"),
    ("full_build_s", "Full okrsite build (`mkdocs build` + plugin, cold cache)", "{:.2f} s"),
    ("full_build_cpu_s", "Full build, CPU", "{:.2f} s"),
    ("full_build_rss_mb", "Full build peak RSS", "{:.0f} MB"),
    ("simple_floor_s", "Simple floor: MkDocs + Material, one simple page per unit", "{:.2f} s"),
    ("simple_floor_cpu_s", "Simple floor, CPU", "{:.2f} s"),
    ("simple_floor_rss_mb", "Simple floor peak RSS", "{:.0f} MB"),
    ("simple_ratio", "Ratio full / simple floor (wall)", "{:.2f}×"),
    ("simple_ratio_cpu", "Ratio full / simple floor (CPU)", "{:.2f}×"),
    ("ratio", "Ratio full / floor (wall)", "{:.2f}×"),
    ("ratio_cpu", "Ratio full / floor (CPU)", "{:.2f}×"),
    ("full_dot_renders", "`dot` renders, full build", "{:,}"),
    ("full_dot_processes", "`dot` processes (incl. `-V`), full build", "{:,}"),
    ("rebuild_s", "No-change rebuild (warm graph cache)", "{:.2f} s"),
    ("rebuild_cpu_s", "No-change rebuild, CPU", "{:.2f} s"),
    ("rebuild_dot_renders", "`dot` renders, rebuild", "{:,}"),
    ("rebuild_dot_processes", "`dot` processes (incl. `-V`), rebuild", "{:,}"),
    ("serve_first_build_s", "`okrsite serve`: first build", "{:.2f} s"),
    ("serve_reload_s", "`okrsite serve`: edit a unit file → page shows it (best of 2)",
     "{:.2f} s"),
    ("serve_reload_max_s", "`okrsite serve`: same, worst of 2", "{:.2f} s"),
    ("serve_rss_mb", "`okrsite serve` peak RSS", "{:.0f} MB"),
    ("html_pages", "HTML pages", "{:,}"),
    ("output_mb", "Output size", "{:.1f} MB"),
    ("largest_page_kb", "Largest HTML page", "{:.0f} KB"),
    ("largest_page", "Largest HTML page (path)", "{}"),
    ("search_index_kb", "Search index (`search/search_index.json`)", "{:,.0f} KB"),
    ("floor_output_mb", "Floor output size", "{:.1f} MB"),
]


def _load_synth() -> Any:
    spec = importlib.util.spec_from_file_location("bench_synth", BENCH_DIR / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class BenchError(RuntimeError):
    """A measured command failed."""


class Runner:
    """Runs measured commands in ``work`` with the counting ``dot`` shim on PATH."""

    def __init__(self, work: Path, pythonpath: Path | None = None) -> None:
        self.work = work
        real_dot = shutil.which("dot")
        if real_dot is None:
            raise BenchError("Graphviz `dot` is not on PATH (apt-get install graphviz)")
        shim_dir = work / ".bench" / "bin"
        shim_dir.mkdir(parents=True, exist_ok=True)
        shim = shim_dir / "dot"
        shim.write_text(_DOT_SHIM.format(real=real_dot), encoding="utf-8")
        shim.chmod(0o755)
        self.env = dict(os.environ)
        self.env["PATH"] = f"{shim_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["NO_MKDOCS_2_WARNING"] = "1"
        self.env["PYTHONHASHSEED"] = "0"
        if pythonpath is not None:
            self.env["PYTHONPATH"] = str(pythonpath)
        _compile_bytecode(pythonpath)
        self.count = 0

    def measure(self, name: str, cmd: list[str], *, check: bool = True) -> dict[str, Any]:
        """Run ``cmd``; return seconds, rss_mb, returncode, dot counts."""
        self.count += 1
        stem = self.work / ".bench" / f"{self.count:02d}-{name}"
        log = stem.with_suffix(".dot.log")
        log.write_text("", encoding="utf-8")
        env = {**self.env, "OKRSITE_BENCH_DOT_LOG": str(log)}
        result_file = stem.with_suffix(".json")
        subprocess.run(
            [sys.executable, "-c", _WRAPPER, str(result_file), *cmd],
            cwd=self.work, env=env, check=True,
        )
        result = json.loads(result_file.read_text(encoding="utf-8"))
        if check and result["returncode"] != 0:
            raise BenchError(f"{name} failed ({result['returncode']}):\n{result['stderr']}")
        calls = [line for line in log.read_text(encoding="utf-8").splitlines()]
        return {
            "seconds": result["seconds"],
            "cpu_seconds": result["cpu_seconds"],
            "rss_mb": result["rss_kb"] / 1024,
            "returncode": result["returncode"],
            "dot_processes": len(calls),
            "dot_renders": sum(1 for c in calls if c.strip() != "-V"),
            "stderr": result["stderr"],
        }


def _okrsite() -> list[str]:
    # run(): the console script's entry (main() for commits from before it existed)
    code = "import okrsite.cli as cli; getattr(cli, 'run', cli.main)()"
    return [sys.executable, "-c", code]


def _mkdocs() -> list[str]:
    return [sys.executable, "-m", "mkdocs"]


def floor_config(full_config: dict[str, Any], docs: Path, nav: list[Any]) -> dict[str, Any]:
    """The full site's config without the okrsite plugin: same theme and
    Markdown extensions, the generated stylesheet and navigation."""
    config = dict(full_config)
    config["docs_dir"] = str(docs)
    config["plugins"] = [
        p for p in config.get("plugins", []) if not (isinstance(p, dict) and "okrsite" in p)
    ]
    css = [str(p.relative_to(docs)) for p in sorted(docs.glob("assets/okrsite/*.css"))]
    if css:
        config["extra_css"] = [*config.get("extra_css", []), *css]
    config["nav"] = nav
    return config


def simple_floor(full_config: dict[str, Any], content: Path, out: Path) -> dict[str, Any]:
    """Issue 16's floor: a plain MkDocs + Material site with one simple page
    per unit of ``org.yaml`` (a title, a paragraph, two headed sections with a
    short list each), the same theme, features and Markdown extensions, no
    okrsite plugin. Pages sit in one folder per top-level unit (departments),
    MkDocs' automatic navigation. Writes ``out/docs`` and returns the config."""
    org = yaml.safe_load((content / "org.yaml").read_text(encoding="utf-8"))
    units = org.get("units", [])
    parents = {u["id"]: u.get("parent") for u in units}

    def top(unit_id: str) -> str:
        while parents.get(unit_id) not in (None, "company") and parents[unit_id] in parents:
            unit_id = parents[unit_id]
        return unit_id

    docs = out / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Company\n\nOne simple page per unit.\n", encoding="utf-8")
    for unit in units:
        folder = docs / top(unit["id"])
        folder.mkdir(exist_ok=True)
        name = unit.get("name", unit["id"])
        (folder / f"{unit['id']}.md").write_text(
            f"# {name}\n\n{name} is a {unit.get('kind', 'unit')} led by "
            f"{unit.get('lead', 'someone')}.\n\n## Objectives\n\n- Ship the plan\n"
            "- Grow the business\n\n## Key results\n\n- 80 % of customers active\n"
            "- 3 launches\n",
            encoding="utf-8",
        )
    config = dict(full_config)
    config["docs_dir"] = str(docs)
    config["plugins"] = [
        p for p in config.get("plugins", []) if not (isinstance(p, dict) and "okrsite" in p)
    ]
    config.pop("nav", None)
    return config


def site_stats(site: Path) -> dict[str, Any]:
    """Output size, HTML pages, the largest page and the search index size."""
    total = 0
    pages = 0
    largest = (0, "")
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path.suffix == ".html":
            pages += 1
            largest = max(largest, (size, str(path.relative_to(site))))
    index = site / "search" / "search_index.json"
    return {
        "output_mb": total / 1e6,
        "html_pages": pages,
        "largest_page_kb": largest[0] / 1024,
        "largest_page": largest[1],
        "search_index_kb": index.stat().st_size / 1024 if index.exists() else 0.0,
    }


STEPS = ("check", "generate", "floor", "simple", "full", "rebuild", "serve")


def _compile_bytecode(pythonpath: Path | None) -> None:
    """Compile the measured okrsite's bytecode first, as pip does when it
    installs a wheel. An editable install or an exported commit has none, and
    with ``PYTHONDONTWRITEBYTECODE`` set (as on this project's machines)
    every measured process would compile okrsite's modules again: 0.15 to
    0.3 s of an ``okrsite check`` that no installed copy pays."""
    if pythonpath is not None:
        package = pythonpath / "okrsite"
    else:
        spec = importlib.util.find_spec("okrsite")
        if spec is None or spec.origin is None:
            return
        package = Path(spec.origin).parent
    compileall.compile_dir(str(package), quiet=1)


def run(
    units: int,
    work: Path,
    seed: int = 1,
    cycles: int = 2,
    pythonpath: Path | None = None,
    steps: tuple[str, ...] = STEPS,
) -> dict[str, Any]:
    """Generate the org under ``work`` and measure ``steps``; return metrics.

    ``pythonpath``: import okrsite from there (e.g. an exported commit).
    Times are wall clock (``*_s``) and CPU, user + system of the whole process
    tree (``*_cpu_s``): on a shared machine CPU time is the steadier number.
    The floor needs ``generate``.
    """
    if "floor" in steps and "generate" not in steps:
        raise BenchError("the floor step needs the generate step")
    synth = _load_synth()
    if work.exists():
        shutil.rmtree(work)
    t0 = time.perf_counter()
    stats = synth.write(work, units=units, seed=seed, cycles=cycles)
    metrics: dict[str, Any] = {
        "units": units,
        "objectives": stats.get("objectives", 0),
        "key_results": stats.get("key_results", 0),
        "checkins": stats.get("checkins", 0),
        "content_mb": stats["bytes"] / 1e6,
        "synth_s": time.perf_counter() - t0,
    }
    full_config = yaml.safe_load((work / "mkdocs.yml").read_text(encoding="utf-8"))
    today = next(
        p["okrsite"].get("today")
        for p in full_config["plugins"]
        if isinstance(p, dict) and "okrsite" in p
    )
    runner = Runner(work, pythonpath)

    def record(prefix: str, result: dict[str, Any]) -> None:
        metrics[f"{prefix}_s"] = result["seconds"]
        metrics[f"{prefix}_cpu_s"] = result["cpu_seconds"]
        metrics[f"{prefix}_rss_mb"] = result["rss_mb"]

    if "check" in steps:
        check = runner.measure(
            "check", [*_okrsite(), "check", "--content", "content"], check=False
        )
        if check["returncode"] not in (0, 1) or "Traceback" in check["stderr"]:
            raise BenchError(f"okrsite check crashed:\n{check['stderr']}")
        record("check", check)
        metrics["check_exit"] = check["returncode"]

    floor = work / "floor"
    if "generate" in steps:
        gen = runner.measure(
            "generate",
            [*_okrsite(), "generate", "--content", "content", "--out", str(floor / "docs"),
             "--nav-file", str(floor / "nav.yml"), "--cache-dir", str(floor / ".cache"),
             "--today", str(today)],
        )
        record("generate", gen)
        metrics["generate_dot_renders"] = gen["dot_renders"]

    if "floor" in steps:
        nav = yaml.safe_load((floor / "nav.yml").read_text(encoding="utf-8"))["nav"]
        (floor / "mkdocs.yml").write_text(
            yaml.safe_dump(floor_config(full_config, floor / "docs", nav), allow_unicode=True,
                           sort_keys=False),
            encoding="utf-8",
        )
        base = runner.measure(
            "floor", [*_mkdocs(), "build", "-q", "-f", str(floor / "mkdocs.yml"),
                      "-d", str(floor / "site")],
        )
        record("floor_build", base)
        metrics["floor_output_mb"] = site_stats(floor / "site")["output_mb"]

    if "simple" in steps:
        simple = work / "simple"
        config = simple_floor(full_config, work / "content", simple)
        (simple / "mkdocs.yml").write_text(
            yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        plain = runner.measure(
            "simple", [*_mkdocs(), "build", "-q", "-f", str(simple / "mkdocs.yml"),
                       "-d", str(simple / "site")],
        )
        record("simple_floor", plain)

    build_cmd = [*_mkdocs(), "build", "-q", "-f", "mkdocs.yml", "-d", "site"]
    if "full" in steps:
        shutil.rmtree(work / ".okrsite-cache", ignore_errors=True)
        full = runner.measure("full", build_cmd)
        record("full_build", full)
        metrics["full_dot_renders"] = full["dot_renders"]
        metrics["full_dot_processes"] = full["dot_processes"]
        if "floor_build_s" in metrics:
            metrics["ratio"] = full["seconds"] / metrics["floor_build_s"]
            metrics["ratio_cpu"] = full["cpu_seconds"] / metrics["floor_build_cpu_s"]
        if "simple_floor_s" in metrics:
            metrics["simple_ratio"] = full["seconds"] / metrics["simple_floor_s"]
            metrics["simple_ratio_cpu"] = full["cpu_seconds"] / metrics["simple_floor_cpu_s"]
        metrics.update(site_stats(work / "site"))

    if "rebuild" in steps:
        again = runner.measure("rebuild", build_cmd)
        record("rebuild", again)
        metrics["rebuild_dot_renders"] = again["dot_renders"]
        metrics["rebuild_dot_processes"] = again["dot_processes"]
    if "serve" in steps:
        metrics.update(measure_serve(runner, work))
    return metrics


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _wait_for(url: str, marker: str, deadline: float, server: subprocess.Popen[bytes]) -> float:
    """Poll ``url`` until its body contains ``marker``; the time it happened."""
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise BenchError(f"okrsite serve exited with {server.returncode}")
        body = _fetch(url)
        if body is not None and marker in body:
            return time.perf_counter()
        time.sleep(0.05)
    raise BenchError(f"{url} did not show {marker!r} in time")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_serve(runner: Runner, work: Path, edits: int = 2) -> dict[str, Any]:
    """Time ``okrsite serve``'s first build and its reload after editing one unit file."""
    cycle_dirs = sorted(d for d in (work / "content").iterdir() if d.is_dir())
    unit_file = sorted(p for p in cycle_dirs[-1].glob("*.yaml") if p.stem != "cycle")[0]
    url = f"http://127.0.0.1:{_free_port()}"
    page = f"{url}/{cycle_dirs[-1].name}/{unit_file.stem}/"
    log = (work / ".bench" / "serve.log").open("wb")
    started = time.perf_counter()
    env = {**runner.env, "OKRSITE_BENCH_DOT_LOG": str(work / ".bench" / "serve.dot.log")}
    server = subprocess.Popen(
        [*_okrsite(), "serve", "-f", "mkdocs.yml", "-a", url.removeprefix("http://")],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    out: dict[str, Any] = {}
    try:
        title_line = re.compile(r"^(    title: )(.*)$", re.MULTILINE)
        text = unit_file.read_text(encoding="utf-8")
        first = title_line.search(text)
        if first is None:
            raise BenchError(f"no objective title in {unit_file}")
        ready = _wait_for(page, html_escape(first.group(2)), started + 1800, server)
        out["serve_first_build_s"] = ready - started
        times = []
        for n in range(1, edits + 1):
            marker = f"Edited {n} for the benchmark"
            text = title_line.sub(lambda m, new=marker: m.group(1) + new, text, count=1)
            time.sleep(1.0)  # let the watcher settle after the previous build
            written = time.perf_counter()
            unit_file.write_text(text, encoding="utf-8")
            times.append(_wait_for(page, marker, written + 600, server) - written)
        out["serve_reload_s"] = min(times)
        out["serve_reload_max_s"] = max(times)
        out["serve_rss_mb"] = _peak_rss_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    return out


def machine() -> dict[str, str]:
    """Where the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("mkdocs", "mkdocs-material", "okrsite"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # not installed
            versions[dist] = "?"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False).stderr
    return {
        "date": dt.date.today().isoformat(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "cores_used": str(affinity or os.cpu_count()),
        "python": platform.python_version(),
        "graphviz": dot.strip().removeprefix("dot - graphviz version "),
        **versions,
    }


def _target(key: str, units: int) -> float | None:
    for metric, size, limit in TARGETS:
        if metric == key and (size is None or size == units):
            return limit
    return None


def table(metrics: dict[str, Any]) -> str:
    """Every metric as a Markdown table with issue 8's targets."""
    lines = ["| Metric | Value | Target | |", "|---|---:|---:|---|"]
    for key, label, fmt in ROWS:
        value = metrics.get(key)
        shown = fmt.format(value) if value is not None else ""
        limit = _target(key, metrics["units"])
        if value is None:
            lines.append(f"| {label} | not measured | | |")
        elif limit is None:
            lines.append(f"| {label} | {shown} | | |")
        else:
            ok = value <= limit
            unit = fmt.format(limit) if "{:," not in fmt else f"{limit:g}"
            lines.append(f"| {label} | {shown} | ≤ {unit} | {'✅' if ok else '❌'} |")
    return "\n".join(lines)


def profile(work: Path, out: Path, top: int = 25, pythonpath: Path | None = None) -> str:
    """cProfile the full build (cold graph cache) and summarise where time goes."""

    shutil.rmtree(work / ".okrsite-cache", ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q",
         "-f", "mkdocs.yml", "-d", "site"],
        cwd=work, env=env, check=True,
    )
    return summarize_profile(out, top)


def summarize_profile(out: Path, top: int = 25) -> str:
    """Where the time of a profiled build went: stages, then top functions."""
    import io
    import pstats

    stats = pstats.Stats(str(out))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, _, ct, _) in raw.values())
    stages = [
        ("okrsite: load + validate", "okrsite/validate/__init__.py", "load_model"),
        ("okrsite: docs tree (pages, nav)", "okrsite/site/build.py", "build_docs_tree"),
        ("okrsite: graphs, DOT source", "okrsite/graphs/dot.py", "page_graphs"),
        ("okrsite: graphs, dot runs + SVG clean-up", "okrsite/graphs/render.py", "render_svgs"),
        ("okrsite: redact", "okrsite/analysis/redact.py", "redact"),
        ("mkdocs: Markdown → HTML", "mkdocs/structure/pages.py", "render"),
        ("mkdocs: page build (template + hooks)", "mkdocs/commands/build.py", "_build_page"),
        ("jinja2: theme templates (nav)", "jinja2/environment.py", "render"),
        ("material: search, per page", "material/plugins/search/plugin.py", "on_page_context"),
        ("material: search, write index", "material/plugins/search/plugin.py", "on_post_build"),
        ("mkdocs: files/nav", "mkdocs/structure/nav.py", "get_navigation"),
    ]
    lines = [f"Total (profiled; cProfile adds overhead): {total:.1f} s", "",
             "| Stage | Cumulative s | Share |", "|---|---:|---:|"]
    for label, file_part, func in stages:
        cum = sum(
            ct for (fname, _, name), (_, _, _, ct, _) in raw.items()
            if name == func and fname.endswith(file_part)
        )
        lines.append(f"| {label} | {cum:.2f} | {100 * cum / total:.0f} % |")
    lines += ["", f"Top {top} functions by internal time:", "```"]
    buf = io.StringIO()
    pstats.Stats(str(out), stream=buf).sort_stats("tottime").print_stats(top)
    body = buf.getvalue()
    lines.append(body[body.find("ncalls"):].rstrip())
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--work", type=Path, help="work directory (kept); default: a temp dir")
    parser.add_argument("--json", action="store_true", help="print metrics as JSON")
    parser.add_argument(
        "--steps", default=",".join(STEPS),
        help=f"comma-separated subset of {','.join(STEPS)} (default: all)",
    )
    parser.add_argument("--profile", type=Path, help="also cProfile the full build to FILE")
    parser.add_argument(
        "--pythonpath", type=Path,
        help="import okrsite from DIR instead of the installed package, e.g. a commit "
        "exported with `git archive` while the working tree is being edited",
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix=f"okrsite-bench-{args.units}-"))
    try:
        pythonpath = args.pythonpath.resolve() if args.pythonpath else None
        steps = tuple(step for step in args.steps.split(",") if step)
        unknown = set(steps) - set(STEPS)
        if unknown:
            parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
        metrics = run(args.units, work.resolve(), seed=args.seed, cycles=args.cycles,
                      pythonpath=pythonpath, steps=steps)
        summary = (
            profile(work.resolve(), args.profile.resolve(), pythonpath=pythonpath)
            if args.profile else None
        )
    except BenchError as err:
        print(f"benchmark failed: {err}", file=sys.stderr)
        return 1
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    info = machine()
    if args.json:
        report: dict[str, Any] = {"machine": info, "metrics": metrics}
        if summary:
            report["profile"] = summary
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(
            f"okrsite benchmark, {args.units:,} units, seed {args.seed}, {args.cycles} cycles — "
            f"{info['date']}, {info['cpu']}, {info['cores_used']}/{info['cores']} cores, "
            f"Python {info['python']}, MkDocs {info['mkdocs']}, "
            f"Material {info['mkdocs-material']}, Graphviz {info['graphviz']}\n"
        )
        print(table(metrics))
        if summary:
            print("\n" + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
