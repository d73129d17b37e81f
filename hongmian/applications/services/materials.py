"""Materials of an application (申请材料): each material the item asks for is provided by
an upload (checked by core.upload_content: type from the content, size, SHA-256), by reuse
of a file the applicant submitted with an earlier application, or by an e-certificate the
applicant holds — the last two only with the applicant's consent, recorded on the row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import certificates_bridge, selectors
from hongmian.applications.models import Application, ApplicationMaterial
from hongmian.applications.services.common import (
    Step,
    editable_check,
    lock,
    owner_check,
    record,
    record_many,
)
from hongmian.applications.states import MaterialMode
from hongmian.catalog.models import Material
from hongmian.core.actors import Actor
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed
from hongmian.core.upload_content import prepare
from hongmian.core.validators import parse_id

STORAGE_ALIAS = "attachments"
PREFIX = "applications"


def material_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def files_delete(names: Sequence[str]) -> None:
    storage = material_storage()
    for name in names:
        storage.delete(name)


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Names stored inside the block; deleted again if the block raises."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        files_delete(written)
        raise


def _material_of(application: Application, material_id: object) -> Material:
    pk = parse_id(material_id)
    material = Material.objects.filter(item_id=application.item_id, pk=pk).first() if pk else None
    if material is None:
        raise NotFound(_("该事项没有这项材料"), code="application.material_unknown")
    return material


def _consent_check(consent: bool, what: str) -> None:
    if not consent:
        raise PermissionDenied(
            _("使用%(what)s需要您的同意") % {"what": what},
            code="application.material_consent_required",
            fields={"consent": [_("请勾选同意")]},
        )


def _replace(
    *, actor: Actor, application: Application, row: ApplicationMaterial, data: dict[str, Any]
) -> ApplicationMaterial:
    """Store `row` as the one way its material is provided (an earlier one is replaced)."""
    ApplicationMaterial.objects.filter(application=application, material=row.material).delete()
    row.save(force_insert=True)
    record(
        actor=actor,
        application=application,
        kind=f"material_{row.mode}",
        data={"material": row.name, **data},
    )
    return row


def material_upload(
    *, actor: Actor, application: Application, material_id: object, upload: Any
) -> ApplicationMaterial:
    """Provide a material by uploading a file. The file is checked before anything is
    written (`attachment.type_mismatch` for a file whose content is not what its name or
    type claims, `attachment.type_not_allowed`, `attachment.too_large`, `attachment.empty`);
    images are kept without their metadata."""
    owner_check(actor, application)
    material = _material_of(application, material_id)
    item = prepare(upload)
    storage = material_storage()
    base = f"{PREFIX}/{application.number}/{item.sha256[:32]}"
    with _stored_files() as written, transaction.atomic():
        application = lock(application)
        editable_check(application)
        body: File[bytes] = (
            ContentFile(item.content) if item.content is not None else File(item.source)
        )
        stored = storage.save(f"{base}{item.extension}", body)
        written.append(stored)
        row = ApplicationMaterial(
            application=application,
            material=material,
            name=material.name,
            mode=MaterialMode.UPLOAD,
            file_name=item.name,
            storage_name=stored,
            content_type=item.content_type,
            size=item.size,
            sha256=item.stored_sha256,
        )
        return _replace(
            actor=actor,
            application=application,
            row=row,
            data={"sha256": row.sha256, "size": row.size, "type": row.content_type},
        )


def material_reuse(
    *,
    actor: Actor,
    application: Application,
    material_id: object,
    source_id: object,
    consent: bool,
) -> ApplicationMaterial:
    """Provide a material with a file the applicant submitted before (selectors.
    reusable_materials offers them). Needs the applicant's consent (403
    `application.material_consent_required`); records the source application."""
    [row] = materials_reuse(
        actor=actor, application=application, choices=[(material_id, source_id)], consent=consent
    )
    return row


def materials_reuse(
    *,
    actor: Actor,
    application: Application,
    choices: Sequence[tuple[object, object]],
    consent: bool,
) -> list[ApplicationMaterial]:
    """material_reuse for several materials at once — (material id, source id) pairs — in
    one transaction: all are provided or none (the first unknown material is 404
    `application.material_unknown`, a material named twice 422
    `application.material_repeated`, a file not offered 404 `application.reuse_not_found`),
    with one timeline entry each, written in one turn (decision 0087)."""
    owner_check(actor, application, reads_file=True)
    materials = {m.pk: m for m in Material.objects.filter(item_id=application.item_id)}
    wanted: list[tuple[Material, object]] = []
    for material_id, source_id in choices:
        pk = parse_id(material_id)
        material = materials.get(pk) if pk is not None else None
        if material is None:
            raise NotFound(_("该事项没有这项材料"), code="application.material_unknown")
        if any(m.pk == material.pk for m, _s in wanted):
            raise ValidationFailed(
                _("同一项材料只能选一份"),
                code="application.material_repeated",
                fields={"materials": [material.name]},
            )
        wanted.append((material, source_id))
    _consent_check(consent, _("以前提交过的材料"))
    offered = selectors.reusable_materials(application, materials=list(materials.values()))
    picked: list[tuple[Material, ApplicationMaterial]] = []
    for material, source_id in wanted:
        rows = offered.get(material.pk, [])
        source = next((row for row in rows if str(row.pk) == str(source_id)), None)
        if source is None:
            raise NotFound(_("没有可复用的这份材料"), code="application.reuse_not_found")
        picked.append((material, source))
    if not picked:
        return []
    with transaction.atomic():
        application = lock(application)
        editable_check(application)
        now = timezone.now()
        made = [
            ApplicationMaterial(
                application=application,
                material=material,
                name=material.name,
                mode=MaterialMode.REUSE,
                file_name=source.file_name,
                storage_name=source.storage_name,
                content_type=source.content_type,
                size=source.size,
                sha256=source.sha256,
                reused_from=source,
                source_application=source.application,
                consented_at=now,
            )
            for material, source in picked
        ]
        # Each replaces the way its material was provided before.
        ApplicationMaterial.objects.filter(
            application=application, material__in=[m for m, _s in picked]
        ).delete()
        ApplicationMaterial.objects.bulk_create(made)
        record_many(
            application=application,
            steps=[
                Step(
                    actor=actor,
                    kind=f"material_{MaterialMode.REUSE}",
                    data={
                        "material": row.name,
                        "source_application": source.application.number,
                        "sha256": source.sha256,
                    },
                )
                for row, (_m, source) in zip(made, picked, strict=True)
            ],
        )
    return made


def material_certificates(application: Application) -> dict[int, list[Any]]:
    """For each material, the applicant's e-certificates of the types that satisfy it."""
    materials = list(application.item.materials.prefetch_related("certificate_types"))
    codes = {t.code for m in materials for t in m.certificate_types.all()}
    held = certificates_bridge.certificates_held(
        person=application.person, enterprise=application.enterprise, type_codes=codes
    )
    found: dict[int, list[Any]] = {}
    for material in materials:
        wanted = {t.code for t in material.certificate_types.all()}
        matches = [c for c in held if c.type_code in wanted]
        if matches:
            found[material.pk] = matches
    return found


def material_certificate_use(
    *,
    actor: Actor,
    application: Application,
    material_id: object,
    certificate_ref: str,
    consent: bool,
) -> ApplicationMaterial:
    """Provide a material with one of the applicant's e-certificates (of a type the
    material accepts). Needs the applicant's consent; a certificate the applicant does not
    hold (or that is no longer valid) is 404 `application.certificate_not_held`."""
    owner_check(actor, application, reads_file=True)
    material = _material_of(application, material_id)
    _consent_check(consent, _("电子证照"))
    held = material_certificates(application).get(material.pk, [])
    cert = next((c for c in held if c.ref == str(certificate_ref)), None)
    if cert is None:
        raise NotFound(_("没有这份电子证照"), code="application.certificate_not_held")
    with transaction.atomic():
        application = lock(application)
        editable_check(application)
        row = ApplicationMaterial(
            application=application,
            material=material,
            name=material.name,
            mode=MaterialMode.CERTIFICATE,
            file_name=cert.name,
            certificate_ref=cert.ref,
            consented_at=timezone.now(),
        )
        return _replace(
            actor=actor,
            application=application,
            row=row,
            data={"certificate": cert.ref, "type": cert.type_code},
        )
