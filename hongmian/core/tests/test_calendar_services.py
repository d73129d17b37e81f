"""The calendar override services and their admin: audited, validated, seen at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.models import AuditEvent, CacheVersion, CalendarOverride, JobRun
from hongmian.core.services import calendar_override_remove, calendar_override_set

pytestmark = pytest.mark.django_db

TYPHOON_DAY = dt.date(2026, 9, 16)  # an ordinary Wednesday


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.overrides_cache_clear()
    yield
    calendar.overrides_cache_clear()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="calendar-keeper", password="x")


def version() -> int:
    row = CacheVersion.objects.filter(key=calendar.OVERRIDES_VERSION_KEY).first()
    return row.version if row else 0


def test_set_writes_the_override_an_audit_entry_and_a_new_version(
    staff, django_capture_on_commit_callbacks
):
    assert calendar.is_workday(TYPHOON_DAY)  # loads this process's copy
    with django_capture_on_commit_callbacks(execute=True):
        override = calendar_override_set(
            actor=Actor.cli(staff),
            day=TYPHOON_DAY,
            kind="holiday",
            name=" 台风停工 ",
            reason="市三防指挥部停工令",
        )
    assert (override.kind, override.name, override.created_by) == ("holiday", "台风停工", staff)
    assert version() == 1
    assert not calendar.is_workday(TYPHOON_DAY)  # this process was told on commit
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.via) == ("calendar_override.set", staff, "cli")
    assert (event.target_type, event.target_id) == ("core.calendaroverride", str(override.pk))
    assert event.before is None
    assert event.after == {
        "date": "2026-09-16",
        "kind": "holiday",
        "name": "台风停工",
        "reason": "市三防指挥部停工令",
    }


def test_set_again_replaces_and_audits_before_and_after(staff, system_actor):
    first = calendar_override_set(
        actor=Actor.cli(staff), day=TYPHOON_DAY, kind="holiday", name="台风停工"
    )
    second = calendar_override_set(
        actor=system_actor, day=TYPHOON_DAY, kind="workday", name="台风解除，恢复上班"
    )
    assert second.pk == first.pk
    assert CalendarOverride.objects.get().kind == "workday"
    assert second.created_by == staff  # who first entered it; the audit trail has the rest
    event = AuditEvent.objects.order_by("id").last()
    assert event.before["kind"] == "holiday"
    assert event.after["kind"] == "workday"
    assert version() == 2


def test_setting_the_same_values_again_changes_nothing(system_actor):
    calendar_override_set(actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工")
    calendar_override_set(actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工")
    assert AuditEvent.objects.count() == 1
    assert version() == 1


def test_remove_audits_and_restores_the_official_schedule(
    system_actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        override = calendar_override_set(
            actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工"
        )
    assert not calendar.is_workday(TYPHOON_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_remove(actor=system_actor, day=TYPHOON_DAY)
    assert calendar.is_workday(TYPHOON_DAY)
    assert not CalendarOverride.objects.exists()
    event = AuditEvent.objects.order_by("id").last()
    assert (event.action, event.target_id) == ("calendar_override.remove", str(override.pk))
    assert event.before["name"] == "台风停工"
    assert event.after is None


def test_removing_a_missing_override_is_not_found_and_changes_nothing(system_actor):
    with pytest.raises(NotFound) as err:
        calendar_override_remove(actor=system_actor, day=TYPHOON_DAY)
    assert err.value.code == "calendar.override_not_found"
    assert version() == 0
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"kind": "typhoon"}, "calendar.kind", "kind"),
        ({"kind": ""}, "calendar.kind", "kind"),
        ({"name": ""}, "calendar.name", "name"),
        ({"name": "   "}, "calendar.name", "name"),
        ({"name": "停" * 51}, "calendar.name", "name"),
        ({"day": "2026-09-16"}, "calendar.date", "date"),
        ({"day": dt.datetime(2026, 9, 16, 8, tzinfo=dt.UTC)}, "calendar.date", "date"),
    ],
)
def test_bad_input_is_refused_with_a_stable_code(system_actor, changes, code, field):
    arguments = {"day": TYPHOON_DAY, "kind": "holiday", "name": "台风停工", **changes}
    with pytest.raises(ValidationFailed) as err:
        calendar_override_set(actor=system_actor, **arguments)
    assert err.value.code == code
    assert field in err.value.fields
    assert err.value.status_code == 422
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------
# Admin


def test_admin_add_and_delete_go_through_the_services(admin_client, admin_user):
    response = admin_client.post(
        "/admin/core/calendaroverride/add/",
        {"date": "2026-09-16", "kind": "holiday", "name": "台风停工", "reason": "停工令"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CalendarOverride.objects.get()
    assert override.created_by == admin_user
    added = AuditEvent.objects.get()
    assert (added.action, added.actor, added.via) == ("calendar_override.set", admin_user, "web")
    assert added.client_address == "127.0.0.1"

    response = admin_client.post(
        f"/admin/core/calendaroverride/{override.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.order_by("id").last().action == "calendar_override.remove"


def test_admin_change_cannot_move_the_date(admin_client, system_actor):
    override = calendar_override_set(
        actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工"
    )
    response = admin_client.post(
        f"/admin/core/calendaroverride/{override.pk}/change/",
        {"date": "2026-09-17", "kind": "holiday", "name": "台风停工（延长）", "reason": ""},
    )
    assert response.status_code == 302
    override.refresh_from_db()
    assert (override.date, override.name) == (TYPHOON_DAY, "台风停工（延长）")
    assert CalendarOverride.objects.count() == 1


def test_admin_bulk_delete_audits_each_override(admin_client, system_actor):
    for day in (TYPHOON_DAY, TYPHOON_DAY + dt.timedelta(days=1)):
        calendar_override_set(actor=system_actor, day=day, kind="holiday", name="台风停工")
    ids = [str(pk) for pk in CalendarOverride.objects.values_list("pk", flat=True)]
    response = admin_client.post(
        "/admin/core/calendaroverride/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action="calendar_override.remove").count() == 2


def test_admin_list_shows_what_the_override_replaces(admin_client, system_actor):
    calendar_override_set(
        actor=system_actor, day=dt.date(2026, 10, 5), kind="workday", name="应急值守"
    )
    page = admin_client.get("/admin/core/calendaroverride/").content.decode()
    assert "应急值守" in page
    assert "法定节假日 · 国庆节" in page


def test_job_history_is_read_only_and_the_audit_log_not_in_the_admin(admin_client, system_actor):
    # The audit log is the auditor's (/audit/, decision 0046): the admin site has no page.
    calendar_override_set(actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工")
    event = AuditEvent.objects.get()
    run = JobRun.objects.create(job="hotline.sla_sweep", outcome=JobRun.Outcome.SUCCEEDED)
    assert admin_client.get("/admin/core/jobrun/").status_code == 200
    assert admin_client.get("/admin/core/jobrun/add/").status_code == 403
    assert admin_client.get("/admin/core/auditevent/").status_code == 404
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 404
    assert admin_client.post(f"/admin/core/jobrun/{run.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_seen_at_once_by_the_process_that_made_it(system_actor):
    assert calendar.is_workday(TYPHOON_DAY)
    calendar_override_set(actor=system_actor, day=TYPHOON_DAY, kind="holiday", name="台风停工")
    assert not calendar.is_workday(TYPHOON_DAY)
    calendar_override_remove(actor=system_actor, day=TYPHOON_DAY)
    assert calendar.is_workday(TYPHOON_DAY)
    assert version() == 2


class Abandon(Exception):
    pass


def set_then_abandon(actor: Actor, day: dt.date) -> bool:
    """Change the calendar, look at it inside the same transaction, then roll back; returns
    whether the day looked like a working day from inside."""
    seen: list[bool] = []

    def change() -> None:
        with transaction.atomic():
            calendar_override_set(actor=actor, day=day, kind="holiday", name="台风停工")
            seen.append(calendar.is_workday(day))
            raise Abandon

    with pytest.raises(Abandon):
        change()
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_the_changing_transaction_sees_its_change_and_a_rollback_leaves_no_trace(system_actor):
    assert calendar.is_workday(TYPHOON_DAY)
    # Inside the change its own override counts (e.g. to move deadlines in the same change).
    assert set_then_abandon(system_actor, TYPHOON_DAY) is False
    assert calendar.is_workday(TYPHOON_DAY)
    assert version() == 0

    # The copy loaded inside the rolled-back change must not pass for the next real version.
    set_then_abandon(system_actor, TYPHOON_DAY)
    next_day = TYPHOON_DAY + dt.timedelta(days=1)
    calendar_override_set(actor=system_actor, day=next_day, kind="holiday", name="台风停工")
    assert version() == 1
    assert calendar.is_workday(TYPHOON_DAY)
    assert not calendar.is_workday(next_day)
