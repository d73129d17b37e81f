"""Identity endpoints: the current account, the organisation tree, persons, enterprises.

An API key or the session (the API's one default, config/api.py); every operation parses
input and calls a selector or a service, which check permissions. Errors are
`{code, message, fields}` with a 4xx status (core.api_errors).
"""

from __future__ import annotations

import dataclasses
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Status

from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.errors import NotFound, PermissionDenied
from hongmian.core.masking import mask_mobile
from hongmian.core.schemas import DbId
from hongmian.identity import file_fields, permissions, selectors, services
from hongmian.identity.assurance import AssuranceLevel, user_assurance_level
from hongmian.identity.models import Consent, Enterprise, OrgUnit, Person, User
from hongmian.identity.schemas import (
    AssuranceOut,
    ConsentIn,
    ConsentOut,
    EnterpriseFileOut,
    EnterpriseOut,
    FileEntryOut,
    FileFieldOut,
    FilePushIn,
    FilePushOut,
    FileUseOut,
    FileUsePageIn,
    FileUsePageOut,
    IdPhoneCheckIn,
    InPersonCheckIn,
    MeOut,
    MyFileOut,
    OrgUnitOut,
    OrgUnitRef,
    PersonCreateIn,
    PersonOut,
    PublicId,
    ServiceContextParam,
)
from hongmian.identity.services.files import FileRecord
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
        assurance_level=user_assurance_level(user),
    )


@router.get(
    "/org-units", response={200: list[OrgUnitOut], **errors(403, 404)}, summary="下级机构列表"
)
def org_units(request: HttpRequest, parent: DbId | None = None) -> QuerySet[OrgUnit]:
    """The active units directly under `parent` (the root units without it)."""
    if not permissions.can_view_org_units(_user(request)):
        raise PermissionDenied(gettext("没有权限查看组织机构"))
    parent_unit = selectors.org_unit_get(parent) if parent is not None else None
    return selectors.org_unit_list(parent=parent_unit)


@router.get(
    "/persons/{person_id}", response={200: PersonOut, **errors(404, 422)}, summary="自然人信息"
)
def person_detail(
    request: HttpRequest, person_id: PublicId, context: ServiceContextParam | None = None
) -> selectors.PersonView:
    """A person by their public id. Hall and hotline roles name the service context they
    serve the person in (`booking:<id>` for a booking at their hall today, `call:<id>` for
    the call they are on); without one that holds, the person is not found (decision 0074)."""
    return selectors.access_person(
        _user(request), person_id, actor=Actor.from_request(request, via="api"), context=context
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
def enterprise_detail(request: HttpRequest, enterprise_id: PublicId) -> selectors.EnterpriseView:
    return selectors.access_enterprise(
        _user(request), enterprise_id, actor=Actor.from_request(request, via="api")
    )


# --- person and enterprise files (一人一档 / 一企一档, decision 0044) -----------------------


@router.get("/files/fields", response=list[FileFieldOut], summary="档案字段目录")
def file_fields_list(request: HttpRequest) -> list[FileFieldOut]:
    """Every field of the two files, with the department (org unit code) that supplies it."""
    return [
        FileFieldOut(
            key=s.key,
            label=s.label,
            subject=s.subject,
            group=s.group,
            owner=s.owner,
            kind=s.kind,
            choices=list(s.choices),
            item_keys=[k for k, _label in s.item_keys],
        )
        for s in file_fields.FIELDS.values()
    ]


@router.post(
    "/files/push", response={200: FilePushOut, **errors(403, 409)}, summary="部门推送档案数据"
)
def file_push(request: HttpRequest, payload: FilePushIn) -> FilePushOut:
    """A department's batch, all or nothing, with the key of its data steward's account.
    The same batch_id again returns the first answer (`replayed`); errors name each bad
    record as `records[i]` in `fields`."""
    result = services.file_push(
        actor=Actor.from_request(request, via="api"),
        batch_id=payload.batch_id,
        records=[
            FileRecord(
                field=r.field,
                value=r.value,
                as_of=r.as_of,
                resident_id=r.resident_id,
                credit_code=r.credit_code,
            )
            for r in payload.records
        ],
    )
    return FilePushOut(**dataclasses.asdict(result))


def _entries_out(entries: list[selectors.FileEntry]) -> list[FileEntryOut]:
    return [FileEntryOut(**dataclasses.asdict(e)) for e in entries]


def _assurance_out(person: Person) -> AssuranceOut:
    return AssuranceOut(
        level=person.assurance_level,
        label=str(AssuranceLevel(person.assurance_level).label),
        method=person.assurance_method,
        assured_at=person.assured_at,
    )


@router.get("/me/file", response={200: MyFileOut, **errors(404)}, summary="我的档案")
def my_file(request: HttpRequest) -> MyFileOut:
    """The signed-in person's whole file, each field with its source and date."""
    user = _user(request)
    person = selectors.my_person(user)
    return MyFileOut(
        assurance=_assurance_out(person), fields=_entries_out(selectors.access_my_file(user))
    )


@router.get(
    "/me/file/uses", response={200: FileUsePageOut, **errors(404)}, summary="我的档案使用记录"
)
def my_file_uses(request: HttpRequest, paging: Query[FileUsePageIn]) -> FileUsePageOut:
    """Who used which fields of my file, when and for what, newest first, paged."""
    person = selectors.my_person(_user(request))
    found = Paginator(selectors.file_use_list(person), paging.per_page).get_page(paging.page)
    return FileUsePageOut(
        count=found.paginator.count,
        page=found.number,
        per_page=found.paginator.per_page,
        num_pages=found.paginator.num_pages,
        items=[
            FileUseOut(
                used_at=u.used_at,
                reader=u.reader_label,
                requester=u.requester,
                purpose=u.purpose,
                fields=list(u.fields),
            )
            for u in found
        ],
    )


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        purpose=consent.purpose,
        requester=consent.requester,
        fields=list(consent.fields),
        granted_at=consent.granted_at,
        valid_until=consent.valid_until,
        revoked_at=consent.revoked_at,
        active=consent.revoked_at is None and consent.valid_until > timezone.now(),
    )


