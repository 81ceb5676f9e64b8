"""Remembering page fragments between rebuilds of a preview server.

The loader hands out the *same* model objects for content files that did not
change (see ``load.py`` and ``validate.py``), so a fragment computed from
such objects — a key result's check-in chart and table, say — can be reused
by the next rebuild when every object it was computed from is identical
(``is``), not merely equal. Used only when ``SiteOptions.incremental`` is on
(``okrsite serve``): a one-shot build gains nothing and would only hold the
fragments in memory longer.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class IdentityMemo(Generic[T]):
    """Values keyed by the identity of the objects they were computed from."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._data: dict[tuple[int, ...], tuple[tuple[object, ...], T]] = {}

    def get(self, *sources: object) -> T | None:
        found = self._data.get(tuple(map(id, sources)))
        return None if found is None else found[1]

    def put(self, sources: tuple[object, ...], value: T) -> T:
        if len(self._data) >= self._limit:
            self._data.clear()
        # The sources are kept with the value: alive, their ids cannot be
        # reused by other objects, so a hit on the ids is a hit on them.
        self._data[tuple(map(id, sources))] = (sources, value)
        return value

    def __len__(self) -> int:
        return len(self._data)
