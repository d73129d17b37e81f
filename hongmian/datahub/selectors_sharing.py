"""Reads of sharing (decision 0081): a consumer unit's requests ("my requests"), a provider's
inbox, one request for whoever is on either side of it, and "who uses my data" — calls and
rows per consumer, dataset and day, counted from every recorded call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.errors import NotFound
from hongmian.datahub.models import Dataset, SharingCall, SharingRequest
from hongmian.datahub.permissions import can_view_catalogue
from hongmian.datahub.states import CallOutcome, RequestStatus

USAGE_DAYS_MAX = 366


def _requests(user: Any, action: str, status: str) -> QuerySet[SharingRequest]:
    if not can_view_catalogue(user):
        return SharingRequest.objects.none()
    rows = SharingRequest.objects.restrict(user, action).select_related(
        "dataset", "dataset__provider", "consumer", "requested_by"
    )
    if status in RequestStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def sharing_requests_mine(user: Any, *, status: str = "") -> QuerySet[SharingRequest]:
    """The requests of the user's unit (and those below it), newest first."""
    return _requests(user, "mine", status)


def sharing_requests_inbox(user: Any, *, status: str = "") -> QuerySet[SharingRequest]:
    """The requests for the datasets the user's unit provides, newest first."""
    return _requests(user, "inbox", status)


def access_sharing_request(user: Any, pk: int) -> SharingRequest:
    """A request the user sees from either side; NotFound otherwise (the same for both)."""
    if can_view_catalogue(user):
        mine = SharingRequest.objects.restrict(user, "mine").filter(pk=pk)
        inbox = SharingRequest.objects.restrict(user, "inbox").filter(pk=pk)
        found = (
            SharingRequest.objects.filter(Q(pk__in=mine) | Q(pk__in=inbox))
            .select_related("dataset", "dataset__provider", "consumer", "requested_by")
            .first()
        )
        if found is not None:
            return found
    raise NotFound(gettext("共享申请不存在"), code="datahub.request_not_found")


def sharing_usage(user: Any, *, days: int = 30) -> QuerySet[Any]:
    """Calls and rows per day, consumer unit and dataset over the last `days` days, for the
    datasets the user's unit provides (Dataset.scopes "edit"), newest day first. A values
    queryset: the pager counts its groups in the database."""
    days = max(1, min(days, USAGE_DAYS_MAX))
    since = timezone.now() - dt.timedelta(days=days)
    provided = Dataset.objects.restrict(user, "edit").values("pk")
    return (
        SharingCall.objects.filter(dataset__in=provided, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day", "consumer__name", "dataset__code")
        .annotate(
            calls=Count("id"),
            refused=Count("id", filter=~Q(outcome=CallOutcome.SERVED)),
            rows=Sum("rows"),
        )
        .order_by("-day", "consumer__name", "dataset__code")
    )


def sharing_usage_totals(user: Any, *, days: int = 30) -> dict[str, int]:
    """The same window's totals (calls, rows, consumer units) for the page's heading."""
    days = max(1, min(days, USAGE_DAYS_MAX))
    since = timezone.now() - dt.timedelta(days=days)
    provided = Dataset.objects.restrict(user, "edit").values("pk")
    totals = SharingCall.objects.filter(dataset__in=provided, created_at__gte=since).aggregate(
        calls=Count("id"), rows=Sum("rows"), consumers=Count("consumer", distinct=True)
    )
    return {k: int(v or 0) for k, v in totals.items()}
