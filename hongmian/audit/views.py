"""The auditor's pages: the audit log, searched and paged (/audit/), and its CSV export.

Read only: these views call no service, so the auditor changes nothing here. Anyone else
logged in gets 403 (the page exists; it is not theirs), a visitor the login page."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hongmian.audit import selectors
from hongmian.audit.forms import AuditFilterForm
from hongmian.audit.permissions import can_read_audit_log
from hongmian.core.models import AuditEvent

View = Callable[..., HttpResponse]

CSV_HEADER = (
    "链序号",
    "时间（北京时间）",
    "操作人",
    "渠道",
    "客户端地址",
    "动作",
    "对象类型",
    "对象编号",
    "变更前",
    "变更后",
    "哈希",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): an
# entry's text is the actors' input, so such a cell is written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def auditor_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_audit_log(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(require_GET(never_cache(wrapper)))


def _filter_query(form: AuditFilterForm) -> str:
    wanted = form.wanted()
    pairs = {k: v for k, v in vars(wanted).items() if v not in ("", None)}
    return urlencode({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in pairs.items()})


@auditor_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the valid fields still filter; the page shows what was not taken
    page_number = getattr(form, "cleaned_data", {}).get("page") or 1
    page = selectors.audit_event_page(form.wanted(), page_number)
    query = _filter_query(form)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "base": "?" + (query + "&" if query else ""),
        "actions": selectors.audit_event_actions(),
        "target_types": selectors.audit_event_target_types(),
    }
    return render(request, "audit/log.html", context)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A BOM, so that Excel opens the Chinese text as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for e in events:
        yield writer.writerow(
            [
                e.seq,
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(e.actor_label),
                e.via,
                e.client_address or "",
                _cell(e.action),
                e.target_type,
                _cell(e.target_id),
                _cell(_json(e.before)),
                _cell(_json(e.after)),
                e.hash,
            ]
        )


@auditor_required
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """Every entry the filter matches (not only the page shown), as CSV, streamed."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    rows = selectors.audit_event_rows(form.wanted())
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response  # type: ignore[return-value]
