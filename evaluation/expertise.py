"""The OpenReview expertise format used by reviewer-assignment benchmarks, and its graded loss.

Archives: a folder of ``~<person_id>.jsonl`` files, one paper per line with ``id`` and
``content.title`` / ``content.abstract``. Submissions: a JSON object mapping id to the same
shape. Scores come from the scorer peermatch uses for expert groups (each person's papers are
its authored documents; pooled evidence), written as ``{person_id: {submission_id: score}}``.
"""

from __future__ import annotations

import json
import tempfile
from itertools import combinations
from pathlib import Path
from typing import Any

from embeddings.embedder import TextEncoder
from matcher.errors import PeermatchError
from matcher.recommend.engine import Recommender
from matcher.records import Member, Resource
from matcher.settings import Settings
from matcher.workspace import Workspace


class ExpertiseFormatError(PeermatchError):
    pass


def _text(paper: dict[str, Any], where: str) -> tuple[str, str]:
    content = paper.get("content")
    if not isinstance(content, dict):
        raise ExpertiseFormatError(f"{where}: field 'content' must be an object with 'title' and/or 'abstract'")
    title = _value(content.get("title"))
    abstract = _value(content.get("abstract"))
    if not (title or abstract):
        raise ExpertiseFormatError(f"{where}: field 'content' has neither 'title' nor 'abstract'")
    return title or abstract[:80], abstract


def _value(field: Any) -> str:
    # OpenReview API v2 wraps values as {"value": ...}; v1 has them bare.
    if isinstance(field, dict):
        field = field.get("value")
    return str(field or "").strip()


def read_archives(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
    """person id -> [(paper id, title, abstract)]."""
    files = sorted(folder.glob("~*.jsonl"))
    if not files:
        raise ExpertiseFormatError(f"{folder}: no '~<person_id>.jsonl' files")
    archives: dict[str, list[tuple[str, str, str]]] = {}
    for path in files:
        person = path.stem  # keeps the leading '~', as OpenReview ids do
        papers = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                paper = json.loads(line)
            except json.JSONDecodeError as error:
                raise ExpertiseFormatError(f"{path}:{number}: invalid JSON: {error.msg}") from error
            if "id" not in paper:
                raise ExpertiseFormatError(f"{path}:{number}: field 'id' is missing")
            title, abstract = _text(paper, f"{path}:{number}")
            papers.append((str(paper["id"]), title, abstract))
        archives[person] = papers
    return archives


def read_submissions(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ExpertiseFormatError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise ExpertiseFormatError(f"{path}: expected an object mapping submission id to a paper")
    texts = {}
    for submission_id, paper in data.items():
        title, abstract = _text(paper, f"{path}: submission '{submission_id}'")
        texts[str(submission_id)] = f"{title}. {abstract}".strip()
    return texts


def expertise_scores(
    archives: dict[str, list[tuple[str, str, str]]],
    submissions: dict[str, str],
    encoder: TextEncoder | None = None,
    work_dir: Path | None = None,
) -> dict[str, dict[str, float]]:
    """Every (person, submission) expert-finding score, with the product's expert scorer."""
    workspace = expertise_workspace(archives, encoder, work_dir)
    return score_submissions(workspace.snapshot().recommender, archives, submissions)


def expertise_workspace(
    archives: dict[str, list[tuple[str, str, str]]], encoder: TextEncoder | None = None, work_dir: Path | None = None
) -> Workspace:
    """A workspace holding each person as a member and their papers as resources they authored, indexed."""
    settings = Settings(data_dir=work_dir or Path(tempfile.mkdtemp(prefix="peermatch-expertise-")))
    workspace = Workspace(settings, encoder)
    # People are stored as members of kind 'person'; country, region and language are placeholders
    # the expertise scorer never reads.
    people = [
        Member(id=_safe(p), name=p, kind="person", country="FR", region="Europe and North America", languages=["en"]) for p in archives
    ]
    papers = [
        Resource(id=f"{_safe(p)}--{i}", title=title, summary=abstract or title, kind="publication", language="en", authors=[_safe(p)])
        for p, items in archives.items()
        for i, (_, title, abstract) in enumerate(items)
    ]
    workspace.write([*people, *papers])
    return workspace


def score_submissions(
    recommender: Recommender, archives: dict[str, list[tuple[str, str, str]]], submissions: dict[str, str]
) -> dict[str, dict[str, float]]:
    """{person: {submission: score}} from the recommender's expert scorer."""
    finder = recommender.expert_finder
    ids = list(submissions)
    scores, _, _ = finder.scores([submissions[s] for s in ids])
    by_code = {recommender.evidence.code_of[_safe(person)]: person for person in archives}
    return {
        person: {sid: round(float(scores[row, code]), 6) for row, sid in enumerate(ids)}
        for code, person in sorted(by_code.items(), key=lambda pair: pair[1])
    }


def _safe(person: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_.:@~-" else "_" for ch in person)


def graded_expertise_loss(predicted: dict[str, dict[str, float]], truth: dict[str, dict[str, float]]) -> float:
    """For each person, over each pair of items with true grades: |grade difference| adds to the
    maximum; it adds to the loss when the predicted order is reversed, half of it when tied.
    The loss is the sum over the maximum: 0 is perfect, 0.5 is chance."""
    loss = maximum = 0.0
    for person, grades in truth.items():
        scores = predicted.get(person, {})
        for a, b in combinations(sorted(grades), 2):
            weight = abs(grades[a] - grades[b])
            if weight == 0:
                continue
            maximum += weight
            high, low = (a, b) if grades[a] > grades[b] else (b, a)
            if high not in scores or low not in scores:
                raise PeermatchError(f"no predicted score for person '{person}' and item '{high if high not in scores else low}'")
            if scores[high] < scores[low]:
                loss += weight
            elif scores[high] == scores[low]:
                loss += weight / 2
    if maximum == 0:
        raise PeermatchError("the true grades hold no pair of items with different grades")
    return loss / maximum
