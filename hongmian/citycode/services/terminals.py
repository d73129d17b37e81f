"""The terminal registry: register a terminal (with its own device account, whose API keys
it calls the scan API with), change its scope, enable and disable it.

A terminal is its own model with its own account, not an account of its owner unit: a unit
account's key would carry the unit's staff rights (read the unit's orders, persons …); the
device account has the citizen role with no person — it owns nothing, so it reads nothing —
and only its registration as a terminal lets it scan (docs/decisions/0062). Its key is
issued like any other, by the security administrator (`hongmian apikey create`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hongmian.citycode import permissions
from hongmian.citycode.models import AttributeType, Terminal
from hongmian.citycode.states import IdentityField, TerminalKind
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record, snapshot
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.identity.models import OrgUnit
from hongmian.identity.services.accounts import user_create
from hongmian.identity.states import Role

_AUDITED = [
    "code",
    "name",
    "kind",
    "owner_unit",
    "place_name",
    "latitude",
    "longitude",
    "is_enabled",
    "identity_fields",
]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"terminal.{field}", fields={field: [message]})


def _authorise(actor: Actor) -> None:
    # The system administrator, or the platform itself (the command line, the demo).
    if actor.user is None and actor.via in ("system", "cli"):
        return
    if not permissions.can_manage_registry(actor.user):
        raise PermissionDenied(gettext("无权管理核验终端"), code="terminal.forbidden")


def _coordinate(value: Any, field: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise _invalid(field, gettext("坐标应为数字")) from None
    if not number.is_finite() or abs(number) > limit:
        raise _invalid(field, gettext("坐标超出范围"))
    return number


def _scope(identity_fields: Sequence[str]) -> list[str]:
    chosen = sorted(set(identity_fields))
    if any(f not in IdentityField.values for f in chosen):
        raise _invalid("identity_fields", gettext("未知的可见信息项"))
    return chosen


def terminal_register(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    owner_unit: OrgUnit,
    place_name: str,
    latitude: Any,
    longitude: Any,
    identity_fields: Sequence[str] = (),
    attribute_types: Sequence[AttributeType] = (),
) -> Terminal:
    """登记终端, with its device account `terminal-<code>`."""
    _authorise(actor)
    code, name, place_name = code.strip().lower(), name.strip(), place_name.strip()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        raise _invalid("code", gettext("终端编号只能包含字母、数字、- 和 _，40 字以内"))
    if not name or len(name) > 100:
        raise _invalid("name", gettext("请填写名称（100 字以内）"))
    if not place_name or len(place_name) > 100:
        raise _invalid("place_name", gettext("请填写地点（100 字以内）"))
    if kind not in TerminalKind.values:
        raise _invalid("kind", gettext("终端类型无效"))
    if not owner_unit.is_active:
        raise _invalid("owner_unit", gettext("所属单位已停用"))
    terminal = Terminal(
        code=code,
        name=name,
        kind=kind,
        owner_unit=owner_unit,
        place_name=place_name,
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        identity_fields=_scope(identity_fields),
    )
    duplicate = Conflict(gettext("终端编号已存在"), code="terminal.duplicate")
    if Terminal.objects.filter(code=code).exists():
        raise duplicate
    with transaction.atomic():
        terminal.account = user_create(
            actor=actor,
            username=f"terminal-{code}",
            # Nobody logs in as a terminal: it calls the API with its key.
            password=secrets.token_urlsafe(32),
            role=Role.CITIZEN,
            display_name=name[:50],
        )
        try:
            with transaction.atomic():
                terminal.save(force_insert=True)
        except IntegrityError:
            raise duplicate from None
        terminal.attribute_types.set(attribute_types)
        audit_record(
            actor=actor,
            action="terminal.register",
            target=terminal,
            after={
                **snapshot(terminal, _AUDITED),
                "attribute_types": [t.code for t in attribute_types],
            },
        )
    return terminal


def terminal_scope_set(
    *,
    actor: Actor,
    terminal: Terminal,
    identity_fields: Sequence[str],
    attribute_types: Sequence[AttributeType],
) -> Terminal:
    """What the terminal may learn beyond valid/invalid."""
    _authorise(actor)
    fields = _scope(identity_fields)
    with transaction.atomic():
        locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
        before = {
            "identity_fields": locked.identity_fields,
            "attribute_types": sorted(t.code for t in locked.attribute_types.all()),
        }
        locked.identity_fields = fields
        locked.save(update_fields=["identity_fields", "updated_at"])
        locked.attribute_types.set(attribute_types)
        audit_record(
            actor=actor,
            action="terminal.scope_set",
            target=locked,
            before=before,
            after={
                "identity_fields": fields,
                "attribute_types": sorted(t.code for t in attribute_types),
            },
        )
    return locked


def terminal_set_enabled(*, actor: Actor, terminal: Terminal, enabled: bool) -> Terminal:
    """启用 / 停用: a disabled terminal's scans are refused (`terminal.disabled`) at once."""
    _authorise(actor)
    with transaction.atomic():
        locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
        if locked.is_enabled == enabled:
            raise Conflict(
                gettext("终端已是该状态"),
                code="terminal.enabled" if enabled else "terminal.disabled",
            )
        locked.is_enabled = enabled
        locked.save(update_fields=["is_enabled", "updated_at"])
        audit_record(
            actor=actor,
            action="terminal.enable" if enabled else "terminal.disable",
            target=locked,
            before={"is_enabled": not enabled},
            after={"is_enabled": enabled},
        )
    return locked
