"""Writes of enterprises (企业) and their representatives."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict, ValidationFailed
from hongmian.core.masking import mask_mobile
from hongmian.core.updates import full_clean, model_update
from hongmian.identity import permissions
from hongmian.identity.models import Enterprise, User
from hongmian.identity.services._common import (
    authorise,
    optional_mobile,
    required,
    save_new,
)
from hongmian.identity.states import Role

ENTERPRISE_AUDIT_FIELDS = ["name", "credit_code", "legal_representative", "address"]


def enterprise_create(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    legal_representative: str = "",
    contact_mobile: str = "",
    address: str = "",
) -> Enterprise:
    """Register an enterprise by its unified social credit code (one per code)."""
    authorise(actor, permissions.can_manage_enterprises, "enterprise.forbidden")
    enterprise = Enterprise(
        name=required(name, "name", "请填写企业名称"),
        credit_code=validators.validate_credit_code(credit_code),
        legal_representative=(legal_representative or "").strip(),
        contact_mobile=optional_mobile(contact_mobile),
        address=(address or "").strip(),
    )
    full_clean(enterprise, code="enterprise.invalid")
    duplicate = Conflict(
        gettext("该统一社会信用代码已登记"),
        code="enterprise.duplicate",
        fields={"credit_code": ["已登记"]},
    )
    with transaction.atomic():
        if Enterprise.objects.filter(credit_code=enterprise.credit_code).exists():
            raise duplicate
        save_new(enterprise, conflict=duplicate)
        audit_record(
            actor=actor,
            action="enterprise.create",
            target=enterprise,
            after={
                **snapshot(enterprise, ENTERPRISE_AUDIT_FIELDS),
                "contact_mobile": mask_mobile(enterprise.contact_mobile),
            },
        )
    return enterprise


def enterprise_update(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str | None = None,
    legal_representative: str | None = None,
    contact_mobile: str | None = None,
    address: str | None = None,
) -> Enterprise:
    """Correct an enterprise's registration facts (None leaves a field as it is). The credit
    code never changes."""
    authorise(actor, permissions.can_manage_enterprises, "enterprise.forbidden")
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = required(name, "name", "请填写企业名称")
    if legal_representative is not None:
        wanted["legal_representative"] = legal_representative.strip()
    if contact_mobile is not None:
        wanted["contact_mobile"] = optional_mobile(contact_mobile)
    if address is not None:
        wanted["address"] = address.strip()
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        enterprise, _ = model_update(
            actor=actor,
            action="enterprise.update",
            instance=enterprise,
            data=wanted,
            invalid_code="enterprise.invalid",
            masks={"contact_mobile": mask_mobile},
        )
    return enterprise


def enterprise_add_representative(*, actor: Actor, enterprise: Enterprise, user: User) -> bool:
    """Let `user` (an enterprise_rep account) act for `enterprise`. Returns False, writing
    nothing, if it already does."""
    authorise(
        actor,
        lambda u: permissions.can_manage_representatives(u, enterprise),
        "enterprise.forbidden",
    )
    if user.role != Role.ENTERPRISE_REP or not user.is_active:
        message = "只有启用中的企业代表账号可以代表企业"
        raise ValidationFailed(
            message, code="enterprise.representative_role", fields={"user": [message]}
        )
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.representatives.filter(pk=user.pk).exists():
            return False
        enterprise.representatives.add(user)
        audit_record(
            actor=actor,
            action="enterprise.add_representative",
            target=enterprise,
            after={"user": user.pk, "username": user.username},
        )
    return True


def enterprise_remove_representative(*, actor: Actor, enterprise: Enterprise, user: User) -> bool:
    """Stop `user` acting for `enterprise`. Returns False, writing nothing, if it did not."""
    authorise(
        actor,
        lambda u: permissions.can_manage_representatives(u, enterprise),
        "enterprise.forbidden",
    )
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if not enterprise.representatives.filter(pk=user.pk).exists():
            return False
        enterprise.representatives.remove(user)
        audit_record(
            actor=actor,
            action="enterprise.remove_representative",
            target=enterprise,
            before={"user": user.pk, "username": user.username},
        )
    return True
