"""Closed quarters' check-ins kept apart from the rest of their OKRs.

A warm rebuild with history reads ~74,000 check-ins of closed quarters back
from the validated-cycle store (:mod:`okrsite.validate.kept`, 100 units × 7
closed quarters) and uses none of them: the closed quarters' pages, findings,
exports and spans come from the stores keyed by their files. Made into model
nodes, they were most of the store's read time and of the objects every full
garbage collection of the build walks.

So the store keeps each unit file's check-ins as one packed byte string
(:class:`CheckinsPack`), and a key result read back from it holds a
:class:`KeptCheckins` in ``checkins``: a placeholder that is **not a list**.
Code that reads check-ins of a cycle that may come from the store asks for
them first, by name: :func:`load_checkins` (one unit file) or
:func:`load_cycle_checkins` (a whole cycle). They put the lists in place, in
the key result nodes themselves (so every copy sharing a node sees them), and
do nothing for nodes that hold their lists already (a fresh validation, the
current cycle, a second call).

A reader that forgot to ask fails loudly: every way of reading a
placeholder (iterating, ``len``, truth, indexing, comparing, ``+``,
``repr``, copying, pickling, ``json`` and pydantic's serialiser, which
refuse an object they do not know) raises :class:`CheckinsNotLoaded`,
rather than a lazy list whose C-level readers would see it empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn, Protocol

from okrsite.errors import BuildError

if TYPE_CHECKING:
    from okrsite.model.content import CheckIn, KeyResult
    from okrsite.model.validated import Cycle, UnitOkrs


class CheckinsNotLoaded(RuntimeError):
    """A key result's check-ins were read before :func:`load_checkins` put them in place."""


class CheckinsPack(Protocol):
    """One unit file's packed check-ins (made by the store that kept them)."""

    def lists(self) -> list[list[CheckIn]]:
        """The unit file's check-in lists, by the index each placeholder holds
        (decoded on the first call, the same lists after)."""
        ...


class KeptCheckins:
    """Where a kept key result's check-ins are: list ``index`` of ``pack``.

    Not a list, and nothing reads through it (see module doc)."""

    __slots__ = ("index", "pack", "without_authors")

    def __init__(self, pack: CheckinsPack, index: int, *, without_authors: bool = False) -> None:
        self.pack = pack
        self.index = index
        self.without_authors = without_authors
        """Loaded as redaction makes them for a site without people (see :meth:`anonymous`)."""

    def anonymous(self) -> KeptCheckins:
        """The placeholder of the same check-ins without their authors: what
        redaction puts in a key result's copy for a site that does not publish
        people, so it need not load every closed quarter to copy them."""
        return KeptCheckins(self.pack, self.index, without_authors=True)

    def load(self) -> list[CheckIn]:
        lists = self.pack.lists()
        if self.index >= len(lists):
            raise BuildError(
                "a kept key result's check-ins are missing from their pack in the "
                "validated-cycle store: delete the cache directory's 'validated' folder "
                "and build again"
            )
        found = lists[self.index]
        if self.without_authors and any(c.author is not None for c in found):
            return without_authors(found)
        return found

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        raise CheckinsNotLoaded(
            "a key result's check-ins were read before they were loaded: "
            "call okrsite.model.load_checkins() on its unit file first"
        )

    __iter__ = __len__ = __bool__ = __getitem__ = __contains__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __mul__ = __rmul__ = _refuse
    __repr__ = __str__ = __reduce__ = __reduce_ex__ = __copy__ = __deepcopy__ = _refuse
    __hash__ = None  # type: ignore[assignment]


def without_authors(checkins: list[CheckIn]) -> list[CheckIn]:
    """Copies of the check-ins without their authors (a site without people)."""
    return [c.model_copy(update={"author": None}) for c in checkins]


def checkins_of(kr: KeyResult) -> list[CheckIn]:
    """The key result's check-ins, loaded first if a kept cycle holds them
    packed (only this key result's are put in place; its file's pack is
    decoded once). For readers of single key results anywhere in the model
    (progress of an ungraded key result without ``current``: profiles,
    roll-ups), where loading whole files first would be guesswork."""
    kept = kept_checkins(kr)
    if kept is not None:
        kr.__dict__["checkins"] = kept.load()
    return kr.checkins


def kept_checkins(kr: KeyResult) -> KeptCheckins | None:
    """The key result's placeholder, if its check-ins are not loaded."""
    found = kr.__dict__.get("checkins")
    return found if type(found) is KeptCheckins else None


def checkins_loaded(okrs: UnitOkrs) -> bool:
    """Whether every key result of the unit file holds its check-in list."""
    return all(kept_checkins(kr) is None for kr in _key_results(okrs))


def load_checkins(okrs: UnitOkrs) -> UnitOkrs:
    """Put the unit file's kept check-ins in place (see module doc); returns ``okrs``."""
    for kr in _key_results(okrs):
        checkins_of(kr)
    return okrs


def load_cycle_checkins(cycle: Cycle) -> Cycle:
    """:func:`load_checkins` for every unit file of the cycle; returns ``cycle``."""
    for okrs in cycle.okrs.values():
        load_checkins(okrs)
    return cycle


def _key_results(okrs: UnitOkrs) -> Iterable[KeyResult]:
    for objective in okrs.content.objectives:
        yield from objective.key_results
