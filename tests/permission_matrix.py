"""The permission matrix: who may reach what, for every URL of the site and every API
operation (tests/test_permission_matrix.py runs it; docs/decisions/0023).

The URLs are read from the URL conf (`endpoints()`), the answers are declared here
(`MATRIX`), in one table keyed by "METHOD /route" — the route as the URL conf writes it,
with converters dropped (`<int:pk>` is `<pk>`) and Open311's regular expressions written
the same way (`/open311/v2/requests/<service_request_id>.<fmt>`). Routes, not URL names:
a page that moves to another app keeps its row as long as it keeps its path.

A row says who gets past access control (`ALLOWED_FOR`, `PUBLIC`, `ANY_LOGGED_IN`), what
everyone else is told (403 for a screen that is not the role's, 404 where even the page's
existence is kept quiet), and for a URL that names a record, which records each role
reaches (`CITY_WIDE | OWN_UNIT | OWNER`; a record out of reach is 404, exactly like a
missing one). Records come in variants (`OWN`, `OTHER_UNIT`, `OTHER_PERSON`) that the test's
fixture world fills in for each role: see `KIND_VARIANTS` and the test module's docstring.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from ninja.security import HttpBearer

from hongmian.analytics.permissions import ANALYTICS_ROLES, ISSUER_ROLES
from hongmian.hotline.permissions import CENTRE_ROLES, UNIT_HANDLER_ROLES
from hongmian.identity.permissions import PERSON_EDITOR_ROLES, PERSON_LOOKUP_ROLES
from hongmian.identity.states import (
    ADMIN_SITE_ROLES,
    CITY_WIDE_ROLES,
    PUBLIC_ROLES,
    STAFF_ROLES,
    UNIT_SCOPED_ROLES,
    Role,
)
from hongmian.knowledge.permissions import AUTHOR_ROLES

# --- who asks --------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = tuple(Role.values)
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, *ROLES)
LOGGED_IN = frozenset(ROLES)
# Principals that reach no record of any kind (the security administrator and the auditor:
# 三员分立 keeps them out of the city's business). A URL naming a record is checked for them
# with one record, not each variant: none passes their gate, and two more cells per row
# would cost the matrix ~15% of its time to learn nothing (decision 0046).
NO_RECORDS = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR})
EVERYONE = frozenset(PRINCIPALS)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Answer(enum.StrEnum):
    ALLOW = "allowed"  # past access control (a GET answers the row's `ok`)
    ANON = "not logged in"  # the door's own answer: login page (web) or 401 (API)
    LOGIN = "login page"  # 302 to the site's login page
    ADMIN_LOGIN = "admin login"  # 302 to the admin site's login page
    UNAUTHENTICATED = "401"
    FORBIDDEN = "403"
    NOT_FOUND = "404"


ALLOW, ANON, FORBIDDEN, NOT_FOUND = Answer.ALLOW, Answer.ANON, Answer.FORBIDDEN, Answer.NOT_FOUND
UNAUTHENTICATED, ADMIN_LOGIN = Answer.UNAUTHENTICATED, Answer.ADMIN_LOGIN

# --- records ---------------------------------------------------------------------------------

OWN = "own"  # the role's own: its unit's (or a sub-unit's) record, the citizen's own order
OTHER_UNIT = "other_unit"  # a record of a unit in another district
OTHER_PERSON = "other_person"  # the same unit's record, filed by someone else
PUBLISHED = "published"  # a knowledge article everyone may read
ANY = "any"  # a record that belongs to no unit and no person (a report, an alert)

KIND_VARIANTS: dict[str, tuple[str, ...]] = {
    "order": (OWN, OTHER_UNIT, OTHER_PERSON),
    # An extension request, in the URL under its order: the variants are its order's.
    "extension": (OWN, OTHER_UNIT, OTHER_PERSON),
    # Drafts of the role's unit and of another unit, and a published public article.
    "article": (OWN, OTHER_UNIT, PUBLISHED),
    # The same for the catalogue's service items (issue 12).
    "service_item": (OWN, OTHER_UNIT, PUBLISHED),
    "person": (OWN, OTHER_PERSON),
    "enterprise": (OWN, OTHER_PERSON),
    "report": (ANY,),
    "alert": (ANY,),
    "category": (ANY,),
    "token": (ANY,),
    "admin": (ANY,),
    "callback": (ANY,),  # a missed call's callback task (telephony)
    # A staff-marked photo on the order of the same variant (attachments, issue 11 item 4).
    "attachment": (OWN, OTHER_UNIT, OTHER_PERSON),
    # An application (办件, issue 13): the principal's own (for staff: one of their unit's),
    # another person's to the same unit, another person's to another district's unit.
    "application": (OWN, OTHER_UNIT, OTHER_PERSON),
    # An e-certificate (issue 13): own = the principal's (the citizen's, the representative's
    # enterprise's; for staff, the citizen's, issued by district A); other_person = citizen
    # 2's issued by district A; other_unit = citizen 2's issued by district B.
    "certificate": (OWN, OTHER_UNIT, OTHER_PERSON),
}


@dataclass(frozen=True)
class Scope:
    """Which record variants each principal reaches (a union with `|`)."""

    reach: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __or__(self, other: Scope) -> Scope:
        keys = set(self.reach) | set(other.reach)
        merged = {k: self.reach.get(k, frozenset()) | other.reach.get(k, frozenset()) for k in keys}
        return Scope(merged)

    def reaches(self, principal: str, variant: str) -> bool:
        return variant in self.reach.get(principal, frozenset())


def RECORDS(variants: Iterable[str], roles: Iterable[str]) -> Scope:
    wanted = frozenset(variants)
    return Scope({r: wanted for r in roles})


ALL_VARIANTS = frozenset(v for vs in KIND_VARIANTS.values() for v in vs)


def EVERY_RECORD(roles: Iterable[str]) -> Scope:
    return RECORDS(ALL_VARIANTS, roles)


def OWN_UNIT(roles: Iterable[str] = UNIT_HANDLER_ROLES) -> Scope:
    """Records of the role's unit and of the units below it (a district for its streets)."""
    return RECORDS({OWN, OTHER_PERSON}, roles)


def OWNER(roles: Iterable[str] = PUBLIC_ROLES) -> Scope:
    """The role's own records only."""
    return RECORDS({OWN}, roles)


# The city-wide roles read every record (identity.states.CITY_WIDE_ROLES).
CITY_WIDE = EVERY_RECORD(CITY_WIDE_ROLES)
# A work order: the city-wide roles, the units it is (or was) in the hands of, and its caller
# (hotline.permissions.can_view_work_order). Hall staff and data stewards belong to units
# but never read the hotline's orders.
ORDER_SCOPE = CITY_WIDE | OWN_UNIT() | OWNER()


@dataclass(frozen=True)
class Rule:
    """Who gets past access control, and what everyone else is told.

    `roles` pass the role gate (ANONYMOUS among them for a public page); a logged-in role
    outside it hears `denied`, a visitor `anonymous`. With a `scope`, an admitted principal
    reaches only its records; any other record answers `unseen`. `refusing` then names who
    sees a record but may not act on it (the act's own predicate: 403). `but` overrides
    single cells where a rule of thumb does not hold."""

    roles: frozenset[str]
    denied: Answer = FORBIDDEN
    anonymous: Answer = ANON
    scope: Scope | None = None
    unseen: Answer = NOT_FOUND
    refusing: Scope | None = None
    overrides: Mapping[tuple[str, str | None], Answer] = field(default_factory=dict)

    def seeing(self, scope: Scope) -> Rule:
        return replace(self, scope=scope)

    def acting(self, allowed: Scope) -> Rule:
        """Of the records it sees, the principal acts on `allowed` only (403 on the rest)."""
        assert self.scope is not None, "acting() narrows a scope: call seeing() first"
        refusing = {
            p: frozenset(v for v in ALL_VARIANTS if self.scope.reaches(p, v))
            - allowed.reach.get(p, frozenset())
            for p in PRINCIPALS
        }
        return replace(self, refusing=Scope(refusing))

    def but(self, cells: Mapping[str | tuple[str, str], Answer]) -> Rule:
        """Override cells: {principal: answer} for every record, {(principal, variant): …}."""
        merged = dict(self.overrides)
        for key, answer in cells.items():
            merged[key if isinstance(key, tuple) else (key, None)] = answer
        return replace(self, overrides=merged)

    def answer(self, principal: str, variant: str | None) -> Answer:
        for key in ((principal, variant), (principal, None)):
            if key in self.overrides:
                return self.overrides[key]
        if principal not in self.roles:
            return self.anonymous if principal == ANONYMOUS else self.denied
        if self.scope is not None and variant is not None:
            if not self.scope.reaches(principal, variant):
                return self.unseen
            if self.refusing is not None and self.refusing.reaches(principal, variant):
                return FORBIDDEN
        return ALLOW


def ALLOWED_FOR(roles: Iterable[str], **kwargs: Any) -> Rule:
    return Rule(roles=frozenset(roles), **kwargs)


PUBLIC = Rule(roles=EVERYONE)
ANY_LOGGED_IN = Rule(roles=LOGGED_IN)
# Django's admin site: only accounts with is_staff (the system and security administrators,
# identity.states.ADMIN_SITE_ROLES) get in; everyone else, logged in or not, is sent to the
# admin's own login page. Inside, each ModelAdmin lets in the one whose work it is.
ADMIN_SITE = Rule(roles=ADMIN_SITE_ROLES, denied=ADMIN_LOGIN, anonymous=ADMIN_LOGIN)

