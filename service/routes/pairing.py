"""Pairing jobs: create one, follow its status, fetch its result."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from matcher.errors import UnknownIdError
from matcher.pairing.run import PairingRequest, PairingResult
from matcher.partnerships import Partnerships
from matcher.usecases.pairing import with_proposal_history
from service.deps import Reader, State
from service.jobs import Job, QueueFull

router = APIRouter(prefix="/v1/pairings", tags=["pairing"])


class JobStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    created: dt.datetime = Field(description="When the job was accepted (ISO 8601, UTC).")
    finished: dt.datetime | None = Field(description="When it ended (ISO 8601, UTC); none while it runs.")
    error: str | None = Field(description="Why it failed.")
    result_url: str | None = Field(description="Where its result is, once done.")


def _time(epoch: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch is not None else None


def _status(job: Job) -> JobStatus:
    return JobStatus(
        id=job.id,
        status=job.status,  # type: ignore[arg-type]
        created=dt.datetime.fromtimestamp(job.created, dt.UTC),
        finished=_time(job.finished),
        error=job.error,
        result_url=f"/v1/pairings/{job.id}/result" if job.status == "done" else None,
    )


@router.post(
    "",
    response_model=JobStatus,
    status_code=202,
    summary="Start a pairing job for a cohort",
    responses={
        202: {"headers": {"Location": {"description": "The job's status URL.", "required": True, "schema": {"type": "string"}}}},
        503: {"description": "as many pairing jobs as the service takes are queued or running (Retry-After says when to try again)"},
    },
)
def create_pairing(request: PairingRequest, state: State, key: Reader, response: Response, http: Request) -> JobStatus:
    # With an Idempotency-Key the job's id comes from it (and the API key): the same job asked
    # again, of this replica or of another one sharing the store, is the one job, run once.
    asked = http.headers.get("Idempotency-Key")
    job_id = hashlib.sha256(f"{key.name}\0{asked}".encode()).hexdigest()[:32] if asked else None
    try:
        request = with_proposal_history(request, Partnerships(state.workspace.store))
        job = state.jobs.submit(state.snapshot.recommender, request, job_id)
    except QueueFull as error:
        raise HTTPException(503, str(error), headers={"Retry-After": str(state.settings.retry_after_seconds)}) from error
    response.headers["Location"] = f"/v1/pairings/{job.id}"
    return _status(job)


@router.get("/{job_id}", response_model=JobStatus, summary="A pairing job's status")
def pairing_status(job_id: str, state: State, key: Reader) -> JobStatus:
    job = state.jobs.get(job_id)
    if job is None:
        raise UnknownIdError("pairing job", job_id)
    return _status(job)


@router.get(
    "/{job_id}/result",
    response_model=PairingResult,
    summary="A finished pairing job's result",
    responses={409: {"description": "the job has not finished"}},
)
def pairing_result(job_id: str, state: State, key: Reader) -> PairingResult:
    job = state.jobs.get(job_id)
    if job is None:
        raise UnknownIdError("pairing job", job_id)
    if job.status != "done" or job.result is None:
        raise HTTPException(409, f"pairing job '{job_id}' is {job.status}" + (f": {job.error}" if job.error else ""))
    return job.result
