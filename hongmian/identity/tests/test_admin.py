"""The admin goes through the services and shows personal data masked."""

from __future__ import annotations

import pytest
from django.test import Client

from hongmian.core.models import AuditEvent
from hongmian.identity.models import Enterprise, OrgUnit, Person, StaffProfile, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.conftest import Tree
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    PersonFactory,
    StaffProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(tree: Tree) -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.SYSTEM_ADMIN, is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", ["user", "orgunit", "person", "enterprise", "staffprofile"])
def test_changelist_and_add_pages_render(admin_client: Client, model: str) -> None:
    PersonFactory()
    EnterpriseFactory()
    StaffProfileFactory()
    assert admin_client.get(f"/admin/identity/{model}/").status_code == 200
    assert admin_client.get(f"/admin/identity/{model}/add/").status_code == 200


def test_person_list_is_masked(admin_client: Client) -> None:
    person = PersonFactory(mobile="13812345678")
    html = admin_client.get("/admin/identity/person/").content.decode()
    assert person.resident_id not in html
    assert "13812345678" not in html
    assert "138****5678" in html


def test_a_masked_admin_cannot_confirm_a_full_number(admin_client: Client) -> None:
    """Decision 0074: the admin sees numbers masked, so a search by the full number must not
    answer "registered" or "not" — only the last four (what the mask shows) find anyone."""
    person = PersonFactory(mobile="13812345678", resident_id="11010519491231002X")
    PersonFactory(mobile="13900005678")

    def found(term: str) -> str:
        return admin_client.get("/admin/identity/person/", {"q": term}).content.decode()

    for full in ("13812345678", "11010519491231002X", "110105194912310", "1234567"):
        html = found(full)
        assert "138****5678" not in html, full
        assert "0 个" in html or "0 results" in html or "0 结果" in html or "0 条" in html, full
    # A wrong full number looks exactly as a right one does.
    assert found("13812345678").count("138****") == found("13812340000").count("138****") == 0
    both = found("5678")
    assert "138****5678" in both
    assert "139****5678" in both
    assert person.resident_id not in found("002x")
    assert "138****5678" in found("002x")


def test_opening_a_person_is_masked_and_audited(admin_client: Client) -> None:
    person = PersonFactory(mobile="13812345678")
    html = admin_client.get(f"/admin/identity/person/{person.pk}/change/").content.decode()
    assert person.resident_id not in html
    assert "13812345678" not in html
    assert AuditEvent.objects.filter(action="person.read", target_id=str(person.pk)).exists()