# --- the table -------------------------------------------------------------------------------

# What an admitted GET answers when it is not simply 200.
REDIRECT = 302
# Inside the admin the model permissions decide (Django's, with the apps' read-only
# admins); the matrix checks only the door: anything but the admin login and a 5xx.
ADMITTED = "admitted"

Body = Mapping[str, Any] | Callable[[Any, Any], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Row:
    rule: Rule
    kind: str | None = None  # the kind of record the URL names (KIND_VARIANTS)
    ok: int | str = 200  # what an admitted GET answers
    ok_anonymous: int | str | None = None  # … when a visitor's admitted GET answers otherwise
    body: Body = None  # a minimal body for an unsafe method (form fields, JSON or Open311)
    query: Mapping[str, str] = field(default_factory=dict)
    # Cells whose answer today is not the declared one (an access bug): they are run as
    # strict expected failures, so that the fix shows up as a cell to clean up here.
    findings: Mapping[tuple[str, str | None], str] = field(default_factory=dict)
    # Rows of one group share a test id per principal and record (the six pages of one
    # model's admin: one door, 4.4 ms a request, ~4 ms of pytest around each test).
    group: str | None = None
    note: str = ""

    def ok_for(self, principal: str) -> int | str:
        if principal == ANONYMOUS and self.ok_anonymous is not None:
            return self.ok_anonymous
        return self.ok

    def finding(self, principal: str, variant: str | None) -> str | None:
        return self.findings.get((principal, variant)) or self.findings.get((principal, None))


def FINDING(
    text: str, principals: Iterable[str], variants: Iterable[str | None] = (None,)
) -> dict[tuple[str, str | None], str]:
    return {(p, v): text for p in principals for v in variants}


REVIEWERS = (Role.HOTLINE_SUPERVISOR, Role.SYSTEM_ADMIN)
# The catalogue (issue 12): its keepers city-wide, the implementing unit's editors and
# reviewers (catalog.permissions); every unit role reads its unit's drafts.
ITEM_KEEPERS = frozenset({Role.SYSTEM_ADMIN, Role.CHIEF_DATA_OFFICER})
ITEM_EDITORS = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.DATA_STEWARD})
ITEM_READ = (
    RECORDS({PUBLISHED}, EVERYONE) | RECORDS({OWN}, UNIT_SCOPED_ROLES) | EVERY_RECORD(ITEM_KEEPERS)
)
ITEM_EDIT = RECORDS({OWN}, ITEM_EDITORS) | EVERY_RECORD(ITEM_KEEPERS)
ITEM_REVIEW = RECORDS({OWN}, {Role.DEPT_MANAGER}) | EVERY_RECORD(ITEM_KEEPERS)


def _order_of(obj: Any) -> Any:
    return getattr(obj, "order", obj)


def _phone(w: Any, obj: Any) -> dict[str, Any]:
    return {"phone": _order_of(obj).caller_phone, "satisfaction": "satisfied", "resolved": True}


CENTRE_ACT = ALLOWED_FOR(CENTRE_ROLES).seeing(CITY_WIDE)
UNIT_ACT = ALLOWED_FOR(UNIT_HANDLER_ROLES).seeing(OWN_UNIT())
# The API's acts have no role gate of their own: the order's access rule answers first
# (404), then the act's predicate (403).
API_ORDER = ANY_LOGGED_IN.seeing(ORDER_SCOPE)
API_CENTRE_ACT = API_ORDER.acting(EVERY_RECORD(CENTRE_ROLES))
API_UNIT_ACT = API_ORDER.acting(OWN_UNIT())
API_CENTRE_OR_UNIT_ACT = API_ORDER.acting(EVERY_RECORD(CENTRE_ROLES) | OWN_UNIT())

INTAKE_ROLES = PUBLIC_ROLES | CENTRE_ROLES
ORDER_READERS = CENTRE_ROLES | UNIT_HANDLER_ROLES

WEB: dict[str, Row] = {
    "GET /healthz": Row(PUBLIC, note="load balancers"),
    "POST /i18n/setlang/": Row(PUBLIC, body={"language": "zh-hans", "next": "/"}),
    # --- portal
    "GET /": Row(ANY_LOGGED_IN, note="each role's home page"),
    "GET /login/": Row(PUBLIC, ok=REDIRECT, ok_anonymous=200, note="logged in: home"),
    "POST /logout/": Row(PUBLIC),
    "POST /preferences/elder-mode": Row(PUBLIC, body={"elder_mode": "on", "next": "/"}),
    # --- the hotline: the centre's console
    "GET /hotline/": Row(PUBLIC, ok=REDIRECT, note="each role to its screen; visitors to submit"),
    "GET /hotline/console/": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "POST /hotline/console/": Row(ALLOWED_FOR(CENTRE_ROLES), note="intake (empty: 400)"),
    "GET /hotline/console/history": Row(
        ALLOWED_FOR(CENTRE_ROLES), query={"caller_phone": "13800138000"}, note="callers' orders"
    ),
    "GET /hotline/console/address": Row(ALLOWED_FOR(CENTRE_ROLES), query={"address": "天河区"}),
    "GET /hotline/console/suggest": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "GET /hotline/console/ml-suggest": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "GET /hotline/console/ml-adopt": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "GET /hotline/console/categories": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "GET /hotline/console/knowledge": Row(
        ALLOWED_FOR(CENTRE_ROLES), query={"q": "停水"}, note="internal articles too"
    ),
    # console that helps without being asked (issue 11, item 3): duplicates before 受理
    "GET /hotline/console/duplicates": Row(
        ALLOWED_FOR(CENTRE_ROLES), query={"content": "华师路夜间施工噪音扰民"}
    ),
    "GET /hotline/console/<pk>/dispatch": Row(
        CENTRE_ACT, kind="order", ok=REDIRECT, note="a dispatched order goes to its page"
    ),
    # The dashboard's readers open the list from its figures (wallreport; analytics 0033).
    "GET /hotline/search/": Row(
        ALLOWED_FOR(ORDER_READERS | ANALYTICS_ROLES),
        query={"q": "GZ"},
        note="scoped list: callers' data",
    ),
    # --- a unit's inbox and acts
    "GET /hotline/inbox/": Row(ALLOWED_FOR(UNIT_HANDLER_ROLES)),
    "POST /hotline/orders/<pk>/acknowledge": Row(UNIT_ACT, kind="order"),
    "POST /hotline/orders/<pk>/progress": Row(
        UNIT_ACT, kind="order", body={"progress-text": "已到现场", "progress-visibility": "staff"}
    ),
    "POST /hotline/orders/<pk>/reply": Row(UNIT_ACT, kind="order", body={"reply-reply": "已处理"}),
    # The unit of the world's orders is their lead, never a co-handler: 403 for the lead.
    "POST /hotline/orders/<pk>/co-reply": Row(
        UNIT_ACT.acting(Scope()), kind="order", body={"co_reply-reply": "协办意见"}
    ),
    "POST /hotline/orders/<pk>/return": Row(
        UNIT_ACT,
        kind="order",
        body={
            "return_request-reason": "not_our_duty",
            "return_request-legal_basis": "《广州市市容环境卫生管理规定》第十条",
            "return_request-explanation": "不属本单位职责",
        },
    ),
    "POST /hotline/orders/<pk>/extension": Row(
        UNIT_ACT,
        kind="order",
        body={"extension_request-amount": "3", "extension_request-reason": "需现场勘查"},
    ),
    "POST /hotline/orders/<pk>/subdispatch": Row(
        UNIT_ACT, kind="order", body=lambda w, o: {"subdispatch-unit": w.units["street_a"].pk}
    ),
    # --- the order page, shared by the centre and the units
    "GET /hotline/orders/<pk>/": Row(
        ALLOWED_FOR(ORDER_READERS | CITY_WIDE_ROLES).seeing(ORDER_SCOPE),
        kind="order",
        note="city-wide readers: read-only, callers masked",
    ),
    # --- the supervisors' board and the centre's acts
    "GET /hotline/board/": Row(ALLOWED_FOR({Role.HOTLINE_SUPERVISOR})),
    "GET /hotline/board/callbacks/": Row(ALLOWED_FOR({Role.HOTLINE_SUPERVISOR})),
    "POST /hotline/board/merge": Row(ALLOWED_FOR(CENTRE_ROLES), note="back to the board"),
    "GET /hotline/board/hotspots/": Row(ALLOWED_FOR({Role.HOTLINE_SUPERVISOR})),
    "POST /hotline/board/hotspots/alerts/<pk>/acknowledge": Row(
        ALLOWED_FOR({Role.HOTLINE_SUPERVISOR}), kind="alert"
    ),
    "GET /hotline/orders/<pk>/duplicates": Row(CENTRE_ACT, kind="order", note="merge candidates"),
    "POST /hotline/orders/<pk>/dispatch": Row(
        CENTRE_ACT, kind="order", body=lambda w, o: {"dispatch-lead_unit": w.units["a"].pk}
    ),
    "POST /hotline/orders/<pk>/direct-answer": Row(
        CENTRE_ACT, kind="order", body={"direct_answer-answer": "已答复"}
    ),
    "POST /hotline/orders/<pk>/return-review": Row(CENTRE_ACT, kind="order"),
    "POST /hotline/orders/<pk>/joint-meeting": Row(CENTRE_ACT, kind="order"),
    "POST /hotline/orders/<pk>/extensions/<extension_pk>/decide": Row(CENTRE_ACT, kind="extension"),
    "POST /hotline/orders/<pk>/callback": Row(CENTRE_ACT, kind="order"),
    "POST /hotline/orders/<pk>/callback-review": Row(
        ALLOWED_FOR({Role.HOTLINE_SUPERVISOR}).seeing(CITY_WIDE), kind="order"
    ),
    "POST /hotline/orders/<pk>/supervise": Row(
        CENTRE_ACT, kind="order", body={"supervise-kind": "urge", "supervise-note": "请加快"}
    ),
    # --- the public's pages
    "GET /hotline/submit/": Row(PUBLIC),
    # Online intake needs a real-name account (decision 0014); staff file through the console.
    "POST /hotline/submit/": Row(
        ALLOWED_FOR(INTAKE_ROLES, anonymous=FORBIDDEN),
        body={
            "content": "华师路路灯不亮",
            "address": "广州市天河区石牌街道华师路1号",
            "caller_phone": "13800138000",
            "request_type": "help",
        },
    ),
    "GET /hotline/submit/done": Row(PUBLIC, ok=REDIRECT, note="nothing filed in this session"),
    "GET /hotline/track/": Row(PUBLIC),
    "POST /hotline/track/": Row(PUBLIC, note="number + phone are the proof"),
    "POST /hotline/track/rate": Row(PUBLIC, note="number + phone are the proof"),
    "GET /hotline/mine/": Row(ALLOWED_FOR(PUBLIC_ROLES)),
    "GET /hotline/mine/<pk>/": Row(ALLOWED_FOR(PUBLIC_ROLES).seeing(OWNER()), kind="order"),
    # --- queues (hotline/queues.py, decision 0028): 经办人 inside a unit, saved views
    "POST /hotline/orders/<pk>/handler": Row(
        UNIT_ACT, kind="order", body={"handler": "me"}, note="领取; back to the order page"
    ),
    "POST /hotline/views/": Row(
        ALLOWED_FOR(ORDER_READERS),
        body={"queue": "search", "name": "天河待派", "query": "status=received"},
        note="a personal view; back to the list",
    ),
    "POST /hotline/views/delete": Row(
        ALLOWED_FOR(ORDER_READERS), body={"view": "0"}, note="one's own view only"
    ),
    # --- analytics: the archive and the dashboard exist only for their readers (404)
    "GET /analytics/reports/": Row(ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND)),
    # Leaders read reports but do not issue them: the page is theirs, the action is not.
    "POST /analytics/reports/generate/": Row(
        ALLOWED_FOR(ISSUER_ROLES, denied=NOT_FOUND).but({Role.CITY_LEADER: FORBIDDEN}),
        body={"kind": "week"},
    ),
    # "Generate now"'s progress box (wallreport): a job is its requester's only; an id that
    # names no job of yours is the same 404 for every role (tests in test_report_request.py).
    "GET /analytics/reports/jobs/<job_id>": Row(
        ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND), ok=404, note="nobody's job id"
    ),
    "GET /analytics/reports/<pk>/": Row(
        ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND), kind="report"
    ),
    "GET /analytics/reports/<pk>/download/<fmt>": Row(
        ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND), kind="report"
    ),
    "GET /analytics/dashboard/": Row(ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND)),
    "GET /analytics/dashboard/wall/": Row(ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND)),
    "GET /analytics/dashboard/data": Row(ALLOWED_FOR(ANALYTICS_ROLES, denied=NOT_FOUND)),
    # --- telephony (issue 11, item 5): the agent's screen pops, the centre's missed-call
    # queue (never a unit's), the order page's recordings and SMS panel
    "GET /telephony/pops/stream": Row(ALLOWED_FOR(CENTRE_ROLES), note="SSE, the agent's own"),
    "GET /telephony/missed/": Row(ALLOWED_FOR(CENTRE_ROLES)),
    "POST /telephony/missed/<pk>/outcome": Row(
        ALLOWED_FOR(CENTRE_ROLES),
        kind="callback",
        body=lambda w, o: {f"t{o.pk}-outcome": "retry", f"t{o.pk}-version": o.version},
        note="back to the queue",
    ),
    "GET /telephony/orders/<pk>/panel": Row(
        ALLOWED_FOR(ORDER_READERS).seeing(ORDER_SCOPE), kind="order"
    ),
    # --- the API's own documents
    "GET /api/": Row(PUBLIC, ok=404, note="ninja's root: no page"),
    "GET /api/docs": Row(PUBLIC, note="the OpenAPI viewer"),
    "GET /api/openapi.json": Row(PUBLIC),
    # --- the audit log (issue 16, item 5; decision 0046): the auditor's alone (三员分立)
    "GET /audit/": Row(ALLOWED_FOR({Role.AUDITOR}), note="read only: GET is its only method"),
    "GET /audit/export.csv": Row(ALLOWED_FOR({Role.AUDITOR})),
}

