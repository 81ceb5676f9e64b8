"""The pan/zoom script for big graphs ships with the site: vendored, licensed, offline."""

from __future__ import annotations

import re

from okrsite import urls
from okrsite.site.pages.assets import produce
from okrsite.site.pages.render import templates_dir


def test_panzoom_library_and_its_licence_are_in_the_docs_tree() -> None:
    """The docs tree carries svg-pan-zoom 3.6.x, its BSD licence, and okrsite's graph script;
    none of them loads anything from another host."""
    files = {f.path: f.content for f in produce(None)}  # type: ignore[arg-type]
    library = files[urls.PANZOOM_SCRIPT]
    assert isinstance(library, str) and library.startswith("// svg-pan-zoom v3.6.")
    licence = files[urls.PANZOOM_LICENSE]
    assert isinstance(licence, str) and "Redistribution and use in source and binary forms" in licence
    script = files[urls.GRAPH_SCRIPT]
    assert isinstance(script, str) and "document$" in script and "svgPanZoom(" in script
    for text in (library, script):
        assert not re.search(r"""(?:src|href|fetch\(|import\()\s*=?\s*["']https?://""", text)
    assert urls.SCRIPTS == (urls.PANZOOM_SCRIPT, urls.GRAPH_SCRIPT)  # library first


def test_vendored_files_are_package_data() -> None:
    """The wheel includes the script and the vendored directory (pyproject package-data)."""
    assert (templates_dir() / "okrsite-graphs.js").is_file()
    assert (templates_dir() / "vendor" / "svg-pan-zoom.min.js").is_file()
    assert (templates_dir() / "vendor" / "svg-pan-zoom.LICENSE.txt").is_file()
