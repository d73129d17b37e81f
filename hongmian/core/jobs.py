"""Background jobs that are never lost silently.

`@reliable_task(...)` declares a Django task (django.tasks) whose every attempt is written to
JobRun. A failing attempt is recorded with its error and the job is enqueued again with a
back-off, up to HONGMIAN_TASK_MAX_ATTEMPTS; the last failure stays recorded as failed (and
the task backend marks it FAILED too). A JobRun starts out as "failed · interrupted", so a
worker that dies mid-job leaves a failure on record, never a silent gap.

Arguments must be JSON-serialisable (the database backend stores them as JSON).
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.tasks import Task, TaskResultStatus, task
from django.utils import timezone

from hongmian.core.models import JobRun

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_INTERRUPTED = "interrupted before it finished"
# Seconds to wait before attempt 2, 3, …: grows so that a flapping dependency can recover.
_BACKOFF_SECONDS = (30, 120, 600, 1800)


def backoff_for(attempt: int) -> timedelta:
    return timedelta(seconds=_BACKOFF_SECONDS[min(attempt - 1, len(_BACKOFF_SECONDS) - 1)])


def reliable_task(
    *, max_attempts: int | None = None, priority: int = 0, queue_name: str = "default"
) -> Callable[[Callable[P, R]], Task[..., R]]:
    # The task's own signature adds `_attempt` (the retry count) to the function's.
    def decorate(func: Callable[P, R]) -> Task[..., R]:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args: Any, _attempt: int = 1, **kwargs: Any) -> Any:
            limit = max_attempts or settings.HONGMIAN_TASK_MAX_ATTEMPTS
            record = JobRun.objects.create(
                job=name, attempt=_attempt, outcome=JobRun.Outcome.FAILED, error=_INTERRUPTED
            )
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                retrying = _attempt < limit
                record.outcome = JobRun.Outcome.RETRYING if retrying else JobRun.Outcome.FAILED
                record.error = "".join(traceback.format_exception(exc))[-4000:]
                record.finished_at = timezone.now()
                record.save(update_fields=["outcome", "error", "finished_at"])
                if retrying:
                    wrapped.using(run_after=timezone.now() + backoff_for(_attempt)).enqueue(
                        *args, _attempt=_attempt + 1, **kwargs
                    )
                    logger.warning("job %s attempt %d failed; retrying", name, _attempt)
                else:
                    logger.error("job %s failed after %d attempts", name, _attempt)
                raise
            record.outcome = JobRun.Outcome.SUCCEEDED
            record.error = ""
            record.finished_at = timezone.now()
            record.save(update_fields=["outcome", "error", "finished_at"])
            return result

        # Read by jobs_recover: a lost attempt of this job counts against the same limit.
        run.reliable_max_attempts = max_attempts  # type: ignore[attr-defined]
        wrapped: Task[..., R] = task(priority=priority, queue_name=queue_name)(run)
        return wrapped

    return decorate


def queue_is_transactional(task: Task[Any, Any]) -> bool:
    """Whether `task`'s queue lives in our database, so that enqueuing inside a transaction
    commits or rolls back with it (an outbox). Brokers and the immediate backend cannot."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_many(task: Task[Any, Any], calls: Sequence[Mapping[str, Any]]) -> None:
    """Queue one run of `task` per keyword set in `calls`. With the database queue this is
    ONE `INSERT` of all the rows, in the caller's transaction if there is one; other
    backends enqueue them one by one."""
    if not calls:
        return
    if not queue_is_transactional(task):
        for kwargs in calls:
            task.enqueue(**kwargs)
        return
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task.get_backend()
    backend.validate_task(task)
    run_after = task.run_after or get_date_max()
    DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                args_kwargs=normalize_json({"args": [], "kwargs": dict(kwargs)}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=run_after,
                backend_name=backend.alias,
            )
            for kwargs in calls
        ]
    )


@dataclass(frozen=True, slots=True)
class Recovered:
    requeued: int
    failed: int


def jobs_recover(*, now: Any = None) -> Recovered:
    """Put back in the queue every job whose worker died while running it.

    The database queue marks a job RUNNING when a worker takes it and never hears again from
    a worker killed mid-job (SIGKILL, a lost host, the OOM killer). A job still RUNNING
    HONGMIAN_TASK_LEASE_SECONDS after it started is taken as lost: it is made READY again as
    its next attempt (a `reliable_task`'s lost attempt counts against its limit, and is on
    record as "interrupted"), or FAILED when that was its last. So every job runs to the end
    at least once; a job's effect happens once because each job commits its effect in one
    transaction (rolled back with the dead worker's connection) or is idempotent. A job that
    can run longer than the lease must not be a database-queue job (docs/deployment.md).
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.HONGMIAN_TASK_LEASE_SECONDS)
    requeued = failed = 0
    with transaction.atomic():
        lost = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for row in lost:
            kwargs = dict(row.args_kwargs.get("kwargs") or {})
            try:
                func = row.task.func
            except Exception:  # the job's code is gone: nothing can run it again
                func = None
            reliable = func is not None and hasattr(func, "reliable_max_attempts")
            attempt = int(kwargs.get("_attempt", 1))
            limit = (
                getattr(func, "reliable_max_attempts", None) or settings.HONGMIAN_TASK_MAX_ATTEMPTS
            )
            if func is None or (reliable and attempt >= limit):
                row.status = TaskResultStatus.FAILED
                row.finished_at = now
                row.exception_class_path = "hongmian.core.jobs.WorkerLost"
                row.traceback = f"the worker died while running attempt {attempt}"
                row.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                logger.error("job %s lost on its last attempt %d", row.task_path, attempt)
                failed += 1
                continue
            if reliable:
                kwargs["_attempt"] = attempt + 1
            row.args_kwargs = {**row.args_kwargs, "kwargs": kwargs}
            row.status = TaskResultStatus.READY
            row.started_at = None
            row.run_after = get_date_max()  # the queue's "no delay": due at once
            row.save(update_fields=["args_kwargs", "status", "started_at", "run_after"])
            logger.warning("job %s lost by its worker; queued again", row.task_path)
            requeued += 1
    return Recovered(requeued=requeued, failed=failed)
