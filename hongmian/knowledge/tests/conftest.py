"""Fixtures for the knowledge tests: a small organisation, one user per role that matters,
and helpers that make articles through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hongmian.core.actors import Actor
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from hongmian.knowledge import services
from hongmian.knowledge.models import Article


def actor_of(user: User) -> Actor:
    return Actor(user=user, via="web", client_address="127.0.0.1")


@dataclass
class Org:
    """city ─┬─ hrss (人社局) ── hrss_office (a section below it)
    ├─ water (水务局)
    └─ hotline (12345)"""

    city: OrgUnit
    hrss: OrgUnit
    hrss_office: OrgUnit
    water: OrgUnit
    hotline: OrgUnit
    author: User  # handler of hrss
    manager: User  # manager of hrss
    water_author: User  # handler of water
    water_manager: User
    agent: User  # hotline agent
    supervisor: User  # hotline supervisor (a city-wide reviewer)
    citizen: User


@pytest.fixture
def org(db: None) -> Org:
    city = OrgUnitFactory(code="k-city", name="市政府", kind=UnitKind.CITY_GOVERNMENT)
    hrss = OrgUnitFactory(code="k-hrss", name="广州市人力资源和社会保障局", parent=city)
    office = OrgUnitFactory(code="k-hrss-card", name="社保卡服务中心", parent=hrss)
    water = OrgUnitFactory(code="k-water", name="广州市水务局", short_name="市水务局", parent=city)
    hotline = OrgUnitFactory(
        code="k-12345", name="12345热线中心", kind=UnitKind.HOTLINE_CENTRE, parent=city
    )
    return Org(
        city=city,
        hrss=hrss,
        hrss_office=office,
        water=water,
        hotline=hotline,
        author=UserFactory(role=Role.DEPT_HANDLER, org_unit=hrss, username="k-author"),
        manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=hrss, username="k-manager"),
        water_author=UserFactory(role=Role.DEPT_HANDLER, org_unit=water, username="k-water"),
        water_manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=water, username="k-water-m"),
        agent=UserFactory(role=Role.HOTLINE_AGENT, org_unit=hotline, username="k-agent"),
        supervisor=UserFactory(
            role=Role.HOTLINE_SUPERVISOR, org_unit=hotline, username="k-supervisor"
        ),
        citizen=UserFactory(role=Role.CITIZEN, username="k-citizen"),
    )


def make_article(
    org: Org, *, publish: bool = True, unit: OrgUnit | None = None, **fields: Any
) -> Article:
    """An article of `unit` (hrss by default), written by its handler and, if `publish`,
    approved by its manager."""
    unit = unit or org.hrss
    author = org.author if unit.path.startswith(org.hrss.path) else org.water_author
    manager = org.manager if unit.path.startswith(org.hrss.path) else org.water_manager
    fields.setdefault("title", "社保卡丢失怎么补办")
    fields.setdefault("body", "社会保障卡遗失后先挂失，再到服务网点补办，携带身份证原件。")
    article = services.article_create(actor=actor_of(author), owning_unit=unit, **fields)
    if publish:
        services.article_submit(actor=actor_of(author), article=article)
        services.article_approve(actor=actor_of(manager), article=article)
    article.refresh_from_db()
    return article


@pytest.fixture(autouse=True)
def _private_vector_cache(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Any:
    # Tools that keep vectors in the user's cache (the CLI's --index) write to a temporary
    # one in tests; the FAQ test keeps the real one (embedding the FAQ takes minutes).
    if request.node.get_closest_marker("shared_data"):
        yield
        return
    from django.test import override_settings

    path = tmp_path_factory.mktemp("vectors") / "knowledge-vectors.npz"
    with override_settings(HONGMIAN_KNOWLEDGE_VECTOR_CACHE=str(path)):
        yield


@pytest.fixture(autouse=True)
def _no_shared_index() -> Any:
    # The backend keeps one index per process; tests run inside transactions and so build
    # a private index each time, but a test that leaves one behind would leak into others.
    from hongmian.knowledge.search import _backend

    _backend.cache_clear()
    yield
    _backend.cache_clear()


__all__ = ["Org", "actor_of", "make_article"]
