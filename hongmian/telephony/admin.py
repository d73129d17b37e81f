"""Admin of the telephony app: gateways and extensions are set up here (each save through
its service, audited); calls, callbacks and messages are read only — they change through
their events and transitions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hongmian.core.actors import Actor
from hongmian.core.masking import mask_mobile
from hongmian.telephony.models import Call, CallbackTask, Extension, Gateway, SmsMessage
from hongmian.telephony.services import extension_assign, gateway_register


@admin.register(Gateway)
class GatewayAdmin(admin.ModelAdmin[Gateway]):
    list_display = ("name", "kind", "user", "is_active")
    fields = ("name", "kind", "user", "is_active")

    def save_model(self, request: HttpRequest, obj: Gateway, form: Any, change: bool) -> None:
        saved = gateway_register(
            actor=Actor.from_request(request),
            name=obj.name,
            kind=obj.kind,
            user=obj.user,
            active=obj.is_active,
        )
        obj.pk = saved.pk


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin[Extension]):
    list_display = ("number", "user", "is_active")
    fields = ("number", "user", "is_active")
    search_fields = ("number", "user__username")

    def save_model(self, request: HttpRequest, obj: Extension, form: Any, change: bool) -> None:
        saved = extension_assign(
            actor=Actor.from_request(request),
            number=obj.number,
            user=obj.user,
            active=obj.is_active,
        )
        obj.pk = saved.pk


class ReadOnlyAdmin[M: Any](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin[Call]):
    list_display = ("call_id", "state", "masked_caller", "agent", "ringing_at", "order")
    list_filter = ("state",)
    exclude = ("caller_number",)

    @admin.display(description="主叫号码")
    def masked_caller(self, obj: Call) -> str:
        return mask_mobile(obj.caller_number)


@admin.register(CallbackTask)
class CallbackTaskAdmin(ReadOnlyAdmin[CallbackTask]):
    list_display = ("missed_at", "masked_caller", "status", "attempts", "order")
    list_filter = ("status",)
    exclude = ("caller_number",)

    @admin.display(description="来电号码")
    def masked_caller(self, obj: CallbackTask) -> str:
        return mask_mobile(obj.caller_number)


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin[SmsMessage]):
    list_display = ("sent_at", "masked_sender", "outcome", "order")
    list_filter = ("outcome",)
    exclude = ("from_number", "text", "payload")

    @admin.display(description="发送号码")
    def masked_sender(self, obj: SmsMessage) -> str:
        return mask_mobile(obj.from_number)
