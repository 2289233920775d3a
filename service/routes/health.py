"""Liveness, readiness and Prometheus metrics.

/health and /ready are ``async`` and take no dependency, so they run on the event loop and never
wait for a worker thread: they answer in milliseconds however busy the heavy routes are.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from matcher import __version__
from service.deps import Admin

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    ready: bool
    pid: int
    generation: str | None
    store_revision: int | None
    members: int
    resources: int


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness: store and indexes loaded",
    responses={503: {"model": Readiness, "description": "not ready: no index has been built yet"}},
)
async def ready(request: Request) -> Any:
    body = request.app.state.service.describe()  # reads one reference: no I/O, no lock
    return JSONResponse(body, status_code=200 if body["ready"] else 503)


@router.get(
    "/metrics", summary="Prometheus metrics (admin key)", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}}
)
def metrics(request: Request, key: Admin) -> Response:
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
