"""Read JSONL, JSON, CSV and Excel (.xlsx) files into raw rows, each tagged with the line it starts on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl

from matcher.errors import UnreadableFileError
from matcher.explanations import IMPORT_CELL_JSON, IMPORT_EXTRA_CELLS, IMPORT_INVALID_JSON, Explanation, explain
from matcher.text_folding import fold

# CSV cells hold flat text; these columns hold lists separated by ';' ...
CSV_LIST_FIELDS = {"languages", "networks", "partners", "topics", "authors"}
# ... and these hold nested objects, as JSON, or a ';'-separated shorthand.
CSV_NESTED_FIELDS = {"strengths", "needs", "clusters", "representative"}
# A CSV cell may hold a whole text (200,000 characters, quoted: twice that at worst); Python's csv
# module refuses cells over 131,072 characters by default.
CSV_CELL_MAX = 2 * 200_000 + 2
NESTED = "too deeply nested (Python's recursion limit)"


@dataclass(frozen=True)
class RawRow:
    file: str
    line: int
    data: Any


# Labels for coded fields in spreadsheets: field -> {folded label: code} (e.g. region: {"afrique": "Africa"}).
Labels = Mapping[str, Mapping[str, str]]
# Spreadsheet cells whose value may be written as a label a person reads rather than a code.
LABELLED_FIELDS = {"country", "region", "kind", "language", "languages"}
# What a spreadsheet saves when not UTF-8: the Windows and Mac code pages of the networks' languages.
# Detection is kept to these: on a short file, an open search takes accented Latin for a CJK encoding.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1256", "mac_roman", "utf_16")
DELIMITERS = (",", ";", "\t")  # French and Spanish Excel save CSV with ';', the decimal sign being ','


def read_rows(path: Path, labels: Labels | None = None) -> list[RawRow]:
    """All rows of a .jsonl, .json, .csv or .xlsx file, in file order. A CSV's delimiter and
    encoding are detected (Excel in French saves ';' and Windows-1252); in a CSV or an .xlsx,
    ``labels`` turns names a person reads ("Afrique", "ville", "Sénégal", "français") into codes."""
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return list(_xlsx_rows(path, labels or {}))
    text = _decode(path, path.read_bytes())
    if suffix in {".jsonl", ".ndjson"}:
        return list(_jsonl_rows(str(path), text))
    if suffix == ".json":
        return list(_json_rows(str(path), text))
    if suffix == ".csv":
        return list(_csv_rows(str(path), text, labels or {}))
    raise UnreadableFileError(f"{path}: unknown format '{suffix}' (expected .jsonl, .json, .csv or .xlsx)")


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without a BOM), else the encoding charset-normalizer finds (a spreadsheet
    saved as 'CSV' on Windows is Windows-1252); a file that is no text at all is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        best = charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
        if best is None:
            raise UnreadableFileError(f"{path}: not text in any known encoding ({error.reason} at byte {error.start})") from error
        return str(best)


def _delimiter(header: str) -> str:
    """The delimiter the header line uses most (field names hold none of them)."""
    return max(DELIMITERS, key=header.count)


def _lines(text: str) -> list[str]:
    """Lines split on \n, \r\n or \r only: U+2028, U+2029 and U+0085 are text inside a JSON
    string (``str.splitlines`` would cut a record there)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _jsonl_rows(name: str, text: str) -> Iterator[RawRow]:
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            yield RawRow(name, number, json.loads(line))
        except json.JSONDecodeError as error:
            yield RawRow(name, number, _Unparsable(explain(IMPORT_INVALID_JSON, error=error.msg, column=error.colno)))
        except RecursionError:
            yield RawRow(name, number, _Unparsable(explain(IMPORT_INVALID_JSON, error=NESTED, column=1)))


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
        except RecursionError as error:
            raise UnreadableFileError(f"{name}:{line}: invalid JSON: {NESTED}") from error
        yield RawRow(name, line, item)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != "]":
            where = text.count("\n", 0, position) + 1
            raise UnreadableFileError(f"{name}:{where}: invalid JSON: expected ',' or ']' after a record")
    if position >= len(text):
        raise UnreadableFileError(f"{name}: the JSON array is not closed")
    rest = _skip_space(text, position + 1)
    if rest < len(text):
        where = text.count("\n", 0, rest) + 1
        raise UnreadableFileError(f"{name}:{where}: invalid JSON: text after the array's closing ']'")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _csv_rows(name: str, text: str, labels: Labels) -> Iterator[RawRow]:
    if csv.field_size_limit() < CSV_CELL_MAX:
        csv.field_size_limit(CSV_CELL_MAX)
    first = text.split("\n", 1)[0]
    # newline="": the csv module splits records itself, on \n and \r only (not on U+2028 & co.)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(first) if text else ",")
    line = 2  # line 1 is the header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFileError(f"{name}:{reader.line_num}: unreadable CSV ({error})") from error
        if None in row:
            yield RawRow(name, line, _Unparsable(explain(IMPORT_EXTRA_CELLS, count=len(row[None]))))  # type: ignore[index]
        else:
            yield RawRow(name, line, _csv_record(row, labels))
        line = reader.line_num + 1


