"""Jobs used by test_jobs.py (tasks must live at an importable module path)."""

from hongmian.core.jobs import reliable_task
from hongmian.core.models import JobRun


@reliable_task(max_attempts=2)
def flaky(fail_until_attempt: int) -> str:
    # Fails while fewer than `fail_until_attempt` earlier attempts are on record.
    if JobRun.objects.filter(job__endswith=".flaky").count() < fail_until_attempt:
        raise RuntimeError("downstream system unavailable")
    return "done"
