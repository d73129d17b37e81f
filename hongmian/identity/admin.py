"""Admin for identity. Forms validate; saves go through the services, so an admin change is
audited like any other. Personal data is shown masked, as to a system administrator anywhere."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.core.masking import mask_address, mask_mobile, mask_name, mask_resident_id
from hongmian.identity import permissions, selectors, services
from hongmian.identity.models import Enterprise, OrgUnit, Person, StaffProfile, User
from hongmian.identity.states import (
    OVERSIGHT_ROLES,
    PUBLIC_ROLES,
    STAFF_ROLES,
    UNIT_SCOPED_ROLES,
    Role,
)

# What a masked reader may search a person by: the four characters the masks show.
PERSON_SEARCH_TAIL = re.compile(r"[0-9]{3}[0-9X]")


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="admin")


def _as_form_error(check: Any, value: str) -> str:
    """Run one of core.validators inside a form's clean_<field>."""
    if not value:
        return ""
    try:
        return str(check(value))
    except ApplicationError as exc:
        raise ValidationError(exc.message, code=exc.code) from None


def _adopt(obj: Any, saved: Any) -> None:
    # The admin keeps the instance that its form built; give it the saved row's state.
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


# --- users ---------------------------------------------------------------------------------


class _RoleUnitMixin(forms.ModelForm[User]):
    def clean_mobile(self) -> str:
        return _as_form_error(validators.validate_mobile, self.cleaned_data.get("mobile", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A field shown read-only (one's own role) keeps the instance's value.
        role = data.get("role") if "role" in self.fields else self.instance.role
        unit = data.get("org_unit") if "org_unit" in self.fields else self.instance.org_unit
        if role in UNIT_SCOPED_ROLES and unit is None:
            self.add_error("org_unit", _("该角色必须指定所属机构"))
        if role in PUBLIC_ROLES and unit is not None:
            self.add_error("org_unit", _("市民和企业代表不能属于任何机构"))
        if unit is not None and not unit.is_active:
            self.add_error("org_unit", _("所选机构已停用"))
        return data


class UserAddForm(_RoleUnitMixin, UserCreationForm[User]):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "role", "org_unit", "mobile")


class UserEditForm(_RoleUnitMixin, UserChangeForm[User]):
    # UserChangeForm shows the password hash read-only, with a link to change it.
    class Meta(UserChangeForm.Meta):
        model = User
        fields = (  # type: ignore[assignment]  # the stubs type Meta.fields as '__all__'
            "password",
            "display_name",
            "mobile",
            "email",
            "role",
            "org_unit",
            "is_active",
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ("username", "display_name", "role", "org_unit", "elder_mode", "is_active")
    list_filter = ("role", "is_active", "elder_mode")
    list_select_related = ("org_unit",)
    search_fields = ("username", "display_name")
    ordering = ("username",)
    autocomplete_fields = ("org_unit",)
    filter_horizontal = ()
    # Preferences belong to the user (portal.services.user_preferences_update); the role
    # decides admin-site access, so is_staff/is_superuser follow from it.
    readonly_fields = (
        "username",
        "elder_mode",
        "language",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "mobile", "email")}),
        (_("角色与机构"), {"fields": ("role", "org_unit")}),
        (_("偏好"), {"fields": ("elder_mode", "language")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "display_name",
                    "role",
                    "org_unit",
                    "mobile",
                ),
            },
        ),
    )

    actions = ["clear_lockout"]

    # 三员分立 (decision 0046): the system administrator opens and edits accounts, the
    # security administrator gives roles and clears lockouts; each sees the accounts.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or permissions.is_security_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or permissions.is_security_admin(
            request.user
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) or permissions.is_security_admin(
            request.user
        )

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A new account of the security administrator's or the auditor's role is the security
        # administrator's to open (user_create refuses anyone else): not offered otherwise.
        if db_field.name == "role" and not permissions.can_assign_roles(request.user):
            granted_elsewhere = OVERSIGHT_ROLES - {Role.SYSTEM_ADMIN}
            kwargs["choices"] = [c for c in Role.choices if c[0] not in granted_elsewhere]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_clear_lockout_permission(self, request: HttpRequest) -> bool:
        return permissions.can_clear_lockouts(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return [f for f in fields if f != "username"]
        if obj.pk == request.user.pk:
            # Nobody changes their own role or switches themself off (services refuse too).
            fields += ["role", "org_unit", "is_active"]
        elif not permissions.can_assign_roles(request.user):
            fields += ["role", "org_unit"]
        if permissions.is_security_admin(request.user):
            # Roles only: the person's details are the system administrator's to keep.
            fields += ["display_name", "mobile", "email", "is_active"]
        return list(dict.fromkeys(fields))

    @admin.action(description=_("解除登录锁定"), permissions=["clear_lockout"])
    def clear_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = _actor(request)
        cleared = sum(services.user_lockout_clear(actor=actor, user=u) for u in queryset)
        self.message_user(request, _("已解除 %(n)d 次失败登录记录。") % {"n": cleared})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor, data = _actor(request), form.cleaned_data
        if not change:
            user = services.user_create(
                actor=actor,
                username=data["username"],
                password=data["password1"],
                role=data["role"],
                display_name=data.get("display_name", ""),
                org_unit=data.get("org_unit"),
                mobile=data.get("mobile", ""),
            )
            _adopt(obj, user)
            return
        changed = set(form.changed_data)
        profile = {
            k: data[k] for k in ("display_name", "mobile", "email", "is_active") if k in changed
        }
        if profile:
            services.user_update(actor=actor, user=obj, **profile)
        if changed & {"role", "org_unit"}:
            services.user_change_role(
                actor=actor, user=obj, role=data["role"], org_unit=data.get("org_unit")
            )
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Groups and permissions are not used: the role decides what a user may do.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- organisation tree ---------------------------------------------------------------------


class OrgUnitForm(forms.ModelForm[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ("code", "name", "short_name", "kind", "parent", "division_code")

    def clean_parent(self) -> OrgUnit | None:
        parent: OrgUnit | None = self.cleaned_data.get("parent")
        if parent is None:
            return None
        if not parent.is_active:
            raise ValidationError(_("上级机构已停用"))
        if self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(_("不能把机构移到它自己或它的下级之下"))
        return parent


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    form = OrgUnitForm
    list_display = ("tree_name", "code", "kind", "division_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code", "division_code")
    ordering = ("path",)
    list_per_page = 100
    autocomplete_fields = ("parent",)
    actions = ("deactivate",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The code is a natural key other records use, and the kind fixes what a unit is.
        return ("code", "kind", "is_active", "path", "depth") if obj else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["code", "name", "short_name", "kind", "parent", "division_code"]
        return [*fields, "is_active", "path", "depth"] if obj else fields

    @admin.display(description=_("名称"), ordering="path")
    def tree_name(self, obj: OrgUnit) -> str:
        return format_html("{}{}", "　" * obj.depth, obj.name)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Units are deactivated, never deleted: orders and audit entries point at them.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor, data = _actor(request), form.cleaned_data
        if not change:
            unit = services.org_unit_create(
                actor=actor,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data.get("parent"),
                division_code=data.get("division_code", ""),
                short_name=data.get("short_name", ""),
            )
            _adopt(obj, unit)
            return
        changed = set(form.changed_data)
        edits = {k: data[k] for k in ("name", "short_name", "division_code") if k in changed}
        if edits:
            services.org_unit_update(actor=actor, unit=obj, **edits)
        if "parent" in changed:
            services.org_unit_move(actor=actor, unit=obj, new_parent=data.get("parent"))
        obj.refresh_from_db()

    @admin.action(description=_("停用所选机构"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[OrgUnit]) -> None:
        # Deepest first, so that a unit and its sub-units can be switched off together.
        for unit in sorted(queryset, key=lambda u: -u.depth):
            try:
                services.org_unit_deactivate(actor=_actor(request), unit=unit)
            except ApplicationError as exc:
                self.message_user(request, f"{unit.name}：{exc.message}", messages.ERROR)


# --- persons -------------------------------------------------------------------------------


class PersonAddForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        # No assurance level: a person added here is L1 until verified (decision 0044).
        fields = ("name", "resident_id", "mobile", "address", "user")

    def clean_resident_id(self) -> str:
        value = self.cleaned_data.get("resident_id", "")
        return _as_form_error(validators.validate_resident_id, value)

    def clean_mobile(self) -> str:
        return _as_form_error(validators.validate_mobile, self.cleaned_data.get("mobile", ""))


class PersonEditForm(forms.ModelForm[Person]):
    # Nothing is edited here: the level is raised at a hall or by the person's own check
    # (services.person_assurance_raise), never by the platform's administrators.
    class Meta:
        model = Person
        fields = ()


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = (
        "masked_name",
        "masked_resident_id",
        "masked_mobile",
        "assurance_level",
        "created_at",
    )
    list_filter = ("assurance_level",)
    # The admin sees every number masked, so it searches only on what the mask shows: the
    # last four of a mobile or an ID number (decision 0074). A full number would be an
    # oracle — "is 13800138000 registered?" answered by one row — so it matches nothing.
    search_fields = ("mobile", "resident_id")
    search_help_text = _("按手机号或身份证号的后四位搜索")
    ordering = ("-created_at",)
    autocomplete_fields = ("user",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        term = search_term.strip().upper()
        if not term:
            return queryset, False
        if not PERSON_SEARCH_TAIL.fullmatch(term):
            messages.warning(request, _("只能按手机号或身份证号的后四位搜索（完整号码不可搜索）"))
            return queryset.none(), False
        return queryset.filter(Q(mobile__endswith=term) | Q(resident_id__endswith=term)), False

    @admin.display(description=_("姓名"))
    def masked_name(self, obj: Person) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("身份证号码"))
    def masked_resident_id(self, obj: Person) -> str:
        return mask_resident_id(obj.resident_id)

    @admin.display(description=_("手机号码"))
    def masked_mobile(self, obj: Person) -> str:
        return mask_mobile(obj.mobile)

    @admin.display(description=_("住址"))
    def masked_address(self, obj: Person) -> str:
        return mask_address(obj.address)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        kw["form"] = PersonEditForm if obj else PersonAddForm
        return super().get_form(request, obj, change=change, **kw)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "resident_id", "mobile", "address", "user"]
        return [
            "masked_name",
            "masked_resident_id",
            "masked_mobile",
            "masked_address",
            "user",
            "assurance_level",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (
            "masked_name",
            "masked_resident_id",
            "masked_mobile",
            "masked_address",
            "user",
            "assurance_level",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET":
            # Opening a file is a read of personal data: audited like any other.
            pk = validators.parse_id(object_id)
            person = Person.objects.filter(pk=pk).first() if pk is not None else None
            try:
                selectors.access_person(
                    request.user, person.public_id if person else "", actor=_actor(request)
                )
            except ApplicationError:
                raise Http404 from None
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor, data = _actor(request), form.cleaned_data
        if change:
            obj.refresh_from_db()
            return
        person = services.person_create(
            actor=actor,
            name=data["name"],
            resident_id=data["resident_id"],
            mobile=data.get("mobile", ""),
            address=data.get("address", ""),
            user=data.get("user"),
        )
        _adopt(obj, person)


# --- enterprises ---------------------------------------------------------------------------


class EnterpriseForm(forms.ModelForm[Enterprise]):
    class Meta:
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "legal_representative",
            "contact_mobile",
            "address",
            "representatives",
        )

    def clean_credit_code(self) -> str:
        value = self.cleaned_data.get("credit_code", "")
        return _as_form_error(validators.validate_credit_code, value)

    def clean_contact_mobile(self) -> str:
        value = self.cleaned_data.get("contact_mobile", "")
        return _as_form_error(validators.validate_mobile, value)

    def clean_representatives(self) -> Any:
        reps = self.cleaned_data.get("representatives")
        if reps is not None and any(u.role != Role.ENTERPRISE_REP for u in reps):
            raise ValidationError(_("只有企业代表账号可以代表企业"))
        return reps


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin[Enterprise]):
    form = EnterpriseForm
    list_display = ("name", "credit_code", "legal_representative", "masked_contact", "created_at")
    search_fields = ("name", "=credit_code")
    ordering = ("name",)
    autocomplete_fields = ("representatives",)

    @admin.display(description=_("联系电话"))
    def masked_contact(self, obj: Enterprise) -> str:
        return mask_mobile(obj.contact_mobile)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The credit code identifies the enterprise for life.
        return ("credit_code",) if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor, data = _actor(request), form.cleaned_data
        fields = ("name", "legal_representative", "contact_mobile", "address")
        if change:
            edits = {k: data[k] for k in fields if k in form.changed_data}
            if edits:
                services.enterprise_update(actor=actor, enterprise=obj, **edits)
            obj.refresh_from_db()
            return
        enterprise = services.enterprise_create(
            actor=actor, credit_code=data["credit_code"], **{k: data.get(k, "") for k in fields}
        )
        _adopt(obj, enterprise)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        wanted = set(form.cleaned_data.get("representatives") or ())
        current = set(form.instance.representatives.all())
        for user in wanted - current:
            services.enterprise_add_representative(
                actor=_actor(request), enterprise=form.instance, user=user
            )
        for user in current - wanted:
            services.enterprise_remove_representative(
                actor=_actor(request), enterprise=form.instance, user=user
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- staff ---------------------------------------------------------------------------------


class StaffProfileForm(forms.ModelForm[StaffProfile]):
    class Meta:
        model = StaffProfile
        fields = ("user", "employee_no", "title", "office_phone")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        if user.role not in STAFF_ROLES:
            raise ValidationError(_("只有工作人员才有工作人员档案"))
        return user


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin[StaffProfile]):
    form = StaffProfileForm
    list_display = ("employee_no", "user", "unit", "title", "office_phone")
    list_select_related = ("user", "user__org_unit")
    search_fields = ("employee_no", "user__username", "user__display_name")
    ordering = ("employee_no",)
    autocomplete_fields = ("user",)
    fields = ("user", "employee_no", "title", "office_phone")

    @admin.display(description=_("所属机构"))
    def unit(self, obj: StaffProfile) -> str:
        return str(obj.user.org_unit or "")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user",) if obj else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        profile = services.staff_profile_upsert(
            actor=_actor(request),
            user=obj.user,
            employee_no=data["employee_no"],
            title=data.get("title", ""),
            office_phone=data.get("office_phone", ""),
        )
        _adopt(obj, profile)
