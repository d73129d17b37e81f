"""Identity endpoints: the current account, the organisation tree, persons, enterprises.

An API key or the session (the API's one default, config/api.py); every operation parses
input and calls a selector or a service, which check permissions. Errors are
`{code, message, fields}` with a 4xx status (core.api_errors).
"""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import PermissionDenied
from hongmian.core.masking import mask_mobile
from hongmian.core.schemas import DbId
from hongmian.identity import permissions, selectors, services
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.schemas import (
    EnterpriseOut,
    MeOut,
    OrgUnitOut,
    OrgUnitRef,
    PersonCreateIn,
    PersonOut,
)
from hongmian.identity.states import Role

router = Router(tags=["identity"])


def _user(request: HttpRequest) -> User:
    # The auth class lets only an active account through and puts it on request.auth.
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.get("/me", response=MeOut, summary="当前账号")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    unit = user.org_unit
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=str(Role(user.role).label),
        org_unit=OrgUnitRef(id=unit.pk, name=unit.name) if unit else None,
        elder_mode=user.elder_mode,
        language=user.language,
        mobile_masked=mask_mobile(user.mobile),
    )


@router.get(
    "/org-units", response={200: list[OrgUnitOut], **errors(403, 404)}, summary="下级机构列表"
)
def org_units(request: HttpRequest, parent: DbId | None = None) -> QuerySet[OrgUnit]:
    """The active units directly under `parent` (the root units without it)."""
    if not permissions.can_view_org_units(_user(request)):
        raise PermissionDenied("没有权限查看组织机构")
    parent_unit = selectors.org_unit_get(parent) if parent is not None else None
    return selectors.org_unit_list(parent=parent_unit)


@router.get("/persons/{person_id}", response={200: PersonOut, **errors(404)}, summary="自然人信息")
def person_detail(request: HttpRequest, person_id: DbId) -> selectors.PersonView:
    return selectors.access_person(
        _user(request), person_id, actor=Actor.from_request(request, via="api")
    )


@router.post("/persons", response={201: PersonOut, **errors(403, 409)}, summary="登记自然人")
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Status[selectors.PersonView]:
    user = _user(request)
    person = services.person_create(
        actor=Actor.from_request(request, via="api"),
        name=payload.name,
        resident_id=payload.resident_id,
        mobile=payload.mobile,
        address=payload.address,
    )
    return Status(201, selectors.person_view(user, person))


@router.get(
    "/enterprises/{enterprise_id}", response={200: EnterpriseOut, **errors(404)}, summary="企业信息"
)
def enterprise_detail(request: HttpRequest, enterprise_id: DbId) -> selectors.EnterpriseView:
    return selectors.access_enterprise(
        _user(request), enterprise_id, actor=Actor.from_request(request, via="api")
    )
