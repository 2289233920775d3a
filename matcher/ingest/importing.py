"""Import files: validate everything first; the Workspace then writes in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from matcher.ingest.readers import Labels
from matcher.ingest.validate import Validated, validate_file
from matcher.passages import Passage, member_passages, resource_passages
from matcher.records import Member, RecordType, Resource
from matcher.settings import Settings


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


@dataclass
class ValidatedFile:
    path: Path
    validated: Validated

    @property
    def records(self) -> list[Member | Resource]:
        return self.validated.records

    @property
    def problems(self) -> list:  # type: ignore[type-arg]
        return self.validated.problems


def passages_of(records: list[Member | Resource], settings: Settings) -> list[Passage]:
    passages: list[Passage] = []
    for record in records:
        if isinstance(record, Member):
            passages += member_passages(record, settings.passage_words, settings.passage_overlap)
        else:
            passages += resource_passages(record, settings.passage_words, settings.passage_overlap)
    return passages


def validate_import(path: Path, record_type: RecordType | None = None, labels: Labels | None = None) -> ValidatedFile:
    """Read and validate one file (``labels``: see ``matcher.ingest.readers.read_rows``); nothing is written."""
    return ValidatedFile(path, validate_file(path, record_type, labels))


def write_rejections(file: ValidatedFile, report_path: Path | None = None) -> ImportReport:
    """The file's report; its rejected records, if any, are written as JSON lines to
    ``report_path`` (default: FILE.rejected.jsonl next to it)."""
    written_report = None
    problems = file.validated.problems
    if problems:
        target = report_path or file.path.with_name(file.path.name + ".rejected.jsonl")
        with open(target, "w", encoding="utf-8") as handle:
            for problem in problems:
                handle.write(json.dumps(problem.as_dict(), ensure_ascii=False) + "\n")
        written_report = str(target)
    return ImportReport(
        file=str(file.path),
        record_type=file.validated.record_type,
        valid=len(file.records),
        changed=0,
        rejected=len({p.line for p in problems}),
        rejected_report=written_report,
        problems=[str(p) for p in problems],
    )
