"""Reads of applications: who sees which (one access function), the applicant's list, the
review desk's queue, the form of an item, the materials that may be reused, the clock's
light."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import permissions
from hongmian.applications.definitions import FormDefinition, definition_parse
from hongmian.applications.models import Application, ApplicationMaterial, ItemForm
from hongmian.applications.rule_models import RuleVersion
from hongmian.applications.states import CLOCK_STATUSES, MaterialMode, Status
from hongmian.catalog.models import Material, ServiceItem
from hongmian.core import deadlines
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.reviews import VersionState
from hongmian.core.validators import parse_id
from hongmian.core.versioned_cache import VersionedCache
from hongmian.identity.permissions import is_active_user
from hongmian.identity.selectors import mandate_check
from hongmian.identity.states import MandateAgent, Role


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """The applicant's own; for the reviewing roles, those of their unit's items (and of the
    units below it)."""
    return Application.objects.restrict(user, "view")


def access_application(user: Any, application_id: object) -> Application:
    """One application `user` may see; NotFound — the same for a missing one — otherwise."""
    pk = parse_id(application_id)
    application = (
        applications_visible_to(user)
        .select_related("item", "department", "person", "enterprise", "applicant")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if application is None:
        raise NotFound(_("办件不存在"), code="application.not_found")
    return application


def access_application_as_agent(user: Any, application_id: object) -> Application:
    """An application made for someone else (帮办代办) that `user` may go on with: its
    authorisation's agent (the relative, or hall staff of the hall's unit) while it is
    usable for the item. NotFound — the same as a missing one — otherwise (decision 0072)."""
    pk = parse_id(application_id)
    application = (
        Application.objects.select_related(
            "item", "department", "person", "applicant", "mandate__agent_unit", "submitted_by"
        )
        .filter(pk=pk, mandate__isnull=False)
        .first()
        if pk is not None and is_active_user(user)
        else None
    )
    if application is None or application.mandate is None:
        raise NotFound(_("办件不存在"), code="application.not_found")
    try:
        mandate_check(application.mandate, user=user, item_code=application.item.code)
    except ApplicationError:
        raise NotFound(_("办件不存在"), code="application.not_found") from None
    return application


def assisted_application_list(user: Any, *, status: str = "", q: str = "") -> QuerySet[Application]:
    """The hall's assisted cases: applications made under the authorisations of the halls
    the staff member's unit runs, newest first, filtered by status and number or name."""
    if not is_active_user(user) or user.role != Role.HALL_STAFF or user.org_unit is None:
        return Application.objects.none()
    rows = Application.objects.filter(
        mandate__agent_kind=MandateAgent.HALL,
        mandate__agent_unit__path__startswith=user.org_unit.path,
    ).select_related("item", "person", "submitted_by", "mandate")
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(number=q.strip().upper()) | Q(item__name__icontains=q.strip()))
    return rows.order_by("-created_at", "-id")


def access_application_for_review(user: Any, application_id: object) -> Application:
    """An application of the reviewer's unit; NotFound for everyone else (an applicant sees
    their own application but is not its reviewer: 404 here as well)."""
    if not permissions.can_review(user):
        raise NotFound(_("办件不存在"), code="application.not_found")
    application = access_application(user, application_id)
    if application.applicant_id == getattr(user, "pk", None):
        raise NotFound(_("办件不存在"), code="application.not_found")
    return application


def my_application_list(user: Any, *, status: str = "") -> QuerySet[Application]:
    """The applicant's applications, newest first."""
    rows = Application.objects.filter(applicant_id=getattr(user, "pk", None)).select_related(
        "item", "department"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def desk_application_list(
    user: Any,
    *,
    status: str = "",
    item_code: str = "",
    light: str = "",
    q: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Application]:
    """The review desk's queue: the unit's applications past the draft, filtered. `light`
    follows core.deadlines (red: overdue, yellow: past the warning, green: in time)."""
    if not permissions.can_review(user):
        return Application.objects.none()
    now = now or timezone.now()
    rows = (
        applications_visible_to(user)
        .exclude(status=Status.DRAFT)
        # Sent to a partner city (跨域通办, the crosscity app): that city's desk decides.
        .exclude(crosscity_packages__direction="out")
        .select_related("item", "department", "person", "enterprise")
    )
    if status:
        rows = rows.filter(status=status)
    if item_code:
        rows = rows.filter(item__code=item_code)
    running = Q(status__in=CLOCK_STATUSES, paused_at__isnull=True, due_at__isnull=False)
    if light == deadlines.RED:
        rows = rows.filter(running, due_at__lte=now)
    elif light == deadlines.YELLOW:
        rows = rows.filter(running, yellow_at__lte=now, due_at__gt=now)
    elif light == deadlines.GREEN:
        rows = rows.filter(running, yellow_at__gt=now)
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(item__name__icontains=q))
    return rows.order_by("due_at", "submitted_at", "id")


