"""Micro-benchmarks of okrsite's stages on a 1,000-unit synthetic org.

Run on demand (never collected by the default test run, whose testpaths is
``tests/``)::

    python -m pytest bench/test_micro.py                 # 1,000 units
    OKRSITE_BENCH_UNITS=200 python -m pytest bench/test_micro.py
    python -m pytest bench/test_micro.py --benchmark-json=micro.json

Each stage runs a few rounds of one iteration (the stages take seconds, not
microseconds): load (files → raw data), validate (raw → model), redact,
render (model → docs tree, no graphs), DOT (model → DOT source of every
graph) and dot (a fixed sample of graphs rendered by Graphviz, uncached).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from okrsite import graphs
from okrsite.analysis.redact import redact
from okrsite.model import OkrModel
from okrsite.site.build import build_docs_tree
from okrsite.site.options import SiteOptions
from okrsite.source import load_content
from okrsite.validate import validate

UNITS = int(os.environ.get("OKRSITE_BENCH_UNITS", "1000"))
ROUNDS = int(os.environ.get("OKRSITE_BENCH_ROUNDS", "3"))
TODAY = dt.date(2026, 11, 23)
DOT_SAMPLE = 40


def _load_synth() -> Any:
    path = Path(__file__).resolve().parent / "synth.py"
    spec = importlib.util.spec_from_file_location("bench_synth", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic org's content directory."""
    out = tmp_path_factory.mktemp(f"org{UNITS}")
    _load_synth().write(out, units=UNITS, seed=1)
    return out / "content"


@pytest.fixture(scope="module")
def raw(content: Path) -> Any:
    return load_content(content)


@pytest.fixture(scope="module")
def model(raw: Any) -> OkrModel:
    return validate(raw)


@pytest.fixture(scope="module")
def public(model: OkrModel) -> OkrModel:
    return redact(model, "public")


def test_load(benchmark: Any, content: Path) -> None:
    """Strict YAML loading with locations of every file."""
    result = benchmark.pedantic(load_content, args=(content,), rounds=ROUNDS, iterations=1)
    assert result is not None


def test_validate(benchmark: Any, raw: Any) -> None:
    """Raw data → validated model (pydantic, references, cycles)."""
    result = benchmark.pedantic(validate, args=(raw,), rounds=ROUNDS, iterations=1)
    assert len(result.units) == UNITS


def test_redact(benchmark: Any, model: OkrModel) -> None:
    """Public redaction (a deep copy of the model)."""
    benchmark.pedantic(redact, args=(model, "public"), rounds=ROUNDS, iterations=1)


def test_render(benchmark: Any, model: OkrModel) -> None:
    """Model → docs tree (every page's Markdown and the nav), graphs off."""
    options = SiteOptions(today=TODAY, graphs=False)
    tree = benchmark.pedantic(build_docs_tree, args=(model, options), rounds=ROUNDS, iterations=1)
    assert len(tree.files) > UNITS


def test_graph_dot(benchmark: Any, public: OkrModel) -> None:
    """DOT source of every graph (overviews and unit neighbourhoods)."""
    dots = benchmark.pedantic(graphs.page_graphs, args=(public,), rounds=ROUNDS, iterations=1)
    assert len(dots) > UNITS


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graph_render(benchmark: Any, public: OkrModel) -> None:
    """Graphviz renders of a fixed sample of unit graphs, no cache, 2 jobs
    (divide the mean by DOT_SAMPLE for the cost per graph)."""
    dots = graphs.page_graphs(public)
    sample = dict(sorted(dots.items())[:DOT_SAMPLE])

    def render() -> dict[str, str]:
        return graphs.render_svgs(sample, jobs=2)

    svgs = benchmark.pedantic(render, rounds=ROUNDS, iterations=1)
    assert len(svgs) == len(sample)
