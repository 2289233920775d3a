"""Write ``matcher/demo/data/proposals.jsonl``: a GENERATED history of partnership proposals among the
demo's members (fictional, seeded), so that the progress page and its exports have something to show.

    python -m tools.demo_proposals

Pairs an Arab-States, Latin-American or Asia-Pacific city with a city of another region outside
Africa (the African cities are the demo's twinning cohort and the browser tests' members: a past
proposal would change their answers); each proposal
goes some way along its life (proposed, approved, answered, active, checked in, closed with a
rating) on dates in 2026; some check-ins are left overdue and some answers outstanding on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from matcher.demo import DEMO_DATA
from matcher.records import Member

SEED = 25
COUNT = 48
START = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
SECRETARIAT = "user:secretariat-demo"
OUTCOMES = [
    "Joint teacher training delivered in both cities",
    "Exchange visit held; a shared action plan adopted",
    "Online course co-designed and run twice",
    "Peer review of the local learning strategy completed",
]


def main() -> None:
    rng = random.Random(SEED)
    members = [Member(**json.loads(line)) for line in (DEMO_DATA / "members.jsonl").read_text(encoding="utf-8").splitlines() if line]
    cities = [m for m in members if m.kind == "city"]
    cities = [m for m in cities if m.region != "Africa"]
    seekers = [m for m in cities if m.region in ("Arab States", "Latin America and the Caribbean", "Asia-Pacific") and m.needs]
    rows: list[dict[str, object]] = []
    seen: set[frozenset[str]] = set()
    while len(rows) < COUNT:
        a = rng.choice(seekers)
        b = rng.choice([m for m in cities if m.region != a.region])
        if frozenset((a.id, b.id)) in seen:
            continue
        seen.add(frozenset((a.id, b.id)))
        created = START + dt.timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 8))
        steps, at = [], created

        def step(name: str, days: float, actor: str = SECRETARIAT, **payload: object) -> None:
            nonlocal at
            at = at + dt.timedelta(days=days)
            steps.append({"step": name, "actor": actor, "at": at.isoformat(), "payload": payload})  # noqa: B023 (used at once, in this iteration)

        fate = rng.random()
        due = None
        if fate < 0.12:
            pass  # still proposed
        elif fate < 0.2:
            step("reject", rng.uniform(1, 5), status="rejected")
        else:
            step("approve", rng.uniform(1, 6), status="approved")
            if fate < 0.3:
                pass  # approved, answers outstanding
            elif fate < 0.4:
                step("respond", rng.uniform(2, 12), side=a.id, answer="accepted")
                step("respond", rng.uniform(1, 10), side=b.id, answer="declined", status="declined")
            else:
                step("respond", rng.uniform(1, 12), side=a.id, answer="accepted")
                step("respond", rng.uniform(1, 15), side=b.id, answer="accepted", status="active")
                due = (at + dt.timedelta(days=rng.choice([30, 45, 60]))).date()
                step("schedule", 0.01, due=due.isoformat())
                if fate > 0.6:
                    step("check_in", (due - at.date()).days - rng.randint(0, 5), on=(due - dt.timedelta(days=2)).isoformat())
                    due = None
                    if fate > 0.75:
                        step(
                            "close", rng.uniform(20, 60), outcome=rng.choice(OUTCOMES), rating=rng.choice([3, 4, 4, 5, 5]), status="closed"
                        )
        rows.append(
            {
                "kind": "pairing",
                "member_id": a.id,
                "partner_id": b.id,
                "reason": f"{a.needs[0].text[:120]}",
                "actor": SECRETARIAT,
                "created_at": created.isoformat(),
                "steps": steps,
                "check_in_due": due.isoformat() if due else None,
                "generated": True,
            }
        )
    out = DEMO_DATA / "proposals.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} generated proposals written to {out}")


if __name__ == "__main__":
    main()
