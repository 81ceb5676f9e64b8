"""Content at a git ref, read straight from git objects (nothing is checked out).

``okrsite diff BASE`` needs the content as it was at ``BASE``. Checking that
ref out would touch the working tree (and the user's uncommitted edits), so we
read the objects instead:

* ``git ls-tree -r -t -l -z <commit> -- <content path>`` lists every tree and
  blob below the content directory, with modes and sizes;
* one ``git cat-file --batch`` process returns every blob we need.

The listing then goes through the loader's own walk (:class:`okrsite.source.walk.Walk`
and :func:`okrsite.source.walk.load_walk`) so the same layout rules, the same strict
parser and the same display paths (``content/2026-Q4/x.yaml``) apply as for a
directory on disk. Differences, all deliberate:

* symbolic links (mode ``120000``) are refused: on disk the loader follows a
  link only when it stays inside the content directory, which cannot be
  checked without a work tree;
* submodules (mode ``160000``) are "not a regular file";
* a content directory that does not exist at the ref is not an error:
  :func:`load_git_content` returns ``None`` (an empty base, so everything in
  the head is "added").

Only this module, :mod:`okrsite.review.drift` and the CLI run git.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from okrsite.errors import ContentError, ContentIssue, OkrsiteError, SourceLocation
from okrsite.source.data import MAX_DATA_BYTES
from okrsite.source.loaded import MAX_FILE_BYTES, RawContent
from okrsite.source.walk import Walk, load_walk

log = logging.getLogger(__name__)

GIT_TIMEOUT = 120
"""Seconds any one git command may take."""

MODE_TREE = "040000"
MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"
FILE_MODES = frozenset({"100644", "100755", "100664"})


class GitError(OkrsiteError):
    """git failed, is missing, or the ref / repository cannot be used."""


# --------------------------------------------------------------------------
# Running git


def run_git(repo: Path, args: Sequence[str], *, stdin: bytes | None = None) -> bytes:
    """Run ``git -C repo args…`` and return stdout; raise :class:`GitError` on failure."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=env,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed (or not on PATH)") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit code {done.returncode}"
        raise GitError(f"git {args[0]} failed: {detail}")
    return done.stdout


def repo_root(path: Path) -> Path:
    """The top of the work tree holding ``path`` (its nearest existing folder)."""
    folder = Path(os.path.abspath(path))
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        out = run_git(folder, ["rev-parse", "--show-toplevel"])
    except GitError as exc:
        raise GitError(f"{path} is not inside a git repository ({exc})") from None
    return Path(out.decode("utf-8").strip())


def content_path_in_repo(content_dir: Path) -> tuple[Path, str]:
    """``(repository root, content path relative to it, '/'-separated)``.

    ``content_dir`` need not exist in the working tree (it may exist only at
    the ref). ``""`` means the content is the repository root.
    """
    root = repo_root(content_dir)
    absolute = Path(os.path.abspath(content_dir))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        try:
            relative = absolute.resolve().relative_to(root.resolve())
        except ValueError:
            raise GitError(f"{content_dir} is outside the git repository {root}") from None
    posix = relative.as_posix()
    return root, "" if posix == "." else posix


def is_shallow(repo: Path) -> bool:
    """Whether ``repo`` is a shallow clone (some history is missing)."""
    out = run_git(repo, ["rev-parse", "--is-shallow-repository"])
    return out.strip() == b"true"