API: dict[str, Row] = {
    # --- telephony (issue 11, item 5): only an account registered as a gateway posts
    # events; no role's key is one, so every role hears 403 telephony.not_a_gateway.
    "POST /api/telephony/cti/events": Row(
        ALLOWED_FOR(frozenset()),
        body={
            "call_id": "m-1",
            "event_id": "m-1-1",
            "event": "ringing",
            "occurred_at": "2026-03-02T08:30:00+08:00",
            "caller": "13900000001",
        },
    ),
    "POST /api/telephony/sms/inbound": Row(
        ALLOWED_FOR(frozenset()),
        body={
            "message_id": "m-1",
            "from": "13900000001",
            "text": "路灯不亮",
            "sent_at": "2026-03-02T08:30:00+08:00",
        },
    ),
    "POST /api/core/validate/resident-id": Row(PUBLIC, body={"value": "11010519491231002X"}),
    "POST /api/core/validate/credit-code": Row(PUBLIC, body={"value": "91440101MA5CXXXX1X"}),
    "POST /api/core/validate/mobile": Row(PUBLIC, body={"value": "13800138000"}),
    "POST /api/geo/parse": Row(PUBLIC, body={"text": "天河区石牌街道华师路1号"}),
    "GET /api/geo/divisions": Row(PUBLIC),
    # --- identity
    "GET /api/identity/me": Row(ANY_LOGGED_IN),
    "GET /api/identity/org-units": Row(ANY_LOGGED_IN),
    # A person's file (decision 0074): the person themself, and the roles that see every field
    # masked (they look people up). Hall and hotline roles see someone else only in a service
    # context, which the matrix never sends: without one the person is not found
    # (identity/tests/test_service_context.py reads with one).
    "GET /api/identity/persons/<person_id>": Row(
        ANY_LOGGED_IN.seeing(OWNER(ROLES) | EVERY_RECORD(PERSON_LOOKUP_ROLES)),
        kind="person",
    ),
    "POST /api/identity/persons": Row(
        ALLOWED_FOR(PERSON_EDITOR_ROLES),
        body={"name": "李四", "resident_id": "11010519491231002X", "mobile": "13900139000"},
    ),
    "GET /api/identity/enterprises/<enterprise_id>": Row(
        ANY_LOGGED_IN.seeing(EVERY_RECORD(STAFF_ROLES) | OWNER({Role.ENTERPRISE_REP})),
        kind="enterprise",
    ),
    # --- identity: person and enterprise files, consents, real-name levels (decision 0044).
    # Every principal of the world has a person file of their own; an enterprise's file is its
    # representatives' alone. A push passes the door for data stewards only: this body names
    # an unregistered person (422), the department's field ownership (403) is tested in
    # identity/tests/test_files_push.py.
    "GET /api/identity/files/fields": Row(ANY_LOGGED_IN),
    "POST /api/identity/files/push": Row(
        ALLOWED_FOR({Role.DATA_STEWARD}),
        body={
            "batch_id": "matrix-1",
            "records": [
                {
                    "resident_id": "11010519491231002X",
                    "field": "identity.gender",
                    "value": "男",
                    "as_of": "2026-11-01T09:00:00+08:00",
                }
            ],
        },
    ),
    "GET /api/identity/me/file": Row(ANY_LOGGED_IN),
    "GET /api/identity/me/file/uses": Row(ANY_LOGGED_IN),
    "GET /api/identity/me/consents": Row(ANY_LOGGED_IN),
    "POST /api/identity/me/consents": Row(
        ANY_LOGGED_IN,
        body={"purpose": "matrix", "requester": "matrix", "fields": ["identity.gender"]},
    ),
    "POST /api/identity/me/consents/<consent_id>/revoke": Row(
        ALLOWED_FOR(frozenset(), denied=NOT_FOUND), note="nobody's consent id"
    ),
    "POST /api/identity/me/assurance/id-phone": Row(
        ANY_LOGGED_IN, body={"resident_id": "11010519491231002X", "mobile": "13800138000"}
    ),
    # Hall staff raise a person's level at the window (the card's chip proves the person is
    # there: no other context); the others who see the person are refused the act (403), with
    # a card reading that fails the check (422) for hall staff.
    "POST /api/identity/persons/<person_id>/assurance/in-person": Row(
        ANY_LOGGED_IN.seeing(
            OWNER(ROLES) | EVERY_RECORD(PERSON_LOOKUP_ROLES | {Role.HALL_STAFF})
        ).acting(RECORDS({OWN, OTHER_PERSON}, {Role.HALL_STAFF})),
        kind="person",
        body={"card_reading": "0", "level": 3},
    ),
    "GET /api/identity/enterprises/<enterprise_id>/file": Row(
        ANY_LOGGED_IN.seeing(OWNER({Role.ENTERPRISE_REP})), kind="enterprise"
    ),
    "GET /api/identity/enterprises/<enterprise_id>/consents": Row(
        ANY_LOGGED_IN.seeing(OWNER({Role.ENTERPRISE_REP})), kind="enterprise"
    ),
    "POST /api/identity/enterprises/<enterprise_id>/consents": Row(
        ANY_LOGGED_IN.seeing(OWNER({Role.ENTERPRISE_REP})),
        kind="enterprise",
        body={"purpose": "matrix", "requester": "matrix", "fields": ["tax.credit_grade"]},
    ),
    "GET /me/file/": Row(ANY_LOGGED_IN),
    "POST /me/file/verify": Row(
        ANY_LOGGED_IN, body={"resident_id": "11010519491231002X", "mobile": "13800138000"}
    ),
    # --- identity: the face check page (issue 12 leftovers, decision 0074). Every principal of
    # the world has a person of their own; a POST without a photo is the form's 422.
    "GET /me/file/face": Row(ANY_LOGGED_IN),
    "POST /me/file/face": Row(ANY_LOGGED_IN, body={}),
    "GET /me/consents/": Row(ANY_LOGGED_IN),
    "POST /me/consents/": Row(
        ANY_LOGGED_IN,
        body={
            "requester": "matrix",
            "purpose": "matrix",
            "items": ["identity.gender"],
            "days": "7",
        },
    ),
    "POST /me/consents/<consent_id>/revoke": Row(
        ALLOWED_FOR(frozenset(), denied=NOT_FOUND), note="nobody's consent id"
    ),
    "GET /me/enterprises/<enterprise_id>/file/": Row(
        ANY_LOGGED_IN.seeing(OWNER({Role.ENTERPRISE_REP})), kind="enterprise"
    ),
    # --- knowledge: served articles for everyone, drafts for their unit and reviewers
    "GET /api/knowledge/search": Row(PUBLIC, query={"q": "停水"}),
    # --- catalogue search (issue 12): published items for everyone, anonymous too
    "GET /api/catalog/search": Row(PUBLIC, query={"q": "开饭店要办啥证"}),
    "GET /api/knowledge/articles/<article_id>": Row(
        PUBLIC.seeing(
            RECORDS({PUBLISHED}, EVERYONE)
            | RECORDS({OWN}, AUTHOR_ROLES - {Role.HOTLINE_SUPERVISOR})
            | EVERY_RECORD(REVIEWERS)
        ),
        kind="article",
    ),
    # For the role's own unit (the supervisor's is the centre, not district A).
    "POST /api/knowledge/articles": Row(
        ALLOWED_FOR(AUTHOR_ROLES - {Role.HOTLINE_SUPERVISOR} | {Role.SYSTEM_ADMIN}),
        body=lambda w, o: {"owning_unit_id": w.units["a"].pk, "title": "新条目", "body": "正文"},
    ),
    # --- the service-item catalogue (issue 12, item 1): published items for everyone; drafts
    # for the implementing unit's staff and the catalogue's keepers (catalog.models.scopes)
    "GET /api/catalog/items": Row(PUBLIC),
    "GET /api/catalog/items/<code>": Row(PUBLIC.seeing(ITEM_READ), kind="service_item"),
    "GET /api/catalog/life-events": Row(PUBLIC),
    # --- the portal's service pages (issue 12, item 3): public, drafts only for their keepers
    "GET /services/": Row(PUBLIC, query={"q": "开饭店要办啥证"}),
    "GET /services/items/<code>/": Row(PUBLIC.seeing(ITEM_READ), kind="service_item"),
    "GET /services/life-events/<slug>/": Row(
        PUBLIC, ok=404, note="no life event has the matrix's slug; the page is public"
    ),
    "POST /api/catalog/items": Row(
        ALLOWED_FOR(ITEM_EDITORS | ITEM_KEEPERS),
        body=lambda w, o: {"department_id": w.units["a"].pk, "code": "M-NEW", "name": "新事项"},
    ),
}

