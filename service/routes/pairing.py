"""Pairing jobs: create one, follow its status, fetch its result."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from matcher.pairing.run import PairingRequest, PairingResult
from service.deps import Reader, State
from service.jobs import Job, QueueFull

router = APIRouter(prefix="/v1/pairings", tags=["pairing"])


class JobStatus(BaseModel):
    id: str
    status: str
    created: float
    finished: float | None
    error: str | None
    result_url: str | None


def _status(job: Job) -> JobStatus:
    return JobStatus(
        id=job.id,
        status=job.status,
        created=job.created,
        finished=job.finished,
        error=job.error,
        result_url=f"/v1/pairings/{job.id}/result" if job.status == "done" else None,
    )


@router.post("", response_model=JobStatus, status_code=202, summary="Start a pairing job for a cohort")
def create(request: PairingRequest, state: State, key: Reader, http: Request) -> JobStatus:
    try:
        job = state.jobs.submit(state.snapshot.recommender, request)
    except QueueFull as error:
        raise HTTPException(503, str(error), headers={"Retry-After": str(state.settings.retry_after_seconds)}) from error
    return _status(job)


@router.get("/{job_id}", response_model=JobStatus, summary="A pairing job's status")
def status(job_id: str, state: State, key: Reader) -> JobStatus:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no pairing job '{job_id}'")
    return _status(job)


@router.get(
    "/{job_id}/result",
    response_model=PairingResult,
    summary="A finished pairing job's result",
    responses={409: {"description": "the job has not finished"}},
)
def result(job_id: str, state: State, key: Reader) -> PairingResult:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no pairing job '{job_id}'")
    if job.status != "done" or job.result is None:
        raise HTTPException(409, f"pairing job '{job_id}' is {job.status}" + (f": {job.error}" if job.error else ""))
    return job.result
