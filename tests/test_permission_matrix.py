"""The permission matrix (docs/decisions/0023): every URL of the site and every API operation
× the 11 roles and a visitor × own / other unit's / other person's record → the answer the
table in tests/permission_matrix.py declares.

The world, built once for the module and rolled back after it (each cell runs in its own
savepoint, so what a cell changes is gone before the next):

    city ─┬─ centre (12345: agent, supervisor)
          ├─ district A ── street A (its sub-unit)
          │    handler, manager, hall staff, data steward: all of district A
          └─ district B (handler_b, manager_b: not among the principals)

    orders   own          citizen's web order, lead street A (the district's sub-unit);
                          for the enterprise representative, its own order there instead
             other_person citizen 2's order, lead district A itself
             other_unit   citizen 2's order, lead district B
    articles own = a draft of district A · other_unit = a draft of district B ·
             published = district B's public article
    persons  own = the principal's own file · other_person = citizen 2's
    enterprises own = the representative's enterprise · other_person = another one

A cell sends the request the way its door does: web pages on the session, unsafe methods
with the CSRF token; API operations with a bearer key where the operation takes keys and on
the session (CSRF not enforced, as ninja's session auth checks it itself) where it does not
yet; Open311 with a key. Unsafe methods carry a minimal valid body (the row's), so that the
answer comes from access control and the act's own predicate, not from a missing field.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from hongmian.analytics.models import ReportIssue
from hongmian.analytics.states import IssueStatus, IssueTrigger
from hongmian.core.actors import Actor
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.attachments import attachments_add
from hongmian.hotline.states import Channel
from hongmian.hotline.tests.factories import (
    CategoryFactory,
    ExtensionRequestFactory,
    WorkOrderFactory,
    actor_of,
)
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.services.api_keys import api_key_create
from hongmian.identity.states import ADMIN_SITE_ROLES, UNIT_SCOPED_ROLES, Role, UnitKind
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)
from hongmian.insights.models import HotspotAlert
from tests import permission_matrix as pm

FOUND = pm.endpoints()
CSRF_TOKEN = "matrixcsrftoken0123456789abcdefg"  # 32 characters: a valid unmasked secret

# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    orders: dict[str, WorkOrder] = field(default_factory=dict)
    extensions: dict[int, Any] = field(default_factory=dict)
    attachments: dict[int, Any] = field(default_factory=dict)  # by order id
    articles: dict[str, Any] = field(default_factory=dict)
    service_items: dict[str, Any] = field(default_factory=dict)  # catalogue (issue 12)
    certificates: dict[str, Any] = field(default_factory=dict)  # e-certificates (issue 13)
    persons: dict[str, Any] = field(default_factory=dict)
    enterprises: dict[str, Any] = field(default_factory=dict)
    applications: dict[str, Any] = field(default_factory=dict)  # 办件 (issue 13)
    sessions: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    category: Any = None
    report: Any = None
    alert: Any = None
    callback: Any = None
    token: str = ""

    def record(self, kind: str, variant: str, principal: str) -> Any:
        if kind in ("order", "extension"):
            if variant == pm.OWN:
                key = "enterprise" if principal == Role.ENTERPRISE_REP else "citizen"
            else:
                key = variant
            order = self.orders[key]
            return self.extensions[order.pk] if kind == "extension" else order
        if kind == "attachment":
            key = "enterprise" if principal == Role.ENTERPRISE_REP else "citizen"
            return self.attachments[self.orders[key if variant == pm.OWN else variant].pk]
        if kind == "application":
            if variant == pm.OWN:
                return self.applications[
                    "enterprise" if principal == Role.ENTERPRISE_REP else "citizen"
                ]
            return self.applications[variant]
        if kind == "article":
            return self.articles[variant]
        if kind == "service_item":
            return self.service_items[variant]
        if kind == "certificate":
            if variant == pm.OWN:
                return self.certificates[
                    "enterprise" if principal == Role.ENTERPRISE_REP else pm.OWN
                ]
            return self.certificates[variant]
        if kind == "person":
            return self.persons[principal if variant == pm.OWN else "other"]
        if kind == "enterprise":
            return self.enterprises[variant]
        return {
            "report": self.report,
            "alert": self.alert,
            "category": self.category,
            "callback": self.callback,
        }.get(kind)

    def params(self, kind: str | None, obj: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "fmt": "json",
            "app_label": "hotline",
            "url": "no-such-page/",
            "path": "no-such-resource.json",
            "object_id": "0",
            "id": "0",
            "window_id": "0",  # no window (the hall line's consoles)
            "content_type_id": "1",
            "token": self.token,
            "job_id": "0",  # no report job has this id
            "consent_id": "999999999",  # nobody's consent (identity's own tests revoke real ones)
            "code": "no-such-item",  # no catalogue item has this code
            "slug": "no-such-event",  # no life event has this slug
            "terminal_id": "999999999",  # no city code terminal has this id
            "attribute_id": "999999999",  # nor any attribute
            "collective_id": "999999999",  # no collective code (集体码)
            "member_id": "999999999",  # nor any invitation to one
            "scan_id": "999999999",  # nor any scan (码上办's desk)
        }
        if kind == "order":
            params |= {"pk": obj.pk, "number": obj.number, "service_request_id": obj.number}
        elif kind == "extension":
            order = obj.order
            params |= {"pk": order.pk, "number": order.number}
            params |= {"extension_pk": obj.pk, "extension_id": obj.pk}
        elif kind == "attachment":
            params |= {"key": obj.key}
        elif kind == "application":
            params |= {"pk": obj.pk, "application_id": obj.pk}
            params["material_id"] = obj.materials.values_list("material_id", flat=True)[0]
        elif kind == "article":
            params["article_id"] = obj.pk
        elif kind == "service_item":
            params["code"] = obj.code
        elif kind == "certificate":
            params["cert_id"] = obj.cert_id
        elif kind == "person":
            params["person_id"] = obj.public_id  # the API's opaque id (decision 0074)
        elif kind == "enterprise":
            params["enterprise_id"] = obj.public_id
        elif kind in ("report", "alert", "callback"):
            params["pk"] = obj.pk
        elif kind == "category":
            params["service_code"] = obj.code
        return params


def _photo() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile("现场.jpg", out.getvalue(), content_type="image/jpeg")


def _units() -> dict[str, OrgUnit]:
    city = OrgUnitFactory(code="m-city", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    centre = OrgUnitFactory(
        code="m-centre", name="12345热线中心", kind=UnitKind.HOTLINE_CENTRE, parent=city
    )
    a = OrgUnitFactory(
        code="m-tianhe",
        name="天河区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        division_code="440106000",
        parent=city,
    )
    street_a = OrgUnitFactory(
        code="m-shipai",
        name="石牌街道办事处",
        kind=UnitKind.STREET,
        division_code="440106006",
        parent=a,
    )
    b = OrgUnitFactory(
        code="m-yuexiu",
        name="越秀区人民政府",
        kind=UnitKind.DISTRICT_GOVERNMENT,
        division_code="440104000",
        parent=city,
    )
    return {"city": city, "centre": centre, "a": a, "street_a": street_a, "b": b}


def _articles(w: World) -> None:
    from hongmian.knowledge import services

    a_author = actor_of(w.users[Role.DEPT_HANDLER])
    b_author = actor_of(UserFactory(role=Role.DEPT_HANDLER, org_unit=w.units["b"]))
    b_manager = actor_of(UserFactory(role=Role.DEPT_MANAGER, org_unit=w.units["b"]))
    body = "计划停水会提前公告，突然停水可拨打自来水公司热线 96968 查询。"
    w.articles[pm.OWN] = services.article_create(
        actor=a_author, owning_unit=w.units["a"], title="天河区停水安排", body=body
    )
    w.articles[pm.OTHER_UNIT] = services.article_create(
        actor=b_author, owning_unit=w.units["b"], title="越秀区停水安排", body=body
    )
    published = services.article_create(
        actor=b_author, owning_unit=w.units["b"], title="停水查询", body=body
    )
    services.article_submit(actor=b_author, article=published)
    services.article_approve(actor=b_manager, article=published)
    w.articles[pm.PUBLISHED] = published


def _service_items(w: World) -> None:
    """Catalogue items: a draft of district A, a draft of district B, a published one of B."""
    from hongmian.catalog.services.content import ItemContent
    from hongmian.catalog.services.items import (
        catalog_item_approve,
        catalog_item_create,
        catalog_item_submit,
    )

    a_author = actor_of(w.users[Role.DEPT_HANDLER])
    b_author = actor_of(UserFactory(role=Role.DEPT_HANDLER, org_unit=w.units["b"]))
    b_manager = actor_of(UserFactory(role=Role.DEPT_MANAGER, org_unit=w.units["b"]))
    for variant, author, unit in (
        (pm.OWN, a_author, w.units["a"]),
        (pm.OTHER_UNIT, b_author, w.units["b"]),
        (pm.PUBLISHED, b_author, w.units["b"]),
    ):
        w.service_items[variant] = catalog_item_create(
            actor=author,
            department=unit,
            code=f"M-{variant}",
            content=ItemContent(name=f"矩阵事项 {variant}"),
        )
    catalog_item_submit(actor=b_author, item=w.service_items[pm.PUBLISHED])
    catalog_item_approve(actor=b_manager, item=w.service_items[pm.PUBLISHED])


def _applications(w: World) -> None:
    """Submitted applications, each with one uploaded material: the citizen's and the
    representative's to district A's item, citizen 2's to A's and to district B's."""
    from hongmian.applications.services.drafts import application_create
    from hongmian.applications.services.lifecycle import application_submit
    from hongmian.applications.services.materials import material_upload
    from hongmian.catalog.models import Material, ServiceItem

    items = {}
    for key, unit in (("a", w.units["a"]), ("b", w.units["b"])):
        items[key] = ServiceItem.objects.create(
            code=f"M-apply-{key}",
            name=f"矩阵申请事项 {key}",
            department=unit,
            status="published",
            revision=1,
            required_level=1,
            for_enterprises=True,
        )
        Material.objects.create(item=items[key], name="申请书")
    citizen2 = User.objects.get(username="matrix-citizen-2")
    for key, user, item in (
        ("citizen", w.users[Role.CITIZEN], items["a"]),
        ("enterprise", w.users[Role.ENTERPRISE_REP], items["a"]),
        (pm.OTHER_PERSON, citizen2, items["a"]),
        (pm.OTHER_UNIT, citizen2, items["b"]),
    ):
        applicant = actor_of(user)
        application, _created = application_create(actor=applicant, item=item)
        material_upload(
            actor=applicant,
            application=application,
            material_id=item.materials.get().pk,
            upload=_photo(),
        )
        w.applications[key] = application_submit(actor=applicant, application=application)[0]


