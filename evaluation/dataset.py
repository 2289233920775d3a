"""An evaluation dataset on disk: members.jsonl, resources.jsonl, queries.jsonl and qrels.tsv.

Queries: one JSON object per line with ``id``, ``text``, ``task`` (resources, peers or experts) and
an optional ``member_id`` (the query is that member's). Qrels: TREC format, ``query_id 0 item_id grade``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from matcher.errors import PeermatchError

Task = Literal["resources", "peers", "experts"]


class Query(BaseModel):
    id: str
    text: str
    task: Task
    member_id: str | None = None
    language: str | None = None


@dataclass
class Dataset:
    folder: Path
    queries: list[Query]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)

    def by_task(self, task: str) -> list[Query]:
        return [q for q in self.queries if q.task == task]


class DatasetError(PeermatchError):
    pass


def load_dataset(folder: Path) -> Dataset:
    for name in ("members.jsonl", "resources.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (folder / name).is_file():
            raise DatasetError(
                f"{folder}: missing {name} (a dataset folder holds members.jsonl, resources.jsonl, queries.jsonl, qrels.tsv)"
            )
    queries = []
    seen: set[str] = set()
    for number, line in enumerate((folder / "queries.jsonl").read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            query = Query.model_validate_json(line)
        except ValidationError as error:
            detail = error.errors()[0]
            field_name = ".".join(str(part) for part in detail["loc"]) or "(line)"
            raise DatasetError(f"{folder / 'queries.jsonl'}:{number}: field '{field_name}': {detail['msg']}") from error
        if query.id in seen:
            raise DatasetError(f"{folder / 'queries.jsonl'}:{number}: duplicate query id '{query.id}'")
        seen.add(query.id)
        queries.append(query)
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate((folder / "qrels.tsv").read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise DatasetError(f"{folder / 'qrels.tsv'}:{number}: expected 'query_id 0 item_id grade', got {len(parts)} fields")
        qid, _, item, grade = parts
        if qid not in seen:
            raise DatasetError(f"{folder / 'qrels.tsv'}:{number}: query '{qid}' is not in queries.jsonl")
        try:
            qrels.setdefault(qid, {})[item] = int(grade)
        except ValueError as error:
            raise DatasetError(f"{folder / 'qrels.tsv'}:{number}: grade '{grade}' is not an integer") from error
    return Dataset(folder, queries, qrels)


def write_trec_run(path: Path, runs: dict[str, dict[str, float]], tag: str) -> None:
    """``query_id Q0 item_id rank score tag``, best first."""
    with open(path, "w", encoding="utf-8") as handle:
        for qid, scores in runs.items():
            ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
            for rank, (item, score) in enumerate(ranked, start=1):
                handle.write(f"{qid} Q0 {item} {rank} {score:.6f} {tag}\n")


def load_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))
