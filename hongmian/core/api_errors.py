"""Every API error becomes JSON `{code, message, fields}` with a 4xx status (never a 500),
and every 4xx an operation can answer is in the OpenAPI document.

An operation declares the errors of its own in its `response=` mapping,
`response={200: WorkOrderOut, **errors(404, 409)}`; the ones every operation of a kind can
answer are added to the document by `document_shared_errors` (config/api.py): 401 where
credentials are needed, 403 for a session's unsafe call without its CSRF token, 422 for
input that does not fit the operation's schema, 400 and 413 for a body that cannot be read.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hongmian.core.errors import ApplicationError, RateLimited, ValidationFailed
from hongmian.core.schemas import ErrorOut

logger = logging.getLogger(__name__)


# Where ninja found a parameter: not part of the field's name as a client knows it.
_LOCATIONS = frozenset({"body", "query", "path", "header", "payload"})


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, object]:
    return {"code": code, "message": message, "fields": fields or {}}


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries of the error statuses an operation answers (all as ErrorOut).
    Only documentation: an error body is written by the handlers below, never validated."""
    return dict.fromkeys(statuses, ErrorOut)


ERROR_REF = "#/components/schemas/ErrorOut"
_UNSAFE = frozenset({"post", "put", "patch", "delete"})
# The errors every operation of a kind can answer, with why (the response's description).
_SHARED = {
    400: "bad_request: the body is not JSON",
    401: "not_authenticated: no valid API key or session",
    403: "csrf_failed: a session's unsafe call without its CSRF token",
    413: "payload_too_large: the body is over the size limit",
    422: "validation_failed: the input does not fit the schema (`fields` says where)",
}


def document_shared_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds to each operation of an OpenAPI document the errors its kind can answer: 401 if
    it lists a credential requirement (an empty one, "or anonymous", counts too: a bad key
    is still refused), 403 if it is also unsafe, 422 if it takes parameters or a body, 400
    and 413 if it takes a body. What the operation documents itself is kept."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            shared: set[int] = set()
            if operation.get("security"):
                shared.add(401)
                if method in _UNSAFE:
                    shared.add(403)
            if operation.get("parameters") or "requestBody" in operation:
                shared.add(422)
            if "requestBody" in operation:
                shared |= {400, 413}
            responses = operation.setdefault("responses", {})
            for status in sorted(shared):
                responses.setdefault(
                    status,
                    {
                        "description": _SHARED[status],
                        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                    },
                )
    return schema


NUL_MESSAGE = "不能包含空字符（NUL）"


def nul_fields(value: Any, name: str = "") -> dict[str, list[str]]:
    """The fields of `value` (a schema, a dict, a list or a string) that hold a NUL
    character, by dotted name, with the message to show."""
    found: dict[str, list[str]] = {}

    def walk(value: Any, name: str) -> None:
        if isinstance(value, Schema):
            value = value.model_dump()
        if isinstance(value, str):
            if "\x00" in value:
                found.setdefault(name or "__all__", []).append(NUL_MESSAGE)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{name}.{key}" if name else str(key))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, f"{name}.{index}" if name else str(index))

    walk(value, name)
    return found


def refuses_nul_itself(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Marks an operation that checks its input for NUL characters itself (a batch, whose
    items stand alone), so that `refuse_nul_characters` leaves it alone."""
    view_func.refuses_nul_itself = True  # type: ignore[attr-defined]
    return view_func


def refuse_nul_characters(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """An operation decorator (`api.add_decorator`): a NUL character in any validated input
    (path, query, header, body) is 422 `validation_failed` naming the field. No text of ours
    may hold one, and PostgreSQL cannot even compare it: it would be a 500 at the first
    query. Runs after ninja's validation, so only the operation's declared input counts."""
    if getattr(view_func, "refuses_nul_itself", False):
        return view_func

    @functools.wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        found: dict[str, list[str]] = {}
        for name, value in kwargs.items():
            # A schema argument (payload, filters) is not a name the client knows.
            found.update(nul_fields(value, "" if isinstance(value, Schema) else name))
        if found:
            raise ValidationFailed(gettext("请求数据不能包含空字符"), fields=found)
        return view_func(request, *args, **kwargs)

    return checked


def _ninja_fields(exc: NinjaValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in _LOCATIONS]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(str(err.get("msg", "invalid")))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def _application(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.status_code)
        if isinstance(exc, RateLimited) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        body = error_body("validation_failed", gettext("请求数据格式不正确"), _ninja_fields(exc))
        return api.create_response(request, body, status=422)

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": [str(m) for m in exc.messages]}
        )
        body = error_body("validation_failed", gettext("数据未通过校验"), fields)
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("not_authenticated", gettext("需要登录或有效的 API 密钥")),
            status=401,
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", gettext("对象不存在")), status=404
        )

    @api.exception_handler(DjangoPermissionDenied)
    def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body("permission_denied", gettext("没有权限执行此操作")), status=403
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when it is first read.
        return api.create_response(
            request, error_body("payload_too_large", gettext("请求数据过大")), status=413
        )

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too many form fields or files, a malformed multipart body …: the client's fault.
        return api.create_response(
            request, error_body("bad_request", gettext("请求格式不正确")), status=400
        )

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "payload_too_large",
            429: "rate_limited",
        }.get(exc.status_code, "error")
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)

    @api.exception_handler(DatabaseError)
    def _database(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        # The database restarting or failing over: a 503 the client may retry (with its
        # Idempotency-Key, a retried intake makes one order). Other database errors are bugs.
        from hongmian.core.views import database_unavailable, unavailable_response

        if database_unavailable(exc):
            logger.warning("database unavailable: %s on %s %s", exc, request.method, request.path)
            return unavailable_response(request)
        return _unexpected(request, exc)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not bad input: log it in full, but keep the documented error shape.
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return api.create_response(
            request, error_body("internal_error", gettext("服务器内部错误，已记录")), status=500
        )