def _certificates(w: World) -> None:
    """E-certificates issued by district A (the citizen's, the representative's enterprise's,
    citizen 2's) and by district B (citizen 2's). Rows, not signatures: access is under test."""
    from hongmian.catalog.models import CertificateType
    from hongmian.certificates.models import Certificate

    ctype = CertificateType.objects.create(code="m-cert", name="矩阵证照")
    now = timezone.now()
    citizen2 = w.persons["other"]
    for variant, unit, holder in (
        (pm.OWN, w.units["a"], {"person": w.persons[Role.CITIZEN]}),
        ("enterprise", w.units["a"], {"enterprise": w.enterprises[pm.OWN]}),
        (pm.OTHER_PERSON, w.units["a"], {"person": citizen2}),
        (pm.OTHER_UNIT, w.units["b"], {"person": citizen2}),
    ):
        w.certificates[variant] = Certificate.objects.create(
            type=ctype,
            issuer=unit,
            data={},
            kid="m",
            token="a.b.c",
            issued_at=now,
            valid_from=now,
            **holder,
        )


def build_world() -> World:
    w = World(units=_units())
    unit_of = {
        Role.HOTLINE_AGENT: w.units["centre"],
        Role.HOTLINE_SUPERVISOR: w.units["centre"],
        Role.CHIEF_DATA_OFFICER: w.units["city"],
        Role.CITY_LEADER: w.units["city"],
        **{role: w.units["a"] for role in UNIT_SCOPED_ROLES},
    }
    for role in pm.ROLES:
        w.users[role] = UserFactory(
            role=role,
            org_unit=unit_of.get(role),
            username=f"matrix-{role}",
            # The platform's administrators run the admin site as superusers (the demo's);
            # the security administrator gets in too, as a staff account only.
            is_superuser=role == Role.SYSTEM_ADMIN,
            is_staff=role in ADMIN_SITE_ROLES,
        )
    citizen2 = UserFactory(role=Role.CITIZEN, username="matrix-citizen-2")
    for principal, user in [(pm.ANONYMOUS, None), *w.users.items()]:
        w.persons[principal] = PersonFactory(user=user)
    w.persons["other"] = PersonFactory(user=citizen2)
    w.enterprises[pm.OWN] = EnterpriseFactory(representatives=[w.users[Role.ENTERPRISE_REP]])
    w.enterprises[pm.OTHER_PERSON] = EnterpriseFactory()

    def order(lead: OrgUnit | None, by: User, **fields: Any) -> WorkOrder:
        traits = {"dispatched": True, "lead_unit": lead} if lead is not None else {}
        return WorkOrderFactory(channel=Channel.WEB, submitted_by=by, **traits, **fields)

    w.orders = {
        "citizen": order(w.units["street_a"], w.users[Role.CITIZEN]),
        "enterprise": order(w.units["street_a"], w.users[Role.ENTERPRISE_REP]),
        pm.OTHER_PERSON: order(w.units["a"], citizen2),
        pm.OTHER_UNIT: order(w.units["b"], citizen2),
        "spare": order(None, citizen2),
    }
    # An order an Open311 client posted: its token tells the client the order's number.
    w.token = "matrix-open311-token"
    WorkOrderFactory(channel=Channel.OPEN311, external_ref=w.token)
    for o in w.orders.values():
        if o.lead_unit_id is not None:
            w.extensions[o.pk] = ExtensionRequestFactory(order=o)
    centre = actor_of(w.users[Role.HOTLINE_AGENT])
    for o in w.orders.values():
        w.attachments[o.pk] = attachments_add(
            actor=centre, order=o, uploads=[_photo()], visibility="staff"
        )[0]
    root = CategoryFactory(code="m-env", name="生态环境")
    w.category = CategoryFactory(
        code="m-env-noise-night",
        name="夜间施工噪音",
        parent=CategoryFactory(code="m-env-noise", name="噪声", parent=root),
    )
    _articles(w)
    _service_items(w)
    _applications(w)
    _certificates(w)
    w.report = ReportIssue.objects.create(
        period_kind="month",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        title="广州12345热线数据分析报告（2026年10月）",
        trigger=IssueTrigger.SCHEDULED,
        status=IssueStatus.READY,
        generated_at=timezone.now(),
        total=7,
        # No figures: the page says so in a short page (200) and the JSON download is
        # "null" — what is under test is who reaches them, not how a report renders.
        data=None,
    )
    w.alert = HotspotAlert.objects.create(
        day=timezone.localdate(), count=5, expected=0.4, p_value=0.001, title="地铁口积水", heat=9
    )
    w.callback = _missed_call()
    system = Actor.system("permission matrix")
    for role, user in w.users.items():
        browser = Client()
        browser.force_login(user)
        session = browser.session
        # Every cell's request is rolled back, the session's renewal with it: the sessions
        # must outlast a slow run on a busy machine, not the 30 idle minutes of a person.
        session.set_expiry(6 * 3600)
        session.save()
        w.sessions[role] = session.session_key
        w.keys[role] = api_key_create(actor=system, user=user, name="permission matrix")[1]
    return w


