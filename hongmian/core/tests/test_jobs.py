import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hongmian.core.models import JobRun
from hongmian.core.tests.jobs_for_tests import flaky


def _work():
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def _release_deferred():
    # Stands in for the back-off delay passing: the retry becomes due now.
    DBTaskResult.objects.filter(run_after__isnull=False).update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_failed_attempt_is_recorded_and_retried_until_it_succeeds():
    flaky.enqueue(fail_until_attempt=2)
    _work()
    first = JobRun.objects.get()
    assert first.outcome == JobRun.Outcome.RETRYING
    assert "downstream system unavailable" in first.error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()  # back-off, not an immediate hammering

    _release_deferred()
    _work()
    second = JobRun.objects.order_by("id").last()
    assert second.attempt == 2
    assert second.outcome == JobRun.Outcome.SUCCEEDED
    assert second.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_last_failure_stays_on_record_and_is_not_retried_again():
    flaky.enqueue(fail_until_attempt=99)
    _work()
    _release_deferred()
    _work()
    runs = list(JobRun.objects.order_by("id"))
    assert [r.outcome for r in runs] == [JobRun.Outcome.RETRYING, JobRun.Outcome.FAILED]
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 2
