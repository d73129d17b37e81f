"""Writes of the shared kernel: the business calendar's overrides."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import NotFound, ValidationFailed
from hongmian.core.models import CalendarOverride

_OVERRIDE_FIELDS = ["date", "kind", "name", "reason"]
_NAME_MAX = CalendarOverride._meta.get_field("name").max_length or 50


def _fail(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _clean_day(day: object) -> dt.date:
    # A datetime is a date too, but its day depends on a zone; the caller must decide it.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise _fail("date", "calendar.date", gettext("日期无效：请给出一个日期，例如 2026-09-16"))
    return day


def calendar_override_set(
    *, actor: Actor, day: dt.date, kind: str, name: str, reason: str = ""
) -> CalendarOverride:
    """Make `day` a working day or a day off whatever the official schedule says
    (营业日历调整), replacing any override that `day` already has."""
    day = _clean_day(day)
    if kind not in CalendarOverride.Kind.values:
        raise _fail(
            "kind", "calendar.kind", gettext("类型只能是 workday（上班）或 holiday（放假）")
        )
    name = (name or "").strip()
    if not name:
        raise _fail("name", "calendar.name", gettext("请填写名称，例如“台风停工”"))
    if len(name) > _NAME_MAX:
        raise _fail(
            "name",
            "calendar.name",
            gettext("名称不能超过 %(_NAME_MAX)s 个字") % {"_NAME_MAX": _NAME_MAX},
        )
    reason = (reason or "").strip()

    wanted = (kind, name, reason)
    existing = CalendarOverride.objects.filter(date=day).first()
    if existing is not None and (existing.kind, existing.name, existing.reason) == wanted:
        return existing  # saving the same values again is not a change worth an audit entry

    with transaction.atomic():
        # Queues the other writers and, through transaction.on_commit, tells every process
        # once this commits (decision 0003).
        calendar.overrides_version_bump()
        override = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before = snapshot(override, _OVERRIDE_FIELDS) if override is not None else None
        if override is None:
            override = CalendarOverride(date=day, created_by=actor.user)
        override.kind, override.name, override.reason = kind, name, reason
        override.save()
        audit_record(
            actor=actor,
            action="calendar_override.set",
            target=override,
            before=before,
            after=snapshot(override, _OVERRIDE_FIELDS),
        )
    return override


def calendar_override_remove(*, actor: Actor, day: dt.date) -> None:
    """Remove the override of `day`, so that the official schedule applies again."""
    day = _clean_day(day)
    with transaction.atomic():
        calendar.overrides_version_bump()
        override = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if override is None:
            raise NotFound(f"{day:%Y-%m-%d} 没有日历调整", code="calendar.override_not_found")
        # Audited before the delete, while the row still has the id the entry points at.
        audit_record(
            actor=actor,
            action="calendar_override.remove",
            target=override,
            before=snapshot(override, _OVERRIDE_FIELDS),
        )
        override.delete()