def _missed_call() -> Any:
    """A missed call's callback task (telephony), posted by a PBX gateway of its own."""
    from hongmian.telephony.services import CtiEvent, cti_event_record, gateway_register

    setup = Actor.system("permission matrix")
    account = UserFactory(username="m-pbx", role=Role.HOTLINE_AGENT)
    gateway_register(actor=setup, name="matrix PBX", kind="pbx", user=account)
    at = timezone.now()
    event = CtiEvent(call_id="m-missed", event_id="1", event="missed", occurred_at=at)
    return cti_event_record(actor=Actor(user=account, via="api"), event=event).call.callback


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once; every cell runs in a savepoint inside this transaction, which is rolled
    back when the module ends, so nothing here outlives it."""
    from hongmian.knowledge.search import _backend

    with django_db_blocker.unblock(), transaction.atomic():
        _backend.cache_clear()
        yield build_world()
        transaction.set_rollback(True)
    _backend.cache_clear()


# --- the cells -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One test: a principal and a record on one row (or on the rows of one group)."""

    label: str  # the row's key, or its group's
    keys: tuple[str, ...]
    principal: str
    variant: str | None

    @property
    def id(self) -> str:
        return " | ".join(p for p in (self.label, self.principal, self.variant) if p)


def _cells() -> list[Cell]:
    stale = set(pm.stale_rows(FOUND, pm.MATRIX))
    groups: dict[str, list[str]] = {}
    for key, row in pm.MATRIX.items():
        if key not in stale:
            groups.setdefault(row.group or key, []).append(key)
    cells = []
    for label, keys in groups.items():
        kinds = {pm.MATRIX[k].kind for k in keys} - {None}
        assert len(kinds) <= 1, f"{label}: a group names one kind of record"
        kind = next(iter(kinds), None)
        variants: tuple[str | None, ...] = pm.KIND_VARIANTS[kind] if kind else (None,)
        cells += [
            Cell(label, tuple(keys), p, v)
            for p in pm.PRINCIPALS
            for v in (variants[:1] if p in pm.NO_RECORDS else variants)
        ]
    return cells