@dataclass(frozen=True, slots=True)
class ItemSetup:
    """What every submission of an item reads and only an editor changes: its form (and
    revision) and its published instant-approval rule versions (newest first) with their
    effective dates. Shared by the process's requests: read it, never change it."""

    form: FormDefinition
    revision: int
    rules: tuple[tuple[dt.date | None, RuleVersion], ...]

    def rule_on(self, today: dt.date) -> RuleVersion | None:
        """The rule in force on `today` (selectors_rules.rule_in_force)."""
        return next((v for since, v in self.rules if since is None or since <= today), None)


def _setup_load(item_id: int) -> ItemSetup:
    form = ItemForm.objects.filter(item_id=item_id).first()
    published = RuleVersion.objects.filter(
        item_id=item_id, state__in=[VersionState.PUBLISHED, VersionState.SUPERSEDED]
    ).order_by("-number")
    return ItemSetup(
        form=definition_parse(form.fields) if form is not None else FormDefinition(fields=()),
        revision=form.revision if form is not None else 0,
        rules=tuple((v.effective_from, v) for v in published),
    )


# Bumped by item_form_set and by a rule's publication (services/forms.py, services/rules.py)
# in their transactions; every use reads the counter, so a change is used at once (0087).
ITEM_SETUP = VersionedCache[int, ItemSetup]("applications.item_setup", _setup_load)


def item_setup(item: ServiceItem | int) -> ItemSetup:
    return ITEM_SETUP.get(item if isinstance(item, int) else item.pk)


def item_form(item: ServiceItem | int) -> tuple[FormDefinition, int]:
    """The item's form and its revision; an item without one asks nothing but materials."""
    setup = item_setup(item)
    return setup.form, setup.revision


def application_light(application: Application, now: dt.datetime | None = None) -> str:
    """The clock's light (core.deadlines), "" when no clock runs or ran."""
    if application.due_at is None or application.yellow_at is None:
        return ""
    return deadlines.light(
        yellow_at=application.yellow_at,
        due_at=application.due_at,
        stopped_at=application.stopped_at or application.paused_at,
        now=now or timezone.now(),
    )


@dataclass(frozen=True, slots=True)
class ReuseCandidate:
    """A file submitted with an earlier application that could stand for a material."""

    material_id: int
    source: ApplicationMaterial


def reusable_materials(
    application: Application, *, materials: list[Material] | None = None
) -> dict[int, list[ApplicationMaterial]]:
    """For each material the item asks for, the files the same applicant (the same person,
    or the same enterprise) submitted under the same material name in earlier applications
    that went past the draft, newest first. `materials`: the item's, when the caller has
    read them already."""
    if materials is None:
        materials = list(application.item.materials.all())
    names = {m.name: m.pk for m in materials}
    owner = (
        Q(application__enterprise_id=application.enterprise_id)
        if application.enterprise_id
        else Q(application__person_id=application.person_id, application__enterprise__isnull=True)
    )
    rows = (
        ApplicationMaterial.objects.filter(owner, name__in=list(names))
        .exclude(application_id=application.pk)
        .exclude(application__status=Status.DRAFT)
        .filter(mode__in=[MaterialMode.UPLOAD, MaterialMode.REUSE])
        .exclude(storage_name="")
        .select_related("application")
        .order_by("-created_at", "-id")
    )
    found: dict[int, list[ApplicationMaterial]] = {}
    seen: set[tuple[int, str]] = set()
    for row in rows:
        material_id = names[row.name]
        if (material_id, row.sha256) in seen:
            continue  # the same file reused along a chain is offered once
        seen.add((material_id, row.sha256))
        found.setdefault(material_id, []).append(row)
    return found
