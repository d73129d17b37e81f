"""The city code app's part of the demo seed: a code id for every demo person (the demo
citizen's first), the signing key, two attribute types (长者关爱 by the civil affairs bureau,
健康状态 by the health commission) with a value on the demo citizen, and three terminals —
the city hall's check-in (sees the name and both attributes), a metro gate and a bus reader
(valid/invalid only); and a collective code (集体码) of the demo enterprise with two members.
Through the services, as the departments would; idempotent."""

from __future__ import annotations

from collections.abc import Callable

from hongmian.citycode.models import Attribute, AttributeType, CollectiveCode, Terminal
from hongmian.citycode.services.attributes import attribute_set, attribute_type_save
from hongmian.citycode.services.codes import holder_of
from hongmian.citycode.services.collective import (
    collective_create,
    member_accept,
    member_invite,
)
from hongmian.citycode.services.terminals import terminal_register
from hongmian.citycode.states import ATTRIBUTE_SETTER_ROLES, KEY_PURPOSE
from hongmian.core.actors import Actor
from hongmian.core.keyring import signing_key_ensure
from hongmian.identity.models import Enterprise, OrgUnit, Person, User
from hongmian.identity.states import Role

Progress = Callable[[str, int, int], None]
PERSONS = 100
# (code, name, kind, owner unit code, place, latitude, longitude, identity fields, types)
TERMINALS: tuple[tuple[str, str, str, str, str, str, str, list[str], list[str]], ...] = (
    ("hall-gz-checkin", "市政务服务中心取号机", "hall", "hall-gz", "天河区天府路1号市政务服务中心",
     "23.129100", "113.324500", ["name", "attributes"], ["elder_care", "health"]),
    ("metro-tiyuxilu-a", "体育西路站 A 口闸机", "gate", "gz-transport", "地铁体育西路站 A 口",
     "23.136900", "113.321300", [], []),
    ("bus-b1-0001", "B1 路公交 粤A·12345", "bus", "gz-transport", "B1 路快速公交",
     "23.119800", "113.347600", [], []),
)  # fmt: skip


def _unit(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first()


def seed(*, actor: Actor, progress: Progress) -> None:
    signing_key_ensure(actor=actor, purpose=KEY_PURPOSE)
    # The first persons (the demo citizen among them); anyone else gets a code id on first use.
    persons = list(Person.objects.order_by("id")[:PERSONS])
    for done, person in enumerate(persons, 1):
        holder_of(actor=actor, person=person)
        if done % 200 == 0 or done == len(persons):
            progress("citycode: 红棉码", done, len(persons))
    civil, health = _unit("gz-civil"), _unit("gz-health")
    if civil is not None and not AttributeType.objects.filter(code="elder_care").exists():
        attribute_type_save(
            actor=actor, code="elder_care", name="长者关爱", authorised_units=[civil], values=["是"]
        )
    if health is not None and not AttributeType.objects.filter(code="health").exists():
        attribute_type_save(
            actor=actor,
            code="health",
            name="健康状态",
            authorised_units=[health],
            values=["绿码", "黄码", "红码"],
            default_days=7,
        )
    for code, name, kind, unit_code, place, lat, lon, fields, types in TERMINALS:
        unit = _unit(unit_code)
        if unit is None or Terminal.objects.filter(code=code).exists():
            continue
        terminal_register(
            actor=actor,
            code=code,
            name=name,
            kind=kind,
            owner_unit=unit,
            place_name=place,
            latitude=lat,
            longitude=lon,
            identity_fields=fields,
            attribute_types=list(AttributeType.objects.filter(code__in=types)),
        )
    citizen = Person.objects.filter(user__username="citizen").first()
    clerk = (
        User.objects.filter(org_unit=civil, role__in=sorted(ATTRIBUTE_SETTER_ROLES))
        .order_by("username")
        .first()
    )
    care = AttributeType.objects.filter(code="elder_care").first()
    if citizen is None or clerk is None or care is None:
        return
    if not Attribute.objects.filter(holder__person=citizen, type=care).exists():
        # As the civil affairs bureau's handler would set it.
        attribute_set(
            actor=Actor(user=clerk, via="system", label="seed_demo"),
            person=citizen,
            type_code="elder_care",
            value="是",
        )
    _seed_collective(actor=actor, citizen=citizen)


def _seed_collective(*, actor: Actor, citizen: Person) -> None:
    """集体码 (decision 0079): the demo enterprise login's first enterprise has a collective
    code asking for 健康状态 and 长者关爱, with two members who consented — the demo citizen
    (sharing 长者关爱) and another resident (sharing nothing yet: listed, not valid)."""
    rep = User.objects.filter(username="enterprise").first()
    enterprise = (
        Enterprise.objects.filter(representatives=rep).order_by("id").first() if rep else None
    )
    if (
        rep is None
        or enterprise is None
        or CollectiveCode.objects.filter(enterprise=enterprise).exists()
    ):
        return
    as_rep = Actor(user=rep, via="system", label="seed_demo")
    code = collective_create(
        actor=as_rep,
        name=f"{enterprise.name} 员工集体码",
        type_codes=["health", "elder_care"],
        enterprise=enterprise,
    )
    other = (
        Person.objects.filter(user__role=Role.CITIZEN, user__is_active=True)
        .exclude(pk=citizen.pk)
        .order_by("id")
        .first()
    )
    for person, shared in ((citizen, ["elder_care"]), (other, [])):
        if person is None or person.user is None:
            continue
        member = member_invite(
            actor=as_rep, collective=code, resident_id=person.resident_id, name=person.name
        )
        member_accept(
            actor=Actor(user=person.user, via="system", label="seed_demo"),
            member_id=member.pk,
            type_codes=shared,
        )
