"""The halls in the admin site, read-only: halls, hours and windows are seeded or loaded,
closures go through `hongmian appointments close` (it cancels and texts the bookings)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.appointments.models import Hall, HallClosure


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Hall)
class HallAdmin(_ReadOnly):
    list_display = ("code", "name", "level", "division", "org_unit")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(HallClosure)
class HallClosureAdmin(_ReadOnly):
    list_display = ("hall", "start", "end", "reason")
