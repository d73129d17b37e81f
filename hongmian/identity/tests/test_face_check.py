"""人脸核验 (/me/file/face): a person raises their own level to L3 with a photo of their
face, checked like every upload and compared by the verifier (the fake in tests); the raise
and a failed comparison are audited, the photo is not kept."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from hongmian.core.models import AuditEvent
from hongmian.identity.models import Person
from hongmian.identity.tests.factories import PersonFactory, UserFactory
from hongmian.identity.verification import FakeIdentityVerifier, VerificationResult

pytestmark = pytest.mark.django_db
URL = "/me/file/face"


def _photo(name: str = "face.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 160, 140)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def person() -> Person:
    return PersonFactory(user=UserFactory(), real_name_verified=True)


def _as(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)  # type: ignore[arg-type]
    return client


def test_the_page_offers_the_front_camera(person: Person) -> None:
    page = _as(person).get(URL)
    assert page.status_code == 200
    assert 'capture="user"' in page.text
    assert 'type="file"' in page.text


def test_a_passing_face_raises_to_l3_and_is_audited(person: Person) -> None:
    client = _as(person)
    response = client.post(URL, {"photo": _photo()})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.assurance_level, person.assurance_method) == (3, "face")
    raise_event = AuditEvent.objects.get(action="person.assurance_raise")
    assert raise_event.after["level"] == 3
    page = client.get(URL)
    assert "人脸核验通过" in page.text
    assert 'id="face-done"' in page.text


def test_not_a_photo_is_refused_with_its_reason(person: Person) -> None:
    fake = SimpleUploadedFile("face.jpg", b"%PDF-1.4 not a face", content_type="image/jpeg")
    response = _as(person).post(URL, {"photo": fake})
    assert response.status_code == 422
    assert 'id="face-error"' in response.text
    person.refresh_from_db()
    assert person.assurance_level == 2


def test_a_failed_comparison_is_shown_and_audited(
    person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        FakeIdentityVerifier,
        "verify_face",
        lambda self, **_kw: VerificationResult(False, "", "人脸比对未通过"),
    )
    response = _as(person).post(URL, {"photo": _photo()})
    assert response.status_code == 422
    assert "人脸比对未通过" in response.text
    person.refresh_from_db()
    assert person.assurance_level == 2
    assert AuditEvent.objects.filter(action="assurance.face_failed").count() == 1


def test_without_a_person_record_there_is_no_page() -> None:
    client = Client()
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404
