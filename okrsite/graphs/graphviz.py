"""Running Graphviz ``dot``: the only place okrsite starts a process.

A :class:`Graphviz` stands for one ``dot`` binary: found once (or a
:class:`~okrsite.errors.BuildError` saying how to install it), its version
asked once (``dot -V``, part of the cache key of every rendered graph), and a
count of the processes it started — tests and benchmarks read that count to
prove that a cached rebuild starts none.

It owns two resources, both explicit: a bounded pool of threads, each
waiting on one ``dot`` process (``jobs`` of them at a time:
:meth:`Graphviz.run_all`), and, for SVG, a private plugin directory without
the text-layout plugin (:mod:`okrsite.graphs.plugins`), made on first use and
removed by :meth:`Graphviz.close` (use the object as a context manager).
Other formats (PNG) need the text-layout plugin's renderer, so they always
run with Graphviz's default configuration.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar

from okrsite.errors import BuildError
from okrsite.graphs.cache import DiskCache
from okrsite.graphs.plugins import PluginDir

TextLayout = Literal["builtin", "system"]
"""How ``dot -Tsvg`` sizes text: ``builtin`` with Graphviz's own metric table
(no text-layout plugin, the default), ``system`` with the installed fonts."""

K = TypeVar("K")

log = logging.getLogger(__name__)

MISSING_DOT_HINT = (
    "Graphviz 'dot' was not found{where}. okrsite draws the alignment graphs with it. "
    "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: "
    "`brew install graphviz`, others: https://graphviz.org/download/), or build "
    "without graphs: set `graphs: false` under the okrsite plugin in mkdocs.yml, "
    "or pass `--no-graphs`."
)

_FORMAT = re.compile(r"[a-z0-9]+(:[a-z0-9]+)*")
_VERSION_FILE = "dot-version.txt"


def find_dot(dot_binary: str | os.PathLike[str] | None = None) -> str:
    """Absolute path of the ``dot`` to run, or :class:`BuildError` with an install hint."""
    name = os.fspath(dot_binary) if dot_binary is not None else "dot"
    if os.sep in name or (os.altsep and os.altsep in name):
        if os.path.isfile(name) and os.access(name, os.X_OK):
            return os.path.abspath(name)
        raise BuildError(MISSING_DOT_HINT.format(where=f" at {name}"))
    found = shutil.which(name)
    if found is None:
        raise BuildError(MISSING_DOT_HINT.format(where=" on PATH"))
    return found


class Graphviz:
    """One ``dot`` binary. Safe to share between threads; close it when done.

    ``jobs``: how many ``dot`` processes :meth:`run_all` keeps running at
    once. ``text_layout``: see :data:`TextLayout` (SVG only). ``workdir``:
    where the private plugin directory is made (default: the system's
    temporary directory).
    """

    def __init__(
        self,
        dot_binary: str | os.PathLike[str] | None = None,
        *,
        jobs: int = 2,
        text_layout: TextLayout = "builtin",
        workdir: Path | None = None,
    ) -> None:
        self.path = find_dot(dot_binary)
        self.jobs = max(1, jobs)
        self._lock = threading.Lock()
        self._runs = 0
        self._versions: dict[tuple[str, int, int], str] = {}
        self._plugins = PluginDir(self.path, parent=workdir) if text_layout == "builtin" else None

    def __enter__(self) -> Graphviz:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the private plugin directory, if one was made."""
        if self._plugins is not None:
            with self._lock:
                self._plugins.close()

    @property
    def runs(self) -> int:
        """How many ``dot`` processes this object has started."""
        return self._runs + (self._plugins.processes if self._plugins else 0)

    @property
    def plugin_dir(self) -> Path | None:
        """The private plugin directory SVG runs use, once made (None otherwise)."""
        ready = self._plugins is not None and self._plugins.env is not None
        return self._plugins.directory if ready and self._plugins else None

    @property
    def svg_text_layout(self) -> TextLayout:
        """How SVG text is sized: as asked, until the private plugin directory
        fails to be made (then ``system``). Part of every SVG's cache key."""
        if self._plugins is None or self._plugins.reason is not None:
            return "system"
        return "builtin"

    def prepare_svg(self) -> TextLayout:
        """Make the private plugin directory now (once; a no-op for ``system``)
        and return the text layout SVG runs will really use."""
        self._svg_env()
        return self.svg_text_layout

    def _svg_env(self) -> dict[str, str] | None:
        if self._plugins is None:
            return None
        with self._lock:
            first = self._plugins.env is None and self._plugins.reason is None
            ready = self._plugins.setup()
        if first and not ready:
            log.warning(
                "drawing graphs with Graphviz's default plugins (slower, sized with the "
                "installed fonts): no private plugin directory: %s",
                self._plugins.reason,
            )
        return self._plugins.env

    def _started(self) -> None:
        with self._lock:
            self._runs += 1

    def version(self, cache: DiskCache | None = None) -> str:
        """The Graphviz version string (``dot -V``), asked once per binary file.

        With a ``cache`` directory the answer is also kept on disk (keyed by
        the binary's path, size and modification time), so a rebuild in a new
        process with nothing changed starts no ``dot`` process at all.
        """
        stat = os.stat(self.path)
        key = (self.path, stat.st_mtime_ns, stat.st_size)
        found = self._versions.get(key)
        if found is not None:
            return found
        stored = cache.read_text(_VERSION_FILE) if cache is not None else None
        if stored is not None and stored.startswith(f"{key!r}\n"):
            found = stored.split("\n", 1)[1]
        else:
            found = self._ask_version()
            if cache is not None:
                cache.write_text(_VERSION_FILE, f"{key!r}\n{found}")
        self._versions[key] = found
        return found

    def _ask_version(self) -> str:
        self._started()
        try:
            proc = subprocess.run([self.path, "-V"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise BuildError(f"could not run {self.path} -V: {err}") from err
        text = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        if proc.returncode != 0 or "graphviz" not in text.lower():
            raise BuildError(f"{self.path} does not look like Graphviz dot: {text[:200]!r}")
        return text

    def run(
        self, source: str, fmt: str = "svg", *, timeout: float = 30.0, what: str = "a graph"
    ) -> bytes:
        """Run ``dot -T<fmt>`` on ``source`` once (no cache); :class:`BuildError` on failure."""
        if not _FORMAT.fullmatch(fmt):
            raise ValueError(f"bad output format {fmt!r}")
        env = self._svg_env() if fmt == "svg" else None
        self._started()
        output, warnings = run_process(self.path, source, fmt, env=env, timeout=timeout, what=what)
        if warnings:
            log.warning("dot warnings for %s: %s", what, warnings[:500])
        return output

    def svg_command(self) -> tuple[str, dict[str, str] | None]:
        """The ``dot`` binary and environment an SVG run uses (for a process
        that runs ``dot`` on this object's behalf, :mod:`okrsite.graphs.worker`,
        which then reports each run with :meth:`count_run`)."""
        return self.path, self._svg_env()

    def count_run(self) -> None:
        """Count a run made elsewhere with :meth:`svg_command`."""
        self._started()

    def run_all(
        self, sources: Mapping[K, str], fmt: str = "svg", *, timeout: float = 30.0,
        what: Callable[[K], str] = "the graph of {}".format,
    ) -> Iterator[tuple[K, bytes]]:
        """:meth:`run` for every source, ``jobs`` processes at a time, yielding
        ``(key, output)`` as each finishes, so the caller's Python work on one
        output overlaps the next ``dot`` runs. ``what(key)`` names a graph in
        errors. The first failure is raised and the runs not yet started are
        cancelled."""
        if not sources:
            return
        if fmt == "svg":
            self._svg_env()  # made once, before the threads race for it
        if self.jobs == 1 or len(sources) <= 1:
            for key, source in sources.items():
                yield key, self.run(source, fmt, timeout=timeout, what=what(key))
            return
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="okrsite-dot") as pool:
            futures = {
                pool.submit(self.run, source, fmt, timeout=timeout, what=what(key)): key
                for key, source in sources.items()
            }
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()


def run_process(
    path: str,
    source: str,
    fmt: str,
    *,
    env: dict[str, str] | None,
    timeout: float,
    what: str,
) -> tuple[bytes, str]:
    """``dot -T<fmt>`` (at ``path``, with ``env``) on ``source``: its output
    and what it printed on stderr (warnings), or :class:`BuildError`."""
    try:
        proc = subprocess.run(
            [path, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as err:
        raise BuildError(
            f"Graphviz dot took longer than {timeout:g} s rendering {what} and was stopped; "
            "the graph is probably too large (lower the collapse threshold) or pass "
            "`--no-graphs`."
        ) from err
    except OSError as err:
        raise BuildError(f"could not run Graphviz dot ({path}): {err}") from err
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout:
        detail = "\n".join(stderr.splitlines()[:5]) or "no output"
        raise BuildError(
            f"Graphviz dot failed rendering {what} (exit code {proc.returncode}): {detail}"
        )
    return proc.stdout, stderr


def run_dot(
    source: str,
    fmt: str = "svg",
    *,
    dot_binary: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    what: str = "a graph",
) -> bytes:
    """Run ``dot -T<fmt>`` on ``source`` once (see :meth:`Graphviz.run`)."""
    with Graphviz(dot_binary, jobs=1) as dot:
        return dot.run(source, fmt, timeout=timeout, what=what)
