"""Pairing jobs: run in a background thread of the worker process that accepted them, recorded in
the store, so that any worker process answers for them, and a restarted service too.

A job that was queued or running in a process that has since stopped (a crash, a restart) would
never finish: it is reported as failed, "interrupted", with what to do about it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import PeermatchError
from matcher.pairing.run import PairingRequest, PairingResult, pair_cohort
from matcher.recommend.engine import Recommender
from matcher.store import Store


def _started(pid: int) -> str:
    """When a process started (clock ticks since boot, from /proc; '' where there is no /proc), so
    that a new process that got an old one's pid, as happens in a restarted container, is not
    taken for it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return ""


logger = logging.getLogger("peermatch.jobs")


class QueueFull(PeermatchError):
    """This process already holds as many unfinished pairing jobs as it may."""


# One process on one host owns a job while it runs; the host part stops a process on another
# machine sharing the data directory from being taken for a dead one of ours.
_OWNER = f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


@dataclass
class Job:
    id: str
    status: str  # queued, running, done, failed
    created: float
    owner: str
    request: PairingRequest
    result: PairingResult | None = None
    error: str | None = None
    finished: float | None = None

    def row(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "created": self.created,
            "finished": self.finished,
            "owner": self.owner,
            "request": self.request.model_dump_json(),
            "result": self.result.model_dump_json() if self.result is not None else None,
            "error": self.error,
        }

    @classmethod
    def from_row(cls, row: dict[str, object]) -> Job:
        result = row["result"]
        return cls(
            id=str(row["id"]),
            status=str(row["status"]),
            created=float(row["created"]),  # type: ignore[arg-type]
            owner=str(row["owner"]),
            request=PairingRequest.model_validate_json(str(row["request"])),
            result=PairingResult.model_validate_json(str(result)) if result is not None else None,
            error=str(row["error"]) if row["error"] is not None else None,
            finished=float(row["finished"]) if row["finished"] is not None else None,  # type: ignore[arg-type]
        )


class Jobs:
    """Submit pairing jobs (one at a time per process, in a background thread) and read them back.

    At most ``queue`` jobs are unfinished (queued or running) in one process; ``submit`` refuses
    more (``QueueFull``), so a burst of requests cannot pile up unbounded work.
    """

    def __init__(self, store: Store, keep_days: float = 30.0, queue: int = 8) -> None:
        self.store = store
        self.keep_seconds = keep_days * 86_400
        self.queue = queue
        self.unfinished = 0
        self._count_lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pairing")

    def submit(self, recommender: Recommender, request: PairingRequest, job_id: str | None = None) -> Job:
        """Queue a job. ``job_id``: the id the client's request names (from its Idempotency-Key):
        the process that claims that row in the store runs it; asked again, here or on another
        replica sharing the store, the job already claimed is returned and runs only once."""
        with self._count_lock:
            if self.unfinished >= self.queue:
                raise QueueFull(f"{self.unfinished} pairing jobs are queued or running (the most this service takes); retry later")
            self.unfinished += 1
        job = Job(job_id or uuid.uuid4().hex, "queued", time.time(), _OWNER, request)
        try:
            self.store.forget_jobs(finished_before=job.created - self.keep_seconds)  # results can be large: keep a window
            if job_id is None:
                self.store.save_job(job.row())
            elif not self.store.claim_job(job.row()):
                self._finished()
                claimed = self.get(job_id)
                return claimed if claimed is not None else job
            self.executor.submit(self._run, job, recommender)
        except BaseException:
            self._finished()
            raise
        return job

    def _run(self, job: Job, recommender: Recommender) -> None:
        try:
            job.status = "running"
            self.store.save_job(job.row())
            try:
                job.result = pair_cohort(recommender, job.request)
                job.status = "done"
            except (PeermatchError, ValueError) as error:
                job.error, job.status = str(error), "failed"
            except Exception as error:  # noqa: BLE001 - the job's thread is its last handler: any error must end as "failed", with its reason
                logger.exception("pairing job %s failed", job.id)
                job.error, job.status = f"internal error: {type(error).__name__}: {error}", "failed"
            job.finished = time.time()
            self.store.save_job(job.row())
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._count_lock:
            self.unfinished -= 1

    def get(self, job_id: str) -> Job | None:
        row = self.store.job(job_id)
        if row is None:
            return None
        job = Job.from_row(row)
        if job.status in {"queued", "running"} and not _alive(job.owner):
            job.status, job.finished = "failed", None
            job.error = "interrupted: the service process running this job stopped (a restart or a crash); submit the request again"
        return job

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _alive(owner: str) -> bool:
    """Whether the process that owns a job still runs; True when it is on another host (unknowable)."""
    host, pid, started = owner.rsplit(":", 2)
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return _started(int(pid)) == started
