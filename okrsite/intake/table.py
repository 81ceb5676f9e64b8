"""Read a spreadsheet (``.csv`` or ``.xlsx``) into rows of text.

Rows keep their spreadsheet numbers (the header row is 1, as a spreadsheet
shows it) so every later problem can say ``FILE:ROW``. Blank rows are
skipped but still counted. CSV files may start with a byte-order mark (Excel
writes one) and may use ``;`` as the separator (Excel in locales whose
decimal mark is a comma); the separator is whichever of ``,`` ``;`` and tab
splits the header line into the most cells.

``.xlsx`` needs openpyxl (the ``okrsite[xlsx]`` extra), imported only when
such a file is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from okrsite.errors import ContentIssue, RowIssue, SourceLocation

MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class Table:
    """Header and data rows of one sheet, every cell as stripped text."""

    path: str
    """How the file is named in messages (as given on the command line)."""
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """``(row number, cells)``; cells are padded to the header's width."""
    decimal_comma: bool = False
    """Numbers use a decimal comma (a ``;``-separated CSV): ``1.200`` is 1200."""


class TableError(Exception):
    """The file cannot be read as a table; holds located issues."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


def _issue(path: str, row: int, message: str) -> TableError:
    return TableError([RowIssue(SourceLocation(path, row, 1), message)])


def read_table(file: Path, display: str, sheet: str | None = None) -> Table:
    """The first (or the named) sheet of ``file``; :class:`TableError` if unreadable."""
    suffix = file.suffix.lower()
    try:
        size = file.stat().st_size
    except OSError as err:
        raise _issue(display, 1, f"cannot read the file: {err.strerror or err}") from None
    if size > MAX_FILE_BYTES:
        raise _issue(display, 1, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    if suffix == ".csv" or suffix == ".txt" or suffix == ".tsv":
        if sheet is not None:
            raise _issue(display, 1, "--sheet applies to .xlsx files only")
        rows, delimiter = _csv_rows(file.read_bytes(), display)
        table = _table(display, rows)
        table.decimal_comma = delimiter == ";"
        return table
    if suffix in (".xlsx", ".xlsm"):
        return _table(display, _xlsx_rows(file, display, sheet))
    raise _issue(display, 1, f"cannot import '{suffix or file.name}' files: use .csv or .xlsx")


def _csv_rows(data: bytes, display: str) -> tuple[list[list[str]], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise _issue(
            display, line, "not UTF-8 text: save the sheet as 'CSV UTF-8' and import again"
        ) from None
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max((",", ";", "\t"), key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for record in reader:
            # One record is one spreadsheet row, even when a quoted cell spans
            # lines; a blank line is an empty record, so it is counted too.
            rows.append(record)
            if len(rows) > MAX_ROWS:
                raise _issue(display, len(rows), f"more than {MAX_ROWS} rows")
    except csv.Error as err:
        raise _issue(display, len(rows) + 1, f"not a valid CSV row: {err}") from None
    return rows, delimiter


def _xlsx_rows(file: Path, display: str, sheet: str | None) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:
        raise _issue(
            display, 1, "reading .xlsx files needs openpyxl: pip install 'okrsite[xlsx]'"
        ) from None
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a bad file
        raise _issue(display, 1, f"not a readable .xlsx file ({type(err).__name__})") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            names = ", ".join(repr(n) for n in book.sheetnames)
            raise _issue(display, 1, f"no sheet {sheet!r} (sheets: {names})")
        rows: list[list[str]] = []
        for cells in worksheet.iter_rows():
            rows.append(
                [
                    _formatted(getattr(c, "value", None), getattr(c, "number_format", ""))
                    for c in cells
                ]
            )
            if len(rows) > MAX_ROWS:
                raise _issue(display, len(rows), f"more than {MAX_ROWS} rows")
        return rows
    finally:
        book.close()


_CURRENCY_IN_FORMAT = (("€", "€"), ("£", "£"), ("¥", "¥"), ("₹", "₹"), ("$", "$"))


def _formatted(value: object, number_format: str | None) -> str:
    """A number as the sheet shows it where that carries meaning: a cell
    formatted as a percentage holds 0.35 for ``35%``, a currency format the
    symbol. Other formats (thousands, decimals) do not change the value."""
    fmt = number_format or ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        literal = re.sub(r'"[^"]*"|\\.', "", fmt)  # quoted text is not a format code
        if "%" in literal:
            percent = round(float(value) * 100, 10)
            return f"{_cell_text(percent)}%"
        for code, symbol in _CURRENCY_IN_FORMAT:
            if code in fmt:
                sign = "-" if value < 0 else ""
                return f"{sign}{symbol}{_cell_text(abs(value))}"
    return _cell_text(value)


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person sees (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _table(display: str, rows: list[list[str]]) -> Table:
    cleaned = [[cell.strip() for cell in row] for row in rows]
    header_index = next((i for i, row in enumerate(cleaned) if any(row)), None)
    if header_index is None:
        raise _issue(display, 1, "the file is empty: expected a header row")
    headers = cleaned[header_index]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(path=display, headers=headers, header_row=header_index + 1)
    width = len(headers)
    for number, row in enumerate(cleaned[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        table.rows.append((number, (row + [""] * width)[: max(width, len(row))]))
    return table
