"""A private Graphviz plugin directory: layout and SVG only, no text-layout plugin.

Why: with a distribution's default plugin set, every ``dot -Tsvg`` loads
pango/cairo and fontconfig to measure text, which is ~85 % of a typical
graph's run time (27 ms of 32 ms). A directory holding only the ``core``
(SVG, DOT…) and ``dot_layout`` plugins, plus the configuration file
``dot -c`` writes for them, and ``GVBINDIR`` pointing at it, makes ``dot``
size text from its built-in Arial/Helvetica metric table instead: 7× faster,
and the drawing no longer depends on which fonts the build machine has
installed. :mod:`okrsite.graphs.textwidth` makes up for that table's blind
spots (bold, non-Latin text).

A :class:`PluginDir` is a resource of the :class:`~okrsite.graphs.Graphviz`
that made it: a temporary directory created on first use and removed by
:meth:`PluginDir.close`. Whatever fails while making it (no ``libdir`` in
``dot -v``, plugins not found, no symlinks, ``dot -c`` failing, a
configuration that still loads a text-layout plugin) leaves ``env`` ``None``
and ``reason`` saying why: the caller then runs ``dot`` with its default
configuration. Nothing here changes process-wide state.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PLUGINS = ("core", "dot_layout")
"""The plugin libraries kept: SVG and other text outputs, and the dot layout."""

_LIBDIR = re.compile(r'^libdir = "([^"]+)"', re.MULTILINE)
_CONFIG_FILE = re.compile(r"The plugin configuration file:\s*\n\s*(\S[^\n]*?)\s*\n")
_LIBRARY = re.compile(r"^(\S+) (\w+) \{$", re.MULTILINE)
_TEXTLAYOUT = re.compile(r"^\s*textlayout\s*\{", re.MULTILINE)


class PluginSetupError(Exception):
    """Why the private plugin directory could not be made (a log message)."""


class PluginDir:
    """The private plugin directory of one ``dot`` binary (see the module doc)."""

    def __init__(self, dot_path: str, *, parent: Path | None = None, timeout: float = 10.0):
        self.dot_path = dot_path
        self.parent = parent
        self.timeout = timeout
        self.directory: Path | None = None
        """The directory, once made (kept even when setup failed, until closed)."""
        self.env: dict[str, str] | None = None
        """Environment for ``dot`` runs using the directory; None when unusable."""
        self.reason: str | None = None
        """Why the directory is unusable, when it is."""
        self.processes = 0
        """``dot`` processes started to make it (``dot -v``, ``dot -c``)."""

    def setup(self) -> bool:
        """Make the directory (once); True when ``env`` is usable."""
        if self.env is not None or self.reason is not None:
            return self.env is not None
        try:
            self.env = self._make()
        except PluginSetupError as err:
            self.reason = str(err)
        except OSError as err:
            self.reason = f"{type(err).__name__}: {err}"
        return self.env is not None

    def close(self) -> None:
        """Remove the directory; later runs use the default configuration."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        self.env = None
        self.reason = self.reason or "closed"

    def _run(self, args: list[str], env: dict[str, str] | None = None) -> str:
        self.processes += 1
        try:
            proc = subprocess.run(
                [self.dot_path, *args],
                input=b"",
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env=env,
            )
        except subprocess.TimeoutExpired as err:
            raise PluginSetupError(f"`dot {' '.join(args)}` timed out") from err
        output = (proc.stderr + proc.stdout).decode("utf-8", "replace")
        if proc.returncode != 0:
            raise PluginSetupError(
                f"`dot {' '.join(args)}` exited with {proc.returncode}: {output.strip()[:200]}"
            )
        return output

    def _make(self) -> dict[str, str]:
        libraries = self._find_libraries(self._run(["-v"]))
        self.directory = Path(tempfile.mkdtemp(prefix="okrsite-graphviz-", dir=self.parent))
        for library in libraries:
            link = self.directory / library.name
            try:
                link.symlink_to(library)
            except OSError:
                shutil.copy2(library, link)  # e.g. Windows without symlink rights
        env = {**os.environ, "GVBINDIR": str(self.directory)}
        self._run(["-c"], env)
        configs = [p for p in self.directory.iterdir() if p.name.startswith("config")]
        if not configs:
            raise PluginSetupError("`dot -c` wrote no plugin configuration")
        config = configs[0].read_text(encoding="utf-8", errors="replace")
        loaded = {name for _, name in _LIBRARY.findall(config)}
        if loaded != set(PLUGINS):
            raise PluginSetupError(f"the private configuration loads {sorted(loaded)}")
        if _TEXTLAYOUT.search(config):
            raise PluginSetupError("the private configuration still has a text-layout plugin")
        return env

    @staticmethod
    def _find_libraries(verbose: str) -> list[Path]:
        """The library files of :data:`PLUGINS`, read from the default
        configuration file that ``dot -v`` names."""
        libdir = _LIBDIR.search(verbose)
        config_file = _CONFIG_FILE.search(verbose)
        if libdir is None or config_file is None:
            raise PluginSetupError("`dot -v` names no plugin directory or configuration file")
        base = Path(libdir.group(1))
        config = Path(config_file.group(1)).read_text(encoding="utf-8", errors="replace")
        found = {name: base / path for path, name in _LIBRARY.findall(config)}
        missing = [name for name in PLUGINS if name not in found or not found[name].is_file()]
        if missing:
            raise PluginSetupError(f"no {', '.join(missing)} plugin library in {base}")
        return [found[name] for name in PLUGINS]
