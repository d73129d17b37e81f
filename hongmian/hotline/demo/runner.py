"""Replaying the demo's plans through the real hotline services, one step at a time under
the HistoryClock (time.py), so that every order, timeline entry, clock and audit row
is what the services themselves write.

Actors: the demo logins (agent 李晓华 takes calls, dispatches and calls back; supervisor
张建国 supervises and reviews; each unit's handler acts for it, a district's for its streets
too — the identity demo gives every unit the catalogue names a handler and a manager). A
unit without a login above it would act as the system under the unit's name: the SLA then
sees no unit's first response, so tests keep every unit an order reaches covered. Dispatch
follows the catalogue, and a topic's usual unit when the catalogue cannot decide.

Not a public API: `hongmian.hotline.demo.seed` builds the Runner and feeds it the plans
from plan.py.
"""

from __future__ import annotations

import random
from typing import Any

from django.apps import apps

from hongmian.core.actors import Actor
from hongmian.hotline.demo import text as texts
from hongmian.hotline.demo.plan import Plan, topic_category_map
from hongmian.hotline.demo.text import TextGenerator, resolve_unit
from hongmian.hotline.demo.time import HistoryClock
from hongmian.hotline.models import ExtensionRequest, SlaClock, WorkOrder
from hongmian.hotline.services import (
    catalogue,
    lifecycle_closing,
    lifecycle_dispatch,
    lifecycle_handling,
)
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    ClockKind,
    ClockUnit,
    ExtensionStatus,
    ReturnReason,
    Satisfaction,
    Status,
    SupervisionKind,
)
from hongmian.identity import demo as identity_demo
from hongmian.identity import fakes
from hongmian.identity.models import Enterprise, OrgUnit, Person, User
from hongmian.identity.states import Role, UnitKind

# Seeded orders carry external_ref "demo:NNNNN" (the plan's index): how the seeder knows
# the demo is already there, and how the tests find its orders.
DEMO_REF = "demo:"

# The identity demo's logins the seed acts as, where they exist.
_DEMO_USERNAMES = tuple(login.username for login in identity_demo.DEMO_LOGINS)


def _user_actor(user: User | None) -> Actor | None:
    return Actor(user=user, via="web", client_address="127.0.0.1") if user is not None else None


