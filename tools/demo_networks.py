"""Write the demo's network structures (``matcher/demo/data/networks.json``), deterministically, from
the demo members and resources: coordinators' terms, a work plan and status updates per cluster,
two years of events (2025-2026, a few planned in 2027) with their hosts, participants and outputs,
and people (members' representatives and external experts). All of it is generated and says so.

Run from the repository root: ``python -m tools.demo_networks``. ``peermatch demo`` loads the file.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from typing import Any

from matcher.clusters.names import DEFAULT_TAXONOMY
from matcher.demo import DEMO_DATA

SEED = 24
OUT = DEMO_DATA / "networks.json"
KINDS = ["workshop", "webinar", "peer_exchange", "field_visit", "mooc_session"]
KIND_TITLES = {
    "workshop": "Workshop",
    "webinar": "Webinar",
    "peer_exchange": "Peer exchange",
    "field_visit": "Field visit",
    "mooc_session": "MOOC session",
}
# Recent events: one every two months per cluster, January 2026 to March 2027 (the last ones to come).
RECENT = [dt.date(2026, month, 1) for month in (1, 3, 5, 7, 9, 11)] + [dt.date(2027, 1, 1), dt.date(2027, 3, 1)]
MEN = {"Jonas Berg", "Kenji Sato", "Tomás Rivera", "Omar Haddad"}
GENDERS = ["woman", "man", "woman", "man", "woman", "undisclosed"]
# Technical partners (fictional people at real kinds of organisations), two experts each.
EXTERNAL_ORGS = [
    ("UNESCO Institute for Lifelong Learning", "DE", "Europe and North America", ("Jonas Berg", "Claire Dubois")),
    ("African Union Commission, Education Division", "ET", "Africa", ("Amina Diallo", "Grace Mensah")),
    ("Asia South Pacific Association for Basic and Adult Education", "PH", "Asia-Pacific", ("Mei Lin Tan", "Kenji Sato")),
    ("Latin American Council for Adult Education", "PE", "Latin America and the Caribbean", ("Rosa Quispe", "Tomás Rivera")),
    ("Arab Network for Literacy and Adult Education", "EG", "Arab States", ("Omar Haddad", "Farah Nasser")),
]


def _read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DEMO_DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def build() -> dict[str, Any]:
    rng = random.Random(SEED)
    members = _read("members.jsonl")
    resources = _read("resources.jsonl")
    taxonomy = json.loads(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))["topics"]
    clusters = [t["id"].removeprefix("cluster-") for t in taxonomy if t["id"].startswith("cluster-")]
    aspects = {c: [t for t in taxonomy if t.get("cluster") == c and not t["id"].startswith("cluster-")] for c in clusters}
    topic_cluster = {t["id"]: t["cluster"] for t in taxonomy if t.get("cluster")}
    by_cluster: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        for membership in member["clusters"]:
            by_cluster[membership["cluster"]].append(member)
    coordinators = {c["cluster"]: m for m in members for c in m["clusters"] if c["role"] == "coordinator"}

    terms: list[dict[str, Any]] = []
    plan: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    communities: list[dict[str, Any]] = []
    for cluster in clusters:
        group = by_cluster[cluster]
        coordinator = coordinators[cluster]
        previous = rng.choice([m for m in group if m["id"] != coordinator["id"] and m["kind"] == "city"] or group)
        # (re)elected for two years: the previous term, then the current one
        terms.append({"cluster": cluster, "member_id": previous["id"], "starts": "2023-01-01", "ends": "2024-12-31"})
        terms.append({"cluster": cluster, "member_id": coordinator["id"], "starts": "2025-01-01", "ends": "2026-12-31"})
        for number, aspect in enumerate(aspects[cluster][:3]):
            owner = coordinator if number == 0 else rng.choice(group)
            due = dt.date(2026, 3 + 4 * number, 30)
            status = ["done", "in_progress", "planned"][number]
            plan.append(
                {
                    "cluster": cluster,
                    "objective": f"Peer exchange on {aspect['label']['en'].lower()}",
                    "output": f"A shared guide on {aspect['label']['en'].lower()}, in English, French and Spanish",
                    "owner": owner["id"],
                    "due": due.isoformat(),
                    "status": status,
                }
            )
        updates.append(
            {
                "cluster": cluster,
                "on": "2026-02-15",
                "text": "Kick-off meeting held online; the plan's objectives agreed.",
                "plan_item": 1,
                "status": "in_progress",
            }
        )
        updates.append(
            {
                "cluster": cluster,
                "on": "2026-04-02",
                "text": "First guide published after the peer exchange.",
                "plan_item": 1,
                "status": "done",
            }
        )
        updates.append(
            {
                "cluster": cluster,
                "on": "2026-10-20",
                "text": "Coordinators' meeting: participation uneven; inactive members contacted.",
                "plan_item": None,
                "status": None,
            }
        )

        # events that produced a 2025 resource: a week before it was published, hosted by its author
        produced = [
            r
            for r in resources
            if r["published"].startswith("2025")
            and r["kind"] in ("recording", "video", "publication")
            and any(topic_cluster.get(t) == cluster for t in r["topics"])
            and r.get("authors")
        ]
        for resource in produced[:4]:
            host = resource["authors"][0]
            day = dt.date.fromisoformat(resource["published"]) - dt.timedelta(days=7)
            event_id = f"ev-{cluster}-{resource['id']}"
            # the event is about what its output is about
            about = [a for a in aspects[cluster] if a["id"] in resource["topics"]] or aspects[cluster]
            events.append(_event(rng, event_id, cluster, day, [host], group, about, members))
            links.append({"resource_id": resource["id"], "event_id": event_id})
        # a year of events, some to come; a third of the members take part in none
        active = rng.sample(group, k=max(1, (2 * len(group)) // 3))
        for number, day in enumerate(RECENT):
            host = coordinator if number % 2 == 0 else rng.choice(active)
            events.append(
                _event(
                    rng,
                    f"ev-{cluster}-{day:%Y-%m}",
                    cluster,
                    day + dt.timedelta(days=rng.randrange(27)),
                    [host["id"]],
                    active,
                    aspects[cluster],
                    members,
                )
            )
        # a community of learning: the coordinator hosts, members strong on the theme teach, those who need it learn
        theme = aspects[cluster][0]
        teachers = [m["id"] for m in group if m["id"] != coordinator["id"] and any(s.get("topic") == theme["id"] for s in m["strengths"])][
            :3
        ]
        learners = [
            m["id"]
            for m in group
            if m["id"] not in teachers and m["id"] != coordinator["id"] and any(n.get("topic") == theme["id"] for n in m["needs"])
        ][:8]
        community_id = f"community-{cluster}"
        communities.append(
            {
                "id": community_id,
                "name": f"Community of learning: {theme['label']['en']}",
                "cluster": cluster,
                "description": "Recordings, videos and discussions shared between members (generated demo community).",
                "members": [{"member_id": coordinator["id"], "role": "host"}]
                + [{"member_id": m, "role": "teacher"} for m in teachers]
                + [{"member_id": m, "role": "learner"} for m in learners],
                "generated": True,
            }
        )
        shared = [
            r
            for r in resources
            if r["kind"] == "discussion" and theme["id"] in r["topics"] and r["id"] not in {x["resource_id"] for x in links}
        ]
        links.extend({"resource_id": r["id"], "community_id": community_id} for r in shared[:2])
        # people: three representatives of cluster members, two external experts
        # the representatives of members with most strengths in the cluster: the people a composer should find
        represented = sorted(
            (m for m in group if m.get("representative")),
            key=lambda m: (-sum(topic_cluster.get(s.get("topic")) == cluster for s in m["strengths"]), m["id"]),
        )
        for position, member in enumerate(represented[:3]):
            rep = member["representative"]
            people.append(
                {
                    "id": f"person-{member['id']}",
                    "name": rep["name"],
                    "member_id": member["id"],
                    "role": "representative to the cluster",
                    "languages": rep.get("languages") or member["languages"],
                    "expertise": rep["profile"],
                    "gender": GENDERS[(len(people) + position) % len(GENDERS)],
                    "availability": "limited" if position == 2 else "available",
                    "generated": True,
                }
            )
        for position in range(2):
            organisation, country, region, names = EXTERNAL_ORGS[(clusters.index(cluster) + position) % len(EXTERNAL_ORGS)]
            aspect = aspects[cluster][position % len(aspects[cluster])]
            name = names[position]
            people.append(
                {
                    "id": f"expert-{cluster}-{position + 1}",
                    "name": name,
                    "organisation": organisation,
                    "country": country,
                    "region": region,
                    "role": "external expert",
                    "languages": ["en", "fr"] if position == 0 else ["en", "es"],
                    "expertise": f"{aspect['label']['en']}: {aspect['description']['en']} Advises learning cities on it.",
                    "gender": "man" if name in MEN else "woman",
                    "generated": True,
                }
            )
    return {
        "notice": "Generated by tools/demo_networks.py from the demo members and resources: fictional, not facts about the places named.",
        "coordinators": terms,
        "plan": plan,
        "updates": updates,
        "events": events,
        "communities": communities,
        "links": links,
        "people": people,
    }


def _event(
    rng: random.Random,
    event_id: str,
    cluster: str,
    day: dt.date,
    hosts: list[str],
    pool: list[dict[str, Any]],
    aspects: list[dict[str, Any]],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    kind = KINDS[rng.randrange(len(KINDS))]
    aspect = aspects[rng.randrange(len(aspects))]["label"]["en"]  # one of those given
    names = {m["id"]: m["name"] for m in members}
    # a sixth to a third of the cluster's active members take part (at least three)
    size = min(len(pool), max(3, rng.randint(len(pool) // 6, len(pool) // 3)))
    participants = [m["id"] for m in rng.sample(pool, k=size) if m["id"] not in hosts]
    online = kind in ("webinar", "mooc_session")
    starts = dt.datetime.combine(day, dt.time(13 if online else 9), tzinfo=dt.UTC)
    return {
        "id": event_id,
        "title": f"{KIND_TITLES[kind]}: {aspect}",
        "kind": kind,
        "cluster": cluster,
        "starts": starts.isoformat(),
        "ends": (starts + dt.timedelta(hours=2 if online else 7)).isoformat(),
        "place": "" if online else names[hosts[0]],
        "online_url": f"https://learning.example.org/{event_id}" if online else None,
        "language": "en",
        "hosts": hosts,
        "participants": participants,
        "generated": True,
        "description": "Generated demo event.",
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
