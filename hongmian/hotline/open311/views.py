"""GeoReport v2 views. Each parses the spec's parameters, calls the hotline's selectors or
its intake service, and answers in the format the URL names (.json or .xml).

Errors are the spec's list of {code, description} with 400 (bad request), 403 (api_key
missing or wrong), 404 (unknown resource or jurisdiction) — and never a 500: a failure we
did not foresee is logged in full and answered as the spec's "general service error" (400).

Who reads what: a request carrying an API key (`api_key=` or `Authorization: Bearer`) reads
as the key's account, through the same `work_orders_visible_to` / `access_work_order` as
every other door. Without a key, GET requests answers the public view: orders that are not
confidential, with no personal field (decision 0027). POST needs a key.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from hongmian.core.actors import Actor, client_address
from hongmian.core.errors import (
    ApplicationError,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
)
from hongmian.core.headers import public_cache
from hongmian.geo.selectors import gazetteer
from hongmian.hotline import attachment_selectors
from hongmian.hotline.limits import intake_guard
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.open311 import selectors, serialisers
from hongmian.hotline.selectors import access_work_order, work_order_caller_view
from hongmian.hotline.services.attachments import work_order_intake_with_attachments
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import FINISHED_STATUSES, Channel, ClockKind, RequestType
from hongmian.identity.auth import api_key_user, bearer_token
from hongmian.identity.models import User

logger = logging.getLogger(__name__)

# When this endpoint's behaviour last changed (the discovery document's changeset).
CHANGESET = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
DESCRIPTION_MAX = 4000  # the spec's limit for description
FORM = "application/x-www-form-urlencoded"
# FixMyStreet-style clients send the photo itself as the multipart part `media`.
MULTIPART = "multipart/form-data"
SERVICE_NOTICE = "诉求已受理，将按规定时限派至承办单位办理并答复。"
# Our field names (in a ValidationFailed from the intake service) → the spec's.
_SPEC_FIELDS = {
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "content": "description",
    "title": "description",
    "caller_phone": "phone",
    "caller_name": "first_name",
    "category": "service_code",
    "attachments": "media",
}


class Open311Error(Exception):
    """Answer with these errors and this HTTP status."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0])
        self.status = status
        self.errors = [(status, d) for d in descriptions]


def jurisdiction() -> str:
    return str(settings.HONGMIAN_OPEN311_JURISDICTION)


def service_type() -> str:
    """`realtime` (POST answers with the order number) or `batch` (with a token)."""
    return str(settings.HONGMIAN_OPEN311_SERVICE_TYPE)


# --- the decorator every view wears ----------------------------------------------------------


def _status_of(exc: ApplicationError) -> int:
    if isinstance(exc, NotAuthenticated | PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, PayloadTooLarge):
        return 413
    # Validation failures and conflicts alike: the spec's "400 for any other error".
    return 400


def _errors_of(exc: ApplicationError) -> list[str]:
    if not exc.fields:
        return [exc.message]
    return [
        f"{_SPEC_FIELDS.get(field, field)}: {message}"
        for field, messages in exc.fields.items()
        for message in messages
    ]


