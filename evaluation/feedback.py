"""Graded judgements from the store (proposals and ``/v1/feedback``), as TREC qrels the harness reads.

Grades: ``matcher.partnerships.grades``. Query ids are ``<task>:<query>``: ``peers:<member id>``
(a partner proposed or recommended to that member; pairing runs count as peers),
``experts:<group name>`` (a member invited into that expert group) and
``resources:<member id>``. Ids holding whitespace are percent-encoded (qrels are
whitespace-separated).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ranx import Qrels

from matcher.partnerships import Partnerships
from matcher.partnerships.grades import feedback_grade, proposal_grade
from matcher.store import Store

FEEDBACK_TASKS = {"peers": "peers", "pairing": "peers", "experts": "experts", "resources": "resources"}
PAGE = 1_000


@dataclass(frozen=True)
class Judgement:
    task: str
    query: str  # a member id, or an expert group's name
    item: str
    grade: int
    origin: str  # e.g. "proposal 12", "feedback 3"

    @property
    def query_id(self) -> str:
        return f"{self.task}:{_token(self.query)}"


def collect(store: Store) -> list[Judgement]:
    """One judgement per (task, query, item): feedback first, then proposals oldest first, so the
    latest proposal's grade is the one kept."""
    found: dict[tuple[str, str, str], Judgement] = {}
    offset = 0
    while True:
        total, rows = store.feedback(offset, PAGE)
        for row in rows:
            grade = feedback_grade(row["verdict"], row["rating"])  # type: ignore[arg-type]
            task = FEEDBACK_TASKS.get(str(row["task"]))
            if grade is None or task is None:
                continue
            key = (task, str(row["member_id"]), str(row["item_id"]))
            found[key] = Judgement(*key, grade, f"feedback {row['id']}")
        offset += len(rows)
        if not rows or offset >= total:
            break
    for proposal in Partnerships(store).all():
        grade = proposal_grade(proposal)
        if grade is None:
            continue
        if proposal.kind == "expert_group":
            key = ("experts", proposal.partner_id, proposal.member_id)
        else:
            key = ("peers", proposal.member_id, proposal.partner_id)
        found[key] = Judgement(*key, grade, f"proposal {proposal.id}")
    return list(found.values())


def to_qrels(judgements: Iterable[Judgement], tasks: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """``{query_id: {item_id: grade}}``, the ranx/TREC convention."""
    wanted = set(tasks) if tasks is not None else None
    qrels: dict[str, dict[str, int]] = {}
    for j in judgements:
        if wanted is None or j.task in wanted:
            qrels.setdefault(j.query_id, {})[_token(j.item)] = j.grade
    return qrels


def write_qrels(path: Path, qrels: dict[str, dict[str, int]]) -> int:
    """``query_id 0 item_id grade`` lines, sorted; returns how many were written."""
    lines = [f"{qid} 0 {item} {grade}" for qid in sorted(qrels) for item, grade in sorted(qrels[qid].items())]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Qrels as the evaluation harness reads them (ranx's TREC reader)."""
    return {q: {d: int(g) for d, g in docs.items()} for q, docs in Qrels.from_file(str(path), kind="trec").to_dict().items()}


def write_queries(path: Path, judgements: Iterable[Judgement], tasks: Iterable[str] | None = None) -> int:
    """queries.jsonl lines for the judged queries (peers and resources: the member's; experts: the
    group's name as the theme), so that qrels and queries make an evaluation dataset."""
    wanted = set(tasks) if tasks is not None else None
    seen: dict[str, dict[str, str]] = {}
    for j in judgements:
        if (wanted is None or j.task in wanted) and j.query_id not in seen:
            query = {"id": j.query_id, "task": j.task}
            query |= {"text": j.query} if j.task == "experts" else {"text": "", "member_id": j.query}
            seen[j.query_id] = query
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in seen.values()), encoding="utf-8")
    return len(seen)


def _token(value: str) -> str:
    return quote(value, safe="") if any(c.isspace() or c == "%" for c in value) else value
