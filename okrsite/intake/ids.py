"""Ids from titles and names: short, readable, stable, unique.

The same title always gives the same id, and duplicates get ``-2``, ``-3`` in
the order the file lists them, so importing the same file again gives the same
ids (and the same bytes).
"""

from __future__ import annotations

import re
import unicodedata

from okrsite.fieldtypes import MAX_ID_LENGTH, RESERVED_IDS, ROOT_UNIT

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "by",
        "our",
        "with",
        "from",
        "at",
        "as",
        "into",
        "per",
        "its",
        "their",
        "is",
        "be",
    ]
)
MAX_WORDS = 5
MAX_TITLE_ID = 40


def words(text: str) -> list[str]:
    """Lowercase ASCII words: ``Café Señor 2.0`` → ``['cafe', 'senor', '2', '0']``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


def _join(parts: list[str], limit: int) -> str:
    slug = ""
    for part in parts:
        candidate = f"{slug}-{part}" if slug else part
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (parts[0][:limit] if parts else "")


def title_id(title: str, fallback: str) -> str:
    """``Grow paying clinics from 420 to 600`` → ``grow-paying-clinics-420-600``."""
    all_words = words(title)
    significant = [w for w in all_words if w not in STOP_WORDS] or all_words
    return _join(significant[:MAX_WORDS], MAX_TITLE_ID) or fallback


def unit_id(name: str) -> str:
    """An org unit id from its name (``Sales EMEA`` → ``sales-emea``), never reserved."""
    slug = _join(words(name), MAX_ID_LENGTH - 5) or "unit"
    if slug in RESERVED_IDS or slug == ROOT_UNIT:
        slug += "-team"
    return slug


def unique(base: str, taken: set[str]) -> str:
    """``base`` or ``base-2``, ``base-3``… whichever is not in ``taken`` (which is updated)."""
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base[: MAX_ID_LENGTH - 4]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
