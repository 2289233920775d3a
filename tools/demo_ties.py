"""Write ``matcher/demo/data/ties.csv``: the rows of the twin-cities list whose two cities are both
demo members or candidates (the demo's existing twinnings), in the list's own format so that the same importer reads them.

    python -m tools.demo_ties ../shared/data/twin-cities/twin_cities.csv
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from matcher.demo import DEMO_DATA
from matcher.records import Member
from matcher.ties.twin_cities import match_twin_cities


def main(source: str) -> None:
    members = [
        Member(**json.loads(line))
        for name in ("members.jsonl", "candidates.jsonl")  # a candidate's existing twinning is a tie too
        for line in (DEMO_DATA / name).read_text(encoding="utf-8").splitlines()
        if line
    ]
    wanted = set(match_twin_cities(Path(source), members).pairs)
    names = {(m.name, m.country): m.id for m in members}
    out = DEMO_DATA / "ties.csv"
    with open(source, encoding="utf-8", newline="") as handle, open(out, "w", encoding="utf-8", newline="") as target:
        reader = csv.DictReader(handle)
        writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        kept = 0
        for row in reader:
            ids = [
                next((i for (name, _), i in names.items() if name.casefold() == row[f"city{n}"].strip().casefold()), None)
                for n in ("1", "2")
            ]
            if ids[0] and ids[1] and (min(ids[0], ids[1]), max(ids[0], ids[1])) in wanted:
                writer.writerow(row)
                kept += 1
    print(f"{kept} rows written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
