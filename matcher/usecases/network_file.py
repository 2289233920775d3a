"""Load a network-structures file (the demo's ``networks.json``, or a secretariat's own): coordinators'
terms, work-plan items, status updates, events, communities of learning, learning links and people.
Every entry is validated before anything is written; a bad one is refused with its file, section,
position and field. Loading the same file again replaces what it wrote the first time
(its terms, plan and updates carry the actor ``import:networks``; events and people have ids)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher.calendar.book import CalendarBook
from matcher.calendar.model import Community, Event, LearningLink
from matcher.clusters.book import ClusterBook
from matcher.clusters.model import CoordinatorTerm, PlanItem, StatusUpdate
from matcher.clusters.names import canonical_cluster
from matcher.errors import UnreadableFileError, validation_problems
from matcher.people.book import PeopleBook
from matcher.people.model import Person
from matcher.store import Store

ACTOR = "import:networks"


def _valid(path: Path, section: str, position: int, model: type[BaseModel], row: dict[str, Any]) -> Any:
    try:
        return model.model_validate(row)
    except ValidationError as error:
        raise UnreadableFileError(f"{path}: {section}[{position}], {validation_problems(error, '(entry)')}") from error


def _refuse_unknown(path: Path, section: str, position: int, field: str, value: str, known: set[str], kind: str = "member") -> None:
    if value not in known:
        raise UnreadableFileError(f"{path}: {section}[{position}], field '{field}': no {kind} with id '{value}'")


def load_network_file(store: Store, path: Path) -> dict[str, int]:
    """Write what ``path`` holds; returns the count per section. ``plan_item`` in an update is the
    position (1, 2, ...) of an item among that cluster's items in the same file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UnreadableFileError(f"{path}: not a readable JSON file: {error}") from error
    members = {m.id for m in store.members()}
    resources = set(store.existing("resources", [r["resource_id"] for r in data.get("links", [])]))
    terms = [
        (row["cluster"], _valid(path, "coordinators", i, CoordinatorTerm, _without(row, "cluster")))
        for i, row in enumerate(data.get("coordinators", []))
    ]
    plan = [(row["cluster"], _valid(path, "plan", i, PlanItem, _without(row, "cluster"))) for i, row in enumerate(data.get("plan", []))]
    updates = [
        (row["cluster"], _valid(path, "updates", i, StatusUpdate, _without(row, "cluster")))
        for i, row in enumerate(data.get("updates", []))
    ]
    events = [_valid(path, "events", i, Event, row) for i, row in enumerate(data.get("events", []))]
    communities = [_valid(path, "communities", i, Community, row) for i, row in enumerate(data.get("communities", []))]
    links = [_valid(path, "links", i, LearningLink, row) for i, row in enumerate(data.get("links", []))]
    people = [_valid(path, "people", i, Person, row) for i, row in enumerate(data.get("people", []))]
    for i, (_, term) in enumerate(terms):
        _refuse_unknown(path, "coordinators", i, "member_id", term.member_id, members)
    for i, (_, item) in enumerate(plan):
        _refuse_unknown(path, "plan", i, "owner", item.owner, members)
    for i, event in enumerate(events):
        for member_id in [*event.hosts, *event.participants]:
            _refuse_unknown(path, "events", i, "hosts/participants", member_id, members)
    for i, community in enumerate(communities):
        for entry in community.members:
            _refuse_unknown(path, "communities", i, "members", entry.member_id, members)
    for i, link in enumerate(links):
        _refuse_unknown(path, "links", i, "resource_id", link.resource_id, resources, "resource")
    for i, person in enumerate(people):
        if person.member_id is not None:
            _refuse_unknown(path, "people", i, "member_id", person.member_id, members)

    with store.transaction() as db:
        db.execute("DELETE FROM cluster_coordinators WHERE created_by = ?", (ACTOR,))
        db.execute("DELETE FROM cluster_plan_items WHERE created_by = ?", (ACTOR,))
        db.execute("DELETE FROM cluster_status_updates WHERE author = ?", (ACTOR,))
    clusters, calendar = ClusterBook(store), CalendarBook(store)
    for cluster, term in terms:
        clusters.add_coordinator(canonical_cluster(cluster), term, ACTOR)
    item_ids: dict[str, list[int]] = {}
    for cluster, item in plan:
        code = canonical_cluster(cluster)
        item_ids.setdefault(code, []).append(clusters.add_plan_item(code, item, ACTOR))
    for i, (cluster, update) in enumerate(updates):
        code = canonical_cluster(cluster)
        if update.plan_item is not None:
            ids = item_ids.get(code, [])
            if update.plan_item > len(ids):
                raise UnreadableFileError(
                    f"{path}: updates[{i}], field 'plan_item': cluster '{code}' has {len(ids)} plan items in this file"
                )
            update = update.model_copy(update={"plan_item": ids[update.plan_item - 1]})
        clusters.add_update(code, update, ACTOR)
    calendar.put_events(events)
    calendar.put_communities(communities)
    calendar.link(links, ACTOR)
    PeopleBook(store).put(people)
    return {
        "coordinators": len(terms),
        "plan": len(plan),
        "updates": len(updates),
        "events": len(events),
        "communities": len(communities),
        "links": len(links),
        "people": len(people),
    }


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}
