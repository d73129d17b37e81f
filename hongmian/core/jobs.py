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
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.tasks import Task, task
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