@router.get("/me/consents", response={200: list[ConsentOut], **errors(404)}, summary="我的授权")
def my_consents(request: HttpRequest) -> list[ConsentOut]:
    person = selectors.my_person(_user(request))
    return [_consent_out(c) for c in selectors.consent_list(person)]


@router.post("/me/consents", response={201: ConsentOut, **errors(404)}, summary="授权使用我的档案")
def my_consent_grant(request: HttpRequest, payload: ConsentIn) -> Status[ConsentOut]:
    person = selectors.my_person(_user(request))
    consent = services.consent_grant(
        actor=Actor.from_request(request, via="api"),
        subject=person,
        purpose=payload.purpose,
        requester=payload.requester,
        fields=payload.fields,
        valid_until=payload.valid_until,
    )
    return Status(201, _consent_out(consent))


@router.post(
    "/me/consents/{consent_id}/revoke",
    response={200: ConsentOut, **errors(404)},
    summary="撤回授权",
)
def my_consent_revoke(request: HttpRequest, consent_id: DbId) -> ConsentOut:
    consent = selectors.access_my_consent(_user(request), consent_id)
    consent = services.consent_revoke(actor=Actor.from_request(request, via="api"), consent=consent)
    return _consent_out(consent)


@router.post(
    "/me/assurance/id-phone",
    response={200: AssuranceOut, **errors(404, 409)},
    summary="身份证号+手机号实名核验（L2）",
)
def my_assurance_id_phone(request: HttpRequest, payload: IdPhoneCheckIn) -> AssuranceOut:
    person = selectors.my_person(_user(request))
    person = services.person_verify_id_and_phone(
        actor=Actor.from_request(request, via="api"),
        person=person,
        resident_id=payload.resident_id,
        mobile=payload.mobile,
    )
    return _assurance_out(person)


@router.get(
    "/enterprises/{enterprise_id}/file",
    response={200: EnterpriseFileOut, **errors(404)},
    summary="企业档案",
)
def enterprise_file(request: HttpRequest, enterprise_id: PublicId) -> EnterpriseFileOut:
    """The enterprise's whole file, for its authorised representatives (404 for anyone else)."""
    enterprise, entries = selectors.access_enterprise_file(
        _user(request), enterprise_id, actor=Actor.from_request(request, via="api")
    )
    return EnterpriseFileOut(
        id=enterprise.public_id, name=enterprise.name, fields=_entries_out(entries)
    )


@router.post(
    "/persons/{person_id}/assurance/in-person",
    response={200: AssuranceOut, **errors(403, 404, 409)},
    summary="窗口现场核验（L2/L3）",
)
def person_assurance_in_person(
    request: HttpRequest, person_id: PublicId, payload: InPersonCheckIn
) -> AssuranceOut:
    """Hall staff raise a person they have in front of them, after the card reader's check.
    The card's chip is itself the proof of presence (the check fails for anyone else), so
    hall staff need no other service context here; the answer carries no personal data."""
    user = _user(request)
    person = selectors.person_for_in_person_check(user, person_id)
    person = services.person_verify_in_person(
        actor=Actor.from_request(request, via="api"),
        person=person,
        card_reading=payload.card_reading,
        level=AssuranceLevel(payload.level),
    )
    return _assurance_out(person)


def _represented(request: HttpRequest, enterprise_id: str) -> Enterprise:
    """An enterprise the caller represents; NotFound (as for a missing one) otherwise."""
    user = _user(request)
    enterprise = selectors.enterprise_by_public_id(enterprise_id)
    if enterprise is None or not permissions.is_representative(user, enterprise):
        raise NotFound(gettext("对象不存在"), code="file.not_found")
    return enterprise


@router.get(
    "/enterprises/{enterprise_id}/consents",
    response={200: list[ConsentOut], **errors(404)},
    summary="企业的授权",
)
def enterprise_consents(request: HttpRequest, enterprise_id: PublicId) -> list[ConsentOut]:
    enterprise = _represented(request, enterprise_id)
    return [_consent_out(c) for c in selectors.consent_list(enterprise)]


@router.post(
    "/enterprises/{enterprise_id}/consents",
    response={201: ConsentOut, **errors(404)},
    summary="授权使用企业档案",
)
def enterprise_consent_grant(
    request: HttpRequest, enterprise_id: PublicId, payload: ConsentIn
) -> Status[ConsentOut]:
    """A representative lets a service read fields of the enterprise's file; revoke it with
    POST /me/consents/{id}/revoke like one's own."""
    consent = services.consent_grant(
        actor=Actor.from_request(request, via="api"),
        subject=_represented(request, enterprise_id),
        purpose=payload.purpose,
        requester=payload.requester,
        fields=payload.fields,
        valid_until=payload.valid_until,
    )
    return Status(201, _consent_out(consent))
