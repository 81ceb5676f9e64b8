"""How wide a line of graph text is drawn, in points: pure, no fonts needed.

Why okrsite measures text itself: graphs are laid out by ``dot`` without its
text-layout plugin (see :mod:`okrsite.graphs.plugins`), so Graphviz sizes
every box from a built-in table of Arial widths. Graphviz 2.43's table
ignores bold (a bold title is ~8 % wider) and counts a UTF-8 character byte
by byte (an emoji comes out at half its width). The label builder
(:mod:`okrsite.graphs.labels`) therefore gives every table cell a minimum
``WIDTH`` from :func:`text_width`; Graphviz keeps the larger of the two, so a
box is never narrower than its text.

The widths below are the advance widths, in thousandths of an em, of
Liberation Sans Regular and Bold, which are metric-compatible with Arial and
Helvetica: the fonts a browser picks for the graphs' ``font-family``
(``Helvetica,Arial,sans-serif``). Characters outside the tables are measured
by their kind: an accented letter as its base letter, East Asian wide
characters at 1 em (CJK fonts' advance), emoji and other symbols at 1.25 em
(Noto Color Emoji's advance is 1.245 em), marks and invisible format
characters at 0, anything else at 0.75 em (wider than almost every Greek or
Cyrillic letter).
"""

from __future__ import annotations

import unicodedata

_ASCII_REGULAR = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
_ASCII_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
    "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
    "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
    "556 556 500 389 280 389 584"
)
_LATIN1_REGULAR = (
    "278 333 556 556 556 556 260 556 333 737 370 556 584 333 737 552 400 549 333 333 333 576 "
    "537 278 333 333 365 556 834 834 834 611 667 667 667 667 667 667 1000 722 667 667 667 667 "
    "278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 "
    "556 556 556 556 889 500 556 556 556 556 278 278 278 278 556 556 556 556 556 556 556 549 "
    "611 556 556 556 556 500 556 500"
)
_LATIN1_BOLD = (
    "278 333 556 556 556 556 280 556 333 737 370 556 584 333 737 552 400 549 333 333 333 576 "
    "556 278 333 333 365 556 834 834 834 611 722 722 722 722 722 722 1000 722 667 667 667 667 "
    "278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 "
    "556 556 556 556 889 556 556 556 556 556 278 278 278 278 611 611 611 611 611 611 611 549 "
    "611 611 611 611 611 556 611 556"
)

WIDE_EM = 1.0
"""East Asian wide and fullwidth characters (CJK ideographs, kana, hangul)."""
SYMBOL_EM = 1.25
"""Emoji and other pictographic symbols."""
OTHER_EM = 0.75
"""Any other character: Greek, Cyrillic, Arabic… (their letters are 0.5–0.75 em)."""


def _table(ascii_widths: str, latin1_widths: str) -> dict[str, float]:
    table = {chr(32 + i): int(w) / 1000 for i, w in enumerate(ascii_widths.split())}
    table.update({chr(160 + i): int(w) / 1000 for i, w in enumerate(latin1_widths.split())})
    return table


_REGULAR = _table(_ASCII_REGULAR, _LATIN1_REGULAR)
_BOLD = _table(_ASCII_BOLD, _LATIN1_BOLD)


def _char_em(char: str, bold: bool) -> float:
    """Width of a character outside the tables, in ems."""
    table = _BOLD if bold else _REGULAR
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf", "Cc"):
        return 0.0  # combining accents, zero-width joiners, variation selectors
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return SYMBOL_EM if category == "So" else WIDE_EM
    base = unicodedata.normalize("NFD", char)[0]
    if base in table:
        return table[base]
    if category == "So" or ord(char) >= 0x1F000:
        return SYMBOL_EM
    return OTHER_EM


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` (plain, unescaped, one line) at ``size`` points."""
    table = _BOLD if bold else _REGULAR
    ems = 0.0
    for char in text:
        width = table.get(char)
        ems += width if width is not None else _char_em(char, bold)
    return ems * size