# --- e-certificates (issue 13, item 1): keys, revocations, types and verification are public;
# the wallet is the holder's alone; the issuing unit's handlers and manager read what their
# unit issued, and its manager alone revokes (certificates.models.scopes, permissions).
CERT_ISSUERS = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})
CERT_READ = OWNER() | OWN_UNIT(CERT_ISSUERS)
API.update(
    {
        "GET /api/certificates/keys.json": Row(PUBLIC),
        "GET /api/certificates/revoked.json": Row(PUBLIC),
        "GET /api/certificates/types": Row(PUBLIC),
        "POST /api/certificates/verify": Row(PUBLIC, body={"certificate": "a.b.c"}),
        "GET /api/certificates/me": Row(ANY_LOGGED_IN),
        "GET /api/certificates/<cert_id>": Row(ANY_LOGGED_IN.seeing(CERT_READ), kind="certificate"),
        "POST /api/certificates/issue": Row(
            ALLOWED_FOR(CERT_ISSUERS),
            body={"type": "marriage", "holder": "nobody", "data": {}},
        ),
        "POST /api/certificates/<cert_id>/revoke": Row(
            ANY_LOGGED_IN.seeing(CERT_READ).acting(OWN_UNIT({Role.DEPT_MANAGER})),
            kind="certificate",
            body={"reason": "superseded"},
        ),
    }
)
WEB.update(
    {
        "GET /me/certificates/": Row(ANY_LOGGED_IN),
        "GET /certificates/verify/": Row(PUBLIC),
        "POST /certificates/verify/": Row(PUBLIC, body={"certificate": "a.b.c"}),
        **{
            f"GET /me/certificates/<cert_id>/{suffix}": Row(
                ANY_LOGGED_IN.seeing(OWNER()), kind="certificate", group="certificate wallet"
            )
            for suffix in ("", "qr.svg", "download")
        },
    }
)

# --- the city code (issue 14, items 4–6): keys.json is public; a citizen's own code; scans
# only by an account registered as a terminal (no role's key is one: every role hears 403
# terminal.unknown); terminals and their scan logs for the registry's keeper and the owner
# units' staff (the matrix world has no terminal: 404); attributes for units' handlers.
CITYCODE_HOLDERS = frozenset({Role.CITIZEN})
CITYCODE_READERS = frozenset(
    {Role.SYSTEM_ADMIN, Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.HALL_STAFF}
)
CITYCODE_SETTERS = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})
API.update(
    {
        "GET /api/citycode/keys.json": Row(PUBLIC),
        "GET /api/citycode/me": Row(ALLOWED_FOR(CITYCODE_HOLDERS)),
        "POST /api/citycode/scans": Row(ALLOWED_FOR(frozenset()), body={"payload": "a.b.c"}),
        "GET /api/citycode/terminals": Row(ALLOWED_FOR(CITYCODE_READERS)),
        "GET /api/citycode/terminals/<terminal_id>/scans": Row(
            ALLOWED_FOR(CITYCODE_READERS), ok=404, note="the matrix world has no terminal"
        ),
        "POST /api/citycode/attributes": Row(
            ALLOWED_FOR(CITYCODE_SETTERS),
            body={"resident_id": "110105194912310029", "type": "nope", "value": "是"},
        ),
        "POST /api/citycode/attributes/<attribute_id>/clear": Row(
            ALLOWED_FOR(frozenset()).but(dict.fromkeys(CITYCODE_SETTERS, NOT_FOUND)),
            note="the setters pass the door; no attribute has the matrix's id: 404",
        ),
    }
)
WEB.update(
    {
        "GET /me/citycode/": Row(ALLOWED_FOR(CITYCODE_HOLDERS)),
        "GET /me/citycode/qr": Row(ALLOWED_FOR(CITYCODE_HOLDERS)),
        "POST /me/citycode/share": Row(ALLOWED_FOR(CITYCODE_HOLDERS), body={"shared": ["name"]}),
        "POST /me/citycode/reissue": Row(ALLOWED_FOR(CITYCODE_HOLDERS), body={}),
        "GET /citycode/terminals/": Row(ALLOWED_FOR(CITYCODE_READERS)),
        "GET /citycode/terminals/<terminal_id>/": Row(
            ALLOWED_FOR(CITYCODE_READERS), ok=404, note="the matrix world has no terminal"
        ),
        "GET /citycode/attributes/": Row(ALLOWED_FOR(CITYCODE_SETTERS)),
        "POST /citycode/attributes/": Row(
            ALLOWED_FOR(CITYCODE_SETTERS),
            body={"resident_id": "110105194912310029", "type": "nope", "value": "是"},
        ),
        "POST /citycode/attributes/clear": Row(
            ALLOWED_FOR(CITYCODE_SETTERS), body={"attribute_id": "1", "resident_id": "x"}
        ),
    }
)

