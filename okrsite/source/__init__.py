"""Files and git objects → plain data with source locations (the strict loader).

The pipeline, one module per step:

* :mod:`~okrsite.source.walk` — a content directory → every file, layout rules;
* :mod:`~okrsite.source.text` — bytes → checked text (size, encoding, characters);
* :mod:`~okrsite.source.parse` — one file → :class:`LoadedFile`, or its issues;
* :mod:`~okrsite.source.yaml_events` — the YAML event stream → data + locations;
* :mod:`~okrsite.source.yaml_scalars` — plain scalars, YAML 1.2-style;
* :mod:`~okrsite.source.yaml_syntax` — PyYAML errors in plain words;
* :mod:`~okrsite.source.yaml_fast` — the everyday subset of YAML, read fast;
* :mod:`~okrsite.source.cache` — :class:`LoadCache`, kept by a preview server;
* :mod:`~okrsite.source.store` — :class:`ParseStore`, parse results on disk;
* :mod:`~okrsite.source.gitsource` — the same walk over a git tree (``okrsite diff``).
"""

from __future__ import annotations

from okrsite.source.cache import LoadCache
from okrsite.source.loaded import UNIT_SUFFIXES, LoadedFile, RawContent
from okrsite.source.parse import parse_unit_file, parse_yaml
from okrsite.source.store import ParseStore
from okrsite.source.walk import load_content

__all__ = [
    "UNIT_SUFFIXES",
    "LoadCache",
    "LoadedFile",
    "ParseStore",
    "RawContent",
    "load_content",
    "parse_unit_file",
    "parse_yaml",
]
