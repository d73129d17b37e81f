"""The demo seed: the Guangzhou tree, one login per role, valid generated identities, and
idempotency (a second run creates nothing and writes no audit entry)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.identity import demo
from hongmian.identity.management.commands.demo_logins import UNITS_PER_LINE
from hongmian.identity.models import (
    Enterprise,
    FileValue,
    OrgUnit,
    Person,
    StaffProfile,
    User,
)
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (OrgUnit, User, Person, Enterprise, StaffProfile, AuditEvent)
    )


def test_seed_builds_guangzhou_and_is_idempotent() -> None:
    steps: list[tuple[str, int, int]] = []
    demo.seed(actor=Actor.system("seed_demo"), progress=lambda *a: steps.append(a))
    first = _counts()
    demo.seed(actor=Actor.system("seed_demo"), progress=lambda *a: None)
    assert _counts() == first

    # The tree: one root, 11 districts, all 178 township-level units, halls, departments.
    root = OrgUnit.objects.get(code="gz")
    assert OrgUnit.objects.filter(parent=None).get() == root
    assert OrgUnit.objects.filter(kind=UnitKind.DISTRICT_GOVERNMENT).count() == 11
    township = (UnitKind.STREET, UnitKind.TOWN, UnitKind.SPECIAL_AREA)
    assert OrgUnit.objects.filter(kind__in=township).count() == 178
    assert OrgUnit.objects.filter(kind=UnitKind.SERVICE_HALL).count() == 12
    assert OrgUnit.objects.filter(kind=UnitKind.CITY_DEPARTMENT).count() >= 25
    assert OrgUnit.objects.get(code="gz-water").name == "广州市水务局"
    shipai = OrgUnit.objects.get(code="gz-440106006")
    assert shipai.short_name == "石牌街道"
    assert shipai.parent.code == "gz-440106"
    for unit in OrgUnit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected, unit.code

    # Generated identities pass the same validators as real ones.
    assert Person.objects.count() == demo.PERSON_COUNT
    assert Enterprise.objects.count() == demo.ENTERPRISE_COUNT
    for person in Person.objects.all():
        assert validators.validate_resident_id(person.resident_id) == person.resident_id
        assert person.resident_id.startswith("4401")
        assert validators.validate_mobile(person.mobile) == person.mobile
    for enterprise in Enterprise.objects.all():
        assert validators.validate_credit_code(enterprise.credit_code) == enterprise.credit_code

    # One login per role, each able to sign in with the documented password.
    logins = {u.username: u for u in User.objects.all()}
    assert {d.role for d in demo.DEMO_LOGINS} == set(Role)
    for login in demo.DEMO_LOGINS:
        user = logins[login.username]
        assert user.role == login.role
        assert sign_in(login.username, demo.DEMO_PASSWORD) == user, login.username
    assert logins["admin"].is_superuser
    assert logins["admin"].is_staff
    assert logins["handler_tianhe"].org_unit.code == "gz-440106"
    assert Person.objects.get(user=logins["citizen"]).real_name_verified
    assert Enterprise.objects.filter(representatives=logins["enterprise"]).count() == 2
    # The files: the demo citizen's comes from three departments, with their dates; the
    # enterprises the demo representative acts for have a licence and a tax grade.
    mine = FileValue.objects.filter(person__user=logins["citizen"]).select_related("source")
    assert {v.source.code for v in mine} == {"gz-police", "gz-edu", "gz-hrss"}
    assert mine.get(field_key="identity.name").value == logins["citizen"].display_name
    theirs = FileValue.objects.filter(enterprise__representatives=logins["enterprise"])
    assert {"licence.registered_capital", "tax.credit_grade"} <= set(
        theirs.values_list("field_key", flat=True)
    )

    # Every write was audited, by the seeding job.
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"system:seed_demo"}
    assert {s[0] for s in steps} >= {"identity: 组织机构", "identity: 自然人"}
    assert all(done <= total for _, done, total in steps)

    # Every unit the demo's orders reach has a handler and a manager (hotline's test_demo
    # checks the list against the dispatch catalogue).
    for code, slug in demo.UNIT_LOGIN_SLUGS.items():
        handler, manager = (logins[name] for name in demo.unit_usernames(slug))
        assert (handler.role, handler.org_unit.code) == (Role.DEPT_HANDLER, code)
        assert (manager.role, manager.org_unit.code) == (Role.DEPT_MANAGER, code)

    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    # Short: a line per role login, then the units a few to a line.
    units = len(demo.UNIT_LOGIN_SLUGS)
    assert len(lines) == 2 + len(demo.ROLE_LOGINS) + 2 + -(-units // UNITS_PER_LINE)
    assert "未创建" not in text
    assert any("handler_water" in line and demo.DEMO_PASSWORD in line for line in lines)
    assert f"各承办单位账号（{units} 个单位）" in text
    assert "urban 市城市管理和综合执法局" in text


def test_specs_are_deterministic() -> None:
    assert demo.person_specs(20) == demo.person_specs(20)
    assert demo.enterprise_specs(5) == demo.enterprise_specs(5)
    codes = [s.code for s in demo.unit_specs()]
    assert len(codes) == len(set(codes))


def test_demo_logins_before_seeding_says_so() -> None:
    out = StringIO()
    call_command("demo_logins", "--base-url", "https://demo.example/", stdout=out)
    text = out.getvalue()
    assert "未创建" in text
    assert "https://demo.example/admin/" in text
    agent = next(line for line in text.splitlines() if "hotline_agent" in line)
    assert agent.endswith("https://demo.example/hotline/")
