"""The telephony tests' fixtures: the hotline's (units, agent, supervisor …), a PBX and an
SMS gateway with their accounts, and two agents seated at extensions 8001 and 8002."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.tests.fixtures import *  # noqa: F403  (pytest finds fixtures by name)
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory
from hongmian.telephony.models import Gateway
from hongmian.telephony.services import extension_assign, gateway_register
from hongmian.telephony.states import GatewayKind

SETUP = Actor.cli(None, label="test")


@pytest.fixture
def pbx_account(units) -> User:
    return UserFactory(username="pbx-adapter", role=Role.HOTLINE_AGENT, org_unit=units.centre)


@pytest.fixture
def pbx(pbx_account: User) -> Gateway:
    return gateway_register(actor=SETUP, name="演示交换机", kind=GatewayKind.PBX, user=pbx_account)


@pytest.fixture
def pbx_actor(pbx: Gateway) -> Actor:
    return Actor(user=pbx.user, via="api")


@pytest.fixture
def sms_gateway(units) -> Gateway:
    account = UserFactory(username="sms-gateway", role=Role.HOTLINE_AGENT, org_unit=units.centre)
    return gateway_register(actor=SETUP, name="短信网关", kind=GatewayKind.SMS, user=account)


@pytest.fixture
def sms_actor(sms_gateway: Gateway) -> Actor:
    return Actor(user=sms_gateway.user, via="api")


@pytest.fixture
def agent_wang(units) -> User:
    return UserFactory(username="agent-wang", role=Role.HOTLINE_AGENT, org_unit=units.centre)


@pytest.fixture
def seated(agent: User, agent_wang: User) -> tuple[User, User]:
    """`agent` at 8001, `agent_wang` at 8002."""
    extension_assign(actor=SETUP, number="8001", user=agent)
    extension_assign(actor=SETUP, number="8002", user=agent_wang)
    return agent, agent_wang
