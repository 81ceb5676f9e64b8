"""Data files behind measured key results (``measure:``): CSV or JSON lines.

A KR with ``measure: {file: data/clinics.csv, date: week, value:
paying_clinics}`` takes its check-ins from that file. This module only reads:
it turns a file and two column names into dated values, each with the line it
came from, or located problems. Paths are relative to the repository root
(the folder of ``mkdocs.yml``, the content directory's parent) and must stay
inside it: content is untrusted, and ``../../etc/passwd`` is not a metric.

:class:`DataFiles` is the explicit per-load cache (a file read by several KRs
is read and parsed once); whoever loads the content creates one and may ask
it afterwards which files were read (``okrsite serve`` watches them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from okrsite.errors import ContentError, ContentIssue, RowIssue, SourceLocation
from okrsite.source.walk import load_content

MAX_DATA_BYTES = 20 * 1024 * 1024
DATA_SUFFIXES = (".csv", ".jsonl", ".ndjson")
_THOUSANDS_RE = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")

Reader = Callable[[str], bytes | None]
"""Reads a repository-relative path; ``None`` when there is no such file."""


@dataclass(frozen=True)
class DataPoint:
    """One dated value of a data file, with the line it is on (1-based)."""

    date: dt.date
    value: float
    line: int


@dataclass
class _Parsed:
    """A data file as records: (line, {column: text})."""

    columns: list[str]
    records: list[tuple[int, dict[str, object]]]
    issue: str | None = None


@dataclass
class DataFiles:
    """Reads the data files of one load, each once.

    ``root`` is the repository root; ``read`` (optional) reads a relative
    path some other way, e.g. from a git commit for ``okrsite diff``.
    """

    root: Path
    read: Reader | None = None
    _parsed: dict[str, _Parsed | None] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every data file asked for (read or missing), for watching."""
        return [self.root / name for name in sorted(self._parsed)]

    def series(
        self, file: str, date_key: str, value_key: str, where: SourceLocation
    ) -> tuple[list[DataPoint], list[ContentIssue]]:
        """The dated values of ``file``; problems at ``where`` (the KR's ``measure``)
        for the file or a column, at the data file's line for a bad row."""
        name = _safe_relative(file)
        if name is None:
            return [], [
                ContentIssue(
                    where,
                    f"measure file {file!r} must be a relative path inside the repository "
                    "(e.g. data/clinics.csv)",
                )
            ]
        if not name.endswith(DATA_SUFFIXES):
            return [], [ContentIssue(where, f"measure file {file!r}: use a .csv or .jsonl file")]
        if name not in self._parsed:
            self._parsed[name] = self._load(name)
        parsed = self._parsed[name]
        if parsed is None:
            return [], [ContentIssue(where, f"measure file {name!r} not found in the repository")]
        if parsed.issue is not None:
            return [], [RowIssue(SourceLocation(name, 1, 1), parsed.issue)]
        issues: list[ContentIssue] = []
        if name.endswith(".csv"):
            for key in (date_key, value_key):
                if key not in parsed.columns:
                    found = ", ".join(parsed.columns) or "none"
                    issues.append(
                        ContentIssue(where, f"{name} has no column {key!r} (columns: {found})")
                    )
            if issues:
                return [], issues
        points: list[DataPoint] = []
        for line, record in parsed.records:
            at = SourceLocation(name, line, 1)  # shown as FILE:ROW (RowIssue)
            if date_key not in record or value_key not in record:
                missing = date_key if date_key not in record else value_key
                issues.append(RowIssue(at, f"no {missing!r} in this row"))
                continue
            date, value = record[date_key], record[value_key]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue  # no value that day (yet): not an error
            parsed_date = _date(date)
            if parsed_date is None:
                issues.append(
                    RowIssue(at, f"{date_key!r} is not a date (YYYY-MM-DD): {_show(date)}")
                )
                continue
            number = _number(value)
            if number is None:
                issues.append(RowIssue(at, f"{value_key!r} is not a number: {_show(value)}"))
                continue
            points.append(DataPoint(parsed_date, number, line))
        return points, issues

    def _load(self, name: str) -> _Parsed | None:
        if self.read is not None:
            data = self.read(name)
        else:
            path = self.root / name
            try:
                if not path.is_file():
                    return None
                if not path.resolve().is_relative_to(self.root.resolve()):
                    return _Parsed([], [], "links outside the repository")
                if path.stat().st_size > MAX_DATA_BYTES:
                    return _Parsed([], [], f"larger than {MAX_DATA_BYTES // 2**20} MB")
                data = path.read_bytes()
            except OSError as err:
                return _Parsed([], [], f"cannot read it: {err.strerror or err}")
        if data is None:
            return None
        if len(data) > MAX_DATA_BYTES:
            return _Parsed([], [], f"larger than {MAX_DATA_BYTES // 2**20} MB")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _Parsed([], [], "not UTF-8 text")
        return _parse_csv(text) if name.endswith(".csv") else _parse_jsonl(text)


def _safe_relative(file: str) -> str | None:
    """``data/x.csv`` as a normalised relative path, or None if it leaves the root."""
    if "\\" in file or "\x00" in file or file.startswith("/") or re.match(r"^[A-Za-z]:", file):
        return None
    parts = [p for p in PurePosixPath(file).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _parse_csv(text: str) -> _Parsed:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as err:
        return _Parsed([], [], f"not valid CSV: {err}")
    header_at = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if header_at is None:
        return _Parsed([], [], "empty: expected a header row naming the columns")
    columns = [c.strip() for c in rows[header_at]]
    records: list[tuple[int, dict[str, object]]] = []
    for index, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if any(c.strip() for c in row):
            records.append(
                (index, {col: cell.strip() for col, cell in zip(columns, row, strict=False)})
            )
    return _Parsed(columns, records)


def _parse_jsonl(text: str) -> _Parsed:
    records: list[tuple[int, dict[str, object]]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as err:
            message = getattr(err, "msg", "too deeply nested")
            return _Parsed([], [], f"line {line_number} is not JSON: {message}")
        if not isinstance(record, dict):
            return _Parsed([], [], f"line {line_number} is not a JSON object")
        records.append((line_number, record))
    return _Parsed([], records)


def _date(value: object) -> dt.date | None:
    """``2027-02-15``, ``2027/02/15`` or an ISO date-time (its day)."""
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d{4})[-/](\d{2})[-/](\d{2})(?:$|[T ])", value.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").rstrip()  # 35% in a KR measured in %
        if _THOUSANDS_RE.fullmatch(text):
            text = text.replace(",", "")
        if not re.fullmatch(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) and abs(number) <= 1e15 else None


def _show(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def measure_files(content_dir: Path) -> list[Path]:
    """The data files named by ``measure:`` anywhere in the content (for
    ``okrsite serve`` to watch); unreadable content simply names none."""
    try:
        raw = load_content(content_dir)
    except ContentError:
        return []
    found: set[str] = set()
    for files in raw.cycle_files.values():
        for loaded in files.values():
            data = loaded.data if isinstance(loaded.data, dict) else {}
            for objective in data.get("objectives") or []:
                if not isinstance(objective, dict):
                    continue
                for kr in objective.get("key_results") or []:
                    measure = kr.get("measure") if isinstance(kr, dict) else None
                    name = measure.get("file") if isinstance(measure, dict) else None
                    safe = _safe_relative(name) if isinstance(name, str) else None
                    if safe is not None:
                        found.add(safe)
    root = content_dir.parent
    return [root / name for name in sorted(found)]