def georeport(
    *methods: str, check_jurisdiction: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow `methods`, check jurisdiction_id, and turn every failure into the spec's errors
    in the requested format. CSRF does not apply: these views never read the session."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = serialisers.render_errors(
                    fmt, [(405, f"{request.method} is not allowed here")], status=405
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if check_jurisdiction:
                    _check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return serialisers.render_errors(fmt, exc.errors, status=exc.status)
            except ApplicationError as exc:
                status = _status_of(exc)
                response = serialisers.render_errors(
                    fmt, [(status, d) for d in _errors_of(exc)], status=status
                )
                if isinstance(exc, RateLimited) and exc.retry_after:
                    response["Retry-After"] = str(exc.retry_after)
                return response
            except RequestDataTooBig:
                return serialisers.render_errors(fmt, [(413, "request body too large")], status=413)
            except SuspiciousOperation:
                return serialisers.render_errors(fmt, [(400, "malformed request")], status=400)
            except Exception:
                logger.exception("Open311 %s %s failed", request.method, request.path)
                return serialisers.render_errors(
                    fmt, [(400, "general service error; the failure has been logged")], status=400
                )

        return wrapper

    return decorate


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _param(params: QueryDict, name: str) -> str:
    # "Optional" in the spec: an empty parameter is the same as an absent one.
    return (params.get(name) or "").strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(_params(request), "jurisdiction_id") or _param(request.GET, "jurisdiction_id")
    if given and given.lower() != jurisdiction().lower():
        raise Open311Error(404, "jurisdiction_id provided was not found")


def _key_user(request: HttpRequest, *, required: bool) -> User | None:
    """The account of the API key sent as `Authorization: Bearer` or as `api_key`."""
    key = bearer_token(request) or _param(_params(request), "api_key")
    if not key:
        if required:
            raise Open311Error(403, "api_key was not provided")
        return None
    user = api_key_user(key)
    if user is None:
        raise Open311Error(403, "Invalid api_key received")
    return user


# --- discovery and services ------------------------------------------------------------------


# The same for every client and no personal data: proxies may keep it (decision 0057).
@public_cache(max_age=300)
@georeport("GET", check_jurisdiction=False)
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    body = serialisers.discovery(
        url=request.build_absolute_uri("./"),
        changeset=CHANGESET,
        contact="广州市12345政务服务便民热线",
        key_service="API 密钥由平台管理员签发（hongmian apikey create）",
    )
    return serialisers.render(fmt, "discovery", body)


def _keywords(value: str) -> str:
    # The taxonomy separates keywords with 、; the spec asks for a comma separated list.
    return ", ".join(k.strip() for k in value.replace("、", ",").split(",") if k.strip())


# The same for every client and no personal data: proxies may keep it (decision 0057).
@public_cache(max_age=300)
@georeport("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    kind = service_type()
    body = [
        serialisers.service(
            code=category.code,
            name=category.name,
            description=selectors.service_description(category),
            keywords=_keywords(category.keywords),
            group=category.parent.parent.name,  # type: ignore[union-attr]  # level 3 has both
            service_type=kind,
        )
        for category in selectors.service_list()
    ]
    return serialisers.render(fmt, "services", body)


# The same for every client and no personal data: proxies may keep it (decision 0057).
@public_cache(max_age=300)
@georeport("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = selectors.service_get(service_code)
    if category is None:
        raise Open311Error(404, f"service_code {service_code} was not found")
    return serialisers.render(
        fmt, "service_definition", serialisers.service_definition(code=category.code)
    )


# --- service requests ------------------------------------------------------------------------


def _expected(order: WorkOrder) -> dt.datetime | None:
    clocks = getattr(order, "resolution_clocks", None)
    if clocks is None:
        clocks = list(order.clocks.filter(kind=ClockKind.RESOLUTION).order_by("-started_at", "-id"))
    return clocks[0].due_at if clocks else None


def _photo_url(request: HttpRequest, key: str) -> str:
    return request.build_absolute_uri(reverse("hotline:attachment", args=(key,)))


def _media_urls(request: HttpRequest, user: User | None, orders: list[WorkOrder]) -> dict[int, str]:
    """media_url per order: the public photo (our copy, without EXIF), else — for a reader
    with a key who may see it — the link the client gave when filing. Two queries a list."""
    photos = attachment_selectors.public_photos_by_order([o.pk for o in orders])
    urls = {pk: _photo_url(request, row.key) for pk, row in photos.items()}
    if user is not None:
        for pk, link in attachment_selectors.media_links_by_order(user, orders).items():
            urls.setdefault(pk, link)
    return urls


def _request_item(
    order: WorkOrder, *, address: str, media_url: str | None = None
) -> dict[str, Any]:
    """One <request>. `address` is the caller's, as the reader may see it (masked or
    withheld): the caller of this function has applied the access rules."""
    finished = order.status in FINISHED_STATUSES
    category = order.category
    return serialisers.service_request(
        number=order.number,
        is_open=not finished,
        status_notes=order.reply,
        service_name=category.name if category else None,
        service_code=category.code if category else None,
        description=order.content,
        agency_responsible=order.lead_unit.name if order.lead_unit else None,
        requested=order.created_at,
        updated=(order.closed_at or order.updated_at) if finished else order.updated_at,
        expected=_expected(order),
        address=address,
        latitude=order.latitude,
        longitude=order.longitude,
        media_url=media_url,
    )


def _division_name(code: str) -> str | None:
    entry = gazetteer().by_code.get(code) if code else None
    return entry.name if entry else None


def _public_item(order: WorkOrder, *, media_url: str | None = None) -> dict[str, Any]:
    """One <request> of the public view, from an order of `selectors.public_orders()`: no
    text, address, point or caller, and the reply only when it was given publicly."""
    finished = order.status in FINISHED_STATUSES
    category = order.category
    return serialisers.public_service_request(
        number=order.number,
        is_open=not finished,
        status_notes=order.reply if getattr(order, "reply_is_public", False) else "",
        service_name=category.name if category else None,
        service_code=category.code if category else None,
        agency_responsible=order.lead_unit.name if order.lead_unit else None,
        requested=order.created_at,
        updated=(order.closed_at or order.updated_at) if finished else order.updated_at,
        expected=_expected(order),
        district=_division_name(order.district_code),
        street=_division_name(order.street_code),
        media_url=media_url,
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _w3c(params: QueryDict, name: str) -> dt.datetime | None:
    raw = _param(params, name)
    if not raw:
        return None
    # An unescaped "+08:00" in a query string arrives as " 08:00".
    raw = raw.replace(" ", "+")
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, f"{name} must be a W3C datetime, e.g. 2026-05-01T00:00:00+08:00")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _window(params: QueryDict) -> tuple[dt.datetime, dt.datetime]:
    """The span of requested_datetime to search: the spec's 90 days at most, the last 90
    days when neither end is given."""
    start, end = _w3c(params, "start_date"), _w3c(params, "end_date")
    if end is None:
        if start is None:
            end = timezone.now()
            return end - selectors.MAX_SPAN, end
        return start, start + selectors.MAX_SPAN
    if start is None:
        return end - selectors.MAX_SPAN, end
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > selectors.MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    user = _key_user(request, required=False)
    numbers = _split(_param(params, "service_request_id"))
    if len(numbers) > selectors.MAX_REQUESTS:
        raise Open311Error(400, f"at most {selectors.MAX_REQUESTS} service_request_id at once")
    statuses = [s.lower() for s in _split(_param(params, "status"))]
    if unknown := sorted(set(statuses) - {"open", "closed"}):
        raise Open311Error(400, f"status must be open or closed, not {', '.join(unknown)}")
    start, end = (None, None) if numbers else _window(params)
    filters: dict[str, Any] = {
        "numbers": numbers,
        "service_codes": _split(_param(params, "service_code")),
        "start": start,
        "end": end,
        "statuses": statuses,
    }
    if user is None:
        public = selectors.public_service_requests(**filters)
        media = _media_urls(request, None, public)
        items = [_public_item(o, media_url=media.get(o.pk)) for o in public]
        return serialisers.render(fmt, "service_requests", items)
    orders = list(selectors.service_requests(user, **filters))
    media = _media_urls(request, user, orders)
    items = [
        _request_item(o, address=work_order_caller_view(user, o).address, media_url=media.get(o.pk))
        for o in orders
    ]
    return serialisers.render(fmt, "service_requests", items)


def _coordinates(params: QueryDict) -> tuple[Decimal | None, Decimal | None]:
    lat, long = _param(params, "lat"), _param(params, "long")
    if not lat and not long:
        return None, None
    if not lat or not long:
        raise Open311Error(400, "lat and long must be sent together")
    try:
        latitude, longitude = Decimal(lat), Decimal(long)
    except InvalidOperation:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
    if not (latitude.is_finite() and longitude.is_finite()) or not (
        -90 <= latitude <= 90 and -180 <= longitude <= 180
    ):
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)")
    return latitude, longitude


def _caller_name(params: QueryDict) -> str:
    first, last = _param(params, "first_name"), _param(params, "last_name")
    # A Chinese name is written family name first and without a space.
    if any("\u4e00" <= c <= "\u9fff" for c in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.content_type not in (FORM, MULTIPART):
        # Only the spec's form encoding (or multipart, for a `media` file) is read: no JSON
        # or XML body is ever parsed here.
        raise Open311Error(400, f"POST requests.{fmt} takes {FORM} or {MULTIPART}")
    params = request.POST
    user = _key_user(request, required=True)
    code = _param(params, "service_code")
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = selectors.service_get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} was not found")
    latitude, longitude = _coordinates(params)
    address = _param(params, "address_string")
    if latitude is None and not address:
        if _param(params, "address_id"):
            raise Open311Error(
                400, "address_id is not supported: send lat & long or address_string"
            )
        raise Open311Error(400, "a location is required: lat & long, or address_string")
    description = _param(params, "description")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description is limited to {DESCRIPTION_MAX} characters")
    actor = Actor(user=user, client_address=client_address(request), via="api")
    intake_guard(actor, Channel.OPEN311)
    token = uuid.uuid4().hex
    # The photo (`media`, multipart) is kept as an attachment of the intake, public like the
    # request's public view; `media_url` is recorded for staff, never fetched (decision 0031).
    order, _ = work_order_intake_with_attachments(
        uploads=request.FILES.getlist("media") if request.content_type == MULTIPART else [],
        media_url=_param(params, "media_url"),
        actor=actor,
        request=IntakeRequest(
            channel=Channel.OPEN311,
            # What a GeoReport client sends is a problem to be fixed: a request for help (求助).
            request_type=RequestType.HELP,
            title=f"{category.name}：{description[:40]}" if description else category.name,
            content=description or category.name,
            caller_name=_caller_name(params),
            caller_phone=_param(params, "phone"),
            address=address,
            latitude=latitude,
            longitude=longitude,
            category=category,
            external_ref=token,
        ),
    )
    batch = service_type() == "batch"
    body = serialisers.request_created(
        number=None if batch else order.number,
        token=token if batch else None,
        notice=SERVICE_NOTICE,
    )
    return serialisers.render(fmt, "service_requests", body)


@georeport("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@georeport("GET")
def service_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    user = _key_user(request, required=False)
    if user is None:
        public = selectors.public_service_request(service_request_id)
        if public is None:
            # Missing and not public are the same answer.
            raise Open311Error(404, f"service_request_id {service_request_id} was not found")
        media = _media_urls(request, None, [public])
        item = _public_item(public, media_url=media.get(public.pk))
        return serialisers.render(fmt, "service_requests", [item])
    pk = WorkOrder.objects.filter(number=service_request_id).values_list("pk", flat=True).first()
    try:
        if pk is None:
            raise NotFound("工单不存在", code="work_order.not_found")
        actor = Actor(user=user, client_address=client_address(request), via="api")
        # An audited read, with the caller's fields already as this reader may see them.
        order = access_work_order(user, pk, actor=actor)
    except NotFound:
        # Missing and not visible are the same answer.
        raise Open311Error(404, f"service_request_id {service_request_id} was not found") from None
    media = _media_urls(request, user, [order])
    item = _request_item(order, address=order.address, media_url=media.get(order.pk))
    return serialisers.render(fmt, "service_requests", [item])


@georeport("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    order = selectors.order_by_token(token)
    if order is None:
        raise Open311Error(404, f"token {token} was not found")
    return serialisers.render(
        fmt, "service_requests", serialisers.token_lookup(number=order.number, token=token)
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in JSON if the path asks for it."""
    fmt = "json" if path.endswith(".json") else "xml"
    return serialisers.render_errors(fmt, [(404, "no such resource")], status=404)
