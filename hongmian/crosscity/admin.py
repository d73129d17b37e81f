"""Admin of 跨域通办: partner cities are registered and changed through partner_add (audited,
their cached keys dropped on a new address); packages and status updates are read only —
they are written by the exchange itself, and the admin shows where each one is."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.core.actors import Actor
from hongmian.core.admin import ReadOnlyAdmin
from hongmian.crosscity.models import Package, Partner, StatusUpdate
from hongmian.crosscity.services.partners import partner_add


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin[Partner]):
    list_display = ["code", "name", "endpoint", "active", "keys_fetched_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "endpoint", "keys_url", "certificates_keys_url", "keys_fetched_at"]
    readonly_fields = ["keys_fetched_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A partner with packages stays on record (the packages name it).
        return False

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        saved = partner_add(
            actor=Actor.from_request(request),
            code=obj.code,
            name=obj.name,
            endpoint=obj.endpoint,
            keys_url=obj.keys_url,
            certificates_keys_url=obj.certificates_keys_url,
        )
        obj.pk = saved.pk


class StatusUpdateInline(admin.TabularInline[StatusUpdate, Package]):
    model = StatusUpdate
    fields = ["at", "direction", "status_label", "note", "delivered_at", "attempts", "last_error"]
    readonly_fields = ["at", "direction", "status_label", "note", "delivered_at", "attempts"]
    readonly_fields += ["last_error"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "direction",
        "partner",
        "item_name",
        "application",
        "delivery",
        "remote_reference",
        "remote_status",
        "attempts",
    ]
    list_filter = ["direction", "delivery", "partner"]
    search_fields = ["package_id", "remote_reference", "application__number", "item_code"]
    list_select_related = ["partner", "application"]
    # The signed token holds the applicant's identity: the admin shows where it is, not it.
    exclude = ["token", "receipt"]
    inlines = [StatusUpdateInline]
