"""Turn raw rows into records, collecting every problem with its file, line, field and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.errors import RecordProblem, RecordTypeUnknownError
from matcher.explanations import (
    IMPORT_AT_LEAST,
    IMPORT_AT_MOST,
    IMPORT_DATE,
    IMPORT_DUPLICATE_ID,
    IMPORT_LIST,
    IMPORT_NOT_OBJECT,
    IMPORT_OBJECT,
    IMPORT_ONE_OF,
    IMPORT_OTHER,
    IMPORT_REQUIRED,
    IMPORT_TEXT,
    IMPORT_TOO_LONG_TEXT,
    IMPORT_TOO_MANY,
    IMPORT_TOO_SHORT_TEXT,
    IMPORT_UNKNOWN_FIELD,
    IMPORT_UNKNOWN_MEMBER,
    IMPORT_URL,
    IMPORT_WHOLE_NUMBER,
    ExplainedValueError,
    Explanation,
    explain,
)
from matcher.ingest.readers import Labels, RawRow, _Unparsable, read_rows
from matcher.record_forms import WRITE_MODEL_OF
from matcher.records import Member, RecordType, Resource


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
    raise RecordTypeUnknownError(
        f"{path}: cannot tell whether it holds members or resources (name the file after them, e.g. members.csv, or say which)"
    )


def validate_file(path: Path, record_type: RecordType | None = None, labels: Labels | None = None) -> Validated:
    rows = read_rows(path, labels)
    chosen = record_type or guess_record_type(path, rows)
    return validate_rows(rows, chosen)


def validate_rows(rows: list[RawRow], record_type: RecordType) -> Validated:
    """Each row validated as a client's record (``MemberWrite``, ``ResourceWrite``) and kept as the
    stored record it makes; a row's problems each name its file, line and field."""
    model = WRITE_MODEL_OF[record_type]
    result = Validated(record_type)
    first_line_of: dict[str, int] = {}
    for row in rows:
        record_id = row.data.get("id") if isinstance(row.data, dict) else None
        record_id = str(record_id) if record_id is not None else None
        if isinstance(row.data, _Unparsable):
            result.problems.append(RecordProblem(row.file, row.line, row.data.field, row.data.explanation))
            continue
        if not isinstance(row.data, dict):
            result.problems.append(RecordProblem(row.file, row.line, "(row)", explain(IMPORT_NOT_OBJECT, type=type(row.data).__name__)))
            continue
        try:
            record = model.model_validate(row.data).record()
        except ValidationError as error:
            result.problems.extend(_problems(row, record_id, error))
            continue
        if record.id in first_line_of:
            result.problems.append(
                RecordProblem(row.file, row.line, "id", explain(IMPORT_DUPLICATE_ID, line=first_line_of[record.id]), record.id)
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
                problems.append(RecordProblem(file, line, f"{name}.{position}", explain(IMPORT_UNKNOWN_MEMBER, id=reference), record.id))
    return problems


def _problems(row: RawRow, record_id: str | None, error: ValidationError) -> list[RecordProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"]) or "(record)"
        problems.append(RecordProblem(row.file, row.line, location, reason_of(detail), record_id))
    return problems


# Pydantic's error types that a person meets in an import file or a console form, as sentences the console translates.
_BY_TYPE = {
    "extra_forbidden": IMPORT_UNKNOWN_FIELD,
    "missing": IMPORT_REQUIRED,
    "string_too_short": IMPORT_TOO_SHORT_TEXT,
    "string_too_long": IMPORT_TOO_LONG_TEXT,
    "too_long": IMPORT_TOO_MANY,
    "greater_than_equal": IMPORT_AT_LEAST,
    "less_than_equal": IMPORT_AT_MOST,
    "int_parsing": IMPORT_WHOLE_NUMBER,
    "int_type": IMPORT_WHOLE_NUMBER,
    "int_from_float": IMPORT_WHOLE_NUMBER,
    "string_type": IMPORT_TEXT,
    "list_type": IMPORT_LIST,
    "model_type": IMPORT_OBJECT,
    "dict_type": IMPORT_OBJECT,
    "url_parsing": IMPORT_URL,
    "url_type": IMPORT_URL,
    "url_scheme": IMPORT_URL,
    "date_parsing": IMPORT_DATE,
    "date_from_datetime_parsing": IMPORT_DATE,
    "date_type": IMPORT_DATE,
}


def reason_of(detail: Any) -> Explanation:
    """Why pydantic refused a value (one item of ``ValidationError.errors()``), as an explanation
    the console shows in its reader's language: an import row's field and a console form's alike."""
    context = detail.get("ctx") or {}
    shown = f"{detail.get('input')!r:.60}"
    if detail["type"] == "value_error" and isinstance(context.get("error"), ExplainedValueError):
        return context["error"].explanation
    if detail["type"] == "literal_error":
        return explain(IMPORT_ONE_OF, expected=str(context.get("expected", "")))
    template = _BY_TYPE.get(detail["type"])
    if template is not None:
        values = {
            "input": shown,
            "min": context.get("min_length", context.get("ge", "")),
            "max": context.get("max_length", context.get("le", "")),
        }
        if detail["type"] == "too_long":
            values["count"] = context.get("actual_length", "")
        return explain(template, **{k: v for k, v in values.items() if f"%({k})" in template})
    message = str(detail["msg"]).removeprefix("Value error, ")  # a type this list lacks: pydantic's English words
    return explain(IMPORT_OTHER, message=message, input=shown)
