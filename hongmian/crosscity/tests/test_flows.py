"""The screens and the jobs around a package: the applicant's panel sends and shows it, an
unreachable partner leaves it queued (never lost), the desk marks a received application
with its city and each review step queues a signed status update for the sender."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hongmian.applications.models import Application
from hongmian.applications.services.drafts import application_create
from hongmian.applications.services.materials import material_upload
from hongmian.applications.states import Status
from hongmian.applications.tests.conftest import actor_of, jpeg
from hongmian.core.keyring import keyring_verify
from hongmian.crosscity.models import Package, StatusUpdate
from hongmian.crosscity.services.sending import package_deliver_once
from hongmian.crosscity.services.transport import Unreachable
from hongmian.crosscity.states import KEY_PURPOSE, TYP_STATUS, Delivery, Direction
from hongmian.crosscity.tests.conftest import MATERIAL, Remote, sign

ANSWERS = {"name": "陈秀英", "resident_id": "440106199001011234", "phone": "13800138000"}


def _draft(remote: Remote) -> Application:
    citizen = actor_of(remote.world["citizen"])
    draft, _ = application_create(actor=citizen, item=remote.world["item"], answers=ANSWERS)
    material = remote.world["item"].materials.get(name=MATERIAL)
    material_upload(actor=citizen, application=draft, material_id=material.pk, upload=jpeg())
    return draft


def test_applicant_sends_from_the_panel_and_sees_where_it_is(
    client: Client, remote: Remote
) -> None:
    draft = _draft(remote)
    client.force_login(remote.world["citizen"])
    page = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert 'id="crosscity-send"' in page
    assert '<option value="511600">广安市</option>' in page
    response = client.post(
        reverse("crosscity:send", args=[draft.pk]), {**ANSWERS, "partner": "511600"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    package = Package.objects.get(application=draft, direction=Direction.OUT)
    assert package.delivery == Delivery.QUEUED
    page = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "发往广安市" in page
    assert 'data-delivery="queued"' in page
    assert 'id="crosscity-send"' not in page  # sent once: no second button
    # Not on this city's desk: 广安市's desk decides it.
    client.force_login(remote.world["handler"])
    assert draft.number not in client.get(reverse("applications:desk")).content.decode()
    # … and this city's handler cannot decide it by its address either.
    response = client.post(reverse("applications:review", args=[draft.pk]), {"act": "accept"})
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert response.status_code == 409


def test_send_without_a_partner_is_a_message_not_a_submission(
    client: Client, remote: Remote
) -> None:
    draft = _draft(remote)
    client.force_login(remote.world["citizen"])
    response = client.post(reverse("crosscity:send", args=[draft.pk]), {**ANSWERS}, follow=True)
    assert "请选择办理城市" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not Package.objects.exists()


def test_unreachable_partner_leaves_the_package_queued_for_the_retry(remote: Remote) -> None:
    from hongmian.crosscity.services.sending import package_send

    citizen = actor_of(remote.world["citizen"])
    package = package_send(actor=citizen, application=_draft(remote), partner=remote.partner)
    with pytest.raises(Unreachable):
        package_deliver_once(package_pk=package.pk)
    package.refresh_from_db()
    assert package.delivery == Delivery.QUEUED
    assert package.attempts == 1
    assert package.last_error


def test_received_application_is_marked_on_the_desk_and_reports_each_step(
    client: Client, remote: Remote, django_capture_on_commit_callbacks: Any
) -> None:
    token = sign(remote.key, remote.package())
    answer = client.post(
        "/api/crosscity/packages", {"package": token}, content_type="application/json"
    )
    assert answer.status_code == 200
    application = Application.objects.get()
    client.force_login(remote.world["handler"])
    desk = client.get(reverse("applications:desk")).content.decode()
    assert f'data-origin="{application.pk}"' in desk
    assert "跨域·广安市" in desk
    review = client.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "广安市发来" in review
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("applications:review", args=[application.pk]), {"act": "accept"}
        )
    assert response.status_code == 302
    update = StatusUpdate.objects.get(direction=Direction.OUT)
    assert update.status == Status.ACCEPTED
    assert update.delivered_at is None
    assert len(callbacks) == 1  # the job that sends it
    claims = keyring_verify(purpose=KEY_PURPOSE, token=update.token).claims
    assert claims["typ"] == TYP_STATUS
    assert claims["aud"] == "511600"
    assert claims["status_label"] == "已受理"


def test_status_for_a_package_we_never_sent_is_refused(client: Client, remote: Remote) -> None:
    claims = {
        "typ": TYP_STATUS,
        "uid": "4d0f6f1e-1b8e-4f55-9a37-5b7a2f0e9a11",
        "pid": "0b1c0e8a-6f0f-4c3c-9d8b-3a2d1e0f9c77",
        "iss": "511600",
        "aud": "440100",
        "iat": 0,
        "status": "accepted",
        "status_label": "已受理",
    }
    response = client.post(
        "/api/crosscity/status",
        {"update": sign(remote.key, claims)},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "crosscity.package_unknown"
