"""Turn raw rows into records, collecting every problem with its file, line, field and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.errors import RecordProblem, UnreadableFileError
from matcher.ingest.readers import RawRow, _Unparsable, read_rows
from matcher.records import MODEL_OF, Member, RecordType, Resource


@dataclass
class Validated:
    """The records that passed and the problems of those that did not, in file order."""

    record_type: RecordType
    records: list[Member | Resource] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)  # record id -> (file, line)


def guess_record_type(path: Path, rows: list[RawRow]) -> RecordType:
    """Members or resources, from the file name, else from the first row's fields."""
    stem = path.stem.lower()
    if "member" in stem:
        return "members"
    if "resource" in stem:
        return "resources"
    for row in rows:
        if isinstance(row.data, dict):
            if "title" in row.data:
                return "resources"
            if "name" in row.data:
                return "members"
    raise UnreadableFileError(f"{path}: cannot tell whether it holds members or resources; pass --records members|resources")


def validate_file(path: Path, record_type: RecordType | None = None) -> Validated:
    rows = read_rows(path)
    chosen = record_type or guess_record_type(path, rows)
    return validate_rows(rows, chosen)


def validate_rows(rows: list[RawRow], record_type: RecordType) -> Validated:
    model = MODEL_OF[record_type]
    result = Validated(record_type)
    first_line_of: dict[str, int] = {}
    for row in rows:
        record_id = row.data.get("id") if isinstance(row.data, dict) else None
        record_id = str(record_id) if record_id is not None else None
        if isinstance(row.data, _Unparsable):
            result.problems.append(RecordProblem(row.file, row.line, row.data.field, row.data.reason))
            continue
        if not isinstance(row.data, dict):
            result.problems.append(RecordProblem(row.file, row.line, "(row)", f"expected a JSON object, got {type(row.data).__name__}"))
            continue
        try:
            record = model.model_validate(row.data)
        except ValidationError as error:
            result.problems.extend(_problems(row, record_id, error))
            continue
        if record.id in first_line_of:
            result.problems.append(
                RecordProblem(
                    row.file,
                    row.line,
                    "id",
                    f"duplicate id, first seen on line {first_line_of[record.id]}",
                    record.id,
                )
            )
            continue
        first_line_of[record.id] = row.line
        result.lines[record.id] = (row.file, row.line)
        result.records.append(record)
    return result


def check_references(validated: Validated, known_members: Callable[[set[str]], set[str]]) -> list[RecordProblem]:
    """Partners (of members) and authors (of resources) that name no member, each with its field.

    ``known_members``: of the ids given, those already stored; members of the same batch count too.
    """
    batch = {r.id for r in validated.records} if validated.record_type == "members" else set()
    referenced = {ref for r in validated.records for ref in (r.partners if isinstance(r, Member) else r.authors)}
    known = batch | known_members(referenced - batch)
    problems = []
    for record in validated.records:
        name, references = ("partners", record.partners) if isinstance(record, Member) else ("authors", record.authors)
        file, line = validated.lines.get(record.id, ("request body", 0))
        for position, reference in enumerate(references):
            if reference not in known:
                problems.append(RecordProblem(file, line, f"{name}.{position}", f"unknown member '{reference}'", record.id))
    return problems


def _problems(row: RawRow, record_id: str | None, error: ValidationError) -> list[RecordProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"]) or "(record)"
        reason = _reason(detail)
        problems.append(RecordProblem(row.file, row.line, location, reason, record_id))
    return problems


def _reason(detail: Any) -> str:
    message = str(detail["msg"])
    if detail["type"] == "extra_forbidden":
        return "unknown field"
    if detail["type"] == "value_error":
        return message.removeprefix("Value error, ")
    if detail["type"] in {"missing", "literal_error"}:
        return message
    return f"{message} (got {detail.get('input')!r:.60})"
