"""Named programmes on the resource page: where the hybrid search puts the document that names a
programme, against the resource finder (exact name first), and what one cluster report and one
group of people cost, each measured in this run on a data directory (the demo by default).

Run: ``python -m evaluation.benchmarks.named_programmes --data-dir .peermatch-demo`` (after ``peermatch demo``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated

import typer

from matcher.people.model import BalanceRule, PeopleGroupOptions
from matcher.settings import Settings
from matcher.text_folding import fold
from matcher.usecases import clusters, library, people
from matcher.workspace import Workspace

app = typer.Typer(add_completion=False)
NAMES = ["Digital Transformation Collaborative", "Global Teacher Campus"]
DEPTH = 100  # hybrid search results looked through for the named document


@app.command()
def main(data_dir: Annotated[Path, typer.Option(help="A data directory with the demo loaded.")] = Path(".peermatch-demo")) -> None:
    workspace = Workspace(Settings(data_dir=data_dir))
    snapshot, store = workspace.snapshot(), workspace.store
    rows = []
    for name in NAMES:
        naming = {r.id for r in snapshot.resources if fold(name) in fold(f"{r.title} {r.summary} {r.text}")}
        ranked = [hit.id for hit in snapshot.searcher.search(name, k=DEPTH)]
        search_rank = next((i + 1 for i, rid in enumerate(ranked) if rid in naming), None)
        hits = library.find_resources(snapshot, store, library.ResourceQuery(q=name), limit=DEPTH).hits
        finder_rank = next((i + 1 for i, hit in enumerate(hits) if hit.id in naming), None)
        rows.append({"name": name, "documents_naming_it": len(naming), "hybrid_search_rank": search_rank, "finder_rank": finder_rank})
    timings = {}
    today = dt.datetime.now(dt.UTC).date()
    for fit in (False, True):
        start = time.perf_counter()
        report = clusters.cluster_report(snapshot, store, "esd", today, fit=fit)
        timings[f"cluster_report_esd_fit_{fit}".lower()] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    people.compose_group(
        snapshot, store, "Education for sustainable development", PeopleGroupOptions(k=5, balance=BalanceRule(by="gender"))
    )
    timings["compose_people_group"] = round(time.perf_counter() - start, 3)
    print(
        json.dumps(
            {"programmes": rows, "seconds": timings, "esd_members": len(report.members), "esd_inactive": len(report.inactive)}, indent=1
        )
    )
    workspace.close()


if __name__ == "__main__":
    app()
