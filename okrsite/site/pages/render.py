"""The Jinja environment for page templates: escape by default.

Templates produce Markdown. Every ``{{ value }}`` passes through
:func:`_finalize`, which Markdown-escapes plain strings; only
:class:`~markupsafe.Markup` (made by our own components) is emitted as is.
Forgetting a filter therefore errs on the safe side.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from okrsite.render.escape import html_text, md_inline
from okrsite.render.richtext import markdown_block


def templates_dir() -> Path:
    """Top-level ``templates/`` (installed as the ``okrsite.templates`` package)."""
    try:
        return Path(str(resources.files("okrsite.templates")))
    except ModuleNotFoundError:  # running from a source checkout without install
        return Path(__file__).resolve().parents[3] / "templates"


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return md_inline(value)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # Markdown anchors look like `{#id}`: only `{#- … -#}` is a comment.
        comment_start_string="{#-",
        comment_end_string="-#}",
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda v: Markup(md_inline(v))
    env.filters["block"] = markdown_block
    env.filters["attr"] = lambda v: Markup(html_text(v))
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context`` (pure: text out)."""
    text = environment().get_template(template).render(**context)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