def test_add_org_unit_through_the_service(admin_client: Client, tree: Tree) -> None:
    response = admin_client.post(
        "/admin/identity/orgunit/add/",
        {"code": "t-new", "name": "新街道", "kind": UnitKind.STREET, "parent": tree.tianhe.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = OrgUnit.objects.get(code="t-new")
    assert unit.path == f"{tree.tianhe.path}{unit.pk}/"
    assert AuditEvent.objects.filter(action="org_unit.create", via="admin").count() == 1


def test_move_org_unit_in_admin_refuses_cycle(admin_client: Client, tree: Tree) -> None:
    url = f"/admin/identity/orgunit/{tree.tianhe.pk}/change/"
    data = {"name": tree.tianhe.name, "short_name": "", "division_code": ""}
    response = admin_client.post(url, {**data, "parent": tree.shipai.pk})
    assert response.status_code == 200  # the form again, with the error
    assert "不能把机构移到" in response.content.decode()
    response = admin_client.post(url, {**data, "parent": tree.water.pk})
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=tree.community.pk).path.startswith(tree.water.path)


def test_add_user_through_the_service(admin_client: Client, tree: Tree) -> None:
    response = admin_client.post(
        "/admin/identity/user/add/",
        {
            "username": "newhandler",
            "password1": "Hongmian@2026",
            "password2": "Hongmian@2026",
            "usable_password": "true",
            "display_name": "新人",
            "role": Role.DEPT_HANDLER,
            "org_unit": tree.water.pk,
            "mobile": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newhandler")
    assert user.org_unit == tree.water
    assert user.check_password("Hongmian@2026")
    assert AuditEvent.objects.filter(action="user.create", via="admin").count() == 1


def test_add_user_form_enforces_unit_rule(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/identity/user/add/",
        {
            "username": "loose",
            "password1": "Hongmian@2026",
            "password2": "Hongmian@2026",
            "usable_password": "true",
            "role": Role.DEPT_HANDLER,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="loose").exists()


def test_change_user_role_in_admin(tree: Tree) -> None:
    # The security administrator's act (三员分立): the system admin sees the role read-only.
    security = Client()
    security.force_login(UserFactory(role=Role.SECURITY_ADMIN, is_staff=True))
    user = UserFactory(role=Role.CITIZEN)
    response = security.post(
        f"/admin/identity/user/{user.pk}/change/",
        {
            "display_name": user.display_name,
            "mobile": "",
            "email": "",
            "role": Role.DEPT_MANAGER,
            "org_unit": tree.tianhe.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.role == Role.DEPT_MANAGER
    assert user.org_unit == tree.tianhe
    assert AuditEvent.objects.filter(action="user.change_role", via="admin").count() == 1


def test_enterprise_representatives_through_services(admin_client: Client) -> None:
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory()
    response = admin_client.post(
        f"/admin/identity/enterprise/{enterprise.pk}/change/",
        {
            "name": enterprise.name,
            "legal_representative": enterprise.legal_representative,
            "contact_mobile": enterprise.contact_mobile,
            "address": enterprise.address,
            "representatives": [rep.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Enterprise.objects.get(pk=enterprise.pk).representatives.all()) == [rep]
    assert AuditEvent.objects.filter(action="enterprise.add_representative").count() == 1


def test_staff_profile_through_the_service(admin_client: Client, tree: Tree) -> None:
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.water)
    response = admin_client.post(
        "/admin/identity/staffprofile/add/",
        {"user": handler.pk, "employee_no": "W-1", "title": "科员", "office_phone": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert StaffProfile.objects.get(user=handler).employee_no == "W-1"
    assert AuditEvent.objects.filter(action="staff_profile.create").count() == 1


def test_add_person_through_the_service(admin_client: Client) -> None:
    from hongmian.identity.tests.test_api import RID

    response = admin_client.post(
        "/admin/identity/person/add/",
        {"name": "黄志明", "resident_id": RID, "mobile": "13900001111", "address": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.get(resident_id=RID).name == "黄志明"
    bad = admin_client.post(
        "/admin/identity/person/add/", {"name": "x", "resident_id": "440105198506010000"}
    )
    assert bad.status_code == 200
    assert "校验位" in bad.content.decode()


def test_admin_edits_own_account_without_touching_own_role(admin_client: Client) -> None:
    me = User.objects.get(role=Role.SYSTEM_ADMIN)
    response = admin_client.post(
        f"/admin/identity/user/{me.pk}/change/",
        {"display_name": "管理员", "mobile": "", "email": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    me.refresh_from_db()
    assert me.display_name == "管理员"
    assert me.role == Role.SYSTEM_ADMIN
    assert me.is_active


def test_verify_person_and_deactivate_units(admin_client: Client, tree: Tree) -> None:
    person = PersonFactory()
    # The level is not the administrators' to set (decision 0044): the field is read-only,
    # and a forged post of it changes nothing.
    response = admin_client.post(
        f"/admin/identity/person/{person.pk}/change/", {"assurance_level": "3"}
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).assurance_level == 1
    assert not AuditEvent.objects.filter(action__startswith="person.assurance").exists()

    response = admin_client.post(
        "/admin/identity/orgunit/",
        {"action": "deactivate", "_selected_action": [tree.shipai.pk, tree.community.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(pk__in=[tree.shipai.pk, tree.community.pk], is_active=True)
    # A unit with active sub-units is refused with a message, not an error page.
    response = admin_client.post(
        "/admin/identity/orgunit/",
        {"action": "deactivate", "_selected_action": [tree.city.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "下级机构" in response.content.decode()
    assert OrgUnit.objects.get(pk=tree.city.pk).is_active


def test_the_system_admin_sees_roles_read_only(admin_client: Client, tree: Tree) -> None:
    user = UserFactory(role=Role.CITIZEN)
    response = admin_client.post(
        f"/admin/identity/user/{user.pk}/change/",
        {
            "display_name": "新名字",
            "mobile": "",
            "email": "",
            "role": Role.AUDITOR,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "新名字"
    assert user.role == Role.CITIZEN


def test_the_audit_log_is_not_in_the_admin_site(admin_client: Client) -> None:
    # Even for a superuser: the system administrator neither reads nor changes it.
    assert admin_client.get("/admin/core/auditevent/").status_code == 404
    assert b"/admin/core/auditevent/" not in admin_client.get("/admin/").content


def test_the_system_admin_is_not_offered_the_other_two_roles(admin_client: Client) -> None:
    page = admin_client.get("/admin/identity/user/add/").content.decode()
    assert 'value="hotline_agent"' in page
    assert 'value="auditor"' not in page
    assert 'value="security_admin"' not in page
    response = admin_client.post(
        "/admin/identity/user/add/",
        {
            "username": "puppet",
            "password1": "Hongmian-2025-strong",
            "password2": "Hongmian-2025-strong",
            "role": "auditor",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert not User.objects.filter(username="puppet").exists()
