"""Before and after figures of the North/South rule on the demo: the capacity map's counts and the
Global South exposure of peer and expert recommendations, measured in one run under both rules.

    python -m tools.north_south_figures [evaluation/datasets/demo]

Before: "Europe and North America, or any organisation, is North" (the first rule).
After: the World Bank income group of the member's country, or its declared ``operates_in``
(matcher.regions).
"""

from __future__ import annotations

import sys
from pathlib import Path

from evaluation.dataset import load_dataset
from evaluation.metrics import exposure_by_region
from evaluation.runner import Harness
from evaluation.variants import resolve
from matcher.graph.capacity import capacity_map
from matcher.records import Member
from matcher.regions import country_groups


def before(member: Member) -> str:
    """The first rule, kept here only to measure the change."""
    return "North" if member.region == "Europe and North America" or member.kind == "organization" else "South"


def after(member: Member) -> str:
    return country_groups().side(member)


def main(folder: str = "evaluation/datasets/demo") -> None:
    harness = Harness.open(load_dataset(Path(folder)))
    variant = resolve("hybrid")
    recommender = harness.recommender(variant)
    members = recommender.members
    assert recommender.graph is not None
    moved = [(m.id, m.country, m.kind, before(m), after(m)) for m in members if before(m) != after(m)]
    print(f"members: {len(members)}; side changed for {len(moved)}:")
    for member_id, country, kind, old, new in moved:
        print(f"  {member_id:45s} {country}  {kind:16s} {old} -> {new}")
    maps = {
        name: capacity_map(recommender.graph, members, need_evidence=recommender.need_evidence, classify=rule)
        for name, rule in (("before", before), ("after", after))
    }
    print("\ncapacity map totals      before   after")
    for key in ("north", "south"):
        print(f"  members {key:14s} {maps['before'].totals[key]:7d} {maps['after'].totals[key]:7d}")
    sums = {
        name: {
            field: sum(getattr(row, field) for row in cap.topics)
            for field in ("offers_north", "offers_south", "needs_north", "needs_south")
        }
        for name, cap in maps.items()
    }
    for field in ("offers_north", "offers_south", "needs_north", "needs_south"):
        print(f"  {field:22s} {sums['before'][field]:7d} {sums['after'][field]:7d}   (member-topic links, all topics)")
    changed = [
        (
            b.label,
            (b.offers_north, b.offers_south, b.needs_north, b.needs_south),
            (a.offers_north, a.offers_south, a.needs_north, a.needs_south),
        )
        for b, a in zip(maps["before"].topics, maps["after"].topics, strict=True)
        if (b.offers_north, b.offers_south, b.needs_north, b.needs_south) != (a.offers_north, a.offers_south, a.needs_north, a.needs_south)
    ]
    print(f"  topics whose North/South counts changed: {len(changed)} of {len(maps['after'].topics)}")
    for label, old_counts, new_counts in changed[:8]:
        print(f"    {label[:50]:50s} (offers N, S, needs N, S) {old_counts} -> {new_counts}")
    runs = harness.run(variant, tasks=("peers", "experts"))
    by_id = recommender.members_by_id
    print("\nGlobal South exposure@10   before   after")
    for task, run in runs.items():
        share_before = exposure_by_region(run, by_id, classify=before)["Global South"]
        share_after = exposure_by_region(run, by_id, classify=after)["Global South"]
        print(f"  {task:22s} {share_before:8.4f} {share_after:7.4f}   ({len(run)} queries)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