class Runner:
    """Carries the plans out through the services, one step at a time, under the clock."""

    def __init__(self, *, actor: Actor, rng: random.Random, clock: HistoryClock) -> None:
        self.rng = rng
        self.gen = TextGenerator(rng)
        self.clock = clock
        self.system = actor
        self.units = {u.code: u for u in OrgUnit.objects.filter(is_active=True)}
        users = {
            u.username: u
            for u in User.objects.filter(username__in=_DEMO_USERNAMES).select_related("org_unit")
        }
        self.agent = _user_actor(users.get("agent")) or actor
        self._articles: dict[str, Any] = {}
        self.supervisor = _user_actor(users.get("supervisor")) or actor
        self.citizen = users.get("citizen")
        # Unit handlers from the identity demo, deepest unit first (a district's handler acts
        # for its streets too).
        self.handlers: list[tuple[str, User]] = sorted(
            (
                (u.org_unit.path, u)
                for u in users.values()
                if u.org_unit is not None and u.role == Role.DEPT_HANDLER
            ),
            key=lambda pair: (-len(pair[0]), pair[1].username),
        )
        self.persons = list(Person.objects.order_by("pk")[:200])
        self.enterprises = list(Enterprise.objects.order_by("pk")[:50])
        self.categories = topic_category_map()
        self._unit_actors: dict[int, Actor] = {}

    # --- who acts ---

    def unit_actor(self, unit: OrgUnit) -> Actor:
        found = self._unit_actors.get(unit.pk)
        if found is None:
            handler = next((h for path, h in self.handlers if unit.path.startswith(path)), None)
            found = _user_actor(handler) or Actor(user=None, via="system", label=unit.name)
            self._unit_actors[unit.pk] = found
        return found

    def _same_hands(self, unit: OrgUnit, other: OrgUnit) -> bool:
        """Whether the same demo login acts for both units."""
        user = self.unit_actor(unit).user
        return user is not None and user == self.unit_actor(other).user

    def lead_actor(self, order: WorkOrder) -> Actor:
        assert order.lead_unit is not None  # noqa: S101  # every unit step follows a dispatch
        return self.unit_actor(order.lead_unit)

    def unit(self, code: str) -> OrgUnit | None:
        return self.units.get(code)

    def fallback_unit(self, plan: Plan, exclude: set[int]) -> OrgUnit:
        """A unit that could handle the plan's topic, other than `exclude`: the topic's
        usual units, then the district of the place, then the city's urban management."""
        place = plan.request.place
        region = place.district_code[:6] if place else "440106"
        candidates = [resolve_unit(spec, place, region) for spec in plan.request.topic.units]
        candidates += [f"gz-{region}", "gz-urban", "gz-12345"]
        for code in candidates:
            unit = self.unit(code)
            if unit is not None and unit.pk not in exclude:
                return unit
        raise RuntimeError("identity demo units are missing: seed identity before hotline")

    # --- the steps ---

    def run(self, plan: Plan) -> None:
        self.clock.step(plan.created)
        self.intake(plan)
        self.clock.done()
        for step in plan.steps:
            self.clock.step(step.at)
            getattr(self, f"do_{step.kind}")(plan, **step.args)
            self.clock.done()

    def intake(self, plan: Plan) -> None:
        rng, request = self.rng, plan.request
        caller: dict[str, Any] = {}
        actor = self.agent
        online = plan.channel in ("web", "wechat", "app", "mini_program", "open311")
        if online and self.citizen is not None and rng.random() < 0.1:
            actor = _user_actor(self.citizen) or self.agent
        elif online:
            actor = Actor.system(f"channel:{plan.channel}")
        if actor.user is None or actor.user != self.citizen:
            if plan.is_enterprise and self.enterprises:
                enterprise = rng.choice(self.enterprises)
                caller = {
                    "caller_enterprise": enterprise,
                    "caller_name": enterprise.legal_representative,
                    "caller_phone": enterprise.contact_mobile,
                }
            elif self.persons and rng.random() < 0.15:
                person = rng.choice(self.persons)
                caller = {
                    "caller_person": person,
                    "caller_name": person.name,
                    "caller_phone": person.mobile,
                }
            else:
                caller = {
                    "caller_name": rng.choice(fakes.SURNAMES) + rng.choice(("先生", "女士")),
                    "caller_phone": fakes.mobile(rng),
                }
        order, _created = work_order_intake(
            actor=actor,
            request=IntakeRequest(
                channel=plan.channel,
                request_type=plan.request_type,
                title=request.title,
                content=request.content,
                address=request.place.address if request.place else "",
                category=self.categories.get(request.topic.key),
                priority=plan.priority,
                is_enterprise=plan.is_enterprise,
                is_emergency=plan.is_emergency,
                confidential=rng.random() < 0.03,
                external_ref=f"{DEMO_REF}{plan.index:05d}",
                **caller,
            ),
        )
        plan.order = order

    def do_direct_answer(self, plan: Plan) -> None:
        request = plan.request
        answer = self.gen.direct_answer(request.topic, request.subject)
        plan.order = lifecycle_dispatch.work_order_direct_answer(
            actor=self.agent,
            order=plan.live,
            answer=answer,
            article=self.knowledge_article(self.gen.answer_article(request.topic, request.subject)),
        )

    def knowledge_article(self, external_id: str) -> Any:
        """The published knowledge article with this external id (None without one, or
        without the knowledge app): the agent read the answer from it."""
        if not external_id or not apps.is_installed("hongmian.knowledge"):
            return None
        if external_id not in self._articles:
            from hongmian.knowledge.models import Article
            from hongmian.knowledge.states import ArticleStatus

            self._articles[external_id] = Article.objects.filter(
                external_id=external_id, status=ArticleStatus.PUBLISHED
            ).first()
        return self._articles[external_id]

    def do_dispatch(self, plan: Plan, *, co: bool) -> None:
        order = plan.live
        suggestion = catalogue.dispatch_suggest(order)
        if suggestion is not None:
            lead, co_units = suggestion.lead_unit, list(suggestion.co_units)
        else:
            lead, co_units = self.fallback_unit(plan, set()), []
        # A co-handler in the lead's own hands (a street's district, another street of the
        # same district) is no second unit: its handler 签收 as the lead.
        co_units = [u for u in co_units if not self._same_hands(u, lead)]
        if co and not co_units:
            same = {u.pk for u in self.units.values() if self._same_hands(u, lead)}
            co_units = [self.fallback_unit(plan, same | {lead.pk})]
        plan.order = lifecycle_dispatch.work_order_dispatch(
            actor=self.agent, order=order, lead_unit=lead, co_units=co_units
        )

    def do_subdispatch(self, plan: Plan) -> None:
        order = plan.live
        lead = order.lead_unit
        if lead is None or lead.kind != UnitKind.DISTRICT_GOVERNMENT or not order.street_code:
            return  # 下派 is a district's act, to one of its own streets
        street = self.unit(f"gz-{order.street_code}")
        if street is None or not street.path.startswith(lead.path) or street.pk == lead.pk:
            return
        plan.order = lifecycle_dispatch.work_order_subdispatch(
            actor=self.unit_actor(lead), order=order, unit=street, note="属地街道办理"
        )

    def do_acknowledge(self, plan: Plan) -> None:
        if plan.live.status == Status.ACKNOWLEDGED:
            return  # the 下派 before it did not apply: the order is still in the same hands
        plan.order = lifecycle_dispatch.work_order_acknowledge(
            actor=self.lead_actor(plan.live), order=plan.live
        )

    def _co_units(self, order: WorkOrder) -> list[OrgUnit]:
        return [
            a.unit
            for a in order.assignments.filter(role=AssignmentRole.CO)
            .exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("unit")
        ]

    def do_co_acknowledge(self, plan: Plan) -> None:
        for unit in self._co_units(plan.live):
            actor = self.unit_actor(unit)
            # The system acting for a unit has no unit of its own, and acknowledge then takes
            # it for the lead; a co-handler without a demo login 签收 with its reply instead.
            if actor.user is not None:
                plan.order = lifecycle_dispatch.work_order_acknowledge(actor=actor, order=plan.live)

    def do_co_reply(self, plan: Plan) -> None:
        system_replied = False
        for unit in self._co_units(plan.live):
            actor = self.unit_actor(unit)
            if actor.user is None:
                # Likewise co_reply as the system answers for the first co-handler only.
                if system_replied:
                    continue
                system_replied = True
            plan.order = lifecycle_handling.work_order_co_reply(
                actor=actor, order=plan.live, reply=self.gen.pick(texts.PROGRESS_NOTES)
            )

    def do_progress(self, plan: Plan) -> None:
        plan.order = lifecycle_handling.work_order_progress(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            text=self.gen.pick(texts.PROGRESS_NOTES),
        )

    def do_return_request(self, plan: Plan) -> None:
        order = plan.live
        assert order.lead_unit is not None  # noqa: S101
        suggested = self.fallback_unit(plan, {order.lead_unit.pk})
        plan.order = lifecycle_dispatch.work_order_return_request(
            actor=self.lead_actor(order),
            order=order,
            reason=self.rng.choice((ReturnReason.NOT_OUR_DUTY, ReturnReason.WRONG_AREA)),
            legal_basis=self.rng.choice(texts.LEGAL_BASES),
            explanation=self.rng.choice(texts.RETURN_EXPLANATIONS),
            suggested_unit=suggested,
        )

    def do_return_review(self, plan: Plan, *, verdict: str) -> None:
        plan.order = lifecycle_dispatch.work_order_return_review(
            actor=self.agent,
            order=plan.live,
            accept=verdict == "accept",
            note={
                "accept": "退单理由成立，改派相关职能单位办理。",
                "refuse": "经审核，该事项属本单位职责，按首接负责制继续办理。",
                "joint": "职责存在交叉，提请联席会商确定承办单位。",
            }[verdict],
            to_joint_meeting=verdict == "joint",
        )

    def do_joint_meeting(self, plan: Plan) -> None:
        order = plan.live
        first = order.first_unit
        decided = self.fallback_unit(plan, {first.pk} if first else set())
        units = [u for u in (first, decided) if u is not None]
        held_at = self.clock.history[-1]
        plan.order = lifecycle_dispatch.work_order_joint_meeting(
            actor=self.agent,
            order=order,
            units=units,
            decided_unit=decided,
            minutes=self.rng.choice(texts.MEETING_MINUTES).format(unit=decided.name),
            held_at=held_at,
        )

    def do_extension_request(self, plan: Plan) -> None:
        clock = SlaClock.objects.filter(
            order=plan.live, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
        ).first()
        unit = clock.unit if clock else ClockUnit.WORKING_DAYS
        amounts: dict[str, int] = {ClockUnit.WORKING_DAYS: 5, ClockUnit.WORKING_HOURS: 16}
        amount = amounts.get(unit, 24)
        lifecycle_handling.work_order_extension_request(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            reason=self.rng.choice(texts.EXTENSION_REASONS),
            amount=amount,
        )

    def do_extension_decide(self, plan: Plan, *, approve: bool) -> None:
        pending = ExtensionRequest.objects.filter(
            order=plan.live, status=ExtensionStatus.PENDING
        ).first()
        assert pending is not None  # noqa: S101  # the plan asked for one just before
        plan.order = lifecycle_handling.work_order_extension_decide(
            actor=self.agent,
            extension=pending,
            approve=approve,
            note="理由充分，同意延期。" if approve else "诉求事项不复杂，请按原时限办结。",
        )

    def do_supervise(self, plan: Plan, *, kind: str) -> None:
        actor = self.supervisor if kind == SupervisionKind.SUPERVISE else self.agent
        plan.order = lifecycle_handling.work_order_supervise(
            actor=actor, order=plan.live, kind=kind, note=self.rng.choice(texts.SUPERVISION_NOTES)
        )

    def do_reply(self, plan: Plan) -> None:
        plan.order = lifecycle_handling.work_order_reply(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            reply=self.gen.reply(plan.request.topic),
        )

    def do_callback(self, plan: Plan, *, outcome: str) -> None:
        reached = outcome != "unreached"
        resolved = None if not reached else outcome != Satisfaction.DISSATISFIED
        plan.order = lifecycle_closing.work_order_callback(
            actor=self.agent,
            order=plan.live,
            reached=reached,
            satisfaction=outcome if reached else "",
            resolved=resolved,
            comment=self.rng.choice(texts.CALLBACK_COMMENTS[outcome]),
        )

    def do_callback_review(self, plan: Plan, *, reopen: bool) -> None:
        plan.order = lifecycle_closing.work_order_callback_review(
            actor=self.supervisor,
            order=plan.live,
            reopen=reopen,
            reason=self.rng.choice(texts.REVIEW_REASONS["reopen" if reopen else "close"]),
        )

    def do_merge(self, plan: Plan) -> None:
        assert plan.master is not None  # noqa: S101  # merge plans always have a master
        assert plan.master.order is not None  # noqa: S101  # which ran before them
        lifecycle_closing.work_order_merge(
            actor=self.agent,
            master=plan.master.order,
            duplicates=[plan.live],
            note=self.rng.choice(texts.MERGE_NOTES),
        )

    def do_archive(self, plan: Plan) -> None:
        plan.order = lifecycle_closing.work_order_archive(actor=self.agent, order=plan.live)
