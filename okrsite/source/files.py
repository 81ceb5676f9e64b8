"""Writing a file so that no reader ever sees half of it.

Every writer of okrsite's own files (check-in edits, the graph and page
caches) goes through :func:`write_atomically`: the bytes go to a temporary
file in the same directory, which then replaces the target in one rename.
An interrupted run leaves the old file or the new one, never a mix.
"""

from __future__ import annotations

import os
from pathlib import Path

# tempfile (with shutil, random, bz2, lzma: ~5 ms) is imported when a file is
# written: okrsite check imports this module before its parse helper starts,
# and writes only at the end, if at all.


def write_atomically(
    path: Path, data: bytes | tuple[bytes, ...], *, durable: bool = True
) -> None:
    """Write ``data`` (bytes, or pieces written one after the other: a header
    and megabytes of body need not be joined first) to ``path`` via a
    temporary file and ``os.replace``.

    An existing file keeps its permissions. ``durable`` also flushes the data
    to disk before the rename (content people edit); caches, which can be
    rebuilt, skip that cost.
    """
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = None
    import tempfile

    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in data if isinstance(data, tuple) else (data,):
                handle.write(piece)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