# --- 集体码 and 码上办 (issue 14, items 7–8, decision 0079): an organisation's administrator
# (an enterprise's representative, a unit's manager) makes and reads its collective code — the
# matrix world has none: 404 past the door; a citizen answers an invitation of theirs (none
# here: 404); the 码上办 desk opens from a recent scan of the staff's own hall (none: 404).
COLLECTIVE_ADMINS = frozenset({Role.ENTERPRISE_REP, Role.DEPT_MANAGER})
_NO_COLLECTIVE = ALLOWED_FOR(COLLECTIVE_ADMINS).but(dict.fromkeys(COLLECTIVE_ADMINS, NOT_FOUND))
_NO_INVITATION = ALLOWED_FOR(frozenset()).but({Role.CITIZEN: NOT_FOUND})
_NO_SCAN = ALLOWED_FOR(frozenset()).but({Role.HALL_STAFF: NOT_FOUND})
API.update(
    {
        "GET /api/citycode/collectives": Row(ALLOWED_FOR(COLLECTIVE_ADMINS)),
        "GET /api/citycode/collectives/<collective_id>/members": Row(_NO_COLLECTIVE),
    }
)
WEB.update(
    {
        "GET /citycode/collectives/": Row(ALLOWED_FOR(COLLECTIVE_ADMINS)),
        "POST /citycode/collectives/": Row(ALLOWED_FOR(COLLECTIVE_ADMINS), note="empty form: 400"),
        "GET /citycode/collectives/<collective_id>/": Row(_NO_COLLECTIVE),
        "GET /citycode/collectives/<collective_id>/qr": Row(_NO_COLLECTIVE),
        "POST /citycode/collectives/<collective_id>/invite": Row(_NO_COLLECTIVE),
        "POST /me/citycode/collective/<member_id>/accept": Row(_NO_INVITATION),
        "POST /me/citycode/collective/<member_id>/decline": Row(_NO_INVITATION),
        "POST /me/citycode/collective/<member_id>/leave": Row(_NO_INVITATION),
        "GET /citycode/desk/scans/<scan_id>/": Row(_NO_SCAN),
        "POST /citycode/desk/scans/<scan_id>/": Row(_NO_SCAN, body={"item": "x"}),
    }
)

# --- 跨域通办 (issue 13, item 5): the key set is public; packages and status updates come from
# partner platforms with no account (the partner's signature is the authentication), so a
# made-up document is refused by its code (400 crosscity.bad_format), never by a role.
API.update(
    {
        "GET /api/crosscity/keys.json": Row(PUBLIC),
        "POST /api/crosscity/packages": Row(PUBLIC, body={"package": "a.b.c"}),
        "POST /api/crosscity/status": Row(PUBLIC, body={"update": "a.b.c"}),
    }
)

# The catalogue's writes: the item's access rule first (404), then the act's predicate.
for _key, _acting, _body in (
    ("PATCH /api/catalog/items/<code>", ITEM_EDIT, {"conditions": "新条件"}),
    ("POST /api/catalog/items/<code>/submit", ITEM_EDIT, None),
    ("POST /api/catalog/items/<code>/approve", ITEM_REVIEW, {"note": ""}),
    ("POST /api/catalog/items/<code>/reject", ITEM_REVIEW, {"note": "请补充"}),
    ("POST /api/catalog/items/<code>/retire", ITEM_REVIEW, {}),
):
    API[_key] = Row(
        ANY_LOGGED_IN.seeing(ITEM_READ).acting(_acting), kind="service_item", body=_body
    )

# The knowledge writes: the article's access rule first (404), then the act's predicate.
ARTICLE_READ = (
    RECORDS({PUBLISHED}, LOGGED_IN)
    | RECORDS({OWN}, {Role.DEPT_HANDLER, Role.DEPT_MANAGER})
    | EVERY_RECORD(REVIEWERS)
)
ARTICLE_WRITE = RECORDS({OWN}, {Role.DEPT_HANDLER, Role.DEPT_MANAGER}) | EVERY_RECORD(
    {Role.SYSTEM_ADMIN}
)
ARTICLE_REVIEW = RECORDS({OWN}, {Role.DEPT_MANAGER}) | EVERY_RECORD(REVIEWERS)
# Finding F1 of decisions/0023 (city reviewers and administrators read served articles only,
# so their reads and writes of drafts answered 404) was fixed by the one scoping mechanism
# (decisions/0022): these rows hold no findings.
for _key, _acting, _body in (
    ("PATCH /api/knowledge/articles/<article_id>", ARTICLE_WRITE, {"title": "新标题"}),
    ("POST /api/knowledge/articles/<article_id>/submit", ARTICLE_WRITE, None),
    ("POST /api/knowledge/articles/<article_id>/approve", ARTICLE_REVIEW, {"note": ""}),
    ("POST /api/knowledge/articles/<article_id>/reject", ARTICLE_REVIEW, {"note": "请补充"}),
    ("POST /api/knowledge/articles/<article_id>/retire", ARTICLE_WRITE | ARTICLE_REVIEW, {}),
    # Direct answers are given by staff.
    (
        "POST /api/knowledge/articles/<article_id>/usages",
        EVERY_RECORD(STAFF_ROLES),
        {"order_ref": "GZ-TEST-0000001"},
    ),
):
    API[_key] = Row(
        ANY_LOGGED_IN.seeing(ARTICLE_READ).acting(_acting),
        kind="article",
        body=_body,
    )

WO = "/api/hotline/work-orders/<number>"
API.update(
    {
        "POST /api/hotline/work-orders/batch": Row(
            ANY_LOGGED_IN,
            body={"orders": []},
            note="each item is refused on its own, inside a 200",
        ),
        "POST /api/hotline/work-orders": Row(
            ALLOWED_FOR(INTAKE_ROLES),
            body={"channel": "web", "request_type": "help", "title": "路灯不亮", "content": "路灯"},
            note="the public for themselves online, the centre for anyone",
        ),
        "GET /api/hotline/work-orders": Row(ANY_LOGGED_IN, note="a scoped list, no caller data"),
        f"GET {WO}": Row(API_ORDER, kind="order"),
        f"GET {WO}/timeline": Row(API_ORDER, kind="order"),
        f"POST {WO}/direct-answer": Row(API_CENTRE_ACT, kind="order", body={"answer": "已答复"}),
        f"POST {WO}/dispatch": Row(
            API_CENTRE_ACT, kind="order", body=lambda w, o: {"lead_unit": w.units["a"].pk}
        ),
        f"POST {WO}/subdispatch": Row(
            API_UNIT_ACT, kind="order", body=lambda w, o: {"unit": w.units["street_a"].pk}
        ),
        f"POST {WO}/acknowledge": Row(API_UNIT_ACT, kind="order", body={}),
        f"POST {WO}/progress": Row(API_CENTRE_OR_UNIT_ACT, kind="order", body={"text": "进展"}),
        f"POST {WO}/reply": Row(API_UNIT_ACT, kind="order", body={"reply": "已处理"}),
        f"POST {WO}/co-reply": Row(
            API_ORDER.acting(Scope()), kind="order", body={"reply": "协办意见"}
        ),
        f"POST {WO}/return": Row(
            API_UNIT_ACT,
            kind="order",
            body={"reason": "not_our_duty", "legal_basis": "某条例", "explanation": "非本单位"},
        ),
        f"POST {WO}/return-review": Row(
            API_CENTRE_ACT, kind="order", body={"accept": False, "note": "请继续办理"}
        ),
        f"POST {WO}/extension": Row(
            API_UNIT_ACT, kind="order", body={"reason": "需勘查", "amount": "3"}
        ),
        f"POST {WO}/extensions/<extension_id>/decide": Row(
            API_CENTRE_ACT, kind="extension", body={"approve": True}
        ),
        f"POST {WO}/supervise": Row(API_CENTRE_ACT, kind="order", body={"kind": "urge"}),
        f"POST {WO}/callback": Row(
            API_CENTRE_ACT,
            kind="order",
            body={"reached": True, "satisfaction": "satisfied", "resolved": True},
        ),
        # The caller's own rating: no account; the number and the phone left on it are the proof.
        f"POST {WO}/caller-rating": Row(PUBLIC, kind="order", body=_phone),
        f"POST {WO}/callback-review": Row(
            API_ORDER.acting(RECORDS(ALL_VARIANTS, {Role.HOTLINE_SUPERVISOR})),
            kind="order",
            body={"reopen": False, "reason": "答复合理"},
        ),
        # The duplicate is an order no unit holds yet: only the city-wide roles see it.
        f"POST {WO}/merge": Row(
            API_CENTRE_ACT,
            kind="order",
            body=lambda w, o: {"duplicates": [w.orders["spare"].number]},
        ),
        f"POST {WO}/joint-meeting": Row(
            API_CENTRE_ACT,
            kind="order",
            body=lambda w, o: {
                "units": [w.units["a"].pk],
                "decided_unit": w.units["a"].pk,
                "minutes": "会商纪要",
            },
        ),
        f"POST {WO}/archive": Row(API_CENTRE_ACT, kind="order", body={}),
        # Queues (decision 0028): 经办人 — the unit holding the order names or takes it.
        f"POST {WO}/handler": Row(
            API_UNIT_ACT, kind="order", body=lambda w, o: {"handler": w.users["dept_handler"].pk}
        ),
        "POST /api/hotline/suggestions": Row(
            ANY_LOGGED_IN,
            body={"title": "路灯不亮", "content": "华师路路灯不亮"},
            note="categories only: no personal data, writes nothing",
        ),
    }
)

