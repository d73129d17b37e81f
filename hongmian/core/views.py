"""Views of the shared kernel: the health check and the server-error page."""

import logging
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `make demo`'s wait loop."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


logger = logging.getLogger(__name__)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached now (restarting, failing over, out
    of connections) rather than that the code is wrong: worth a retry, not a 500."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON with a code under /api/ and /open311/, a page elsewhere.
    Rendered without the request: no session, no user — they live in the database."""
    seconds = settings.HONGMIAN_RETRY_AFTER_SECONDS
    response: HttpResponse
    if request.path_info.startswith(("/api/", "/open311/")):
        response = JsonResponse(
            {
                "code": "service_unavailable",
                "message": gettext("服务暂时不可用，请稍后重试（请求未被处理）"),
                "fields": {},
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": seconds}), status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Every exception a view or a middleware lets out ends here (Django turns it
    into a response at each layer), so this is the one place that sees a database outage
    wherever it struck — also on the API-key path, which skips the middleware."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.warning("database unavailable: %s on %s %s", exc, request.method, request.path)
        return unavailable_response(request)
    return defaults.server_error(request)