CELLS = _cells()
# URL × principal × record: what the matrix checks (some tests check a group of URLs).
CHECKS = sum(len(c.keys) for c in CELLS)


def _param(cell: Cell) -> Any:
    findings = {pm.MATRIX[k].finding(cell.principal, cell.variant) for k in cell.keys} - {None}
    marks = (
        [pytest.mark.xfail(reason=" / ".join(sorted(findings)), strict=True)] if findings else []
    )
    return pytest.param(cell, id=cell.id, marks=marks)


def test_every_url_has_a_row() -> None:
    missing = pm.missing_rows(FOUND, pm.MATRIX)
    assert not missing, "add a row to the permission matrix (tests/permission_matrix.py) for: " + (
        ", ".join(missing)
    )


def test_every_row_has_a_url() -> None:
    stale = pm.stale_rows(FOUND, pm.MATRIX)
    assert not stale, "these rows of the permission matrix name no URL any more: " + (
        ", ".join(stale)
    )


def test_the_matrix_size() -> None:
    """The figure issue 10 asks for: URL × principal × record checks (printed with -s)."""
    routes = {pm.split_key(k)[1] for k in pm.MATRIX}
    print(
        f"\npermission matrix: {len(pm.MATRIX)} rows over {len(routes)} routes × "
        f"{len(pm.PRINCIPALS)} principals × their records = {CHECKS} checks in {len(CELLS)} tests"
    )
    assert len(pm.MATRIX) * len(pm.PRINCIPALS) <= CHECKS


