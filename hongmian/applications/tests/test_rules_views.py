"""The department's 秒批 pages: the editor's coded errors by path with nothing saved, the test
against a sample applicant, the workflow through the page, the share table's true counts;
the review page's failed conditions and the applicant's 已批准."""

from __future__ import annotations

import json

from hongmian.applications.services import rules
from hongmian.applications.tests.conftest import World
from hongmian.applications.tests.test_instant import AGE_80, SYSTEM, born, consented, submit
from hongmian.applications.tests.test_views import logged_in
from hongmian.core.reviews import VersionState


def test_a_bad_rule_shows_each_error_by_path_and_saves_nothing(world: World) -> None:
    page = logged_in(world.handler).post(
        f"/applications/rules/{world.item.code}/",
        {
            "action": "save",
            "rules": json.dumps(
                {
                    "all": [
                        {"field": "identity.shoe", "op": "eq", "value": 1},
                        {"answer": "phone", "op": "age_gte", "value": 3},
                    ]
                }
            ),
        },
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert 'data-path="all[0].field"' in html
    assert "rule.field_unknown" in html
    assert 'data-path="all[1].op"' in html
    assert "rule.op_not_for_kind" in html
    assert not world.item.instant_rules.exists()
    broken = logged_in(world.handler).post(
        f"/applications/rules/{world.item.code}/", {"action": "save", "rules": '{"all": ['}
    )
    assert broken.status_code == 422
    assert "rule.json_invalid" in broken.content.decode()


def test_a_rule_is_tested_against_a_sample_and_each_condition_shown(world: World) -> None:
    page = logged_in(world.handler).post(
        f"/applications/rules/{world.item.code}/",
        {"action": "test_preset", "preset": "elder_sz", "rules": json.dumps(AGE_80)},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-path="all[0]" data-passed="true"' in html
    assert 'data-path="all[1]" data-passed="true"' in html  # lives in 广州
    household = {
        "all": [{"field": "household.registered_address", "op": "contains", "value": "广州市"}]
    }
    page = logged_in(world.handler).post(
        f"/applications/rules/{world.item.code}/",
        {
            "action": "test",
            "rules": json.dumps(household),
            "sample": '{"file": {"identity.birth_date": "1940-13-01"}}',
        },
    )
    assert page.status_code == 422
    assert 'data-path="file.identity.birth_date"' in page.content.decode()
    assert not world.item.instant_rules.exists()


def test_the_workflow_through_the_page(world: World) -> None:
    url = f"/applications/rules/{world.item.code}/"
    handler, manager = logged_in(world.handler), logged_in(world.manager)
    assert handler.post(url, {"action": "save", "rules": json.dumps(AGE_80)}).status_code == 302
    assert handler.post(url, {"action": "submit"}).status_code == 302
    assert 'id="approve"' not in handler.get(url).content.decode()
    assert 'id="approve"' in manager.get(url).content.decode()
    assert manager.post(url, {"action": "approve"}).status_code == 302
    assert world.item.instant_rules.get().state == VersionState.PUBLISHED
    assert logged_in(world.other_handler).get(url).status_code == 404
    assert logged_in(world.citizen).get(url).status_code == 403


def test_share_table_and_the_outcome_on_both_sides(world: World) -> None:
    born(world, "1940-05-01")
    rules.rule_publish_now(actor=SYSTEM, item=world.item, rules=AGE_80)
    approved = submit(world, consented(world))
    born(world, "1990-05-01")
    failed = submit(world, consented(world))
    index = logged_in(world.handler).get("/applications/rules/").content.decode()
    assert f'data-item="{world.item.code}"' in index
    assert '<td class="num" data-col="submitted">2</td>' in index
    assert '<td class="num" data-col="instant">1</td>' in index
    assert '<td class="num" data-col="share">50.0%</td>' in index
    mine = logged_in(world.citizen).get(f"/me/applications/{approved.pk}/").content.decode()
    assert 'id="instant"' in mine
    assert "已批准" in mine
    desk = logged_in(world.handler).get(f"/applications/desk/{failed.pk}/").content.decode()
    assert 'data-failed="all[0]"' in desk
    assert "年满80周岁" in desk
    assert 'data-failed="all[1]"' not in desk
