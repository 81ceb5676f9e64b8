"""Material's interface translations, looked up once per build instead of on every call.

Material's ``partials/language.html`` defines the ``t(key)`` macro that the
templates call two dozen times per page (``lang.t("toc")``, the search
labels, the ``__config`` block). Each call runs two macros of
``partials/languages/<language>.html``, and each of those builds a dict
literal of about 150 translations to look one key up. The texts only depend
on the site's configuration, so :func:`translation_templates` replaces
``language.html`` with a ``t`` macro that asks a per-build memo, which asks
Material's own ``language.html`` (kept under another name) once per key.
The output is the same, macro result for macro result; ``tests/test_navhtml.py``
builds sites with and without it and compares every file.

Only Material's own ``language.html`` is replaced (a ``custom_dir`` override
of it is left to Jinja); the language files themselves are still read
through the theme's loader, so overriding those keeps working.
"""

from __future__ import annotations

from typing import Any

LANGUAGE = "partials/language.html"
ORIGINAL = "okrsite-material/language.html"
_OVERRIDE = "{% macro t(key) %}{{ okrsite_translate(key) }}{% endmacro %}"


class TranslationMemo:
    """Key → the original ``t(key)`` macro's result, for one build."""

    def __init__(self, env: Any, config: Any) -> None:
        self._env = env
        self._config = config
        self._module: Any = None
        self.texts: dict[str, Any] = {}

    def translate(self, key: Any) -> Any:
        if not isinstance(key, str):
            return self._original().t(key)
        text = self.texts.get(key)
        if text is None:
            text = self.texts[key] = self._original().t(key)
        return text

    def _original(self) -> Any:
        if self._module is None:
            # language.html only reads config.theme.language from its context.
            template = self._env.get_template(ORIGINAL)
            self._module = template.make_module({"config": self._config})
        return self._module


def translation_templates(env: Any, config: Any) -> dict[str, str]:
    """Template overrides (name → source) that serve ``lang.t`` from a
    :class:`TranslationMemo` (installed as the global ``okrsite_translate``);
    empty when ``partials/language.html`` is not Material's own."""
    import jinja2

    if config.theme.name != "material" or env.loader is None:
        return {}
    try:
        source, filename, _ = env.loader.get_source(env, LANGUAGE)
    except jinja2.TemplateNotFound:
        return {}
    if not filename or "/material/templates/partials/" not in filename.replace("\\", "/"):
        return {}
    memo = TranslationMemo(env, config)
    env.globals["okrsite_translate"] = memo.translate
    return {LANGUAGE: _OVERRIDE, ORIGINAL: source}
