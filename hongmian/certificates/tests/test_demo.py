"""The demo seed: every demo holder gets certificates; a second run adds nothing."""

from __future__ import annotations

import pytest

from hongmian.certificates import demo
from hongmian.certificates.models import Certificate
from hongmian.certificates.type_specs import SPECS
from hongmian.certificates.verification import certificate_verify
from hongmian.core.actors import Actor
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_seed_gives_every_demo_holder_certificates_once() -> None:
    for code in {spec.issuer_unit for spec in SPECS.values()}:
        OrgUnitFactory(code=code)
    citizen = PersonFactory(user=UserFactory(username="citizen"))
    other = PersonFactory()
    enterprises = EnterpriseFactory.create_batch(2)
    actor = Actor.system("seed_demo")
    demo.seed(actor=actor, progress=lambda *_: None)
    mine = Certificate.objects.filter(person=citizen)
    statuses = {c.type.code: certificate_verify(c.token).reason for c in mine}
    assert {"household", "marriage", "diploma", "degree", "birth", "social_insurance"} <= set(
        statuses
    )
    reasons = sorted(certificate_verify(c.token).reason for c in mine)
    assert reasons.count("revoked") == 1
    assert reasons.count("expired") == 1
    assert Certificate.objects.filter(person=other).count() == 2
    assert {e.certificates.count() for e in enterprises} == {1, 2}
    count = Certificate.objects.count()
    demo.seed(actor=actor, progress=lambda *_: None)
    assert Certificate.objects.count() == count