# --- 本单位负责人审批 (issue 11, item 2): the unit manager's sign-off of a handler's reply,
# return or extension request. The acts on an order's request are the manager's (decide) or
# the requester's (withdraw); with none waiting, an admitted principal hears 409.
MANAGERS = frozenset({Role.DEPT_MANAGER})
SIGN_OFF_DECIDE = API_ORDER.acting(OWN_UNIT(MANAGERS))
WEB.update(
    {
        "GET /hotline/approvals/": Row(ALLOWED_FOR(MANAGERS)),
        "GET /hotline/approvals/settings": Row(ALLOWED_FOR(MANAGERS)),
        "POST /hotline/approvals/settings": Row(
            ALLOWED_FOR(MANAGERS), body={"require_reply": "on"}, note="the manager's own unit"
        ),
        "POST /hotline/orders/<pk>/sign-off/decide": Row(
            ALLOWED_FOR(MANAGERS).seeing(OWN_UNIT(MANAGERS)),
            kind="order",
            body={"sign_off_decide-decision": "approve"},
            note="none waiting: 409",
        ),
        "POST /hotline/orders/<pk>/sign-off/withdraw": Row(
            UNIT_ACT, kind="order", body={}, note="none waiting: 409"
        ),
    }
)
API.update(
    {
        "GET /api/hotline/sign-offs": Row(
            ANY_LOGGED_IN, note="a manager's queue; empty for everyone else"
        ),
        f"POST {WO}/sign-off/approve": Row(SIGN_OFF_DECIDE, kind="order", body={}),
        f"POST {WO}/sign-off/send-back": Row(
            SIGN_OFF_DECIDE, kind="order", body={"comment": "请补充清运时间"}
        ),
        f"POST {WO}/sign-off/withdraw": Row(API_UNIT_ACT, kind="order", body={}),
    }
)

# Open311 GeoReport v2: keys, never the session; errors in the spec's shape.
OPEN311: dict[str, Row] = {
    "GET /open311/v2/discovery.<fmt>": Row(PUBLIC),
    "GET /open311/v2/services.<fmt>": Row(PUBLIC),
    "GET /open311/v2/services/<service_code>.<fmt>": Row(PUBLIC, kind="category"),
    "GET /open311/v2/requests.<fmt>": Row(
        PUBLIC, note="a scoped list with a key; the public view without one"
    ),
    "POST /open311/v2/requests.<fmt>": Row(
        ALLOWED_FOR(INTAKE_ROLES, anonymous=FORBIDDEN),
        body=lambda w, o: {
            "service_code": w.category.code,
            "address_string": "天河区石牌街道华师路1号",
            "description": "路灯不亮",
        },
        note="the spec's 403 without a key",
    ),
    # Without a key, the public view of any order that is not confidential (decision 0027).
    "GET /open311/v2/requests/<service_request_id>.<fmt>": Row(
        PUBLIC.seeing(ORDER_SCOPE | EVERY_RECORD({ANONYMOUS})),
        kind="order",
        note="the public view without a key",
    ),
    "GET /open311/v2/tokens/<token>.<fmt>": Row(PUBLIC, kind="token", note="token → number only"),
    "GET /open311/v2/<path>": Row(PUBLIC, ok=404, note="the spec's 404 for anything else"),
}


def _admin_rows() -> dict[str, Row]:
    """The admin site: its own pages and six for each registered model (Django's door)."""
    rows = {
        "GET /admin/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/login/": Row(PUBLIC, ok=ADMITTED),
        "POST /admin/logout/": Row(PUBLIC),
        "GET /admin/password_change/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/password_change/done/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/autocomplete/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/jsi18n/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/r/<content_type_id>/<object_id>/": Row(ADMIN_SITE, ok=ADMITTED, kind="admin"),
        "GET /admin/<app_label>/": Row(ADMIN_SITE, ok=ADMITTED),
        "GET /admin/<url>": Row(ADMIN_SITE, ok=ADMITTED, note="the catch-all"),
        "GET /admin/identity/user/<id>/password/": Row(ADMIN_SITE, ok=ADMITTED, kind="admin"),
    }
    for model in ADMIN_MODELS:
        base = f"/admin/{model}/"
        group = f"GET {base}…"
        rows[f"GET {base}"] = Row(ADMIN_SITE, ok=ADMITTED, group=group)
        rows[f"GET {base}add/"] = Row(ADMIN_SITE, ok=ADMITTED, group=group)
        for page in ("", "change/", "history/", "delete/"):
            rows[f"GET {base}<object_id>/{page}"] = Row(
                ADMIN_SITE, ok=ADMITTED, kind="admin", group=group
            )
    return rows


# Every model registered with the admin site: a new registration needs a line here.
ADMIN_MODELS = (
    "auth/group",
    "axes/accessattempt",
    "axes/accesslog",
    "axes/accessfailurelog",
    "django_tasks_database/dbtaskresult",
    "core/calendaroverride",
    # No core/auditevent: the audit log is the auditor's page (/audit/), not the admin's.
    "core/jobrun",
    "identity/user",
    "identity/orgunit",
    "identity/person",
    "identity/enterprise",
    "identity/staffprofile",
    "knowledge/article",
    "knowledge/articleusage",
    "knowledge/searchranking",
    "hotline/category",
    "hotline/dispatchcatalogue",
    "hotline/slarule",
    "hotline/workorder",
    "hotline/unitsignoffpolicy",  # 本单位负责人审批 (issue 11, item 2)
    "analytics/reportissue",
    # telephony (issue 11, item 5)
    "telephony/gateway",
    "telephony/extension",
    "telephony/call",
    "telephony/callbacktask",
    "telephony/smsmessage",
    # the service-item catalogue (issue 12, item 1)
    "catalog/serviceitem",
    "catalog/mainitem",
    "catalog/lifeevent",
    "catalog/certificatetype",
    # halls and bookings (issue 14)
    "appointments/hall",
    "appointments/hallclosure",
    # partner cities and their packages (issue 13, item 5)
    "crosscity/partner",
    "crosscity/package",
)

# --- attachments (附件, issue 11 item 4, decision 0031) ---------------------------------------
# The world's attachment is a staff-marked photo on the order of each variant: the readers
# of the order who read staff entries get it (the city-wide roles and the order's units,
# not its caller: 404); a visitor gets 404 too, as a public file of a public order would be
# served to them. Adding files: the centre anywhere, a unit on what it holds, the caller on
# their own open order (permissions.can_attach).
_ATTACH_READERS = CITY_WIDE | OWN_UNIT()
ATTACHMENTS: dict[str, Row] = {
    "POST /hotline/orders/<pk>/attach": Row(
        ALLOWED_FOR(ORDER_READERS).seeing(CITY_WIDE | OWN_UNIT()),
        kind="order",
        note="no file sent: the form's 400",
    ),
    "POST /hotline/mine/<pk>/attach": Row(
        ALLOWED_FOR(PUBLIC_ROLES).seeing(OWNER()),
        kind="order",
        note="the caller's 补充照片; no file sent: 422 attachment.none",
    ),
    "GET /hotline/attachments/<key>": Row(PUBLIC.seeing(_ATTACH_READERS), kind="attachment"),
    "GET /hotline/attachments/<key>/thumbnail": Row(
        PUBLIC.seeing(_ATTACH_READERS), kind="attachment"
    ),
    f"POST {WO}/attachments": Row(
        API_ORDER.acting(EVERY_RECORD(CENTRE_ROLES) | OWN_UNIT() | OWNER()),
        kind="order",
        note="no file sent: 422 attachment.none",
    ),
    f"GET {WO}/attachments": Row(API_ORDER, kind="order"),
    "GET /api/hotline/attachments/<key>": Row(
        ANY_LOGGED_IN.seeing(_ATTACH_READERS), kind="attachment"
    ),
}

