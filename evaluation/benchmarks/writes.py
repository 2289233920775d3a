"""Benchmark: what a write costs, against rebuilding the whole index (the old write path).

Run: ``python -m evaluation.benchmarks.writes`` (``--help`` for sizes). A network of synthetic
city members (real city names and countries from ``../shared/data/twin-cities``, strengths and
needs from the demo's EN/FR/ES sentences, each made unique) is indexed with the real default
model; then, in the same run:

- baseline: a full index build with every embedding cached (what each write cost before);
- one member upsert: the write (store commit, embedding, index delta on disk, next snapshot)
  and the first search answer that finds the member's new text;
- the same member, visible in an expert-group answer (the recommender of the new snapshot);
- 1,000 new members in one write against 1,000 single-member writes.

The embedding cache is kept in ``--data-dir`` (default: a temporary folder), so a second run
over the same folder skips the first embedding of the network.
"""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated

import pycountry
import typer
from tqdm.auto import tqdm

from matcher.demo.topics import TOPICS
from matcher.records import Member
from matcher.settings import Settings
from matcher.workspace import Workspace

TWIN_CITIES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twin-cities" / "twin_cities.csv"


def cities(path: Path) -> list[tuple[str, str]]:
    """Distinct (city, ISO alpha-2 country) pairs from the twin-cities file."""
    codes: dict[str, str | None] = {}
    found: dict[tuple[str, str], None] = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for city, country in ((row["city1"], row["country1"]), (row["city2"], row["country2"])):
                if country not in codes:
                    try:
                        codes[country] = pycountry.countries.lookup(country).alpha_2
                    except LookupError:
                        codes[country] = None
                code = codes[country]
                if code and city:
                    found[(city, code)] = None
    return list(found)


def member(number: int, city: str, country: str, tag: str = "") -> Member:
    """A city with a profile, two strengths and two needs: five passages, each text unique
    (``tag`` makes them new to the embedding cache)."""
    language = ("en", "fr", "es")[number % 3]
    offer, need = TOPICS[number % len(TOPICS)], TOPICS[(number * 7 + 3) % len(TOPICS)]
    strengths = [f"{city}{tag}: {offer.words(language).facts[i]}" for i in (0, 1)]
    return Member.model_validate(
        {
            "id": f"city-{number}",
            "name": city,
            "kind": "city",
            "country": country,
            "region": ("Africa", "Europe and North America", "Asia-Pacific", "Arab States", "Latin America and the Caribbean")[number % 5],
            "languages": [language],
            "profile": f"{city}{tag} ({country}), {offer.words(language).label}.",
            "strengths": [{"text": text, "level": 4} for text in strengths],
            "needs": [
                {"text": f"{city}{tag}: {need.words(language).need}", "priority": 3},
                {"text": f"{city}{tag}: {need.words(language).label}"},
            ],
        }
    )


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main(
    passages: Annotated[int, typer.Option(help="Passages in the network (five per member).")] = 100_000,
    upserts: Annotated[int, typer.Option(help="Single-member upserts timed.")] = 20,
    bulk: Annotated[int, typer.Option(help="Records in the bulk-against-single comparison.")] = 1000,
    data_dir: Annotated[Path | None, typer.Option(help="Keep the data (and the embedding cache) here.")] = None,
) -> None:
    folder = data_dir or Path(tempfile.mkdtemp(prefix="peermatch-writes-"))
    workspace = Workspace(Settings(data_dir=folder))
    places = cities(TWIN_CITIES)
    n_members = passages // 5
    network = [member(i, *places[i % len(places)]) for i in range(n_members)]
    # Records and texts new in every run, so that a second run over the same folder embeds them too.
    run = f" #{time.time_ns() % 1_000_000}"
    spare = [member(10 * n_members + i, *places[(n_members + i) % len(places)], tag=run) for i in range(2 * bulk)]

    typer.echo(f"indexing {n_members:,} members ({passages:,} passages) with {workspace.settings.model} ...")
    first = timed(lambda: workspace.write(network))
    base = workspace.snapshot().indexes
    kind = base["members"].dense.kind
    typer.echo(f"  ready in {first:.1f} s (built, or loaded from --data-dir): {base.base_rows:,} passages, dense index {kind}")

    rebuild = timed(workspace.build)
    typer.echo(f"baseline, full rebuild with every embedding cached (each write, before): {rebuild * 1000:,.0f} ms")

    write_ms, search_ms = [], []
    for i in range(upserts):
        data = network[i].model_dump()
        data["strengths"] = [data["strengths"][0], {"text": f"zebrafish aquaponics trial{i:03d}{run}"}]
        changed = Member.model_validate(data)
        started = time.perf_counter()
        workspace.write([changed])
        written = time.perf_counter()
        snapshot = workspace.snapshot()
        rows, _ = snapshot.indexes["members"].lexical.search(f"zebrafish aquaponics trial{i:03d}{run}", 1)
        found = snapshot.indexes["members"].passage(int(rows[0])) if len(rows) else None
        assert found is not None and found.owner_id == changed.id, f"the upsert is not visible: {found}"
        search_ms.append((time.perf_counter() - started) * 1000)
        write_ms.append((written - started) * 1000)
    typer.echo(
        f"one member upsert, {upserts} runs: write median {statistics.median(write_ms):.0f} ms (max {max(write_ms):.0f}); "
        f"found by a search median {statistics.median(search_ms):.0f} ms; "
        f"{rebuild * 1000 / statistics.median(search_ms):.0f}x faster than the full rebuild"
    )
    started = time.perf_counter()
    group = workspace.snapshot().recommender.experts(f"zebrafish aquaponics trial000{run}")
    ranked = [member_id for member_id, _ in group.ranking]
    experts_ms = (time.perf_counter() - started) * 1000
    typer.echo(
        f"  and in an expert-group answer (builds the new snapshot's recommender): {experts_ms:,.0f} ms; "
        f"the upserted member ranks {ranked.index(network[0].id) + 1 if network[0].id in ranked else 'not in the top'} by relevance"
    )

    workspace.build()  # both sides of the comparison start from a compacted index
    singles = timed(lambda: [workspace.write([m]) for m in tqdm(spare[:bulk], desc="single upserts", leave=False)])
    workspace.build()
    together = timed(lambda: workspace.write(spare[bulk:]))
    typer.echo(
        f"{bulk:,} records: one bulk write {together:.2f} s, {bulk:,} single writes {singles:.2f} s: "
        f"bulk is {singles / together:.1f}x faster"
    )


if __name__ == "__main__":
    typer.run(main)
