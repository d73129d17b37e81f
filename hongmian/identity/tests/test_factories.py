"""Other apps build their fixtures on these factories: they must make valid rows."""

from __future__ import annotations

import pytest

from hongmian.core import validators
from hongmian.identity.states import ADMIN_SITE_ROLES, UNIT_SCOPED_ROLES, Role, UnitKind
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_org_unit_paths() -> None:
    root = OrgUnitFactory(kind=UnitKind.CITY_GOVERNMENT)
    child = OrgUnitFactory(parent=root)
    assert (root.path, root.depth) == (f"/{root.pk}/", 0)
    assert (child.path, child.depth) == (f"/{root.pk}/{child.pk}/", 1)


@pytest.mark.parametrize("role", list(Role))
def test_users_of_every_role_are_valid(role: Role) -> None:
    user = UserFactory(role=role)
    user.full_clean()
    assert (user.org_unit is not None) == (role in UNIT_SCOPED_ROLES)
    assert user.is_staff == (role in ADMIN_SITE_ROLES)


def test_identities_pass_the_validators() -> None:
    for person in PersonFactory.create_batch(30):
        assert validators.validate_resident_id(person.resident_id) == person.resident_id
        assert validators.validate_mobile(person.mobile) == person.mobile
    for enterprise in EnterpriseFactory.create_batch(30):
        assert validators.validate_credit_code(enterprise.credit_code) == enterprise.credit_code
