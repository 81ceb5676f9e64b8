"""Running Graphviz ``dot``: the only place okrsite starts a process.

A :class:`Graphviz` stands for one ``dot`` binary: found once (or a
:class:`~okrsite.errors.BuildError` saying how to install it), its version
asked once (``dot -V``, the cache key of every rendered graph), and a count
of the processes it started — tests and benchmarks read that count to prove
that a cached rebuild starts none.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading

from okrsite.errors import BuildError
from okrsite.graphs.cache import DiskCache

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
    """One ``dot`` binary. Safe to share between threads."""

    def __init__(self, dot_binary: str | os.PathLike[str] | None = None) -> None:
        self.path = find_dot(dot_binary)
        self._lock = threading.Lock()
        self._runs = 0
        self._versions: dict[tuple[str, int, int], str] = {}

    @property
    def runs(self) -> int:
        """How many ``dot`` processes this object has started."""
        return self._runs

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
        self._started()
        try:
            proc = subprocess.run(
                [self.path, f"-T{fmt}"],
                input=source.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise BuildError(
                f"Graphviz dot took longer than {timeout:g} s rendering {what} and was stopped; "
                "the graph is probably too large (lower the collapse threshold) or pass "
                "`--no-graphs`."
            ) from err
        except OSError as err:
            raise BuildError(f"could not run Graphviz dot ({self.path}): {err}") from err
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or not proc.stdout:
            detail = "\n".join(stderr.splitlines()[:5]) or "no output"
            raise BuildError(
                f"Graphviz dot failed rendering {what} (exit code {proc.returncode}): {detail}"
            )
        if stderr:
            log.warning("dot warnings for %s: %s", what, stderr[:500])
        return proc.stdout


def run_dot(
    source: str,
    fmt: str = "svg",
    *,
    dot_binary: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    what: str = "a graph",
) -> bytes:
    """Run ``dot -T<fmt>`` on ``source`` once (see :meth:`Graphviz.run`)."""
    return Graphviz(dot_binary).run(source, fmt, timeout=timeout, what=what)
