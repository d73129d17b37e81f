"""Materials: uploads checked by their content, reuse of an earlier submission only with
consent (recorded with its source), e-certificates through the certificates app's seam."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hongmian.applications import certificates_bridge
from hongmian.applications.models import ApplicationMaterial
from hongmian.applications.selectors import reusable_materials
from hongmian.applications.services import lifecycle, materials
from hongmian.applications.tests.conftest import World, actor_of, jpeg
from hongmian.applications.tests.test_lifecycle import ready
from hongmian.catalog.models import CertificateType
from hongmian.core.errors import NotFound, PermissionDenied, ValidationFailed


def test_an_upload_that_lies_about_its_type_is_refused(world: World) -> None:
    application = world.draft()
    fake = SimpleUploadedFile("身份证.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as caught:
        materials.material_upload(
            actor=actor_of(world.citizen),
            application=application,
            material_id=world.id_material.pk,
            upload=fake,
        )
    assert caught.value.code == "attachment.type_mismatch"
    assert not ApplicationMaterial.objects.exists()


def test_an_upload_keeps_its_hash_and_type(world: World) -> None:
    application = world.draft()
    row = materials.material_upload(
        actor=actor_of(world.citizen),
        application=application,
        material_id=world.id_material.pk,
        upload=jpeg(),
    )
    assert row.content_type == "image/jpeg"
    assert len(row.sha256) == 64
    assert row.size > 0
    assert materials.material_storage().exists(row.storage_name)
    with pytest.raises(NotFound) as caught:
        materials.material_upload(
            actor=actor_of(world.citizen),
            application=application,
            material_id=999_999,
            upload=jpeg(),
        )
    assert caught.value.code == "application.material_unknown"


def test_reuse_needs_consent_and_records_its_source(world: World) -> None:
    earlier = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=earlier)
    application = world.draft()
    offered = reusable_materials(application)[world.id_material.pk]
    source = offered[0]
    assert source.application_id == earlier.pk
    with pytest.raises(PermissionDenied) as caught:
        materials.material_reuse(
            actor=actor_of(world.citizen),
            application=application,
            material_id=world.id_material.pk,
            source_id=source.pk,
            consent=False,
        )
    assert caught.value.code == "application.material_consent_required"
    assert not application.materials.exists()
    row = materials.material_reuse(
        actor=actor_of(world.citizen),
        application=application,
        material_id=world.id_material.pk,
        source_id=source.pk,
        consent=True,
    )
    assert row.mode == "reuse"
    assert row.consented_at is not None
    assert row.source_application == earlier
    assert row.reused_from == source
    assert row.sha256 == source.sha256
    assert row.storage_name == source.storage_name


def test_another_persons_materials_are_never_offered(world: World) -> None:
    earlier = ready(world)
    lifecycle.application_submit(actor=actor_of(world.citizen), application=earlier)
    theirs = world.draft(user=world.other_citizen)
    assert reusable_materials(theirs) == {}
    source = earlier.materials.first()
    assert source is not None
    with pytest.raises(NotFound):
        materials.material_reuse(
            actor=actor_of(world.other_citizen),
            application=theirs,
            material_id=world.id_material.pk,
            source_id=source.pk,
            consent=True,
        )


def test_a_draft_is_not_a_source_of_reuse(world: World) -> None:
    ready(world)  # uploaded, never submitted
    assert reusable_materials(world.draft()) == {}


class _Cert:
    """Shaped like a certificates.Certificate row, as far as the seam reads it."""

    def __init__(self, ref: str, type_code: str) -> None:
        self.cert_id, self.valid_until = ref, None
        self.type = CertificateType(code=type_code, name="居民身份证")


def test_certificates_through_the_seam_need_consent(world: World, monkeypatch: Any) -> None:
    id_card = CertificateType.objects.create(code="id_card", name="居民身份证")
    world.id_material.certificate_types.add(id_card)
    asked: list[Any] = []

    def held(*, person: Any, enterprise: Any, type_codes: list[str]) -> list[_Cert]:
        asked.append((person, enterprise, sorted(type_codes)))
        return [_Cert("cert-1", "id_card")]

    monkeypatch.setattr(certificates_bridge, "_held_rows", held)
    application = world.draft()
    found = materials.material_certificates(application)
    assert [c.ref for c in found[world.id_material.pk]] == ["cert-1"]
    assert asked == [(application.person, None, ["id_card"])]
    with pytest.raises(PermissionDenied):
        materials.material_certificate_use(
            actor=actor_of(world.citizen),
            application=application,
            material_id=world.id_material.pk,
            certificate_ref="cert-1",
            consent=False,
        )
    with pytest.raises(NotFound) as caught:
        materials.material_certificate_use(
            actor=actor_of(world.citizen),
            application=application,
            material_id=world.id_material.pk,
            certificate_ref="forged",
            consent=True,
        )
    assert caught.value.code == "application.certificate_not_held"
    row = materials.material_certificate_use(
        actor=actor_of(world.citizen),
        application=application,
        material_id=world.id_material.pk,
        certificate_ref="cert-1",
        consent=True,
    )
    assert row.mode == "certificate"
    assert row.certificate_ref == "cert-1"


def test_a_holder_without_certificates_holds_none(world: World) -> None:
    application = world.draft()
    held = certificates_bridge.certificates_held(
        person=application.person, enterprise=None, type_codes=["id_card"]
    )
    assert held == []


def test_the_applicants_own_valid_certificates_are_offered(world: World) -> None:
    """Through the real certificates app: the holder's valid certificate of the material's
    type is offered; a revoked one, another type and another person's are not."""
    import datetime as dt

    from django.utils import timezone

    from hongmian.certificates.models import Certificate
    from hongmian.identity.tests.factories import PersonFactory

    id_card = CertificateType.objects.create(code="id_card", name="居民身份证")
    other_type = CertificateType.objects.create(code="marriage", name="结婚证")
    world.id_material.certificate_types.add(id_card)
    application = world.draft()
    now = timezone.now()

    def issue(person: Any, ctype: CertificateType, **fields: Any) -> Certificate:
        return Certificate.objects.create(
            type=ctype,
            issuer=world.police,
            person=person,
            data={},
            kid="k",
            token="a.b.c",
            issued_at=now - dt.timedelta(days=1),
            valid_from=now - dt.timedelta(days=1),
            **fields,
        )

    held = issue(application.person, id_card)
    issue(application.person, id_card, revoked_at=now, revoke_reason="cancelled")
    issue(application.person, other_type)
    issue(PersonFactory(), id_card)

    found = materials.material_certificates(application)
    assert [c.ref for c in found[world.id_material.pk]] == [str(held.cert_id)]
    assert found[world.id_material.pk][0].name == "居民身份证"
