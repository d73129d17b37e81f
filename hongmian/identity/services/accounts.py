"""Writes of accounts (用户) and staff profiles (工作人员档案)."""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.masking import mask_mobile
from hongmian.core.updates import full_clean, model_update
from hongmian.identity import permissions
from hongmian.identity.models import OrgUnit, StaffProfile, User
from hongmian.identity.services._common import (
    USER_AUDIT_FIELDS,
    active_unit,
    authorise,
    check_role_unit,
    optional_mobile,
    parse_role,
    required,
    save_new,
)
from hongmian.identity.states import ADMIN_SITE_ROLES, OVERSIGHT_ROLES, STAFF_ROLES, Role


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    org_unit: OrgUnit | None = None,
    mobile: str = "",
    is_superuser: bool = False,
    password_hash: str = "",
) -> User:
    """Open an account. Unit-scoped roles need a unit, the public must have none; the
    password must pass every AUTH_PASSWORD_VALIDATORS rule. Only system admins get the admin
    site (is_staff); `is_superuser` is allowed for the system_admin role only. An account of
    one of the three administrators' roles is opened by the security administrator only
    (三员分立: a system administrator cannot make the auditor, or another security admin).
    `password_hash` is `make_password(password)` from a caller that opens many accounts with
    one password (the demo's ninety): hashing costs about a second of CPU per account."""
    role = parse_role(role)
    if role in (OVERSIGHT_ROLES - {Role.SYSTEM_ADMIN}):
        authorise(actor, permissions.can_assign_roles, "user.forbidden")
    else:
        authorise(actor, permissions.can_manage_users, "user.forbidden")
    check_role_unit(role, org_unit)
    if is_superuser and role != Role.SYSTEM_ADMIN:
        message = "只有系统管理员可以是超级用户"
        raise ValidationFailed(message, code="user.superuser_role", fields={"role": [message]})
    username = required(username, "username", "请填写用户名")
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        role=role,
        org_unit=org_unit,
        mobile=optional_mobile(mobile),
        is_staff=role in ADMIN_SITE_ROLES,
        is_superuser=is_superuser,
    )
    full_clean(user, code="user.invalid", exclude=["password"])
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            gettext("密码不符合要求"), code="user.password_weak", fields={"password": exc.messages}
        ) from None
    duplicate = Conflict(
        gettext("用户名“%(username)s”已被使用") % {"username": username},
        code="user.duplicate_username",
        fields={"username": ["已被使用"]},
    )
    with transaction.atomic():
        user.org_unit = active_unit(org_unit, code="user.org_unit_inactive", field="org_unit")
        # Case-insensitive: "Agent" and "agent" would be the same person to a reader.
        if User.objects.filter(username__iexact=username).exists():
            raise duplicate
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(password)
        save_new(user, conflict=duplicate)
        audit_record(
            actor=actor, action="user.create", target=user, after=snapshot(user, USER_AUDIT_FIELDS)
        )
    return user


def user_change_role(
    *, actor: Actor, user: User, role: str, org_unit: OrgUnit | None = None
) -> User:
    """Give `user` a new role and unit (the unit rules of user_create apply): the security
    administrator's act (三员分立). Leaving the system_admin role also removes admin-site
    access. Nobody changes their own role."""
    authorise(actor, permissions.can_assign_roles, "user.forbidden")
    if actor.user is not None and actor.user.pk == user.pk:
        raise PermissionDenied(gettext("不能修改自己的角色"), code="user.own_role")
    role = parse_role(role)
    check_role_unit(role, org_unit)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        org_unit = active_unit(org_unit, code="user.org_unit_inactive", field="org_unit")
        if user.role == role and user.org_unit_id == (org_unit.pk if org_unit else None):
            return user
        before = snapshot(user, USER_AUDIT_FIELDS)
        user.role = role
        user.org_unit = org_unit
        user.is_staff = role in ADMIN_SITE_ROLES
        user.is_superuser = user.is_superuser and role == Role.SYSTEM_ADMIN
        full_clean(user, code="user.invalid")
        user.save(update_fields=["role", "org_unit", "is_staff", "is_superuser"])
        audit_record(
            actor=actor,
            action="user.change_role",
            target=user,
            before=before,
            after=snapshot(user, USER_AUDIT_FIELDS),
        )
    return user


def user_update(
    *,
    actor: Actor,
    user: User,
    display_name: str | None = None,
    mobile: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Correct an account's profile or switch it off (None leaves a field as it is).
    Deactivation keeps the row: audit entries and records point at it. Nobody deactivates
    their own account (the last administrator would lock everyone out)."""
    authorise(actor, permissions.can_manage_users, "user.forbidden")
    wanted: dict[str, Any] = {}
    if display_name is not None:
        wanted["display_name"] = display_name.strip()
    if mobile is not None:
        wanted["mobile"] = optional_mobile(mobile)
    if email is not None:
        wanted["email"] = User.objects.normalize_email(email.strip())
    if is_active is not None:
        wanted["is_active"] = is_active
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if (
            is_active is False
            and user.is_active
            and actor.user is not None
            and actor.user.pk == user.pk
        ):
            raise PermissionDenied(gettext("不能停用自己的账号"), code="user.own_account")
        # The mobile is personal data: the trail says that it changed, not what it is.
        user, _ = model_update(
            actor=actor,
            action="user.update",
            instance=user,
            data=wanted,
            invalid_code="user.invalid",
            masks={"mobile": mask_mobile},
        )
    return user


def staff_profile_upsert(
    *, actor: Actor, user: User, employee_no: str, title: str = "", office_phone: str = ""
) -> StaffProfile:
    """Create or update the job facts of a member of staff; unchanged facts write nothing."""
    authorise(actor, permissions.can_manage_staff_profiles, "staff_profile.forbidden")
    if user.role not in STAFF_ROLES:
        message = "只有工作人员才有工作人员档案"
        raise ValidationFailed(message, code="staff_profile.not_staff", fields={"user": [message]})
    employee_no = required(employee_no, "employee_no", "请填写工号")
    values = {
        "employee_no": employee_no,
        "title": (title or "").strip(),
        "office_phone": (office_phone or "").strip(),
    }
    taken = Conflict(
        gettext("工号“%(employee_no)s”已被使用") % {"employee_no": employee_no},
        code="staff_profile.employee_no_taken",
        fields={"employee_no": ["已被使用"]},
    )
    with transaction.atomic():
        if StaffProfile.objects.filter(employee_no=employee_no).exclude(user=user).exists():
            raise taken
        profile = StaffProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            profile = StaffProfile(user=user, **values)
            full_clean(profile, code="staff_profile.invalid")
            save_new(profile, conflict=taken)
            audit_record(
                actor=actor,
                action="staff_profile.create",
                target=profile,
                after=snapshot(profile, list(values)),
            )
            return profile
        profile, _ = model_update(
            actor=actor,
            action="staff_profile.update",
            instance=profile,
            data=values,
            invalid_code="staff_profile.invalid",
        )
    return profile


def user_lockout_clear(*, actor: Actor, user: User) -> int:
    """Let a locked-out account (too many failed logins, django-axes) try again before its
    lockout ends: the security administrator's act, after checking who is asking. Returns
    how many failed attempts were cleared; clearing none is still audited (it was asked)."""
    authorise(actor, permissions.can_clear_lockouts, "user.forbidden")
    with transaction.atomic():
        cleared = reset(username=user.username)
        audit_record(
            actor=actor, action="user.lockout_clear", target=user, after={"cleared": cleared}
        )
    return cleared
