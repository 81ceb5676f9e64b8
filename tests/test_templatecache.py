"""The preview's compiled-template cache (``okrsite/engine/templatecache.py``).

MkDocs makes a new Jinja environment for every build; ``okrsite serve`` gives
each one the same bytecode cache, so a template is compiled once per server,
and again only when its source changes.
"""

from __future__ import annotations

import jinja2

from okrsite.engine.templatecache import MemoryBytecodeCache


def _environment(source: str, cache: MemoryBytecodeCache, compiled: list[str]) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=cache)
    compile_source = env.compile

    def counting(source: str, name: str | None = None, filename: str | None = None) -> object:
        compiled.append(str(name))
        return compile_source(source, name, filename)

    env.compile = counting  # type: ignore[method-assign,assignment]
    return env


def test_a_new_environment_reuses_the_compiled_template_until_its_source_changes() -> None:
    cache, compiled = MemoryBytecodeCache(), []
    first = _environment("Hello {{ name }}", cache, compiled)
    assert first.get_template("page.html").render(name="Ada") == "Hello Ada"
    assert compiled == ["page.html"] and len(cache) == 1

    again = _environment("Hello {{ name }}", cache, compiled)  # the next rebuild's
    assert again.get_template("page.html").render(name="Bo") == "Hello Bo"
    assert compiled == ["page.html"]  # loaded from the cache, not compiled

    edited = _environment("Goodbye {{ name }}", cache, compiled)  # an edited override
    assert edited.get_template("page.html").render(name="Bo") == "Goodbye Bo"
    assert compiled == ["page.html", "page.html"]  # the checksum differs: compiled again