def _xlsx_rows(path: Path, labels: Labels) -> Iterator[RawRow]:
    """The first sheet's rows under its header row; the line of each is its row number in Excel."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise UnreadableFileError(f"{path}: not an Excel workbook (.xlsx) ({error})") from error
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            cells = {key: _cell_text(value) for key, value in zip(header, values, strict=False) if key}
            if any(cells.values()):
                yield RawRow(str(path), number, _csv_record(cells, labels))
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: whole numbers without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _labelled(labels: Labels, key: str, cell: str) -> str:
    return labels.get(key, {}).get(fold(cell), cell)


def _csv_record(row: dict[str, str], labels: Labels) -> dict[str, Any] | _Unparsable:
    record: dict[str, Any] = {}
    for key, cell in row.items():
        cell = (cell or "").strip()
        if not cell:
            continue
        if key in LABELLED_FIELDS and key not in CSV_LIST_FIELDS:
            cell = _labelled(labels, key, cell)
        if key in CSV_LIST_FIELDS:
            parts = [part.strip() for part in re.split(r"[;,]" if key == "languages" else ";", cell) if part.strip()]
            record[key] = [_labelled(labels, key, part) for part in parts] if key in LABELLED_FIELDS else parts
        elif key in CSV_NESTED_FIELDS:
            try:
                record[key] = _nested_cell(key, cell)
            except json.JSONDecodeError as error:
                return _Unparsable(explain(IMPORT_CELL_JSON, column=key, error=error.msg), field=key)
            except RecursionError:
                return _Unparsable(explain(IMPORT_CELL_JSON, column=key, error=NESTED), field=key)
        else:
            record[key] = cell
    return record


def _cluster_cell(part: str) -> dict[str, str]:
    """One cluster of a CSV cell: its name, then ':' and a role when the text after the last ':' is
    one. Cluster names hold colons too ("Inclusion: literacy and ICT"): only a role is split off."""
    name, colon, role = part.rpartition(":")
    if colon and role.strip() in ("member", "coordinator"):
        return {"cluster": name.strip(), "role": role.strip()}
    return {"cluster": part}


def _nested_cell(key: str, cell: str) -> Any:
    if cell[0] in "[{":
        return json.loads(cell)
    parts = [part.strip() for part in cell.split(";") if part.strip()]
    if key == "clusters":  # "esd:coordinator; health; Inclusion: literacy and ICT: coordinator"
        return [_cluster_cell(part) for part in parts]
    if key == "representative":
        return {"name": cell, "profile": cell}
    return [{"text": part} for part in parts]


@dataclass(frozen=True)
class _Unparsable:
    """A row that could not even be parsed; validation turns it into a RecordProblem."""

    explanation: Explanation
    field: str = "(row)"
