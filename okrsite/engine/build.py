"""The programmatic build the CLI calls: ``okrsite build`` and ``okrsite generate``.

``okrsite build`` is a MkDocs build with the okrsite plugin, made atomic: the
site is built into a staging directory next to the target and swapped into
place with renames, so a failed build leaves the previous site intact. The
CLI's choices (``--today``, ``--audience``, ``--no-graphs``) reach the plugin
in code: laid over the plugin's config object of this build
(:func:`okrsite.engine.options.apply_choices`).

``okrsite generate`` writes the docs tree itself (for other engines), with
options from the same factory as the plugin's, so both produce the same tree.

Errors come out as :class:`~okrsite.errors.OkrsiteError` (content problems
as :class:`~okrsite.errors.ContentError`); the CLI prints them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from okrsite.engine.options import (
    Choices,
    OkrsitePluginConfig,
    apply_choices,
    default_plugin_config,
    load_site_content,
    site_options,
)
from okrsite.engine.pagecacherun import kept_folders
from okrsite.engine.sitefolders import KeptFolders
from okrsite.errors import BuildError
from okrsite.site.build import build_docs_tree
from okrsite.site.tree import DocsTree

PLUGIN_NAME = "okrsite"


def okrsite_settings(config: MkDocsConfig) -> OkrsitePluginConfig | None:
    """The okrsite plugin's config object in a loaded MkDocs config, if the
    project uses the plugin."""
    plugin = config.plugins.get(PLUGIN_NAME)
    settings = getattr(plugin, "config", None)
    return settings if isinstance(settings, OkrsitePluginConfig) else None


def load_site_config(
    config_file: Path,
    choices: Choices,
    *,
    strict: bool = False,
    site_dir: Path | None = None,
    dev_addr: str | None = None,
) -> MkDocsConfig:
    """``mkdocs.yml`` loaded (``site_dir`` and ``dev_addr`` replace its own),
    with the CLI's choices laid over the plugin's settings. Raises
    :class:`BuildError` for an invalid configuration."""
    overrides: dict[str, str] = {}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    if dev_addr is not None:
        overrides["dev_addr"] = dev_addr
    try:
        config = load_config(str(config_file), strict=strict, **overrides)  # type: ignore[arg-type]
    except MkDocsException as err:
        raise BuildError(str(err)) from None
    settings = okrsite_settings(config)
    if settings is not None:
        apply_choices(settings, choices)
    return config


@dataclass
class PreparedBuild:
    """A loaded configuration and where its site goes; see :func:`prepare_build`."""

    config: MkDocsConfig
    target: Path
    source_date_epoch: str | None
    """What ``SOURCE_DATE_EPOCH`` should be during the build (``None``: leave it).
    Setting the environment is the caller's (the CLI's) business."""


def prepare_build(
    config_file: Path, choices: Choices, *, site_dir: Path | None = None, strict: bool = False
) -> PreparedBuild:
    config = load_site_config(config_file, choices, strict=strict)
    target = Path(site_dir or config.site_dir).resolve()
    return PreparedBuild(config, target, source_date_epoch(config))


def run_build(prepared: PreparedBuild) -> Path:
    """Build the site into a staging directory, then swap it into place.

    The closed cycles' folders the last build recorded move from the current
    site to the page cache's stash first, for the build to take them whole
    (:mod:`okrsite.engine.sitefolders`); a failed build puts them back."""
    target = prepared.target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.okrsite-", dir=target.parent))
    prepared.config.site_dir = str(staging)
    folders = _kept_folders(prepared.config)
    stashed = folders.stash_from(target) if folders is not None else []
    try:
        mkdocs_build(prepared.config)
        swap_into_place(staging, target)
    except BaseException as err:
        end_build = getattr(prepared.config.plugins.get(PLUGIN_NAME), "end_build", None)
        if callable(end_build):  # nothing may still write into the staging site
            end_build()
        if folders is not None:
            folders.give_back(stashed, target, staging)
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, MkDocsException):
            raise BuildError(str(err).removeprefix("okrsite: ")) from None
        if isinstance(err, OSError):  # e.g. disk full: explain, no traceback
            raise BuildError(f"could not write the site: {err}") from None
        raise
    return target


def _kept_folders(config: MkDocsConfig) -> KeptFolders | None:
    """The page cache's stash of closed cycles' folders, if the build uses one."""
    settings = okrsite_settings(config)
    if settings is None or not settings.page_cache or not config.config_file_path:
        return None
    return kept_folders(Path(config.config_file_path).resolve().parent / settings.cache_dir)


def source_date_epoch(config: MkDocsConfig) -> str | None:
    """``SOURCE_DATE_EPOCH`` for MkDocs, so builds are byte-identical.

    MkDocs dates every generated page (sitemap ``<lastmod>``, the gzip
    header of ``sitemap.xml.gz``) with the wall clock unless
    ``SOURCE_DATE_EPOCH`` is set. The build's is midnight UTC of its "today"
    (``--today``, else the plugin's ``today``: both are in the plugin's
    settings by now), else the date of the last git commit of the project;
    ``None`` when the caller already set one (or nothing is known).
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return None
    settings = okrsite_settings(config)
    day = settings.today if settings is not None else None
    if day:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)
        except ValueError:
            return None  # the plugin reports the bad date, with its name
        return str(int(moment.timestamp()))
    try:
        stamp = subprocess.run(
            ["git", "-C", str(Path(config.config_file_path).parent), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError, TypeError):
        return None
    return stamp if stamp.isdigit() else None


def swap_into_place(built: Path, target: Path) -> None:
    """Replace ``target`` by ``built`` with renames only (same filesystem)."""
    old = target.with_name(f".{target.name}.okrsite-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    try:
        built.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)  # put the previous site back
        raise
    if old.exists():
        shutil.rmtree(old)


def generate_tree(
    config_file: Path,
    choices: Choices,
    *,
    content_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> DocsTree:
    """The docs tree the plugin would build for the project of ``config_file``
    (its okrsite settings, or the defaults when the file does not exist).
    ``content_dir`` and ``cache_dir`` (relative to the working directory)
    replace the plugin's ``content_dir`` and ``cache_dir``."""
    if config_file.is_file():
        config = load_site_config(config_file, choices)
        settings = okrsite_settings(config) or default_plugin_config()
        repo_url = config.repo_url
        base = config_file.resolve().parent
    else:
        settings, repo_url, base = default_plugin_config(), None, Path.cwd()
        apply_choices(settings, choices)
    if content_dir is not None:
        settings.content_dir = str(content_dir.resolve())
    if cache_dir is not None:
        settings.cache_dir = str(cache_dir.resolve())
    options = site_options(settings, base=base, repo_url=repo_url)
    model = load_site_content(settings, base=base)
    return build_docs_tree(model, options)


def write_tree(tree: DocsTree, out: Path) -> None:
    """Write every file of ``tree`` under ``out``, atomically (staging + swap)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.okrsite-", dir=out.parent))
    try:
        for path, content in sorted(tree.files.items()):
            dest = staging / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            else:
                dest.write_text(content, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, out)
