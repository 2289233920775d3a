"""Offers and requests in and out of files: JSONL, JSON and CSV, like members.

Reading validates every row and names file, line and field for each bad one (the members'
``RecordProblem``); nothing is returned when a row is bad, so an import is all or nothing.
In a CSV, list columns (``countries``, ``regions``, ``languages``) are ';'-separated and a
request's ``components`` cell holds JSON (a list of objects); exporting writes the same shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.errors import InvalidRecordsError, RecordProblem, UnreadableFileError
from matcher.explanations import IMPORT_CELL_JSON, explain
from matcher.ingest.readers import RawRow, read_rows
from matcher.ingest.validate import _problems as problems_of
from matcher.requests.records import MODEL_OF, Offer, RecordKind, Request

LIST_COLUMNS = ("countries", "regions", "languages")
OFFER_COLUMNS = tuple(Offer.model_fields)
REQUEST_COLUMNS = tuple(Request.model_fields)


def read_records(path: Path, kind: RecordKind) -> list[Offer] | list[Request]:
    """Every offer (or request) of a .jsonl, .json or .csv file; raises InvalidRecordsError
    naming file, line and field of each bad row (and a repeated id), UnreadableFileError for a
    file that cannot be parsed."""
    if path.suffix.lower() not in {".jsonl", ".ndjson", ".json", ".csv"}:
        raise UnreadableFileError(f"{path}: unknown format '{path.suffix}' (expected .jsonl, .json or .csv)")
    model = MODEL_OF[kind]
    records: list[Any] = []
    problems: list[RecordProblem] = []
    seen: dict[str, int] = {}
    for row in read_rows(path):
        data = row.data
        explanation = getattr(data, "explanation", None)
        if explanation is not None:  # a row the reader could not parse
            problems.append(RecordProblem(row.file, row.line, getattr(data, "field", "(row)"), explanation))
            continue
        if path.suffix.lower() == ".csv":
            data, problem = _from_csv(row, kind)
            if problem is not None:
                problems.append(problem)
                continue
        raw_id = data.get("id") if isinstance(data, dict) else None
        record_id = raw_id.strip() if isinstance(raw_id, str) else None
        if record_id is not None and record_id in seen:  # told even when the first one is bad too
            why = explain("id '%(id)s' repeats line %(line)s", id=record_id, line=seen[record_id])
            problems.append(RecordProblem(row.file, row.line, "id", why, record_id))
            continue
        if record_id is not None:
            seen[record_id] = row.line
        try:
            records.append(model.model_validate(data))
        except ValidationError as error:
            problems.extend(problems_of(row, record_id, error))
    if problems:
        raise InvalidRecordsError(problems)
    return records


def _from_csv(row: RawRow, kind: RecordKind) -> tuple[dict[str, Any], RecordProblem | None]:
    data = dict(row.data)
    for column in LIST_COLUMNS:
        if isinstance(data.get(column), str):
            data[column] = [part.strip() for part in data[column].split(";") if part.strip()]
    if kind == "requests" and isinstance(data.get("components"), str):
        try:
            data["components"] = json.loads(data["components"])
        except json.JSONDecodeError as error:
            return data, RecordProblem(row.file, row.line, "components", explain(IMPORT_CELL_JSON, column="components", error=error.msg))
    return data, None


def write_records(records: Sequence[Offer] | Sequence[Request], path: Path) -> int:
    """Write ``records`` to ``path`` in the format its suffix names (.jsonl, .json, .csv); how many."""
    suffix = path.suffix.lower()
    rows = [record.model_dump(mode="json", exclude_none=True) for record in records]
    if suffix in {".jsonl", ".ndjson"}:
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(_csv_text(rows, OFFER_COLUMNS if records and isinstance(records[0], Offer) else REQUEST_COLUMNS), encoding="utf-8")
    else:
        raise UnreadableFileError(f"{path}: unknown format '{path.suffix}' (expected .jsonl, .json or .csv)")
    return len(rows)


def _csv_text(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {}
        for column in columns:
            value = row.get(column)
            if value is None:
                cells[column] = ""
            elif column in LIST_COLUMNS:
                cells[column] = ";".join(value)
            elif isinstance(value, list | dict):
                cells[column] = json.dumps(value, ensure_ascii=False)
            else:
                cells[column] = value
        writer.writerow(cells)
    return out.getvalue()
