"""Read JSONL, JSON and CSV files into raw rows, each tagged with the line it starts on."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import UnreadableFileError
from matcher.explanations import IMPORT_CELL_JSON, IMPORT_EXTRA_CELLS, IMPORT_INVALID_JSON, Explanation, explain

# CSV cells hold flat text; these columns hold lists separated by ';' ...
CSV_LIST_FIELDS = {"languages", "networks", "partners", "topics", "authors"}
# ... and these hold nested objects, as JSON, or a ';'-separated shorthand.
CSV_NESTED_FIELDS = {"strengths", "needs", "clusters", "representative"}


@dataclass(frozen=True)
class RawRow:
    file: str
    line: int
    data: Any


def read_rows(path: Path) -> list[RawRow]:
    """All rows of a .jsonl, .json or .csv file, in file order."""
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return list(_jsonl_rows(str(path), text))
    if suffix == ".json":
        return list(_json_rows(str(path), text))
    if suffix == ".csv":
        return list(_csv_rows(str(path), text))
    raise UnreadableFileError(f"{path}: unknown format '{suffix}' (expected .jsonl, .json or .csv)")


def _jsonl_rows(name: str, text: str) -> Iterator[RawRow]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield RawRow(name, number, json.loads(line))
        except json.JSONDecodeError as error:
            yield RawRow(name, number, _Unparsable(explain(IMPORT_INVALID_JSON, error=error.msg, column=error.colno)))


def _json_rows(name: str, text: str) -> Iterator[RawRow]:
    """Items of a top-level JSON array, each with the line its object starts on."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        raise UnreadableFileError(f"{name}: a .json file must hold an array of records")
    position = _skip_space(text, position + 1)
    while position < len(text) and text[position] != "]":
        line = text.count("\n", 0, position) + 1
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise UnreadableFileError(f"{name}:{error.lineno}: invalid JSON: {error.msg}") from error
        yield RawRow(name, line, item)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
    if position >= len(text):
        raise UnreadableFileError(f"{name}: the JSON array is not closed")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _csv_rows(name: str, text: str) -> Iterator[RawRow]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    line = 2  # line 1 is the header
    for row in reader:
        if None in row:
            yield RawRow(name, line, _Unparsable(explain(IMPORT_EXTRA_CELLS, count=len(row[None]))))  # type: ignore[index]
        else:
            yield RawRow(name, line, _csv_record(row))
        line = reader.line_num + 1


def _csv_record(row: dict[str, str]) -> dict[str, Any] | _Unparsable:
    record: dict[str, Any] = {}
    for key, cell in row.items():
        cell = (cell or "").strip()
        if not cell:
            continue
        if key in CSV_LIST_FIELDS:
            record[key] = [part.strip() for part in cell.split(";") if part.strip()]
        elif key in CSV_NESTED_FIELDS:
            try:
                record[key] = _nested_cell(key, cell)
            except json.JSONDecodeError as error:
                return _Unparsable(explain(IMPORT_CELL_JSON, column=key, error=error.msg), field=key)
        else:
            record[key] = cell
    return record


def _nested_cell(key: str, cell: str) -> Any:
    if cell[0] in "[{":
        return json.loads(cell)
    parts = [part.strip() for part in cell.split(";") if part.strip()]
    if key == "clusters":  # "esd:coordinator; health"
        return [dict(zip(("cluster", "role"), part.split(":", 1), strict=False)) for part in parts]
    if key == "representative":
        return {"name": cell, "profile": cell}
    return [{"text": part} for part in parts]


@dataclass(frozen=True)
class _Unparsable:
    """A row that could not even be parsed; validation turns it into a RecordProblem."""

    explanation: Explanation
    field: str = "(row)"
