"""Benchmark: adding one member to a 10,000-member graph, against rebuilding the graph, in the same run.

Run: ``python -m evaluation.benchmarks.graph`` (``--members N``). Members are synthetic, with tagged
strengths and needs (taxonomy topics), three partners each and one cluster; no model is involved.
Also times a personalised PageRank from one member's needs on that graph (the graph signal of a
peer request; cached per topic set after the first).
"""

from __future__ import annotations

import random
import time
from typing import Annotated

import typer

from matcher.graph.build import ExpertiseGraph
from matcher.graph.signals import GraphSignals
from matcher.graph.taxonomy import load_taxonomy
from matcher.records import REGIONS, Member

COUNTRY = {
    "Africa": "SN",
    "Arab States": "MA",
    "Asia-Pacific": "IN",
    "Europe and North America": "FR",
    "Latin America and the Caribbean": "PE",
}


def synthetic_members(n: int, topics: list[str], rng: random.Random) -> list[Member]:
    members = []
    for i in range(n):
        region = rng.choice(REGIONS)
        members.append(
            Member(
                id=f"m{i}",
                name=f"Member {i}",
                kind="city",
                country=COUNTRY[region],
                region=region,  # type: ignore[arg-type]
                languages=[rng.choice(["en", "fr", "es"])],
                strengths=[{"text": "s", "topic": t, "level": rng.randint(1, 5)} for t in rng.sample(topics, 2)],  # type: ignore[misc]
                needs=[{"text": "n", "topic": t, "priority": rng.randint(1, 5)} for t in rng.sample(topics, 2)],  # type: ignore[misc]
                partners=[f"m{j}" for j in rng.sample(range(n), 3) if j != i],
                clusters=[{"cluster": rng.choice(["gced", "esd", "health", "pme", "inclusion"])}],  # type: ignore[list-item]
            )
        )
    return members


def main(
    members: Annotated[int, typer.Option(help="Members in the graph.")] = 10_000, repeats: Annotated[int, typer.Option()] = 20
) -> None:
    rng = random.Random(0)
    taxonomy = load_taxonomy()
    topics = list(taxonomy)
    population = synthetic_members(members + repeats, topics, rng)
    started = time.perf_counter()
    graph = ExpertiseGraph.build(population[:members], [], taxonomy)
    rebuild = time.perf_counter() - started
    timings = []
    for newcomer in population[members:]:
        started = time.perf_counter()
        graph.upsert_member(newcomer)
        timings.append(time.perf_counter() - started)
    timings.sort()
    median = timings[len(timings) // 2]
    typer.echo(f"graph: {graph.graph.number_of_nodes()} nodes, {graph.graph.number_of_edges()} edges")
    typer.echo(f"full build of {members} members: {rebuild:.3f} s")
    typer.echo(
        f"adding one member: median {median * 1000:.3f} ms, max {timings[-1] * 1000:.3f} ms over {repeats} "
        f"(rebuild / add = {rebuild / median:,.0f}x)"
    )
    started = time.perf_counter()
    signals = GraphSignals(graph)
    views = time.perf_counter() - started
    need_topics = {n.topic: float(n.weight) for n in population[0].needs if n.topic}
    started = time.perf_counter()
    signals.pagerank_from_needs(need_topics)
    first = time.perf_counter() - started
    started = time.perf_counter()
    signals.pagerank_from_needs(need_topics)
    cached = time.perf_counter() - started
    typer.echo(
        f"graph signal: views {views:.3f} s once per graph state; personalised PageRank {first * 1000:.1f} ms, cached {cached * 1e6:.1f} µs"
    )


if __name__ == "__main__":
    typer.run(main)
