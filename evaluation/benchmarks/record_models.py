"""Benchmark: what a model per job costs where records enter and leave, against one model for all.

Run: ``python -m evaluation.benchmarks.record_models [--copies 33] [--repeats 5]``. The demo's
members and resources, copied under new ids to a bulk import's size (151 members x 33 = 4,983,
below the 5,000 one request may carry), are validated, in the same run:

- baseline: as the stored record (``Member.model_validate``: the one model of before);
- now: as the client's model and turned into the stored record (``MemberWrite`` then ``record()``,
  what ``validate_rows`` does for an import file, a bulk body or a PUT);
- and the GET answers built from stored records (``member_public``) against dumping the stored
  records themselves (the answer of before), both to JSON.

The best of ``--repeats`` runs is printed, in ms and per record.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer

from matcher.demo import DEMO_FILES
from matcher.record_forms import MemberWrite, ResourceWrite
from matcher.records import Member, Resource
from matcher.store import StoredRecord
from service.public_records import member_public, resource_public


def rows(path_index: int, copies: int) -> list[dict[str, Any]]:
    """The demo file's rows, ``copies`` times under new ids (partners dropped: they name the originals)."""
    lines = DEMO_FILES[path_index].read_text(encoding="utf-8").splitlines()
    originals = [json.loads(line) for line in lines if line.strip()]
    unlinked = [{**row, "partners": []} if "partners" in row else row for row in originals]
    return [{**row, "id": f"{row['id']}-{n}"} for n in range(copies) for row in unlinked]


def best(repeats: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, seconds: float, count: int) -> None:
    print(f"{label:<58} {seconds * 1000:8.1f} ms  {seconds / count * 1e6:7.1f} µs/record")


def main(
    copies: Annotated[int, typer.Option(help="Copies of the demo's records.")] = 33,
    repeats: Annotated[int, typer.Option(help="Runs of each; the best is shown.")] = 5,
) -> None:
    members, resources = rows(0, copies), rows(1, copies)
    print(f"{len(members)} members, {len(resources)} resources (the demo's, {copies} copies)\n")
    for name, data, stored, write in (("members", members, Member, MemberWrite), ("resources", resources, Resource, ResourceWrite)):
        before = best(repeats, lambda: [stored.model_validate(row) for row in data])  # noqa: B023 (run at once)
        now = best(repeats, lambda: [write.model_validate(row).record() for row in data])  # noqa: B023
        report(f"{name}: validated as the stored record (baseline)", before, len(data))
        report(f"{name}: validated as {write.__name__}, then record()", now, len(data))
        print(f"{'':<58} {now / before:8.2f} x the baseline\n")
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    kept = [StoredRecord(Member.model_validate(row), at) for row in members]
    kept_resources = [StoredRecord(Resource.model_validate(row), at) for row in resources]
    for name, records, public in (("members", kept, member_public), ("resources", kept_resources, resource_public)):
        before = best(repeats, lambda: [s.record.model_dump_json() for s in records])  # noqa: B023
        now = best(repeats, lambda: [public(s).model_dump_json() for s in records])  # noqa: B023
        report(f"{name}: GET answers, the stored record dumped (baseline)", before, len(records))
        report(f"{name}: GET answers, the public model (with updated_at)", now, len(records))
        print(f"{'':<58} {now / before:8.2f} x the baseline\n")


if __name__ == "__main__":
    typer.run(main)