_clients: dict[bool, Client] = {}


def _client(*, csrf: bool) -> Client:
    # One client per kind, its cookies replaced for every cell: building the middleware
    # chain once keeps the few thousand cells fast.
    if csrf not in _clients:
        _clients[csrf] = Client(enforce_csrf_checks=csrf)
    client = _clients[csrf]
    client.cookies = SimpleCookie()
    return client


def _request(w: World, key: str, cell: Cell, row: pm.Row, url: str, obj: Any) -> Any:
    method, route = pm.split_key(key)
    endpoint = FOUND.get(key) or FOUND[route]
    body = row.body(w, obj) if callable(row.body) else row.body
    logged_in = cell.principal != pm.ANONYMOUS
    headers: dict[str, str] = {}
    if endpoint.door == "web":
        client = _client(csrf=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
        headers["HTTP_X_CSRFTOKEN"] = CSRF_TOKEN
        if logged_in:
            client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[cell.principal]
        if method == "GET":
            return client.get(url, dict(row.query), **headers)
        return client.generic(
            method,
            url,
            urlencode(dict(body or {}), doseq=True),
            content_type="application/x-www-form-urlencoded",
            **headers,
        )
    client = _client(csrf=False)
    if logged_in and endpoint.door in ("key", "open311"):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {w.keys[cell.principal]}"
    elif logged_in:
        # identity and knowledge take the session only for now; keys follow on every router.
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[cell.principal]
    if method == "GET":
        return client.get(url, dict(row.query), **headers)
    if endpoint.door == "open311":
        return client.post(
            url,
            urlencode(dict(body or {})),
            content_type="application/x-www-form-urlencoded",
            **headers,
        )
    data = "" if body is None else json.dumps(body)
    return client.generic(method, url, data, content_type="application/json", **headers)


def _shown(response: Any) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def _verdict(
    response: Any, answer: pm.Answer, method: str, row: pm.Row, door: str, principal: str
) -> bool:
    status = response.status_code
    redirect_to = urlparse(response.get("Location", "")).path if status == 302 else None
    if answer == pm.ANON:
        answer = pm.Answer.LOGIN if door == "web" else pm.UNAUTHENTICATED
    if answer == pm.ALLOW:
        if method not in pm.SAFE_METHODS:
            return status not in (401, 403, 404) and status < 500
        ok = row.ok_for(principal)
        if ok == pm.ADMITTED:
            return status < 500 and redirect_to != reverse("admin:login")
        return status == ok
    if answer == pm.Answer.LOGIN:
        return redirect_to == reverse("portal:login")
    if answer == pm.ADMIN_LOGIN:
        return redirect_to == reverse("admin:login")
    return status == int(answer.value)


@pytest.mark.django_db
@pytest.mark.parametrize("cell", [_param(c) for c in CELLS])
def test_matrix(world: World, cell: Cell) -> None:
    failures = [f for key in cell.keys if (f := _check(world, key, cell))]
    assert not failures, "; ".join(failures)


def _check(w: World, key: str, cell: Cell) -> str | None:
    """Send the cell's request for one row; None when the answer is the declared one."""
    # Wrong number/phone pairs are counted per address in the cache (hotline.tracking): a
    # cell's misses must not lock the next cell out.
    cache.clear()
    row = pm.MATRIX[key]
    method, route = pm.split_key(key)
    obj = w.record(row.kind, cell.variant, cell.principal) if row.kind else None
    url = pm.fill(route, w.params(row.kind, obj))
    # The URL filled in must reach the route of its row, not a neighbour's.
    assert pm.normalise(resolve(url).route) == route, f"{url} resolves elsewhere"
    answer = row.rule.answer(cell.principal, cell.variant)
    response = _request(w, key, cell, row, url, obj)
    if method not in pm.SAFE_METHODS:
        # The search index is kept per process; an act may have changed the articles it
        # was built from, and the cell's rollback does not reach it.
        from hongmian.knowledge.search import _backend

        _backend.cache_clear()
    door = (FOUND.get(key) or FOUND[route]).door
    if _verdict(response, answer, method, row, door, cell.principal):
        return None
    ok = row.ok_for(cell.principal)
    expected = f"{answer.value} ({ok})" if answer == pm.ALLOW and method == "GET" else answer.value
    shown = " | ".join(p for p in (key, cell.principal, cell.variant) if p)
    return f"{shown}: expected {expected}, got {_shown(response)}"
