"""okrsite's own helper interpreters: ``python -m okrsite.<module>``.

The build starts new interpreters (never forks) for work that can run
beside it: the page helper (:mod:`okrsite.engine.pagehelper`) and the graph
worker (:mod:`okrsite.graphs.worker`). Each talks to the build over its
standard streams, and must import okrsite (and Material) from where this
process found them, even when that is not on the default path.
"""

from __future__ import annotations

import os
import subprocess
import sys


def start_module(module: str) -> subprocess.Popen[bytes]:
    """``python -m module`` with this process's import path, its standard
    input, output and error piped to this process (``OSError`` when no
    interpreter can be started)."""
    path = os.pathsep.join(entry for entry in sys.path if entry)
    return subprocess.Popen(
        [sys.executable, "-m", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
