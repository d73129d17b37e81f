from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.identity import services
from hongmian.identity.models import StaffProfile, User
from hongmian.identity.states import Role
from hongmian.identity.tests.conftest import Tree, actor_of, sign_in
from hongmian.identity.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "Hongmian@2026"


def _user(actor: Actor, **kw: object) -> User:
    values: dict[str, object] = {"username": "newbie", "password": GOOD, "role": Role.CITIZEN}
    values.update(kw)
    return services.user_create(actor=actor, **values)  # type: ignore[arg-type]


def test_create_hashes_password_and_audits(system: Actor, tree: Tree) -> None:
    user = _user(system, role=Role.DEPT_HANDLER, org_unit=tree.water, mobile="+86 138-0013-8000")
    assert user.check_password(GOOD)
    assert user.mobile == "13800138000"
    assert user.is_staff is False
    event = AuditEvent.objects.get(action="user.create")
    assert event.after["role"] == "dept_handler"
    assert GOOD not in str(event.after)
    assert sign_in("newbie", GOOD) == user


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "too short"),
        ("abcdefghijk", "one character class"),
        ("abcdefgh1234", "two character classes"),
        ("Password12", "too common"),
        ("1234567890", "numeric"),
        ("Newbie@1234", "too similar to the username"),
    ],
)
def test_create_enforces_password_rules(system: Actor, password: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _user(system, password=password)
    assert exc.value.code == "user.password_weak", reason
    assert exc.value.fields["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_character_class_rule_message() -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=Actor.system("t"), username="x", password="abcdefghijkl", role=Role.CITIZEN
        )
    assert any("至少3类" in m for m in exc.value.fields["password"])


def test_unit_rules(system: Actor, tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _user(system, role=Role.HALL_STAFF)
    assert exc.value.code == "user.org_unit_required"
    with pytest.raises(ValidationFailed) as exc:
        _user(system, role=Role.CITIZEN, org_unit=tree.city)
    assert exc.value.code == "user.org_unit_forbidden"
    # City-wide roles may or may not sit in a unit.
    assert _user(system, username="agent1", role=Role.HOTLINE_AGENT).org_unit is None
    assert _user(system, username="agent2", role=Role.HOTLINE_AGENT, org_unit=tree.city).org_unit


def test_the_database_refuses_a_handler_without_unit() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="loose", role=Role.DEPT_HANDLER)


def test_create_refuses_bad_input(system: Actor, tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _user(system, role="mayor")
    assert exc.value.code == "user.role_invalid"
    with pytest.raises(ValidationFailed) as exc:
        _user(system, mobile="12345")
    assert exc.value.code == "mobile.format"
    with pytest.raises(ValidationFailed) as exc:
        _user(system, username="bad name!")
    assert "username" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        _user(system, is_superuser=True)
    assert exc.value.code == "user.superuser_role"
    tree.liede.is_active = False
    tree.liede.save()
    with pytest.raises(Conflict) as conflict:
        _user(system, role=Role.DEPT_HANDLER, org_unit=tree.liede)
    assert conflict.value.code == "user.org_unit_inactive"


def test_create_refuses_duplicate_username_in_any_case(system: Actor) -> None:
    _user(system)
    with pytest.raises(Conflict) as exc:
        _user(system, username="NewBie")
    assert exc.value.code == "user.duplicate_username"


def test_only_system_admins_create_users() -> None:
    agent = UserFactory(role=Role.HOTLINE_AGENT)
    with pytest.raises(PermissionDenied):
        _user(actor_of(agent))
    admin = UserFactory(role=Role.SYSTEM_ADMIN)
    assert _user(actor_of(admin)).pk


def test_system_admin_gets_admin_site(system: Actor) -> None:
    admin = _user(system, role=Role.SYSTEM_ADMIN, is_superuser=True)
    assert admin.is_staff
    assert admin.is_superuser


def test_change_role(system: Actor, tree: Tree) -> None:
    admin = UserFactory(role=Role.SECURITY_ADMIN)
    user = UserFactory(role=Role.CITIZEN)
    changed = services.user_change_role(
        actor=actor_of(admin), user=user, role=Role.DEPT_MANAGER, org_unit=tree.tianhe
    )
    assert changed.role == Role.DEPT_MANAGER
    assert changed.org_unit == tree.tianhe
    event = AuditEvent.objects.get(action="user.change_role")
    assert event.before["role"] == "citizen"
    assert event.after["org_unit"] == tree.tianhe.pk
    assert event.actor_id == admin.pk

    # Unchanged: nothing written.
    services.user_change_role(
        actor=actor_of(admin), user=user, role=Role.DEPT_MANAGER, org_unit=tree.tianhe
    )
    assert AuditEvent.objects.filter(action="user.change_role").count() == 1

    with pytest.raises(ValidationFailed) as exc:
        services.user_change_role(actor=system, user=user, role=Role.DEPT_HANDLER)
    assert exc.value.code == "user.org_unit_required"


def test_leaving_system_admin_drops_admin_site(system: Actor) -> None:
    admin = UserFactory(role=Role.SYSTEM_ADMIN, is_superuser=True)
    changed = services.user_change_role(actor=system, user=admin, role=Role.CITY_LEADER)
    assert not changed.is_staff
    assert not changed.is_superuser


def test_nobody_changes_their_own_role() -> None:
    admin = UserFactory(role=Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied) as exc:
        services.user_change_role(actor=actor_of(admin), user=admin, role=Role.CITIZEN)
    assert exc.value.code == "user.own_role"


def test_user_update_masks_mobile_in_audit_and_guards_self(system: Actor) -> None:
    admin = UserFactory(role=Role.SYSTEM_ADMIN)
    user = UserFactory()
    services.user_update(actor=actor_of(admin), user=user, mobile="13912345678", is_active=False)
    user.refresh_from_db()
    assert user.mobile == "13912345678"
    assert not user.is_active
    event = AuditEvent.objects.get(action="user.update")
    assert event.after["mobile"] == "139****5678"
    with pytest.raises(PermissionDenied):
        services.user_update(actor=actor_of(admin), user=admin, is_active=False)


def test_staff_profile_upsert(system: Actor, tree: Tree) -> None:
    handler = UserFactory(role=Role.DEPT_HANDLER, org_unit=tree.water)
    profile = services.staff_profile_upsert(
        actor=system, user=handler, employee_no="W001", title="科员"
    )
    assert profile.employee_no == "W001"
    again = services.staff_profile_upsert(
        actor=system, user=handler, employee_no="W001", title="科员"
    )
    assert again.pk == profile.pk
    services.staff_profile_upsert(actor=system, user=handler, employee_no="W001", title="科长")
    assert StaffProfile.objects.get(user=handler).title == "科长"
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["staff_profile.create", "staff_profile.update"]

    other = UserFactory(role=Role.HOTLINE_AGENT)
    with pytest.raises(Conflict) as exc:
        services.staff_profile_upsert(actor=system, user=other, employee_no="W001")
    assert exc.value.code == "staff_profile.employee_no_taken"
    with pytest.raises(ValidationFailed) as bad:
        services.staff_profile_upsert(actor=system, user=UserFactory(), employee_no="C1")
    assert bad.value.code == "staff_profile.not_staff"


def test_factory_users_log_in_with_the_default_password() -> None:
    user = UserFactory(role=Role.HALL_STAFF)
    assert user.org_unit is not None
    assert sign_in(user.username, DEFAULT_PASSWORD) == user
    custom = UserFactory(raw_password="Another@Pass9")
    assert sign_in(custom.username, "Another@Pass9") == custom


def test_createsuperuser_makes_a_system_admin() -> None:
    user = User.objects.create_superuser("root", "root@example.org", GOOD)
    assert user.role == Role.SYSTEM_ADMIN


# --- 三员分立 (decision 0046) -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDITOR, Role.HOTLINE_SUPERVISOR])
def test_only_the_security_admin_gives_roles(role: Role) -> None:
    user = UserFactory(role=Role.CITIZEN)
    with pytest.raises(PermissionDenied) as exc:
        services.user_change_role(actor=actor_of(UserFactory(role=role)), user=user, role="auditor")
    assert exc.value.code == "user.forbidden"
    user.refresh_from_db()
    assert user.role == Role.CITIZEN


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDITOR])
def test_a_system_admin_cannot_open_an_account_of_the_other_two(role: Role) -> None:
    admin = actor_of(UserFactory(role=Role.SYSTEM_ADMIN))
    with pytest.raises(PermissionDenied):
        _user(admin, role=role)
    # The security administrator can; an ordinary account stays the system admin's.
    security = actor_of(UserFactory(role=Role.SECURITY_ADMIN))
    assert _user(security, role=role, username=f"new-{role}").role == role
    with pytest.raises(PermissionDenied):
        _user(security, role=Role.CITIZEN, username="not-mine")


def test_the_security_admin_gets_the_admin_site_but_not_superuser(system: Actor) -> None:
    security = _user(system, role=Role.SECURITY_ADMIN)
    assert security.is_staff
    assert not security.is_superuser
    auditor = _user(system, role=Role.AUDITOR, username="the-auditor")
    assert not auditor.is_staff


def test_the_security_admin_clears_a_lockout() -> None:
    from axes.models import AccessAttempt

    locked = UserFactory(role=Role.HOTLINE_AGENT)
    AccessAttempt.objects.create(
        username=locked.username, failures_since_start=10, ip_address="10.0.0.1"
    )
    with pytest.raises(PermissionDenied):
        services.user_lockout_clear(
            actor=actor_of(UserFactory(role=Role.SYSTEM_ADMIN)), user=locked
        )
    security = UserFactory(role=Role.SECURITY_ADMIN)
    assert services.user_lockout_clear(actor=actor_of(security), user=locked) == 1
    assert not AccessAttempt.objects.filter(username=locked.username).exists()
    event = AuditEvent.objects.get(action="user.lockout_clear")
    assert event.actor_id == security.pk
    assert event.target_id == str(locked.pk)
