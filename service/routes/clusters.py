"""Clusters through /v1: the list, one cluster's report (JSON or CSV), and the coordinator terms,
work-plan items and status updates the secretariat adds. A cluster is named by its code or by its
name in English, French or Spanish; an unknown one is a 404 that lists the known codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from matcher.clusters.model import CoordinatorTerm, PlanItem, StatusUpdate
from matcher.usecases import clusters
from service.deps import Reader, State, Writer

router = APIRouter(prefix="/v1/clusters", tags=["clusters"])
ClusterName = Annotated[str, Path(min_length=1, max_length=200, description="The cluster's code (e.g. 'gced') or its name in en/fr/es.")]
On = Annotated[dt.date | None, Query(description="The day terms and due dates are judged on (default: today, UTC).")]
Since = Annotated[dt.date | None, Query(description="Participation counted from this day (default: 182 days before 'until').")]
Until = Annotated[dt.date | None, Query(description="...to this day (default: 'on').")]
NOT_FOUND: dict[int | str, dict[str, str]] = {404: {"description": "No cluster by that name (the message lists the known codes)."}}


class Created(BaseModel):
    id: int


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@router.get("", response_model=list[clusters.ClusterSummary], summary="List the clusters with their names and current coordinators")
def list_clusters(state: State, key: Reader, on: On = None) -> list[clusters.ClusterSummary]:
    return clusters.clusters_overview(state.snapshot, state.workspace.store, on or today())


@router.get(
    "/{cluster}",
    response_model=clusters.ClusterReport,
    summary="A cluster's report: members, coordinators' terms, work plan, status updates, participation, themes",
    responses=NOT_FOUND,
)
def cluster_report(
    cluster: ClusterName,
    state: State,
    key: Reader,
    on: On = None,
    since: Since = None,
    until: Until = None,
    fit: Annotated[bool, Query(description="Also each member's representative fit (embeds their profiles).")] = False,
) -> clusters.ClusterReport:
    return clusters.cluster_report(state.snapshot, state.workspace.store, cluster, on or today(), since, until, fit)


@router.get(
    "/{cluster}/report.csv",
    summary="The cluster's report as one CSV file a coordinator can send",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **NOT_FOUND},
)
def cluster_report_csv(
    cluster: ClusterName,
    state: State,
    key: Reader,
    on: On = None,
    since: Since = None,
    until: Until = None,
    language: Annotated[Literal["en", "fr", "es"], Query(description="The language of the cluster's name.")] = "en",
) -> Response:
    report = clusters.cluster_report(state.snapshot, state.workspace.store, cluster, on or today(), since, until, fit=True)
    headers = {"Content-Disposition": f'attachment; filename="cluster-{report.code}.csv"'}
    return Response(clusters.report_csv(report, language), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/{cluster}/coordinators", response_model=Created, status_code=201, summary="Add a coordinator's term", responses=NOT_FOUND)
def add_coordinator(cluster: ClusterName, body: CoordinatorTerm, state: State, key: Writer) -> Created:
    return Created(id=clusters.add_coordinator(state.snapshot, state.workspace.store, cluster, body, f"key:{key.name}"))


@router.post("/{cluster}/plan", response_model=Created, status_code=201, summary="Add an item to the work plan", responses=NOT_FOUND)
def add_plan_item(cluster: ClusterName, body: PlanItem, state: State, key: Writer) -> Created:
    return Created(id=clusters.add_plan_item(state.snapshot, state.workspace.store, cluster, body, f"key:{key.name}"))


@router.post("/{cluster}/updates", response_model=Created, status_code=201, summary="Add a dated status update", responses=NOT_FOUND)
def add_status_update(cluster: ClusterName, body: StatusUpdate, state: State, key: Writer) -> Created:
    return Created(id=clusters.add_status_update(state.snapshot, state.workspace.store, cluster, body, f"key:{key.name}"))
