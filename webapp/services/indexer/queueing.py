"""Putting indexing work on the RQ queue, and how much is waiting."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry

from webapp.extensions import redis_client

QUEUE = "default"
SIGNATURES_PER_JOB = 100
# A chain outage should not turn into dead letters at once: retry with growing pauses first.
RETRY = Retry(max=6, interval=[1, 3, 10, 30, 60, 120])


def queue(connection: Redis | None = None) -> Queue:
    return Queue(QUEUE, connection=connection or redis_client())


def enqueue_indexing(signatures: Sequence[str], address: str | None = None,
                     connection: Redis | None = None) -> list[str]:
    """One job per chunk of signatures (oldest first); returns the job ids."""
    target = queue(connection)
    ids = []
    for start in range(0, len(signatures), SIGNATURES_PER_JOB):
        chunk = list(signatures[start:start + SIGNATURES_PER_JOB])
        job = target.enqueue("worker.jobs.index_signatures", chunk, address, retry=RETRY, job_timeout=900,
                             description=f"index {len(chunk)} transaction(s)")
        ids.append(str(job.id))
    return ids


def enqueue_once(function: str, job_id: str, connection: Redis | None = None, **kwargs: object) -> bool:
    """Queue a periodic job unless the previous one is still waiting or running."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    target = queue(connection)
    try:
        existing = Job.fetch(job_id, connection=target.connection)
        if existing.get_status() in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            return False
    except NoSuchJobError:
        pass
    target.enqueue(function, job_id=job_id, job_timeout=1800, result_ttl=600, failure_ttl=3600, **kwargs)
    return True


@dataclass(frozen=True)
class QueueDepth:
    waiting: int
    running: int
    failed: int
    scheduled: int


def depth(connection: Redis | None = None) -> QueueDepth:
    target = queue(connection)
    return QueueDepth(waiting=target.count, running=target.started_job_registry.count,
                      failed=target.failed_job_registry.count, scheduled=target.scheduled_job_registry.count)
