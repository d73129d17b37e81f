"""Admin of the shared kernel: calendar overrides (written through the services) and the job
history (read only). The audit trail is the auditor's, not the admin site's (/audit/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.models import CalendarOverride, JobRun
from hongmian.core.services import calendar_override_remove, calendar_override_set


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    list_display = ["date", "weekday", "kind", "name", "official", "created_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "reason"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "reason", "created_by", "created_at", "updated_at"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarOverride) -> str:
        return "周" + "一二三四五六日"[obj.date.weekday()]

    @admin.display(description=_("官方安排"))
    def official(self, obj: CalendarOverride) -> str:
        info = calendar.day_kind(obj.date, include_overrides=False)
        if not info.official:
            return str(_("未公布（按周一至周五）"))
        return f"{info.kind.label} · {info.name}" if info.name else str(info.kind.label)

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarOverride | None = None
    ) -> list[str]:
        # The date is what an override is; to move one, remove it and add another.
        readonly = ["created_by", "created_at", "updated_at"]
        return ["date", *readonly] if obj is not None else readonly

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        saved = calendar_override_set(
            actor=Actor.from_request(request),
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            reason=obj.reason,
        )
        # The admin logs and redirects using `obj`; point it at the row the service wrote.
        obj.pk, obj.created_by_id = saved.pk, saved.created_by_id

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_remove(actor=Actor.from_request(request), day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        actor = Actor.from_request(request)
        for day in queryset.values_list("date", flat=True):
            calendar_override_remove(actor=actor, day=day)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The audit log has no admin page: the system administrators who run the admin site may
# neither read nor change it (三员分立, decision 0046). The auditor reads it at /audit/.


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "job", "attempt", "outcome", "finished_at"]
    list_filter = ["outcome", "job", "created_at"]
    search_fields = ["job", "error"]
    date_hierarchy = "created_at"
