"""An application that arrives already submitted from elsewhere (跨域通办, the crosscity
app): made here so that it has the same number, form check, clock and timeline as one made
on this platform, and lands on the item's department's review desk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hongmian.applications import selectors
from hongmian.applications.definitions import answers_check
from hongmian.applications.models import Application, ApplicationMaterial
from hongmian.applications.services.common import record
from hongmian.applications.services.materials import PREFIX, _stored_files, material_storage
from hongmian.applications.states import Applicant, MaterialMode, Status
from hongmian.catalog.models import Material, ServiceItem
from hongmian.core.actors import Actor
from hongmian.identity.models import Person, User


@dataclass(frozen=True, slots=True)
class ReceivedMaterial:
    """One material as the sender provided it: a file (its bytes, already checked against
    the signed SHA-256) or an e-certificate (its id, already verified)."""

    material: Material
    file_name: str
    content_type: str
    sha256: str
    content: bytes | None = None
    certificate_ref: str = ""


def application_receive(
    *,
    actor: Actor,
    item: ServiceItem,
    account: User,
    person: Person,
    answers: Mapping[str, object],
    materials: Sequence[ReceivedMaterial],
    note: str,
) -> Application:
    """A submitted application for `item` of `person`, standing on `account` (the sending
    city's account). The answers are checked against this platform's form of the item
    (422 `application.field_invalid`, nothing written); `note` says where it came from on
    the timeline. Call inside the caller's transaction when it records more."""
    definition, revision = selectors.item_form(item)
    cleaned = answers_check(definition, answers, complete=True)
    now = timezone.now()
    storage = material_storage()
    with _stored_files() as written, transaction.atomic():
        application = Application.objects.create(
            number=f"tmp-{now:%H%M%S%f}-{account.pk}",
            item=item,
            department_id=item.department_id,
            applicant=account,
            applicant_kind=Applicant.PERSON,
            person=person,
            form_revision=revision,
            answers=cleaned,
            limit_days=item.promised_limit_days
            if item.promised_limit_days is not None
            else item.legal_limit_days,
            status=Status.SUBMITTED,
            submitted_at=now,
        )
        application.number = f"SQ{timezone.localdate():%Y%m%d}{application.pk:07d}"
        application.save(update_fields=["number"])
        for given in materials:
            row = ApplicationMaterial(
                application=application,
                material=given.material,
                name=given.material.name,
                file_name=given.file_name[:200],
                content_type=given.content_type[:100],
                sha256=given.sha256,
            )
            if given.content is not None:
                stored = storage.save(
                    f"{PREFIX}/{application.number}/{given.sha256[:32]}",
                    ContentFile(given.content),
                )
                written.append(stored)
                row.mode, row.storage_name, row.size = (
                    MaterialMode.UPLOAD,
                    stored,
                    len(given.content),
                )
            else:
                row.mode, row.certificate_ref = MaterialMode.CERTIFICATE, given.certificate_ref
                row.consented_at = now
            row.save(force_insert=True)
        record(
            actor=actor,
            application=application,
            kind="submit",
            before=Status.DRAFT,
            after=Status.SUBMITTED,
            note=note,
            data={"received": True, "materials": len(materials)},
        )
    return application
