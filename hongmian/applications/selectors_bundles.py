"""Reads of life-event bundles (一件事一次办): the bundles offered, one applicant's combined
applications, and one combined application as its pages and the API show it — each part's
outcome and the combined status derived from them (bundle_states)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from hongmian.applications.bundle_states import BundleStatus, combined_status
from hongmian.applications.models import Application, Bundle, BundleApplication, BundlePart
from hongmian.applications.states import Status
from hongmian.core.errors import NotFound
from hongmian.core.validators import parse_id


def bundle_for_event(slug: str) -> Bundle:
    """The bundle offered for the life event `slug`; NotFound `bundle.not_found` when the
    event is not offered as one (or is closed)."""
    bundle = (
        Bundle.objects.select_related("life_event")
        .filter(life_event__slug=slug, active=True)
        .first()
    )
    if bundle is None:
        raise NotFound(_("该主题没有一件事一次办"), code="bundle.not_found")
    return bundle


def _with_parts(rows: QuerySet[BundleApplication]) -> QuerySet[BundleApplication]:
    parts = BundlePart.objects.select_related(
        "application__item", "application__department"
    ).order_by("position")
    return rows.select_related("bundle__life_event", "place").prefetch_related(
        Prefetch("parts", queryset=parts)
    )


def access_bundle_application(user: Any, bundle_id: object) -> BundleApplication:
    """One combined application of `user`'s own; NotFound, the same for a missing one,
    otherwise (departments read their own part as an application, never the bundle)."""
    pk = parse_id(bundle_id)
    row = (
        _with_parts(BundleApplication.objects.restrict(user, "view")).filter(pk=pk).first()
        if pk is not None
        else None
    )
    if row is None:
        raise NotFound(_("一件事申请不存在"), code="bundle.not_found")
    return row


def my_bundle_list(user: Any) -> QuerySet[BundleApplication]:
    """The applicant's combined applications, newest first."""
    return _with_parts(
        BundleApplication.objects.filter(applicant_id=getattr(user, "pk", None))
    ).order_by("-created_at", "-id")


def open_bundle_draft(user: Any, bundle: Bundle) -> BundleApplication | None:
    """The applicant's combined application of `bundle` still being filled in, if any."""
    return (
        BundleApplication.objects.filter(
            applicant_id=getattr(user, "pk", None), bundle=bundle, submitted_at__isnull=True
        )
        .order_by("-id")
        .first()
    )


def part_outcome(application: Application) -> str:
    """A part's status for the combined status: an archived part refused on its merits
    (it carries the refusal's reason) counts as refused, not as granted."""
    if application.status == Status.ARCHIVED and application.reason:
        return Status.REJECTED
    return application.status


def bundle_status(row: BundleApplication) -> BundleStatus:
    parts = [p.application for p in row.parts.all()]
    return combined_status([part_outcome(a) for a in parts], withdrawn=row.withdrawn_at is not None)


def bundle_view(row: BundleApplication) -> dict[str, Any]:
    """One combined application as the pages and the API show it: the combined status and
    each part's outcome (its department, status, reason, result, promised date)."""
    status = bundle_status(row)
    parts = []
    for part in row.parts.all():
        a = part.application
        parts.append(
            {
                "position": part.position,
                "id": a.pk,
                "number": a.number,
                "item_code": a.item.code,
                "item_name": a.item.name,
                "department": a.department.name,
                "status": a.status,
                "status_label": str(Status(a.status).label),
                "reason": a.reason,
                "result_note": a.result_note,
                "due_at": a.due_at,
            }
        )
    return {
        "id": row.pk,
        "number": row.number,
        "life_event": row.bundle.life_event.slug,
        "name": row.bundle.life_event.name,
        "place": row.place.name if row.place else None,
        "status": str(status),
        "status_label": str(status.label),
        "created_at": row.created_at,
        "submitted_at": row.submitted_at,
        "withdrawn_at": row.withdrawn_at,
        "withdraw_reason": row.withdraw_reason,
        "parts": parts,
    }


def parts_due(view: dict[str, Any]) -> dt.datetime | None:
    """The latest promised date among the parts (when the whole bundle is promised)."""
    dates = [p["due_at"] for p in view["parts"] if p["due_at"] is not None]
    return max(dates) if dates else None
