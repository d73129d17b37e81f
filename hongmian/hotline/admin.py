"""Admin of the 12345 hotline. Categories, the dispatch catalogue and the SLA rules are
edited here by administrators, each save going through its service (validated, audited).
Work orders are read only: an order changes only through its transitions, so that every
change has its timeline entry, its audit entry and its clocks. The caller's personal data
is masked, and hidden entirely for a confidential order, as to a system administrator
anywhere (decision 0005)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.masking import mask_address, mask_mobile, mask_name
from hongmian.hotline.models import (
    Category,
    DispatchCatalogue,
    DispatchRule,
    SlaClock,
    SlaRule,
    TimelineEntry,
    UnitSignOffPolicy,
    WorkOrder,
)
from hongmian.hotline.services import catalogue as catalogue_services
from hongmian.hotline.services import sla, sla_rules
from hongmian.hotline.services.signoff import sign_off_policy_set
from hongmian.hotline.services.taxonomy import (
    category_create,
    category_deactivate,
    category_reactivate,
    category_update,
)
from hongmian.hotline.states import CatalogueStatus, ClockLight, Visibility


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="admin")


class ServiceErrorsMixin:
    """Show a service's refusal as a message instead of a server error. The admin saves
    inside one transaction, which the error rolls back, so nothing half-saved remains."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view  # type: ignore[misc]  # a mixin before ModelAdmin
        try:
            response: HttpResponse = view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())
        return response


def _adopt(obj: Any, saved: Any) -> None:
    # The admin logs and redirects with the instance its form built; give it the saved row.
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


_LIGHT_COLOURS = {
    ClockLight.GREEN: "#1a7f37",
    ClockLight.YELLOW: "#9a6700",
    ClockLight.RED: "#cf222e",
    ClockLight.MET: "#57606a",
    ClockLight.MET_LATE: "#8250df",
}


def _light_html(light: str) -> str:
    if not light:
        return "–"
    known = ClockLight(light)
    return format_html('<span style="color:{}">●</span> {}', _LIGHT_COLOURS[known], known.label)


# --- categories ------------------------------------------------------------------------------


class CategoryForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ("code", "name", "parent", "keywords", "description", "sort_order")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            # A third-level category has no children; an inactive one takes no new ones.
            self.fields["parent"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
                level__lt=3, is_active=True
            )


