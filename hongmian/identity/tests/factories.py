"""factory_boy factories for identity's models; other apps' tests import these.

    from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
    district = OrgUnitFactory(kind=UnitKind.DISTRICT_GOVERNMENT)
    street = OrgUnitFactory(parent=district, kind=UnitKind.STREET)
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=street)
    client.force_login(handler)  # or client.login(username=…, password=DEFAULT_PASSWORD)

The factories build valid rows (materialised paths, check digits, role/unit rules) but write
no audit entries, so a test can still count exactly the entries its own service writes.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password

from hongmian.identity import fakes
from hongmian.identity.models import Enterprise, OrgUnit, Person, StaffProfile, User
from hongmian.identity.states import ADMIN_SITE_ROLES, UNIT_SCOPED_ROLES, Role, UnitKind

# Every factory user can log in with this password (it satisfies the password rules).
DEFAULT_PASSWORD = "Hongmian@Test1"


@functools.cache
def _hashed(password: str, hasher: str) -> str:
    # Hashing is deliberately slow; one hash per password and hasher keeps the suite fast.
    return make_password(password)


def hashed_password(password: str) -> str:
    return _hashed(password, settings.PASSWORD_HASHERS[0])


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """A unit with a correct `path` and `depth` under `parent` (a root when parent is None)."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"test-unit-{n:05d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.CITY_DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        unit = model_class(*args, **kwargs)
        unit.save()
        # The same rule as services.org_unit_create: the path ends with the unit's own pk.
        parent_path = unit.parent.path if unit.parent else "/"
        unit.path = f"{parent_path}{unit.pk}/"
        unit.depth = unit.parent.depth + 1 if unit.parent else 0
        unit.save(update_fields=["path", "depth"])
        return unit


class UserFactory(factory.django.DjangoModelFactory):
    """A user of any role. Unit-scoped roles get a fresh unit unless `org_unit` is given;
    log in with DEFAULT_PASSWORD, or pass `raw_password="…"`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        raw_password = DEFAULT_PASSWORD
        needs_unit = factory.LazyAttribute(lambda o: o.role in UNIT_SCOPED_ROLES)

    username = factory.Sequence(lambda n: f"user{n:05d}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CITIZEN
    org_unit = factory.Maybe(
        "needs_unit", yes_declaration=factory.SubFactory(OrgUnitFactory), no_declaration=None
    )
    password = factory.LazyAttribute(lambda o: hashed_password(o.raw_password))
    is_staff = factory.LazyAttribute(lambda o: o.role in ADMIN_SITE_ROLES)
    is_active = True


class PersonFactory(factory.django.DjangoModelFactory):
    """A person with a valid, unique Guangzhou resident ID and mobile."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"{fakes.SURNAMES[n % 30]}测{n}")
    resident_id = factory.Sequence(
        lambda n: fakes.resident_id(
            fakes.GUANGZHOU_REGIONS[n % len(fakes.GUANGZHOU_REGIONS)],
            dt.date(1950, 1, 1) + dt.timedelta(days=n),
            n,
        )
    )
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    address = factory.Sequence(lambda n: f"广州市天河区石牌街道天河路{n}号")
    user = None


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An enterprise with a valid, unique credit code."""

    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"广州市测试{n}科技有限公司")
    credit_code = factory.Sequence(lambda n: fakes.credit_code("440106", f"MA{n:07d}"))
    legal_representative = "陈大文"
    contact_mobile = factory.Sequence(lambda n: f"139{n:08d}")
    address = "广州市天河区珠江新城"

    @factory.post_generation
    def representatives(self, create: bool, extracted: list[User] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.representatives.add(*extracted)


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, role=Role.HOTLINE_AGENT)
    employee_no = factory.Sequence(lambda n: f"T{n:06d}")
    title = "科员"
