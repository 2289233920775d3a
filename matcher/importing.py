"""Import a file into the store: validate everything first, then write in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import InvalidRecordsError
from matcher.ingest.validate import validate_file
from matcher.passages import Passage, member_passages, resource_passages
from matcher.records import Member, RecordType, Resource
from matcher.settings import Settings
from matcher.store import Store


@dataclass
class ImportReport:
    file: str
    record_type: str
    valid: int
    changed: int
    rejected: int
    changed_ids: list[str] = field(default_factory=list)
    rejected_report: str | None = None
    problems: list[str] = field(default_factory=list)


def passages_of(records: list[Member | Resource], settings: Settings) -> list[Passage]:
    passages: list[Passage] = []
    for record in records:
        if isinstance(record, Member):
            passages += member_passages(record, settings.passage_words, settings.passage_overlap)
        else:
            passages += resource_passages(record, settings.passage_words, settings.passage_overlap)
    return passages


def import_file(
    store: Store,
    path: Path,
    settings: Settings,
    *,
    record_type: RecordType | None = None,
    skip_invalid: bool = False,
    report_path: Path | None = None,
) -> ImportReport:
    """By default any bad record refuses the whole file; ``skip_invalid`` imports the good ones
    and writes the bad ones' problems as JSON lines to ``report_path``."""
    validated = validate_file(path, record_type)
    if validated.problems and not skip_invalid:
        raise InvalidRecordsError(validated.problems)
    written_report = None
    if validated.problems:
        report_path = report_path or path.with_name(path.name + ".rejected.jsonl")
        with open(report_path, "w", encoding="utf-8") as handle:
            for problem in validated.problems:
                handle.write(json.dumps(problem.__dict__, ensure_ascii=False) + "\n")
        written_report = str(report_path)
    changed_ids = store.upsert(validated.records, passages_of(validated.records, settings))
    return ImportReport(
        file=str(path),
        record_type=validated.record_type,
        valid=len(validated.records),
        changed=len(changed_ids),
        rejected=len({(p.line) for p in validated.problems}),
        rejected_report=written_report,
        problems=[str(p) for p in validated.problems],
        changed_ids=changed_ids,
    )