@admin.register(Category)
class CategoryAdmin(ServiceErrorsMixin, admin.ModelAdmin[Category]):
    form = CategoryForm
    list_display = ("tree_name", "code", "level", "keywords", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "keywords")
    ordering = ("code",)
    list_per_page = 300
    actions = ("deactivate", "reactivate")

    @admin.display(description=_("名称"), ordering="code")
    def tree_name(self, obj: Category) -> str:
        return format_html("{}{}", "\u3000" * (obj.level - 1), obj.name)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Codes are Open311 service codes and report keys: they and the tree never change.
        return ("code", "parent", "level", "is_active") if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: orders and rules still point at the category

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = category_update(
                actor=_actor(request),
                category=obj,
                name=data["name"],
                keywords=data["keywords"],
                description=data["description"],
                sort_order=data["sort_order"],
            )
        else:
            saved = category_create(
                actor=_actor(request),
                code=data["code"],
                name=data["name"],
                parent=data["parent"],
                keywords=data["keywords"],
                description=data["description"],
                sort_order=data["sort_order"],
            )
        _adopt(obj, saved)

    def _each(self, request: HttpRequest, queryset: QuerySet[Category], service: Any) -> None:
        done = 0
        for category in queryset.order_by("code"):
            try:
                service(actor=_actor(request), category=category)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{category.code}：{exc.message}", messages.ERROR)
        self.message_user(request, f"已处理 {done} 个分类")

    @admin.action(description=_("停用所选分类（含下级）"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        self._each(request, queryset, category_deactivate)

    @admin.action(description=_("重新启用所选分类"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        self._each(request, queryset, category_reactivate)


# --- dispatch catalogue -------------------------------------------------------------------------


class DispatchRuleInline(admin.TabularInline[DispatchRule, DispatchCatalogue]):
    model = DispatchRule
    fields = ("category", "area_code", "lead_unit", "co_units", "dispatch_to_street", "basis")
    autocomplete_fields = ("category", "lead_unit", "co_units")
    extra = 0
    ordering = ("category__code", "area_code")

    def _editable(self, obj: DispatchCatalogue | None) -> bool:
        return obj is not None and obj.status == CatalogueStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DispatchRule]:
        qs = super().get_queryset(request)
        return qs.select_related("category", "lead_unit").prefetch_related("co_units")


@admin.register(DispatchCatalogue)
class DispatchCatalogueAdmin(ServiceErrorsMixin, admin.ModelAdmin[DispatchCatalogue]):
    list_display = ("__str__", "status", "rule_count", "activated_at", "note")
    list_filter = ("status",)
    fields = ("version", "status", "note", "activated_at")
    readonly_fields = ("version", "status", "activated_at")
    inlines = (DispatchRuleInline,)
    actions = ("activate",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DispatchCatalogue]:
        return super().get_queryset(request).annotate(rule_total=Count("rules"))

    @admin.display(description=_("规则数"), ordering="rule_total")
    def rule_count(self, obj: DispatchCatalogue) -> int:
        return int(getattr(obj, "rule_total", 0))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*self.readonly_fields, "note") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only a draft may be thrown away; active and retired versions are history.
        return obj is not None and obj.status == CatalogueStatus.DRAFT

    def delete_model(self, request: HttpRequest, obj: DispatchCatalogue) -> None:
        catalogue_services.catalogue_draft_delete(actor=_actor(request), catalogue=obj)

    def save_model(
        self, request: HttpRequest, obj: DispatchCatalogue, form: Any, change: bool
    ) -> None:
        if change:
            return  # the version itself has nothing editable; its rules are saved below
        # "Add" means: a new draft holding a copy of the active version's rules.
        saved = catalogue_services.catalogue_draft_from_active(
            actor=_actor(request), note=form.cleaned_data.get("note", "")
        )
        _adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor = _actor(request)
        catalogue = form.instance
        # The admin's change message reads these, which formset.save() would have filled.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if catalogue.status != CatalogueStatus.DRAFT:
            return
        for rule_form in formset.forms:
            if not rule_form.has_changed() and rule_form not in formset.deleted_forms:
                continue
            instance = rule_form.instance
            if rule_form in formset.deleted_forms:
                if instance.pk is not None:
                    catalogue_services.catalogue_rule_remove(actor=actor, rule=instance)
                    formset.deleted_objects.append(instance)
                continue
            data = rule_form.cleaned_data
            if instance.pk is not None and (
                instance.category_id != data["category"].pk
                or instance.area_code != data["area_code"]
            ):
                # The key of a rule changed: the old key goes, the new one is set.
                catalogue_services.catalogue_rule_remove(
                    actor=actor, rule=DispatchRule.objects.get(pk=instance.pk)
                )
            saved = catalogue_services.catalogue_rule_set(
                actor=actor,
                catalogue=catalogue,
                category=data["category"],
                area_code=data["area_code"],
                lead_unit=data["lead_unit"],
                co_units=data["co_units"],
                dispatch_to_street=data["dispatch_to_street"],
                basis=data["basis"],
            )
            if instance.pk is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, rule_form.changed_data))

    @admin.action(description=_("启用所选草稿（原生效版本停用）"))
    def activate(self, request: HttpRequest, queryset: QuerySet[DispatchCatalogue]) -> None:
        drafts = list(queryset.filter(status=CatalogueStatus.DRAFT))
        if len(drafts) != 1:
            self.message_user(request, "请选择一个草稿版本", messages.ERROR)
            return
        try:
            done = catalogue_services.catalogue_activate(actor=_actor(request), catalogue=drafts[0])
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"派单目录 v{done.version} 已生效")


# --- SLA rules -------------------------------------------------------------------------------


