"""Clusters as a coordinator and the secretariat see them: the list, one cluster's report
(members, representative fit, themes covered and uncovered, coordinators, work plan, status
updates, participation), and the writes, each checked against the snapshot's members."""

from __future__ import annotations

import csv
import datetime as dt
import io

from pydantic import BaseModel, Field

from matcher.clusters.book import ClusterBook
from matcher.clusters.model import Coordinator, CoordinatorTerm, Participation, PlanItem, StatusUpdate, StoredPlanItem, StoredUpdate
from matcher.clusters.names import cluster_code, cluster_names
from matcher.errors import InvalidFieldError, UnknownClusterError
from matcher.explanations import ENDS_BEFORE_START, explain
from matcher.graph.taxonomy import load_taxonomy
from matcher.recommend.representatives import RepresentativeFit
from matcher.snapshot import Snapshot
from matcher.store import Store

# « la participation a parfois été inégale »: by default a member with nothing in the last
# six months is flagged (two GNLC reporting periods a year).
DEFAULT_PERIOD_DAYS = 182


class ClusterSummary(BaseModel):
    code: str
    names: dict[str, str] = Field(description="The cluster's name in each language (en, fr, es).")
    members: int
    coordinators: list[Coordinator] = Field(description="The coordinators whose term includes the day asked about.")


class ClusterMember(BaseModel):
    id: str
    name: str
    role: str
    country: str
    region: str


class Theme(BaseModel):
    topic: str
    name: str
    members: list[str] = Field(description="Members stating a strength on it.")


class ClusterReport(BaseModel):
    code: str
    names: dict[str, str]
    on: dt.date = Field(description="The day terms and due dates are judged on.")
    since: dt.date
    until: dt.date
    members: list[ClusterMember]
    coordinators: list[Coordinator]
    plan: list[StoredPlanItem]
    updates: list[StoredUpdate]
    participation: list[Participation]
    covered: list[Theme]
    uncovered: list[Theme]
    fit: list[RepresentativeFit] = Field(default_factory=list, description="Each member's representative against the cluster.")

    @property
    def inactive(self) -> list[Participation]:
        return [p for p in self.participation if p.inactive]


def resolve_cluster(snapshot: Snapshot, name: str) -> str:
    """The cluster code ``name`` means (its code or its name in any language); UnknownIdError naming the known ones."""
    code = cluster_code(name, snapshot.settings.taxonomy_path)
    if code is None:
        raise UnknownClusterError(name, list(cluster_names(snapshot.settings.taxonomy_path)))
    return code


def _members_of(snapshot: Snapshot, code: str) -> list[ClusterMember]:
    found = []
    for member in snapshot.members:
        roles = [c.role for c in member.clusters if c.cluster == code]
        if roles:
            role = "coordinator" if "coordinator" in roles else "member"
            found.append(ClusterMember(id=member.id, name=member.name, role=role, country=member.country, region=member.region))
    return sorted(found, key=lambda m: (m.role != "coordinator", m.name))


def clusters_overview(snapshot: Snapshot, store: Store, on: dt.date) -> list[ClusterSummary]:
    book = ClusterBook(store)
    counts: dict[str, int] = {}
    for member in snapshot.members:
        for code in {c.cluster for c in member.clusters}:
            counts[code] = counts.get(code, 0) + 1
    return [
        ClusterSummary(
            code=code,
            names=names,
            members=counts.get(code, 0),
            coordinators=[c for c in book.coordinators(code, on, snapshot.names) if c.current],
        )
        for code, names in cluster_names(snapshot.settings.taxonomy_path).items()
    ]


