"""Assurance levels: what an account acts with, and the old 实名认证 flag kept readable."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from hongmian.identity.assurance import NO_ASSURANCE, AssuranceLevel, user_assurance_level
from hongmian.identity.models import Person
from hongmian.identity.tests.factories import PersonFactory, UserFactory


def test_anonymous_has_no_level() -> None:
    assert user_assurance_level(AnonymousUser()) == NO_ASSURANCE == 0
    assert user_assurance_level(None) == 0


@pytest.mark.django_db
def test_account_without_person_is_l1_and_a_person_carries_its_level() -> None:
    user = UserFactory()
    assert user_assurance_level(user) == AssuranceLevel.L1

    PersonFactory(user=user, assurance_level=AssuranceLevel.L3)
    assert user_assurance_level(user) == 3

    user.is_active = False
    assert user_assurance_level(user) == 0


@pytest.mark.django_db
def test_real_name_verified_reads_and_sets_the_level() -> None:
    person = PersonFactory()
    assert person.assurance_level == AssuranceLevel.L1
    assert not person.real_name_verified

    verified = Person.objects.create(
        name="李四", resident_id="44010619800101002X", user=None, real_name_verified=True
    )
    verified.refresh_from_db()
    assert verified.assurance_level == AssuranceLevel.L2
    assert verified.assurance_method == "legacy"
    assert verified.real_name_verified

    verified.assurance_level = AssuranceLevel.L3
    verified.real_name_verified = True  # already above L2: nothing lowered
    assert verified.assurance_level == AssuranceLevel.L3


def test_levels_are_ordered() -> None:
    assert AssuranceLevel.L1 < AssuranceLevel.L2 < AssuranceLevel.L3
    assert AssuranceLevel.L2.label == "L2 身份证号+手机核验"