@admin.register(SlaRule)
class SlaRuleAdmin(ServiceErrorsMixin, admin.ModelAdmin[SlaRule]):
    list_display = (
        "name",
        "criteria",
        "unit",
        "acknowledge_limit",
        "first_response_limit",
        "resolution_limit",
        "yellow_ratio",
        "is_active",
    )
    list_filter = ("is_active", "unit", "request_type", "priority", "emergency_zone")
    search_fields = ("name",)
    autocomplete_fields = ("category",)
    fieldsets = (
        (None, {"fields": ("name", "is_active")}),
        (
            _("适用条件（留空表示不限；满足条件最多的规则优先）"),
            {"fields": ("emergency_zone", "priority", "category", "request_type")},
        ),
        (
            _("时限（按工作日计的规则，签收和首次响应按工作小时计）"),
            {
                "fields": (
                    "unit",
                    "acknowledge_limit",
                    "first_response_limit",
                    "resolution_limit",
                    "yellow_ratio",
                )
            },
        ),
    )

    @admin.display(description=_("适用条件"))
    def criteria(self, obj: SlaRule) -> str:
        parts = [
            str(_("应急区域")) if obj.emergency_zone else "",
            obj.get_priority_display() if obj.priority else "",
            obj.category.name if obj.category_id and obj.category else "",
            obj.get_request_type_display() if obj.request_type else "",
        ]
        return "、".join(p for p in parts if p) or str(_("全部"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[SlaRule]:
        return super().get_queryset(request).select_related("category")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # clocks name the rule they started with; deactivate it instead

    def save_model(self, request: HttpRequest, obj: SlaRule, form: Any, change: bool) -> None:
        sla_rules.sla_rule_save(actor=_actor(request), rule=obj)


# --- 本单位审批设置 (services/signoff.py) -------------------------------------------------------


@admin.register(UnitSignOffPolicy)
class UnitSignOffPolicyAdmin(ServiceErrorsMixin, admin.ModelAdmin[UnitSignOffPolicy]):
    """A unit's manager sets its own on /hotline/approvals/settings; administrators set any
    unit's here. Saved through the service (audited)."""

    list_display = ("unit", "require_reply", "require_return", "require_extension", "updated_at")
    list_filter = ("require_reply", "require_return", "require_extension")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    fields = ("unit", "require_reply", "require_return", "require_extension")

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitSignOffPolicy]:
        return super().get_queryset(request).select_related("unit")

    def save_model(
        self, request: HttpRequest, obj: UnitSignOffPolicy, form: Any, change: bool
    ) -> None:
        saved = sign_off_policy_set(
            actor=_actor(request),
            unit=obj.unit,
            require_reply=obj.require_reply,
            require_return=obj.require_return,
            require_extension=obj.require_extension,
        )
        _adopt(obj, saved)


# --- work orders (read only) ------------------------------------------------------------------


class TimelineInline(admin.TabularInline[TimelineEntry, WorkOrder]):
    model = TimelineEntry
    fields = ("created_at", "kind", "visibility", "actor_label", "unit", "shown_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    @admin.display(description=_("内容"))
    def shown_text(self, obj: TimelineEntry) -> str:
        # Internal entries may name a confidential caller; the admin is not where to read it.
        return "（内部记录）" if obj.visibility == Visibility.INTERNAL else obj.text

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimelineEntry]:
        return super().get_queryset(request).select_related("unit")


class ClockInline(admin.TabularInline[SlaClock, WorkOrder]):
    model = SlaClock
    fields = (
        "kind",
        "unit",
        "limit",
        "extra",
        "started_at",
        "yellow_at",
        "due_at",
        "stopped_at",
        "light",
        "urged_at",
        "supervised_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("started_at", "id")

    @admin.display(description=_("状态"))
    def light(self, obj: SlaClock) -> str:
        return _light_html(sla.sla_light(obj, timezone.now()))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin[WorkOrder]):
    list_display = (
        "number",
        "status",
        "request_type",
        "category",
        "lead_unit",
        "created_at",
        "lights",
    )
    list_filter = ("status", "request_type", "priority", "channel", "is_enterprise")
    # The number only: searching by phone or name would let the admin probe personal data.
    search_fields = ("number",)
    date_hierarchy = "created_at"
    list_per_page = 50
    inlines = (ClockInline, TimelineInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "channel",
                    "request_type",
                    "priority",
                    "category",
                    "is_enterprise",
                    "is_emergency",
                    "version",
                )
            },
        ),
        (_("诉求"), {"fields": ("title", "content", "caller", "place")}),
        (
            _("办理"),
            {
                "fields": (
                    "lead_unit",
                    "first_unit",
                    "dispatched_at",
                    "acknowledged_at",
                    "replied_at",
                    "reply",
                    "closed_at",
                    "close_reason",
                    "satisfaction",
                    "master",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f for _, spec in self.fieldsets for f in spec["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkOrder]:
        return (
            super()
            .get_queryset(request)
            .select_related("category", "lead_unit")
            .prefetch_related("clocks")
        )

    @admin.display(description=_("时限"))
    def lights(self, obj: WorkOrder) -> str:
        return _light_html(sla.sla_order_light(obj.clocks.all(), timezone.now()))

    @admin.display(description=_("诉求人"))
    def caller(self, obj: WorkOrder) -> str:
        if obj.confidential:
            return "（保密）"
        return f"{mask_name(obj.caller_name)} {mask_mobile(obj.caller_phone)}".strip() or "–"

    @admin.display(description=_("地址"))
    def place(self, obj: WorkOrder) -> str:
        return "（保密）" if obj.confidential else (mask_address(obj.address) or "–")

    # Transitions only through the services: no add, no edit, no delete here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