def cluster_report(
    snapshot: Snapshot,
    store: Store,
    cluster: str,
    on: dt.date,
    since: dt.date | None = None,
    until: dt.date | None = None,
    fit: bool = True,
) -> ClusterReport:
    """Everything about one cluster; participation counted from ``since`` (default: ``DEFAULT_PERIOD_DAYS``
    before ``until``) to ``until`` (default: ``on``). ``fit``: also each representative's fit (it embeds their profiles)."""
    code = resolve_cluster(snapshot, cluster)
    until = until or on
    since = since or until - dt.timedelta(days=DEFAULT_PERIOD_DAYS)
    if since > until:
        why = explain(ENDS_BEFORE_START, ends=until.isoformat(), starts=since.isoformat())
        raise InvalidFieldError("since", f"{since} is after until ({until})", why)
    book = ClusterBook(store)
    members = _members_of(snapshot, code)
    ids = {m.id for m in members}
    authored: dict[str, int] = {}
    for resource in snapshot.resources:
        if resource.published is not None and since <= resource.published <= until:
            for author in set(resource.authors) & ids:
                authored[author] = authored.get(author, 0) + 1
    taxonomy = load_taxonomy(snapshot.settings.taxonomy_path)
    themes = [t for t in taxonomy.values() if t.cluster == code and not t.id.startswith("cluster-")]
    stating: dict[str, list[str]] = {t.id: [] for t in themes}
    for member in members:
        for strength in snapshot.members_by_id[member.id].strengths:
            if strength.topic in stating and member.id not in stating[strength.topic]:
                stating[strength.topic].append(member.id)
    theme_rows = [Theme(topic=t.id, name=t.label["en"], members=stating[t.id]) for t in themes]
    return ClusterReport(
        code=code,
        names=cluster_names(snapshot.settings.taxonomy_path)[code],
        on=on,
        since=since,
        until=until,
        members=members,
        coordinators=book.coordinators(code, on, snapshot.names),
        plan=book.plan(code, on, snapshot.names),
        updates=book.updates(code),
        participation=book.participation(code, {m.id: (m.name, m.role) for m in members}, authored, since, until),
        covered=[t for t in theme_rows if t.members],
        uncovered=[t for t in theme_rows if not t.members],
        fit=[snapshot.recommender.representative_fit(m.id, code) for m in members] if fit else [],
    )


def _member(snapshot: Snapshot, field: str, member_id: str) -> None:
    if member_id not in snapshot.members_by_id:
        raise InvalidFieldError(field, f"no member with id '{member_id}'")


def add_coordinator(snapshot: Snapshot, store: Store, cluster: str, term: CoordinatorTerm, actor: str) -> int:
    code = resolve_cluster(snapshot, cluster)
    _member(snapshot, "member_id", term.member_id)
    return ClusterBook(store).add_coordinator(code, term, actor)


def add_plan_item(snapshot: Snapshot, store: Store, cluster: str, item: PlanItem, actor: str) -> int:
    code = resolve_cluster(snapshot, cluster)
    _member(snapshot, "owner", item.owner)
    return ClusterBook(store).add_plan_item(code, item, actor)


def add_status_update(snapshot: Snapshot, store: Store, cluster: str, update: StatusUpdate, actor: str) -> int:
    return ClusterBook(store).add_update(resolve_cluster(snapshot, cluster), update, actor)


def report_csv(report: ClusterReport, language: str = "en") -> str:
    """The report as one CSV a coordinator can send: a section per part, each with its header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["cluster", report.code, report.names.get(language) or report.names["en"]])
    writer.writerow(["period", report.since.isoformat(), report.until.isoformat()])
    writer.writerow([])
    writer.writerow(["coordinators", "member_id", "name", "starts", "ends", "current"])
    for c in report.coordinators:
        writer.writerow(["", c.member_id, c.member_name, c.starts.isoformat(), c.ends.isoformat(), "yes" if c.current else "no"])
    writer.writerow([])
    writer.writerow(["work plan", "id", "objective", "output", "owner", "due", "status", "overdue"])
    for p in report.plan:
        writer.writerow(["", p.id, p.objective, p.output, p.owner_name, p.due.isoformat(), p.status, "yes" if p.overdue else "no"])
    writer.writerow([])
    writer.writerow(["status updates", "on", "plan_item", "status", "text", "author"])
    for u in report.updates:
        writer.writerow(["", u.on.isoformat(), u.plan_item or "", u.status or "", u.text, u.author])
    writer.writerow([])
    fits = {f.member_id: f for f in report.fit}
    writer.writerow(
        [
            "participation",
            "member_id",
            "name",
            "role",
            "proposals",
            "check_ins",
            "events_hosted",
            "events_attended",
            "resources",
            "inactive",
            "representative_fit",
        ]
    )
    for row in report.participation:
        fit = fits.get(row.member_id)
        writer.writerow(
            [
                "",
                row.member_id,
                row.name,
                row.role,
                row.proposals,
                row.check_ins,
                row.events_hosted,
                row.events_attended,
                row.resources,
                "yes" if row.inactive else "no",
                fit.fit if fit else "",
            ]
        )
    writer.writerow([])
    writer.writerow(["themes", "topic", "name", "covered_by"])
    for theme in [*report.covered, *report.uncovered]:
        writer.writerow(["", theme.topic, theme.name, " ".join(theme.members)])
    return out.getvalue()
