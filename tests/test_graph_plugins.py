"""dot without its text-layout plugin (okrsite.graphs.plugins), with the real ``dot``;
and okrsite's own text widths (okrsite.graphs.textwidth) that keep boxes wide enough."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

import pytest

from okrsite import graphs
from okrsite.graphs.labels import LabelText, cell_width, objective_label
from okrsite.graphs.render import cache_key
from okrsite.graphs.textwidth import text_width
from okrsite.model import OkrModel

ROOT = Path(__file__).resolve().parents[1]
TEXTLAYOUT = re.compile(r"^\s*textlayout\s*:(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def demo_model() -> OkrModel:
    from okrsite.analysis.redact import redact
    from okrsite.validate import load_model

    return redact(load_model(ROOT / "content"), "public")


def _verbose(dot: graphs.Graphviz, gvbindir: Path | None) -> str:
    """What ``dot -v`` says about its plugins, with or without ``GVBINDIR``."""
    env = {**os.environ, "GVBINDIR": str(gvbindir)} if gvbindir else None
    proc = subprocess.run([dot.path, "-v"], input=b"", capture_output=True, env=env,
                          timeout=30, check=True)
    return proc.stderr.decode()


def test_private_plugin_dir_has_no_text_layout_and_is_removed(tmp_path: Path) -> None:
    """`dot -v` under the private directory lists no text-layout plugin (the
    default configuration of this machine does: pango), SVG still renders, and
    closing the Graphviz removes the directory."""
    with graphs.Graphviz(workdir=tmp_path) as dot:
        assert dot.plugin_dir is None  # made on first use only
        assert dot.prepare_svg() == "builtin"
        private = dot.plugin_dir
        assert private is not None and private.parent == tmp_path
        default = TEXTLAYOUT.search(_verbose(dot, None))
        assert default is not None and default.group(1).strip() != ""
        mine = TEXTLAYOUT.search(_verbose(dot, private))
        assert mine is not None and mine.group(1).strip() == ""
        svg = dot.run('digraph { a [label=<<B>Bold</B>>] }', "svg")
        assert b"font-weight=\"bold\"" in svg
    assert not private.exists()
    assert list(tmp_path.iterdir()) == []


def test_svg_is_byte_identical_across_runners(demo_model: OkrModel) -> None:
    """Two fresh runners (two private directories) draw the same bytes."""
    dots = dict(sorted(graphs.page_graphs(demo_model).items())[:4])
    outputs = []
    for _ in range(2):
        with graphs.Graphviz(jobs=2) as dot:
            outputs.append(graphs.render_svgs(dots, graphviz=dot))
            assert dot.svg_text_layout == "builtin"
    assert outputs[0] == outputs[1]


def test_fallback_to_default_plugins_is_logged_and_cached_apart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, demo_model: OkrModel
) -> None:
    """When the private directory cannot be made (here: its parent does not
    exist), graphs are still drawn with the default plugins, a warning says
    why, and the cache stores them under the other text layout's keys."""
    dots = dict(sorted(graphs.page_graphs(demo_model).items())[:2])
    cache = tmp_path / "cache"
    with (
        caplog.at_level(logging.WARNING, logger="okrsite.graphs.graphviz"),
        graphs.Graphviz(workdir=tmp_path / "missing") as dot,
    ):
        svgs = graphs.render_svgs(dots, cache_dir=cache, graphviz=dot)
        assert dot.svg_text_layout == "system" and dot.plugin_dir is None
        version = dot.version()
    assert all("<svg" in svg for svg in svgs.values())
    warning = "\n".join(r.getMessage() for r in caplog.records)
    assert "default plugins" in warning and "missing" in warning
    stored = {p.name for p in cache.glob("*.svg")}
    assert stored == {f"{cache_key(src, version, 'system')}.svg" for src in dots.values()}
    with graphs.Graphviz() as good:  # a working runner does not take those drawings
        graphs.render_svgs(dots, cache_dir=cache, graphviz=good)
        assert good.svg_text_layout == "builtin"
    assert len(list(cache.glob("*.svg"))) == 2 * len(dots)


def test_png_uses_the_default_plugins(tmp_path: Path) -> None:
    """PNG needs the cairo renderer: it runs with the default configuration
    (no private directory is made for it)."""
    with graphs.Graphviz(workdir=tmp_path) as dot:
        png = dot.run('digraph { a [label=<<B>PNG</B>>] }', "png")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert dot.plugin_dir is None and list(tmp_path.iterdir()) == []


def test_system_text_layout_makes_no_private_dir(tmp_path: Path) -> None:
    with graphs.Graphviz(text_layout="system", workdir=tmp_path) as dot:
        assert dot.prepare_svg() == "system"
        assert b"<svg" in dot.run("digraph { a }", "svg")
        assert dot.plugin_dir is None and dot.runs == 1


