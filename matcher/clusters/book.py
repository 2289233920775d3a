"""Coordinators, the work plan, status updates and participation, kept in the store (tables
``cluster_*``). Callers check that clusters and members exist (``matcher.usecases.clusters``);
this module checks what only the store knows (a plan item belongs to the cluster)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from matcher.clusters.model import (
    Coordinator,
    CoordinatorTerm,
    Participation,
    PlanItem,
    StatusUpdate,
    StoredPlanItem,
    StoredUpdate,
)
from matcher.errors import InvalidFieldError
from matcher.store import Store

FINISHED = ("done", "dropped")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class ClusterBook:
    """One store's cluster records; every write is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- writes ---------------------------------------------------------------------------------

    def add_coordinator(self, cluster: str, term: CoordinatorTerm, actor: str) -> int:
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO cluster_coordinators (cluster, member_id, starts, ends, note, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cluster, term.member_id, term.starts.isoformat(), term.last_day.isoformat(), term.note, actor, _now()),
            )
            return int(cursor.lastrowid or 0)

    def add_plan_item(self, cluster: str, item: PlanItem, actor: str) -> int:
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO cluster_plan_items (cluster, objective, output, owner, due, status, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (cluster, item.objective, item.output, item.owner, item.due.isoformat(), item.status, actor, _now()),
            )
            return int(cursor.lastrowid or 0)

    def add_update(self, cluster: str, update: StatusUpdate, actor: str) -> int:
        """Store a status update; one that names a plan item of this cluster with a status moves it."""
        with self.store.transaction() as db:
            if update.plan_item is not None:
                row = db.execute("SELECT cluster FROM cluster_plan_items WHERE id = ?", (update.plan_item,)).fetchone()
                if row is None or row[0] != cluster:
                    raise InvalidFieldError("plan_item", f"cluster '{cluster}' has no plan item {update.plan_item}")
                if update.status is not None:
                    db.execute("UPDATE cluster_plan_items SET status = ? WHERE id = ?", (update.status, update.plan_item))
            cursor = db.execute(
                "INSERT INTO cluster_status_updates (cluster, on_date, text, plan_item_id, status, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cluster, update.on.isoformat(), update.text, update.plan_item, update.status, actor, _now()),
            )
            return int(cursor.lastrowid or 0)

    # ---- reads ----------------------------------------------------------------------------------

    def coordinators(self, cluster: str, on: dt.date, names: Mapping[str, str]) -> list[Coordinator]:
        """Every term of the cluster, the current ones first, then by start (latest first)."""
        with self.store.reading() as db:
            rows = db.execute("SELECT id, member_id, starts, ends, note FROM cluster_coordinators WHERE cluster = ?", (cluster,)).fetchall()
        terms = []
        for term_id, member_id, starts, ends, note in rows:
            start, end = dt.date.fromisoformat(starts), dt.date.fromisoformat(ends)
            terms.append(
                Coordinator(
                    id=term_id,
                    cluster=cluster,
                    member_id=member_id,
                    member_name=names.get(member_id, member_id),
                    starts=start,
                    ends=end,
                    note=note,
                    current=start <= on <= end,
                    days_left=(end - on).days,
                )
            )
        return sorted(terms, key=lambda t: (not t.current, -t.starts.toordinal(), t.id))

    def plan(self, cluster: str, on: dt.date, names: Mapping[str, str]) -> list[StoredPlanItem]:
        """The work plan, by due date."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT id, objective, output, owner, due, status FROM cluster_plan_items WHERE cluster = ? ORDER BY due, id",
                (cluster,),
            ).fetchall()
        return [
            StoredPlanItem(
                id=item_id,
                cluster=cluster,
                objective=objective,
                output=output,
                owner=owner,
                owner_name=names.get(owner, owner),
                due=dt.date.fromisoformat(due),
                status=status,
                overdue=dt.date.fromisoformat(due) < on and status not in FINISHED,
            )
            for item_id, objective, output, owner, due, status in rows
        ]

    def updates(self, cluster: str) -> list[StoredUpdate]:
        """Status updates, newest first."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT id, on_date, text, plan_item_id, status, author FROM cluster_status_updates WHERE cluster = ?"
                " ORDER BY on_date DESC, id DESC",
                (cluster,),
            ).fetchall()
        return [
            StoredUpdate(id=i, cluster=cluster, on=dt.date.fromisoformat(on), text=text, plan_item=item, status=status, author=author)
            for i, on, text, item, status, author in rows
        ]

    def participation(
        self,
        cluster: str,
        members: Mapping[str, tuple[str, str]],
        authored: Mapping[str, int],
        since: dt.date,
        until: dt.date,
    ) -> list[Participation]:
        """What each member did from ``since`` to ``until`` (days included): proposals involving it,
        check-ins on them, events of this cluster it hosted or attended (``calendar_events``), and
        ``authored`` (resources it published in the period, counted by the caller from the records).
        ``members``: member id -> (name, role in the cluster). The least active come first."""
        start, end = since.isoformat(), (until + dt.timedelta(days=1)).isoformat()
        counts: dict[str, dict[str, int]] = {m: {} for m in members}
        with self.store.reading() as db:
            for member_id in members:
                proposals = db.execute(
                    "SELECT COUNT(*) FROM proposals WHERE (member_id = ? OR partner_id = ?) AND created_at >= ? AND created_at < ?",
                    (member_id, member_id, start, end),
                ).fetchone()[0]
                check_ins = db.execute(
                    "SELECT COUNT(*) FROM proposal_events e JOIN proposals p ON p.id = e.proposal_id"
                    " WHERE e.step = 'check_in' AND (p.member_id = ? OR p.partner_id = ?)"
                    " AND json_extract(e.payload, '$.on') >= ? AND json_extract(e.payload, '$.on') < ?",
                    (member_id, member_id, start, end),
                ).fetchone()[0]
                roles = dict(
                    db.execute(
                        "SELECT m.role, COUNT(*) FROM calendar_event_members m JOIN calendar_events e ON e.id = m.event_id"
                        " WHERE m.member_id = ? AND e.cluster = ? AND e.starts >= ? AND e.starts < ? GROUP BY m.role",
                        (member_id, cluster, start, end),
                    ).fetchall()
                )
                counts[member_id] = {"proposals": proposals, "check_ins": check_ins, **roles}
        rows = []
        for member_id, (name, role) in members.items():
            found = counts[member_id]
            row = Participation(
                member_id=member_id,
                name=name,
                role=role,
                proposals=found.get("proposals", 0),
                check_ins=found.get("check_ins", 0),
                events_hosted=found.get("host", 0),
                events_attended=found.get("participant", 0),
                resources=authored.get(member_id, 0),
                inactive=False,
            )
            rows.append(row.model_copy(update={"inactive": row.total == 0}))
        return sorted(rows, key=lambda r: (r.total, r.name))
