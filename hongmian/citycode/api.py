"""City code endpoints. Public: the key set (what an offline verifier needs). The person's
current code (the session or a key of their account). The scan resolve, for registered
terminals only (their account's API key). The terminal registry's lists for its readers, and
attributes for authorised units."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import Query, Router, Status

from hongmian.citycode import permissions, selectors
from hongmian.citycode import selectors_collective as sc
from hongmian.citycode.models import Attribute, CollectiveCode, Terminal
from hongmian.citycode.schemas import (
    AttributeOut,
    AttributeSetIn,
    CityCodeKeySetOut,
    CollectivePageOut,
    MemberPageOut,
    MembersIn,
    MyCodeOut,
    PageIn,
    ScanIn,
    ScanOut,
    ScanPageOut,
    TerminalPageOut,
)
from hongmian.citycode.services.attributes import attribute_clear, attribute_set
from hongmian.citycode.services.codes import citycode_holder_ensure, citycode_issue
from hongmian.citycode.services.scans import scan_resolve
from hongmian.citycode.states import MemberStatus
from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.masking import mask_resident_id
from hongmian.core.schemas import DbId
from hongmian.identity.selectors import my_person
from hongmian.identity.states import Role

router = Router(tags=["citycode"])

# Verifiers may keep the key set this long: a rotation publishes the new key before it signs
# (the replaced key stays published for HONGMIAN_CITYCODE_KEY_OVERLAP_SECONDS, longer than
# this), and a revocation reaches a verifier within it.
KEYS_MAX_AGE = 300


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _page(rows: QuerySet[Any], params: PageIn, out: Any) -> dict[str, Any]:
    paginator = Paginator(rows, params.per_page)
    page = paginator.get_page(params.page)
    return {
        "total": paginator.count,
        "page": page.number,
        "per_page": params.per_page,
        "num_pages": paginator.num_pages,
        "items": [out(row) for row in page.object_list],
    }


@router.get(
    "/keys.json", auth=None, response={200: CityCodeKeySetOut}, summary="红棉码签名公钥（JWK Set）"
)
def keys(request: HttpRequest) -> HttpResponse:
    """Every public key whose codes may still be valid, and the revoked kids."""
    response = JsonResponse(selectors.citycode_jwks(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={KEYS_MAX_AGE}"
    return response


@router.get("/me", response={200: MyCodeOut, **errors(403, 404)}, summary="我的红棉码")
def my_code(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """A fresh payload, valid for HONGMIAN_CITYCODE_TTL_SECONDS; never cached."""
    user = request.auth  # type: ignore[attr-defined]
    if not permissions.can_hold_code(user):
        # Staff and enterprise accounts act for others; the code is a resident's own.
        raise PermissionDenied(gettext("只有市民账号持有红棉码"), code="citycode.not_a_holder")
    person = my_person(user)
    holder = citycode_holder_ensure(actor=_actor(request), person=person)
    code = citycode_issue(holder=holder)
    response["Cache-Control"] = "private, no-store"
    return {"payload": code.payload, "issued_at": code.issued_at, "expires_at": code.expires_at}


@router.post("/scans", response={200: ScanOut, **errors(403, 422)}, summary="终端扫码核验")
def scans(request: HttpRequest, payload: ScanIn) -> dict[str, Any]:
    """For registered terminals (their account's key). Always 200 for a scanned code, valid
    or not: an invalid code is an answer; an account that is not an enabled terminal is
    403 `terminal.unknown` / `terminal.disabled`."""
    answer = scan_resolve(actor=_actor(request), payload=payload.payload)
    return {
        "valid": answer.valid,
        "reason": answer.reason,
        "scan_id": answer.scan_id,
        "scanned_at": answer.scanned_at,
        "name": answer.name,
        "masked_id": answer.masked_id,
        "attributes": [
            {"code": a.code, "name": a.name, "value": a.value, "valid_until": a.valid_until}
            for a in answer.attributes
        ],
        "checkin": dataclasses.asdict(answer.checkin) if answer.checkin else None,
        "desk_url": answer.desk_url,
        "collective": dataclasses.asdict(answer.collective) if answer.collective else None,
    }


def _reader(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not permissions.can_read_terminals(user):
        raise PermissionDenied(gettext("无权查看核验终端"), code="terminal.forbidden")
    return user


def terminal_out(t: Terminal) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "name": t.name,
        "kind": t.kind,
        "owner_unit": t.owner_unit.name,
        "place_name": t.place_name,
        "latitude": float(t.latitude),
        "longitude": float(t.longitude),
        "is_enabled": t.is_enabled,
        "identity_fields": list(t.identity_fields),
    }


@router.get("/terminals", response={200: TerminalPageOut, **errors(403, 422)}, summary="核验终端")
def terminals(request: HttpRequest, params: Query[PageIn]) -> dict[str, Any]:
    """The terminals the caller may read (the registry's keeper: all; a unit: its own)."""
    return _page(selectors.terminal_list(_reader(request)), params, terminal_out)


@router.get(
    "/terminals/{terminal_id}/scans",
    response={200: ScanPageOut, **errors(403, 404, 422)},
    summary="终端核验记录",
)
def terminal_scans(
    request: HttpRequest, terminal_id: DbId, params: Query[PageIn]
) -> dict[str, Any]:
    terminal = selectors.access_terminal(_reader(request), terminal_id)
    return _page(
        selectors.scan_list(terminal),
        params,
        lambda s: {
            "id": s.pk,
            "scanned_at": s.scanned_at,
            "result": s.result,
            "code_id": s.code_id,
        },
    )


def attribute_out(a: Attribute) -> dict[str, Any]:
    return {
        "id": a.pk,
        "type": a.type.code,
        "type_name": a.type.name,
        "value": a.value,
        "status": a.status,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "set_by_unit": a.set_by_unit.name,
    }


@router.post(
    "/attributes",
    response={201: AttributeOut, **errors(403, 404, 409, 422)},
    summary="设置状态属性",
)
def attributes_set(request: HttpRequest, payload: AttributeSetIn) -> Status[dict[str, Any]]:
    """For a unit authorised for the type; another unit gets 403
    `citycode.attribute_unit_not_authorised`."""
    row = attribute_set(
        actor=_actor(request),
        person=payload.resident_id,
        type_code=payload.type,
        value=payload.value,
        valid_until=payload.valid_until,
    )
    return Status(201, attribute_out(row))


@router.post(
    "/attributes/{attribute_id}/clear",
    response={200: AttributeOut, **errors(403, 404, 409)},
    summary="撤销状态属性",
)
def attributes_clear(request: HttpRequest, attribute_id: DbId) -> dict[str, Any]:
    return attribute_out(attribute_clear(actor=_actor(request), attribute_id=attribute_id))


# --- 集体码 (decision 0079): the administrator's codes and members --------------------------


def _administrator(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if user.role not in {Role.ENTERPRISE_REP, Role.DEPT_MANAGER}:
        raise PermissionDenied(
            gettext("只有组织的管理员可以查看集体码"), code="collective.forbidden"
        )
    return user


def _owner(c: CollectiveCode) -> str:
    return c.enterprise.name if c.enterprise is not None else getattr(c.org_unit, "name", "")


@router.get(
    "/collectives", response={200: CollectivePageOut, **errors(403, 422)}, summary="我管理的集体码"
)
def collectives(request: HttpRequest, params: Query[PageIn]) -> dict[str, Any]:
    return _page(
        sc.collectives_administered(_administrator(request)),
        params,
        lambda c: {"id": c.pk, "name": c.name, "owner": _owner(c)},
    )


@router.get(
    "/collectives/{collective_id}/members",
    response={200: MemberPageOut, **errors(403, 404, 422)},
    summary="集体码成员及状态",
)
def collective_members(
    request: HttpRequest, collective_id: DbId, params: Query[MembersIn]
) -> dict[str, Any]:
    """Members (by status, paged, true counts per status) with the values each consented
    to share; another organisation's code: 404."""
    found = sc.access_collective(_administrator(request), collective_id)
    if params.status and params.status not in MemberStatus.values:
        message = gettext("未知的成员状态")
        raise ValidationFailed(message, code="collective.status", fields={"status": [message]})
    page = _page(sc.member_list(found, params.status), params, lambda m: m)
    members = page["items"]
    rows = {r.member_id: r for r in sc.member_statuses(found, members)}
    page["items"] = [
        {
            "id": m.pk,
            "name": m.person.name,
            "masked_id": mask_resident_id(m.person.resident_id),
            "status": m.status,
            "valid": rows[m.pk].valid,
            "attributes": rows[m.pk].attributes,
        }
        for m in members
    ]
    page["counts"] = sc.member_counts(found)
    return page
