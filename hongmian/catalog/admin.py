"""Admin pages of the catalogue: read-only. Items are written through the services (the
import command, the API), so that every change is versioned, reviewed and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.catalog.models import (
    CertificateType,
    LifeEvent,
    MainItem,
    Material,
    ServiceItem,
    ServiceItemVersion,
)


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaterialInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Material
    fields = ("position", "name", "form", "source", "copies", "required")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ServiceItemVersion
    fields = ("number", "state", "effective_from", "submitted_at", "reviewed_at", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(_ReadOnly):
    list_display = ("code", "name", "department", "item_type", "level", "status", "revision")
    list_filter = ("status", "item_type", "level", "online_depth")
    search_fields = ("code", "name")
    list_select_related = ("department",)
    inlines = (MaterialInline, VersionInline)


@admin.register(MainItem)
class MainItemAdmin(_ReadOnly):
    list_display = ("name", "code", "department")
    search_fields = ("name", "code")


@admin.register(LifeEvent)
class LifeEventAdmin(_ReadOnly):
    list_display = ("name", "slug", "audience", "position")


@admin.register(CertificateType)
class CertificateTypeAdmin(_ReadOnly):
    list_display = ("code", "name", "issuer")
