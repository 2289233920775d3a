"""Build the labelled demo evaluation set from the demo network's planted ground truth.

Run: ``python -m evaluation.demo_set`` (writes ``evaluation/datasets/demo/``). Every label comes
from the topic catalogue the demo was generated from, not from any model:
- resources: each topic's need sentence in English, French and Spanish; relevant (grade 2) are
  the resources about that topic in every language (cross-lingual by construction); resources of
  the other topics of the same cluster are the hard distractors (unlabelled, so 0).
- peers: each member with needs; relevant are members with a strength on one of its need topics
  and a working language in common (grade 2 at level 4-5, 1 below).
- experts: each topic's English label as a theme; relevant are members with that strength
  (grade 2 at level 4-5, 1 below) and authors of its resources who lack the strength (grade 1).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from matcher.demo import DEMO_FILES
from matcher.demo.topics import TOPICS

OUT = Path(__file__).parent / "datasets" / "demo"
UNTAGGED = Path(__file__).parent / "datasets" / "demo-untagged"


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(out: Path = OUT) -> tuple[int, int]:
    members, resources = (_read(path) for path in DEMO_FILES)
    out.mkdir(parents=True, exist_ok=True)
    for path in DEMO_FILES:
        shutil.copyfile(path, out / path.name)
    queries: list[dict] = []
    qrels: list[tuple[str, str, int]] = []
    for topic in TOPICS:
        for language in ("en", "fr", "es"):
            qid = f"res-{topic.id}-{language}"
            queries.append({"id": qid, "text": topic.words(language).need, "task": "resources", "language": language})
            qrels += [(qid, r["id"], 2) for r in resources if topic.id in r["topics"]]
    for member in members:
        if not member["needs"]:
            continue
        qid = f"peers-{member['id']}"
        queries.append({"id": qid, "text": " ".join(n["text"] for n in member["needs"]), "task": "peers", "member_id": member["id"]})
        need_topics = {n["topic"] for n in member["needs"]}
        for other in members:
            if other["id"] == member["id"] or not set(other["languages"]) & set(member["languages"]):
                continue
            levels = [s.get("level") or 3 for s in other["strengths"] if s["topic"] in need_topics]
            if levels:
                qrels.append((qid, other["id"], 2 if max(levels) >= 4 else 1))
    authors_of: dict[str, set[str]] = {}
    for r in resources:
        for topic_id in r["topics"]:
            authors_of.setdefault(topic_id, set()).update(r["authors"])
    for topic in TOPICS:
        qid = f"experts-{topic.id}"
        queries.append({"id": qid, "text": topic.en.label, "task": "experts"})
        graded = {}
        for member in members:
            levels = [s.get("level") or 3 for s in member["strengths"] if s["topic"] == topic.id]
            if levels:
                graded[member["id"]] = 2 if max(levels) >= 4 else 1
        for author in authors_of.get(topic.id, set()):
            graded.setdefault(author, 1)
        qrels += [(qid, member_id, grade) for member_id, grade in sorted(graded.items())]
    with open(out / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps(query, ensure_ascii=False) + "\n")
    with open(out / "qrels.tsv", "w", encoding="utf-8") as handle:
        for qid, item, grade in qrels:
            handle.write(f"{qid} 0 {item} {grade}\n")
    return len(queries), len(qrels)


def build_untagged(source: Path = OUT, out: Path = UNTAGGED) -> None:
    """The same set with every topic tag removed from the records (labels unchanged), so that the
    graph must rely on topics assigned from text: the fair test of what the graph adds, since the
    labels themselves were derived from the tags."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("queries.jsonl", "qrels.tsv"):
        shutil.copyfile(source / name, out / name)
    members = _read(source / "members.jsonl")
    for member in members:
        for item in member["strengths"] + member["needs"]:
            item.pop("topic", None)
    resources = _read(source / "resources.jsonl")
    for resource in resources:
        resource["topics"] = []
    for name, rows in (("members.jsonl", members), ("resources.jsonl", resources)):
        with open(out / name, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    n_queries, n_qrels = build()
    build_untagged()
    print(f"{n_queries} queries, {n_qrels} judgements written to {OUT} (and, without topic tags, to {UNTAGGED})")
