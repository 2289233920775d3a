"""Clusters: the list (names, not codes; current coordinators) and one cluster's page, the report a
coordinator sends: coordinators' terms, the work plan, status updates, who takes part and who did
nothing in the period, themes covered and uncovered, representatives' fit, the cluster's
peer-learning database. The same report as CSV; printing the page gives a clean copy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import ValidationError

from matcher.clusters.model import PLAN_STATUSES, CoordinatorTerm, PlanItem, StatusUpdate
from matcher.errors import InvalidFieldError, PeermatchError
from matcher.graph.taxonomy import load_taxonomy
from matcher.usecases import calendar, clusters
from service.console.form_problems import FormProblem, day, form_problems, told
from service.console.web import DOWNLOAD_HEADERS, ConsolePage, SignedIn

router = APIRouter(include_in_schema=False)
ClusterName = Annotated[str, Path(min_length=1, max_length=200)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


PERIOD_LABELS = {"since": "From", "until": "To"}  # the period form's boxes, by their labels on the page


@router.get("/clusters")
def cluster_list(page: SignedIn) -> Response:
    on = _today()
    summaries = clusters.clusters_overview(page.state.snapshot, page.state.workspace.store, on)
    return page.render("clusters.html", clusters=summaries, on=on)


def _report(page: ConsolePage, cluster: str, since: str, until: str, fit: bool) -> clusters.ClusterReport:
    """The cluster's report over the period typed (a bad date, or one that ends before it starts,
    is a FormProblem or an InvalidFieldError that names the box)."""
    period = {"since": since, "until": until}
    start, end = (day(period, name, label, page.t) for name, label in PERIOD_LABELS.items())
    return clusters.cluster_report(page.state.snapshot, page.state.workspace.store, cluster, _today(), start, end, fit=fit)


@router.get("/clusters/{cluster}")
def cluster_page(
    page: SignedIn,
    cluster: ClusterName,
    since: str = Query("", max_length=10),
    until: str = Query("", max_length=10),
    fit: bool = False,
) -> Response:
    snapshot = page.state.snapshot
    try:
        report = _report(page, cluster, since, until, fit)
    except (FormProblem, InvalidFieldError) as error:  # the period typed: the default one, and why
        return page.redirect(f"/clusters/{quote(cluster, safe='')}", told(error, page.t, PERIOD_LABELS), error=True)
    learning = calendar.peer_learning(snapshot, page.state.workspace.store, report.code)
    upcoming = [e for e in calendar.events_of(snapshot, page.state.workspace.store, report.code) if e.ends.date() >= report.on]
    communities = calendar.communities_of(snapshot, page.state.workspace.store, report.code)
    return page.render(
        "cluster.html",
        r=report,
        communities=communities,
        learning=learning,
        upcoming=upcoming,
        statuses=PLAN_STATUSES,
        fit_shown=fit,
        names=snapshot.names,
        topics=load_taxonomy(snapshot.settings.taxonomy_path),  # each theme named in the reader's language
    )


@router.get("/clusters/{cluster}/report.csv")
def cluster_csv(
    page: SignedIn, cluster: ClusterName, since: str = Query("", max_length=10), until: str = Query("", max_length=10)
) -> Response:
    report = _report(page, cluster, since, until, fit=True)
    headers = DOWNLOAD_HEADERS | {"Content-Disposition": f'attachment; filename="cluster-{report.code}.csv"'}
    body = "\ufeff" + clusters.report_csv(report, page.t.language)  # the BOM: Excel then reads UTF-8
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


# The cluster models' fields as cluster.html's three forms label them.
FIELD_LABELS = {
    "member_id": "Member",
    "starts": "Term starts",
    "ends": "Term ends (empty: two years)",
    "objective": "Objective",
    "output": "Output",
    "owner": "Owner",
    "due": "Due",
    "on": "Date",
    "text": "What happened",
    "plan_item": "Plan item (optional)",
    "status": "Its new status (optional)",
}


def _text(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


@router.post("/clusters/{cluster}/{part}")
async def cluster_write(
    page: SignedIn, cluster: ClusterName, part: Annotated[str, Path(pattern="^(coordinators|plan|updates)$")]
) -> Response:
    page.require_secretariat()
    form = await page.form()
    snapshot, store = page.state.snapshot, page.state.workspace.store
    back = f"/clusters/{cluster}"
    try:
        if part == "coordinators":
            term = CoordinatorTerm(
                member_id=_text(form, "member_id"),
                starts=_text(form, "starts"),
                ends=_text(form, "ends") or None,  # type: ignore[arg-type]
            )
            clusters.add_coordinator(snapshot, store, cluster, term, page.actor)
        elif part == "plan":
            item = PlanItem(
                objective=_text(form, "objective"),
                output=_text(form, "output"),
                owner=_text(form, "owner"),
                due=_text(form, "due"),  # type: ignore[arg-type]
            )
            clusters.add_plan_item(snapshot, store, cluster, item, page.actor)
        else:
            plan_item = _text(form, "plan_item")
            update = StatusUpdate(
                on=_text(form, "on") or _today(),  # type: ignore[arg-type]
                text=_text(form, "text"),
                plan_item=int(plan_item) if plan_item.isdecimal() else None,
                status=_text(form, "status") or None,  # type: ignore[arg-type]
            )
            clusters.add_status_update(snapshot, store, cluster, update, page.actor)
    except ValidationError as error:
        return page.redirect(back, form_problems(error, page.t, FIELD_LABELS), error=True)
    except PeermatchError as error:
        return page.redirect(back, str(error), error=True)
    return page.redirect(back, page.t.plain("Saved."))