def test_run_all_runs_every_source_and_names_the_failing_one() -> None:
    """The bounded pool yields every output once; a broken graph is a BuildError naming it."""
    from okrsite.errors import BuildError

    sources = {f"g{i}": f"digraph {{ n{i} }}" for i in range(7)}
    with graphs.Graphviz(jobs=3) as dot:
        outputs = dict(dot.run_all(sources))
        assert sorted(outputs) == sorted(sources)
        assert all(f"n{i}".encode() in outputs[f"g{i}"] for i in range(7))
        with pytest.raises(BuildError, match="the graph of broken"):
            list(dot.run_all({**sources, "broken": "digraph { a -> }"}))


# ---------------------------------------------------------------------------
# text widths


def test_text_width_knows_bold_and_wide_characters() -> None:
    """Bold is wider than regular; CJK is 1 em a character, emoji wider still;
    an accented letter as wide as its base; combining marks and joiners add nothing."""
    title = "Scale search without scaling"
    assert text_width(title, 10, bold=True) > text_width(title, 10) * 1.07
    assert text_width("中文字", 10) == pytest.approx(30)
    assert text_width("🚀", 10) > 12
    assert text_width("é", 10) == text_width("e", 10)
    assert text_width("e\u0301", 10) == text_width("e", 10)
    assert text_width("👩\u200d💻", 10) == 2 * text_width("🚀", 10)


def test_bold_title_cell_is_wide_enough() -> None:
    """The objective row's WIDTH covers the bold title's measured width plus
    padding and border (Graphviz's own estimate is ~8 % short for bold)."""
    text = LabelText()
    title = "Scale search without scaling"
    row = graphs.labels.Row(
        port="o", title_html=text.title(title), tooltip_html=text.tooltip(title),
        title_width=text.title_width(title, bold=True), kind="Objective", value=0.5,
        tone="yellow", href="x/",
    )
    label = objective_label([row], "yellow", private=False, hidden=0)
    width = int(re.search(r'WIDTH="(\d+)"', label).group(1))  # type: ignore[union-attr]
    assert width >= text_width(title, 10, bold=True) + 10
    assert cell_width(100.0, 4, 1) == ' WIDTH="113"'


def test_drawn_boxes_hold_their_text_by_our_measure() -> None:
    """Rendered with the real dot, each bold, accented, CJK or emoji title's
    box is at least as wide as the title measured by textwidth."""
    titles = ["Scale search without scaling", "Ærøskøbing Zürich Überwachung",
              "提高客户满意度和产品质量", "🚀 Launch 🎉 the new ✅ onboard"]
    text = LabelText()
    nodes = []
    for i, title in enumerate(titles):
        row = graphs.labels.Row(
            port="o", title_html=text.title(title), tooltip_html=text.tooltip(title),
            title_width=text.title_width(title, bold=True), kind="Objective", value=0.5,
            tone="yellow", href="x/",
        )
        nodes.append(f"n{i} [label=<{objective_label([row], 'yellow', private=False, hidden=0)}>];")
    source = ('digraph { node [shape=plain, fontname="Helvetica,Arial,sans-serif", '
              'fontsize=10]; ' + " ".join(nodes) + " }")
    with graphs.Graphviz() as dot:
        svg = dot.run(source, "svg").decode()
    for title in titles:
        block = svg[: svg.index(f">{text.title(title)}<")]
        polygon = block[block.rindex("<polygon"):]
        xs = [float(p.split(",")[0]) for p in re.search(r'points="([^"]+)"', polygon)
              .group(1).split()]  # type: ignore[union-attr]
        assert max(xs) - min(xs) >= text_width(title, 10, bold=True), title


def test_plugin_libraries_are_read_from_the_default_configuration(tmp_path: Path) -> None:
    """Library names come from the configuration file `dot -v` names (relative
    to libdir, or absolute as some distributions write them); a missing
    layout plugin is a setup error (then the default configuration is used)."""
    from okrsite.graphs.plugins import PluginDir, PluginSetupError

    (tmp_path / "libgvplugin_core.so.8").write_bytes(b"")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "libgvplugin_dot_layout.so.8").write_bytes(b"")
    config = tmp_path / "config8"
    config.write_text(
        "libgvplugin_core.so.8 core {\n\trender {\n\t\tsvg 1\n\t}\n}\n"
        f"{other}/libgvplugin_dot_layout.so.8 dot_layout {{\n\tlayout {{\n\t\tdot 0\n\t}}\n}}\n"
        "libgvplugin_pango.so.8 cairo {\n\ttextlayout {\n\t\ttextlayout 0\n\t}\n}\n"
    )
    verbose = (f'dot - graphviz version 9.0.0\nlibdir = "{tmp_path}"\n'
               f"The plugin configuration file:\n\t{config}\n\t\twas successfully loaded.\n")
    found = PluginDir._find_libraries(verbose)
    assert found == [tmp_path / "libgvplugin_core.so.8", other / "libgvplugin_dot_layout.so.8"]
    (other / "libgvplugin_dot_layout.so.8").unlink()
    with pytest.raises(PluginSetupError, match="dot_layout"):
        PluginDir._find_libraries(verbose)
    with pytest.raises(PluginSetupError, match="names no plugin directory"):
        PluginDir._find_libraries("dot - graphviz version 2.43.0 (0)\n")
