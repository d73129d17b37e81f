"""Each role's home page: its name, its unit, and only actions that work for it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hongmian.identity.models import Enterprise, Person
from hongmian.identity.states import ADMIN_SITE_ROLES, STAFF_ROLES, Role
from hongmian.portal.home import ELDER_MODE_MAX_ACTIONS, ROLE_ACTIONS

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")

ROLE_NAMES_ZH = {
    Role.CITIZEN: "市民",
    Role.ENTERPRISE_REP: "企业代表",
    Role.HOTLINE_AGENT: "话务员",
    Role.HOTLINE_SUPERVISOR: "热线督办员",
    Role.DEPT_HANDLER: "承办人员",
    Role.DEPT_MANAGER: "承办单位负责人",
    Role.HALL_STAFF: "大厅窗口人员",
    Role.DATA_STEWARD: "数据管理员",
    Role.CHIEF_DATA_OFFICER: "首席数据官",
    Role.CITY_LEADER: "市领导",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "安全审计员",
}


def _role_badge(html: str) -> str:
    match = re.search(r'class="role-badge__role" data-role="[a-z_]+">([^<]+)<', html)
    assert match, "the home page names the role"
    return match.group(1)


def test_every_role_is_covered() -> None:
    assert set(ROLE_NAMES_ZH) == set(Role)
    assert set(ROLE_ACTIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_gets_its_home_with_its_name(client, make_user, role: Role) -> None:
    user = make_user(role)
    client.force_login(user)

    response = client.get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    assert _role_badge(html) == ROLE_NAMES_ZH[role]
    assert f"portal/home/{role.value}.html" in [t.name for t in response.templates]
    for action in ROLE_ACTIONS[role]:
        assert str(action.title) in html


@pytest.mark.parametrize("role", sorted(STAFF_ROLES), ids=lambda r: r.value)
def test_staff_see_their_unit_and_its_place_in_the_tree(client, make_user, org_tree, role) -> None:
    client.force_login(make_user(role, org_unit=org_tree["street"]))

    html = client.get(HOME).content.decode()

    assert "石牌街道办事处" in html
    assert "GZ-TH-SP" in html
    lineage = re.search(r'<ol class="lineage">(.*?)</ol>', html, re.S)
    assert lineage
    names = re.findall(r"<li[^>]*>([^<]+)</li>", lineage.group(1))
    assert names == ["广州市人民政府", "天河区人民政府", "石牌街道办事处"]


def test_staff_without_a_unit_are_told_to_ask_for_one(client, make_user) -> None:
    # City-wide roles may be without a unit (unit-scoped ones may not: a model constraint).
    client.force_login(make_user(Role.HOTLINE_AGENT, org_unit=None))

    html = client.get(HOME).content.decode()

    assert "尚未分配所属机构" in html


def test_unit_scope_is_said_per_role(client, make_user) -> None:
    client.force_login(make_user(Role.DEPT_MANAGER))
    assert "本机构及其下级机构" in client.get(HOME).content.decode()

    client.force_login(make_user(Role.HOTLINE_AGENT))
    html = client.get(HOME).content.decode()
    assert re.search(r"<dt>工作范围</dt>\s*<dd>全市</dd>", html)


def test_system_admin_gets_links_to_admin_and_api_docs(client, make_user) -> None:
    client.force_login(make_user(Role.SYSTEM_ADMIN))

    html = client.get(HOME).content.decode()

    assert 'href="/admin/"' in html
    assert 'href="/api/docs"' in html
    assert 'href="/healthz"' in html


@pytest.mark.parametrize("role", [Role.DATA_STEWARD, Role.CHIEF_DATA_OFFICER])
def test_integrators_get_the_api_docs(client, make_user, role) -> None:
    client.force_login(make_user(role))

    assert 'href="/api/docs"' in client.get(HOME).content.decode()


# What a tile for a feature that is not built used to say; no home page may say it.
NOT_BUILT_WORDS = ("尚未开放", "即将上线", "敬请期待", "将随", "coming soon", "card--pending")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("elder_mode", [False, True], ids=["standard", "elder"])
def test_no_home_offers_what_is_not_built(client, make_user, role, elder_mode) -> None:
    client.force_login(make_user(role, elder_mode=elder_mode, is_staff=role in ADMIN_SITE_ROLES))

    html = client.get(HOME).content.decode()

    for words in NOT_BUILT_WORDS:
        assert words not in html, words
    cards = re.findall(r'<li class="card">(.*?)</li>', html, re.S)
    assert cards, "every role has something it can do"
    assert all('<a class="card__link" href="' in card for card in cards)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_tile_opens_for_its_role(client, make_user, role) -> None:
    # is_staff: a system admin's account reaches the admin site (identity's user_create).
    client.force_login(make_user(role, is_staff=role in ADMIN_SITE_ROLES))

    for action in ROLE_ACTIONS[role]:
        response = client.get(action.url)
        assert response.status_code in (200, 302), (action.url, response.status_code)
        if response.status_code == 302:
            assert "login" not in response["Location"], action.url


def test_hotline_actions_link_to_the_hotline_screens(client, make_user) -> None:
    client.force_login(make_user(Role.HOTLINE_AGENT))

    html = client.get(HOME).content.decode()

    assert 'href="/hotline/console/"' in html
    card = html[html.index("话务工作台") - 200 : html.index("话务工作台")]
    assert "<a " in card


def test_enterprise_rep_sees_the_enterprises_they_act_for(client, make_user) -> None:
    rep = make_user(Role.ENTERPRISE_REP)
    enterprise = Enterprise.objects.create(
        name="广州红棉科技有限公司", credit_code="91440101MA5XXXXXX1"
    )
    enterprise.representatives.add(rep)
    Enterprise.objects.create(name="别人的公司", credit_code="91440101MA5XXXXXX2")
    client.force_login(rep)

    html = client.get(HOME).content.decode()

    assert "广州红棉科技有限公司" in html
    assert "91440101MA5XXXXXX1" in html
    assert "别人的公司" not in html


def test_citizen_sees_real_name_status_without_personal_data(client, citizen) -> None:
    Person.objects.create(
        user=citizen, name="陈秀英", resident_id="440106195001011234", real_name_verified=True
    )
    client.force_login(citizen)

    html = client.get(HOME).content.decode()

    assert "已认证" in html
    assert "440106195001011234" not in html


@pytest.mark.parametrize("elder_mode", [False, True], ids=["standard", "elder"])
def test_a_citizen_finds_their_requests_first(client, make_user, elder_mode) -> None:
    client.force_login(make_user(Role.CITIZEN, elder_mode=elder_mode))

    html = client.get(HOME).content.decode()

    first = re.search(r'<li class="card">\s*<a class="card__link" href="([^"]+)">', html)
    assert first
    assert first.group(1) == reverse("hotline:mine")
    assert html.index("我的诉求") < html.index("我要反映")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_elder_mode_shows_only_the_main_actions(client, make_user, role) -> None:
    client.force_login(make_user(role, elder_mode=True))

    html = client.get(HOME).content.decode()

    shown = html.count('<li class="card')
    primary = [a for a in ROLE_ACTIONS[role] if a.primary]
    assert 1 <= shown <= ELDER_MODE_MAX_ACTIONS
    assert shown == min(len(primary), ELDER_MODE_MAX_ACTIONS)
    assert "page--elder" in html


def test_home_reads_a_bounded_number_of_rows(
    client, make_user, org_tree, django_assert_max_num_queries
) -> None:
    client.force_login(make_user(Role.DEPT_HANDLER, org_unit=org_tree["street"]))

    # Session, user, unit, two ancestors, sub-unit count, and the session's save (a
    # savepoint, an update, a release: SESSION_SAVE_EVERY_REQUEST) — nothing per action.
    with django_assert_max_num_queries(9):
        assert client.get(HOME).status_code == 200