# --- applications (办件, issue 13 item 2): the applicant's pages and operations reach their own
# applications; the review desk the handlers and managers of the item's unit (and above).
APPLICANT_PAGE = ALLOWED_FOR(PUBLIC_ROLES).seeing(OWNER())
REVIEW_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})
DESK_PAGE = ALLOWED_FOR(REVIEW_ROLES).seeing(OWN_UNIT(REVIEW_ROLES))
APPLICATION_ID = "/api/applications/<application_id>"
_BUNDLE_NOBODYS = ALLOWED_FOR(PUBLIC_ROLES).but(dict.fromkeys(PUBLIC_ROLES, NOT_FOUND))
APPLICATIONS: dict[str, Row] = {
    "POST /services/items/<code>/apply/": Row(
        ALLOWED_FOR(PUBLIC_ROLES).seeing(RECORDS({PUBLISHED}, PUBLIC_ROLES)),
        kind="service_item",
        note="a draft of the published item (the representative's: refused, a message)",
    ),
    "GET /me/applications/": Row(ALLOWED_FOR(PUBLIC_ROLES)),
    "GET /me/applications/<pk>/": Row(APPLICANT_PAGE, kind="application"),
    "POST /me/applications/<pk>/": Row(
        APPLICANT_PAGE, kind="application", note="submitted: 409 application.not_editable"
    ),
    "POST /me/applications/<pk>/prefill": Row(APPLICANT_PAGE, kind="application"),
    # 跨域通办 (issue 13, item 5): no partner chosen is a message on the application's page.
    "POST /me/applications/<pk>/crosscity/send": Row(APPLICANT_PAGE, kind="application"),
    "POST /me/applications/<pk>/materials/<material_id>": Row(
        APPLICANT_PAGE, kind="application", note="no file: a message"
    ),
    "GET /applications/desk/": Row(ALLOWED_FOR(REVIEW_ROLES)),
    "GET /applications/desk/<pk>/": Row(DESK_PAGE, kind="application"),
    "POST /applications/desk/<pk>/": Row(DESK_PAGE, kind="application", body={"act": "accept"}),
    "GET /applications/desk/<pk>/materials/<material_id>": Row(DESK_PAGE, kind="application"),
    "POST /api/applications": Row(
        ALLOWED_FOR(PUBLIC_ROLES),
        body=lambda w, o: {"item_code": w.service_items[PUBLISHED].code},
    ),
    "GET /api/applications": Row(ALLOWED_FOR(PUBLIC_ROLES)),
    f"GET {APPLICATION_ID}": Row(
        ANY_LOGGED_IN.seeing(OWNER() | OWN_UNIT(REVIEW_ROLES)), kind="application"
    ),
    f"PATCH {APPLICATION_ID}": Row(APPLICANT_PAGE, kind="application", body={"answers": {}}),
    f"POST {APPLICATION_ID}/submit": Row(APPLICANT_PAGE, kind="application"),
    f"POST {APPLICATION_ID}/review": Row(
        ANY_LOGGED_IN.seeing(OWN_UNIT(REVIEW_ROLES)), kind="application", body={"act": "accept"}
    ),
    # --- 秒批 rules (issue 13 item 3, decision 0066): the item's editors and the catalogue's
    # keepers (catalog.permissions); another unit's item is 404 like a missing one.
    "GET /applications/rules/": Row(ALLOWED_FOR(ITEM_EDITORS | ITEM_KEEPERS)),
    "GET /applications/rules/<code>/": Row(
        ALLOWED_FOR(ITEM_EDITORS | ITEM_KEEPERS).seeing(ITEM_EDIT), kind="service_item"
    ),
    "POST /applications/rules/<code>/": Row(
        ALLOWED_FOR(ITEM_EDITORS | ITEM_KEEPERS).seeing(ITEM_EDIT),
        kind="service_item",
        body={
            "action": "test_preset",
            "preset": "worker",
            "rules": '{"all": [{"field": "identity.name", "op": "exists"}]}',
        },
        note="a test of a rule against a sample applicant: nothing is written",
    ),
    # 一件事一次办 (issue 13 item 4, decision 0068): the applicant's own combined applications
    # only (the departments read their parts as applications above). Id 0 and the slug
    # no-such-event are nobody's: 404 for the applying roles; the API's DbId answers 422
    # before any read. applications/tests/test_bundles_views.py holds the own / other cases.
    "GET /me/applications/bundles/": Row(ALLOWED_FOR(PUBLIC_ROLES)),
    "GET /me/applications/bundles/start/<slug>/": Row(_BUNDLE_NOBODYS),
    "POST /me/applications/bundles/start/<slug>/": Row(_BUNDLE_NOBODYS),
    "GET /me/applications/bundles/<id>/": Row(_BUNDLE_NOBODYS),
    "POST /me/applications/bundles/<id>/": Row(_BUNDLE_NOBODYS),
    "POST /me/applications/bundles/<id>/prefill": Row(_BUNDLE_NOBODYS),
    "POST /me/applications/bundles/<id>/materials": Row(_BUNDLE_NOBODYS),
    "GET /api/bundles/offers": Row(PUBLIC),
    "POST /api/bundles": Row(_BUNDLE_NOBODYS, body={"life_event": "no-such-event"}),
    # Id 0: the DbId answers 422 for every signed-in role before the applicant check.
    "GET /api/bundles/<id>": Row(ANY_LOGGED_IN, ok=422),
    "PUT /api/bundles/<id>/answers": Row(ANY_LOGGED_IN, body={"shared": {}}),
    "POST /api/bundles/<id>/submit": Row(ANY_LOGGED_IN),
}

# --- assisted service (帮办代办, issue 13 items 6–7, decision 0072): a citizen's 委托代办 and
# 为家人办理; the hall staff's desk. The matrix's id 0 is nobody's mandate or person (404 to
# the admitted role, as a stranger's); the matrix's applications were made by their
# applicants, under no authorisation, so the desk's form page is 404 to every hall staff.
# applications/tests/test_assisted*.py hold the agent's own cases.
_MANDATE_ROLES = frozenset({Role.CITIZEN})
_ASSIST_ROLES = frozenset({Role.HALL_STAFF})
_NOBODYS_MANDATE = ALLOWED_FOR(_MANDATE_ROLES).but({Role.CITIZEN: NOT_FOUND})
_NOBODY_AT_DESK = ALLOWED_FOR(_ASSIST_ROLES).but({Role.HALL_STAFF: NOT_FOUND})
_NO_CASE = ALLOWED_FOR(_ASSIST_ROLES).seeing(Scope())
ASSISTED: dict[str, Row] = {
    "GET /me/mandates/": Row(ALLOWED_FOR(_MANDATE_ROLES)),
    "POST /me/mandates/": Row(ALLOWED_FOR(_MANDATE_ROLES), note="empty form: 400"),
    "GET /me/mandates/<id>/": Row(_NOBODYS_MANDATE),
    "POST /me/mandates/<id>/revoke": Row(_NOBODYS_MANDATE),
    "POST /me/mandates/<id>/apply": Row(_NOBODYS_MANDATE),
    "GET /applications/assist/": Row(ALLOWED_FOR(_ASSIST_ROLES)),
    "POST /applications/assist/find": Row(
        ALLOWED_FOR(_ASSIST_ROLES), note="nobody found: a message, 302"
    ),
    "GET /applications/assist/persons/<id>/": Row(_NOBODY_AT_DESK),
    "POST /applications/assist/persons/<id>/mandates": Row(_NOBODY_AT_DESK),
    "POST /applications/assist/mandates/<id>/apply": Row(_NOBODY_AT_DESK),
    "GET /applications/assist/applications/<pk>/": Row(_NO_CASE, kind="application"),
    "POST /applications/assist/applications/<pk>/": Row(_NO_CASE, kind="application"),
    "POST /applications/assist/applications/<pk>/prefill": Row(_NO_CASE, kind="application"),
    "POST /applications/assist/applications/<pk>/materials/<material_id>": Row(
        _NO_CASE, kind="application"
    ),
}

# --- halls and bookings (预约, issue 14 items 1–2, decision 0055) -----------------------------
# Halls and free seats are public; the person (and a hotline agent for the caller) books;
# the hall's staff and the city's readers see a hall's day. The matrix's id 0 is nobody's
# booking and no hall: on the web every admitted role hears 404 (access_booking), which is
# what a stranger's booking answers too; the API's DbId answers 422 before any read.
# appointments/tests hold the own / other-person cases.
_BOOKERS = PUBLIC_ROLES | {Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR}
_HALL_VIEWERS = frozenset(
    {
        Role.HALL_STAFF,
        Role.HOTLINE_SUPERVISOR,
        Role.CHIEF_DATA_OFFICER,
        Role.CITY_LEADER,
        Role.SYSTEM_ADMIN,
    }
)
_NOBODYS = ANY_LOGGED_IN.but(dict.fromkeys(LOGGED_IN, NOT_FOUND))
APPOINTMENTS: dict[str, Row] = {
    "GET /appointments/": Row(ALLOWED_FOR(_BOOKERS)),
    "POST /appointments/hold": Row(
        ALLOWED_FOR(_BOOKERS), body={"slot": "1", "item": "no-such-item"}, note="422: no item"
    ),
    "GET /appointments/bookings/<id>/": Row(_NOBODYS),
    "POST /appointments/bookings/<id>/confirm": Row(_NOBODYS),
    "POST /appointments/bookings/<id>/cancel": Row(_NOBODYS),
    "GET /appointments/halls/": Row(ALLOWED_FOR(_HALL_VIEWERS)),
    "GET /appointments/halls/<id>/day/": Row(ALLOWED_FOR(_HALL_VIEWERS), ok=404, note="no hall 0"),
    "GET /me/appointments/": Row(ANY_LOGGED_IN),
    "GET /api/appointments/halls": Row(PUBLIC),
    "GET /api/appointments/halls/<id>/slots": Row(PUBLIC, ok=422, query={"day": "2026-12-14"}),
    "GET /api/appointments/bookings": Row(ANY_LOGGED_IN),
    "POST /api/appointments/bookings": Row(
        ALLOWED_FOR(_BOOKERS), body={"slot_id": 1, "item": "no-such-item"}, note="422: no item"
    ),
    "GET /api/appointments/bookings/<id>": Row(ANY_LOGGED_IN, ok=422),
    "POST /api/appointments/bookings/<id>/confirm": Row(ANY_LOGGED_IN),
    "POST /api/appointments/bookings/<id>/cancel": Row(ANY_LOGGED_IN),
    "POST /api/appointments/bookings/<id>/reschedule": Row(ANY_LOGGED_IN, body={"slot_id": 1}),
}

