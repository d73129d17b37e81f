""" "Generate now" on the report archive: who may press it (a reader who may not issue gets
403, anyone else the 404 of a missing page), that it queues the schedule's own job, and
that the job's issue then names the person and is marked manual. Also: the archive page in
English."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hongmian.analytics import services, tasks
from hongmian.analytics.models import ReportIssue
from hongmian.analytics.states import IssueTrigger
from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GENERATE = reverse("analytics:report_generate")
ISSUERS = [Role.CHIEF_DATA_OFFICER, Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN]


def _queued() -> list[tuple[str, dict[str, Any]]]:
    return [
        (r.task_path.rsplit(".", 1)[-1], r.args_kwargs["kwargs"])
        for r in DBTaskResult.objects.order_by("id")
    ]


@pytest.mark.parametrize("role", ISSUERS)
def test_an_issuer_queues_the_scheduled_job(client: Any, role: Role) -> None:
    user = UserFactory(role=role)
    client.force_login(user)

    page = client.get(reverse("analytics:reports")).content.decode()
    assert GENERATE in page
    assert "csrfmiddlewaretoken" in page

    response = client.post(GENERATE, {"kind": "month"}, follow=True)

    job = DBTaskResult.objects.get()
    assert response.redirect_chain == [(f"{reverse('analytics:reports')}?job={job.id}", 302)]
    html = response.content.decode()
    assert "已加入生成队列" in html
    assert _queued() == [("monthly_report", {"requested_by": user.pk})]
    # The progress box, polling its job.
    assert 'data-state="queued"' in html
    assert f'hx-get="{reverse("analytics:report_job", args=[job.id])}"' in html


def test_weekly_and_bad_kinds(client: Any) -> None:
    user = UserFactory(role=Role.HOTLINE_SUPERVISOR)
    client.force_login(user)
    client.post(GENERATE, {"kind": "week"})
    response = client.post(GENERATE, {"kind": "year"}, follow=True)
    assert "请选择周报或月报" in response.content.decode()
    assert _queued() == [("weekly_report", {"requested_by": user.pk})]


def test_a_reader_who_may_not_issue_gets_403(client: Any) -> None:
    client.force_login(UserFactory(role=Role.CITY_LEADER))
    assert GENERATE not in client.get(reverse("analytics:reports")).content.decode()
    assert client.post(GENERATE, {"kind": "month"}).status_code == 403
    assert _queued() == []


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.HOTLINE_AGENT, Role.DEPT_HANDLER])
def test_anyone_else_gets_not_found(client: Any, role: Role) -> None:
    client.force_login(UserFactory(role=role))
    assert client.post(GENERATE, {"kind": "month"}).status_code == 404
    assert _queued() == []


def test_only_a_post_with_a_csrf_token(client: Any) -> None:
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    assert client.get(GENERATE).status_code == 405
    strict = type(client)(enforce_csrf_checks=True)
    strict.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    assert strict.post(GENERATE, {"kind": "month"}).status_code == 403
    assert _queued() == []


def test_the_service_refuses_without_the_role() -> None:
    with pytest.raises(PermissionDenied):
        services.report_request(actor=Actor(user=UserFactory(role=Role.CITY_LEADER)), kind="week")
    with pytest.raises(PermissionDenied):
        services.report_request(actor=Actor.system("test"), kind="week")
    with pytest.raises(ValidationFailed):
        services.report_request(
            actor=Actor(user=UserFactory(role=Role.SYSTEM_ADMIN)), kind="quarter"
        )


def test_the_requested_job_names_its_requester(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HONGMIAN_ANALYTICS_STORE = tmp_path / "store"
    user = UserFactory(role=Role.HOTLINE_SUPERVISOR)

    issue = ReportIssue.objects.get(pk=tasks.weekly_report.call(requested_by=user.pk))

    assert issue.trigger == IssueTrigger.MANUAL
    assert issue.generated_by == user
    assert AuditEvent.objects.get(action="analytics.report_issue").actor_label == (
        user.get_username()
    )


def test_the_archive_page_in_english(client: Any) -> None:
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR, language="en"))

    html = client.get(reverse("analytics:reports")).content.decode()

    assert '<html lang="en">' in html
    for text in ("Analysis reports", "Report archive", "Operations dashboard", "Generate now"):
        assert text in html, text
    assert "数据分析报告" not in html
    assert "立即生成" not in html


def _progress(client: Any, job_id: str) -> str:
    response = client.get(reverse("analytics:report_job", args=[job_id]))
    assert response.status_code == 200
    return response.content.decode()


# The worker runs in this thread and closes its connection as a worker does: it needs
# committed rows (transaction=True), as core's job tests do.
@pytest.mark.django_db(transaction=True)
def test_the_progress_box_follows_the_job_to_its_files(
    client: Any, settings: Any, tmp_path: Path
) -> None:
    """queued → running → done, each a fresh box from the task's state; the finished box
    links the report and its files and stops polling (no hx-trigger)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HONGMIAN_ANALYTICS_STORE = tmp_path / "store"
    user = UserFactory(role=Role.CHIEF_DATA_OFFICER)
    client.force_login(user)
    job_id = services.report_request(actor=Actor(user=user), kind="week")

    queued = _progress(client, job_id)
    assert 'data-state="queued"' in queued
    assert 'hx-trigger="every 2s"' in queued
    assert "上周周报" in queued

    DBTaskResult.objects.filter(id=job_id).update(status="RUNNING")
    assert 'data-state="running"' in _progress(client, job_id)
    DBTaskResult.objects.filter(id=job_id).update(status="READY")

    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    done = _progress(client, job_id)
    issue = ReportIssue.objects.get()
    assert 'data-state="done"' in done
    assert "hx-trigger" not in done
    assert issue.title in done
    for fmt in ("pdf", "docx", "html"):
        assert reverse("analytics:report_download", args=[issue.pk, fmt]) in done
    # The list page opened with ?job= shows the same finished box.
    page = client.get(reverse("analytics:reports"), {"job": job_id}).content.decode()
    assert 'data-state="done"' in page


def test_a_failed_job_says_so(client: Any, settings: Any, tmp_path: Path) -> None:
    settings.HONGMIAN_TASK_MAX_ATTEMPTS = 1
    user = UserFactory(role=Role.HOTLINE_SUPERVISOR)
    client.force_login(user)
    job_id = services.report_request(actor=Actor(user=user), kind="month")
    DBTaskResult.objects.filter(id=job_id).update(status="FAILED")
    box = _progress(client, job_id)
    assert 'data-state="failed"' in box
    assert "hx-trigger" not in box
    assert "生成失败" in box


def test_a_job_is_its_requesters_only(client: Any) -> None:
    """Another issuer's job, an id of no job and a malformed id: one 404."""
    owner = UserFactory(role=Role.HOTLINE_SUPERVISOR)
    job_id = services.report_request(actor=Actor(user=owner), kind="month")
    client.force_login(UserFactory(role=Role.HOTLINE_SUPERVISOR))
    other = client.get(reverse("analytics:report_job", args=[job_id]))
    missing = client.get(reverse("analytics:report_job", args=[str(uuid.uuid4())]))
    garbage = client.get(reverse("analytics:report_job", args=["not-a-job"]))
    assert other.status_code == missing.status_code == garbage.status_code == 404
    # ?job= of someone else's job: the list without a box.
    page = client.get(reverse("analytics:reports"), {"job": job_id}).content.decode()
    assert "report-job" not in page
    client.force_login(UserFactory(role=Role.CITIZEN))
    assert client.get(reverse("analytics:report_job", args=[job_id])).status_code == 404
