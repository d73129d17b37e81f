"""Life-event bundles (一件事一次办, decision 0068): one combined application over several
items. Starting it makes one ordinary draft per part (each to its department); the
combined form's answers, the file's auto-fill and the shared materials are written to the
parts through the single application's own services; the submission submits every part
in ONE transaction — all or nothing. A part refused at the door later compensates the
others (services.bundle_compensation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import bundle_forms, permissions
from hongmian.applications.models import (
    Application,
    ApplicationMaterial,
    Bundle,
    BundleApplication,
    BundlePart,
)
from hongmian.applications.services import drafts, lifecycle, materials
from hongmian.applications.services.common import editable_check, idempotent_replay, lock, record
from hongmian.applications.states import MaterialMode, Status
from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.catalog.states import ItemStatus
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    ApplicationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.identity.models import OrgUnit

MAX_PARTS = 12


# --- definitions ------------------------------------------------------------------------------


def _candidates(bundle: Bundle) -> dict[str, list[ServiceItem]]:
    """Each part's name → the served items of that name in the life event (one for a city
    item, one per district for a district item)."""
    found: dict[str, list[ServiceItem]] = {name: [] for name in bundle.item_names}
    items = bundle.life_event.items.filter(
        status=ItemStatus.PUBLISHED, name__in=bundle.item_names
    ).select_related("department")
    for item in items.order_by("code"):
        found[item.name].append(item)
    return found


def bundle_define(
    *, actor: Actor, life_event: LifeEvent, item_names: list[str], note: str = ""
) -> Bundle:
    """Offer `life_event` as a bundle of the items named (2 to MAX_PARTS of the event's
    served items; 422 `bundle.item_unknown` naming one it does not have). The caller
    keeps the catalogue (the admin, the demo)."""
    names = list(dict.fromkeys(n.strip() for n in item_names if n.strip()))
    if not 2 <= len(names) <= MAX_PARTS:
        raise ValidationFailed(
            _("一件事须包含 2 至 %(n)d 个事项") % {"n": MAX_PARTS}, code="bundle.parts_count"
        )
    with transaction.atomic():
        bundle, created = Bundle.objects.select_for_update().get_or_create(
            life_event=life_event, defaults={"item_names": names, "note": note}
        )
        if not created and (bundle.item_names, bundle.note, bundle.active) == (names, note, True):
            return bundle  # unchanged: a second demo seed writes nothing
        bundle.item_names, bundle.note, bundle.active = names, note, True
        missing = [n for n, items in _candidates(bundle).items() if not items]
        if missing:
            raise ValidationFailed(
                _("主题服务中没有这些事项：%(names)s") % {"names": "、".join(missing)},
                code="bundle.item_unknown",
                fields={"item_names": missing},
            )
        bundle.save()
        audit_record(
            actor=actor,
            action="bundle.define",
            target=bundle,
            after={"life_event": life_event.slug, "items": names},
        )
    return bundle


def bundle_places(bundle: Bundle) -> list[OrgUnit]:
    """Where the bundle can be handled: the units that implement every district item of
    it (empty when every part is a city item)."""
    places: set[int] | None = None
    units: dict[int, OrgUnit] = {}
    for items in _candidates(bundle).values():
        if len(items) < 2:
            continue
        here = {i.department_id for i in items}
        units.update({i.department_id: i.department for i in items})
        places = here if places is None else places & here
    return sorted((units[pk] for pk in places or ()), key=lambda u: u.code)


def bundle_items(bundle: Bundle, place: OrgUnit | None) -> list[ServiceItem]:
    """The parts' items, the district ones at `place` (422 `bundle.place_required` when
    the bundle needs a place and none, or one it is not handled at, is given)."""
    chosen: list[ServiceItem] = []
    for items in _candidates(bundle).values():
        if len(items) == 1:
            chosen.append(items[0])
            continue
        item = next((i for i in items if place is not None and i.department_id == place.pk), None)
        if item is None:
            raise ValidationFailed(
                _("请选择办理地"), code="bundle.place_required", fields={"place": [_("必选")]}
            )
        chosen.append(item)
    return chosen


# --- the applicant ----------------------------------------------------------------------------


def bundle_owner_check(actor: Actor, bundle_application: BundleApplication) -> None:
    if actor.user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if bundle_application.applicant_id != actor.user.pk:
        raise NotFound(_("一件事申请不存在"), code="bundle.not_found")


def _lock(bundle_application: BundleApplication) -> BundleApplication:
    return BundleApplication.objects.select_for_update().get(pk=bundle_application.pk)


def _draft_check(bundle_application: BundleApplication) -> None:
    if bundle_application.submitted_at is not None:
        raise Conflict(_("一件事申请已提交，不能再修改"), code="bundle.not_editable")


def parts_of(bundle_application: BundleApplication) -> list[Application]:
    """The parts' applications, in the bundle's order."""
    return [
        p.application
        for p in BundlePart.objects.filter(bundle_application=bundle_application)
        .select_related("application__item", "application__department")
        .order_by("position")
    ]


def bundle_start(
    *,
    actor: Actor,
    bundle: Bundle,
    place: OrgUnit | None = None,
    idempotency_key: str | None = None,
) -> tuple[BundleApplication, bool]:
    """Start a combined application (True when new): one draft per part, each of its
    department, in one transaction — an item not open to the applicant refuses the whole
    start with its code and nothing is made. A retry with the Idempotency-Key of the first
    attempt returns what it made."""
    user = actor.user
    if user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if not permissions.can_apply(user):
        raise PermissionDenied(_("只有个人或法人账号可以申请"), code="application.forbidden")
    key = (idempotency_key or "").strip()
    if key:
        earlier = BundleApplication.objects.filter(applicant=user, create_key=key).first()
        if earlier is not None:
            return idempotent_replay(earlier, same_request=earlier.bundle_id == bundle.pk), False
    if not bundle.active:
        raise ValidationFailed(_("该一件事暂停办理"), code="bundle.closed")
    items = bundle_items(bundle, place)
    try:
        with transaction.atomic():
            started = BundleApplication(
                number=f"tmp-{timezone.now():%H%M%S%f}-{user.pk}",
                bundle=bundle,
                applicant=user,
                place=place if bundle_places(bundle) else None,
                create_key=key,
            )
            started.save(force_insert=True)
            started.number = f"YJ{timezone.localdate():%Y%m%d}{started.pk:07d}"
            started.save(update_fields=["number"])
            for position, item in enumerate(items):
                application, _new = drafts.application_create(actor=actor, item=item)
                BundlePart.objects.create(
                    bundle_application=started, application=application, position=position
                )
            audit_record(
                actor=actor,
                action="bundle.start",
                target=started,
                after={"bundle": bundle.life_event.slug, "items": [i.code for i in items]},
            )
    except IntegrityError:
        earlier = BundleApplication.objects.filter(applicant=user, create_key=key).first()
        if not key or earlier is None:
            raise
        return idempotent_replay(earlier, same_request=earlier.bundle_id == bundle.pk), False
    return started, True


def bundle_answers_update(
    *,
    actor: Actor,
    bundle_application: BundleApplication,
    shared: Mapping[str, Any],
    own: Mapping[int, Mapping[str, Any]] | None = None,
) -> BundleApplication:
    """Save the combined form's answers: each shared answer to every part that asks it,
    each part's own to that part (drafts.application_answers_update: corrections of the
    file's values kept as the applicant's statements). All parts or none: a bad answer
    anywhere is 422 and nothing is saved."""
    bundle_owner_check(actor, bundle_application)
    parts = parts_of(bundle_application)
    by_part = bundle_forms.combined_form(parts).distribute(shared, own or {})
    with transaction.atomic():
        _draft_check(_lock(bundle_application))
        for position, answers in sorted(by_part.items()):
            if answers:
                drafts.application_answers_update(
                    actor=actor, application=parts[position], answers=answers
                )
    return bundle_application


def bundle_prefill(*, actor: Actor, bundle_application: BundleApplication) -> None:
    """Fill every part from the applicant's file, with each department's consent granted
    where it is missing (one click for the applicant, one consent per department read as
    single applications have it: the file's use log names each)."""
    bundle_owner_check(actor, bundle_application)
    with transaction.atomic():
        _draft_check(_lock(bundle_application))
        for application in parts_of(bundle_application):
            if not drafts.prefill_fields(application):
                continue
            if drafts.prefill_consent(application) is None:
                drafts.application_prefill_consent(actor=actor, application=application)
            else:
                drafts.application_prefill(actor=actor, application=application)


def _need(bundle_application: BundleApplication, name: str) -> bundle_forms.MaterialNeed:
    parts = parts_of(bundle_application)
    need = next((n for n in bundle_forms.material_union(parts) if n.name == name), None)
    if need is None:
        raise NotFound(_("该一件事没有这项材料"), code="application.material_unknown")
    return need


def bundle_material_upload(
    *, actor: Actor, bundle_application: BundleApplication, name: str, upload: Any
) -> int:
    """One upload for the material `name`, serving every part that asks for it: stored
    once (checked as any upload: sniffed type, size, SHA-256) with the first part, and the
    same file named by the others. Returns how many parts it serves."""
    bundle_owner_check(actor, bundle_application)
    need = _need(bundle_application, name)
    with transaction.atomic():
        _draft_check(_lock(bundle_application))
        first, material = need.needs[0]
        row = materials.material_upload(
            actor=actor, application=first, material_id=material.pk, upload=upload
        )
        for application, other in need.needs[1:]:
            _share(actor=actor, application=application, material=other, row=row)
    return len(need.needs)


def _share(
    *, actor: Actor, application: Application, material: Any, row: ApplicationMaterial
) -> None:
    """The file of `row` (an upload of a sibling part) as `application`'s material."""
    application = lock(application)
    editable_check(application)
    ApplicationMaterial.objects.filter(application=application, material=material).delete()
    ApplicationMaterial.objects.create(
        application=application,
        material=material,
        name=material.name,
        mode=MaterialMode.UPLOAD,
        file_name=row.file_name,
        storage_name=row.storage_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        reused_from=row,
        source_application=row.application,
    )
    record(
        actor=actor,
        application=application,
        kind="material_upload",
        data={"material": material.name, "sha256": row.sha256, "bundle": True},
    )


def bundle_material_certificate_use(
    *,
    actor: Actor,
    bundle_application: BundleApplication,
    name: str,
    certificate_ref: str,
    consent: bool,
) -> int:
    """One of the applicant's e-certificates for the material `name`, for every part that
    asks for it (with the applicant's consent, recorded on each part)."""
    bundle_owner_check(actor, bundle_application)
    need = _need(bundle_application, name)
    with transaction.atomic():
        _draft_check(_lock(bundle_application))
        for application, material in need.needs:
            materials.material_certificate_use(
                actor=actor,
                application=application,
                material_id=material.pk,
                certificate_ref=certificate_ref,
                consent=consent,
            )
    return len(need.needs)


def bundle_part_check(application: Application) -> None:
    """A draft that is a bundle's part is submitted with the bundle, never alone (409
    `bundle.part_alone`): the single application's doors (page, API) ask this first."""
    if (
        application.status == Status.DRAFT
        and BundlePart.objects.filter(application_id=application.pk).exists()
    ):
        raise Conflict(_("该事项属于一件事联办，请在联办申请中一次提交"), code="bundle.part_alone")


def bundle_submit(
    *, actor: Actor, bundle_application: BundleApplication, idempotency_key: str | None = None
) -> tuple[BundleApplication, bool]:
    """Submit every part, each to its department, in ONE transaction (True), or — for a
    retry carrying the submission's Idempotency-Key — return it unchanged (False). All or
    nothing: when any part cannot be submitted (its form, a material, the real-name level,
    the item no longer served) none is, and the answer is 422 `bundle.part_refused` naming
    each refused part (`fields`: item code → its reason)."""
    bundle_owner_check(actor, bundle_application)
    key = (idempotency_key or "").strip()
    with transaction.atomic():
        bundle_application = _lock(bundle_application)
        if bundle_application.submitted_at is not None:
            if key and bundle_application.submit_key == key:
                return bundle_application, False
            raise Conflict(_("一件事申请已提交"), code="bundle.already_submitted")
        refused: dict[str, list[str]] = {}
        for application in parts_of(bundle_application):
            try:
                # A savepoint per part, so that every refused part is named; the outer
                # transaction is rolled back below when any is.
                with transaction.atomic():
                    lifecycle.application_submit(actor=actor, application=application)
            except ApplicationError as exc:
                refused[application.item.code] = [f"{application.item.name}：{exc.message}"]
        if refused:
            raise ValidationFailed(
                _("以下事项未能提交，本件一个也未提交：%(why)s")
                % {"why": "；".join(m for ms in refused.values() for m in ms)},
                code="bundle.part_refused",
                fields=refused,
            )
        bundle_application.submitted_at = timezone.now()
        bundle_application.submit_key = key
        bundle_application.save(update_fields=["submitted_at", "submit_key", "updated_at"])
        audit_record(
            actor=actor,
            action="bundle.submit",
            target=bundle_application,
            after={"parts": [a.number for a in parts_of(bundle_application)]},
        )
    return bundle_application, True