# --- data hub catalogue (issue 15, items 1–2): the DCAT export is public; the catalogue is
# for staff (GB/T 21063: every department sees every resource's entry); a dataset's page is
# a 404 for whoever does not see it, like one that does not exist (the matrix's code names
# none; who reaches a real one: hongmian/datahub/tests/test_views.py).
API.update(
    {
        "GET /api/datahub/dcat.ttl": Row(PUBLIC),
        "GET /api/datahub/dcat.jsonld": Row(PUBLIC),
    }
)
WEB.update(
    {
        "GET /datahub/": Row(ALLOWED_FOR(STAFF_ROLES), query={"q": "房屋"}),
        "GET /datahub/datasets/<code>/": Row(
            ANY_LOGGED_IN, ok=404, note="no dataset has the matrix's code"
        ),
        "GET /datahub/datasets/<code>/edit": Row(
            ANY_LOGGED_IN, ok=404, note="no dataset has the matrix's code"
        ),
        "POST /datahub/datasets/<code>/edit": Row(
            ALLOWED_FOR((), denied=NOT_FOUND),
            note="no dataset has the matrix's code",
            body={"name": "x"},
        ),
    }
)
# 穗智管 operations centre (issue 15, item 5, decision 0083): the big screen, its push
# stream and the urban-village view are for staff (each department answers for its
# indicators' alerts); citizens are refused.
WEB.update(
    {
        "GET /ops/screen/": Row(ALLOWED_FOR(STAFF_ROLES)),
        "GET /ops/screen/stream/": Row(ALLOWED_FOR(STAFF_ROLES), note="SSE"),
        "GET /ops/villages/": Row(ALLOWED_FOR(STAFF_ROLES)),
    }
)
# --- data hub sharing (issue 15 item 3, decision 0081): the rows API answers 404 for a
# code that names nothing, as for a dataset the caller's unit may not read (grants and
# their cases: hongmian/datahub/tests/test_sharing.py).
API.update(
    {
        "GET /api/datahub/datasets/<code>/rows": Row(
            ANY_LOGGED_IN, ok=404, note="no dataset has the matrix's code"
        ),
    }
)
_NO_REQUEST = ANY_LOGGED_IN.but(dict.fromkeys(LOGGED_IN, NOT_FOUND))
WEB.update(
    {
        "GET /datahub/datasets/<code>/request": Row(
            ANY_LOGGED_IN, ok=404, note="no dataset has the matrix's code"
        ),
        "POST /datahub/datasets/<code>/request": Row(
            ALLOWED_FOR((), denied=NOT_FOUND),
            note="no dataset has the matrix's code",
            body={"purpose": "x"},
        ),
        "GET /datahub/sharing/mine/": Row(ALLOWED_FOR(STAFF_ROLES)),
        "GET /datahub/sharing/inbox/": Row(ALLOWED_FOR(STAFF_ROLES)),
        "GET /datahub/sharing/usage/": Row(ALLOWED_FOR(STAFF_ROLES)),
        "GET /datahub/sharing/requests/<id>/": Row(_NO_REQUEST, note="no request 0"),
        "POST /datahub/sharing/requests/<id>/approve": Row(_NO_REQUEST, body={"x": "1"}),
        "POST /datahub/sharing/requests/<id>/refuse": Row(_NO_REQUEST, body={"reason": "x"}),
        "POST /datahub/sharing/requests/<id>/revoke": Row(_NO_REQUEST, body={"reason": "x"}),
    }
)
# The chief data officers' pages and the asset registry (issue 15 item 4, decision 0085):
# the city's data officers and leaders see every department (the ranking at /datahub/cdo/),
# a unit's data stewards and manager their own unit's dashboard there; no department has
# the matrix's code and no asset its id (who reaches a real one: datahub/tests/test_cdo.py).
_CDO = frozenset(
    {
        Role.CHIEF_DATA_OFFICER,
        Role.CITY_LEADER,
        Role.SYSTEM_ADMIN,
        Role.DATA_STEWARD,
        Role.DEPT_MANAGER,
    }
)
WEB.update(
    {
        "GET /datahub/cdo/": Row(ALLOWED_FOR(_CDO)),
        "GET /datahub/cdo/<code>/": Row(ALLOWED_FOR(_CDO), ok=404, note="no such unit"),
        "GET /datahub/assets/": Row(ALLOWED_FOR(_CDO), query={"kind": "dataset"}),
        "GET /datahub/assets/<id>/": Row(ALLOWED_FOR(_CDO), ok=404, note="no such asset"),
    }
)
# The hall's line (issue 14 item 3, decision 0064): the desk, the windows' consoles and the
# screen key are the hall's own staff's; the live view and the times its viewers'; the
# call-up screen and its stream are public with the hall's screen key. Hall 0 is nobody's:
# every admitted principal hears 404, exactly as for another unit's hall (appointments/tests
# hold the own / other-unit / key cases).
_QUEUE_STAFF = frozenset({Role.HALL_STAFF})
_QUEUE_POST = ALLOWED_FOR(_QUEUE_STAFF).but({Role.HALL_STAFF: NOT_FOUND})
APPOINTMENTS_QUEUE: dict[str, Row] = {
    "GET /appointments/halls/<id>/desk/": Row(ALLOWED_FOR(_QUEUE_STAFF), ok=404),
    "POST /appointments/halls/<id>/desk/": Row(_QUEUE_POST, body={"number": "YY1"}),
    "POST /appointments/halls/<id>/desk/walk-in": Row(_QUEUE_POST, body={"group": "1"}),
    "GET /appointments/halls/<id>/windows/<window_id>/": Row(ALLOWED_FOR(_QUEUE_STAFF), ok=404),
    "POST /appointments/halls/<id>/windows/<window_id>/act": Row(
        _QUEUE_POST, body={"action": "call_next"}
    ),
    "POST /appointments/halls/<id>/screen/key": Row(_QUEUE_POST),
    "GET /appointments/halls/<id>/queue/": Row(ALLOWED_FOR(_HALL_VIEWERS), ok=404),
    "GET /appointments/halls/<id>/queue/stats/": Row(ALLOWED_FOR(_HALL_VIEWERS), ok=404),
    "GET /appointments/halls/<id>/screen/": Row(PUBLIC, ok=404, note="no hall 0, no key"),
    "GET /appointments/halls/<id>/queue/stream": Row(PUBLIC, ok=404, note="SSE; no hall 0"),
}

MATRIX: dict[str, Row] = {
    **WEB,
    **API,
    **OPEN311,
    **ATTACHMENTS,
    **APPLICATIONS,
    **ASSISTED,
    **APPOINTMENTS,
    **APPOINTMENTS_QUEUE,
    **_admin_rows(),
}

# --- the URL conf ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One route of the URL conf; for the API, one operation (a method on a route)."""

    route: str  # "/hotline/orders/<pk>/"
    methods: tuple[str, ...] | None  # an API operation's methods; None for a Django view
    door: str  # web, key (API bearer key), session (API on the session), open311


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def normalise(route: str) -> str:
    """A route as the table writes it: converters dropped, regular expressions unwrapped."""
    route = _GROUP.sub(r"<\1>", route)
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + _CONVERTER.sub(r"<\1>", route)


def _ninja_operations(pattern: URLPattern) -> list[Any]:
    """The ninja operations behind a pattern (ninja gives one pattern per operation, all on
    the same view that dispatches by method); [] for any other view."""
    try:
        path_view = inspect.getclosurevars(pattern.callback).nonlocals.get("self")
    except TypeError:
        return []
    operations = getattr(path_view, "operations", None)
    if not operations:
        return []
    return [op for op in operations if op.view_func.__name__ == pattern.name]


def _api_door(operation: Any) -> str:
    # A bearer key where the operation takes one (identity.auth.ApiKeyOrSession and any other
    # HttpBearer); otherwise the session, as the web screens' calls send it. The routers that
    # still take the session only (identity, knowledge) switch to keys without a change here.
    callbacks = operation.auth_callbacks or []
    return "key" if any(isinstance(cb, HttpBearer) for cb in callbacks) else "session"


def _walk(patterns: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def endpoints() -> dict[str, Endpoint]:
    """Every route of the URL conf, keyed like the table: "METHOD /route" for an API
    operation, "/route" for a Django view (whose methods the view alone knows)."""
    found: dict[str, Endpoint] = {}
    for raw, pattern in _walk(get_resolver().url_patterns):
        route = normalise(raw)
        door = "open311" if route.startswith("/open311/") else "web"
        operations = _ninja_operations(pattern)
        if not operations:
            found.setdefault(route, Endpoint(route, None, door))
        for op in operations:
            for method in op.methods:
                found[f"{method} {route}"] = Endpoint(route, (method,), _api_door(op))
    return found


def split_key(key: str) -> tuple[str, str]:
    method, _, route = key.partition(" ")
    return method, route


def missing_rows(found: Mapping[str, Endpoint], table: Mapping[str, Row]) -> list[str]:
    """URLs of the URL conf without a row: a Django view needs a row for at least one method,
    an API operation a row for its method."""
    routes = {split_key(k)[1] for k in table}
    return sorted(k for k, e in found.items() if (k not in table if e.methods else k not in routes))


def stale_rows(found: Mapping[str, Endpoint], table: Mapping[str, Row]) -> list[str]:
    """Rows whose URL the URL conf no longer has (or whose API operation has gone)."""
    api_routes = {e.route for e in found.values() if e.methods}
    stale = []
    for key in table:
        route = split_key(key)[1]
        gone = key not in found if route in api_routes else route not in found
        if gone:
            stale.append(key)
    return sorted(stale)


def fill(route: str, params: Mapping[str, Any]) -> str:
    """The route with its parameters filled in ("/hotline/orders/<pk>/" → "/hotline/orders/7/")."""
    return re.sub(r"<(\w+)>", lambda m: str(params[m.group(1)]), route)