def resolve_ref(repo: Path, ref: str) -> str:
    """The full commit id ``ref`` names; a clear :class:`GitError` when it names none."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\x00\n\r"):
        raise GitError(f"{ref!r} is not a git revision")
    try:
        out = run_git(
            repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
        )
    except GitError:
        hint = ""
        try:
            if is_shallow(repo):
                hint = (
                    " This is a shallow clone: fetch the base branch (for example "
                    "`git fetch origin <branch>`, or `fetch-depth: 0` in actions/checkout)."
                )
        except GitError:
            pass
        raise GitError(
            f"git ref {ref!r} not found in {repo} (is the branch fetched?).{hint}"
        ) from None
    return out.decode("ascii").strip()


def read_blobs(repo: Path, object_ids: Iterable[str]) -> dict[str, bytes]:
    """The bytes of many blobs from one ``git cat-file --batch`` process."""
    wanted = list(dict.fromkeys(object_ids))
    if not wanted:
        return {}
    out = run_git(repo, ["cat-file", "--batch"], stdin="".join(f"{o}\n" for o in wanted).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for oid in wanted:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode("ascii", "replace").split()
        position = header_end + 1
        if len(header) < 3 or header[1] == "missing":
            raise GitError(f"git object {oid} is missing (a shallow or partial clone?)")
        size = int(header[2])
        blobs[oid] = out[position : position + size]
        position += size + 1  # the contents are followed by a newline
    return blobs


# --------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class TreeEntry:
    """One entry of ``git ls-tree``: ``path`` is relative to the repository root."""

    mode: str
    type: str
    oid: str
    size: int | None
    path: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


def list_tree(repo: Path, commit: str, path: str) -> list[TreeEntry]:
    """Every tree and blob at ``commit`` below ``path`` (``""``: the whole tree)."""
    args = ["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit]
    if path:
        args += ["--", path]
    entries: list[TreeEntry] = []
    for record in run_git(repo, args).split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, oid, size = meta.decode("ascii").split(maxsplit=3)
        entries.append(
            TreeEntry(
                mode=mode,
                type=kind,
                oid=oid,
                size=None if size.strip() == "-" else int(size),
                path=name.decode("utf-8", "surrogateescape"),
            )
        )
    return entries


class GitWalk(Walk):
    """The loader's walk over a git tree listing instead of a directory.

    Entry paths are repository paths; :meth:`read_bytes` serves blobs fetched
    up front by one ``cat-file --batch`` (see :func:`load_git_content`).
    """

    def __init__(self, content_path: str, entries: list[TreeEntry], blobs: dict[str, bytes]):
        super().__init__(Path(content_path or "."))
        if not content_path:  # content at the repository root: no display prefix
            self.prefix = ""
        self.content_path = content_path
        self.children: dict[str, list[TreeEntry]] = {}
        for entry in entries:
            parent = PurePosixPath(entry.path).parent.as_posix()
            self.children.setdefault("" if parent == "." else parent, []).append(entry)
        self.by_path = {e.path: e for e in entries}
        self.blobs = blobs

    def entries(self, directory: str) -> list[TreeEntry]:
        key = "" if directory in (".", "") else directory
        return sorted(
            (e for e in self.children.get(key, []) if not e.name.startswith(".")),
            key=lambda e: e.name,
        )

    def kind(self, entry: TreeEntry, display: str) -> str | None:
        if entry.mode == MODE_TREE:
            return "dir"
        if entry.mode == MODE_SYMLINK:
            self.problem(
                display,
                "symbolic link: links are not followed when reading from git; "
                "replace it with the file itself",
            )
            return None
        if entry.mode in FILE_MODES and entry.type == "blob":
            return "file"
        self.problem(display, "not a regular file")
        return None

    def read_bytes(self, file_path: str, display: str) -> bytes | None:
        entry = self.by_path[file_path]
        if entry.size is not None and entry.size > MAX_FILE_BYTES:
            self.problem(display, f"file is too large ({entry.size} bytes; the limit is 1 MiB)")
            return None
        return self.blobs[entry.oid]


def _wanted_blobs(entries: list[TreeEntry], content_path: str) -> list[str]:
    """Blobs the walk may read: regular, small, not hidden below the content path."""
    skip = len(content_path) + 1 if content_path else 0
    return [
        e.oid
        for e in entries
        if e.type == "blob"
        and e.mode in FILE_MODES
        and (e.size is None or e.size <= MAX_FILE_BYTES)
        and not any(part.startswith(".") for part in e.path[skip:].split("/"))
    ]


def load_git_content(repo: Path, ref: str, content_path: str) -> RawContent | None:
    """The content directory ``content_path`` as it is at ``ref``.

    ``repo`` is the repository root and ``content_path`` is relative to it
    (see :func:`content_path_in_repo`). Returns ``None`` when the content
    directory does not exist at ``ref``. Raises :class:`GitError` for a ref
    that names no commit and :class:`~okrsite.errors.ContentError` when the
    content path is a file there; content problems go to ``issues`` as with
    :func:`okrsite.source.walk.load_content`.
    """
    commit = resolve_ref(repo, ref)
    content_path = content_path.strip("/")
    entries = list_tree(repo, commit, content_path)
    prefix = f"{content_path}/" if content_path else ""
    top = next((e for e in entries if e.path == content_path), None)
    if content_path and top is None:
        log.debug("%s does not exist at %s", content_path, ref)
        return None
    if top is not None and top.mode != MODE_TREE:
        display = PurePosixPath(content_path).name
        raise ContentError(
            [ContentIssue(SourceLocation(display), f"content path is not a directory at {ref}")]
        )
    below = [e for e in entries if e.path.startswith(prefix)]
    blobs = read_blobs(repo, _wanted_blobs(below, content_path))
    walk = GitWalk(content_path, below, blobs)
    raw = load_walk(walk, Path(content_path or "."))
    if not content_path:
        raw.root = Path(repo.name)
    return raw


def data_reader(repo: Path, ref: str, content_path: str) -> Callable[[str], bytes | None]:
    """Reads measured KRs' data files as they are at ``ref``.

    Data file paths are relative to the content directory's parent (the
    folder of ``mkdocs.yml``), so ``okrsite diff`` compares measured values of
    the base with those of the head like check-ins.
    """
    commit = resolve_ref(repo, ref)
    parent = PurePosixPath(content_path).parent if content_path else PurePosixPath(".")

    def read(name: str) -> bytes | None:
        path = (parent / name).as_posix()
        entry = next(
            (e for e in list_tree(repo, commit, path) if e.path == path and e.type == "blob"),
            None,
        )
        if entry is None or (entry.size or 0) > MAX_DATA_BYTES:
            return None  # too large: reported as missing rather than read
        return read_blobs(repo, [entry.oid])[entry.oid]

    return read
